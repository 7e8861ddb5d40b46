// gloo.solo.io/v1 Settings and gateway.solo.io/v1 Gateway.
#include <catch2/catch.hpp>

#include "config_test_support.hpp"

namespace lambdagate::config {
namespace {

using test::joined;
using test::lines;
using test::load_one;

// The awsOptions lambdagate implements are read (switches, serviceAccountCredentials,
// credentials discovery); the rest of a real Gloo Settings document (control-plane options,
// discovery) is reported field by field as "not supported", typos inside awsOptions as unknown.
TEST_CASE("Settings: awsOptions are read, the rest is reported", "[config][settings]") {
  const std::string yaml = R"(apiVersion: gloo.solo.io/v1
kind: Settings
metadata: {name: default, namespace: gloo-system}
spec:
  discoveryNamespace: gloo-system
  gloo:
    xdsBindAddr: 0.0.0.0:9977
    awsOptions:
      fallbackToFirstFunction: true
      propagateOriginalRouting: true
      enableCredentialsDiscovey: true
      serviceAccountCredentials: {cluster: aws_sts_cluster, uri: sts.amazonaws.com}
      credentialRefreshDelay: 900s
      fallbackToFirst: true
  discovery: {fdsMode: WHITELIST}
)";
  LoadResult result = load_one("settings.yaml", yaml);
  INFO(joined(result));
  REQUIRE(result.ok());
  REQUIRE(result.config->settings);
  CHECK(result.config->settings->fallback_to_first_function);
  CHECK(result.config->settings->propagate_original_routing);
  CHECK(result.config->settings->metadata.namespace_ == "gloo-system");
  CHECK(result.config->settings->enable_credentials_discovery);
  REQUIRE(result.config->settings->service_account_credentials);
  CHECK(result.config->settings->service_account_credentials->uri == "sts.amazonaws.com");
  CHECK_FALSE(result.config->settings->service_account_credentials->timeout);
  CHECK(lines(result) ==
        std::vector<std::string>{
            "settings.yaml:5: warning: 'spec.discoveryNamespace' is not supported yet, ignored",
            "settings.yaml:7: warning: 'spec.gloo.xdsBindAddr' is not supported yet, ignored",
            "settings.yaml:13: warning: 'spec.gloo.awsOptions.credentialRefreshDelay' is not supported yet, "
            "not needed: the token file is read afresh at every fetch",
            "settings.yaml:14: warning: unknown field 'fallbackToFirst' in 'spec.gloo.awsOptions'",
            "settings.yaml:15: warning: 'spec.discovery' is not supported yet, ignored",
        });
}

// At most one Settings document, so behaviour never depends on file order.
TEST_CASE("Settings: a second document is an error naming the first", "[config][settings]") {
  const std::string settings =
      "apiVersion: gloo.solo.io/v1\nkind: Settings\nmetadata: {name: NAME}\nspec: {}\n";
  std::string first = settings;
  std::string second = settings;
  first.replace(first.find("NAME"), 4, "default");
  second.replace(second.find("NAME"), 4, "other");
  LoadResult result = load_config_from_strings({{"a.yaml", first}, {"b.yaml", "\n" + second}});
  CHECK_FALSE(result.ok());
  CHECK(lines(result) ==
        std::vector<std::string>{
            "b.yaml:2: error: more than one Settings document (first is default/default at a.yaml:1)"});

  LoadResult bad = load_one("s.yaml",
                            "apiVersion: gloo.solo.io/v1\nkind: Settings\nmetadata: {name: s}\nspec:\n"
                            "  gloo:\n    awsOptions: {fallbackToFirstFunction: sometimes}\n");
  CHECK(lines(bad) ==
        std::vector<std::string>{"s.yaml:6: error: 'spec.gloo.awsOptions.fallbackToFirstFunction' must "
                                 "be true or false, got 'sometimes'"});
}

// Gateways: bindAddress, bindPort and ssl, with defaults; listener options come later.
TEST_CASE("Gateway documents are read", "[config][gateway]") {
  const std::string yaml = R"(apiVersion: gateway.solo.io/v1
kind: Gateway
metadata: {name: gateway-proxy, namespace: gloo-system}
spec:
  bindAddress: '::'
  bindPort: 8081
  httpGateway: {}
  proxyNames: [gateway-proxy]
---
apiVersion: gateway.solo.io/v1
kind: Gateway
metadata: {name: gateway-proxy-ssl, namespace: gloo-system}
spec:
  bindAddress: 127.0.0.1
  bindPort: 8443
  ssl: true
---
apiVersion: gateway.solo.io/v1
kind: Gateway
metadata: {name: defaults}
spec: {}
)";
  LoadResult result = load_one("gw.yaml", yaml);
  INFO(joined(result));
  REQUIRE(result.ok());
  CHECK(lines(result) == std::vector<std::string>{
                             "gw.yaml:7: warning: 'spec.httpGateway' is not supported yet, ignored",
                             "gw.yaml:8: warning: 'spec.proxyNames' is not supported yet, ignored",
                         });
  const auto& gateways = result.config->gateways;
  REQUIRE(gateways.size() == 3);
  CHECK(gateways[0].bind_address == "::");
  CHECK(gateways[0].bind_port == 8081);
  CHECK_FALSE(gateways[0].ssl);
  CHECK(gateways[1].bind_address == "127.0.0.1");
  CHECK(gateways[1].bind_port == 8443);
  CHECK(gateways[1].ssl);
  CHECK(gateways[2].bind_address == "::");
  CHECK(gateways[2].bind_port == 8080);
}

