// The Secret forms Gloo users have (gloo-edge-options.md, Secrets): the legacy glooctl AWS
// Secret, Gloo's proto field names (accepted with a warning), and TLS Secrets with ca.crt. No
// message may contain a secret value.
#include <catch2/catch.hpp>

#include "config_test_support.hpp"
#include "lambdagate/core/base64.hpp"

namespace lambdagate::config {
namespace {

using test::joined;
using test::lines;

const std::string kLegacyHead = R"(apiVersion: v1
kind: Secret
metadata:
  name: legacy
  namespace: gloo-system
  annotations:
    resource_kind: '*v1.Secret'
type: Opaque
)";

// What glooctl before 0.18.38 wrote: one key `aws` whose value is YAML with accessKey, secretKey
// and an optional sessionToken, base64 in `data` (or plain in `stringData`). Current Gloo still
// reads it, and so does lambdagate, silently.
TEST_CASE("legacy glooctl AWS Secrets are read", "[config][secret]") {
  const std::string yaml_value =
      "accessKey: AKIALEGACY\nsecretKey: legacy-secret\nsessionToken: legacy-token\n";
  for (const std::string& body :
       {"data:\n  aws: " + core::base64::encode(yaml_value) + "\n",
        std::string("stringData:\n  aws: |\n    accessKey: AKIALEGACY\n    secretKey: legacy-secret\n"
                    "    sessionToken: legacy-token\n")}) {
    LoadResult result = test::load_one("s.yaml", kLegacyHead + body);
    INFO(body << "\n" << joined(result));
    REQUIRE(result.ok());
    CHECK(result.diagnostics.empty());
    const Secret& secret = result.config->secrets.at(0);
    REQUIRE(secret.aws);
    CHECK(secret.aws_form == AwsSecretForm::Legacy);
    CHECK(secret.aws->access_key_id == "AKIALEGACY");
    CHECK(secret.aws->secret_access_key == "legacy-secret");
    CHECK(secret.aws->session_token == "legacy-token");
  }
}

// Broken legacy values are errors at the `aws` line that never quote the value; without the
// annotation Gloo would not read the key, so lambdagate reads it but says so.
TEST_CASE("legacy AWS Secret problems", "[config][secret]") {
  struct Case {
    std::string body;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases = {
      {"stringData:\n  aws: 'accessKey: AKIA1'\n",
       {"s.yaml:10: error: 'stringData.aws' of Secret gloo-system/legacy has no 'secretKey'"}},
      {"stringData:\n  aws: 'just-a-secret-string'\n",
       {"s.yaml:10: error: 'stringData.aws' must hold a YAML mapping with accessKey, secretKey and "
        "sessionToken"}},
      {"stringData:\n  aws: '{accessKey: [unclosed'\n",
       {"s.yaml:10: error: 'stringData.aws' is not valid YAML (expected accessKey, secretKey, "
        "sessionToken)"}},
      {"stringData:\n  aws: \"accessKey: AKIA1\\nsecretKey: 'with space'\\nregion: x\"\n  other: y\n",
       {"s.yaml:10: warning: unknown key 'region' in 'stringData.aws'",
        "s.yaml:10: error: 'stringData.aws.secretKey' contains whitespace or a control character (a trailing "
        "newline "
        "from `echo` without -n?)",
        "s.yaml:11: warning: unknown key 'other' in legacy AWS Secret gloo-system/legacy"}},
      {"stringData:\n  aws: \"access_key: AKIA1\\nsecret_key: s\"\n", {}},
  };
  for (const Case& c : cases) {
    LoadResult result = test::load_one("s.yaml", kLegacyHead + c.body);
    INFO(c.body << "\n" << joined(result));
    CHECK(lines(result) == c.expected);
    CHECK(joined(result).find("with space") == std::string::npos);
  }

  std::string no_annotation = kLegacyHead;
  no_annotation.erase(no_annotation.find("  annotations:"),
                      std::string("  annotations:\n    resource_kind: '*v1.Secret'\n").size());
  LoadResult result =
      test::load_one("s.yaml", no_annotation + "stringData:\n  aws: \"accessKey: A\\nsecretKey: B\"\n");
  INFO(joined(result));
  REQUIRE(result.ok());
  CHECK(lines(result) ==
        std::vector<std::string>{
            "s.yaml:8: warning: 'stringData.aws' holds the legacy glooctl AWS credentials, which Gloo "
            "reads only with the annotation resource_kind: '*v1.Secret'; lambdagate reads them anyway"});
  CHECK(result.config->secrets.at(0).aws->access_key_id == "A");
}

// access_key / secret_key / session_token (Gloo's proto field names) keep working, but Gloo's
// Secret converter does not read them: a warning with file and line says so.
TEST_CASE("Secrets with Gloo's proto field names warn that Gloo would not read them", "[config][secret]") {
  LoadResult result = test::load_one("s.yaml", R"(apiVersion: v1
kind: Secret
metadata: {name: creds}
type: Opaque
data:
  access_key: QUtJQUdMT08=
  secret_key: Z2xvby1zZWNyZXQ=
  session_token: Z2xvby10b2tlbg==
)");
  INFO(joined(result));
  REQUIRE(result.ok());
  const Secret& secret = result.config->secrets.at(0);
  REQUIRE(secret.aws);
  CHECK(secret.aws_form == AwsSecretForm::ProtoFieldNames);
  CHECK(secret.aws->access_key_id == "AKIAGLOO");
  CHECK(secret.aws->secret_access_key == "gloo-secret");
  CHECK(secret.aws->session_token == "gloo-token");
  CHECK(lines(result) ==
        std::vector<std::string>{
            "s.yaml:6: warning: Secret default/creds uses the keys access_key / secret_key / "
            "session_token, which Gloo does not read (it reads aws_access_key_id, "
            "aws_secret_access_key, aws_session_token); lambdagate accepts them"});
}

// TLS Secrets: tls.crt, tls.key and the optional ca.crt kept as PEM; tls.ocsp-staple is ignored
// with a warning; a value that is not PEM at all is a warning at its line (the TLS module refuses
// it when it builds the certificate).
TEST_CASE("TLS Secrets keep ca.crt and warn about what they cannot use", "[config][secret]") {
  LoadResult result = test::load_one("s.yaml", R"(apiVersion: v1
kind: Secret
metadata: {name: tls}
type: kubernetes.io/tls
stringData:
  tls.crt: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
  tls.key: /etc/tls/tls.key
  ca.crt: "-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----\n"
  tls.ocsp-staple: abc
)");
  INFO(joined(result));
  REQUIRE(result.ok());
  const Secret& secret = result.config->secrets.at(0);
  REQUIRE(secret.tls);
  CHECK(secret.tls->root_ca == "-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----\n");
  CHECK(lines(result) ==
        std::vector<std::string>{
            "s.yaml:7: warning: 'stringData.tls.key' is not PEM (expected a PRIVATE KEY block)",
            "s.yaml:9: warning: 'stringData.tls.ocsp-staple' is ignored: OCSP stapling is not "
            "supported"});
  CHECK(joined(result).find("/etc/tls") == std::string::npos);
}

}  // namespace
}  // namespace lambdagate::config
