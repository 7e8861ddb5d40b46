// JwksFetcher and Authenticator::authenticate_async over a FakeHttpClient, a FakeClock and a
// sleeper the test wakes by hand: the background schedule, outages that keep the last good keys,
// early fetches for unknown kids (rate-limited), waiters woken by the fetch completing (also
// across threads), and key rotation picked up by the request that needs it.
#include "lambdagate/policy/jwks_fetcher.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/http/string_body.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "fakes/fake_clock.hpp"
#include "fakes/fake_http_client.hpp"
#include "jwt_test_keys.hpp"
#include "lambdagate/core/task.hpp"
#include "lambdagate/policy/authenticator.hpp"
#include "lambdagate/policy/policy_error.hpp"

namespace {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;
using namespace lambdagate;
using namespace std::chrono_literals;
using json = nlohmann::json;
using policy::Algorithm;
using policy::JwksFetcher;
using policy::JwksFetchReport;
using testing::FakeClock;
using testing::FakeHttpClient;
using testing::TestKey;

constexpr const char* kUrl = "https://idp.example/.well-known/jwks.json";

// A Sleeper whose sleeps end only when the test moves time past them (advance_to) or when the
// sleeping coroutine is cancelled — so a test sees exactly who woke a waiter.
class ManualSleeper final : public core::Sleeper {
 public:
  explicit ManualSleeper(FakeClock& clock) : clock_(clock) {}

  lambdagate::core::Task<void> sleep_for(std::chrono::steady_clock::duration duration) override {
    const core::SystemTime when =
        clock_.system_now() + std::chrono::duration_cast<core::SystemTime::duration>(duration);
    co_await sleep_until(when);
  }

  lambdagate::core::Task<void> sleep_until(core::SystemTime when) override {
    targets.push_back(when);
    const auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor, asio::steady_timer::time_point::max());
    auto entry = entries_.insert(entries_.end(), Entry{when, &timer, false});
    bool fired = false;
    try {
      co_await timer.async_wait(lambdagate::core::use_task);
    } catch (const boost::system::system_error&) {
      fired = entry->fired;
      entries_.erase(entry);
      if (!fired) throw;  // cancelled from outside: a wake-up
    }
  }

  // Moves the clock to `t` and ends every sleep due by then.
  void advance_to(core::SystemTime t) {
    if (t > clock_.system_now()) clock_.advance(t - clock_.system_now());
    for (auto& e : entries_) {
      if (e.target <= t && !e.fired) {
        e.fired = true;
        e.timer->cancel();
      }
    }
  }
  std::size_t sleeping() const { return entries_.size(); }

  std::vector<core::SystemTime> targets;

 private:
  struct Entry {
    core::SystemTime target;
    asio::steady_timer* timer;
    bool fired;
  };
  FakeClock& clock_;
  std::list<Entry> entries_;
};

// An HttpClient whose answer waits until the test releases it, to hold a fetch in flight.
class GatedHttpClient final : public http::HttpClient {
 public:
  lambdagate::core::Task<http::ClientResult> send(const http::Endpoint&, http::ClientRequest,
                                           core::Deadline) override {
    ++calls;
    const auto executor = co_await asio::this_coro::executor;
    asio::steady_timer gate(executor, asio::steady_timer::time_point::max());
    gate_ = &gate;
    boost::system::error_code ignored;
    try {
      co_await gate.async_wait(lambdagate::core::use_task);
    } catch (const boost::system::system_error&) {
    }
    gate_ = nullptr;
    co_return answer_;
  }
  // Call on the client's executor.
  void release(std::string body) {
    answer_ = http::ClientResponse{200, {}, std::move(body)};
    if (gate_) gate_->cancel();
  }
  bool holding() const { return gate_ != nullptr; }
  int calls = 0;

 private:
  asio::steady_timer* gate_ = nullptr;
  http::ClientResult answer_ = http::ClientError{http::ClientErrorKind::Protocol, "unset"};
};

// A JWKS endpoint whose document and status the test changes at will.
struct Idp {
  std::string body;
  unsigned status = 200;
  std::optional<http::ClientError> error;  // answered instead, when set
  void serve(FakeHttpClient& client) {
    client.set_handler([this](const http::Endpoint&, const http::ClientRequest&) -> http::ClientResult {
      if (error) return *error;
      return http::ClientResponse{status, {}, body};
    });
  }
};

