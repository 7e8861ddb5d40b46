// RateLimitedLog: one line per key per window, the suppressed count on the next line, keys
// independent; driven by a FakeClock, read back through an ostream sink.
#include "lambdagate/observability/rate_limited_log.hpp"

#include <catch2/catch.hpp>
#include <memory>
#include <sstream>

#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include "fakes/fake_clock.hpp"

using namespace lambdagate;
using namespace std::chrono_literals;

// Within the window a key is written once; the first line after it carries the count of those
// refused meanwhile, and another key is not held back by the first.
TEST_CASE("rate-limited log: one line per key per window, with the suppressed count", "[observability][ratelimit]") {
  testing::FakeClock clock;
  observability::RateLimitedLog log(clock, nullptr, 10s);
  CHECK(log.admit("a") == std::optional<std::size_t>(0));
  CHECK_FALSE(log.admit("a"));
  clock.advance(9s);
  CHECK_FALSE(log.admit("a"));
  CHECK(log.admit("b") == std::optional<std::size_t>(0));
  clock.advance(1s);
  CHECK(log.admit("a") == std::optional<std::size_t>(2));
  CHECK_FALSE(log.admit("a"));
  clock.advance(10s);
  CHECK(log.admit("a") == std::optional<std::size_t>(1));
  CHECK(log.admit("b") == std::optional<std::size_t>(0));
}

// The written lines: warn level, the message, and the count once something was suppressed.
TEST_CASE("rate-limited log: the warn lines", "[observability][ratelimit]") {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(out);
  spdlog::logger logger("test", sink);
  logger.set_pattern("%l %v");
  testing::FakeClock clock;
  observability::RateLimitedLog log(clock, &logger, 10s);
  for (int i = 0; i < 5; ++i) log.warn("k", "Lambda unreachable");
  clock.advance(10s);
  log.warn("k", "Lambda unreachable");
  logger.flush();
  CHECK(out.str() ==
        "warning Lambda unreachable\n"
        "warning Lambda unreachable (4 similar suppressed since the previous line)\n");
}

// A flood of distinct keys cannot grow the table without bound: past the cap, new keys are
// refused until old windows have passed, then admitted again.
TEST_CASE("rate-limited log: the key table is bounded", "[observability][ratelimit]") {
  testing::FakeClock clock;
  observability::RateLimitedLog log(clock, nullptr, 10s);
  for (int i = 0; i < 1024; ++i) REQUIRE(log.admit("key" + std::to_string(i)));
  CHECK_FALSE(log.admit("one more"));
  clock.advance(10s);
  CHECK(log.admit("one more") == std::optional<std::size_t>(0));
}
