// TimerSleeper: waits on a steady_timer on the caller's executor (see sleeper.hpp).
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include "lambdagate/core/sleeper.hpp"
#include "lambdagate/core/task.hpp"

namespace lambdagate::core {

namespace asio = boost::asio;

core::Task<void> TimerSleeper::sleep_for(std::chrono::steady_clock::duration duration) {
  if (duration <= std::chrono::steady_clock::duration::zero()) co_return;
  const auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor, duration);
  // The coroutine's cancellation slot reaches the timer: a cancelled wait throws operation_aborted.
  co_await timer.async_wait(core::use_task);
}

core::Task<void> TimerSleeper::sleep_until(SystemTime when) {
  const auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor);
  while (true) {
    const SystemTime now = clock_.system_now();
    if (now >= when) co_return;
    const auto left = std::chrono::duration_cast<std::chrono::steady_clock::duration>(when - now);
    timer.expires_after(std::min(left, max_step_));
    co_await timer.async_wait(core::use_task);
  }
}

}  // namespace lambdagate::core
