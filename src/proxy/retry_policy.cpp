#include "lambdagate/proxy/retry_policy.hpp"

#include <algorithm>
#include <cstdint>

namespace lambdagate::proxy {

namespace {

using std::chrono::milliseconds;
using Kind = AttemptOutcome::Kind;

constexpr int64_t kMaxRetryAfterSeconds = 24 * 60 * 60;
constexpr unsigned kDefaultMaxIntervalFactor = 10;  // Envoy: max_interval defaults to 10 × base

bool has(const config::RetryPolicy& policy, config::RetryOn condition) {
  return (policy.retry_on & condition) != 0;
}

bool is_gateway_error(unsigned status) { return status == 502 || status == 503 || status == 504; }

bool should_retry_response(const config::RetryPolicy& policy, unsigned status) {
  if (has(policy, config::kRetryOn5xx) && status >= 500 && status <= 599) return true;
  if (has(policy, config::kRetryOnGatewayError) && is_gateway_error(status)) return true;
  if (has(policy, config::kRetryOnRetriable4xx) && status == 409) return true;
  if (has(policy, config::kRetryOnThrottled) && status == 429) return true;
  if (has(policy, config::kRetryOnRetriableStatusCodes)) {
    const auto& codes = policy.retriable_status_codes;
    if (std::find(codes.begin(), codes.end(), status) != codes.end()) return true;
  }
  return false;
}

}  // namespace

AttemptOutcome attempt_outcome(const core::Error& error) {
  AttemptOutcome outcome;
  switch (error.transport) {
    case core::TransportFailure::Timeout:
      outcome.kind = Kind::Timeout;
      break;
    case core::TransportFailure::ConnectFailure:
      outcome.kind = Kind::ConnectFailure;
      break;
    case core::TransportFailure::Reset:
      outcome.kind = Kind::Reset;
      break;
    case core::TransportFailure::Other:
      outcome.kind = Kind::Other;
      break;
    case core::TransportFailure::None:
      outcome.kind = error.upstream_status ? Kind::Response : Kind::Other;
      outcome.status = error.upstream_status;
      outcome.retry_after = error.retry_after;
      break;
  }
  return outcome;
}

bool should_retry(const config::RetryPolicy& policy, const AttemptOutcome& outcome) {
  // Envoy counts a request that got no response at all as a 5xx (and so a gateway error), and
  // its "reset" covers every way of getting no response, a refused connection included.
  constexpr uint32_t kNoResponse = config::kRetryOn5xx | config::kRetryOnGatewayError | config::kRetryOnReset;
  switch (outcome.kind) {
    case Kind::Response:
      return should_retry_response(policy, outcome.status);
    case Kind::ConnectFailure:
      return (policy.retry_on & (kNoResponse | config::kRetryOnConnectFailure)) != 0;
    case Kind::Reset:
    case Kind::Timeout:
      return (policy.retry_on & kNoResponse) != 0;
    case Kind::Other:
      return false;
  }
  return false;
}

milliseconds next_backoff(const config::RetryPolicy& policy, unsigned retry_index, std::mt19937_64& rng,
                          std::optional<milliseconds> retry_after) {
  const int64_t base = std::max<int64_t>(policy.base_interval.count(), 1);
  const int64_t max = policy.max_interval ? std::max<int64_t>(policy.max_interval->count(), 1)
                                          : base * kDefaultMaxIntervalFactor;
  // base * 2^retry_index without overflow: stop doubling once past the cap.
  int64_t ceiling = base;
  for (unsigned i = 0; i < retry_index && ceiling < max; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, max);
  std::uniform_int_distribution<int64_t> jitter(0, ceiling);
  milliseconds wait(jitter(rng));
  if (retry_after && *retry_after > wait) wait = *retry_after;
  return wait;
}

std::optional<milliseconds> parse_retry_after(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  int64_t seconds = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return std::nullopt;  // an HTTP date, or garbage
    seconds = std::min<int64_t>(seconds * 10 + (c - '0'), kMaxRetryAfterSeconds);
  }
  return std::chrono::duration_cast<milliseconds>(std::chrono::seconds(seconds));
}

}  // namespace lambdagate::proxy
