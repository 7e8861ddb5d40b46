#include <catch2/catch.hpp>

#include <thread>

#include "lambdagate/observability/metrics.hpp"

using namespace lambdagate;
using namespace std::chrono_literals;

// A duration falls in the first bucket whose upper bound is at least it (Prometheus' `le`); past
// 30 s it falls in +Inf.
TEST_CASE("histogram bucketing", "[observability]") {
  using observability::duration_bucket;
  CHECK(duration_bucket(0ns) == 0);
  CHECK(duration_bucket(5ms) == 0);
  CHECK(duration_bucket(5001us) == 1);
  CHECK(duration_bucket(10ms) == 1);
  CHECK(duration_bucket(99ms) == 4);
  CHECK(duration_bucket(1s) == 7);
  CHECK(duration_bucket(1001ms) == 8);
  CHECK(duration_bucket(30s) == 11);
  CHECK(duration_bucket(31s) == observability::kDurationBuckets.size());
}

// Each worker writes its own shard; the scrape adds the shards up series by series.
TEST_CASE("collect sums the shards", "[observability]") {
  observability::Metrics metrics(3);
  metrics.shard(0).record_request("r1", "ns/u", "f", 200, 3ms);
  metrics.shard(0).record_request("r1", "ns/u", "f", 200, 20ms);
  metrics.shard(1).record_request("r1", "ns/u", "f", 200, 2s);
  metrics.shard(1).record_request("r1", "ns/u", "f", 502, 1ms);
  metrics.shard(2).record_request("", "", "", 404, 0ms);
  metrics.shard(0).record_invocation("ns/u", "f", observability::InvocationResult::Success);
  metrics.shard(2).record_invocation("ns/u", "f", observability::InvocationResult::Success);
  metrics.shard(2).record_invocation("ns/u", "f", observability::InvocationResult::FunctionError);
  metrics.shard(1).record_retry("r1");
  metrics.shard(2).record_retry("r1");
  metrics.shard(2).record_throttle("ns/u", "f");

  const auto sum = metrics.collect();
  CHECK(sum.requests.size() == 3);
  CHECK(sum.requests.at({"r1", "ns/u", "f", 200}) == 3);
  CHECK(sum.requests.at({"r1", "ns/u", "f", 502}) == 1);
  CHECK(sum.requests.at({"", "", "", 404}) == 1);

  const auto& h = sum.durations.at("r1");
  CHECK(h.count == 4);
  CHECK(h.buckets[0] == 2);  // 3 ms and 1 ms
  CHECK(h.buckets[2] == 1);  // 20 ms ≤ 25 ms
  CHECK(h.buckets[8] == 1);  // 2 s ≤ 2.5 s
  CHECK(h.sum == 2024ms);
  CHECK(sum.durations.at("").count == 1);

  CHECK(sum.invocations.at({"ns/u", "f", observability::InvocationResult::Success}) == 2);
  CHECK(sum.invocations.at({"ns/u", "f", observability::InvocationResult::FunctionError}) == 1);
  CHECK(sum.retries.at("r1") == 2);
  CHECK(sum.throttles.at({"ns/u", "f"}) == 1);
}

// Labels are copied into the series: the caller's strings may die (a snapshot swap frees route
// names) without the series changing.
TEST_CASE("series own their label values", "[observability]") {
  observability::Metrics metrics(1);
  {
    std::string route = "temporary-route";
    metrics.shard(0).record_request(route, "ns/u", "f", 200, 1ms);
    route.assign("overwritten-value!");
    metrics.shard(0).record_request(std::string("temporary-route"), "ns/u", "f", 200, 1ms);
  }
  const auto sum = metrics.collect();
  REQUIRE(sum.requests.size() == 1);
  CHECK(sum.requests.begin()->first.route == "temporary-route");
  CHECK(sum.requests.begin()->second == 2);
}

// A scrape running while workers record sees consistent, growing totals, and the final sum is
// exact (run under TSan to check the absence of races).
TEST_CASE("scrapes while workers record", "[observability]") {
  constexpr int kWorkers = 4;
  constexpr int kPerWorker = 20000;
  observability::Metrics metrics(kWorkers);
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&metrics, w] {
      auto& shard = metrics.shard(static_cast<std::size_t>(w));
      for (int i = 0; i < kPerWorker; ++i) {
        // New series appear while the scrape walks the lists.
        shard.record_request("route-" + std::to_string(i % 50), "ns/u", "f", 200 + static_cast<unsigned>(i % 3),
                             std::chrono::microseconds(i));
      }
    });
  }
  std::uint64_t last = 0;
  for (int scrape = 0; scrape < 200; ++scrape) {
    const auto sum = metrics.collect();
    std::uint64_t total = 0;
    for (const auto& [key, value] : sum.requests) total += value;
    CHECK(total >= last);
    last = total;
  }
  for (auto& t : workers) t.join();
  const auto sum = metrics.collect();
  std::uint64_t total = 0;
  for (const auto& [key, value] : sum.requests) total += value;
  CHECK(total == kWorkers * kPerWorker);
  CHECK(sum.requests.size() == 150);
  std::uint64_t in_histograms = 0;
  for (const auto& [route, h] : sum.durations) in_histograms += h.count;
  CHECK(in_histograms == kWorkers * kPerWorker);
}

TEST_CASE("invocation results have Prometheus-friendly names", "[observability]") {
  CHECK(observability::to_string(observability::InvocationResult::Success) == "success");
  CHECK(observability::to_string(observability::InvocationResult::FunctionError) == "function_error");
  CHECK(observability::to_string(observability::InvocationResult::Error) == "error");
}
