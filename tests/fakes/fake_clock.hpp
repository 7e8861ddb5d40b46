#pragma once
// FakeClock: a Clock that moves only when a test moves it.
#include <chrono>

#include "lambdagate/core/clock.hpp"

namespace lambdagate::testing {

class FakeClock final : public core::Clock {
public:
  explicit FakeClock(core::SystemTime start = core::SystemTime{std::chrono::seconds{1440938160}})
      : system_(start) {}
  core::SystemTime system_now() const override { return system_; }
  core::SteadyTime steady_now() const override { return steady_; }

  void set(core::SystemTime t) { system_ = t; }
  void advance(std::chrono::steady_clock::duration d) {
    system_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
    steady_ += d;
  }

private:
  core::SystemTime system_;
  core::SteadyTime steady_{};
};

}  // namespace lambdagate::testing
