// Which Upstreams are discovered (fdsMode × label), the options read from Settings, and the
// backoff and pacing arithmetic.
#include "lambdagate/discovery/discovery_policy.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace lambdagate;
using namespace std::chrono_literals;
using config::DiscoverySettings;
using FdsMode = config::DiscoverySettings::FdsMode;
using discovery::DiscoveryOptions;

config::Upstream upstream_labelled(std::optional<std::string> value) {
  config::Upstream upstream;
  upstream.metadata.name = "lambda";
  upstream.metadata.labels["team"] = "payments";
  if (value) upstream.metadata.labels[std::string(config::kFunctionDiscoveryLabel)] = *value;
  return upstream;
}

config::Settings settings_with(FdsMode mode) {
  config::Settings settings;
  settings.discovery.fds_mode = mode;
  settings.discovery.fds_mode_set = true;
  return settings;
}

// Every mode against every label value: BLACKLIST discovers unless `disabled`, WHITELIST only
// `enabled` (Gloo #7916 discovered AWS Upstreams anyway), DISABLED nothing; no Settings and a
// Settings without fdsMode mean BLACKLIST; only the exact values count.
TEST_CASE("discovery policy: fdsMode x label", "[discovery][policy]") {
  struct Case {
    std::optional<FdsMode> mode;  // nullopt: no Settings document
    std::optional<std::string> label;
    bool discovered;
  };
  const std::vector<Case> cases = {
      {std::nullopt, std::nullopt, true},      {std::nullopt, "disabled", false},
      {std::nullopt, "enabled", true},         {FdsMode::Blacklist, std::nullopt, true},
      {FdsMode::Blacklist, "disabled", false}, {FdsMode::Blacklist, "enabled", true},
      {FdsMode::Blacklist, "Disabled", true},  {FdsMode::Whitelist, std::nullopt, false},
      {FdsMode::Whitelist, "enabled", true},   {FdsMode::Whitelist, "disabled", false},
      {FdsMode::Whitelist, "true", false},     {FdsMode::Disabled, std::nullopt, false},
      {FdsMode::Disabled, "enabled", false},   {FdsMode::Disabled, "disabled", false},
  };
  for (const Case& c : cases) {
    const config::Upstream upstream = upstream_labelled(c.label);
    std::optional<config::Settings> settings;
    if (c.mode) settings = settings_with(*c.mode);
    INFO("mode " << (c.mode ? static_cast<int>(*c.mode) : -1) << ", label " << c.label.value_or("(none)"));
    CHECK(discovery::is_discovered(upstream, settings ? &*settings : nullptr) == c.discovered);
    CHECK(config::discovery_enabled(upstream, settings ? &*settings : nullptr) == c.discovered);
  }
  // A Settings document that does not set fdsMode keeps the default.
  config::Settings unset;
  CHECK(discovery::is_discovered(upstream_labelled(std::nullopt), &unset));
}

// Without Settings: 30s, no aliases, 5 calls/s; Settings values are taken, the interval never
// below 1s.
TEST_CASE("discovery options from Settings", "[discovery][policy]") {
  const DiscoveryOptions defaults = discovery::discovery_options(nullptr);
  CHECK(defaults.poll_interval == 30s);
  CHECK_FALSE(defaults.aliases);
  CHECK(defaults.alias_calls_per_second == 5);

  config::Settings settings;
  settings.discovery.poll_interval = 45s;
  settings.discovery.aliases = true;
  settings.discovery.alias_calls_per_second = 2.5;
  const DiscoveryOptions options = discovery::discovery_options(&settings);
  CHECK(options.poll_interval == 45s);
  CHECK(options.aliases);
  CHECK(options.alias_calls_per_second == 2.5);
  CHECK(options.key() != defaults.key());

  settings.discovery.poll_interval = 10ms;
  CHECK(discovery::discovery_options(&settings).poll_interval == 1s);
}

// The backoff cap doubles from 1s and stops at min(interval, 5 min); the jittered delay stays
// within [0, cap]; pacing is 1/rate.
TEST_CASE("discovery backoff and alias pacing", "[discovery][policy]") {
  DiscoveryOptions options;  // 30s interval
  CHECK(discovery::backoff_cap(1, options) == 1s);
  CHECK(discovery::backoff_cap(2, options) == 2s);
  CHECK(discovery::backoff_cap(3, options) == 4s);
  CHECK(discovery::backoff_cap(5, options) == 16s);
  CHECK(discovery::backoff_cap(6, options) == 30s);
  CHECK(discovery::backoff_cap(60, options) == 30s);
  options.poll_interval = 1h;
  CHECK(discovery::backoff_cap(20, options) == 5min);

  std::mt19937_64 rng(7);
  options.poll_interval = 30s;
  for (unsigned failures = 1; failures < 10; ++failures) {
    for (int i = 0; i < 50; ++i) {
      const auto delay = discovery::backoff_delay(failures, options, rng);
      CHECK(delay >= 0ms);
      CHECK(delay <= discovery::backoff_cap(failures, options));
    }
  }

  options.alias_calls_per_second = 5;
  CHECK(discovery::alias_call_spacing(options) == 200ms);
  options.alias_calls_per_second = 0.5;
  CHECK(discovery::alias_call_spacing(options) == 2000ms);
  options.alias_calls_per_second = 3;
  CHECK(discovery::alias_call_spacing(options) == 334ms);
}

}  // namespace
