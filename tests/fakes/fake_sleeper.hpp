#pragma once
// FakeSleeper: the core::Sleeper of tests. Time is the FakeClock's; nothing waits for a wall
// clock. Two modes:
//  - Jump: each sleep moves the FakeClock to its target at once and yields to the io_context, so
//    a loop (credential refresh, discovery, retries) runs through hours of fake time in
//    microseconds, step by step (io.run_one()) or in bulk (io.run_for()).
//  - Hold: each sleep parks until the test moves time past its target (advance(), wake_next())
//    or the sleeping coroutine is cancelled, so a test can look at what is waiting, and prove
//    that something was woken by an event rather than by time passing.
// In both modes a cancelled sleep throws boost::system::system_error(operation_aborted), as a
// cancelled timer does.
#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/system/system_error.hpp>
#include <chrono>
#include <optional>
#include <vector>

#include "fakes/fake_clock.hpp"
#include "lambdagate/core/sleeper.hpp"
#include "lambdagate/core/task.hpp"

namespace lambdagate::testing {

class FakeSleeper final : public core::Sleeper {
 public:
  enum class Mode { Jump, Hold };

  explicit FakeSleeper(FakeClock& clock, Mode mode = Mode::Jump) : clock_(clock), mode_(mode) {}

  lambdagate::core::Task<void> sleep_for(std::chrono::steady_clock::duration duration) override {
    durations_.push_back(duration);
    const auto step = std::max(duration, std::chrono::steady_clock::duration::zero());
    co_await wait(clock_.system_now() + std::chrono::duration_cast<core::SystemTime::duration>(step));
  }

  lambdagate::core::Task<void> sleep_until(core::SystemTime when) override { co_await wait(when); }

  // Every sleep target so far, in order (both kinds of sleep).
  const std::vector<core::SystemTime>& wakes() const { return wakes_; }
  // The durations sleep_for was asked for, in order.
  const std::vector<std::chrono::steady_clock::duration>& durations() const { return durations_; }

  // Hold mode: how many sleeps are parked now.
  std::size_t sleeping() const { return parked_.size(); }
  // Hold mode: the earliest target among the parked sleeps.
  std::optional<core::SystemTime> next_wake() const {
    if (parked_.empty()) return std::nullopt;
    core::SystemTime earliest = parked_.front()->target;
    for (const Parked* p : parked_) earliest = std::min(earliest, p->target);
    return earliest;
  }
  // Hold mode: moves the FakeClock by `d` and wakes every sleep whose target it reached. The
  // woken coroutines resume when the test next runs the io_context.
  void advance(std::chrono::steady_clock::duration d) {
    clock_.advance(d);
    wake_due();
  }
  // Hold mode: moves the FakeClock to the earliest parked target (never backwards) and wakes it.
  void wake_next() {
    const auto next = next_wake();
    if (!next) return;
    const core::SystemTime now = clock_.system_now();
    if (*next > now) clock_.advance(*next - now);
    wake_due();
  }

 private:
  struct Parked {
    core::SystemTime target;
    boost::asio::steady_timer* timer;
    bool woken = false;
  };

  lambdagate::core::Task<void> wait(core::SystemTime when) {
    wakes_.push_back(when);
    // A named executor, not a temporary inside the co_await (GCC 12 coroutine bug).
    const auto executor = co_await boost::asio::this_coro::executor;
    if (mode_ == Mode::Jump || when <= clock_.system_now()) {
      // Both wall and steady time move, so deadlines measured on the FakeClock move with it.
      // Never backwards: a target in the past is a wake-up "now".
      const core::SystemTime now = clock_.system_now();
      if (when > now) clock_.advance(when - now);
      co_await boost::asio::post(executor, lambdagate::core::use_task);
      co_return;
    }
    boost::asio::steady_timer timer(executor, boost::asio::steady_timer::time_point::max());
    Parked parked{when, &timer};
    parked_.push_back(&parked);
    boost::system::error_code ec;
    co_await timer.async_wait(boost::asio::redirect_error(lambdagate::core::use_task, ec));
    std::erase(parked_, &parked);
    if (!parked.woken) throw boost::system::system_error(boost::asio::error::operation_aborted);
  }

  void wake_due() {
    const core::SystemTime now = clock_.system_now();
    for (Parked* p : parked_) {
      if (!p->woken && p->target <= now) {
        p->woken = true;
        p->timer->cancel();
      }
    }
  }

  FakeClock& clock_;
  Mode mode_;
  std::vector<core::SystemTime> wakes_;
  std::vector<std::chrono::steady_clock::duration> durations_;
  std::vector<Parked*> parked_;
};

}  // namespace lambdagate::testing
