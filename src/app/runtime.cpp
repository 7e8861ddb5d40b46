#include "lambdagate/app/runtime.hpp"

#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "lambdagate/admin/admin_handler.hpp"
#include "lambdagate/app/config_watcher.hpp"
#include "lambdagate/aws/timer_sleeper.hpp"
#include "lambdagate/config/loader.hpp"
#include "lambdagate/discovery/discovery_registry.hpp"
#include "lambdagate/http/client.hpp"
#include "lambdagate/http/server.hpp"
#include "lambdagate/observability/logging.hpp"
#include "lambdagate/observability/metrics.hpp"
#include "lambdagate/proxy/credentials_registry.hpp"
#include "lambdagate/proxy/gateway.hpp"
#include "lambdagate/proxy/snapshot.hpp"

namespace lambdagate::app {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

struct Loaded {
  std::shared_ptr<const proxy::Snapshot> snapshot;
  std::vector<std::string> errors;    // printable lines
  std::vector<std::string> warnings;  // printable lines
};

// Loads the configuration and builds a snapshot from it; never throws for bad input. With a
// registry, credential caches are obtained (and started) for the snapshot's Upstreams.
Loaded load(const std::vector<std::string>& paths, std::uint64_t version, const core::Clock& clock,
            proxy::CredentialsRegistry* registry, discovery::DiscoveryRegistry* discovery = nullptr) {
  Loaded loaded;
  auto result = config::load_config(paths);
  for (const auto& d : result.diagnostics) {
    (d.severity == config::Diagnostic::Severity::Error ? loaded.errors : loaded.warnings).push_back(d.to_string());
  }
  if (!result.ok()) return loaded;
  proxy::Environment environment;
  environment.credentials = registry;
  environment.discovery = discovery;
  // STS session names: AWS_ROLE_SESSION_NAME, else one per process, as the SDKs do.
  static const std::string session_name =
      "lambdagate-" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count());
  environment.session_name = session_name;
  auto build = proxy::build_snapshot(result.config, environment, version, clock.system_now());
  for (auto& e : build.errors) loaded.errors.push_back("error: " + e);
  for (auto& w : build.warnings) loaded.warnings.push_back("warning: " + w);
  loaded.snapshot = std::move(build.snapshot);
  return loaded;
}

// The Upstreams a snapshot discovers functions for: their discoverers stay, the others stop.
std::vector<std::string> discovered_upstreams(const proxy::Snapshot& snapshot) {
  std::vector<std::string> keys;
  for (const auto& [ref, upstream] : snapshot.upstreams) {
    if (upstream.discovered) keys.push_back(upstream.key);
  }
  return keys;
}

// Discovery rounds in the log: failures always, successes when the list changed.
discovery::RoundObserver log_discovery_rounds(std::shared_ptr<spdlog::logger> logger) {
  return [logger](const discovery::RoundReport& report) {
    const auto& r = report.result;
    if (!r.ok()) {
      logger->warn("function discovery for upstream {} failed ({} in a row): {}; the last list stays, next round "
                   "in {} ms",
                   report.upstream_key, report.consecutive_failures, r.error, report.next_round_in.count());
    } else if (r.changed) {
      logger->info("function discovery for upstream {}: {} function(s) ({} page(s), {} alias call(s))",
                   report.upstream_key, r.functions, r.pages, r.alias_calls);
    } else {
      logger->debug("function discovery for upstream {}: unchanged, {} function(s)", report.upstream_key,
                    r.functions);
    }
  };
}

tcp::endpoint resolve_listen(const HostPort& hp) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(hp.host, ec);
  if (ec) {
    // A host name ("localhost"): resolve once at start-up.
    asio::io_context io;
    tcp::resolver resolver(io);
    auto results = resolver.resolve(hp.host, std::to_string(hp.port));
    return results.begin()->endpoint();
  }
  return tcp::endpoint(address, hp.port);
}

