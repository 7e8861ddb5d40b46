#pragma once
// Worker: one worker thread of the gateway (DESIGN.md §7): its own io_context, connection pool,
// access log, request pipeline (proxy::Gateway) and listeners, so a request never crosses threads.
// The runtime drives it from the control thread; every method that touches the worker's objects
// posts to its io_context, or is an awaitable run there.
#include <spdlog/logger.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "lambdagate/app/cli.hpp"
#include "lambdagate/core/clock.hpp"
#include "lambdagate/core/sleeper.hpp"
#include "lambdagate/core/task.hpp"
#include "lambdagate/http/client.hpp"
#include "lambdagate/http/server.hpp"
#include "lambdagate/observability/logging.hpp"
#include "lambdagate/observability/metrics.hpp"
#include "lambdagate/observability/rate_limited_log.hpp"
#include "lambdagate/proxy/gateway.hpp"

namespace lambdagate::app {

class Worker {
 public:
  // `draining`: the gateway refuses new requests (503 draining) while it is set.
  Worker(const proxy::SnapshotStore& snapshots, const std::atomic<bool>& draining, const core::Clock& clock,
         core::Sleeper& sleeper, const CliOptions& options, http::TlsOptions tls,
         observability::MetricsShard& metrics, spdlog::logger& logger, observability::RateLimitedLog& problems);
  // Joins the thread if finish() did not.
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Binds a listener now (on the caller's thread) so "address in use" is reported at start-up.
  // `limits` are its Gateway's connection settings; `listener` names its Gateway (whose routes serve
  // it); with `tls`, it is an HTTPS listener.
  boost::asio::ip::tcp::endpoint bind(const boost::asio::ip::tcp::endpoint& endpoint,
                                      const http::ServerLimits& limits, std::string listener = {},
                                      std::optional<http::TlsAccept> tls = std::nullopt);
  // Starts the listeners and the thread.
  void start();

  // Shutdown steps (http::Server's), run on the worker's thread; callable from any thread.
  void stop_accepting();
  void cancel_sessions();
  // Completes when no session of this worker is left. Run it on executor() (co_spawn).
  core::Task<void> sessions_ended();
  core::Executor executor() { return io_.get_executor(); }

  // Lets the io_context run out of work (in-flight TLS closes, DNS lookups) and joins the thread;
  // after `bound`, stops it instead. Call once no session is left.
  void finish(std::chrono::steady_clock::duration bound);

  // Safe to read from any thread (the admin thread reports them).
  std::size_t active_connections() const;
  std::uint64_t connections_accepted() const;

 private:
  spdlog::logger& logger_;
  // Only this worker's thread runs it and touches its sockets and timers: every other thread
  // posts (shutdown steps, DNS lookups, reloads, credential bells), and the objects are destroyed
  // after the thread has joined. So the hint drops the per-socket locks of the reactor
  // (UNSAFE_IO) and keeps the scheduler's lock for those posts; like hint 1, it lets Asio hand
  // completions posted from this thread to a thread-private queue.
  boost::asio::io_context io_{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  http::PooledHttpClient http_client_;
  observability::AccessLog access_log_;
  proxy::Gateway gateway_;
  std::vector<std::unique_ptr<http::Server>> servers_;
  std::promise<void> ran_out_;
  std::thread thread_;
};

}  // namespace lambdagate::app
