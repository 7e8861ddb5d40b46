#include "lambdagate/observability/logging.hpp"

#include "lambdagate/core/time_format.hpp"

#include <unistd.h>

#include <nlohmann/json.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace lambdagate::observability {

namespace {

// %* in a pattern: the message as a JSON string (quoted and escaped).
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    const std::string escaped =
        nlohmann::json(std::string(msg.payload.data(), msg.payload.size())).dump(-1, ' ', false,
                                                                                 nlohmann::json::error_handler_t::replace);
    dest.append(escaped.data(), escaped.data() + escaped.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonMessageFlag>(); }
};

}  // namespace

std::optional<LogFormat> parse_log_format(std::string_view text) {
  if (text == "text") return LogFormat::Text;
  if (text == "json") return LogFormat::Json;
  return std::nullopt;
}

std::optional<spdlog::level::level_enum> parse_log_level(std::string_view text) {
  if (text == "trace") return spdlog::level::trace;
  if (text == "debug") return spdlog::level::debug;
  if (text == "info") return spdlog::level::info;
  if (text == "warn") return spdlog::level::warn;
  if (text == "error") return spdlog::level::err;
  return std::nullopt;
}

std::shared_ptr<spdlog::logger> make_logger(spdlog::level::level_enum level, LogFormat format) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("lambdagate", sink);
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  if (format == LogFormat::Json) {
    formatter->add_flag<JsonMessageFlag>('*').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","logger":"%n","msg":%*})");
  } else {
    formatter->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v");
  }
  logger->set_formatter(std::move(formatter));
  logger->set_level(level);
  logger->flush_on(spdlog::level::info);
  return logger;
}

AccessLog::AccessLog(LogFormat format, bool enabled, int fd) : format_(format), enabled_(enabled), fd_(fd) {}

void AccessLog::write(const AccessLogEntry& e) {
  if (!enabled_) return;
  line_.clear();
  const double duration_ms = static_cast<double>(e.duration.count()) / 1000.0;
  if (format_ == LogFormat::Json) {
    nlohmann::json j = {
        {"time", core::format_iso8601(e.time, true)},     {"type", "access"},        {"requestId", e.request_id},
        {"remote", e.remote_address},  {"method", e.method},      {"path", e.path},
        {"status", e.status},          {"durationMs", duration_ms}, {"route", e.route},
        {"upstream", e.upstream},      {"function", e.function},  {"attempts", e.attempts},
        {"bytesReceived", e.bytes_received}, {"bytesSent", e.bytes_sent}};
    if (!e.error_code.empty()) j["error"] = e.error_code;
    line_ = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    fmt::format_to(std::back_inserter(line_), "{} access {} {} {} {} {} {:.3f}ms route={} upstream={} function={} attempts={} in={} out={}",
                   core::format_iso8601(e.time, true), e.request_id, e.remote_address, e.method, e.path, e.status, duration_ms,
                   e.route.empty() ? "-" : e.route, e.upstream.empty() ? "-" : e.upstream,
                   e.function.empty() ? "-" : e.function, e.attempts, e.bytes_received, e.bytes_sent);
    if (!e.error_code.empty()) fmt::format_to(std::back_inserter(line_), " error={}", e.error_code);
  }
  line_.push_back('\n');
  // One write per line: lines from different workers never interleave (O_APPEND / pipes).
  const char* p = line_.data();
  std::size_t left = line_.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return;  // a broken log pipe must not break request handling
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

}  // namespace lambdagate::observability
