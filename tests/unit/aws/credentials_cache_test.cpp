// CredentialsCache and its pure policies, driven by a FakeClock and a FakeSleeper: when it
// fetches, what it serves while the source fails, how it backs off, and how requests wait.
#include "lambdagate/aws/credentials_cache.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fakes/fake_clock.hpp"
#include "fakes/fake_sleeper.hpp"
#include "lambdagate/core/sleeper.hpp"
#include "lambdagate/core/task.hpp"

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace lambdagate;
using aws::backoff_delay;
using aws::Credentials;
using aws::CredentialsCache;
using aws::CredentialsError;
using aws::CredentialsResult;
using aws::refresh_time;
using aws::RefreshPolicy;
using core::SystemTime;
using testing::FakeClock;
using testing::FakeSleeper;

// One scripted answer: given the fetch time and the fetch number (1-based), what the source says.
using Step = std::function<CredentialsResult(SystemTime now, int n)>;

Step ok_for(std::chrono::seconds lifetime) {
  return [lifetime](SystemTime now, int n) -> CredentialsResult {
    return Credentials{"AKID" + std::to_string(n), "secret" + std::to_string(n), "token" + std::to_string(n),
                       now + lifetime};
  };
}

Step fail_with(std::string message, bool retryable) {
  return [message, retryable](SystemTime, int) -> CredentialsResult {
    return CredentialsError{message, retryable};
  };
}

// A CredentialsProvider that answers from a script. With the script empty and no `repeat` step,
// a fetch hangs (like a source that never answers) until the test pushes a step; it counts the
// fetches running at once, so single flight is observable.
class ScriptedProvider final : public aws::CredentialsProvider {
 public:
  explicit ScriptedProvider(FakeClock& clock) : clock_(clock) {}

  void push(Step step) {
    script_.push_back(std::move(step));
    if (gate_) gate_->cancel();
  }
  void set_repeat(Step step) {
    repeat_ = std::move(step);
    if (gate_) gate_->cancel();
  }
  // Called at the start of every fetch, with the fetch time.
  std::function<void(SystemTime)> on_fetch;

  lambdagate::core::Task<CredentialsResult> fetch() override {
    const SystemTime now = clock_.system_now();
    fetch_times.push_back(now);
    const int n = static_cast<int>(fetch_times.size());
    ++in_flight;
    max_in_flight = std::max(max_in_flight, in_flight);
    if (on_fetch) on_fetch(now);
    while (script_.empty() && !repeat_) {
      const auto executor = co_await asio::this_coro::executor;
      gate_.emplace(executor, asio::steady_timer::time_point::max());
      boost::system::error_code ec;
      co_await gate_->async_wait(asio::redirect_error(lambdagate::core::use_task, ec));
      gate_.reset();
      const auto state = co_await asio::this_coro::cancellation_state;
      if (state.cancelled() != asio::cancellation_type::none) {
        --in_flight;
        co_return CredentialsError{"cancelled", true};
      }
    }
    Step step = repeat_;
    if (!script_.empty()) {
      step = std::move(script_.front());
      script_.pop_front();
    }
    --in_flight;
    co_return step(now, n);
  }
  std::string source() const override { return "scripted"; }

  std::vector<SystemTime> fetch_times;
  int in_flight = 0;
  int max_in_flight = 0;

 private:
  FakeClock& clock_;
  std::deque<Step> script_;
  Step repeat_;
  std::optional<asio::steady_timer> gate_;
};

// A cache over a ScriptedProvider, a FakeClock and a FakeSleeper (jumping through time by
// default; holding each sleep until the test moves time, for the tests of waiting requests). The
// io_context is declared first so it outlives everything its handlers refer to; the destructor
// stops the loop and drains it.
struct Fixture {
  asio::io_context io;
  FakeClock clock;  // 2015-08-30T12:36:00Z
  SystemTime t0 = clock.system_now();
  std::shared_ptr<FakeSleeper> sleeper;
  std::shared_ptr<ScriptedProvider> provider = std::make_shared<ScriptedProvider>(clock);
  RefreshPolicy policy;
  std::shared_ptr<CredentialsCache> cache;

