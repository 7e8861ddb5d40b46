#include "lambdagate/observability/metrics.hpp"

#include <algorithm>

namespace lambdagate::observability {

namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

}  // namespace

std::string_view to_string(InvocationResult result) {
  switch (result) {
    case InvocationResult::Success: return "success";
    case InvocationResult::FunctionError: return "function_error";
    case InvocationResult::Error: return "error";
  }
  return "error";
}

std::size_t duration_bucket(std::chrono::nanoseconds duration) {
  const double seconds = std::chrono::duration<double>(duration).count();
  const auto it = std::lower_bound(kDurationBuckets.begin(), kDurationBuckets.end(), seconds);
  return static_cast<std::size_t>(it - kDurationBuckets.begin());
}

std::size_t MetricsShard::LabelHash::operator()(const LabelView& v) const noexcept {
  std::size_t h = std::hash<unsigned>{}(v.code);
  for (auto label : v.labels) h = h * 31 + std::hash<std::string_view>{}(label);
  return h;
}

template <typename Value>
MetricsShard::Family<Value>::~Family() {
  for (Node<Value>* n = head_.load(std::memory_order_acquire); n;) {
    Node<Value>* next = n->next;
    delete n;
    n = next;
  }
}

template <typename Value>
Value& MetricsShard::Family<Value>::get(const LabelView& labels) {
  // Requests come in runs for one route and function: the last series is compared first, which
  // costs less than hashing three labels. It is compared with the node's own copies, never with
  // views that may point into an older snapshot.
  if (last_ && last_->code == labels.code && last_->labels[0] == labels.labels[0] &&
      last_->labels[1] == labels.labels[1] && last_->labels[2] == labels.labels[2]) {
    return last_->value;
  }
  if (auto it = index_.find(labels); it != index_.end()) {
    last_ = it->second;
    return last_->value;
  }
  // A new series (bounded by the configuration): copy the labels once, then publish the node.
  auto* node = new Node<Value>;
  for (std::size_t i = 0; i < labels.labels.size(); ++i) node->labels[i] = std::string(labels.labels[i]);
  node->code = labels.code;
  node->next = head_.load(kRelaxed);
  LabelView key{{node->labels[0], node->labels[1], node->labels[2]}, node->code};
  index_.emplace(key, node);
  head_.store(node, std::memory_order_release);
  last_ = node;
  return node->value;
}

MetricsShard::~MetricsShard() = default;

void MetricsShard::record_request(std::string_view route, std::string_view upstream, std::string_view function,
                                  unsigned status, std::chrono::nanoseconds duration) {
  requests_.get({{route, upstream, function}, status}).value.fetch_add(1, kRelaxed);
  auto& histogram = durations_.get({{route, {}, {}}, 0});
  histogram.buckets[duration_bucket(duration)].fetch_add(1, kRelaxed);
  histogram.sum_ns.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(0, duration.count())), kRelaxed);
}

void MetricsShard::record_invocation(std::string_view upstream, std::string_view function, InvocationResult result) {
  invocations_.get({{upstream, function, {}}, static_cast<unsigned>(result)}).value.fetch_add(1, kRelaxed);
}

void MetricsShard::record_retry(std::string_view route) {
  retries_.get({{route, {}, {}}, 0}).value.fetch_add(1, kRelaxed);
}

void MetricsShard::record_throttle(std::string_view upstream, std::string_view function) {
  throttles_.get({{upstream, function, {}}, 0}).value.fetch_add(1, kRelaxed);
}

void MetricsShard::record_policy(std::string_view kind, std::string_view route, std::string_view reason) {
  policy_.get({{kind, route, reason}, 0}).value.fetch_add(1, kRelaxed);
}

void MetricsShard::add_to(MetricsSummary& out) const {
  requests_.for_each([&](const Node<Counter>& n) {
    out.requests[RequestKey{n.labels[0], n.labels[1], n.labels[2], n.code}] += n.value.value.load(kRelaxed);
  });
  durations_.for_each([&](const Node<Histogram>& n) {
    auto& h = out.durations[n.labels[0]];
    std::uint64_t in_buckets = 0;
    for (std::size_t i = 0; i < h.buckets.size(); ++i) {
      const auto v = n.value.buckets[i].load(kRelaxed);
      h.buckets[i] += v;
      in_buckets += v;
    }
    // The count is the sum of the buckets, so _count always equals the +Inf bucket, even when a
    // request is recorded mid-scrape.
    h.count += in_buckets;
    h.sum += std::chrono::nanoseconds(n.value.sum_ns.load(kRelaxed));
  });
  invocations_.for_each([&](const Node<Counter>& n) {
    out.invocations[InvocationKey{n.labels[0], n.labels[1], static_cast<InvocationResult>(n.code)}] +=
        n.value.value.load(kRelaxed);
  });
  retries_.for_each([&](const Node<Counter>& n) { out.retries[n.labels[0]] += n.value.value.load(kRelaxed); });
  throttles_.for_each([&](const Node<Counter>& n) {
    out.throttles[FunctionKey{n.labels[0], n.labels[1]}] += n.value.value.load(kRelaxed);
  });
  policy_.for_each([&](const Node<Counter>& n) {
    out.policy[PolicyKey{n.labels[0], n.labels[1], n.labels[2]}] += n.value.value.load(kRelaxed);
  });
}

Metrics::Metrics(std::size_t shards) {
  shards_.reserve(shards);
  for (std::size_t i = 0; i < shards; ++i) shards_.push_back(std::make_unique<MetricsShard>());
}

MetricsSummary Metrics::collect() const {
  MetricsSummary summary;
  for (const auto& shard : shards_) shard->add_to(summary);
  return summary;
}

}  // namespace lambdagate::observability
