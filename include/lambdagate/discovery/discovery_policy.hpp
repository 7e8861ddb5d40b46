#pragma once
// What function discovery does, as data and pure functions: which Upstreams it covers (the
// config module's rule, config::discovery_enabled), how often it polls, whether it lists aliases
// and how fast, and how it backs off after failed rounds.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <string>

#include "lambdagate/config/function_discovery.hpp"
#include "lambdagate/config/model.hpp"

namespace lambdagate::discovery {

struct DiscoveryOptions {
  // Pause between the end of a successful round and the start of the next.
  std::chrono::milliseconds poll_interval{30'000};
  // ListAliases for every function name (one call per function and page per round).
  bool aliases = false;
  double alias_calls_per_second = 5;
  // After failed rounds: full jitter, doubling from `initial_backoff`, capped at
  // min(poll_interval, max_backoff).
  std::chrono::milliseconds initial_backoff{1'000};
  std::chrono::milliseconds max_backoff{5 * 60'000};
  // request_round() (a request named an unknown function) starts a round early, but never sooner
  // than this after the previous round started, so a client naming unknown functions in a loop
  // cannot turn discovery into a ListFunctions storm.
  std::chrono::milliseconds min_requested_interval{5'000};
  // Loop guard: a round that needs more ListFunctions pages than this fails (50 versions per
  // page: 50,000 function versions). ListAliases pages per function are bounded the same way.
  std::size_t max_pages = 1'000;
  // Deadline of each listing call.
  std::chrono::milliseconds call_timeout{10'000};
  // Seed for the backoff jitter; unset = random. Tests fix it.
  std::optional<std::uint64_t> jitter_seed;

  bool operator==(const DiscoveryOptions&) const = default;
  // A stable text form, part of the key under which DiscoveryRegistry keeps a discoverer.
  std::string key() const;
};

// Options from the Settings document (null = none): spec.lambdagate.discovery, with the poll
// interval raised to at least 1s.
DiscoveryOptions discovery_options(const config::Settings* settings);

// Same rule as config validation uses (config/function_discovery.hpp), restated here so the
// runtime asks the discovery module.
inline bool is_discovered(const config::Upstream& upstream, const config::Settings* settings) {
  return config::discovery_enabled(upstream, settings);
}

// The largest backoff before the next round after `failures` consecutive failed rounds
// (1-based): min(initial_backoff * 2^(failures-1), poll_interval, max_backoff).
std::chrono::milliseconds backoff_cap(unsigned failures, const DiscoveryOptions& options);
// Full jitter: uniform in [0, backoff_cap(failures)].
std::chrono::milliseconds backoff_delay(unsigned failures, const DiscoveryOptions& options,
                                        std::mt19937_64& rng);
// The gap between two ListAliases calls: 1 / alias_calls_per_second (at least 1ms).
std::chrono::milliseconds alias_call_spacing(const DiscoveryOptions& options);

}  // namespace lambdagate::discovery
