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
  // The coarse readings lag the precise ones by set_coarse_lag (none unless set), as the
  // kernel's tick-resolution clocks do (core/clock.hpp).
  core::SystemTime system_coarse() const override {
    return system_ - std::chrono::duration_cast<core::SystemTime::duration>(coarse_lag_);
  }
  core::SteadyTime steady_coarse() const override { return steady_ - coarse_lag_; }
  std::chrono::nanoseconds coarse_tick() const override { return coarse_lag_; }
  void set_coarse_lag(std::chrono::steady_clock::duration lag) { coarse_lag_ = lag; }

  void set(core::SystemTime t) { system_ = t; }
  void advance(std::chrono::steady_clock::duration d) {
    system_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
    steady_ += d;
  }

private:
  core::SystemTime system_;
  core::SteadyTime steady_{};
  std::chrono::steady_clock::duration coarse_lag_{};
};

}  // namespace lambdagate::testing
