#include <catch2/catch.hpp>

#include <set>

#include "fakes/fake_clock.hpp"
#include "lambdagate/core/deadline.hpp"
#include "lambdagate/core/error.hpp"
#include "lambdagate/core/redact.hpp"
#include "lambdagate/core/request_id.hpp"

using namespace lambdagate;
using namespace std::chrono_literals;

// The status mapping of DESIGN.md §4, in its one place.
TEST_CASE("error kinds map to the documented status and code", "[core]") {
  struct Case {
    core::ErrorKind kind;
    unsigned status;
    const char* code;
  };
  const Case cases[] = {
      {core::ErrorKind::RouteNotFound, 404, "route_not_found"},
      {core::ErrorKind::BadRequest, 400, "bad_request"},
      {core::ErrorKind::HeadersTooLarge, 431, "headers_too_large"},
      {core::ErrorKind::PayloadTooLarge, 413, "payload_too_large"},
      {core::ErrorKind::InvalidPayload, 400, "invalid_payload"},
      {core::ErrorKind::CredentialsUnavailable, 503, "credentials_unavailable"},
      {core::ErrorKind::LambdaThrottled, 429, "lambda_throttled"},
      {core::ErrorKind::UpstreamUnavailable, 502, "upstream_unavailable"},
      {core::ErrorKind::UpstreamTimeout, 504, "upstream_timeout"},
      {core::ErrorKind::LambdaRejected, 502, "lambda_rejected"},
      {core::ErrorKind::FunctionError, 502, "function_error"},
      {core::ErrorKind::InvalidFunctionResponse, 502, "invalid_function_response"},
      {core::ErrorKind::Draining, 503, "draining"},
  };
  for (const auto& c : cases) {
    CHECK(core::http_status(c.kind) == c.status);
    CHECK(core::to_string(c.kind) == c.code);
  }
}

// Deadlines measure steady time, never go negative, and `never` is unlimited.
TEST_CASE("deadline", "[core]") {
  testing::FakeClock clock;
  auto d = core::Deadline::after(clock, 100ms);
  CHECK_FALSE(d.expired(clock));
  CHECK(d.remaining(clock, 1s) == 100ms);
  CHECK(d.remaining(clock, 10ms) == 10ms);
  clock.advance(150ms);
  CHECK(d.expired(clock));
  CHECK(d.remaining(clock, 1s) == 0ms);
  auto never = core::Deadline::never();
  CHECK(never.remaining(clock, 5s) == 5s);
  CHECK_FALSE(never.expired(clock));
  CHECK(never.min(d).time() == d.time());
}

// Secrets are masked; access key ids keep only their type prefix.
TEST_CASE("mask_secret", "[core]") {
  CHECK(core::mask_secret("AKIAIOSFODNN7EXAMPLE") == "AKIA****");
  CHECK(core::mask_secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY") == "****");
  CHECK(core::mask_secret("") == "");
}

// Generated ids are 32 hex characters and distinct; odd client ids are refused.
TEST_CASE("request ids", "[core]") {
  core::RequestIdGenerator ids;
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto id = ids.next();
    CHECK(id.size() == 32);
    seen.insert(id);
  }
  CHECK(seen.size() == 1000);
  CHECK(core::is_acceptable_request_id("abc-123_x.y:z"));
  CHECK_FALSE(core::is_acceptable_request_id(""));
  CHECK_FALSE(core::is_acceptable_request_id("has space"));
  CHECK_FALSE(core::is_acceptable_request_id("new\nline"));
  CHECK_FALSE(core::is_acceptable_request_id(std::string(200, 'a')));
}

// The coarse readings are the precise clocks' own time base, at most a tick behind them, never
// ahead: read between two precise readings, a coarse one lies within a tick before the second.
TEST_CASE("SystemClock's coarse readings trail its precise ones by at most a tick", "[core][clock]") {
  const lambdagate::core::SystemClock clock;
  const auto tick = clock.coarse_tick();
  CHECK(tick > std::chrono::nanoseconds::zero());
  CHECK(tick <= std::chrono::milliseconds(100));
  for (int i = 0; i < 1000; ++i) {
    const auto steady = clock.steady_coarse();
    const auto steady_after = clock.steady_now();
    CHECK(steady <= steady_after);
    CHECK(steady_after - steady <= tick + std::chrono::milliseconds(50));  // the slack: a descheduled thread
    const auto system = clock.system_coarse();
    const auto system_after = clock.system_now();
    CHECK(system <= system_after);
    CHECK(system_after - system <= tick + std::chrono::milliseconds(50));
  }
}

TEST_CASE("Deadline::remaining_at counts from the time it is given", "[core][clock]") {
  using namespace std::chrono_literals;
  lambdagate::testing::FakeClock clock;
  const auto deadline = lambdagate::core::Deadline::after(clock, 10s);
  CHECK(deadline.remaining_at(clock.steady_now() + 4s, 1h) == 6s);
  CHECK(deadline.remaining_at(clock.steady_now() + 4s, 2s) == 2s);
  CHECK(deadline.remaining_at(clock.steady_now() + 11s, 1h) == 0s);
  CHECK(lambdagate::core::Deadline::never().remaining_at(clock.steady_now(), 3s) == 3s);
}
