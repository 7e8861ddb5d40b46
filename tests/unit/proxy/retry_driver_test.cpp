// RetryDriver with a FakeClock and a FakeSleeper: how many attempts a call gets, the deadline of
// each, the backoff between them (bounded by the route deadline, Retry-After honoured) and what
// each attempt reports. Time is fake throughout: a 2 s Retry-After costs no wall-clock time.
#include "lambdagate/proxy/retry_driver.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <deque>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "fakes/fake_clock.hpp"
#include "fakes/fake_sleeper.hpp"
#include "fakes/run.hpp"
#include "lambdagate/core/task.hpp"

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace lambdagate;
using proxy::RetryDriver;
using testing::FakeClock;
using testing::FakeSleeper;
using testing::run;

using Result = std::variant<std::string, core::Error>;

core::Error status_error(unsigned status,
                         std::optional<std::chrono::milliseconds> retry_after = std::nullopt) {
  core::Error error{status == 429 ? core::ErrorKind::LambdaThrottled : core::ErrorKind::UpstreamUnavailable,
                    "status " + std::to_string(status)};
  error.upstream_status = status;
  error.retry_after = retry_after;
  return error;
}

core::Error transport_error(core::TransportFailure failure) {
  core::Error error{core::ErrorKind::UpstreamUnavailable, "transport"};
  error.transport = failure;
  return error;
}

config::RetryPolicy policy(std::uint32_t retry_on, unsigned num_retries) {
  config::RetryPolicy p;
  p.retry_on = retry_on;
  p.num_retries = num_retries;
  p.base_interval = 25ms;
  return p;
}

// A scripted call: each attempt takes `takes` of fake time and answers the next scripted result
// (the last one repeats). It records when each attempt started and the deadline it was given.
struct Script {
  Script(FakeClock& c, std::deque<Result> a) : clock(c), answers(std::move(a)) {}

  FakeClock& clock;
  std::deque<Result> answers;
  std::chrono::steady_clock::duration takes{0};
  std::vector<core::SteadyTime> started;
  std::vector<core::Deadline> deadlines;

  lambdagate::core::Task<Result> attempt(core::Deadline deadline) {
    started.push_back(clock.steady_now());
    deadlines.push_back(deadline);
    clock.advance(takes);
    Result result = answers.front();
    if (answers.size() > 1) answers.pop_front();
    co_return result;
  }
};

// Runs one call through a RetryDriver; returns its result, and what the observers saw.
struct Outcome {
  Result result;
  unsigned attempts = 0;
  unsigned recorded = 0;
  unsigned retries = 0;
};

Outcome drive(Script& script, const config::RetryPolicy* retry_policy, core::Deadline deadline,
              FakeSleeper& sleeper, std::uint64_t seed = 1) {
  std::mt19937_64 random(seed);
  RetryDriver driver(retry_policy, deadline, script.clock, sleeper, random);
  Outcome outcome;
  auto attempt = [&](core::Deadline d) { return script.attempt(d); };
  auto record = [&](const Result&) { ++outcome.recorded; };
  auto on_retry = [&] { ++outcome.retries; };
  outcome.result = run(driver.run<Result>(attempt, record, on_retry));
  outcome.attempts = driver.attempts();
  return outcome;
}

}  // namespace

// Retryable failures are retried until an attempt succeeds; every attempt is recorded, every
// retry counted, and each backoff is waited through the Sleeper (full jitter under
// base × 2^n), moving the fake clock rather than a real one.
TEST_CASE("RetryDriver retries until an attempt succeeds", "[proxy][retry_driver]") {
  FakeClock clock;
  FakeSleeper sleeper(clock);
  Script script{clock, {status_error(503), status_error(502), std::string("ok")}};
  const auto p = policy(config::kRetryOn5xx, 3);
  const auto t0 = clock.steady_now();
  const auto outcome = drive(script, &p, core::Deadline::after(clock, 15s), sleeper);
  CHECK(std::get<std::string>(outcome.result) == "ok");
  CHECK(outcome.attempts == 3);
  CHECK(outcome.recorded == 3);
  CHECK(outcome.retries == 2);
  REQUIRE(sleeper.durations().size() == 2);
  CHECK(sleeper.durations()[0] <= 25ms);
  CHECK(sleeper.durations()[1] <= 50ms);
  // Each attempt starts when the backoff before it ends.
  CHECK(script.started[1] - script.started[0] == sleeper.durations()[0]);
  CHECK(script.started[2] - script.started[1] == sleeper.durations()[1]);
  CHECK(clock.steady_now() - t0 == sleeper.durations()[0] + sleeper.durations()[1]);
}

// numRetries bounds the retries: 1 + numRetries attempts at most, and the last failure is the
// result.
TEST_CASE("RetryDriver makes at most 1 + numRetries attempts", "[proxy][retry_driver]") {
  FakeClock clock;
  FakeSleeper sleeper(clock);
  Script script{clock, {status_error(500)}};
  const auto p = policy(config::kRetryOn5xx, 2);
  const auto outcome = drive(script, &p, core::Deadline::after(clock, 15s), sleeper);
  CHECK(std::get<core::Error>(outcome.result).upstream_status == 500);
  CHECK(outcome.attempts == 3);
  CHECK(outcome.retries == 2);
  CHECK(sleeper.durations().size() == 2);
}

