// RetryDriver: attempts, per-try deadlines and backoff waits of one Lambda call (see
// retry_driver.hpp).
#include "lambdagate/proxy/retry_driver.hpp"

#include "lambdagate/proxy/retry_policy.hpp"

namespace lambdagate::proxy {

RetryDriver::RetryDriver(const config::RetryPolicy* policy, core::Deadline route_deadline,
                         const core::Clock& clock, core::Sleeper& sleeper, std::mt19937_64& random)
    : policy_(policy), route_deadline_(route_deadline), clock_(clock), sleeper_(sleeper), random_(random) {}

core::Deadline RetryDriver::try_deadline() const {
  if (policy_ && policy_->per_try_timeout) {
    return route_deadline_.min(core::Deadline::after(clock_, *policy_->per_try_timeout));
  }
  return route_deadline_;
}

std::optional<std::chrono::milliseconds> RetryDriver::next_delay(const core::Error& failure) {
  // numRetries counts retries: attempts_ - 1 of them have happened.
  if (!policy_ || attempts_ == 0 || attempts_ - 1 >= policy_->num_retries) return std::nullopt;
  const AttemptOutcome attempted = attempt_outcome(failure);
  if (!should_retry(*policy_, attempted)) return std::nullopt;
  const auto delay = next_backoff(*policy_, attempts_ - 1, random_, attempted.retry_after);
  // No time left for another attempt once the backoff is over.
  if (route_deadline_.time() && clock_.steady_now() + delay >= *route_deadline_.time()) return std::nullopt;
  return delay;
}

core::Task<bool> RetryDriver::retry(const core::Error& failure) {
  const auto delay = next_delay(failure);
  if (!delay) co_return false;
  const std::chrono::steady_clock::duration wait = *delay;
  co_await sleeper_.sleep_for(wait);
  co_return true;
}

}  // namespace lambdagate::proxy
