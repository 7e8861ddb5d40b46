#pragma once
// Metrics: the request metrics of DESIGN.md §5, kept per worker so the request path takes no lock.
//
// Each worker's Gateway writes to its own MetricsShard (one thread only); the admin scrape sums
// every shard with Metrics::collect() from another thread. A shard keeps one series per label set
// it has seen; label values come from the configuration (route names, Upstreams, functions) and
// the HTTP status, never from request paths, so the number of series is bounded by the config.
//
// How the two threads meet without a lock: counters are relaxed atomics; a new series is a node
// pushed onto a lock-free singly linked list (release) that the scrape walks (acquire), and nodes
// are never freed before the shard. The writer finds its series through a hash map only it
// touches, looked up by string_view, so an existing series costs no allocation.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace lambdagate::observability {

// Upper bounds (seconds) of lambdagate_request_duration_seconds, 5 ms to 30 s; +Inf is implied.
inline constexpr std::array<double, 12> kDurationBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                            0.5,   1.0,  2.5,   5.0,  10.0, 30.0};

// How one Lambda Invoke call (one attempt) ended.
enum class InvocationResult { Success, FunctionError, Error };
std::string_view to_string(InvocationResult result);

// The index of the bucket `duration` falls in: the first bound >= it, or kDurationBuckets.size()
// (+Inf). Pure, for the tests.
std::size_t duration_bucket(std::chrono::nanoseconds duration);

// ---- sums over every shard, as the scrape sees them ---------------------------------------

struct RequestKey {
  std::string route, upstream, function;
  unsigned status = 0;
  auto operator<=>(const RequestKey&) const = default;
};
struct InvocationKey {
  std::string upstream, function;
  InvocationResult result = InvocationResult::Success;
  auto operator<=>(const InvocationKey&) const = default;
};
struct FunctionKey {
  std::string upstream, function;
  auto operator<=>(const FunctionKey&) const = default;
};

// A request policy's decision (policy_stage): kind "rate_limited" (reason: the limit's level,
// "route_concurrency" or "function_concurrency"), "jwt_failure" (reason: the JWT failure) or
// "cors_preflight" (reason "answered").
struct PolicyKey {
  std::string kind, route, reason;
  auto operator<=>(const PolicyKey&) const = default;
};
struct HistogramValue {
  std::array<std::uint64_t, kDurationBuckets.size() + 1> buckets{};  // per bucket, not cumulative; last = +Inf
  std::uint64_t count = 0;
  std::chrono::nanoseconds sum{0};  // summed as integers, so shards add up exactly
};

// Ordered maps, so the exposition is stable from scrape to scrape.
struct MetricsSummary {
  std::map<RequestKey, std::uint64_t> requests;
  std::map<std::string, HistogramValue> durations;  // by route
  std::map<InvocationKey, std::uint64_t> invocations;
  std::map<std::string, std::uint64_t> retries;  // by route
  std::map<FunctionKey, std::uint64_t> throttles;
  std::map<PolicyKey, std::uint64_t> policy;
};

// ---- the per-worker shard --------------------------------------------------------------------

// Written by one thread (its worker); read by the scrape from any thread. Not copyable or movable:
// the scrape holds references into it.
class MetricsShard {
public:
  MetricsShard() = default;
  ~MetricsShard();
  MetricsShard(const MetricsShard&) = delete;
  MetricsShard& operator=(const MetricsShard&) = delete;

  // One answered request: lambdagate_requests_total and lambdagate_request_duration_seconds.
  // `route` is "" when no route matched.
  void record_request(std::string_view route, std::string_view upstream, std::string_view function, unsigned status,
                      std::chrono::nanoseconds duration);
  // One Invoke call (each attempt counts).
  void record_invocation(std::string_view upstream, std::string_view function, InvocationResult result);
  void record_retry(std::string_view route);
  void record_throttle(std::string_view upstream, std::string_view function);
  // A request policy's decision (PolicyKey); label values are static text or route names.
  void record_policy(std::string_view kind, std::string_view route, std::string_view reason);

  // Adds this shard's values to `out`. Safe from any thread.
  void add_to(MetricsSummary& out) const;

private:
  // A series: its label values (owned) and its value(s).
  struct Counter {
    std::atomic<std::uint64_t> value{0};
  };
  struct Histogram {
    std::array<std::atomic<std::uint64_t>, kDurationBuckets.size() + 1> buckets{};
    std::atomic<std::uint64_t> sum_ns{0};  // _count is the sum of the buckets
  };
  template <typename Value>
  struct Node {
    std::array<std::string, 3> labels;
    unsigned code = 0;  // status, or the InvocationResult
    Value value;
    Node* next = nullptr;
  };
  // The label values as the writer passes them; hashing and equality work on views, so an
  // existing series is found without building a string.
  struct LabelView {
    std::array<std::string_view, 3> labels;
    unsigned code = 0;
    bool operator==(const LabelView&) const = default;
  };
  struct LabelHash {
    std::size_t operator()(const LabelView& v) const noexcept;
  };
  // One metric family: the writer's index and the list the scrape walks.
  template <typename Value>
  class Family {
  public:
    ~Family();
    Value& get(const LabelView& labels);
    template <typename F>
    void for_each(F&& f) const {
      for (const Node<Value>* n = head_.load(std::memory_order_acquire); n; n = n->next) f(*n);
    }

  private:
    std::atomic<Node<Value>*> head_{nullptr};
    std::unordered_map<LabelView, Node<Value>*, LabelHash> index_;  // writer only; views into the nodes
    Node<Value>* last_ = nullptr;  // writer only: the series get() found last
  };

  Family<Counter> requests_;
  Family<Histogram> durations_;
  Family<Counter> invocations_;
  Family<Counter> retries_;
  Family<Counter> throttles_;
  Family<Counter> policy_;
};

// The process's registry: one shard per worker, fixed at construction (before any thread runs).
class Metrics {
public:
  explicit Metrics(std::size_t shards);
  std::size_t shard_count() const { return shards_.size(); }
  MetricsShard& shard(std::size_t index) { return *shards_.at(index); }
  // The sum of every shard. Safe from any thread while the workers write.
  MetricsSummary collect() const;

private:
  std::vector<std::unique_ptr<MetricsShard>> shards_;
};

}  // namespace lambdagate::observability
