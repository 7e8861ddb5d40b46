// v1 Secret: AWS keys and TLS material, and the promise that no value reaches a message.
#include <catch2/catch.hpp>

#include "config_test_support.hpp"

namespace lambdagate::config {
namespace {

using test::has_diagnostic;
using test::joined;
using test::lines;
using test::load_one;

const std::string kHead = "apiVersion: v1\nkind: Secret\nmetadata: {name: creds}\n";  // body from line 4

const Secret& only_secret(const LoadResult& result) { return result.config->secrets.at(0); }

// The accepted spellings of AWS credentials: base64 `data`, plain `stringData`, the key names
// Gloo reads, with stringData winning per key. (Gloo's proto field names access_key / secret_key
// are accepted with a warning: see secret_forms_test.cpp.)
TEST_CASE("AWS credentials are read from data and stringData", "[config][secret]") {
  struct Case {
    std::string name;
    std::string body;
    AwsSecretData expected;
  };
  const std::vector<Case> cases = {
      {"base64 data",
       "type: Opaque\ndata:\n  aws_access_key_id: QUtJQUlPU0ZPRE5ON0VYQU1QTEU=\n"
       "  aws_secret_access_key: c2VjcmV0LWtleQ==\n  aws_session_token: dG9rZW4=\n",
       {"AKIAIOSFODNN7EXAMPLE", "secret-key", "token"}},
      {"base64 without padding, wrapped over lines",
       "data:\n  aws_access_key_id: QUtJQUlPU0ZP\n    RE5ON0VYQU1QTEU\n  aws_secret_access_key: "
       "c2VjcmV0LWtleQ\n",
       {"AKIAIOSFODNN7EXAMPLE", "secret-key", ""}},
      {"stringData",
       "stringData:\n  aws_access_key_id: AKIA1\n  aws_secret_access_key: plain\n",
       {"AKIA1", "plain", ""}},
      {"stringData wins over data for the same key",
       "data:\n  aws_access_key_id: QUtJQU9MRA==\n  aws_secret_access_key: b2xk\n"
       "stringData:\n  aws_secret_access_key: new\n",
       {"AKIAOLD", "new", ""}},
  };
  for (const Case& c : cases) {
    LoadResult result = load_one("s.yaml", kHead + c.body);
    INFO(c.name << "\n" << joined(result));
    REQUIRE(result.ok());
    CHECK(result.diagnostics.empty());
    const Secret& secret = only_secret(result);
    CHECK(secret.type == "Opaque");
    REQUIRE(secret.aws);
    CHECK(secret.aws->access_key_id == c.expected.access_key_id);
    CHECK(secret.aws->secret_access_key == c.expected.secret_access_key);
    CHECK(secret.aws->session_token == c.expected.session_token);
  }
}

// A kubernetes.io/tls Secret carries a certificate chain and key (ca.crt is allowed too).
TEST_CASE("TLS secrets are read", "[config][secret]") {
  LoadResult result = load_one("s.yaml", kHead +
                                             "type: kubernetes.io/tls\nstringData:\n"
                                             "  tls.crt: \"-----BEGIN CERTIFICATE-----\\nMIIB\\n\"\n"
                                             "  tls.key: \"-----BEGIN PRIVATE KEY-----\\nMIIE\\n\"\n"
                                             "  ca.crt: \"-----BEGIN CERTIFICATE-----\\nMIIC\\n\"\n");
  INFO(joined(result));
  REQUIRE(result.ok());
  CHECK(result.diagnostics.empty());
  const Secret& secret = only_secret(result);
  CHECK(secret.type == "kubernetes.io/tls");
  CHECK_FALSE(secret.aws);
  REQUIRE(secret.tls);
  CHECK(secret.tls->certificate_chain == "-----BEGIN CERTIFICATE-----\nMIIB\n");
  CHECK(secret.tls->private_key == "-----BEGIN PRIVATE KEY-----\nMIIE\n");
}

// Secret mistakes, each with its line; none of the messages may contain a value.
TEST_CASE("Secret errors name the key, never the value", "[config][secret]") {
  struct Case {
    std::string body;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"data:\n  aws_access_key_id: QUtJQVNFQ1JFVA=!\n  aws_secret_access_key: c2VjcmV0\n",
       "s.yaml:5: error: 'data.aws_access_key_id' is not valid base64"},
      {"data:\n  aws_access_key_id: QUtJQVNFQ1JFVA==\n  aws_secret_access_key: c2VjcmV0LWtleQ=\n",
       "s.yaml:6: error: 'data.aws_secret_access_key' is not valid base64"},
      {"data:\n  aws_access_key_id: QUtJQVNFQ1JFVA==\n  aws_secret_access_key: c2VjcmV0L\n",
       "s.yaml:6: error: 'data.aws_secret_access_key' is not valid base64"},
      // "c3VwZXJzZWNyZXQK" is `echo supersecret | base64`: the newline would break every signature.
      {"data:\n  aws_access_key_id: QUtJQVNFQ1JFVA==\n  aws_secret_access_key: c3VwZXJzZWNyZXQK\n",
       "s.yaml:6: error: 'data.aws_secret_access_key' contains whitespace or a control character (a trailing "
       "newline "
       "from `echo` without -n?)"},
      {"stringData:\n  aws_access_key_id: AKIASECRET\n  aws_secret_access_key: ''\n",
       "s.yaml:6: error: 'stringData.aws_secret_access_key' is empty"},
      {"stringData:\n  aws_access_key_id: AKIASECRET\n",
       "s.yaml:1: error: Secret default/creds has AWS credentials but no 'aws_secret_access_key' (or "
       "'secret_key')"},
      {"stringData:\n  secret_key: supersecret\n",
       "s.yaml:1: error: Secret default/creds has AWS credentials but no 'aws_access_key_id' (or "
       "'access_key')"},
      {"stringData:\n  aws_access_key_id: AKIASECRET\n  access_key: AKIASECRET2\n  secret_key: supersecret\n",
       "s.yaml:6: error: 'stringData.access_key' and 'stringData.aws_access_key_id' are both set; use one "
       "spelling of "
       "the key"},
      {"stringData:\n  aws_access_key_id: [AKIASECRET]\n  aws_secret_access_key: supersecret\n",
       "s.yaml:5: error: 'stringData.aws_access_key_id' must be a string, got a list"},
      {"type: kubernetes.io/tls\nstringData:\n  tls.crt: supersecret\n",
       "s.yaml:1: error: Secret default/creds of type kubernetes.io/tls has no 'tls.key'"},
      {"data: supersecret\n", "s.yaml:4: error: 'data' must be a mapping, got a scalar"},
  };
  for (const Case& c : cases) {
    LoadResult result = load_one("s.yaml", kHead + c.body);
    INFO(c.body << "\n" << joined(result));
    CHECK_FALSE(result.ok());
    CHECK(has_diagnostic(result, c.expected));
    for (const Diagnostic& d : result.diagnostics) {
      for (const char* value : {"SECRET", "supersecret", "c3VwZXJzZWNyZXQK", "c2VjcmV0", "AKIA"}) {
        INFO(d.to_string());
        CHECK(d.message.find(value) == std::string::npos);
      }
    }
  }
}

// A Secret that is not even valid YAML still keeps its values out of the message.
TEST_CASE("YAML syntax errors in a Secret do not quote it", "[config][secret]") {
  for (const std::string& body :
       {std::string("stringData:\n  aws_secret_access_key: \"supersecret\n"),
        std::string("stringData: {aws_secret_access_key: supersecret\n"),
        std::string("stringData:\n  aws_secret_access_key: supersecret\n bad: [\n")}) {
    LoadResult result = load_one("s.yaml", kHead + body);
    INFO(joined(result));
    REQUIRE(result.error_count() == 1);
    CHECK(result.diagnostics[0].to_string().starts_with("s.yaml:"));
    CHECK(result.diagnostics[0].message.find("supersecret") == std::string::npos);
  }
}

// Warnings for Secrets: other Secret types are skipped, unknown keys named (without values).
TEST_CASE("other Secret types and unknown keys are warnings", "[config][secret]") {
  LoadResult docker = load_one("s.yaml", kHead +
                                             "type: kubernetes.io/dockerconfigjson\n"
                                             "data: {.dockerconfigjson: e30=}\n");
  CHECK(docker.ok());
  CHECK(docker.config->secrets.empty());
  CHECK(lines(docker) ==
        std::vector<std::string>{"s.yaml:4: warning: Secret type 'kubernetes.io/dockerconfigjson' is "
                                 "not supported, Secret default/creds ignored"});

  LoadResult extra = load_one("s.yaml", kHead +
                                            "stringData:\n  aws_access_key_id: AKIA1\n"
                                            "  aws_secret_access_key: supersecret\n  region: eu-west-1\n");
  CHECK(extra.ok());
  CHECK(lines(extra) ==
        std::vector<std::string>{"s.yaml:7: warning: unknown key 'region' in Opaque Secret default/creds"});
}

// A route's Upstream pointing at a Secret without AWS keys, or at no Secret, is an error at the
// secretRef line.
TEST_CASE("an Upstream's secretRef must name a Secret with AWS keys", "[config][secret]") {
  const std::string upstream =
      "apiVersion: gloo.solo.io/v1\nkind: Upstream\nmetadata: {name: lambda}\nspec:\n"
      "  aws:\n    region: us-east-1\n    secretRef: {name: creds}\n";
  LoadResult missing = load_one("u.yaml", upstream);
  CHECK(lines(missing) == std::vector<std::string>{
                              "u.yaml:7: error: Upstream default/lambda: secretRef default/creds not found"});

  LoadResult tls = load_config_from_strings(
      {{"u.yaml", upstream},
       {"s.yaml", kHead + "type: kubernetes.io/tls\nstringData: {tls.crt: '-----BEGIN CERTIFICATE-----', "
                          "tls.key: '-----BEGIN PRIVATE KEY-----'}\n"}});
  CHECK(lines(tls) ==
        std::vector<std::string>{"u.yaml:7: error: Upstream default/lambda: secretRef default/creds has "
                                 "no AWS credentials (aws_access_key_id and aws_secret_access_key)"});
}

}  // namespace
}  // namespace lambdagate::config