// Listen addresses: --listen, else the plain-HTTP Gateway documents, else 0.0.0.0:8080.
std::vector<HostPort> listen_addresses(const CliOptions& options, const config::Config& config,
                                       spdlog::logger& logger) {
  if (options.listen) return {*options.listen};
  std::vector<HostPort> out;
  for (const auto& gw : config.gateways) {
    if (gw.ssl) {
      logger.warn("{}:{}: gateway {}/{} has ssl: true; HTTPS listeners are not supported yet, skipping it",
                  gw.where.file, gw.where.line, gw.metadata.namespace_, gw.metadata.name);
      continue;
    }
    out.push_back(HostPort{gw.bind_address, gw.bind_port});
  }
  if (out.empty()) out.push_back(HostPort{"0.0.0.0", 8080});
  return out;
}

// One worker thread: its own io_context, connection pool, access log, pipeline and listeners.
class Worker {
public:
  Worker(const proxy::SnapshotStore& snapshots, const admin::RuntimeStatus& status, const core::Clock& clock,
         const CliOptions& options, http::TlsOptions tls, observability::MetricsShard& metrics)
      : work_(asio::make_work_guard(io_)),
        http_client_(io_.get_executor(), clock, std::move(tls)),
        access_log_(options.log_format, true),
        gateway_(snapshots, http_client_, clock, access_log_, status.draining, proxy::GatewayOptions{}, &metrics) {}