  explicit Fixture(RefreshPolicy refresh = {}, FakeSleeper::Mode mode = FakeSleeper::Mode::Jump)
      : sleeper(std::make_shared<FakeSleeper>(clock, mode)), policy(refresh) {
    cache = std::make_shared<CredentialsCache>(provider, clock, sleeper, policy);
  }
  ~Fixture() {
    cache->stop();
    provider->set_repeat(fail_with("test over", true));
    io.restart();
    io.run_for(2s);
  }

  // Runs handlers until `done` holds; fails the test if it never does.
  template <class Pred>
  void run_until(Pred done, int max_steps = 100000) {
    for (int i = 0; i < max_steps && !done(); ++i) {
      if (io.stopped()) io.restart();
      io.run_one_for(50ms);
    }
    REQUIRE(done());
  }
};

template <class T>
struct Pending {
  bool done = false;
  T value{};
};

// Spawns a wait_for_credentials on the fixture's io_context; the result lands in the returned slot.
std::shared_ptr<Pending<std::shared_ptr<const Credentials>>> spawn_wait(Fixture& f, core::Deadline deadline) {
  auto slot = std::make_shared<Pending<std::shared_ptr<const Credentials>>>();
  asio::co_spawn(f.io, f.cache->wait_for_credentials(deadline),
                 [slot](std::exception_ptr e, std::shared_ptr<const Credentials> c) {
                   REQUIRE_FALSE(e);
                   slot->done = true;
                   slot->value = std::move(c);
                 });
  return slot;
}

}  // namespace

// ---- pure policies --------------------------------------------------------------------------

