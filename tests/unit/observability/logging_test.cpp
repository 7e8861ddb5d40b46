#include <catch2/catch.hpp>

#include <unistd.h>

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
}

// Log levels and formats parse from the CLI's words only.
TEST_CASE("log level and format names", "[observability]") {
  CHECK(observability::parse_log_level("warn") == spdlog::level::warn);
  CHECK_FALSE(observability::parse_log_level("verbose"));
  CHECK(observability::parse_log_format("json") == observability::LogFormat::Json);
  CHECK_FALSE(observability::parse_log_format("yaml"));
}
