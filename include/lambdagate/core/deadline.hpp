#pragma once
// Deadline: the single timeout idiom of the request path. A deadline is fixed when a request
// starts (from the route timeout) and passed down; each layer asks how much time is left.
#include <chrono>
#include <optional>

#include "lambdagate/core/clock.hpp"

namespace lambdagate::core {

class Deadline {
public:
  // A deadline that never expires (route timeout 0 disables the timeout, as in Envoy).
  static Deadline never() { return Deadline{}; }
  static Deadline after(const Clock& clock, std::chrono::steady_clock::duration d) {
    return Deadline{clock.steady_now() + d};
  }
  static Deadline at(SteadyTime t) { return Deadline{t}; }

  bool is_never() const { return !at_.has_value(); }
  std::optional<SteadyTime> time() const { return at_; }
  bool expired(const Clock& clock) const { return at_ && clock.steady_now() >= *at_; }

  // Time left, never negative; `cap` when the deadline is unlimited.
  std::chrono::steady_clock::duration remaining(const Clock& clock,
                                                std::chrono::steady_clock::duration cap) const {
    return at_ ? remaining_at(clock.steady_now(), cap) : cap;
  }
  // The same from a time already read (a coarse one, say).
  std::chrono::steady_clock::duration remaining_at(SteadyTime now, std::chrono::steady_clock::duration cap) const {
    if (!at_) return cap;
    auto left = *at_ - now;
    if (left < std::chrono::steady_clock::duration::zero()) return std::chrono::steady_clock::duration::zero();
    return left < cap ? left : cap;
  }

  // The earlier of two deadlines.
  Deadline min(const Deadline& other) const {
    if (!at_) return other;
    if (!other.at_) return *this;
    return Deadline{*at_ < *other.at_ ? *at_ : *other.at_};
  }

private:
  Deadline() = default;
  explicit Deadline(SteadyTime t) : at_(t) {}
  std::optional<SteadyTime> at_;
};

}  // namespace lambdagate::core