// Refresh once the time left drops below min(15 min, half the lifetime).
TEST_CASE("refresh_time refreshes at min(15 min, half the lifetime) before expiry", "[credentials]") {
  const RefreshPolicy policy;
  const SystemTime t0{std::chrono::seconds{1'700'000'000}};
  auto at = [&](std::chrono::seconds lifetime) {
    return refresh_time(Credentials{"AKID", "secret", "token", t0 + lifetime}, t0, policy);
  };
  CHECK(at(1h) == t0 + 45min);
  CHECK(at(24s) == t0 + 12s);
  CHECK(at(10min) == t0 + 5min);
  CHECK(at(12h) == t0 + 12h - 15min);
  CHECK(at(30min) == t0 + 15min);  // the two rules meet
  // Credentials already expired when fetched: refresh at once (the cache refuses them anyway).
  CHECK(at(0s) == t0);
  CHECK(refresh_time(Credentials{"AKID", "secret", "", t0 - 1s}, t0, policy) == t0);
  // A smaller configured margin wins over half the lifetime.
  RefreshPolicy tight;
  tight.max_margin = 2min;
  CHECK(refresh_time(Credentials{"AKID", "secret", "token", t0 + 1h}, t0, tight) == t0 + 58min);
}

// Long-term keys never need refreshing.
TEST_CASE("refresh_time of credentials without expiration is never", "[credentials]") {
  const SystemTime t0{std::chrono::seconds{1'700'000'000}};
  CHECK(refresh_time(Credentials{"AKID", "secret", "", std::nullopt}, t0, RefreshPolicy{}) ==
        SystemTime::max());
}

// Full jitter: every delay lies in [0, min(max, initial * 2^(n-1))]; the cap doubles, then stops.
TEST_CASE("backoff_delay is full jitter under a doubling, capped bound", "[credentials]") {
  RefreshPolicy policy;  // explicit, so the table below does not depend on the defaults
  policy.initial_backoff = 250ms;
  policy.max_backoff = 30s;
  std::mt19937_64 rng(12345);
  const std::vector<std::chrono::milliseconds> caps = {250ms,   500ms,   1000ms,  2000ms,  4000ms, 8000ms,
                                                       16000ms, 30000ms, 30000ms, 30000ms, 30000ms};
  std::vector<std::chrono::milliseconds> largest(caps.size(), 0ms);
  for (int sample = 0; sample < 500; ++sample) {
    for (std::size_t i = 0; i < caps.size(); ++i) {
      const auto d = backoff_delay(static_cast<unsigned>(i + 1), policy, rng);
      REQUIRE(d >= 0ms);
      REQUIRE(d <= caps[i]);
      largest[i] = std::max(largest[i], d);
    }
  }
  // 500 uniform samples come within 2 % of their cap: the bound really grows, then stays at 30 s.
  for (std::size_t i = 0; i < caps.size(); ++i) CHECK(largest[i] * 50 >= caps[i] * 49);

  // Failure 0 is treated as the first; absurd counts stay bounded without overflowing.
  for (int sample = 0; sample < 100; ++sample) {
    CHECK(backoff_delay(0, policy, rng) <= 250ms);
    CHECK(backoff_delay(1'000'000, policy, rng) <= 30s);
  }
  // A fixed seed replays the same delays.
  std::mt19937_64 a(7), b(7);
  for (unsigned n = 1; n < 10; ++n) CHECK(backoff_delay(n, policy, a) == backoff_delay(n, policy, b));
}

// ---- the refresh loop ---------------------------------------------------------------------------

// The first fetch happens at start, and each refresh at its refresh point, across credentials of
// different lifetimes; every result is published and counted.
TEST_CASE("CredentialsCache fetches at start and refreshes before each expiry", "[credentials]") {
  Fixture f;
  f.provider->push(ok_for(1h));
  f.provider->push(ok_for(24s));
  f.provider->push(ok_for(10min));
  f.provider->push(ok_for(1h));

  CHECK_FALSE(f.cache->current(f.t0));
  f.cache->start(f.io.get_executor());
  CHECK(f.cache->fetch_in_flight());  // a request arriving now waits for the first fetch
  f.run_until([&] { return f.provider->fetch_times.size() == 5; });  // the 5th hangs

  const std::vector<SystemTime> expected = {f.t0, f.t0 + 45min, f.t0 + 45min + 12s, f.t0 + 45min + 12s + 5min,
                                            f.t0 + 45min + 12s + 5min + 45min};
  CHECK(f.provider->fetch_times == expected);
  CHECK(f.sleeper->wakes() == std::vector<SystemTime>(expected.begin() + 1, expected.end()));
  CHECK(f.provider->max_in_flight == 1);

  const auto served = f.cache->current(f.clock.system_now());
  REQUIRE(served);
  CHECK(served->access_key_id == "AKID4");
  CHECK(served->expiration == expected[3] + 1h);

  const auto status = f.cache->status();
  CHECK(status.source == "scripted");
  CHECK(status.refresh_success == 4);
  CHECK(status.refresh_failure == 0);
  CHECK(status.expiration == expected[3] + 1h);
  CHECK(status.last_success == expected[3]);
  CHECK_FALSE(status.last_failure);
  CHECK(status.last_error.empty());
  CHECK(status.has_credentials);
  CHECK(status.fetch_in_flight);
}

// Static keys are fetched once; no refresh loop keeps running for them.
TEST_CASE("CredentialsCache fetches credentials without expiration once", "[credentials]") {
  Fixture f;
  f.provider->push([](SystemTime, int) -> CredentialsResult {
    return Credentials{"AKID", "secret", "", {}};
  });
  f.cache->start(f.io.get_executor());
  f.io.run_for(1s);  // returns early once the loop has ended
  CHECK(f.io.stopped());
  CHECK(f.provider->fetch_times.size() == 1);
  CHECK(f.sleeper->wakes().empty());
  CHECK_FALSE(f.cache->fetch_in_flight());
  CHECK(f.cache->current(f.t0 + 24h * 365));
}

// STS down: the old credentials serve until they expire (retries never sleep past the expiry
// unannounced), then `current` is null (503, never unsigned), then the source heals.
TEST_CASE("CredentialsCache serves old credentials through failures, then none, then recovers",
          "[credentials]") {
  Fixture f;
  f.provider->push(ok_for(1h));
  f.provider->set_repeat(fail_with("STS is down", true));
  const SystemTime expiry = f.t0 + 1h;

  struct Seen {
    SystemTime at;
    bool served;
  };
  std::vector<Seen> seen;
  auto* cache = f.cache.get();
  f.provider->on_fetch = [&](SystemTime now) { seen.push_back({now, cache->current(now) != nullptr}); };

  f.cache->start(f.io.get_executor());
  f.run_until([&] { return f.clock.system_now() > expiry + 5min; });

  // The first refresh attempt is at the refresh point; every attempt before expiry still had the
  // old credentials to serve; every attempt after had none.
  REQUIRE(seen.size() > 2);
  CHECK(seen[1].at == f.t0 + 45min);
  int before_expiry = 0;
  for (std::size_t i = 1; i < seen.size(); ++i) {
    CHECK(seen[i].served == (seen[i].at < expiry));
    if (seen[i].at < expiry) ++before_expiry;
  }
  CHECK(before_expiry >= 10);
  CHECK_FALSE(f.cache->current(f.clock.system_now()));

  // Backoff while serving: never more than half the time left (or the initial backoff);
  // afterwards never more than the cap.
  const auto& wakes = f.sleeper->wakes();
  for (std::size_t i = 1; i < seen.size() && i < wakes.size(); ++i) {
    const auto slept = wakes[i] - seen[i].at;
    CHECK(slept >= 0s);
    CHECK(slept <= f.policy.max_backoff);
    if (seen[i].at < expiry) {
      const auto half = (expiry - seen[i].at) / 2;
      CHECK(slept <= std::max<SystemTime::duration>(half, f.policy.initial_backoff));
    }
  }

  auto status = f.cache->status();
  CHECK_FALSE(status.has_credentials);
  CHECK(status.refresh_success == 1);
  CHECK(status.refresh_failure == seen.size() - 1);
  CHECK(status.last_error == "STS is down");
  CHECK(status.last_failure);
  CHECK(status.expiration == expiry);  // of the credentials last served

  // The source heals: the next attempt publishes fresh credentials.
  f.provider->set_repeat(ok_for(1h));
  f.run_until([&] { return f.cache->status().refresh_success == 2; });
  const auto fresh = f.cache->current(f.clock.system_now());
  REQUIRE(fresh);
  CHECK(fresh->expiration > f.clock.system_now());
  status = f.cache->status();
  CHECK(status.has_credentials);
  CHECK(status.last_success);
  CHECK(*status.last_success > expiry);
}

// With nothing cached, retries follow backoff_delay exactly (seeded jitter): growing, bounded.
TEST_CASE("CredentialsCache backs off with full jitter, growing to the cap", "[credentials]") {
  RefreshPolicy policy;
  policy.jitter_seed = 42;
  Fixture f(policy);
  f.provider->set_repeat(fail_with("throttled", true));
  f.cache->start(f.io.get_executor());
  f.run_until([&] { return f.provider->fetch_times.size() == 16; });

  std::mt19937_64 rng(42);
  const auto& times = f.provider->fetch_times;
  for (unsigned n = 1; n < 15; ++n) {
    const auto expected = backoff_delay(n, policy, rng);
    CHECK(times[n] - times[n - 1] == expected);
    CHECK(expected <= std::min<std::chrono::milliseconds>(
                          policy.max_backoff, policy.initial_backoff * (1LL << std::min(n - 1, 20u))));
  }
  CHECK(f.cache->status().refresh_failure >= 15);
}

// A source that rejects us outright is retried at the slowest pace rather than abandoned.
TEST_CASE("CredentialsCache retries non-retryable failures at the maximum backoff", "[credentials]") {
  Fixture f;
  f.provider->set_repeat(fail_with("AccessDenied", false));
  f.cache->start(f.io.get_executor());
  f.run_until([&] { return f.provider->fetch_times.size() == 4; });
  const auto& times = f.provider->fetch_times;
  for (std::size_t i = 1; i < times.size(); ++i) CHECK(times[i] - times[i - 1] == f.policy.max_backoff);
  CHECK(f.cache->status().last_error == "AccessDenied");
}

// Blank keys and already-expired credentials are failures, never published.
TEST_CASE("CredentialsCache refuses blank or already-expired credentials", "[credentials]") {
  Fixture f;
  f.provider->push([](SystemTime now, int) -> CredentialsResult {
    return Credentials{"", "", "", now + 1h};
  });
  f.provider->push([](SystemTime now, int) -> CredentialsResult {
    return Credentials{"AKID", "secret", "token", now - 1s};
  });
  f.cache->start(f.io.get_executor());
  f.run_until([&] { return f.provider->fetch_times.size() == 3; });  // the 3rd hangs
  CHECK_FALSE(f.cache->current(f.clock.system_now()));
  const auto status = f.cache->status();
  CHECK(status.refresh_success == 0);
  CHECK(status.refresh_failure == 2);
  CHECK(status.last_error.find("expired") != std::string::npos);
  CHECK_FALSE(status.expiration);
}

// ---- single flight and waiting ------------------------------------------------------------------

// However many requests wait and however often start is called, one fetch runs at a time, and
// every waiter gets its result. The fake clock never moves here: the waiters are woken by the
// fetch completing, not by polling or by their deadlines.
TEST_CASE("CredentialsCache keeps exactly one fetch in flight and wakes its waiters", "[credentials]") {
  Fixture f({}, FakeSleeper::Mode::Hold);
  f.cache->start(f.io.get_executor());
  f.cache->start(f.io.get_executor());  // idempotent
  const auto deadline = core::Deadline::after(f.clock, 10s);
  std::vector<std::shared_ptr<Pending<std::shared_ptr<const Credentials>>>> waiters;
  for (int i = 0; i < 3; ++i) waiters.push_back(spawn_wait(f, deadline));

  f.run_until([&] { return f.sleeper->sleeping() == 3; });  // each waiter waits on its deadline
  CHECK(f.provider->fetch_times.size() == 1);
  CHECK(f.provider->in_flight == 1);
  CHECK(f.cache->fetch_in_flight());
  CHECK(f.cache->status().fetch_in_flight);
  for (const auto& w : waiters) CHECK_FALSE(w->done);

  f.provider->push(ok_for(1h));
  f.run_until(
      [&] { return std::all_of(waiters.begin(), waiters.end(), [](const auto& w) { return w->done; }); });
  for (const auto& w : waiters) {
    REQUIRE(w->value);
    CHECK(w->value->access_key_id == "AKID1");
  }
  CHECK(f.provider->max_in_flight == 1);
  CHECK(f.clock.system_now() == f.t0);
  // Their deadline waits were cancelled, not left behind: what sleeps now is the refresh loop,
  // until the refresh point of the new credentials.
  CHECK(f.sleeper->sleeping() == 1);
  CHECK(f.sleeper->next_wake() == f.t0 + 45min);
}

// A failed fetch wakes the waiters too: with nothing to serve they answer at once (503), rather
// than sitting out their deadline while the loop backs off.
TEST_CASE("wait_for_credentials ends when the fetch fails", "[credentials]") {
  Fixture f({}, FakeSleeper::Mode::Hold);
  f.cache->start(f.io.get_executor());
  auto waiter = spawn_wait(f, core::Deadline::after(f.clock, 10s));
  f.run_until([&] { return f.sleeper->sleeping() == 1; });
  f.provider->push(fail_with("STS is down", true));
  f.run_until([&] { return waiter->done; });
  CHECK_FALSE(waiter->value);
  CHECK(f.clock.system_now() == f.t0);
}

// A request that finds no credentials and no fetch in flight fails fast (503), without waiting.
TEST_CASE("wait_for_credentials returns null at once when no fetch is in flight", "[credentials]") {
  Fixture f({}, FakeSleeper::Mode::Hold);
  // Not started: nothing is fetching.
  auto waiter = spawn_wait(f, core::Deadline::after(f.clock, 10s));
  f.io.run();
  CHECK(waiter->done);
  CHECK_FALSE(waiter->value);
  CHECK(f.sleeper->wakes().empty());
}

// A fetch that outlasts the request's deadline: the wait ends at the deadline (fake time),
// empty-handed, while the fetch itself goes on.
TEST_CASE("wait_for_credentials returns null at the deadline", "[credentials]") {
  Fixture f({}, FakeSleeper::Mode::Hold);
  f.cache->start(f.io.get_executor());
  const auto deadline = core::Deadline::after(f.clock, 50ms);
  auto waiter = spawn_wait(f, deadline);
  f.run_until([&] { return f.sleeper->sleeping() == 1; });
  CHECK(f.sleeper->next_wake() == f.t0 + 50ms);
  f.sleeper->advance(49ms);
  f.io.run_for(10ms);
  CHECK_FALSE(waiter->done);
  f.sleeper->advance(1ms);
  f.run_until([&] { return waiter->done; });
  CHECK_FALSE(waiter->value);
  CHECK(deadline.expired(f.clock));
  CHECK(f.cache->fetch_in_flight());  // the fetch itself goes on
}

// Cancelling a waiting request (shutdown cancels its session) ends the wait at once.
TEST_CASE("wait_for_credentials ends when the request is cancelled", "[credentials]") {
  Fixture f({}, FakeSleeper::Mode::Hold);
  f.cache->start(f.io.get_executor());
  asio::cancellation_signal cancel;
  bool done = false;
  std::exception_ptr failure;
  asio::co_spawn(f.io, f.cache->wait_for_credentials(core::Deadline::never()),
                 asio::bind_cancellation_slot(cancel.slot(),
                                              [&](std::exception_ptr e, std::shared_ptr<const Credentials>) {
                                                done = true;
                                                failure = e;
                                              }));
  f.run_until([&] { return f.sleeper->sleeping() == 1; });
  cancel.emit(asio::cancellation_type::terminal);
  f.run_until([&] { return done; });
  CHECK(failure);  // operation_aborted, as any cancelled operation
  CHECK(f.sleeper->sleeping() == 0);
  CHECK(f.clock.system_now() == f.t0);
}

// ---- the real sleeper ---------------------------------------------------------------------------

// stop() cancels the loop's long sleep (45 minutes here), so shutdown does not wait for it; a
// request meanwhile finds no fetch in flight after a failure and does not wait either.
TEST_CASE("CredentialsCache::stop cancels a TimerSleeper sleep", "[credentials]") {
  asio::io_context io;
  FakeClock clock;  // never moves: the TimerSleeper would wait forever
  auto provider = std::make_shared<ScriptedProvider>(clock);
  provider->push(ok_for(1h));
  auto cache =
      std::make_shared<CredentialsCache>(provider, clock, std::make_shared<core::TimerSleeper>(clock));
  cache->start(io.get_executor());
  io.run_for(100ms);
  REQUIRE(provider->fetch_times.size() == 1);
  CHECK_FALSE(cache->fetch_in_flight());
  CHECK(cache->current(clock.system_now()));

  const auto began = std::chrono::steady_clock::now();
  cache->stop();
  io.run_for(5s);  // returns as soon as the loop has ended
  CHECK(io.stopped());
  CHECK(std::chrono::steady_clock::now() - began < 2s);
  CHECK(provider->fetch_times.size() == 1);
}