struct Fixture {
  asio::io_context io;
  FakeClock clock;
  std::shared_ptr<ManualSleeper> sleeper = std::make_shared<ManualSleeper>(clock);
  std::shared_ptr<FakeHttpClient> client = std::make_shared<FakeHttpClient>();
  Idp idp;
  std::vector<JwksFetchReport> reports;
  std::shared_ptr<JwksFetcher> fetcher;

  explicit Fixture(policy::JwksFetcherOptions options = {}) {
    idp.serve(*client);
    fetcher = std::make_shared<JwksFetcher>(kUrl, 5min, client, clock, sleeper, options,
                                            [this](const JwksFetchReport& r) { reports.push_back(r); });
  }
  ~Fixture() {
    fetcher->stop();
    io.poll();
  }
  core::SystemTime now() const { return clock.system_now(); }
};

// At start the JWKS is fetched with a GET to the URL, published, and the next fetch scheduled
// one cacheDuration later; advancing to it fetches again.
TEST_CASE("fetches at start and every cacheDuration", "[policy][jwks]") {
  Fixture f;
  const TestKey key = TestKey::rsa();
  f.idp.body = testing::jwks({key.jwk("k1")});
  const core::SystemTime t0 = f.now();
  CHECK_FALSE(f.fetcher->keys());
  f.fetcher->start(f.io.get_executor());
  f.io.poll();

  REQUIRE(f.client->calls().size() == 1);
  const auto& call = f.client->calls()[0];
  CHECK(call.request.method == "GET");
  CHECK(call.request.target == "/.well-known/jwks.json");
  CHECK(call.endpoint.host == "idp.example");
  CHECK(call.endpoint.port == 443);
  CHECK(testing::find_header(call.request.headers, "host") == "idp.example");
  REQUIRE(f.fetcher->keys());
  CHECK(f.fetcher->keys()->has_kid("k1"));
  CHECK(f.fetcher->generation() == 1);
  REQUIRE(f.reports.size() == 1);
  CHECK(f.reports[0].ok);
  CHECK(f.reports[0].keys == 1);
  CHECK(f.reports[0].next_fetch_in == 5min);
  REQUIRE(f.sleeper->targets.size() == 1);
  CHECK(f.sleeper->targets[0] == t0 + 5min);

  f.sleeper->advance_to(t0 + 5min - 1s);
  f.io.poll();
  CHECK(f.client->calls().size() == 1);
  f.sleeper->advance_to(t0 + 5min);
  f.io.poll();
  CHECK(f.client->calls().size() == 2);
  CHECK(f.fetcher->fetch_successes() == 2);
}

// An outage (HTTP errors, transport errors, a document without usable keys) keeps the last good
// keys, is reported and counted, and is retried with doubling backoff; recovery publishes anew.
TEST_CASE("an outage keeps the last good keys", "[policy][jwks]") {
  Fixture f;
  const TestKey old_key = TestKey::p256();
  const TestKey new_key = TestKey::p256();
  f.idp.body = testing::jwks({old_key.jwk("old")});
  f.fetcher->start(f.io.get_executor());
  f.io.poll();
  const auto good = f.fetcher->keys();
  REQUIRE(good);

  f.idp.status = 503;
  f.sleeper->advance_to(f.now() + 5min);
  f.io.poll();
  CHECK(f.fetcher->keys() == good);
  REQUIRE(f.reports.size() == 2);
  CHECK_FALSE(f.reports[1].ok);
  CHECK(f.reports[1].error == "HTTP 503");
  CHECK(f.reports[1].keys == 1);
  CHECK(f.reports[1].consecutive_failures == 1);
  CHECK(f.reports[1].next_fetch_in == 1s);

  f.idp.status = 200;
  f.idp.body = "{\"keys\": [{\"kty\": \"oct\", \"k\": \"AA\"}]}";
  f.sleeper->advance_to(f.now() + 1s);
  f.io.poll();
  CHECK(f.fetcher->keys() == good);
  REQUIRE(f.reports.size() == 3);
  CHECK(f.reports[2].error.starts_with("the JWKS was not usable: no usable key"));
  CHECK(f.reports[2].next_fetch_in == 2s);

  f.idp.error = http::ClientError{http::ClientErrorKind::ConnectFailed, "connection refused"};
  f.sleeper->advance_to(f.now() + 2s);
  f.io.poll();
  f.idp.error.reset();
  CHECK(f.reports[3].error == "connect_failed: connection refused");
  CHECK(f.reports[3].next_fetch_in == 4s);
  CHECK(f.fetcher->fetch_failures() == 3);

  f.idp.body = testing::jwks({new_key.jwk("new")});
  f.sleeper->advance_to(f.now() + 4s);
  f.io.poll();
  CHECK(f.reports[4].ok);
  CHECK(f.reports[4].consecutive_failures == 0);
  CHECK(f.fetcher->keys()->has_kid("new"));
  CHECK_FALSE(f.fetcher->keys()->has_kid("old"));
}

