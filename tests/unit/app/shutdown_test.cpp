// The shutdown sequence (app/shutdown.hpp) against a fake process and a FakeSleeper that holds
// each wait until the test moves the FakeClock: the order of the steps, a drain that ends when
// the last connection closes, a drain the timeout bounds (and what is left is cut off), and a
// connection that will not unwind. No wall clock: a 20 s drain takes no time.
#include "lambdagate/app/shutdown.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "fakes/fake_clock.hpp"
#include "fakes/fake_sleeper.hpp"
#include "lambdagate/core/task.hpp"

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace lambdagate;
using app::ShutdownReport;
using testing::FakeClock;
using testing::FakeSleeper;

// A process with `open` client connections: it records each step; connections close when the
// test says so, or when cancelled (unless they are stubborn).
class FakeProcess final : public app::ShutdownTarget {
 public:
  explicit FakeProcess(asio::io_context& io) : closed_(io, asio::steady_timer::time_point::max()) {}

  void announce_draining() override { steps.push_back("announce_draining"); }
  void stop_accepting() override { steps.push_back("stop_accepting"); }
  lambdagate::core::Task<void> connections_closed() override {
    while (open > 0) {
      auto [ec] = co_await closed_.async_wait(asio::as_tuple(lambdagate::core::use_task));
      (void)ec;
    }
  }
  std::size_t open_connections() const override { return open; }
  void cancel_connections() override {
    steps.push_back("cancel_connections");
    if (!stubborn) close_all();
  }
  lambdagate::core::Task<void> stop_background() override {
    steps.push_back("stop_background");
    co_return;
  }

  void close_all() {
    open = 0;
    closed_.cancel();
  }

  std::size_t open = 0;
  bool stubborn = false;
  std::vector<std::string> steps;

 private:
  asio::steady_timer closed_;
};

struct Fixture {
  asio::io_context io;
  FakeClock clock;
  FakeSleeper sleeper{clock, FakeSleeper::Mode::Hold};
  FakeProcess process{io};
  std::optional<ShutdownReport> report;
  core::SteadyTime t0 = clock.steady_now();

  void start(app::ShutdownPlan plan = {}) {
    asio::co_spawn(io, app::shut_down(process, plan, sleeper),
                   [this](std::exception_ptr e, ShutdownReport r) {
                     REQUIRE_FALSE(e);
                     report = r;
                   });
    io.poll();
  }
  void settle() {
    io.restart();
    io.poll();
  }
};

}  // namespace

// With nothing open, the sequence runs straight through without waiting.
TEST_CASE("shutdown: the steps, in order, with nothing to drain", "[app][shutdown]") {
  Fixture f;
  f.start();
  REQUIRE(f.report);
  CHECK(f.report->drained);
  CHECK(f.report->unwound);
  CHECK(f.report->cut_off == 0);
  CHECK(f.process.steps ==
        std::vector<std::string>{"announce_draining", "stop_accepting", "stop_background"});
  CHECK(f.clock.steady_now() == f.t0);
}

// In-flight requests end before the drain timeout: the sequence goes on as soon as the last
// connection closes, cuts nothing off, and no time passes on the clock meanwhile.
TEST_CASE("shutdown: the drain ends when the last connection closes", "[app][shutdown]") {
  Fixture f;
  f.process.open = 2;
  f.start();
  CHECK(f.process.steps == std::vector<std::string>{"announce_draining", "stop_accepting"});
  CHECK(f.sleeper.sleeping() == 1);
  CHECK(f.sleeper.next_wake() == f.clock.system_now() + 20s);  // the default --drain-timeout
  f.sleeper.advance(3s);
  f.settle();
  CHECK_FALSE(f.report);

  f.process.close_all();
  f.settle();
  REQUIRE(f.report);
  CHECK(f.report->drained);
  CHECK(f.report->cut_off == 0);
  CHECK(f.process.steps ==
        std::vector<std::string>{"announce_draining", "stop_accepting", "stop_background"});
  CHECK(f.sleeper.sleeping() == 0);  // the drain timer was cancelled, not left behind
  CHECK(f.clock.steady_now() - f.t0 == 3s);
}

// Requests that outlast --drain-timeout: at the timeout, the connections still open are cut off
// (terminal cancellation), they unwind, and the sequence ends.
TEST_CASE("shutdown: the drain timeout bounds the wait; the rest is cut off", "[app][shutdown]") {
  Fixture f;
  f.process.open = 3;
  app::ShutdownPlan plan;
  plan.drain_timeout = 5s;
  f.start(plan);
  f.sleeper.advance(4999ms);
  f.settle();
  CHECK_FALSE(f.report);
  f.sleeper.advance(1ms);
  f.settle();
  REQUIRE(f.report);
  CHECK_FALSE(f.report->drained);
  CHECK(f.report->cut_off == 3);
  CHECK(f.report->unwound);
  CHECK(f.process.steps == std::vector<std::string>{"announce_draining", "stop_accepting",
                                                    "cancel_connections", "stop_background"});
  CHECK(f.clock.steady_now() - f.t0 == 5s);
}

// Connections that do not unwind after being cut off: the sequence still ends after the unwind
// bound and says so, so the caller does not destroy what they use.
TEST_CASE("shutdown: connections that do not unwind are reported", "[app][shutdown]") {
  Fixture f;
  f.process.open = 1;
  f.process.stubborn = true;
  app::ShutdownPlan plan;
  plan.drain_timeout = 1s;
  plan.unwind_timeout = 2s;
  f.start(plan);
  f.sleeper.advance(1s);
  f.settle();
  CHECK_FALSE(f.report);
  CHECK(f.process.steps.back() == "cancel_connections");
  f.sleeper.advance(2s);
  f.settle();
  REQUIRE(f.report);
  CHECK_FALSE(f.report->unwound);
  CHECK(f.process.steps.back() == "stop_background");
}

// --shutdown-delay (issue 12, item 8): readiness turns 503 at once, but the listeners keep
// accepting for the delay; only then do they stop and the drain starts.
TEST_CASE("shutdown: the shutdown delay keeps serving after readiness turned 503", "[app][shutdown]") {
  Fixture f;
  app::ShutdownPlan plan;
  plan.shutdown_delay = 5s;
  f.start(plan);
  CHECK(f.process.steps == std::vector<std::string>{"announce_draining"});
  f.sleeper.advance(4s);
  f.settle();
  CHECK(f.process.steps == std::vector<std::string>{"announce_draining"});
  f.sleeper.advance(1s);
  f.settle();
  REQUIRE(f.report);
  CHECK(f.process.steps ==
        std::vector<std::string>{"announce_draining", "stop_accepting", "stop_background"});
  CHECK(f.clock.steady_now() - f.t0 == 5s);
}
