#pragma once
// ConcurrencyLimiter: the extension maxConcurrency (per Lambda function or per route): at most
// `limit` calls in flight at once in this process; one more is shed (429 rate_limited) before it
// reaches Lambda, so one hot route cannot use up the account's Lambda concurrency. Lock-free:
// one atomic counter shared by every worker; a Permit gives its slot back when destroyed.
#include <atomic>
#include <cstdint>
#include <optional>
#include <utility>

namespace lambdagate::policy {

class ConcurrencyLimiter {
 public:
  // A slot held for one call. Movable; the limiter must outlive it (keep the snapshot that owns
  // the limiter alive for the whole request, as the request path does anyway).
  class Permit {
   public:
    Permit(Permit&& other) noexcept : owner_(std::exchange(other.owner_, nullptr)) {}
    Permit& operator=(Permit&& other) noexcept {
      if (this != &other) {
        release();
        owner_ = std::exchange(other.owner_, nullptr);
      }
      return *this;
    }
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    ~Permit() { release(); }

   private:
    friend class ConcurrencyLimiter;
    explicit Permit(ConcurrencyLimiter* owner) : owner_(owner) {}
    void release() {
      if (owner_) owner_->in_flight_.fetch_sub(1, std::memory_order_acq_rel);
      owner_ = nullptr;
    }
    ConcurrencyLimiter* owner_;
  };

  explicit ConcurrencyLimiter(std::uint32_t limit) : limit_(limit) {}
  ConcurrencyLimiter(const ConcurrencyLimiter&) = delete;
  ConcurrencyLimiter& operator=(const ConcurrencyLimiter&) = delete;

  // A permit, or nullopt at the cap (counted in shed()). Never exceeds the cap, even briefly:
  // the slot is claimed with compare-and-swap, not incremented and then checked.
  std::optional<Permit> try_acquire() {
    std::uint32_t current = in_flight_.load(std::memory_order_acquire);
    do {
      if (current >= limit_) {
        shed_.fetch_add(1, std::memory_order_relaxed);
        return std::nullopt;
      }
    } while (!in_flight_.compare_exchange_weak(current, current + 1, std::memory_order_acq_rel,
                                               std::memory_order_acquire));
    return Permit(this);
  }

  std::uint32_t limit() const { return limit_; }
  std::uint32_t in_flight() const { return in_flight_.load(std::memory_order_acquire); }
  std::uint64_t shed() const { return shed_.load(std::memory_order_relaxed); }

 private:
  const std::uint32_t limit_;
  std::atomic<std::uint32_t> in_flight_{0};
  std::atomic<std::uint64_t> shed_{0};
};

}  // namespace lambdagate::policy
