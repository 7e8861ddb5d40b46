#pragma once
// Retry decisions for one Lambda call (DESIGN.md §4): which attempt outcomes a route's retryOn
// covers, and how long to wait before the next attempt. Pure functions over config::RetryPolicy;
// the pipeline owns the attempt count, the deadline and the clock.
#include <chrono>
#include <optional>
#include <random>
#include <string_view>

#include "lambdagate/config/model.hpp"
#include "lambdagate/core/error.hpp"

namespace lambdagate::proxy {

// What one attempt produced, as the retry logic sees it.
struct AttemptOutcome {
  enum class Kind {
    Response,        // Lambda answered; `status` is its HTTP status
    ConnectFailure,  // no connection: refused, connect timeout, DNS
    Reset,           // the connection broke before a complete response
    Timeout,         // the per-try timeout expired
    Other,           // a failure retrying cannot fix (e.g. TLS verification)
  } kind = Kind::Response;
  unsigned status = 0;                                   // when kind == Response
  std::optional<std::chrono::milliseconds> retry_after;  // from Retry-After on a 429 or 503
};

// How a failed call looks to the retry policy: its transport failure, or Lambda's status and
// Retry-After. A failure with neither (e.g. no credentials) is Other: nothing a retry can fix.
AttemptOutcome attempt_outcome(const core::Error& error);

// Envoy's semantics for each retryOn name:
//   5xx                     any 5xx status, and a per-try timeout, reset or connect failure
//   gateway-error           502, 503, 504, and a per-try timeout, reset or connect failure
//   reset                   a reset, connect failure or per-try timeout ("does not respond at all")
//   connect-failure         a connect failure
//   retriable-status-codes  a status in policy.retriable_status_codes
//   retriable-4xx           409
//   throttled (lambdagate)  429
// `Other` is never retried.
bool should_retry(const config::RetryPolicy& policy, const AttemptOutcome& outcome);

// Full-jitter exponential backoff before retry number retry_index + 1 (retry_index is 0-based):
// uniform in [0, min(max_interval, base_interval * 2^retry_index)], where max_interval defaults to
// ten times base_interval. A Retry-After is honoured as a lower bound; the caller still bounds
// the wait by the route's deadline.
std::chrono::milliseconds next_backoff(const config::RetryPolicy& policy, unsigned retry_index,
                                       std::mt19937_64& rng,
                                       std::optional<std::chrono::milliseconds> retry_after);

// A Retry-After header value in delta seconds ("120"). An HTTP date, or anything else, gives
// nullopt; values beyond a day are capped at a day, far past any route deadline.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value);

}  // namespace lambdagate::proxy