// Two Gateways on one address and port cannot both listen.
TEST_CASE("Gateways binding the same address and port are an error", "[config][gateway]") {
  const std::string yaml =
      "apiVersion: gateway.solo.io/v1\nkind: Gateway\nmetadata: {name: a}\nspec: {bindPort: 80}\n"
      "---\napiVersion: gateway.solo.io/v1\nkind: Gateway\nmetadata: {name: b}\n"
      "spec: {bindPort: 80}\n";
  LoadResult result = load_one("gw.yaml", yaml);
  CHECK(lines(result) ==
        std::vector<std::string>{"gw.yaml:6: error: Gateway default/b binds :: port 80 like Gateway "
                                 "default/a (gw.yaml:1)"});
}


// serviceAccountCredentials carries the STS address, region and call timeout; the extension
// spec.lambdagate sets the refresh margin; zero durations are errors.
TEST_CASE("Settings: service account credentials and the refresh margin", "[config][settings]") {
  LoadResult ok = load_one("s.yaml", R"(apiVersion: gloo.solo.io/v1
kind: Settings
metadata: {name: default}
spec:
  gloo:
    awsOptions:
      serviceAccountCredentials: {uri: sts.eu-west-1.amazonaws.com, region: eu-west-1, timeout: 2.5s}
  lambdagate:
    credentialRefreshMargin: 60s
)");
  INFO(joined(ok));
  REQUIRE(ok.ok());
  const auto& sac = *ok.config->settings->service_account_credentials;
  CHECK(sac.uri == "sts.eu-west-1.amazonaws.com");
  CHECK(sac.region == "eu-west-1");
  CHECK(sac.timeout == std::chrono::milliseconds(2500));
  CHECK(ok.config->settings->credential_refresh_margin == std::chrono::milliseconds(60000));

  LoadResult bad = load_one("s.yaml", R"(apiVersion: gloo.solo.io/v1
kind: Settings
metadata: {name: default}
spec:
  gloo:
    awsOptions:
      serviceAccountCredentials: {timeout: 0s}
  lambdagate: {credentialRefreshMargin: soon}
)");
  CHECK_FALSE(bad.ok());
  CHECK(bad.error_count() == 2);
}
}  // namespace
}  // namespace lambdagate::config
