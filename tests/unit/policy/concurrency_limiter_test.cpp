// ConcurrencyLimiter: permits up to the cap, shedding beyond it, slots returned by RAII, and the
// cap holding under contention from several threads.
#include "lambdagate/policy/concurrency_limiter.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <optional>
#include <thread>
#include <vector>

namespace {

using lambdagate::policy::ConcurrencyLimiter;

// Two permits for a cap of two; the third is shed and counted; releasing one frees a slot.
TEST_CASE("permits up to the cap, shed beyond it", "[policy][concurrency]") {
  ConcurrencyLimiter limiter(2);
  auto a = limiter.try_acquire();
  auto b = limiter.try_acquire();
  REQUIRE(a);
  REQUIRE(b);
  CHECK(limiter.in_flight() == 2);
  CHECK_FALSE(limiter.try_acquire());
  CHECK(limiter.shed() == 1);
  a.reset();
  CHECK(limiter.in_flight() == 1);
  auto c = limiter.try_acquire();
  CHECK(c);
  CHECK(limiter.in_flight() == 2);
}

// Moving a permit moves the slot; only the last owner gives it back.
TEST_CASE("a moved permit releases once", "[policy][concurrency]") {
  ConcurrencyLimiter limiter(1);
  {
    auto first = limiter.try_acquire();
    REQUIRE(first);
    ConcurrencyLimiter::Permit moved = std::move(*first);
    first.reset();
    CHECK(limiter.in_flight() == 1);
    CHECK_FALSE(limiter.try_acquire());
  }
  CHECK(limiter.in_flight() == 0);
  CHECK(limiter.try_acquire());
}

// A cap of zero sheds everything.
TEST_CASE("a zero cap sheds every call", "[policy][concurrency]") {
  ConcurrencyLimiter limiter(0);
  CHECK_FALSE(limiter.try_acquire());
  CHECK(limiter.shed() == 1);
}

// Threads hammering a cap of 3 never see more than 3 permits held at once, and every slot is
// back at the end.
TEST_CASE("the cap holds under contention", "[policy][concurrency]") {
  ConcurrencyLimiter limiter(3);
  std::atomic<int> holding{0};
  std::atomic<int> max_holding{0};
  std::atomic<std::uint64_t> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50'000; ++i) {
        if (auto permit = limiter.try_acquire()) {
          const int now = holding.fetch_add(1) + 1;
          int seen = max_holding.load();
          while (now > seen && !max_holding.compare_exchange_weak(seen, now)) {
          }
          granted.fetch_add(1);
          holding.fetch_sub(1);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(max_holding.load() <= 3);
  CHECK(granted.load() + limiter.shed() == 200'000);
  CHECK(limiter.in_flight() == 0);
}

}  // namespace
