#include "lambdagate/observability/logging.hpp"

#include "lambdagate/core/time_format.hpp"

#include <unistd.h>

#include <fcntl.h>

#include <charconv>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <iterator>

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

LineBuffer::LineBuffer(int fd, std::size_t capacity) : fd_(fd), capacity_(capacity) { pending_.reserve(capacity_); }

LineBuffer::~LineBuffer() { flush(); }

void LineBuffer::append(std::string_view line) {
  if (!pending_.empty() && pending_.size() + line.size() + 1 > capacity_) flush();
  pending_.append(line);
  pending_.push_back('\n');
  // A line longer than the whole buffer goes out at once rather than growing the buffer.
  if (pending_.size() >= capacity_) flush();
}

void LineBuffer::flush() {
  const char* p = pending_.data();
  std::size_t left = pending_.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      break;  // a broken log pipe must not break request handling
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  pending_.clear();
}

AccessLog::AccessLog(LogFormat format, bool enabled, int fd, std::size_t buffer_capacity)
    : format_(format), enabled_(enabled), out_(fd, buffer_capacity), out_capacity_(buffer_capacity) {}

namespace {

void append_number(std::string& out, std::uint64_t value) {
  char digits[20];
  const auto end = std::to_chars(std::begin(digits), std::end(digits), value).ptr;
  out.append(digits, end);
}

// Milliseconds with three decimals ("1.500ms" for 1500 µs), exact from the integer count.
void append_millis(std::string& out, std::chrono::microseconds duration) {
  std::int64_t us = duration.count();
  if (us < 0) {
    out.push_back('-');
    us = -us;
  }
  append_number(out, static_cast<std::uint64_t>(us / 1000));
  const auto fraction = static_cast<int>(us % 1000);
  const char decimals[4] = {'.', static_cast<char>('0' + fraction / 100), static_cast<char>('0' + fraction / 10 % 10),
                            static_cast<char>('0' + fraction % 10)};
  out.append(decimals, 4);
}

void append_or_dash(std::string& out, std::string_view value) {
  if (value.empty()) {
    out.push_back('-');
  } else {
    out.append(value);
  }
}

}  // namespace

void AccessLog::append_time(core::SystemTime time) {
  const auto second = std::chrono::floor<std::chrono::seconds>(time);
  if (second != time_second_) {
    time_second_ = second;
    time_text_ = core::format_iso8601(second, false);
    time_text_.pop_back();  // the 'Z': the milliseconds go before it
  }
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(time - second).count();
  line_.append(time_text_);
  const char tail[5] = {'.', static_cast<char>('0' + millis / 100), static_cast<char>('0' + millis / 10 % 10),
                        static_cast<char>('0' + millis % 10), 'Z'};
  line_.append(tail, 5);
}

void AccessLog::write(const AccessLogEntry& e) {
  if (!enabled_) return;
  line_.clear();
  if (format_ == LogFormat::Json) {
    append_time(e.time);  // line_ holds just the time until the dump replaces it
    const double duration_ms = static_cast<double>(e.duration.count()) / 1000.0;
    nlohmann::json j = {
        {"time", line_},     {"type", "access"},        {"requestId", e.request_id},
        {"remote", e.remote_address},  {"method", e.method},      {"path", e.path},
        {"status", e.status},          {"durationMs", duration_ms}, {"route", e.route},
        {"upstream", e.upstream},      {"function", e.function},  {"attempts", e.attempts},
        {"bytesReceived", e.bytes_received}, {"bytesSent", e.bytes_sent}};
    if (!e.error_code.empty()) j["error"] = e.error_code;
    line_ = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    // "<time> access <id> <remote> <method> <path> <status> <ms>ms route= upstream= function=
    // attempts= in= out=[ error=]", appended piece by piece: fmt's format-string parsing cost
    // more per line than the appends themselves.
    append_time(e.time);
    line_.append(" access ").append(e.request_id).push_back(' ');
    line_.append(e.remote_address).push_back(' ');
    line_.append(e.method).push_back(' ');
    line_.append(e.path).push_back(' ');
    append_number(line_, e.status);
    line_.push_back(' ');
    append_millis(line_, e.duration);
    line_.append("ms route=");
    append_or_dash(line_, e.route);
    line_.append(" upstream=");
    append_or_dash(line_, e.upstream);
    line_.append(" function=");
    append_or_dash(line_, e.function);
    line_.append(" attempts=");
    append_number(line_, e.attempts);
    line_.append(" in=");
    append_number(line_, e.bytes_received);
    line_.append(" out=");
    append_number(line_, e.bytes_sent);
    if (!e.error_code.empty()) line_.append(" error=").append(e.error_code);
  }
  out_.append(line_);
  scheduled_flush_needed();
}

void AccessLog::scheduled_flush_needed() {
  if (schedule_flush_ && !flush_scheduled_) {
    flush_scheduled_ = true;
    schedule_flush_();
  }
}

AccessLog::File& AccessLog::file(const std::string& path) {
  auto it = files_.find(path);
  if (it != files_.end()) return it->second;
  File f;
  if (path == "/dev/stdout") {
    f.fd = 1;
  } else if (path == "/dev/stderr") {
    f.fd = 2;
  } else {
    f.fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    f.owned = f.fd >= 0;
    if (f.fd < 0 && report_) report_("access log file " + path + ": " + std::strerror(errno));
  }
  if (f.fd >= 0) f.out = std::make_unique<LineBuffer>(f.fd, out_capacity_);
  return files_.emplace(path, std::move(f)).first->second;
}

void AccessLog::write_line(const std::string& path, std::string_view line) {
  File& f = file(path);
  if (!f.out) return;
  f.out->append(line);
  scheduled_flush_needed();
}

void AccessLog::flush() {
  flush_scheduled_ = false;
  out_.flush();
  for (auto& [path, f] : files_) {
    if (f.out) f.out->flush();
  }
}

AccessLog::~AccessLog() {
  flush();
  for (auto& [path, f] : files_) {
    f.out.reset();
    if (f.owned) ::close(f.fd);
  }
}

}  // namespace lambdagate::observability
