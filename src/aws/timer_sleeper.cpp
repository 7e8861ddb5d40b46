// TimerSleeper: wall-clock targets waited for with a steady_timer (see timer_sleeper.hpp).
#include "lambdagate/aws/timer_sleeper.hpp"

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace lambdagate::aws {

boost::asio::awaitable<void> TimerSleeper::sleep_until(core::SystemTime when) {
  const auto executor = co_await boost::asio::this_coro::executor;
  boost::asio::steady_timer timer(executor);
  while (true) {
    const core::SystemTime now = clock_.system_now();
    if (now >= when) co_return;
    const auto left = std::chrono::duration_cast<std::chrono::steady_clock::duration>(when - now);
    timer.expires_after(std::min(left, max_step_));
    co_await timer.async_wait(boost::asio::use_awaitable);
  }
}

}  // namespace lambdagate::aws
