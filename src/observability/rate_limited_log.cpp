// RateLimitedLog (see rate_limited_log.hpp).
#include "lambdagate/observability/rate_limited_log.hpp"

namespace lambdagate::observability {

RateLimitedLog::RateLimitedLog(const core::Clock& clock, spdlog::logger* logger,
                               std::chrono::steady_clock::duration window)
    : clock_(clock), logger_(logger), window_(window) {}

std::optional<std::size_t> RateLimitedLog::admit(std::string_view key) {
  const core::SteadyTime now = clock_.steady_now();
  std::lock_guard lock(mutex_);
  auto it = slots_.find(std::string(key));
  if (it == slots_.end()) {
    if (slots_.size() >= kMaxKeys) {
      // Forget the keys that would be written now anyway; their suppressed counts are lost
      // only when they reported none within a whole window.
      std::erase_if(slots_, [&](const auto& entry) { return now - entry.second.last_written >= window_; });
      if (slots_.size() >= kMaxKeys) return std::nullopt;  // a flood of distinct keys: stay quiet
    }
    slots_.emplace(std::string(key), Slot{now, 0});
    return std::size_t{0};
  }
  Slot& slot = it->second;
  if (now - slot.last_written < window_) {
    ++slot.suppressed;
    return std::nullopt;
  }
  const std::size_t suppressed = slot.suppressed;
  slot = Slot{now, 0};
  return suppressed;
}

void RateLimitedLog::warn(std::string_view key, std::string_view message) {
  const auto suppressed = admit(key);
  if (!suppressed || !logger_) return;
  if (*suppressed == 0) {
    logger_->warn("{}", message);
  } else {
    logger_->warn("{} ({} similar suppressed since the previous line)", message, *suppressed);
  }
}

}  // namespace lambdagate::observability
