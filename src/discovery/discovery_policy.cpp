// DiscoveryOptions from Settings, backoff and pacing (see discovery_policy.hpp).
#include "lambdagate/discovery/discovery_policy.hpp"

#include <algorithm>
#include <cmath>

namespace lambdagate::discovery {

namespace {

constexpr std::chrono::milliseconds kMinPollInterval{1'000};

}  // namespace

std::string DiscoveryOptions::key() const {
  // Only what changes the discoverer's behaviour; the jitter seed is for tests.
  return "interval=" + std::to_string(poll_interval.count()) + "ms aliases=" + (aliases ? "on" : "off") +
         " rate=" + std::to_string(alias_calls_per_second) +
         " backoff=" + std::to_string(initial_backoff.count()) + "-" + std::to_string(max_backoff.count()) +
         "ms requested=" + std::to_string(min_requested_interval.count()) +
         "ms pages=" + std::to_string(max_pages) + " timeout=" + std::to_string(call_timeout.count()) + "ms";
}

DiscoveryOptions discovery_options(const config::Settings* settings) {
  DiscoveryOptions options;
  if (!settings) return options;
  const config::DiscoverySettings& discovery = settings->discovery;
  options.poll_interval = std::max(discovery.poll_interval, kMinPollInterval);
  options.aliases = discovery.aliases;
  if (discovery.alias_calls_per_second > 0 && std::isfinite(discovery.alias_calls_per_second)) {
    options.alias_calls_per_second = discovery.alias_calls_per_second;
  }
  return options;
}

std::chrono::milliseconds backoff_cap(unsigned failures, const DiscoveryOptions& options) {
  using std::chrono::milliseconds;
  const milliseconds max =
      std::max(std::min(options.poll_interval, options.max_backoff), milliseconds::zero());
  milliseconds cap = std::max(options.initial_backoff, milliseconds::zero());
  // Doubling stops at the cap, so this runs at most log2(max / initial) times.
  for (unsigned i = 1; i < failures && cap < max && cap > milliseconds::zero(); ++i) cap *= 2;
  return std::min(cap, max);
}

std::chrono::milliseconds backoff_delay(unsigned failures, const DiscoveryOptions& options,
                                        std::mt19937_64& rng) {
  const auto cap = backoff_cap(failures, options);
  std::uniform_int_distribution<std::chrono::milliseconds::rep> jitter(0, cap.count());
  return std::chrono::milliseconds{jitter(rng)};
}

std::chrono::milliseconds alias_call_spacing(const DiscoveryOptions& options) {
  const double rate = options.alias_calls_per_second;
  if (!(rate > 0) || !std::isfinite(rate)) return std::chrono::milliseconds{200};
  const double ms = std::ceil(1000.0 / rate);
  return std::chrono::milliseconds{
      std::max<std::chrono::milliseconds::rep>(1, static_cast<std::int64_t>(ms))};
}

}  // namespace lambdagate::discovery
