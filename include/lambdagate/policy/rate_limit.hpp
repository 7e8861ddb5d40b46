#pragma once
// Local rate limits (Gloo's localRatelimit, Envoy's local_ratelimit): token buckets
// {maxTokens, tokensPerFill, fillInterval}. A bucket starts full; every whole fillInterval since
// it was made adds tokensPerFill, up to maxTokens; each request takes one or is denied.
//
// Refill is computed from the steady time the caller passes in, on demand: no timer thread, and
// a bucket nobody uses costs nothing. Two variants with the same arithmetic:
// - SharedTokenBucket: one per process, used by every worker at once. Lock-free: the whole state
//   (fill number, tokens left) is one 64-bit word updated with compare-and-swap, so two threads
//   can never take the same token. A denial writes nothing.
// - ConnectionTokenBucket: one per downstream connection (localRateLimitPerDownstreamConnection),
//   used by one thread, plain fields.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "lambdagate/config/model.hpp"
#include "lambdagate/core/clock.hpp"

namespace lambdagate::policy {

struct RateLimitDecision {
  bool allowed = true;
  std::uint32_t limit = 0;              // maxTokens: x-ratelimit-limit
  std::uint32_t remaining = 0;          // tokens left after this request: x-ratelimit-remaining
  std::chrono::seconds reset{0};        // until the next fill, rounded up: x-ratelimit-reset
  std::chrono::seconds retry_after{0};  // when denied: until a token comes (≥ 1s): Retry-After
};

// Header values for a decision, formatted without allocating. `x_ratelimit` adds the three
// x-ratelimit-* headers (enableXRatelimitHeaders, on every response); a denial always carries
// Retry-After.
struct RateLimitHeaders {
  struct Field {
    std::string_view name;
    std::array<char, 12> buffer{};
    std::size_t length = 0;
    std::string_view value() const { return {buffer.data(), length}; }
  };
  std::array<Field, 4> items{};
  std::size_t size = 0;
  const Field* begin() const { return items.data(); }
  const Field* end() const { return items.data() + size; }
};
RateLimitHeaders rate_limit_headers(const RateLimitDecision& decision, bool x_ratelimit);

// The bucket's shape, checked: maxTokens ≥ 1, tokensPerFill ≥ 1, fillInterval ≥ 50ms (what
// Gloo accepts). Throws PolicyError (with file:line) otherwise.
struct BucketShape {
  explicit BucketShape(const config::LocalRateLimit& limit);
  std::uint32_t max_tokens;
  std::uint32_t tokens_per_fill;
  core::SteadyTime::duration fill_interval;
};

class SharedTokenBucket {
 public:
  // `origin`: when the bucket is made (full). Fills happen at origin + k·fillInterval.
  SharedTokenBucket(const config::LocalRateLimit& limit, core::SteadyTime origin);
  // Takes one token if there is one at `now`. Any thread, lock-free.
  RateLimitDecision try_take(core::SteadyTime now);
  const BucketShape& shape() const { return shape_; }

 private:
  BucketShape shape_;
  core::SteadyTime origin_;
  // High 32 bits: the number of the last fill applied (modulo 2^32: at 50ms that wraps after
  // 6.8 years, and differences stay right across the wrap); low 32 bits: tokens left.
  std::atomic<std::uint64_t> state_;
};

class ConnectionTokenBucket {
 public:
  ConnectionTokenBucket(const config::LocalRateLimit& limit, core::SteadyTime origin);
  RateLimitDecision try_take(core::SteadyTime now);

 private:
  BucketShape shape_;
  core::SteadyTime origin_;
  std::uint64_t fill_ = 0;
  std::uint32_t tokens_;
};

}  // namespace lambdagate::policy