// The log line's reason names the kind of transport error; exact text checked above. Here: the
// backoff never exceeds max_backoff nor the cache duration.
TEST_CASE("backoff is capped", "[policy][jwks]") {
  policy::JwksFetcherOptions options;
  options.max_backoff = 10s;
  Fixture f(options);
  f.idp.status = 500;
  f.fetcher->start(f.io.get_executor());
  f.io.poll();
  for (int i = 0; i < 6; ++i) {
    f.sleeper->advance_to(f.now() + 1h);
    f.io.poll();
  }
  std::vector<std::chrono::milliseconds> delays;
  for (const auto& r : f.reports) delays.push_back(r.next_fetch_in);
  CHECK(delays == std::vector<std::chrono::milliseconds>{1s, 2s, 4s, 8s, 10s, 10s, 10s});
  CHECK_FALSE(f.fetcher->keys());
}

// An unknown kid asks for an early fetch: granted once min_refetch_interval has passed since the
// last fetch started, refused before; a burst costs one fetch.
TEST_CASE("early fetches are rate-limited", "[policy][jwks]") {
  Fixture f;
  f.idp.body = testing::jwks({TestKey::ed25519().jwk("k")});
  CHECK_FALSE(f.fetcher->request_refresh());  // not started
  f.fetcher->start(f.io.get_executor());
  f.io.poll();
  REQUIRE(f.client->calls().size() == 1);

  f.clock.advance(4s);
  CHECK_FALSE(f.fetcher->request_refresh());
  f.io.poll();
  CHECK(f.client->calls().size() == 1);

  f.clock.advance(1s);
  CHECK(f.fetcher->request_refresh());
  CHECK(f.fetcher->request_refresh());  // the same early fetch
  CHECK(f.fetcher->request_refresh());
  f.io.poll();
  REQUIRE(f.client->calls().size() == 2);
  CHECK(f.reports.back().requested);
  // The schedule restarts from the early fetch.
  CHECK(f.sleeper->targets.back() == f.now() + 5min);
  CHECK_FALSE(f.fetcher->request_refresh());
}

// A waiter is woken by the fetch completing: its own sleep (to its deadline) never fires, and
// time does not move. A waiter for a generation already passed returns at once.
TEST_CASE("a waiter is woken by the fetch completing, not by its deadline", "[policy][jwks]") {
  asio::io_context io;
  FakeClock clock;
  auto sleeper = std::make_shared<ManualSleeper>(clock);
  auto client = std::make_shared<GatedHttpClient>();
  auto fetcher = std::make_shared<JwksFetcher>(kUrl, 5min, client, clock, sleeper);
  const TestKey key = TestKey::rsa();
  fetcher->start(io.get_executor());
  io.poll();
  REQUIRE(client->holding());
  CHECK(fetcher->fetch_in_flight());
  CHECK(fetcher->request_refresh());  // a fetch is in flight: worth waiting for

  const core::SystemTime t0 = clock.system_now();
  bool done = false;
  const std::uint64_t seen = fetcher->generation();
  asio::co_spawn(
      io,
      [&]() -> lambdagate::core::Task<void> {
        const core::Deadline deadline = core::Deadline::after(clock, 10s);
        co_await fetcher->wait_for_fetch(seen, deadline);
        done = true;
      },
      asio::detached);
  io.poll();
  CHECK_FALSE(done);
  CHECK(sleeper->sleeping() == 1);  // the waiter, until its deadline
  // 10s of deadline, but never longer than one fetch may take (5s) plus a second.
  CHECK(sleeper->targets.back() == t0 + 6s);

  client->release(testing::jwks({key.jwk("k")}));
  io.poll();
  CHECK(done);
  CHECK(clock.system_now() == t0);  // nobody advanced time: the completion woke it
  CHECK(fetcher->generation() == seen + 1);
  CHECK(fetcher->keys());

  bool again = false;
  asio::co_spawn(
      io,
      [&]() -> lambdagate::core::Task<void> {
        co_await fetcher->wait_for_fetch(seen, core::Deadline::after(clock, 10s));
        again = true;
      },
      asio::detached);
  io.poll();
  CHECK(again);
  fetcher->stop();
  io.poll();
}