// Without a policy, or for a failure retryOn does not cover, there is exactly one attempt and no
// wait.
TEST_CASE("RetryDriver does not retry what the policy does not cover", "[proxy][retry_driver]") {
  FakeClock clock;
  FakeSleeper sleeper(clock);
  struct Case {
    const char* name;
    std::optional<config::RetryPolicy> retry_policy;
    core::Error failure;
  };
  const std::vector<Case> cases = {
      {"no retry policy", std::nullopt, status_error(503)},
      {"a 404 under 5xx", policy(config::kRetryOn5xx, 3), status_error(404)},
      {"a 429 under 5xx", policy(config::kRetryOn5xx, 3), status_error(429)},
      {"a 500 under gateway-error", policy(config::kRetryOnGatewayError, 3), status_error(500)},
      {"a connect failure under retriable-status-codes", policy(config::kRetryOnRetriableStatusCodes, 3),
       transport_error(core::TransportFailure::ConnectFailure)},
      {"no answer and no transport failure (no credentials)", policy(config::kRetryOn5xx, 3),
       core::Error{core::ErrorKind::CredentialsUnavailable, "none"}},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    Script script{clock, {c.failure}};
    const auto outcome = drive(script, c.retry_policy ? &*c.retry_policy : nullptr,
                               core::Deadline::after(clock, 15s), sleeper);
    CHECK(outcome.attempts == 1);
    CHECK(outcome.recorded == 1);
    CHECK(outcome.retries == 0);
  }
  CHECK(sleeper.durations().empty());
}

// Lambda's Retry-After is waited in full (it is a lower bound on the backoff) when the route
// deadline leaves room for it.
TEST_CASE("RetryDriver honours Retry-After", "[proxy][retry_driver]") {
  FakeClock clock;
  FakeSleeper sleeper(clock);
  Script script{clock, {status_error(429, 2000ms), std::string("ok")}};
  const auto p = policy(config::kRetryOnThrottled, 1);
  const auto outcome = drive(script, &p, core::Deadline::after(clock, 15s), sleeper);
  CHECK(std::get<std::string>(outcome.result) == "ok");
  REQUIRE(sleeper.durations().size() == 1);
  CHECK(sleeper.durations()[0] == 2000ms);
  CHECK(script.started[1] - script.started[0] == 2000ms);
}

// A backoff that would reach the route deadline is not waited: the failure is the answer now,
// rather than a retry that could not finish in time.
TEST_CASE("RetryDriver does not back off past the route deadline", "[proxy][retry_driver]") {
  FakeClock clock;
  FakeSleeper sleeper(clock);
  Script script{clock, {status_error(429, 2000ms), std::string("ok")}};
  const auto p = policy(config::kRetryOnThrottled, 3);
  const auto outcome = drive(script, &p, core::Deadline::after(clock, 1500ms), sleeper);
  CHECK(std::holds_alternative<core::Error>(outcome.result));
  CHECK(outcome.attempts == 1);
  CHECK(sleeper.durations().empty());
}

// Once the route deadline has passed (the attempt itself took the time), nothing is retried.
TEST_CASE("RetryDriver does not retry after the route deadline", "[proxy][retry_driver]") {
  FakeClock clock;
  FakeSleeper sleeper(clock);
  Script script{clock, {transport_error(core::TransportFailure::Timeout)}};
  script.takes = 2s;
  const auto p = policy(config::kRetryOn5xx, 5);
  const auto deadline = core::Deadline::after(clock, 2s);
  const auto outcome = drive(script, &p, deadline, sleeper);
  CHECK(outcome.attempts == 1);
  CHECK(deadline.expired(clock));
  CHECK(sleeper.durations().empty());
}

// perTryTimeout gives each attempt its own deadline, counted from the attempt's start and never
// beyond the route's: here attempts of 1 s each within a 2.5 s route timeout.
TEST_CASE("RetryDriver gives each attempt the per-try timeout within the route deadline",
          "[proxy][retry_driver]") {
  FakeClock clock;
  FakeSleeper sleeper(clock);
  Script script{clock, {transport_error(core::TransportFailure::Timeout)}};
  script.takes = 1s;  // each attempt runs into its per-try timeout
  auto p = policy(config::kRetryOn5xx, 5);
  p.per_try_timeout = 1s;
  const auto route = core::Deadline::after(clock, 2500ms);
  const auto outcome = drive(script, &p, route, sleeper);
  REQUIRE(outcome.attempts >= 2);
  for (std::size_t i = 0; i < script.deadlines.size(); ++i) {
    INFO("attempt " << i + 1);
    const auto expected = std::min(script.started[i] + 1s, *route.time());
    CHECK(*script.deadlines[i].time() == expected);
  }
  // The last attempt started too late for a full second: the route deadline cut its own short.
  CHECK(*script.deadlines.back().time() <= *route.time());
  CHECK(outcome.attempts == script.started.size());
}

// The same seed gives the same backoffs: the jitter comes from the random source it is given.
TEST_CASE("RetryDriver draws its jitter from the given source", "[proxy][retry_driver]") {
  auto delays = [](std::uint64_t seed) {
    FakeClock clock;
    FakeSleeper sleeper(clock);
    Script script{clock, {status_error(503)}};
    const auto p = policy(config::kRetryOn5xx, 4);
    drive(script, &p, core::Deadline::after(clock, 60s), sleeper, seed);
    return sleeper.durations();
  };
  CHECK(delays(7) == delays(7));
  CHECK(delays(7).size() == 4);
}
