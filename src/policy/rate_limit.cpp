// Token buckets for local rate limits (see rate_limit.hpp).
#include "lambdagate/policy/rate_limit.hpp"

#include <algorithm>
#include <charconv>

#include "lambdagate/policy/policy_error.hpp"

namespace lambdagate::policy {

namespace {

using Duration = core::SteadyTime::duration;

// Fills completed between `origin` and `now` (0 for a `now` before the origin).
std::uint64_t fills_at(const BucketShape& shape, core::SteadyTime origin, core::SteadyTime now) {
  if (now <= origin) return 0;
  return static_cast<std::uint64_t>((now - origin) / shape.fill_interval);
}

std::chrono::seconds ceil_seconds(Duration d) {
  auto s = std::chrono::ceil<std::chrono::seconds>(d);
  return s < std::chrono::seconds::zero() ? std::chrono::seconds::zero() : s;
}

// Tokens after `elapsed_fills` more fills, capped at the bucket size.
std::uint32_t refill(const BucketShape& shape, std::uint32_t tokens, std::uint64_t elapsed_fills) {
  if (elapsed_fills == 0) return tokens;
  const std::uint64_t room = shape.max_tokens - std::min(tokens, shape.max_tokens);
  // Saturates before multiplying can overflow.
  if (elapsed_fills >= room / shape.tokens_per_fill + 1) return shape.max_tokens;
  return static_cast<std::uint32_t>(
      std::min<std::uint64_t>(shape.max_tokens, tokens + elapsed_fills * shape.tokens_per_fill));
}

RateLimitDecision decide(const BucketShape& shape, core::SteadyTime origin, core::SteadyTime now,
                         std::uint64_t fill, bool allowed, std::uint32_t remaining) {
  RateLimitDecision out;
  out.allowed = allowed;
  out.limit = shape.max_tokens;
  out.remaining = remaining;
  const core::SteadyTime next_fill = origin + shape.fill_interval * static_cast<Duration::rep>(fill + 1);
  out.reset = ceil_seconds(next_fill - std::max(now, origin));
  if (!allowed) out.retry_after = std::max(out.reset, std::chrono::seconds{1});
  return out;
}

}  // namespace

BucketShape::BucketShape(const config::LocalRateLimit& limit)
    : max_tokens(limit.max_tokens),
      tokens_per_fill(limit.tokens_per_fill),
      fill_interval(limit.fill_interval) {
  if (max_tokens < 1)
    throw PolicyError(where_prefix(limit.where) + "localRatelimit: maxTokens must be at least 1");
  if (tokens_per_fill < 1)
    throw PolicyError(where_prefix(limit.where) + "localRatelimit: tokensPerFill must be at least 1");
  if (fill_interval < std::chrono::milliseconds{50}) {
    throw PolicyError(where_prefix(limit.where) + "localRatelimit: fillInterval must be at least 50ms");
  }
}

RateLimitHeaders rate_limit_headers(const RateLimitDecision& decision, bool x_ratelimit) {
  RateLimitHeaders out;
  auto add = [&](std::string_view name, std::uint64_t value) {
    auto& field = out.items[out.size++];
    field.name = name;
    const auto result = std::to_chars(field.buffer.data(), field.buffer.data() + field.buffer.size(), value);
    field.length = static_cast<std::size_t>(result.ptr - field.buffer.data());
  };
  if (x_ratelimit) {
    add("x-ratelimit-limit", decision.limit);
    add("x-ratelimit-remaining", decision.remaining);
    add("x-ratelimit-reset", static_cast<std::uint64_t>(decision.reset.count()));
  }
  if (!decision.allowed) add("retry-after", static_cast<std::uint64_t>(decision.retry_after.count()));
  return out;
}

SharedTokenBucket::SharedTokenBucket(const config::LocalRateLimit& limit, core::SteadyTime origin)
    : shape_(limit), origin_(origin), state_(shape_.max_tokens) {}

RateLimitDecision SharedTokenBucket::try_take(core::SteadyTime now) {
  const std::uint64_t fill_now = fills_at(shape_, origin_, now);
  std::uint64_t state = state_.load(std::memory_order_acquire);
  while (true) {
    const auto fill = static_cast<std::uint32_t>(state >> 32);
    auto tokens = static_cast<std::uint32_t>(state);
    // Modular difference: right across the 2^32 wrap. A caller whose `now` was read before
    // another thread applied a later fill sees a "negative" difference and refills nothing.
    const std::uint32_t ahead = static_cast<std::uint32_t>(fill_now) - fill;
    std::uint32_t new_fill = fill;
    if (ahead != 0 && ahead < (1u << 31)) {
      tokens = refill(shape_, tokens, ahead);
      new_fill = static_cast<std::uint32_t>(fill_now);
    }
    if (tokens == 0) return decide(shape_, origin_, now, fill_now, false, 0);
    const std::uint64_t next = (static_cast<std::uint64_t>(new_fill) << 32) | (tokens - 1);
    if (state_.compare_exchange_weak(state, next, std::memory_order_acq_rel, std::memory_order_acquire)) {
      return decide(shape_, origin_, now, fill_now, true, tokens - 1);
    }
    // Another thread changed the state: look again with what it wrote.
  }
}

ConnectionTokenBucket::ConnectionTokenBucket(const config::LocalRateLimit& limit, core::SteadyTime origin)
    : shape_(limit), origin_(origin), tokens_(shape_.max_tokens) {}

RateLimitDecision ConnectionTokenBucket::try_take(core::SteadyTime now) {
  const std::uint64_t fill_now = fills_at(shape_, origin_, now);
  if (fill_now > fill_) {
    tokens_ = refill(shape_, tokens_, fill_now - fill_);
    fill_ = fill_now;
  }
  if (tokens_ == 0) return decide(shape_, origin_, now, fill_now, false, 0);
  --tokens_;
  return decide(shape_, origin_, now, fill_now, true, tokens_);
}

}  // namespace lambdagate::policy
