// TimerSleeper, the real core::Sleeper: it waits (on a steady_timer) as long as asked, not at all
// for a time already past, and a cancelled wait ends at once. These are the few tests that use a
// wall clock, with short waits: everything built on the Sleeper is tested with a FakeSleeper.
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/system_error.hpp>
#include <catch2/catch.hpp>
#include <chrono>

#include "lambdagate/core/sleeper.hpp"

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using lambdagate::core::SystemClock;
using lambdagate::core::SystemTime;
using lambdagate::core::TimerSleeper;

}  // namespace

// sleep_until waits until the wall-clock target, and not at all for one already past.
TEST_CASE("TimerSleeper sleeps until the wall-clock target", "[core][sleeper]") {
  asio::io_context io;
  SystemClock clock;
  TimerSleeper sleeper(clock, 10ms);  // small steps: the wall clock is re-read every 10 ms
  const auto began = std::chrono::steady_clock::now();
  const SystemTime target = clock.system_now() + 60ms;
  bool done = false;
  asio::co_spawn(io, sleeper.sleep_until(target), [&](std::exception_ptr e) {
    REQUIRE_FALSE(e);
    done = true;
  });
  io.run();
  CHECK(done);
  CHECK(clock.system_now() >= target);
  CHECK(std::chrono::steady_clock::now() - began >= 50ms);

  io.restart();
  done = false;
  const auto past = std::chrono::steady_clock::now();
  asio::co_spawn(io, sleeper.sleep_until(clock.system_now() - 1h), [&](std::exception_ptr e) {
    REQUIRE_FALSE(e);
    done = true;
  });
  io.run();
  CHECK(done);
  CHECK(std::chrono::steady_clock::now() - past < 50ms);
}

// sleep_for waits the steady duration asked for; zero or less is no wait.
TEST_CASE("TimerSleeper sleeps for a steady duration", "[core][sleeper]") {
  asio::io_context io;
  SystemClock clock;
  TimerSleeper sleeper(clock);
  const auto began = std::chrono::steady_clock::now();
  bool done = false;
  asio::co_spawn(io, sleeper.sleep_for(40ms), [&](std::exception_ptr e) {
    REQUIRE_FALSE(e);
    done = true;
  });
  io.run();
  CHECK(done);
  CHECK(std::chrono::steady_clock::now() - began >= 40ms);

  io.restart();
  done = false;
  asio::co_spawn(io, sleeper.sleep_for(-5s), [&](std::exception_ptr e) {
    REQUIRE_FALSE(e);
    done = true;
  });
  io.run();
  CHECK(done);
}

// Both waits honour per-operation cancellation: an hour-long wait ends as soon as the awaiting
// coroutine is cancelled, with operation_aborted.
TEST_CASE("TimerSleeper waits end when cancelled", "[core][sleeper]") {
  const bool wall = GENERATE(false, true);
  INFO((wall ? "sleep_until" : "sleep_for"));
  asio::io_context io;
  SystemClock clock;
  TimerSleeper sleeper(clock);
  asio::cancellation_signal cancel;
  std::exception_ptr failure;
  bool done = false;
  auto wait = wall ? sleeper.sleep_until(clock.system_now() + 1h) : sleeper.sleep_for(1h);
  asio::co_spawn(io, std::move(wait), asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e) {
                   failure = e;
                   done = true;
                 }));
  asio::post(io, [&] { cancel.emit(asio::cancellation_type::terminal); });
  const auto began = std::chrono::steady_clock::now();
  io.run_for(5s);
  REQUIRE(done);
  CHECK(std::chrono::steady_clock::now() - began < 2s);
  REQUIRE(failure);
  try {
    std::rethrow_exception(failure);
  } catch (const boost::system::system_error& e) {
    CHECK(e.code() == asio::error::operation_aborted);
  }
}