// A waiter whose deadline passes first returns then, without keys; the fetch goes on.
TEST_CASE("a waiter gives up at its deadline", "[policy][jwks]") {
  asio::io_context io;
  FakeClock clock;
  auto sleeper = std::make_shared<ManualSleeper>(clock);
  auto client = std::make_shared<GatedHttpClient>();
  auto fetcher = std::make_shared<JwksFetcher>(kUrl, 5min, client, clock, sleeper);
  fetcher->start(io.get_executor());
  io.poll();
  bool done = false;
  asio::co_spawn(
      io,
      [&]() -> lambdagate::core::Task<void> {
        co_await fetcher->wait_for_fetch(0, core::Deadline::after(clock, 2s));
        done = true;
      },
      asio::detached);
  io.poll();
  CHECK_FALSE(done);
  sleeper->advance_to(clock.system_now() + 2s);
  io.poll();
  CHECK(done);
  CHECK(client->holding());
  CHECK(fetcher->generation() == 0);
  // Stopping wakes whoever still waits, and ends the loop.
  bool late = false;
  asio::co_spawn(
      io,
      [&]() -> lambdagate::core::Task<void> {
        co_await fetcher->wait_for_fetch(0, core::Deadline::never());
        late = true;
      },
      asio::detached);
  io.poll();
  CHECK_FALSE(late);
  fetcher->stop();
  client->release("{}");
  io.poll();
  CHECK(late);
}

// Across threads, as in the gateway: the fetcher on a control io_context, the waiter on a worker
// io_context with a real timer. The worker is woken by the completion, long before its deadline.
TEST_CASE("a waiter on another thread is woken by the completion", "[policy][jwks]") {
  core::SystemClock clock;
  auto sleeper = std::make_shared<core::TimerSleeper>(clock);
  auto client = std::make_shared<GatedHttpClient>();
  asio::io_context control;
  asio::io_context worker;
  auto fetcher = std::make_shared<JwksFetcher>(kUrl, 5min, client, clock, sleeper);
  fetcher->start(control.get_executor());
  auto control_guard = asio::make_work_guard(control);
  std::thread control_thread([&] { control.run(); });

  std::promise<void> registered;
  std::promise<std::chrono::steady_clock::duration> woken;
  const auto deadline = core::Deadline::after(clock, 30s);
  asio::co_spawn(
      worker,
      [&]() -> lambdagate::core::Task<void> {
        const auto start = std::chrono::steady_clock::now();
        registered.set_value();
        co_await fetcher->wait_for_fetch(0, deadline);
        woken.set_value(std::chrono::steady_clock::now() - start);
      },
      asio::detached);
  std::thread worker_thread([&] { worker.run(); });
  registered.get_future().wait();
  // Let the registration reach the control thread, then complete the fetch there.
  std::this_thread::sleep_for(50ms);
  const std::string body = testing::jwks({TestKey::ed25519().jwk("k")});
  asio::post(control, [&] { client->release(body); });
  auto waited = woken.get_future();
  REQUIRE(waited.wait_for(20s) == std::future_status::ready);
  CHECK(waited.get() < 20s);
  CHECK(fetcher->keys());
  worker_thread.join();
  fetcher->stop();
  control_guard.reset();
  control_thread.join();
}

// --- authenticate_async over a remote JWKS -------------------------------------------------

using Request = lambdagate::http::Request;

Request bearer(const std::string& token) {
  Request r{beast_http::verb::get, "/orders", 11};
  r.set(beast_http::field::host, "api.example.com");
  r.set(beast_http::field::authorization, "Bearer " + token);
  return r;
}

json claims_at(core::SystemTime now) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  return {{"iss", "https://idp.example"}, {"sub", "u"}, {"exp", s + 600}};
}

config::JwtConfig remote_config() {
  config::JwtProvider p;
  p.name = "idp";
  p.issuer = "https://idp.example";
  p.remote_jwks = config::RemoteJwks{kUrl, 5min, {}};
  config::JwtConfig c;
  c.providers.push_back(p);
  return c;
}

