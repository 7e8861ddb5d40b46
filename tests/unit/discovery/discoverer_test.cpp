// Discoverer over a FakeFunctionLister, a FakeClock and fake sleepers: paging, loop guards,
// failures that keep the last catalog, paced alias listing, and the polling loop's backoff,
// early rounds and stop.
#include "lambdagate/discovery/discoverer.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/system/system_error.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fakes/fake_clock.hpp"
#include "fakes/fake_function_lister.hpp"
#include "fakes/fake_sleeper.hpp"
#include "fakes/run.hpp"
#include "lambdagate/core/task.hpp"

namespace {

namespace asio = boost::asio;
using namespace lambdagate;
using namespace std::chrono_literals;
using core::ErrorKind;
using core::SystemTime;
using discovery::DiscoveredFunctions;
using discovery::Discoverer;
using discovery::DiscoveryOptions;
using discovery::RoundOutcome;
using discovery::RoundReport;
using discovery::RoundResult;
using testing::FakeClock;
using testing::FakeFunctionLister;
using testing::FakeSleeper;
using testing::function_version;
using testing::listing_error;
using testing::run;

struct Fixture {
  FakeClock clock;
  SystemTime t0 = clock.system_now();
  std::shared_ptr<FakeFunctionLister> lister = std::make_shared<FakeFunctionLister>(clock);
  std::shared_ptr<DiscoveredFunctions> functions = std::make_shared<DiscoveredFunctions>();
  std::shared_ptr<FakeSleeper> sleeper = std::make_shared<FakeSleeper>(clock);
  DiscoveryOptions options;

  Fixture() { options.jitter_seed = 42; }

