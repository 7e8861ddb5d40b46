// gloo.solo.io/v1 Settings and gateway.solo.io/v1 Gateway.
#include <catch2/catch.hpp>

#include "config_test_support.hpp"

namespace lambdagate::config {
namespace {

using test::joined;
using test::lines;
using test::load_one;

// The awsOptions lambdagate implements are read (switches, serviceAccountCredentials,
// credentials discovery) and spec.discovery.fdsMode; the control-plane fields of a real Gloo
// Settings document get one info line for all of them, fields with a meaning lambdagate lacks a
// warning each, typos inside awsOptions "unknown field".
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
            "settings.yaml:5: info: Gloo control-plane settings do not apply to lambdagate, one process that "
            "reads "
            "its configuration from the --config files; ignored: 'spec.discoveryNamespace', "
            "'spec.gloo.xdsBindAddr'",
            "settings.yaml:13: warning: 'spec.gloo.awsOptions.credentialRefreshDelay' is ignored: not "
            "needed: the "
            "token file is read afresh at every fetch",
            "settings.yaml:14: warning: unknown field 'fallbackToFirst' in 'spec.gloo.awsOptions'",
        });
  // spec.discovery.fdsMode is read now (see the discovery cases below).
  CHECK(result.config->settings->discovery.fds_mode == DiscoverySettings::FdsMode::Whitelist);
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

// Gateways: bindAddress, bindPort and ssl, with defaults (the options: gateway_options_test.cpp).
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
  CHECK(lines(result) ==
        std::vector<std::string>{
            "gw.yaml:8: info: one lambdagate process serves every Gateway it reads, so proxy "
            "names are ignored: 'spec.proxyNames'",
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

// Without Settings, or without fdsMode, discovery is BLACKLIST with a 30s interval, no aliases
// and 5 alias calls per second; fdsMode and spec.lambdagate.discovery set them; other Gloo
// discovery options are "not supported".
TEST_CASE("Settings: function discovery", "[config][settings][discovery]") {
  LoadResult defaults =
      load_one("s.yaml", "apiVersion: gloo.solo.io/v1\nkind: Settings\nmetadata: {name: d}\nspec: {}\n");
  REQUIRE(defaults.ok());
  const DiscoverySettings& d = defaults.config->settings->discovery;
  CHECK(d.fds_mode == DiscoverySettings::FdsMode::Blacklist);
  CHECK_FALSE(d.fds_mode_set);
  CHECK(d.poll_interval == std::chrono::seconds(30));
  CHECK_FALSE(d.aliases);
  CHECK(d.alias_calls_per_second == 5);

  LoadResult set = load_one("s.yaml", R"(apiVersion: gloo.solo.io/v1
kind: Settings
metadata: {name: default}
spec:
  discovery:
    fdsMode: DISABLED
    fdsOptions: {graphqlEnabled: false}
  lambdagate:
    discovery: {pollInterval: 1m, aliases: true, aliasCallsPerSecond: 2.5}
)");
  INFO(joined(set));
  REQUIRE(set.ok());
  const DiscoverySettings& s = set.config->settings->discovery;
  CHECK(s.fds_mode == DiscoverySettings::FdsMode::Disabled);
  CHECK(s.fds_mode_set);
  CHECK(s.poll_interval == std::chrono::minutes(1));
  CHECK(s.aliases);
  CHECK(s.alias_calls_per_second == 2.5);
  CHECK(lines(set) ==
        std::vector<std::string>{
            "s.yaml:7: info: Gloo control-plane settings do not apply to lambdagate, one process "
            "that reads its configuration from the --config files; ignored: "
            "'spec.discovery.fdsOptions'"});

  LoadResult whitelist = load_one("s.yaml",
                                  "apiVersion: gloo.solo.io/v1\nkind: Settings\nmetadata: {name: d}\nspec: "
                                  "{discovery: {fdsMode: WHITELIST}}\n");
  REQUIRE(whitelist.ok());
  CHECK(whitelist.config->settings->discovery.fds_mode == DiscoverySettings::FdsMode::Whitelist);
}

// Bad discovery values are errors at their lines: an unknown fdsMode, an interval under 1s or
// not a duration, a non-boolean aliases, a rate that is not a positive number up to 100, an
// unknown key.
TEST_CASE("Settings: function discovery errors", "[config][settings][discovery]") {
  LoadResult bad = load_one("s.yaml", R"(apiVersion: gloo.solo.io/v1
kind: Settings
metadata: {name: default}
spec:
  discovery:
    fdsMode: whitelist
  lambdagate:
    discovery:
      pollInterval: 500ms
      aliases: maybe
      aliasCallsPerSecond: 0
      every: 5s
)");
  CHECK_FALSE(bad.ok());
  CHECK(lines(bad) ==
        std::vector<std::string>{
            "s.yaml:6: error: 'spec.discovery.fdsMode' must be BLACKLIST, WHITELIST or DISABLED, got "
            "'whitelist'",
            "s.yaml:9: error: 'spec.lambdagate.discovery.pollInterval' must be at least 1s",
            "s.yaml:10: error: 'spec.lambdagate.discovery.aliases' must be true or false, got 'maybe'",
            "s.yaml:11: error: 'spec.lambdagate.discovery.aliasCallsPerSecond' must be a number greater than "
            "0 and at most 100, got '0'",
            "s.yaml:12: warning: unknown field 'every' in 'spec.lambdagate.discovery'",
        });

  for (const char* value : {"fast", "1000", "-1", ".inf", "[1]"}) {
    LoadResult rate =
        load_one("s.yaml", std::string("apiVersion: gloo.solo.io/v1\nkind: Settings\nmetadata: {name: d}\n"
                                       "spec: {lambdagate: {discovery: {aliasCallsPerSecond: ") +
                               value + "}}}\n");
    INFO(value << "\n" << joined(rate));
    CHECK(rate.error_count() == 1);
  }
  LoadResult interval = load_one("s.yaml",
                                 "apiVersion: gloo.solo.io/v1\nkind: Settings\nmetadata: {name: d}\n"
                                 "spec: {lambdagate: {discovery: {pollInterval: soon}}}\n");
  CHECK(interval.error_count() == 1);
}

}  // namespace
}  // namespace lambdagate::config