// Runs authenticate_async to completion on `io`.
policy::AuthResult run_auth(asio::io_context& io, const policy::Authenticator& auth, const Request& request,
                            const core::Clock& clock) {
  std::optional<policy::AuthResult> out;
  asio::co_spawn(
      io,
      [&]() -> lambdagate::core::Task<void> {
        const core::Deadline deadline = core::Deadline::after(clock, 5s);
        out = co_await auth.authenticate_async(request, clock, deadline, "http://api.example.com/orders");
      },
      asio::detached);
  io.poll();
  REQUIRE(out);
  return *out;
}

// Key rotation: a token signed with a key the cached JWKS lacks triggers one early fetch; the
// request waits for it and passes. A forged kid right after gets its 401 without another fetch.
TEST_CASE("a rotated key is fetched for the request that needs it", "[policy][jwks][auth]") {
  Fixture f;
  const TestKey k1 = TestKey::rsa();
  const TestKey k2 = TestKey::p256();
  f.idp.body = testing::jwks({k1.jwk("k1")});
  f.fetcher->start(f.io.get_executor());
  f.io.poll();
  const policy::Authenticator auth(remote_config(), [&](const config::JwtProvider& p) {
    CHECK(p.remote_jwks->url == kUrl);
    return f.fetcher;
  });

  CHECK(run_auth(f.io, auth, bearer(make_token(k1, Algorithm::RS256, claims_at(f.now()), {{"kid", "k1"}})),
                 f.clock)
            .claims);
  CHECK(f.client->calls().size() == 1);

  f.clock.advance(10s);
  f.idp.body = testing::jwks({k1.jwk("k1"), k2.jwk("k2")});  // the IdP rotates
  const auto rotated = run_auth(
      f.io, auth, bearer(make_token(k2, Algorithm::ES256, claims_at(f.now()), {{"kid", "k2"}})), f.clock);
  CHECK(rotated.allowed());
  CHECK(rotated.claims);
  CHECK(f.client->calls().size() == 2);

  const auto forged = run_auth(
      f.io, auth, bearer(make_token(k2, Algorithm::ES256, claims_at(f.now()), {{"kid", "k3"}})), f.clock);
  CHECK(forged.http_status() == 401);
  CHECK(forged.failure == policy::JwtFailure::UnknownKey);
  CHECK(f.client->calls().size() == 2);  // within min_refetch_interval: no fetch
}

// Before the first fetch has completed, a request waits for it rather than failing at once.
TEST_CASE("a request waits for the first fetch", "[policy][jwks][auth]") {
  asio::io_context io;
  FakeClock clock;
  auto sleeper = std::make_shared<ManualSleeper>(clock);
  auto client = std::make_shared<GatedHttpClient>();
  auto fetcher = std::make_shared<JwksFetcher>(kUrl, 5min, client, clock, sleeper);
  const TestKey key = TestKey::ed25519();
  fetcher->start(io.get_executor());
  io.poll();
  const policy::Authenticator auth(remote_config(), [&](const config::JwtProvider&) { return fetcher; });
  const Request request = bearer(make_token(key, Algorithm::EdDSA, claims_at(clock.system_now())));
  std::optional<policy::AuthResult> out;
  asio::co_spawn(
      io,
      [&]() -> lambdagate::core::Task<void> {
        out = co_await auth.authenticate_async(request, clock, core::Deadline::after(clock, 5s), "r");
      },
      asio::detached);
  io.poll();
  CHECK_FALSE(out);
  client->release(testing::jwks({key.jwk()}));
  io.poll();
  REQUIRE(out);
  CHECK(out->claims);
  CHECK(client->calls == 1);
  fetcher->stop();
  io.poll();
}

// A malformed URL is a config error.
TEST_CASE("a remote JWKS URL must be http(s)", "[policy][jwks]") {
  FakeClock clock;
  auto sleeper = std::make_shared<ManualSleeper>(clock);
  auto client = std::make_shared<FakeHttpClient>();
  CHECK_THROWS_AS(JwksFetcher("ftp://idp.example/jwks", 5min, client, clock, sleeper), policy::PolicyError);
  CHECK_THROWS_AS(JwksFetcher("idp.example/jwks", 5min, client, clock, sleeper), policy::PolicyError);
}

}  // namespace
