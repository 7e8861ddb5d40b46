#pragma once
// JwksFetcher: a provider's `jwks.remote {url, cacheDuration}`. One coroutine on the control
// executor fetches the JWKS at start and again every cacheDuration, and publishes each good
// KeySet atomically (KeySource); workers read it without a lock. A failed fetch (network, HTTP
// status, a document without a usable key) keeps the last good keys, is reported to the observer
// (the runtime logs it at warn) and counted, and is retried with backoff.
//
// A token naming a `kid` the current keys lack (a key rotation) asks for an early fetch with
// request_refresh(); early fetches start at most once per min_refetch_interval, so a stream of
// forged kids costs one fetch per interval. The request then waits in wait_for_fetch() until that
// fetch completes — woken by the completion itself, not by polling — or until its own deadline.
//
// Threads: start/stop/request_refresh/keys/generation from any thread; wait_for_fetch on any
// single-threaded executor (every worker's io_context is), which the wake-up is posted to.
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lambdagate/core/clock.hpp"
#include "lambdagate/core/deadline.hpp"
#include "lambdagate/core/sleeper.hpp"
#include "lambdagate/core/task.hpp"
#include "lambdagate/http/client.hpp"
#include "lambdagate/policy/key_set.hpp"

namespace lambdagate::policy {

struct JwksFetcherOptions {
  // Early fetches for an unknown kid start no sooner than this after the previous fetch started.
  std::chrono::milliseconds min_refetch_interval{5'000};
  // One fetch, connection to last byte.
  std::chrono::milliseconds fetch_timeout{5'000};
  // After failures: 1s, 2s, 4s … up to max_backoff (never more than the cache duration).
  std::chrono::milliseconds initial_backoff{1'000};
  std::chrono::milliseconds max_backoff{60'000};
  KeySetLimits limits;
};

// What the observer hears after every fetch.
struct JwksFetchReport {
  std::string url;
  bool ok = false;
  std::string error;                 // why it failed; never response bytes beyond a status
  std::size_t keys = 0;              // keys being served after the fetch (old ones on failure)
  std::vector<std::string> skipped;  // keys of the document left out, and why
  bool requested = false;            // started early by request_refresh()
  unsigned consecutive_failures = 0;
  std::chrono::milliseconds next_fetch_in{0};
};
using JwksObserver = std::function<void(const JwksFetchReport&)>;

class JwksFetcher final : public std::enable_shared_from_this<JwksFetcher> {
 public:
  // `url` must be http(s)://host[:port]/path; throws PolicyError otherwise. `client` is used
  // only on the executor given to start().
  JwksFetcher(std::string url, std::chrono::milliseconds cache_duration,
              std::shared_ptr<http::HttpClient> client, const core::Clock& clock,
              std::shared_ptr<core::Sleeper> sleeper, JwksFetcherOptions options = {},
              JwksObserver observer = {});

  const std::string& url() const { return url_; }

  // Starts the loop on `executor` (the control thread); the first fetch starts at once.
  void start(core::Executor executor);
  // Ends the loop and wakes every waiter. Any thread.
  void stop();
  // Whether stop() was called (or the loop ended). Any thread.
  bool stopped() const { return stopped_.load(std::memory_order_acquire); }

  // The keys being served: null until the first good fetch. Lock-free.
  std::shared_ptr<const KeySet> keys() const { return source_->get(); }
  std::shared_ptr<const KeySource> source() const { return source_; }

  // Fetches completed so far, good or bad. A waiter passes the value it saw before asking.
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  bool fetch_in_flight() const { return in_flight_.load(std::memory_order_acquire); }

  // Asks for an early fetch (a token named an unknown kid). True when a fetch is in flight or
  // will start now, so waiting for it makes sense; false when the last one started less than
  // min_refetch_interval ago (or the loop is not running).
  bool request_refresh();

  // Waits until a fetch after generation `seen` completes, the deadline passes, or the fetcher
  // stops. Returns at once when one already has. Never waits past fetch_timeout plus a second,
  // even with an unlimited deadline.
  core::Task<void> wait_for_fetch(std::uint64_t seen, core::Deadline deadline);

  std::uint64_t fetch_successes() const { return successes_.load(std::memory_order_relaxed); }
  std::uint64_t fetch_failures() const { return failures_total_.load(std::memory_order_relaxed); }

  // One fetch: GET the URL, parse, publish on success. The loop's step; tests call it directly
  // (not while the loop runs).
  core::Task<JwksFetchReport> fetch_once();

 private:
  struct Waiter;
  core::Task<void> run();
  core::Task<void> pause(core::SystemTime until);
  void complete_fetch();  // on the loop's executor: bump the generation, wake the waiters
  void add_waiter(std::shared_ptr<Waiter> waiter, std::uint64_t seen);
  static void wake(const std::shared_ptr<Waiter>& waiter);

  std::string url_;
  http::Endpoint endpoint_;
  std::string target_;
  std::chrono::milliseconds cache_duration_;
  std::shared_ptr<http::HttpClient> client_;
  const core::Clock& clock_;
  std::shared_ptr<core::Sleeper> sleeper_;
  JwksFetcherOptions options_;
  JwksObserver observer_;
  std::shared_ptr<KeySource> source_ = std::make_shared<KeySource>();

  std::atomic<bool> started_{false};
  std::atomic<bool> stopped_{false};
  std::atomic<bool> requested_{false};
  std::atomic<bool> in_flight_{false};
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<core::SteadyTime::rep> last_start_{0};  // steady ticks of the last fetch's start
  std::atomic<bool> fetched_once_{false};
  std::atomic<std::uint64_t> successes_{0};
  std::atomic<std::uint64_t> failures_total_{0};

  // Used only on the loop's executor.
  boost::asio::any_io_executor executor_;  // set by start(), posted to
  boost::asio::cancellation_signal stop_signal_;
  boost::asio::cancellation_signal wake_signal_;
  bool pausing_ = false;
  unsigned failures_ = 0;
  std::vector<std::shared_ptr<Waiter>> waiters_;
};

}  // namespace lambdagate::policy
