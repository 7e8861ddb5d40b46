#pragma once
// Discoverer: function discovery for one Upstream (gloo.md §4, done right). A round lists every
// ListFunctions(FunctionVersion=ALL) page, then, when aliases are on, ListAliases for every
// function name at a bounded pace, and publishes the resulting catalog in its DiscoveredFunctions;
// a failed round publishes nothing, so the last known catalog keeps serving. The polling loop is
// one coroutine on the control executor: round → pause (after a success, until one poll interval
// after the round started; after failures, backoff with full jitter) → round, so rounds never
// overlap. The module logs
// nothing itself: each round is reported to an observer the runtime connects to logs and metrics.
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "lambdagate/core/clock.hpp"
#include "lambdagate/core/sleeper.hpp"
#include "lambdagate/core/task.hpp"
#include "lambdagate/discovery/discovery_policy.hpp"
#include "lambdagate/discovery/function_catalog.hpp"
#include "lambdagate/discovery/function_lister.hpp"

namespace lambdagate::discovery {

enum class RoundOutcome { Success, Throttled, Failed };
// "success", "throttled", "error": the `result` label of a rounds counter.
std::string_view to_string(RoundOutcome outcome);

struct RoundResult {
  RoundOutcome outcome = RoundOutcome::Success;
  std::string error;            // why the round failed; empty on success. Never a secret or raw AWS body.
  std::size_t functions = 0;    // entries in the catalog being served after the round
  std::size_t pages = 0;        // ListFunctions calls made
  std::size_t alias_calls = 0;  // ListAliases calls made
  bool changed = false;         // a success whose catalog differs from the one it replaced

  bool ok() const { return outcome == RoundOutcome::Success; }
};

// What the observer hears after every round of the polling loop.
struct RoundReport {
  std::string upstream_key;  // "namespace/name"
  RoundResult result;
  core::SystemTime started_at{};
  core::SystemTime finished_at{};
  bool requested = false;             // started early by request_round()
  unsigned consecutive_failures = 0;  // 0 after a success
  std::chrono::milliseconds next_round_in{0};
};
using RoundObserver = std::function<void(const RoundReport&)>;

class Discoverer final : public std::enable_shared_from_this<Discoverer> {
 public:
  Discoverer(std::string upstream_key, std::shared_ptr<FunctionLister> lister,
             std::shared_ptr<DiscoveredFunctions> functions, const core::Clock& clock,
             std::shared_ptr<core::Sleeper> sleeper, DiscoveryOptions options, RoundObserver observer = {});

  const std::string& upstream_key() const { return upstream_key_; }
  const DiscoveryOptions& options() const { return options_; }
  std::shared_ptr<const DiscoveredFunctions> functions() const { return functions_; }

  // One round, recorded in functions(): record_success with the new catalog, or record_failure
  // (the old catalog stays). Bounded: more than options().max_pages pages, or a NextMarker seen
  // before, ends the round with an error. ListAliases answering 404 (the function was deleted
  // since it was listed) just means no aliases for it; any other failure fails the round. Not to
  // be called while the polling loop runs (start()): the loop is the one caller then.
  core::Task<RoundResult> run_round();

  // Starts the polling loop on `executor` (the control thread); the first round starts at once.
  // Call once, from that thread.
  void start(core::Executor executor);
  // Ends the loop: a pending pause is cancelled, a call in flight is cancelled if the transport
  // supports it, and nothing more is recorded. Any thread.
  void stop();
  // Asks for an early round (a request named a function nobody knows yet). Any thread; cheap and
  // lock-free, so a burst of such requests costs one post. The round starts no sooner than
  // options().min_requested_interval after the previous round started, and not at all early
  // while the loop is backing off after failures (the backoff already retries soon).
  void request_round();

 private:
  core::Task<void> run();
  // Pauses until `scheduled`, or earlier when a round is requested (see request_round).
  core::Task<void> pause(core::SystemTime scheduled);
  void on_round_requested();
  bool stopped() const { return stopped_.load(std::memory_order_acquire); }

  std::string upstream_key_;
  std::shared_ptr<FunctionLister> lister_;
  std::shared_ptr<DiscoveredFunctions> functions_;
  const core::Clock& clock_;
  std::shared_ptr<core::Sleeper> sleeper_;
  DiscoveryOptions options_;
  RoundObserver observer_;
  std::mt19937_64 rng_;

  std::atomic<bool> started_{false};
  std::atomic<bool> stopped_{false};
  std::atomic<bool> requested_{false};
  // Used only on the loop's executor.
  boost::asio::any_io_executor executor_;  // set by start(), posted to
  boost::asio::cancellation_signal stop_signal_;  // cancels the whole loop
  boost::asio::cancellation_signal wake_signal_;  // cancels the current pause only
  bool pausing_ = false;
  unsigned failures_ = 0;
  core::SystemTime last_round_start_{};
};

}  // namespace lambdagate::discovery
