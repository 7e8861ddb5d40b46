#pragma once
// Clock: the one source of time. Wall time stamps requests (x-amz-date) and judges credential
// expiry; steady time measures intervals and deadlines. Logic never reads std::chrono clocks
// directly, so tests can drive it with a FakeClock (tests/fakes/fake_clock.hpp).
//
// The coarse readings are the kernel's time at its last tick: at most one tick (4 ms on a
// 250 Hz kernel) behind, and about 5 ns to read instead of 23 (measured on the benchmark
// machine). For bookkeeping a tick does not change: arming a step's deadline, an idle
// connection's age, the second an Invoke is signed in. Latencies and logged times read the
// precise clocks.
#include <time.h>

#include <chrono>

namespace lambdagate::core {

using SystemTime = std::chrono::system_clock::time_point;
using SteadyTime = std::chrono::steady_clock::time_point;

class Clock {
public:
  virtual ~Clock() = default;
  virtual SystemTime system_now() const = 0;
  virtual SteadyTime steady_now() const = 0;
  // The same clocks at a tick's resolution; a fake clock has only one reading of each.
  virtual SystemTime system_coarse() const { return system_now(); }
  virtual SteadyTime steady_coarse() const { return steady_now(); }
  // How far a coarse reading may be behind the precise one: the tick.
  virtual std::chrono::nanoseconds coarse_tick() const { return {}; }
};

// std::chrono's clocks are CLOCK_REALTIME and CLOCK_MONOTONIC; these read the same clocks'
// coarse variants, so their time points compare with theirs.
inline SteadyTime coarse_steady_now() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return SteadyTime(std::chrono::duration_cast<SteadyTime::duration>(std::chrono::seconds(ts.tv_sec) +
                                                                     std::chrono::nanoseconds(ts.tv_nsec)));
}

inline SystemTime coarse_system_now() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  return SystemTime(std::chrono::duration_cast<SystemTime::duration>(std::chrono::seconds(ts.tv_sec) +
                                                                     std::chrono::nanoseconds(ts.tv_nsec)));
}

class SystemClock final : public Clock {
public:
  SystemTime system_now() const override { return std::chrono::system_clock::now(); }
  SteadyTime steady_now() const override { return std::chrono::steady_clock::now(); }
  SystemTime system_coarse() const override { return coarse_system_now(); }
  SteadyTime steady_coarse() const override { return coarse_steady_now(); }
  std::chrono::nanoseconds coarse_tick() const override { return tick_; }

private:
  static std::chrono::nanoseconds read_tick() noexcept {
    timespec ts{};
    ::clock_getres(CLOCK_REALTIME_COARSE, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
  }
  std::chrono::nanoseconds tick_ = read_tick();
};

}  // namespace lambdagate::core
