#pragma once
// GatewayProcess: the running gateway, every long-lived object of it, and the steps run_gateway
// takes (load, bind, start, serve until a shutdown signal, stop). Members are declared in the
// order they are built, so they are destroyed in reverse, each after everything that uses it; by
// then every coroutine has unwound (the shutdown sequence waits for that), so nothing is leaked.
//
// It is what admin reads (admin::StatusSource) and what the shutdown sequence drives
// (app::ShutdownTarget, shutdown.hpp).
#include <spdlog/logger.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lambdagate/admin/admin_handler.hpp"
#include "lambdagate/admin/status_source.hpp"
#include "lambdagate/app/cli.hpp"
#include "lambdagate/app/config_watcher.hpp"
#include "lambdagate/app/shutdown.hpp"
#include "lambdagate/core/clock.hpp"
#include "lambdagate/core/sleeper.hpp"
#include "lambdagate/core/task.hpp"
#include "lambdagate/discovery/discovery_registry.hpp"
#include "lambdagate/http/client.hpp"
#include "lambdagate/http/server.hpp"
#include "lambdagate/observability/metrics.hpp"
#include "lambdagate/observability/rate_limited_log.hpp"
#include "lambdagate/proxy/snapshot.hpp"
#include "lambdagate/wiring/credentials_registry.hpp"
#include "lambdagate/wiring/jwks_registry.hpp"
#include "lambdagate/wiring/snapshot_builder.hpp"
#include "worker.hpp"

namespace lambdagate::app {

class GatewayProcess final : public admin::StatusSource, public ShutdownTarget {
 public:
  GatewayProcess(const CliOptions& options, std::shared_ptr<spdlog::logger> logger);
  ~GatewayProcess() override;
  GatewayProcess(const GatewayProcess&) = delete;
  GatewayProcess& operator=(const GatewayProcess&) = delete;

  // The steps of run_gateway, in order. The first two return an exit code when the gateway
  // cannot start.
  std::optional<int> load_configuration();
  std::optional<int> bind_listeners();
  void start_serving();
  // Runs the control thread (signals, reloads, admin, credentials, discovery) until a shutdown
  // signal's sequence has run and the control thread's coroutines have unwound.
  void serve_until_shutdown();
  // Lets the workers finish and joins them; returns the exit code.
  int stop();

  // admin::StatusSource
  std::shared_ptr<const proxy::Snapshot> snapshot() const override { return snapshots_.get(); }
  const admin::RuntimeStatus& runtime() const override { return status_; }
  std::optional<std::vector<admin::CredentialCacheReport>> credential_caches() const override;
  std::optional<observability::MetricsSummary> request_metrics() const override;
  std::optional<admin::ConnectionCounts> connections() const override;

  // ShutdownTarget
  void announce_draining() override;
  void stop_accepting() override;
  core::Task<void> connections_closed() override;
  std::size_t open_connections() const override;
  void cancel_connections() override;
  core::Task<void> stop_background() override;

 private:
  wiring::LoadedSnapshot load(std::uint64_t version);
  void reload(const char* trigger);
  http::TlsAccept tls_accept(const std::string& listener);
  core::Task<void> handle_signals();
  core::Task<void> shut_down_on_signal();
  // Ends what runs on the control thread when serve_until_shutdown never ran (start-up failed).
  void abandon_background();

  const CliOptions& options_;
  std::shared_ptr<spdlog::logger> logger_;
  core::SystemClock clock_;
  std::shared_ptr<core::Sleeper> sleeper_;
  // Warnings that could repeat per request or per refresh (Lambda unreachable, credentials
  // that will not refresh): one line per key every 10 s, for every worker and the control thread.
  observability::RateLimitedLog problems_;
  std::string session_name_;  // STS RoleSessionName when AWS_ROLE_SESSION_NAME is unset
  http::TlsOptions tls_;
  // The control thread's io_context: destroyed last, after everything that runs on it.
  boost::asio::io_context control_;
  proxy::SnapshotStore snapshots_;
  admin::RuntimeStatus status_;
  std::atomic<bool> refusing_{false};  // the workers' gateways answer 503 draining
  std::uint64_t version_ = 1;
  http::PooledHttpClient control_http_;
  wiring::CredentialsRegistry registry_;
  discovery::DiscoveryRegistry discovery_;
  wiring::JwksRegistry jwks_;
  std::unique_ptr<observability::Metrics> metrics_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::unique_ptr<admin::AdminHandler> admin_handler_;
  std::unique_ptr<http::Server> admin_server_;
  boost::asio::signal_set signals_;
  std::unique_ptr<ConfigWatcher> watcher_;
  bool served_ = false;
  bool shutting_down_ = false;
  bool shut_down_ = false;
  ShutdownReport report_;
};

}  // namespace lambdagate::app
