#include <catch2/catch.hpp>

#include <map>
#include <sstream>

#include "fakes/fake_clock.hpp"
#include "lambdagate/admin/admin_handler.hpp"

using namespace lambdagate;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

bool has_line(const std::string& text, const std::string& line) {
  for (const auto& l : lines_of(text)) {
    if (l == line) return true;
  }
  return false;
}

std::string exposition() {
  observability::Metrics metrics(2);
  metrics.shard(0).record_request("upper", "gloo-system/lambda", "uppercase", 200, 3ms);
  metrics.shard(1).record_request("upper", "gloo-system/lambda", "uppercase", 200, 40ms);
  metrics.shard(1).record_request("", "", "", 404, 0ms);
  metrics.shard(0).record_request("we\"ird\\route\nname", "ns/u", "f", 502, 31s);
  metrics.shard(0).record_invocation("gloo-system/lambda", "uppercase", observability::InvocationResult::Success);
  metrics.shard(1).record_invocation("gloo-system/lambda", "uppercase", observability::InvocationResult::Error);
  metrics.shard(1).record_retry("upper");
  metrics.shard(1).record_throttle("gloo-system/lambda", "uppercase");
  const auto summary = metrics.collect();
  testing::FakeClock clock;
  admin::RuntimeStatus status;
  const admin::ConnectionCounts connections{3, 42};
  return admin::metrics_text(nullptr, nullptr, status, clock.system_now(), &summary, &connections);
}

}  // namespace

// Counters carry every label, summed over the workers' shards.
TEST_CASE("/metrics: request counters", "[admin]") {
  const auto text = exposition();
  CHECK(has_line(text, "lambdagate_requests_total{route=\"upper\",upstream=\"gloo-system/lambda\","
                       "function=\"uppercase\",status=\"200\"} 2"));
  CHECK(has_line(text, "lambdagate_requests_total{route=\"\",upstream=\"\",function=\"\",status=\"404\"} 1"));
  CHECK(has_line(text, "lambdagate_lambda_invocations_total{upstream=\"gloo-system/lambda\","
                       "function=\"uppercase\",result=\"success\"} 1"));
  CHECK(has_line(text, "lambdagate_lambda_invocations_total{upstream=\"gloo-system/lambda\","
                       "function=\"uppercase\",result=\"error\"} 1"));
  CHECK(has_line(text, "lambdagate_retries_total{route=\"upper\"} 1"));
  CHECK(has_line(text, "lambdagate_throttles_total{upstream=\"gloo-system/lambda\",function=\"uppercase\"} 1"));
  CHECK(has_line(text, "lambdagate_connections_active 3"));
  CHECK(has_line(text, "lambdagate_connections_total 42"));
  // The process series stay.
  CHECK(has_line(text, "lambdagate_up 1"));
}

// Histogram buckets are cumulative, end with +Inf, and _count equals the +Inf bucket.
TEST_CASE("/metrics: duration histogram", "[admin]") {
  const auto text = exposition();
  CHECK(has_line(text, "lambdagate_request_duration_seconds_bucket{route=\"upper\",le=\"0.005\"} 1"));
  CHECK(has_line(text, "lambdagate_request_duration_seconds_bucket{route=\"upper\",le=\"0.025\"} 1"));
  CHECK(has_line(text, "lambdagate_request_duration_seconds_bucket{route=\"upper\",le=\"0.05\"} 2"));
  CHECK(has_line(text, "lambdagate_request_duration_seconds_bucket{route=\"upper\",le=\"30\"} 2"));
  CHECK(has_line(text, "lambdagate_request_duration_seconds_bucket{route=\"upper\",le=\"+Inf\"} 2"));
  CHECK(has_line(text, "lambdagate_request_duration_seconds_sum{route=\"upper\"} 0.043"));
  CHECK(has_line(text, "lambdagate_request_duration_seconds_count{route=\"upper\"} 2"));
  // 31 s is past the last bound: only +Inf counts it.
  CHECK(has_line(text, "lambdagate_request_duration_seconds_bucket{route=\"we\\\"ird\\\\route\\nname\",le=\"30\"} 0"));
  CHECK(has_line(text, "lambdagate_request_duration_seconds_bucket{route=\"we\\\"ird\\\\route\\nname\",le=\"+Inf\"} 1"));
}

// The exposition format: label values escaped (\\, \", \n), one HELP and one TYPE per family,
// before its samples, and every sample line belongs to a declared family.
TEST_CASE("/metrics: Prometheus text format", "[admin]") {
  const auto text = exposition();
  CHECK(has_line(text, "lambdagate_requests_total{route=\"we\\\"ird\\\\route\\nname\",upstream=\"ns/u\","
                       "function=\"f\",status=\"502\"} 1"));
  std::map<std::string, int> help, type;
  std::map<std::string, std::string> types;
  for (const auto& line : lines_of(text)) {
    REQUIRE_FALSE(line.empty());
    if (line.rfind("# HELP ", 0) == 0) {
      ++help[line.substr(7, line.find(' ', 7) - 7)];
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      const auto name = line.substr(7, line.find(' ', 7) - 7);
      ++type[name];
      types[name] = line.substr(line.rfind(' ') + 1);
      continue;
    }
    const auto name = line.substr(0, line.find_first_of("{ "));
    std::string family = name;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      const std::string s = suffix;
      if (!types.count(family) && family.size() > s.size() && family.compare(family.size() - s.size(), s.size(), s) == 0) {
        family = family.substr(0, family.size() - s.size());
      }
    }
    INFO(line);
    CHECK(types.count(family) == 1);  // TYPE came before the first sample
  }
  for (const auto& [name, n] : help) CHECK(n == 1);
  for (const auto& [name, n] : type) CHECK(n == 1);
  CHECK(types["lambdagate_requests_total"] == "counter");
  CHECK(types["lambdagate_request_duration_seconds"] == "histogram");
  CHECK(types["lambdagate_connections_active"] == "gauge");
  CHECK(types["lambdagate_connections_total"] == "counter");
  CHECK(types["lambdagate_lambda_invocations_total"] == "counter");
  CHECK(types["lambdagate_retries_total"] == "counter");
  CHECK(types["lambdagate_throttles_total"] == "counter");
}
