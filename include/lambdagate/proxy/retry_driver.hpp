#pragma once
// RetryDriver: the attempts of one Lambda call, for the buffered and the streaming path alike
// (DESIGN.md §4). Each attempt gets the route deadline, or an earlier one with a per-try timeout;
// after a failure the route's retryOn decides (should_retry), the wait is next_backoff's (with
// Lambda's Retry-After as a lower bound) through the Sleeper, and no retry is started whose
// backoff would reach the route deadline. The decisions are the pure functions of retry_policy.hpp;
// this adds the attempt count, the deadline and the waiting. Every wait goes through the Sleeper,
// so tests drive it with a FakeClock (retry_driver_test.cpp).
#include <chrono>
#include <optional>
#include <random>
#include <variant>

#include "lambdagate/config/model.hpp"
#include "lambdagate/core/clock.hpp"
#include "lambdagate/core/deadline.hpp"
#include "lambdagate/core/error.hpp"
#include "lambdagate/core/sleeper.hpp"
#include "lambdagate/core/task.hpp"

namespace lambdagate::proxy {

class RetryDriver {
 public:
  // `policy` null: one attempt, no retries. `random` feeds the backoff jitter.
  RetryDriver(const config::RetryPolicy* policy, core::Deadline route_deadline, const core::Clock& clock,
              core::Sleeper& sleeper, std::mt19937_64& random);

  // Runs `attempt(try_deadline)`, an awaitable of std::variant<T, core::Error>, until it returns
  // T, fails in a way the route does not retry, or runs out of retries or time; returns the last
  // attempt's result. `record(result)` sees every attempt (metrics); `on_retry()` runs before each
  // retry, after its backoff.
  template <class Result, class Attempt, class Record, class OnRetry>
  core::Task<Result> run(Attempt attempt, Record record, OnRetry on_retry);

  // Attempts made so far.
  unsigned attempts() const { return attempts_; }
  // The deadline of the next attempt: the route's, or now + perTryTimeout if that is earlier.
  core::Deadline try_deadline() const;
  // The wait before retrying after `failure` (the attempts made so far counted), or nullopt when
  // there is to be no retry. Draws from the jitter source.
  std::optional<std::chrono::milliseconds> next_delay(const core::Error& failure);
  // After a failed attempt: whether to try again, having waited the backoff if so.
  core::Task<bool> retry(const core::Error& failure);

 private:
  const config::RetryPolicy* policy_;
  core::Deadline route_deadline_;
  const core::Clock& clock_;
  core::Sleeper& sleeper_;
  std::mt19937_64& random_;
  unsigned attempts_ = 0;
};

template <class Result, class Attempt, class Record, class OnRetry>
core::Task<Result> RetryDriver::run(Attempt attempt, Record record, OnRetry on_retry) {
  for (;;) {
    const core::Deadline deadline = try_deadline();
    ++attempts_;
    Result result = co_await attempt(deadline);
    record(result);
    const core::Error* failure = std::get_if<core::Error>(&result);
    if (!failure) co_return result;
    const bool again = co_await retry(*failure);
    if (!again) co_return result;
    on_retry();
  }
}

}  // namespace lambdagate::proxy
