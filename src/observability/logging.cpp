#include "lambdagate/observability/logging.hpp"

#include "lambdagate/core/time_format.hpp"

#include <unistd.h>

#include <fcntl.h>

#include <charconv>
#include <cerrno>
#include <cstdint>
#include <cstring>

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

// Writes a line's pieces through a cursor into room reserved once: the text line has some thirty
// pieces, and a std::string::append call each (an out-of-line call and a capacity check) cost
// more than the bytes they copy. The string is cut to what was written when the writer goes.
class LineWriter {
 public:
  LineWriter(std::string& out, std::size_t most) : out_(out), at_(out.size()) { out_.resize(at_ + most); }
  ~LineWriter() { out_.resize(at_); }
  LineWriter(const LineWriter&) = delete;
  LineWriter& operator=(const LineWriter&) = delete;

  void put(std::string_view text) {
    std::memcpy(out_.data() + at_, text.data(), text.size());
    at_ += text.size();
  }
  void put(char c) { out_[at_++] = c; }
  void put_or_dash(std::string_view text) {
    if (text.empty()) {
      put('-');
    } else {
      put(text);
    }
  }
  void number(std::uint64_t value) {
    at_ = static_cast<std::size_t>(std::to_chars(out_.data() + at_, out_.data() + out_.size(), value).ptr -
                                   out_.data());
  }
  // Milliseconds with three decimals ("1.500" for 1500 µs), exact from the integer count.
  void millis(std::chrono::microseconds duration) {
    std::int64_t us = duration.count();
    if (us < 0) {
      put('-');
      us = -us;
    }
    number(static_cast<std::uint64_t>(us / 1000));
    const auto fraction = static_cast<int>(us % 1000);
    put('.');
    put(static_cast<char>('0' + fraction / 100));
    put(static_cast<char>('0' + fraction / 10 % 10));
    put(static_cast<char>('0' + fraction % 10));
  }

  // Room for a number written by number() or millis().
  static constexpr std::size_t kNumber = 24;

 private:
  std::string& out_;
  std::size_t at_;
};

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
    // attempts= in= out=[ error=]". fmt's format-string parsing cost more per line than the
    // pieces themselves, so they are written one by one (LineWriter).
    append_time(e.time);
    constexpr std::size_t kFixed = 128;  // the labels, separators and dashes, with room to spare
    LineWriter line(line_, kFixed + e.request_id.size() + e.remote_address.size() + e.method.size() +
                               e.path.size() + e.route.size() + e.upstream.size() + e.function.size() +
                               e.error_code.size() + 5 * LineWriter::kNumber);
    line.put(" access ");
    line.put(e.request_id);
    line.put(' ');
    line.put(e.remote_address);
    line.put(' ');
    line.put(e.method);
    line.put(' ');
    line.put(e.path);
    line.put(' ');
    line.number(e.status);
    line.put(' ');
    line.millis(e.duration);
    line.put("ms route=");
    line.put_or_dash(e.route);
    line.put(" upstream=");
    line.put_or_dash(e.upstream);
    line.put(" function=");
    line.put_or_dash(e.function);
    line.put(" attempts=");
    line.number(e.attempts);
    line.put(" in=");
    line.number(e.bytes_received);
    line.put(" out=");
    line.number(e.bytes_sent);
    if (!e.error_code.empty()) {
      line.put(" error=");
      line.put(e.error_code);
    }
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
