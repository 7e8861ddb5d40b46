#pragma once
// TimerSleeper: the real Sleeper for CredentialsCache. The target is wall-clock time (credential
// expiry is), the wait is a steady_timer on the caller's executor; cancelling the awaiting
// coroutine (CredentialsCache::stop) cancels the wait.
#include <algorithm>
#include <boost/asio/awaitable.hpp>
#include <chrono>

#include "lambdagate/aws/credentials_cache.hpp"
#include "lambdagate/core/clock.hpp"

namespace lambdagate::aws {

class TimerSleeper final : public Sleeper {
 public:
  // `max_step` bounds each timer wait: the wall clock is read again after every step, so a
  // clock step (NTP, suspend/resume) delays the wake-up by at most that much.
  explicit TimerSleeper(const core::Clock& clock,
                        std::chrono::steady_clock::duration max_step = std::chrono::minutes(1))
      : clock_(clock),
        max_step_(std::max<std::chrono::steady_clock::duration>(max_step, std::chrono::milliseconds(1))) {}

  boost::asio::awaitable<void> sleep_until(core::SystemTime when) override;

 private:
  const core::Clock& clock_;
  std::chrono::steady_clock::duration max_step_;
};

}  // namespace lambdagate::aws
