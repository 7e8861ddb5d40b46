#pragma once
// Clock: the one source of time. Wall time stamps requests (x-amz-date) and judges credential
// expiry; steady time measures intervals and deadlines. Logic never reads std::chrono clocks
// directly, so tests can drive it with a FakeClock (tests/fakes/fake_clock.hpp).
#include <chrono>

namespace lambdagate::core {

using SystemTime = std::chrono::system_clock::time_point;
using SteadyTime = std::chrono::steady_clock::time_point;

class Clock {
public:
  virtual ~Clock() = default;
  virtual SystemTime system_now() const = 0;
  virtual SteadyTime steady_now() const = 0;
};

class SystemClock final : public Clock {
public:
  SystemTime system_now() const override { return std::chrono::system_clock::now(); }
  SteadyTime steady_now() const override { return std::chrono::steady_clock::now(); }
};

}  // namespace lambdagate::core