  std::shared_ptr<Discoverer> make(std::shared_ptr<core::Sleeper> with = nullptr,
                                   discovery::RoundObserver observer = {}) {
    return std::make_shared<Discoverer>("default/lambda", lister, functions, clock, with ? with : sleeper,
                                        options, std::move(observer));
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    if (auto catalog = functions->catalog()) {
      for (const auto& entry : catalog->functions) out.push_back(entry.logical_name);
    }
    return out;
  }
};

// Every NextMarker is followed, in order, and the round publishes all pages' functions.
TEST_CASE("Discoverer: a round follows NextMarker through every page", "[discovery][discoverer]") {
  Fixture f;
  f.lister->serve_pages({{function_version("a"), function_version("a", "1")},
                         {function_version("b")},
                         {function_version("c"), function_version("c", "4")}});
  auto discoverer = f.make();
  const RoundResult result = run(discoverer->run_round());
  CHECK(result.ok());
  CHECK(result.pages == 3);
  CHECK(result.functions == 5);
  CHECK(result.changed);
  const auto calls = f.lister->calls_of("ListFunctions");
  REQUIRE(calls.size() == 3);
  CHECK(calls[0].marker == "");
  CHECK(calls[1].marker == "page-1");
  CHECK(calls[2].marker == "page-2");
  CHECK(f.names() == std::vector<std::string>{"a", "a:1", "b", "c", "c:4"});
  const auto status = f.functions->status();
  CHECK(status.rounds_succeeded == 1);
  CHECK(status.last_success == f.t0);
  CHECK(f.lister->calls_of("ListAliases").empty());  // aliases are off by default

  // The same listing again: a success, but nothing changed and the catalog object is kept.
  const auto before = f.functions->catalog();
  const RoundResult again = run(discoverer->run_round());
  CHECK(again.ok());
  CHECK_FALSE(again.changed);
  CHECK(f.functions->catalog() == before);
}

// A marker handed back twice, or more pages than max_pages, ends the round with an error
// instead of listing forever.
TEST_CASE("Discoverer: loop guards on markers and pages", "[discovery][discoverer]") {
  SECTION("a repeated marker") {
    Fixture f;
    f.lister->set_functions([](const std::string&) -> aws::ListResult<aws::FunctionVersionInfo> {
      return aws::ListPage<aws::FunctionVersionInfo>{{function_version("a")}, "same"};
    });
    const RoundResult result = run(f.make()->run_round());
    CHECK(result.outcome == RoundOutcome::Failed);
    CHECK(result.pages == 2);
    CHECK_THAT(result.error, Catch::Contains("loop guard"));
    CHECK(f.functions->catalog() == nullptr);
    CHECK(f.functions->status().rounds_failed == 1);
  }
  SECTION("too many pages") {
    Fixture f;
    f.options.max_pages = 5;
    int n = 0;
    f.lister->set_functions([&n](const std::string&) -> aws::ListResult<aws::FunctionVersionInfo> {
      return aws::ListPage<aws::FunctionVersionInfo>{{function_version("f" + std::to_string(n))},
                                                     "m" + std::to_string(++n)};
    });
    const RoundResult result = run(f.make()->run_round());
    CHECK_FALSE(result.ok());
    CHECK(f.lister->calls().size() == 5);
    CHECK_THAT(result.error, Catch::Contains("more than 5 pages"));
  }
}

// A failed round records the failure and keeps serving the last catalog; 429 is reported as
// throttled.
TEST_CASE("Discoverer: a failed round keeps the old catalog", "[discovery][discoverer]") {
  Fixture f;
  f.lister->serve_pages({{function_version("a")}, {function_version("b")}});
  auto discoverer = f.make();
  REQUIRE(run(discoverer->run_round()).ok());
  const auto catalog = f.functions->catalog();
  REQUIRE(catalog);

  // The second page fails: nothing of this round is published.
  f.lister->set_functions([](const std::string& marker) -> aws::ListResult<aws::FunctionVersionInfo> {
    if (marker.empty()) return aws::ListPage<aws::FunctionVersionInfo>{{function_version("x")}, "page-1"};
    return listing_error(ErrorKind::UpstreamUnavailable, 500,
                         "Lambda failed ListFunctions: ServiceException (HTTP 500)");
  });
  f.clock.advance(30s);
  const RoundResult failed = run(discoverer->run_round());
  CHECK(failed.outcome == RoundOutcome::Failed);
  CHECK(failed.functions == 2);
  CHECK(f.functions->catalog() == catalog);
  auto status = f.functions->status();
  CHECK(status.rounds_succeeded == 1);
  CHECK(status.rounds_failed == 1);
  CHECK(status.last_error == "Lambda failed ListFunctions: ServiceException (HTTP 500)");
  CHECK(status.last_attempt == f.t0 + 30s);
  CHECK(status.last_success == f.t0);

  f.lister->set_functions([](const std::string&) -> aws::ListResult<aws::FunctionVersionInfo> {
    return listing_error(ErrorKind::LambdaThrottled, 429,
                         "Lambda throttled ListFunctions: TooManyRequestsException");
  });
  const RoundResult throttled = run(discoverer->run_round());
  CHECK(throttled.outcome == RoundOutcome::Throttled);
  CHECK(discovery::to_string(throttled.outcome) == "throttled");
  CHECK(f.functions->catalog() == catalog);
}

// With aliases on, ListAliases is called for each function name (every page), spaced by
// 1/aliasCallsPerSecond through the Sleeper; a function deleted meanwhile (404) just has no
// aliases; any other alias failure fails the round.
TEST_CASE("Discoverer: aliases are listed at the configured pace", "[discovery][discoverer]") {
  Fixture f;
  f.options.aliases = true;
  f.options.alias_calls_per_second = 2;  // 500ms apart
  f.lister->serve_pages(
      {{function_version("a"), function_version("a", "1"), function_version("b"), function_version("c")}});
  f.lister->set_aliases(
      [](const std::string& name, const std::string& marker) -> aws::ListResult<aws::AliasInfo> {
        if (name == "a") return aws::ListPage<aws::AliasInfo>{{testing::alias("live", "1")}, ""};
        if (name == "b") return listing_error(ErrorKind::LambdaRejected, 404, "ResourceNotFoundException");
        if (marker.empty()) return aws::ListPage<aws::AliasInfo>{{testing::alias("x", "$LATEST")}, "next"};
        return aws::ListPage<aws::AliasInfo>{{testing::alias("y", "$LATEST")}, ""};
      });
  const RoundResult result = run(f.make()->run_round());
  REQUIRE(result.ok());
  CHECK(result.alias_calls == 4);
  const auto calls = f.lister->calls_of("ListAliases");
  REQUIRE(calls.size() == 4);
  CHECK(calls[0].function_name == "a");
  CHECK(calls[0].at == f.t0);
  CHECK(calls[1].function_name == "b");
  CHECK(calls[1].at == f.t0 + 500ms);
  CHECK(calls[2].function_name == "c");
  CHECK(calls[2].at == f.t0 + 1000ms);
  CHECK(calls[3].marker == "next");
  CHECK(calls[3].at == f.t0 + 1500ms);
  CHECK(f.sleeper->wakes() == std::vector<SystemTime>{f.t0 + 500ms, f.t0 + 1000ms, f.t0 + 1500ms});
  CHECK(f.names() == std::vector<std::string>{"a", "a:1", "a:live", "b", "c", "c:x", "c:y"});
  REQUIRE(f.functions->catalog()->find("a:live"));
  CHECK(f.functions->catalog()->find("a:live")->kind == discovery::EntryKind::Alias);

  // Throttled alias listing: the round fails and the catalog above stays.
  const auto catalog = f.functions->catalog();
  f.lister->set_aliases([](const std::string&, const std::string&) -> aws::ListResult<aws::AliasInfo> {
    return listing_error(ErrorKind::LambdaThrottled, 429, "Lambda throttled ListAliases");
  });
  const RoundResult failed = run(f.make()->run_round());
  CHECK(failed.outcome == RoundOutcome::Throttled);
  CHECK(f.functions->catalog() == catalog);
}

// The loop backs off with full jitter under a cap that doubles from 1s per consecutive failure,
// polls at the interval after a success, and starts over at 1s after the next failure.
TEST_CASE("Discoverer: backoff grows on failures and resets after a success", "[discovery][discoverer]") {
  Fixture f;
  asio::io_context io;
  int round = 0;
  f.lister->set_functions([&round](const std::string&) -> aws::ListResult<aws::FunctionVersionInfo> {
    ++round;
    if (round == 5) return aws::ListPage<aws::FunctionVersionInfo>{{function_version("a")}, ""};
    return listing_error(ErrorKind::UpstreamUnavailable, 503, "Lambda failed ListFunctions");
  });
  std::vector<RoundReport> reports;
  std::shared_ptr<Discoverer> discoverer;
  discoverer = f.make(nullptr, [&](const RoundReport& report) {
    reports.push_back(report);
    if (reports.size() == 6) discoverer->stop();
  });
  discoverer->start(io.get_executor());
  io.run_for(5s);
  CHECK(io.stopped());  // the loop ended after stop()

  REQUIRE(reports.size() == 6);
  const std::vector<unsigned> failures = {1, 2, 3, 4, 0, 1};
  const std::vector<std::chrono::milliseconds> caps = {1s, 2s, 4s, 8s, 30s, 1s};
  for (std::size_t i = 0; i < reports.size(); ++i) {
    INFO("round " << i + 1);
    CHECK(reports[i].upstream_key == "default/lambda");
    CHECK(reports[i].consecutive_failures == failures[i]);
    CHECK(reports[i].next_round_in <= caps[i]);
    CHECK(reports[i].next_round_in >= 0ms);
    // The pause is measured from the end of the round.
    if (i + 1 < reports.size())
      CHECK(reports[i + 1].started_at == reports[i].finished_at + reports[i].next_round_in);
  }
  CHECK(reports[4].result.ok());
  CHECK(reports[4].next_round_in == 30s);
  CHECK(reports[3].result.outcome == RoundOutcome::Failed);
  CHECK(f.functions->status().rounds_failed == 5);
  CHECK(f.functions->status().rounds_succeeded == 1);
  CHECK(f.names() == std::vector<std::string>{"a"});  // the success survives the later failure
}

// request_round() ends the pause early, but the round starts no sooner than 5s after the previous
// one started; a burst of requests costs one wake-up; stop() ends a pause at once.
TEST_CASE("Discoverer: requested rounds are early but rate-limited", "[discovery][discoverer]") {
  Fixture f;
  asio::io_context io;
  auto manual = std::make_shared<FakeSleeper>(f.clock, FakeSleeper::Mode::Hold);
  f.lister->serve_pages({{function_version("a")}});
  std::vector<RoundReport> reports;
  auto discoverer = f.make(manual, [&](const RoundReport& report) { reports.push_back(report); });
  discoverer->start(io.get_executor());

  auto run_until = [&](auto done) {
    for (int i = 0; i < 1000 && !done(); ++i) io.run_one_for(10ms);
    REQUIRE(done());
  };
  run_until([&] { return manual->sleeping() > 0; });
  REQUIRE(reports.size() == 1);
  CHECK(manual->wakes() == std::vector<SystemTime>{f.t0 + 30s});

  f.clock.advance(1s);
  for (int i = 0; i < 10; ++i) discoverer->request_round();
  run_until([&] { return manual->wakes().size() == 2 && manual->sleeping() > 0; });
  CHECK(manual->wakes()[1] == f.t0 + 5s);  // not now (t0+1s): 5s after the last round started
  io.poll();
  CHECK(manual->wakes().size() == 2);  // ten requests, one wake-up

  manual->wake_next();
  run_until([&] { return reports.size() == 2 && manual->sleeping() > 0; });
  CHECK(reports[1].requested);
  CHECK(reports[1].started_at == f.t0 + 5s);
  CHECK(f.lister->calls().size() == 2);
  CHECK(manual->wakes().back() == f.t0 + 35s);

  discoverer->stop();
  io.run_for(1s);
  CHECK(io.stopped());
  CHECK(reports.size() == 2);
}

// While the loop backs off after a failure, a requested round does not cut the backoff short.
TEST_CASE("Discoverer: no early round while backing off", "[discovery][discoverer]") {
  Fixture f;
  asio::io_context io;
  auto manual = std::make_shared<FakeSleeper>(f.clock, FakeSleeper::Mode::Hold);
  f.lister->set_functions([](const std::string&) -> aws::ListResult<aws::FunctionVersionInfo> {
    return listing_error(ErrorKind::LambdaRejected, 403,
                         "Lambda rejected ListFunctions: AccessDeniedException");
  });
  auto discoverer = f.make(manual);
  discoverer->start(io.get_executor());
  for (int i = 0; i < 1000 && manual->sleeping() == 0; ++i) io.run_one_for(10ms);
  REQUIRE(manual->sleeping());
  discoverer->request_round();
  io.poll();
  CHECK(manual->wakes().size() == 1);
  CHECK(f.lister->calls().size() == 1);
  CHECK(f.functions->status().last_error == "Lambda rejected ListFunctions: AccessDeniedException");
  discoverer->stop();
  io.run_for(1s);
  CHECK(io.stopped());
}

}  // namespace
