// Retry decisions: Envoy's retryOn semantics for every outcome, full-jitter backoff bounds, and
// Retry-After.
#include "lambdagate/proxy/retry_policy.hpp"

#include <catch2/catch.hpp>
#include <set>

namespace lambdagate::proxy {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using Kind = AttemptOutcome::Kind;

struct NamedOutcome {
  std::string name;
  AttemptOutcome outcome;
};

AttemptOutcome response(unsigned status) {
  AttemptOutcome outcome;
  outcome.status = status;
  return outcome;
}

AttemptOutcome failure(Kind kind) {
  AttemptOutcome outcome;
  outcome.kind = kind;
  return outcome;
}

const std::vector<NamedOutcome>& all_outcomes() {
  static const std::vector<NamedOutcome> outcomes = {
      {"200", response(200)},
      {"404", response(404)},
      {"409", response(409)},
      {"418", response(418)},
      {"429", response(429)},
      {"500", response(500)},
      {"502", response(502)},
      {"503", response(503)},
      {"504", response(504)},
      {"599", response(599)},
      {"connect-failure", failure(Kind::ConnectFailure)},
      {"reset", failure(Kind::Reset)},
      {"timeout", failure(Kind::Timeout)},
      {"other", failure(Kind::Other)},
  };
  return outcomes;
}

// Every retryOn name against every kind of outcome (retriableStatusCodes lists 418 and 503):
// 5xx and gateway-error include getting no response at all, reset covers every way of getting
// none, connect-failure only a refused connection, and an `Other` failure is never retried.
TEST_CASE("should_retry follows Envoy's retryOn semantics", "[retry]") {
  struct Case {
    std::string retry_on;
    uint32_t bits;
    std::set<std::string> retried;
  };
  const std::set<std::string> no_response = {"connect-failure", "reset", "timeout"};
  const std::vector<Case> cases = {
      {"(none)", 0, {}},
      {"5xx",
       config::kRetryOn5xx,
       {"500", "502", "503", "504", "599", "connect-failure", "reset", "timeout"}},
      {"gateway-error",
       config::kRetryOnGatewayError,
       {"502", "503", "504", "connect-failure", "reset", "timeout"}},
      {"connect-failure", config::kRetryOnConnectFailure, {"connect-failure"}},
      {"reset", config::kRetryOnReset, no_response},
      {"retriable-status-codes", config::kRetryOnRetriableStatusCodes, {"418", "503"}},
      {"retriable-4xx", config::kRetryOnRetriable4xx, {"409"}},
      {"throttled", config::kRetryOnThrottled, {"429"}},
      {"throttled,connect-failure",
       config::kRetryOnThrottled | config::kRetryOnConnectFailure,
       {"429", "connect-failure"}},
      {"retriable-4xx,retriable-status-codes",
       config::kRetryOnRetriable4xx | config::kRetryOnRetriableStatusCodes,
       {"409", "418", "503"}},
  };
  for (const Case& c : cases) {
    config::RetryPolicy policy;
    policy.retry_on = c.bits;
    policy.retriable_status_codes = {418, 503};
    for (const NamedOutcome& o : all_outcomes()) {
      INFO("retryOn " << c.retry_on << ", outcome " << o.name);
      CHECK(should_retry(policy, o.outcome) == c.retried.contains(o.name));
    }
  }
}

// retriable-status-codes does nothing without a list, and the list does nothing without it.
TEST_CASE("retriable status codes need both halves", "[retry]") {
  config::RetryPolicy names_only;
  names_only.retry_on = config::kRetryOnRetriableStatusCodes;
  config::RetryPolicy codes_only;
  codes_only.retriable_status_codes = {503};
  for (const NamedOutcome& o : all_outcomes()) {
    INFO(o.name);
    CHECK_FALSE(should_retry(names_only, o.outcome));
    CHECK_FALSE(should_retry(codes_only, o.outcome));
  }
}

// Full jitter: every draw lies in [0, min(max, base * 2^i)], and the draws spread over the whole
// range (with a fixed seed, so the test is deterministic). The maximum defaults to ten times the
// base, and a huge retry index neither overflows nor exceeds it.
TEST_CASE("next_backoff is full-jitter exponential and capped", "[retry]") {
  struct Case {
    milliseconds base;
    std::optional<milliseconds> max;
    unsigned retry_index;
    milliseconds ceiling;
  };
  const std::vector<Case> cases = {
      {25ms, std::nullopt, 0, 25ms},
      {25ms, std::nullopt, 1, 50ms},
      {25ms, std::nullopt, 2, 100ms},
      {25ms, std::nullopt, 3, 200ms},
      {25ms, std::nullopt, 4, 250ms},
      {25ms, std::nullopt, 60, 250ms},
      {25ms, std::nullopt, 4000000000u, 250ms},
      {100ms, 1s, 3, 800ms},
      {100ms, 1s, 4, 1000ms},
      {10ms, 15ms, 1, 15ms},
      {1ms, std::nullopt, 0, 1ms},
      {500ms, 500ms, 0, 500ms},
      {1000ms, 30s, 70, 30s},
  };
  constexpr int kDraws = 4000;
  for (const Case& c : cases) {
    config::RetryPolicy policy;
    policy.base_interval = c.base;
    policy.max_interval = c.max;
    std::mt19937_64 rng(42);
    milliseconds lowest = milliseconds::max();
    milliseconds highest{0};
    for (int i = 0; i < kDraws; ++i) {
      milliseconds wait = next_backoff(policy, c.retry_index, rng, std::nullopt);
      lowest = std::min(lowest, wait);
      highest = std::max(highest, wait);
    }
    INFO("base " << c.base.count() << "ms, index " << c.retry_index << ": draws in [" << lowest.count()
                 << ", " << highest.count() << "]");
    CHECK(lowest >= 0ms);
    CHECK(highest <= c.ceiling);
    // Spread: the bottom and top tenths of the range are both reached.
    CHECK(lowest <= c.ceiling / 10);
    CHECK(highest >= c.ceiling - c.ceiling / 10);
  }
}

// Retry-After is a floor on the wait, honoured even above the backoff cap; below the jittered
// draw it changes nothing.
TEST_CASE("next_backoff honours Retry-After", "[retry]") {
  config::RetryPolicy policy;  // 25ms base, 250ms cap
  std::mt19937_64 rng(7);
  for (int i = 0; i < 1000; ++i) {
    CHECK(next_backoff(policy, 0, rng, 2s) == 2s);
    milliseconds wait = next_backoff(policy, 4, rng, 10ms);
    CHECK(wait >= 10ms);
    CHECK(wait <= 250ms);
    CHECK(next_backoff(policy, 0, rng, 0ms) <= 25ms);
  }
}

// Delta seconds only; an HTTP date or anything else gives nothing, and absurd values are capped
// at a day.
TEST_CASE("parse_retry_after reads delta seconds", "[retry]") {
  struct Case {
    std::string value;
    std::optional<milliseconds> expected;
  };
  const std::vector<Case> cases = {
      {"120", 120s},
      {"0", 0ms},
      {"1", 1s},
      {" 5\t", 5s},
      {"007", 7s},
      {"86400", 86400s},
      {"86401", 86400s},
      {"99999999999999999999999", 86400s},
      {"", std::nullopt},
      {"  ", std::nullopt},
      {"1.5", std::nullopt},
      {"-1", std::nullopt},
      {"+1", std::nullopt},
      {"1 2", std::nullopt},
      {"10s", std::nullopt},
      {"Wed, 21 Oct 2015 07:28:00 GMT", std::nullopt},
  };
  for (const Case& c : cases) {
    INFO("'" << c.value << "'");
    CHECK(parse_retry_after(c.value) == c.expected);
  }
}

}  // namespace
}  // namespace lambdagate::proxy
