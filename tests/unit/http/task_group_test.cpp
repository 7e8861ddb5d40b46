// TaskGroup: members are cancelled through their own signals (all, or the idle ones), the group
// can be awaited until empty, and an exception escaping a member is reported, not dropped.
#include "lambdagate/http/task_group.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <vector>
#include "lambdagate/core/task.hpp"

namespace {

namespace asio = boost::asio;
using lambdagate::http::TaskGroup;

// Waits until cancelled; counts its cancellation.
lambdagate::core::Task<void> wait_forever(int& cancelled) {
  const auto executor = co_await asio::this_coro::executor;
  asio::steady_timer forever(executor, asio::steady_timer::time_point::max());
  auto [ec] = co_await forever.async_wait(asio::as_tuple(lambdagate::core::use_task));
  if (ec == asio::error::operation_aborted) ++cancelled;
}

lambdagate::core::Task<void> fail() {
  throw std::runtime_error("escaped");
  co_return;
}

}  // namespace

// Cancelling the idle members leaves the busy ones running; cancelling all ends them too, and
// then wait_empty completes.
TEST_CASE("TaskGroup cancels idle members, then all, and waits until empty", "[http][task_group]") {
  asio::io_context io;
  std::vector<std::string> errors;
  TaskGroup group(io.get_executor(), [&](std::exception_ptr) { errors.push_back("error"); });
  int cancelled = 0;
  for (int i = 0; i < 3; ++i) {
    group.spawn([&, i](TaskGroup::Member& member) {
      member.idle = i == 0;
      return wait_forever(cancelled);
    });
  }
  bool empty = false;
  asio::co_spawn(io, group.wait_empty(), [&](std::exception_ptr e) {
    REQUIRE_FALSE(e);
    empty = true;
  });
  io.poll();
  CHECK(group.size() == 3);
  CHECK_FALSE(empty);

  group.cancel(asio::cancellation_type::terminal, /*idle_only=*/true);
  io.poll();
  CHECK(cancelled == 1);
  CHECK(group.size() == 2);
  CHECK_FALSE(empty);

  group.cancel(asio::cancellation_type::terminal);
  io.poll();
  CHECK(cancelled == 3);
  CHECK(group.size() == 0);
  CHECK(empty);
  CHECK(errors.empty());
}

// An empty group is awaited at once; a member's exception goes to the error handler.
TEST_CASE("TaskGroup reports an exception that escapes a member", "[http][task_group]") {
  asio::io_context io;
  std::vector<std::string> errors;
  TaskGroup group(io.get_executor(), [&](std::exception_ptr e) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& error) {
      errors.emplace_back(error.what());
    }
  });
  bool empty = false;
  asio::co_spawn(io, group.wait_empty(), [&](std::exception_ptr) { empty = true; });
  io.poll();
  CHECK(empty);

  group.spawn([](TaskGroup::Member&) { return fail(); });
  io.restart();
  io.poll();
  CHECK(errors == std::vector<std::string>{"escaped"});
  CHECK(group.size() == 0);
}
