#include <catch2/catch.hpp>

#include "lambdagate/admin/admin_handler.hpp"
#include "lambdagate/config/loader.hpp"
#include "lambdagate/wiring/snapshot_builder.hpp"

using namespace lambdagate;

namespace {

constexpr const char* kAccessKey = "AKIDDUMPTEST00000001";
constexpr const char* kSecretKey = "dump-test-secret-key-must-not-appear";
constexpr const char* kSessionToken = "dump-test-session-token-must-not-appear";
constexpr const char* kTlsKey = "dump-test-tls-private-key-must-not-appear";

const std::string kConfig = std::string(R"(apiVersion: v1
kind: Secret
metadata:
  name: aws-creds
  namespace: gloo-system
type: Opaque
stringData:
  aws_access_key_id: )") + kAccessKey + R"(
  aws_secret_access_key: )" + kSecretKey + R"(
  aws_session_token: )" + kSessionToken + R"(
---
apiVersion: v1
kind: Secret
metadata:
  name: tls
  namespace: gloo-system
type: kubernetes.io/tls
stringData:
  tls.crt: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
  tls.key: )" + kTlsKey + R"(
---
apiVersion: gloo.solo.io/v1
kind: Upstream
metadata:
  name: lambda
  namespace: gloo-system
spec:
  aws:
    region: eu-west-1
    secretRef:
      name: aws-creds
      namespace: gloo-system
    roleArn: arn:aws:iam::123456789012:role/invoker
    lambdaFunctions:
    - logicalName: uppercase
      lambdaFunctionName: uppercase
      qualifier: prod
---
apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata:
  name: default
  namespace: gloo-system
spec:
  virtualHost:
    domains: ['api.example.com']
    routes:
    - name: upper
      matchers: [{prefix: /lambda, methods: [POST]}]
      routeAction: {single: {upstream: {name: lambda, namespace: gloo-system}, destinationSpec: {aws: {logicalName: uppercase}}}}
      options:
        timeout: 2s
        retries: {retryOn: 5xx, numRetries: 3, perTryTimeout: 0.5s}
        headerManipulation:
          requestHeadersToAdd:
          - header: {key: x-api-key, value: backend-api-key-must-not-appear}
          - header: {key: x-team, value: search}
    - matchers: [{exact: /teapot}]
      directResponseAction: {status: 418, body: teapot}
    - matchers:
      - prefix: /internal
        headers: [{name: x-shared-secret, value: matcher-secret-must-not-appear}, {name: x-env, value: prod}]
        queryParameters: [{name: token, value: query-token-must-not-appear}]
      directResponseAction: {status: 200, body: internal}
)";

std::shared_ptr<const proxy::Snapshot> snapshot() {
  auto loaded = config::load_config_from_strings({{"dump.yaml", kConfig}});
  REQUIRE(loaded.ok());
  wiring::Environment env;
  env.env = [](const char*) -> std::optional<std::string> { return std::nullopt; };
  auto build = wiring::build_snapshot(loaded.config, env, 7,
                                      core::SystemTime{std::chrono::milliseconds(1764115200250)});
  REQUIRE(build.errors.empty());
  return build.snapshot;
}

}  // namespace

// /config_dump names Secrets but never shows their data: no access key, secret key, session token
// or TLS private key anywhere in the document.
TEST_CASE("config_dump redacts secrets", "[admin]") {
  const auto dump = admin::config_dump_json(*snapshot());
  const std::string text = dump.dump();
  CHECK(text.find(kAccessKey) == std::string::npos);
  CHECK(text.find(kSecretKey) == std::string::npos);
  CHECK(text.find(kSessionToken) == std::string::npos);
  CHECK(text.find(kTlsKey) == std::string::npos);
  CHECK(text.find("BEGIN CERTIFICATE") == std::string::npos);
  // A credential a route adds for its backend is masked too.
  CHECK(text.find("backend-api-key-must-not-appear") == std::string::npos);
  // So is a shared secret a route matches on (issue 12, item 7); other matcher values stay.
  CHECK(text.find("matcher-secret-must-not-appear") == std::string::npos);
  CHECK(text.find("query-token-must-not-appear") == std::string::npos);
  CHECK(text.find("x-shared-secret") != std::string::npos);
  CHECK(text.find("\"prod\"") != std::string::npos);

  REQUIRE(dump["secrets"].size() == 2);
  for (const auto& s : dump["secrets"]) {
    CHECK(s["data"] == "redacted");
    CHECK(s.size() == 5);  // metadata, type, data, kind, source: nothing else
  }
  CHECK(dump["secrets"][0]["metadata"]["name"] == "aws-creds");
  CHECK(dump["secrets"][0]["kind"] == "aws");
  CHECK(dump["secrets"][1]["type"] == "kubernetes.io/tls");
}

// The dump shows what is in force: version, load time, Upstreams with their references, routes
// with matchers, actions and options.
TEST_CASE("config_dump shows the active configuration", "[admin]") {
  const auto dump = admin::config_dump_json(*snapshot());
  CHECK(dump["configVersion"] == 7);
  CHECK(dump["loadedAt"] == "2025-11-26T00:00:00.250Z");

  REQUIRE(dump["upstreams"].size() == 1);
  const auto& aws = dump["upstreams"][0]["spec"]["aws"];
  CHECK(aws["region"] == "eu-west-1");
  CHECK(aws["roleArn"] == "arn:aws:iam::123456789012:role/invoker");
  CHECK(aws["secretRef"] == nlohmann::json{{"name", "aws-creds"}, {"namespace", "gloo-system"}});
  CHECK(aws["lambdaFunctions"][0]["qualifier"] == "prod");

  REQUIRE(dump["virtualServices"].size() == 1);
  const auto& host = dump["virtualServices"][0]["virtualHost"];
  CHECK(host["domains"][0] == "api.example.com");
  REQUIRE(host["routes"].size() == 3);
  const auto& upper = host["routes"][0];
  CHECK(upper["name"] == "upper");
  CHECK(upper["matchers"][0]["prefix"] == "/lambda");
  CHECK(upper["matchers"][0]["methods"][0] == "POST");
  CHECK(upper["routeAction"]["single"]["upstream"]["name"] == "lambda");
  CHECK(upper["routeAction"]["single"]["destinationSpec"]["aws"]["logicalName"] == "uppercase");
  CHECK(upper["options"]["timeout"] == "2s");
  CHECK(upper["options"]["retries"]["retryOn"] == "5xx");
  CHECK(upper["options"]["retries"]["numRetries"] == 3);
  CHECK(upper["options"]["retries"]["perTryTimeout"] == "0.5s");
  CHECK(upper["options"]["headerManipulation"]["requestHeadersToAdd"][1]["header"]["value"] == "search");
  CHECK(host["routes"][1]["directResponseAction"]["status"] == 418);
  CHECK(dump["settings"].is_null());
  CHECK(dump["gateways"].is_array());
}
