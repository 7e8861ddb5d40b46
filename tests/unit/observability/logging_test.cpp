#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lambdagate/observability/logging.hpp"

using namespace lambdagate;

namespace {

// Writes one entry through a pipe and returns the line.
std::string write_line(observability::LogFormat format, const observability::AccessLogEntry& entry) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  observability::AccessLog log(format, true, fds[1]);
  log.write(entry);
  log.flush();
  ::close(fds[1]);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  return out;
}

observability::AccessLogEntry sample() {
  observability::AccessLogEntry e;
  e.time = core::SystemTime{std::chrono::milliseconds(1440938160123)};
  e.request_id = "rid-1";
  e.remote_address = "10.0.0.1";
  e.method = "POST";
  e.path = "/lambda?q=\"x\"";
  e.status = 200;
  e.duration = std::chrono::microseconds(1500);
  e.route = "gloo-system/default/0";
  e.upstream = "gloo-system/lambda";
  e.function = "uppercase";
  e.attempts = 1;
  e.bytes_received = 5;
  e.bytes_sent = 5;
  return e;
}

}  // namespace

// JSON access lines are one valid object per line with every field of DESIGN.md §6.
TEST_CASE("JSON access log line", "[observability]") {
  const std::string line = write_line(observability::LogFormat::Json, sample());
  REQUIRE(line.back() == '\n');
  CHECK(line.find('\n') == line.size() - 1);
  auto j = nlohmann::json::parse(line);
  CHECK(j["time"] == "2015-08-30T12:36:00.123Z");
  CHECK(j["requestId"] == "rid-1");
  CHECK(j["method"] == "POST");
  CHECK(j["path"] == "/lambda?q=\"x\"");
  CHECK(j["status"] == 200);
  CHECK(j["durationMs"] == 1.5);
  CHECK(j["route"] == "gloo-system/default/0");
  CHECK(j["upstream"] == "gloo-system/lambda");
  CHECK(j["function"] == "uppercase");
  CHECK(j["attempts"] == 1);
  CHECK(j["bytesReceived"] == 5);
  CHECK(j["bytesSent"] == 5);
  CHECK_FALSE(j.contains("error"));
}

// Text lines carry the same facts; empty fields print as "-"; errors are named.
TEST_CASE("text access log line", "[observability]") {
  auto e = sample();
  e.route = "";
  e.error_code = "route_not_found";
  e.status = 404;
  const std::string line = write_line(observability::LogFormat::Text, e);
  CHECK(line.find("rid-1") != std::string::npos);
  CHECK(line.find(" 404 ") != std::string::npos);
  CHECK(line.find("route=-") != std::string::npos);
  CHECK(line.find("error=route_not_found") != std::string::npos);
  CHECK(line ==
        "2015-08-30T12:36:00.123Z access rid-1 10.0.0.1 POST /lambda?q=\"x\" 404 1.500ms route=- "
        "upstream=gloo-system/lambda function=uppercase attempts=1 in=5 out=5 error=route_not_found\n");
}

// The time text is made once per second and reused: lines within one second, across a second
// and across a day (and a duration under a millisecond) each carry their own exact time.
TEST_CASE("access log times across seconds and days", "[observability]") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  observability::AccessLog log(observability::LogFormat::Text, true, fds[1]);
  auto e = sample();
  const auto base = core::SystemTime{std::chrono::milliseconds(1440979199998)};  // 2015-08-30T23:59:59.998Z
  for (const int step_ms : {0, 1, 2, 1003}) {
    e.time = base + std::chrono::milliseconds(step_ms);
    e.duration = std::chrono::microseconds(step_ms * 7);
    log.write(e);
  }
  log.flush();
  ::close(fds[1]);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  std::vector<std::string> times;
  std::vector<std::string> durations;
  for (std::size_t at = 0; at < out.size();) {
    const std::size_t end = out.find('\n', at);
    const std::string line = out.substr(at, end - at);
    times.push_back(line.substr(0, line.find(' ')));
    const std::size_t ms = line.find("ms route=");
    durations.push_back(line.substr(line.rfind(' ', ms) + 1, ms - line.rfind(' ', ms) - 1));
    at = end + 1;
  }
  CHECK(times == std::vector<std::string>{"2015-08-30T23:59:59.998Z", "2015-08-30T23:59:59.999Z",
                                          "2015-08-31T00:00:00.000Z", "2015-08-31T00:00:01.001Z"});
  CHECK(durations == std::vector<std::string>{"0.000", "0.007", "0.014", "7.021"});
}

