#pragma once
// FakeSleeper: a Sleeper for CredentialsCache tests. Each sleep records its target, moves the
// FakeClock there at once, and yields to the io_context, so a test drives the refresh loop step
// by step (io.run_one()) or in bulk (io.run_for()) through hours of fake time in microseconds.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <vector>

#include "fakes/fake_clock.hpp"
#include "lambdagate/aws/credentials_cache.hpp"

namespace lambdagate::testing {

class FakeSleeper final : public aws::Sleeper {
 public:
  explicit FakeSleeper(FakeClock& clock) : clock_(clock) {}

  boost::asio::awaitable<void> sleep_until(core::SystemTime when) override {
    wakes_.push_back(when);
    // Both wall and steady time move, so deadlines measured on the FakeClock move with it.
    // Never backwards: a target in the past is a wake-up "now".
    const core::SystemTime now = clock_.system_now();
    if (when > now) clock_.advance(when - now);
    // A named executor, not a temporary inside the co_await (GCC 12 coroutine bug).
    const auto executor = co_await boost::asio::this_coro::executor;
    co_await boost::asio::post(executor, boost::asio::use_awaitable);
  }

  // Every sleep target so far, in order.
  const std::vector<core::SystemTime>& wakes() const { return wakes_; }

 private:
  FakeClock& clock_;
  std::vector<core::SystemTime> wakes_;
};

}  // namespace lambdagate::testing