  ~Worker() {
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  // Binds a listener now (on the caller's thread) so "address in use" is reported at start-up.
  tcp::endpoint bind(const tcp::endpoint& endpoint) {
    servers_.push_back(std::make_unique<http::Server>(io_, endpoint, gateway_, http::ServerLimits{}, true));
    return servers_.back()->local_endpoint();
  }

  void start(spdlog::logger& logger) {
    for (auto& s : servers_) s->start();
    thread_ = std::thread([this, &logger] {
      for (;;) {
        try {
          io_.run();
          return;
        } catch (const std::exception& e) {
          logger.error("worker: unexpected exception: {}", e.what());
        }
      }
    });
  }

  void stop_accepting() {
    asio::post(io_, [this] {
      for (auto& s : servers_) s->stop();
    });
  }

  std::size_t active_connections() const {
    std::size_t n = 0;
    for (const auto& s : servers_) n += s->active_connections();
    return n;
  }

  std::uint64_t connections_accepted() const {
    std::uint64_t n = 0;
    for (const auto& s : servers_) n += s->connections_accepted();
    return n;
  }

  void finish() {
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  http::PooledHttpClient http_client_;
  observability::AccessLog access_log_;
  proxy::Gateway gateway_;
  std::vector<std::unique_ptr<http::Server>> servers_;
  std::thread thread_;
};

// /metrics' connection families: the sums over every worker's listeners.
class WorkerConnectionStats final : public admin::ConnectionStats {
public:
  explicit WorkerConnectionStats(const std::vector<std::unique_ptr<Worker>>& workers) : workers_(workers) {}
  std::uint64_t active_connections() const override {
    std::uint64_t n = 0;
    for (const auto& w : workers_) n += w->active_connections();
    return n;
  }
  std::uint64_t connections_accepted() const override {
    std::uint64_t n = 0;
    for (const auto& w : workers_) n += w->connections_accepted();
    return n;
  }

private:
  const std::vector<std::unique_ptr<Worker>>& workers_;
};

}  // namespace

int validate_only(const CliOptions& options, std::FILE* out) {
  core::SystemClock clock;
  auto loaded = load(options.config_paths, 1, clock, nullptr);
  for (const auto& line : loaded.errors) std::fprintf(out, "%s\n", line.c_str());
  for (const auto& line : loaded.warnings) std::fprintf(out, "%s\n", line.c_str());
  if (!loaded.snapshot) {
    std::fprintf(out, "configuration is invalid: %zu error(s)\n", loaded.errors.size());
    return kExitInvalidConfig;
  }
  std::fprintf(out, "configuration is valid: %zu upstream(s), %zu virtual service(s), %zu route(s)\n",
               loaded.snapshot->upstreams.size(), loaded.snapshot->config->virtual_services.size(),
               loaded.snapshot->routes->route_count());
  return kExitOk;
}

int run_gateway(const CliOptions& options, std::shared_ptr<spdlog::logger> logger) {
  core::SystemClock clock;
  proxy::SnapshotStore snapshots;
  admin::RuntimeStatus status;
  std::uint64_t version = 1;

  http::TlsOptions tls;
  if (auto bundle = aws::process_env("AWS_CA_BUNDLE"); bundle && !bundle->empty()) tls.ca_bundle_file = *bundle;

  // The control thread: admin listener, signals, reloads and the credential caches (which call
  // STS through their own connection pool).
  auto control_holder = std::make_unique<asio::io_context>();
  asio::io_context& control = *control_holder;
  auto control_http = std::make_unique<http::PooledHttpClient>(control.get_executor(), clock, tls);
  auto registry = std::make_unique<proxy::CredentialsRegistry>(control.get_executor(), *control_http, clock,
                                                               std::make_shared<aws::TimerSleeper>(clock));
  // Function discovery runs on the control thread too, signed with the Upstreams' credentials.
  auto discovery = std::make_unique<discovery::DiscoveryRegistry>(
      control.get_executor(), *control_http, clock, std::make_shared<aws::TimerSleeper>(clock),
      log_discovery_rounds(logger));

  auto loaded = load(options.config_paths, version, clock, registry.get(), discovery.get());
  for (const auto& w : loaded.warnings) logger->warn("{}", w);
  for (const auto& e : loaded.errors) logger->error("{}", e);
  if (!loaded.snapshot) {
    logger->error("configuration is invalid ({} error(s)); not starting", loaded.errors.size());
    return kExitInvalidConfig;
  }
  snapshots.publish(loaded.snapshot);
  for (const auto& [ref, upstream] : loaded.snapshot->upstreams) {
    logger->info("upstream {}: region {}, endpoint {}, credentials: {}, {} hand-written function(s), function "
                 "discovery {}",
                 upstream.key, upstream.region, upstream.endpoint.to_string(), upstream.credential_source,
                 upstream.upstream->aws.lambda_functions.size(), upstream.discovered ? "on" : "off");
  }

  const unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::unique_ptr<Worker>> workers;
  // One metrics shard per worker; the admin scrape sums them. Leaked with the workers at exit.
  auto metrics = std::make_unique<observability::Metrics>(threads);
  WorkerConnectionStats connection_stats(workers);
  std::unique_ptr<admin::AdminHandler> admin_handler;
  std::unique_ptr<http::Server> admin_server;
  try {
    for (unsigned i = 0; i < threads; ++i) {
      workers.push_back(std::make_unique<Worker>(snapshots, status, clock, options, tls, metrics->shard(i)));
    }
    for (const auto& address : listen_addresses(options, *loaded.snapshot->config, *logger)) {
      tcp::endpoint endpoint = resolve_listen(address);
      // Port 0 picks a port once; every other worker binds that same port.
      endpoint = workers.front()->bind(endpoint);
      for (std::size_t i = 1; i < workers.size(); ++i) workers[i]->bind(endpoint);
      logger->info("listening on {}:{} ({} worker threads)", endpoint.address().to_string(), endpoint.port(),
                   threads);
    }
    if (options.admin) {
      admin_handler = std::make_unique<admin::AdminHandler>(snapshots, status, clock, registry.get(), metrics.get(),
                                                            &connection_stats);
      admin_server = std::make_unique<http::Server>(control, resolve_listen(*options.admin), *admin_handler,
                                                    http::ServerLimits{}, false);
      logger->info("admin listening on {}:{}", admin_server->local_endpoint().address().to_string(),
                   admin_server->local_endpoint().port());
    }
  } catch (const std::exception& e) {
    logger->error("cannot start: {}", e.what());
    return kExitRuntimeFailure;
  }

  for (auto& w : workers) w->start(*logger);
  if (admin_server) admin_server->start();
  status.listeners_bound = true;

  asio::signal_set signals(control, SIGTERM, SIGINT, SIGHUP);
  asio::steady_timer drain_timer(control);
  auto drain_deadline = std::chrono::steady_clock::time_point{};

  std::function<void()> watch_drain = [&] {
    std::size_t active = 0;
    for (auto& w : workers) active += w->active_connections();
    if (active == 0 || std::chrono::steady_clock::now() >= drain_deadline) {
      if (active) logger->warn("drain time is up; closing {} connection(s) still open", active);
      control.stop();
      return;
    }
    drain_timer.expires_after(std::chrono::milliseconds(50));
    drain_timer.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) watch_drain();
    });
  };

  // One reload path for SIGHUP and file changes: build a new snapshot and publish it, or keep the
  // old one in force. Requests in flight keep the snapshot they started with (shared_ptr).
  auto reload = [&](const char* trigger) {
    if (status.draining) return;
    logger->info("{}: reloading the configuration", trigger);
    auto reloaded = load(options.config_paths, version + 1, clock, registry.get(), discovery.get());
    for (const auto& w : reloaded.warnings) logger->warn("{}", w);
    if (reloaded.snapshot) {
      ++version;
      snapshots.publish(reloaded.snapshot);
      discovery->retain(discovered_upstreams(*reloaded.snapshot));
      status.config_reloads_success.fetch_add(1, std::memory_order_relaxed);
      logger->info("configuration reloaded (version {}; reloads: {} succeeded, {} failed)", version,
                   status.config_reloads_success.load(), status.config_reloads_failure.load());
    } else {
      for (const auto& e : reloaded.errors) logger->error("{}", e);
      status.config_reloads_failure.fetch_add(1, std::memory_order_relaxed);
      logger->error("reload refused: the new configuration is invalid ({} error(s)); version {} stays in force "
                    "(reloads: {} succeeded, {} failed)",
                    reloaded.errors.size(), snapshots.get()->version, status.config_reloads_success.load(),
                    status.config_reloads_failure.load());
    }
  };

  // Without inotify it logs a warning and SIGHUP stays the only trigger; the gateway runs anyway.
  auto watcher = std::make_unique<ConfigWatcher>(
      control, options.config_paths, [&] { reload("configuration files changed"); }, *logger, clock);
  watcher->start();

  // Draining: a second SIGTERM/SIGINT exits at once; a reload now would be pointless.
  std::function<void(const boost::system::error_code&, int)> on_signal_while_draining =
      [&](const boost::system::error_code& ec, int signo) {
        if (ec) return;
        if (signo == SIGHUP) {
          logger->info("SIGHUP while draining: ignored");
          signals.async_wait(on_signal_while_draining);
          return;
        }
        logger->warn("second signal: exiting now");
        control.stop();
      };

  std::function<void(const boost::system::error_code&, int)> on_signal = [&](const boost::system::error_code& ec,
                                                                              int signo) {
    if (ec) return;
    if (signo == SIGHUP) {
      reload("SIGHUP");
      signals.async_wait(on_signal);
      return;
    }
    logger->info("received {}: draining (stop accepting, finish in-flight requests, up to {}s)",
                 signo == SIGTERM ? "SIGTERM" : "SIGINT", options.drain_timeout.count());
    status.draining = true;
    watcher->stop();
    discovery->stop_all();
    for (auto& w : workers) w->stop_accepting();
    drain_deadline = std::chrono::steady_clock::now() + options.drain_timeout;
    watch_drain();
    signals.async_wait(on_signal_while_draining);
  };
  signals.async_wait(on_signal);

  control.run();

  if (admin_server) admin_server->stop();
  for (auto& w : workers) w->finish();
  logger->info("stopped");
  logger->flush();
  // The process is about to exit. Suspended coroutines (a call cut off by the drain bound, an
  // idle pooled connection) still refer to servers and pools, and Asio requires I/O objects to
  // die before their io_context while the frames die with it: no destruction order is safe.
  // Nothing here holds external state that needs a destructor, so leave it to the OS.
  for (auto& w : workers) (void)w.release();
  (void)watcher.release();
  (void)registry.release();
  (void)discovery.release();
  (void)control_http.release();
  (void)admin_server.release();
  (void)admin_handler.release();
  (void)control_holder.release();
  (void)metrics.release();
  return kExitOk;
}

}  // namespace lambdagate::app