// Log levels and formats parse from the CLI's words only.
TEST_CASE("log level and format names", "[observability]") {
  CHECK(observability::parse_log_level("warn") == spdlog::level::warn);
  CHECK_FALSE(observability::parse_log_level("verbose"));
  CHECK(observability::parse_log_format("json") == observability::LogFormat::Json);
  CHECK_FALSE(observability::parse_log_format("yaml"));
}

namespace {

// A pipe whose read end can be drained without blocking.
struct Pipe {
  int fds[2];
  Pipe() { REQUIRE(::pipe2(fds, O_NONBLOCK) == 0); }
  ~Pipe() {
    ::close(fds[0]);
    ::close(fds[1]);
  }
  std::string drain() const {
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    return out;
  }
};

}  // namespace

// Lines wait in the buffer until flush(); then they all go out, whole and in order.
TEST_CASE("access log lines are buffered until flushed", "[observability][buffer]") {
  Pipe pipe;
  observability::AccessLog log(observability::LogFormat::Text, true, pipe.fds[1]);
  log.write(sample());
  log.write(sample());
  CHECK(pipe.drain().empty());
  log.flush();
  const std::string out = pipe.drain();
  CHECK(std::count(out.begin(), out.end(), '\n') == 2);
  CHECK(out.back() == '\n');
}

// A full buffer is written before the line that would overflow it; no line is split.
TEST_CASE("a full buffer is written without splitting lines", "[observability][buffer]") {
  Pipe pipe;
  observability::LineBuffer buffer(pipe.fds[1], 16);
  buffer.append("0123456789");  // 11 bytes with its newline
  CHECK(pipe.drain().empty());
  buffer.append("abcdefghij");  // would overflow: the first line goes out alone
  CHECK(pipe.drain() == "0123456789\n");
  buffer.append("a line longer than the whole buffer");  // goes out at once, after the pending one
  CHECK(pipe.drain() == "abcdefghij\na line longer than the whole buffer\n");
  CHECK(buffer.buffered() == 0);
}

// The destructor flushes, so lines written before shutdown are never lost.
TEST_CASE("destroying the access log flushes it", "[observability][buffer]") {
  Pipe pipe;
  {
    observability::AccessLog log(observability::LogFormat::Json, true, pipe.fds[1]);
    log.write(sample());
  }
  CHECK(nlohmann::json::parse(pipe.drain())["requestId"] == "rid-1");
}

// The flush scheduler is asked once per batch: again only after a flush emptied the buffer.
TEST_CASE("the flush scheduler is called once per batch", "[observability][buffer]") {
  Pipe pipe;
  int scheduled = 0;
  observability::AccessLog log(observability::LogFormat::Text, true, pipe.fds[1]);
  log.set_flush_scheduler([&] { ++scheduled; });
  log.write(sample());
  log.write(sample());
  log.write_line("/dev/null", "sink line");
  CHECK(scheduled == 1);
  log.flush();
  log.write(sample());
  CHECK(scheduled == 2);
}

// --access-log off: no built-in line, while fileSink lines still go to their file.
TEST_CASE("the built-in access log can be switched off", "[observability][buffer]") {
  Pipe pipe;
  char dir_template[] = "/tmp/lg-access-XXXXXX";
  REQUIRE(::mkdtemp(dir_template) != nullptr);
  const std::string path = std::string(dir_template) + "/access.log";
  {
    observability::AccessLog log(observability::LogFormat::Text, false, pipe.fds[1]);
    log.write(sample());
    log.write_line(path, "from a sink");
    log.flush();
    CHECK(pipe.drain().empty());
  }
  std::FILE* f = std::fopen(path.c_str(), "r");
  REQUIRE(f != nullptr);
  char text[64] = {};
  const std::size_t n = std::fread(text, 1, sizeof text - 1, f);
  std::fclose(f);
  CHECK(std::string(text, n) == "from a sink\n");
  std::remove(path.c_str());
  ::rmdir(dir_template);
}

// A fileSink path that cannot be opened is reported once and its lines are dropped.
TEST_CASE("an unopenable fileSink is reported once", "[observability][buffer]") {
  std::vector<std::string> problems;
  observability::AccessLog log(observability::LogFormat::Text, true, 1);
  log.set_error_reporter([&](const std::string& p) { problems.push_back(p); });
  log.write_line("/nonexistent-dir/access.log", "x");
  log.write_line("/nonexistent-dir/access.log", "y");
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find("/nonexistent-dir/access.log") != std::string::npos);
}
