// The shutdown sequence (see shutdown.hpp).
#include "lambdagate/app/shutdown.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <variant>

namespace lambdagate::app {

namespace asio = boost::asio;

core::Task<bool> connections_closed_within(ShutdownTarget& target,
                                           std::chrono::steady_clock::duration limit,
                                           core::Sleeper& sleeper) {
  using namespace asio::experimental::awaitable_operators;
  // Whichever ends first cancels the other. Named: GCC 12 may destroy temporaries in a co_await
  // expression twice.
  auto race = target.connections_closed() || sleeper.sleep_for(limit);
  const auto first = co_await std::move(race);
  co_return first.index() == 0;
}

core::Task<ShutdownReport> shut_down(ShutdownTarget& target, ShutdownPlan plan, core::Sleeper& sleeper) {
  ShutdownReport report;
  target.announce_draining();
  if (plan.shutdown_delay > std::chrono::steady_clock::duration::zero()) {
    co_await sleeper.sleep_for(plan.shutdown_delay);
  }
  target.stop_accepting();
  report.drained = co_await connections_closed_within(target, plan.drain_timeout, sleeper);
  report.unwound = report.drained;
  if (!report.drained) {
    report.cut_off = target.open_connections();
    target.cancel_connections();
    report.unwound = co_await connections_closed_within(target, plan.unwind_timeout, sleeper);
  }
  co_await target.stop_background();
  co_return report;
}

}  // namespace lambdagate::app
