#pragma once
// Sleeper: the one seam for waiting (STYLE.md §3: time is injected). Everything in lambdagate
// that waits for time to pass goes through it: the gateway's retry backoff, the shutdown drain,
// the credential refresh loop and a request waiting for the first credentials, discovery pacing.
// Tests pass a FakeSleeper (tests/fakes/fake_sleeper.hpp) that moves a FakeClock instead of
// waiting, so timing logic is tested without a wall clock.
//
// Both waits honour Asio per-operation cancellation: cancelling the awaiting coroutine (a
// cancellation slot bound to it, e.g. shutdown's cancellation signal) ends the wait at once with
// boost::system::system_error(operation_aborted), as a cancelled timer does.
#include <algorithm>
#include <chrono>

#include "lambdagate/core/clock.hpp"
#include "lambdagate/core/task.hpp"

namespace lambdagate::core {

class Sleeper {
 public:
  virtual ~Sleeper() = default;
  // Waits `duration` of steady time (intervals: backoff, drain). Zero or less returns at once.
  virtual core::Task<void> sleep_for(std::chrono::steady_clock::duration duration) = 0;
  // Waits until wall-clock time `when` (targets that are wall-clock facts: credential expiry,
  // discovery's schedule). A time already past returns at once.
  virtual core::Task<void> sleep_until(SystemTime when) = 0;
};

// The real Sleeper: a steady_timer on the awaiting coroutine's executor. Stateless apart from
// its clock, so one instance serves every thread.
class TimerSleeper final : public Sleeper {
 public:
  // `max_step` bounds each timer wait of sleep_until: the wall clock is read again after every
  // step, so a clock step (NTP, suspend/resume) delays the wake-up by at most that much.
  explicit TimerSleeper(const Clock& clock,
                        std::chrono::steady_clock::duration max_step = std::chrono::minutes(1))
      : clock_(clock),
        max_step_(std::max<std::chrono::steady_clock::duration>(max_step, std::chrono::milliseconds(1))) {}

  core::Task<void> sleep_for(std::chrono::steady_clock::duration duration) override;
  core::Task<void> sleep_until(SystemTime when) override;

 private:
  const Clock& clock_;
  std::chrono::steady_clock::duration max_step_;
};

}  // namespace lambdagate::core
