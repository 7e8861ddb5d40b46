#pragma once
// Logging: the application logger (spdlog; text or JSON lines) and the per-worker access log.
// Secrets never reach either: callers pass values through core::mask_secret first, and the
// access log has no field that could carry one.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

#include "lambdagate/core/clock.hpp"

namespace lambdagate::observability {

enum class LogFormat { Text, Json };

std::optional<LogFormat> parse_log_format(std::string_view text);
std::optional<spdlog::level::level_enum> parse_log_level(std::string_view text);

// The process's application logger, writing to stderr. In JSON mode each line is one object
// {"time","level","logger","msg"} with the message escaped.
std::shared_ptr<spdlog::logger> make_logger(spdlog::level::level_enum level, LogFormat format);

// One line per request (DESIGN.md §6).
struct AccessLogEntry {
  core::SystemTime time;
  std::string_view request_id;
  std::string_view remote_address;
  std::string_view method;
  std::string_view path;
  unsigned status = 0;
  std::chrono::microseconds duration{0};
  std::string_view route;     // "" when none matched
  std::string_view upstream;  // "namespace/name"
  std::string_view function;  // resolved Lambda function name
  unsigned attempts = 0;
  std::size_t bytes_received = 0;
  std::size_t bytes_sent = 0;
  std::string_view error_code;  // lambdagate's error code, "" on success
};

// Writes access log lines to a file descriptor (stdout), one write(2) per line, so workers
// never share a lock. Not thread-safe: one per worker.
class AccessLog {
public:
  AccessLog(LogFormat format, bool enabled, int fd = 1);
  void write(const AccessLogEntry& entry);

private:
  LogFormat format_;
  bool enabled_;
  int fd_;
  std::string line_;  // reused buffer
};

}  // namespace lambdagate::observability
