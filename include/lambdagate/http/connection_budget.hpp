#pragma once
// ConnectionBudget: the cap on client connections open at once over every listener and worker
// of the process (issue 12: descriptor exhaustion). Shared by the Servers of all workers, so it
// is lock-free. Over the cap a Server accepts and closes at once — a client never hangs in the
// backlog — and the refusal is reported, rate-limited by count (no clock needed): the first one,
// then every 1000th.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace lambdagate::http {

class ConnectionBudget {
 public:
  using Warn = std::function<void(std::string_view message)>;

  ConnectionBudget(std::size_t cap, Warn warn) : cap_(cap), warn_(std::move(warn)) {}

  // Takes one connection from the budget; false (and the refusal counted) when it is spent.
  bool try_acquire() {
    std::size_t open = open_.load(std::memory_order_relaxed);
    while (open < cap_) {
      if (open_.compare_exchange_weak(open, open + 1, std::memory_order_relaxed)) return true;
    }
    const std::uint64_t refused = refused_.fetch_add(1, std::memory_order_relaxed) + 1;
    if (warn_ && (refused == 1 || refused % 1000 == 0)) {
      warn_("connection limit of " + std::to_string(cap_) +
            " reached (spec.lambdagate.listener.maxConnections or derived from RLIMIT_NOFILE); closing new "
            "connections at once (" +
            std::to_string(refused) + " refused so far)");
    }
    return false;
  }
  void release() { open_.fetch_sub(1, std::memory_order_relaxed); }

  std::size_t cap() const { return cap_; }
  std::size_t open() const { return open_.load(std::memory_order_relaxed); }
  std::uint64_t refused() const { return refused_.load(std::memory_order_relaxed); }

 private:
  const std::size_t cap_;
  Warn warn_;
  std::atomic<std::size_t> open_{0};
  std::atomic<std::uint64_t> refused_{0};
};

// ByteBudget: the cap on request bytes buffered at once over every listener and worker
// (Settings spec.lambdagate.listener.maxBytesInFlight). The body limit bounds one request; this
// bounds them all, so many clients sending large bodies at once are answered 503 overloaded
// instead of growing memory without limit. Lock-free, shared by every session.
class ByteBudget {
 public:
  explicit ByteBudget(std::uint64_t cap) : cap_(cap) {}

  // Takes `bytes` from the budget; false (nothing taken) when they do not fit.
  bool try_acquire(std::uint64_t bytes) {
    std::uint64_t used = used_.load(std::memory_order_relaxed);
    while (bytes <= cap_ && used <= cap_ - bytes) {
      if (used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed)) return true;
    }
    return false;
  }
  void release(std::uint64_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }

  std::uint64_t cap() const { return cap_; }
  std::uint64_t used() const { return used_.load(std::memory_order_relaxed); }

 private:
  const std::uint64_t cap_;
  std::atomic<std::uint64_t> used_{0};
};

// What one request holds of a ByteBudget, given back when it is destroyed (the request answered).
class ByteReservation {
 public:
  explicit ByteReservation(ByteBudget* budget) : budget_(budget) {}
  ~ByteReservation() { reset(); }
  ByteReservation(const ByteReservation&) = delete;
  ByteReservation& operator=(const ByteReservation&) = delete;

  // Grows the reservation to `total` bytes; false when the budget cannot give that much. Without
  // a budget, always true.
  bool reserve(std::uint64_t total) {
    if (!budget_ || total <= held_) return true;
    if (!budget_->try_acquire(total - held_)) return false;
    held_ = total;
    return true;
  }
  void reset() {
    if (budget_ && held_ != 0) budget_->release(held_);
    held_ = 0;
  }
  std::uint64_t held() const { return held_; }

 private:
  ByteBudget* budget_;
  std::uint64_t held_ = 0;
};

// The cap derived from the descriptor limit: each client connection may need a second
// descriptor for its upstream call, and `reserve` are kept for files, the admin listener, the
// listening sockets and the control thread's own connections. At least 1.
inline std::size_t connection_cap_for_descriptors(std::uint64_t descriptor_limit, std::size_t reserve = 64) {
  if (descriptor_limit <= reserve + 2) return 1;
  return static_cast<std::size_t>((descriptor_limit - reserve) / 2);
}

}  // namespace lambdagate::http
