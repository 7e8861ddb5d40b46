#pragma once
// Logging: the application logger (spdlog; text or JSON lines) and the per-worker access log.
// Secrets never reach either: callers pass values through core::mask_secret first, and the
// access log has no field that could carry one.
#include <chrono>
#include <functional>
#include <map>
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

// Collects lines in memory and writes them to a file descriptor in batches, as nginx's
// `access_log ... buffer=32k flush=1s` does: one write(2) per full buffer, or per flush() (the
// worker calls it on a short timer and at shutdown), instead of one per request. Each write
// carries whole lines only, so lines from different workers never interleave (O_APPEND, pipes
// up to PIPE_BUF per write are atomic; bigger writes still end on a line boundary). Not
// thread-safe: one per worker. The destructor flushes.
class LineBuffer {
 public:
  static constexpr std::size_t kDefaultCapacity = 32 * 1024;
  explicit LineBuffer(int fd, std::size_t capacity = kDefaultCapacity);
  ~LineBuffer();
  LineBuffer(const LineBuffer&) = delete;
  LineBuffer& operator=(const LineBuffer&) = delete;

  // Appends one line (without its newline); writes the buffer first when the line would not fit.
  void append(std::string_view line);
  // Writes what is buffered. A broken fd drops the lines: logging must not break requests.
  void flush();
  std::size_t buffered() const { return pending_.size(); }

 private:
  int fd_;
  std::size_t capacity_;
  std::string pending_;
};

// A worker's access log outputs: the built-in line per request (DESIGN.md §6), text or JSON,
// into a LineBuffer on stdout (or `fd`), and the lines of Gateway fileSinks (write_line), one
// LineBuffer per path, opened on first use with O_APPEND ("/dev/stdout" and "/dev/stderr" are
// the process's own). `enabled` false (--access-log off) turns the built-in line off only. One
// per worker.
//
// When to flush is the owner's choice, given as `schedule_flush`: called once when the first
// line goes into an empty buffer, it arranges for flush() to run soon (the worker posts it to its
// io_context, so it runs once the requests that are ready now have been served: one write per
// batch under load, at once when idle). Without it, flush() is the caller's job.
class AccessLog {
 public:
  AccessLog(LogFormat format, bool enabled, int fd = 1, std::size_t buffer_capacity = LineBuffer::kDefaultCapacity);
  void set_flush_scheduler(std::function<void()> schedule_flush) { schedule_flush_ = std::move(schedule_flush); }
  // Called (once per path) when a fileSink's file cannot be opened; its lines are dropped.
  void set_error_reporter(std::function<void(const std::string&)> report) { report_ = std::move(report); }
  void write(const AccessLogEntry& entry);
  // One fileSink line (without its newline) for `path`.
  void write_line(const std::string& path, std::string_view line);
  void flush();
  bool enabled() const { return enabled_; }

 private:
  LogFormat format_;
  bool enabled_;
  LineBuffer out_;
  std::size_t out_capacity_;
  std::string line_;  // reused per line
  // The line's time to the second ("2015-08-30T12:36:00"), made once per second rather than per
  // line (gmtime and snprintf cost more than the rest of a text line).
  std::chrono::sys_seconds time_second_{std::chrono::seconds::min()};
  std::string time_text_;
  void append_time(core::SystemTime time);
  std::function<void()> schedule_flush_;
  bool flush_scheduled_ = false;
  std::function<void(const std::string&)> report_;
  struct File {
    int fd = -1;  // -1: could not be opened
    bool owned = false;
    std::unique_ptr<LineBuffer> out;
  };
  std::map<std::string, File, std::less<>> files_;

  void scheduled_flush_needed();
  File& file(const std::string& path);

 public:
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;
};

}  // namespace lambdagate::observability
