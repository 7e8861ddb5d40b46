#pragma once
// RateLimitedLog: warnings about failures that can repeat on every request (Lambda unreachable,
// a TLS handshake refused, credentials that will not refresh) at most one line per key per
// window, the next line saying how many were suppressed meanwhile. A broken upstream under load
// would otherwise write one line per request and drown everything else. Thread-safe (a mutex;
// only failure paths come here), shared by every worker.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <spdlog/logger.h>

#include "lambdagate/core/clock.hpp"

namespace lambdagate::observability {

class RateLimitedLog {
public:
  // `logger` may be null (then nothing is written, admit() still decides).
  RateLimitedLog(const core::Clock& clock, spdlog::logger* logger,
                 std::chrono::steady_clock::duration window = std::chrono::seconds(10));

  // Whether a line for `key` may be written now; if so, how many were suppressed since the
  // key's last line (0 for the first). Each refusal counts one suppressed line.
  std::optional<std::size_t> admit(std::string_view key);

  // `message` at warn when admit(key) allows it, with "(N similar suppressed since the previous line)".
  void warn(std::string_view key, std::string_view message);

private:
  struct Slot {
    core::SteadyTime last_written;
    std::size_t suppressed = 0;
  };

  const core::Clock& clock_;
  spdlog::logger* logger_;
  std::chrono::steady_clock::duration window_;
  std::mutex mutex_;
  // Bounded: keys whose window has passed are dropped when it grows past kMaxKeys.
  std::unordered_map<std::string, Slot> slots_;
  static constexpr std::size_t kMaxKeys = 1024;
};

}  // namespace lambdagate::observability
