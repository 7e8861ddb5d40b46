// Token buckets: refill by whole fill intervals from the steady time given, the header values a
// decision yields, and — under real threads — that the shared bucket never hands out a token twice.
#include "lambdagate/policy/rate_limit.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "fakes/fake_clock.hpp"
#include "lambdagate/policy/policy_error.hpp"

namespace {

using namespace lambdagate;
using namespace std::chrono_literals;
using policy::ConnectionTokenBucket;
using policy::RateLimitDecision;
using policy::SharedTokenBucket;

config::LocalRateLimit limit(std::uint32_t max, std::uint32_t per_fill, std::chrono::milliseconds interval) {
  config::LocalRateLimit l;
  l.max_tokens = max;
  l.tokens_per_fill = per_fill;
  l.fill_interval = interval;
  return l;
}

// The same scenario for both variants: a burst, the denial, the refill after the interval.
template <typename Bucket>
void burst_then_refill() {
  testing::FakeClock clock;
  Bucket bucket(limit(5, 5, 1000ms), clock.steady_now());
  for (std::uint32_t i = 0; i < 5; ++i) {
    const RateLimitDecision d = bucket.try_take(clock.steady_now());
    CHECK(d.allowed);
    CHECK(d.limit == 5);
    CHECK(d.remaining == 4 - i);
    CHECK(d.reset == 1s);
  }
  clock.advance(300ms);
  RateLimitDecision sixth = bucket.try_take(clock.steady_now());
  CHECK_FALSE(sixth.allowed);
  CHECK(sixth.remaining == 0);
  CHECK(sixth.reset == 1s);  // 700ms left, rounded up
  CHECK(sixth.retry_after == 1s);
  clock.advance(699ms);
  CHECK_FALSE(bucket.try_take(clock.steady_now()).allowed);  // 1ms before the fill
  clock.advance(1ms);
  const RateLimitDecision refilled = bucket.try_take(clock.steady_now());
  CHECK(refilled.allowed);
  CHECK(refilled.remaining == 4);
}

// Gloo's example: 5 tokens per second answers the sixth request of a burst with a denial and
// recovers at the next fill.
TEST_CASE("a burst is cut at maxTokens and recovers after the fill interval", "[policy][ratelimit]") {
  burst_then_refill<SharedTokenBucket>();
  burst_then_refill<ConnectionTokenBucket>();
}

// tokensPerFill smaller than maxTokens: each interval adds that many, capped at maxTokens, and
// idle intervals accumulate up to the cap.
template <typename Bucket>
void partial_refill() {
  testing::FakeClock clock;
  Bucket bucket(limit(10, 3, 100ms), clock.steady_now());
  for (int i = 0; i < 10; ++i) REQUIRE(bucket.try_take(clock.steady_now()).allowed);
  CHECK_FALSE(bucket.try_take(clock.steady_now()).allowed);
  clock.advance(100ms);
  for (int i = 0; i < 3; ++i) CHECK(bucket.try_take(clock.steady_now()).allowed);
  CHECK_FALSE(bucket.try_take(clock.steady_now()).allowed);
  clock.advance(250ms);  // two more fills (at 200ms and 300ms)
  int taken = 0;
  while (bucket.try_take(clock.steady_now()).allowed) ++taken;
  CHECK(taken == 6);
  clock.advance(std::chrono::hours(24 * 365));  // a year idle: full, not overflowed
  taken = 0;
  while (bucket.try_take(clock.steady_now()).allowed) ++taken;
  CHECK(taken == 10);
}

TEST_CASE("partial refills accumulate up to maxTokens", "[policy][ratelimit]") {
  partial_refill<SharedTokenBucket>();
  partial_refill<ConnectionTokenBucket>();
}

// Retry-After and x-ratelimit-reset for long intervals: seconds until the next fill, rounded up.
TEST_CASE("reset and Retry-After count to the next fill", "[policy][ratelimit]") {
  testing::FakeClock clock;
  SharedTokenBucket bucket(limit(1, 1, 60'000ms), clock.steady_now());
  CHECK(bucket.try_take(clock.steady_now()).allowed);
  clock.advance(10'500ms);
  const RateLimitDecision d = bucket.try_take(clock.steady_now());
  CHECK_FALSE(d.allowed);
  CHECK(d.reset == 50s);
  CHECK(d.retry_after == 50s);
}

// Header values: the three x-ratelimit-* when enabled, Retry-After on a denial only.
TEST_CASE("rate limit headers", "[policy][ratelimit]") {
  auto collect = [](const policy::RateLimitHeaders& headers) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& h : headers) out.emplace_back(std::string(h.name), std::string(h.value()));
    return out;
  };
  RateLimitDecision allowed{true, 5, 3, 1s, 0s};
  CHECK(collect(policy::rate_limit_headers(allowed, false)).empty());
  CHECK(collect(policy::rate_limit_headers(allowed, true)) ==
        std::vector<std::pair<std::string, std::string>>{
            {"x-ratelimit-limit", "5"}, {"x-ratelimit-remaining", "3"}, {"x-ratelimit-reset", "1"}});
  RateLimitDecision denied{false, 4294967295u, 0, 3600s, 3600s};
  CHECK(collect(policy::rate_limit_headers(denied, false)) ==
        std::vector<std::pair<std::string, std::string>>{{"retry-after", "3600"}});
  CHECK(collect(policy::rate_limit_headers(denied, true)) ==
        std::vector<std::pair<std::string, std::string>>{{"x-ratelimit-limit", "4294967295"},
                                                         {"x-ratelimit-remaining", "0"},
                                                         {"x-ratelimit-reset", "3600"},
                                                         {"retry-after", "3600"}});
}

// Shapes Gloo refuses are refused here too.
TEST_CASE("bucket shapes are checked", "[policy][ratelimit]") {
  const core::SteadyTime t{};
  CHECK_THROWS_AS(SharedTokenBucket(limit(0, 1, 1000ms), t), policy::PolicyError);
  CHECK_THROWS_AS(SharedTokenBucket(limit(1, 0, 1000ms), t), policy::PolicyError);
  CHECK_THROWS_AS(SharedTokenBucket(limit(1, 1, 49ms), t), policy::PolicyError);
  CHECK_NOTHROW(SharedTokenBucket(limit(1, 1, 50ms), t));
  config::LocalRateLimit placed = limit(1, 1, 10ms);
  placed.where = {"gw.yaml", 4};
  try {
    ConnectionTokenBucket bucket(placed, t);
    FAIL("no error");
  } catch (const policy::PolicyError& e) {
    CHECK(std::string(e.what()) == "gw.yaml:4: localRatelimit: fillInterval must be at least 50ms");
  }
}

// Under contention from several threads, with time standing still, exactly maxTokens requests
// are allowed in total: no token is handed out twice and none is lost.
TEST_CASE("the shared bucket hands out each token once under contention", "[policy][ratelimit]") {
  constexpr std::uint32_t kTokens = 200'000;
  constexpr int kThreads = 4;
  constexpr int kAttemptsPerThread = 100'000;  // 400,000 attempts for 200,000 tokens
  testing::FakeClock clock;
  const core::SteadyTime now = clock.steady_now() + 10ms;
  SharedTokenBucket bucket(limit(kTokens, 1, 1000ms), clock.steady_now());
  std::atomic<bool> go{false};
  std::vector<std::uint64_t> allowed(kThreads, 0);
  std::vector<std::vector<std::uint32_t>> remaining_seen(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      remaining_seen[t].reserve(kAttemptsPerThread);
      while (!go.load()) std::this_thread::yield();
      for (int i = 0; i < kAttemptsPerThread; ++i) {
        const RateLimitDecision d = bucket.try_take(now);
        if (d.allowed) {
          ++allowed[t];
          remaining_seen[t].push_back(d.remaining);
        }
      }
    });
  }
  go.store(true);
  for (auto& thread : threads) thread.join();
  std::uint64_t total = 0;
  for (auto n : allowed) total += n;
  CHECK(total == kTokens);
  // Each token leaves a distinct "remaining" behind: 0 … kTokens-1, each exactly once.
  std::vector<bool> seen(kTokens, false);
  bool duplicate = false;
  for (const auto& list : remaining_seen) {
    for (auto r : list) {
      if (r >= kTokens || seen[r]) duplicate = true;
      if (r < kTokens) seen[r] = true;
    }
  }
  CHECK_FALSE(duplicate);
}

// With time moving while threads race (some reading an older `now` than others), the total
// never exceeds what the fills supplied.
TEST_CASE("the shared bucket never over-grants while refills race", "[policy][ratelimit]") {
  constexpr std::uint32_t kMax = 50;
  constexpr std::uint32_t kPerFill = 10;
  constexpr int kThreads = 4;
  constexpr int kSteps = 2000;
  const core::SteadyTime origin{};
  SharedTokenBucket bucket(limit(kMax, kPerFill, 50ms), origin);
  std::atomic<std::uint64_t> total{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kSteps; ++i) {
        // Threads walk the same timeline at different offsets: some are "late" readers.
        const auto now = origin + std::chrono::milliseconds(5 * i + t);
        for (int k = 0; k < 3; ++k) {
          if (bucket.try_take(now).allowed) total.fetch_add(1);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const std::uint64_t last_fill = (5 * (kSteps - 1) + kThreads - 1) / 50;
  CHECK(total.load() <= kMax + kPerFill * last_fill);
  CHECK(total.load() >= kMax);  // at least the initial bucket went out
}

}  // namespace
