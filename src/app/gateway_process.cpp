// GatewayProcess: the running gateway's objects and the steps of its life (see
// gateway_process.hpp).
#include "gateway_process.hpp"

#include <sys/resource.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <thread>

#include "lambdagate/app/listener_settings.hpp"
#include "lambdagate/app/runtime.hpp"
#include "lambdagate/core/task.hpp"
#include "lambdagate/http/trust_store.hpp"
#include "lambdagate/wiring/policy_builder.hpp"

namespace lambdagate::app {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// How long work that only unwinds (a TLS close, a DNS lookup, a cancelled refresh) may take.
constexpr std::chrono::seconds kUnwindBound{5};

http::TlsOptions tls_options() {
  http::TlsOptions tls;
  if (auto bundle = aws::process_env("AWS_CA_BUNDLE"); bundle && !bundle->empty())
    tls.ca_bundle_file = *bundle;
  // Loaded once for the control thread's client and every worker's (≈ 0.8 MB per copy).
  tls.trust_store = http::TrustStore::load(tls.ca_bundle_file);
  return tls;
}

// Discovery rounds in the log: failures always, successes when the list changed.
discovery::RoundObserver log_discovery_rounds(std::shared_ptr<spdlog::logger> logger) {
  return [logger](const discovery::RoundReport& report) {
    const auto& r = report.result;
    if (!r.ok()) {
      logger->warn(
          "function discovery for upstream {} failed ({} in a row): {}; the last list stays, next round "
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

// Remote JWKS fetches: failures at warn (the last good keys stay), changes at info.
policy::JwksObserver log_jwks_fetches(std::shared_ptr<spdlog::logger> logger) {
  return [logger](const policy::JwksFetchReport& report) {
    if (!report.ok) {
      logger->warn("jwks {}: fetch failed ({} in a row): {}; serving {} key(s) still, next fetch in {} ms",
                   report.url, report.consecutive_failures, report.error, report.keys,
                   report.next_fetch_in.count());
      return;
    }
    logger->info("jwks {}: {} key(s){}", report.url, report.keys,
                 report.requested ? " (fetched for an unknown kid)" : "");
    for (const auto& skipped : report.skipped) logger->warn("jwks {}: key left out: {}", report.url, skipped);
  };
}

// The Upstreams a snapshot discovers functions for: their discoverers stay, the others stop.
std::vector<std::string> discovered_upstreams(const proxy::Snapshot& snapshot) {
  std::vector<std::string> keys;
  for (const auto& [ref, upstream] : snapshot.upstreams) {
    if (upstream.discovered) keys.push_back(upstream.key);
  }
  return keys;
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

// One listener to bind on every worker: a Gateway of the snapshot.
struct ListenerPlan {
  std::string name;
  HostPort address;
  bool tls = false;
  const config::Gateway* gateway = nullptr;  // whose connection settings apply; null = the defaults
};

// Every Gateway's listener at its bindAddress:bindPort, except that --listen gives the first
// plain one its address (the implicit one when there is no Gateway document). An ssl Gateway
// that serves no certificate gets none: every handshake would fail.
std::vector<ListenerPlan> plan_listeners(const CliOptions& options, const proxy::Snapshot& snapshot,
                                         spdlog::logger& logger) {
  std::vector<ListenerPlan> out;
  bool listen_used = false;
  for (const auto& listener : snapshot.listeners) {
    const config::Gateway& gw = listener.gateway;
    ListenerPlan plan{listener.name, HostPort{gw.bind_address, gw.bind_port}, gw.ssl, &gw};
    if (!gw.ssl && options.listen && !listen_used) {
      plan.address = *options.listen;
      listen_used = true;
    }
    if (gw.ssl && !listener.tls) {
      logger.warn("{}:{}: gateway {} has ssl: true but serves no VirtualService with sslConfig; it gets no listener",
                  gw.where.file, gw.where.line, listener.name);
      continue;
    }
    out.push_back(std::move(plan));
  }
  if (options.listen && !listen_used) out.insert(out.begin(), ListenerPlan{"", *options.listen, false});
  return out;
}

// An exception that ended a control-thread coroutine: logged, never dropped.
auto log_failure(spdlog::logger& logger, const char* what) {
  return [&logger, what](std::exception_ptr failure) {
    if (!failure) return;
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      logger.error("{}: unexpected exception: {}", what, e.what());
    }
  };
}

}  // namespace

GatewayProcess::GatewayProcess(const CliOptions& options, std::shared_ptr<spdlog::logger> logger)
    : options_(options),
      logger_(std::move(logger)),
      sleeper_(std::make_shared<core::TimerSleeper>(clock_)),
      problems_(clock_, logger_.get()),
      // As the SDKs do: one session name per process.
      session_name_("lambdagate-" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                       clock_.system_now().time_since_epoch())
                                                       .count())),
      tls_(tls_options()),
      control_http_(control_.get_executor(), clock_, tls_),
      // The credential caches call STS through the control thread's own connection pool.
      registry_(control_.get_executor(), control_http_, clock_, sleeper_),
      // Function discovery runs on the control thread too, signed with the Upstreams' credentials.
      discovery_(control_.get_executor(), control_http_, clock_, sleeper_, log_discovery_rounds(logger_)),
      // Remote JWKS too, through the same pool (no ownership: the pool outlives the registry).
      jwks_(control_.get_executor(),
            std::shared_ptr<http::HttpClient>(std::shared_ptr<void>(), &control_http_), clock_, sleeper_,
            log_jwks_fetches(logger_)),
      signals_(control_, SIGTERM, SIGINT, SIGHUP) {
  registry_.on_failure([this](const std::string& key, const std::string& description, std::string_view problem) {
    problems_.warn("credentials " + key, "credentials: refreshing " + description + " failed: " + std::string(problem));
  });
}

GatewayProcess::~GatewayProcess() {
  if (!served_) abandon_background();
}

wiring::LoadedSnapshot GatewayProcess::load(std::uint64_t version) {
  wiring::Environment environment;
  environment.credentials = &registry_;
  environment.discovery = &discovery_;
  environment.jwks = &jwks_;
  environment.clock = &clock_;
  environment.session_name = session_name_;
  return wiring::load_snapshot(options_.config_paths, version, clock_.system_now(), environment);
}

std::optional<int> GatewayProcess::load_configuration() {
  auto loaded = load(version_);
  for (const auto& w : loaded.warnings) logger_->warn("{}", w);
  for (const auto& n : loaded.notices) logger_->info("{}", n);
  for (const auto& e : loaded.errors) logger_->error("{}", e);
  if (!loaded.snapshot) {
    logger_->error("configuration is invalid ({} error(s)); not starting", loaded.errors.size());
    return kExitInvalidConfig;
  }
  snapshots_.publish(loaded.snapshot);
  for (const auto& w : admin::expiring_certificates(*loaded.snapshot, clock_.system_now())) logger_->warn("{}", w);
  for (const auto& [ref, upstream] : loaded.snapshot->upstreams) {
    logger_->info(
        "upstream {}: region {}, endpoint {}, credentials: {}, {} hand-written function(s), function "
        "discovery {}",
        upstream.key, upstream.region, upstream.endpoint.to_string(), upstream.credential_source,
        upstream.upstream->aws.lambda_functions.size(), upstream.discovered ? "on" : "off");
  }
  return std::nullopt;
}

std::optional<int> GatewayProcess::bind_listeners() {
  const unsigned threads =
      options_.threads ? options_.threads : std::max(1u, std::thread::hardware_concurrency());
  // One metrics shard per worker; the admin scrape sums them.
  metrics_ = std::make_unique<observability::Metrics>(threads);
  try {
    for (unsigned i = 0; i < threads; ++i) {
      workers_.push_back(std::make_unique<Worker>(snapshots_, refusing_, clock_, *sleeper_, options_, tls_,
                                                  metrics_->shard(i), *logger_, problems_));
    }
    const config::Config& config = *snapshots_.get()->config;
    // One connection budget over every listener and worker, leaving descriptors for the rest.
    rlimit descriptors{};
    const std::uint64_t descriptor_limit =
        ::getrlimit(RLIMIT_NOFILE, &descriptors) == 0 && descriptors.rlim_cur != RLIM_INFINITY
            ? descriptors.rlim_cur
            : 1u << 20;
    const std::size_t cap = connection_cap(config.settings, descriptor_limit);
    auto budget = std::make_shared<http::ConnectionBudget>(
        cap, [logger = logger_](std::string_view message) { logger->warn("{}", message); });
    logger_->info("connection limit: {} client connections (descriptor limit {})", cap, descriptor_limit);
    // One cap on request bytes in flight, over every listener and worker too.
    auto bytes_in_flight = std::make_shared<http::ByteBudget>(bytes_in_flight_cap(config.settings));
    for (const auto& plan : plan_listeners(options_, *snapshots_.get(), *logger_)) {
      // The Gateway's connection settings; --listen replaces only its address.
      http::ServerLimits limits = listener_limits(plan.gateway);
      limits.budget = budget;
      limits.bytes_in_flight = bytes_in_flight;
      limits.clock = &clock_;
      limits.draining = &status_.draining;
      std::optional<http::TlsAccept> tls;
      if (plan.tls) tls = tls_accept(plan.name);
      tcp::endpoint endpoint = resolve_listen(plan.address);
      // Port 0 picks a port once; every other worker binds that same port.
      endpoint = workers_.front()->bind(endpoint, limits, plan.name, tls);
      for (std::size_t i = 1; i < workers_.size(); ++i) workers_[i]->bind(endpoint, limits, plan.name, tls);
      if (plan.tls) {
        logger_->info("https listening on {}:{} (gateway {}, {} worker threads)", endpoint.address().to_string(),
                      endpoint.port(), plan.name, threads);
      } else {
        logger_->info("listening on {}:{} ({} worker threads; gateway {})", endpoint.address().to_string(),
                      endpoint.port(), threads, plan.name.empty() ? "none" : plan.name);
      }
    }
    if (options_.admin) {
      admin_handler_ = std::make_unique<admin::AdminHandler>(*this, clock_);
      auto on_error = [this](std::string_view message) { logger_->error("admin listener: {}", message); };
      admin_server_ = std::make_unique<http::Server>(control_, resolve_listen(*options_.admin),
                                                     *admin_handler_, http::ServerLimits{}, false, on_error);
      logger_->info("admin listening on {}:{}", admin_server_->local_endpoint().address().to_string(),
                    admin_server_->local_endpoint().port());
    }
  } catch (const std::exception& e) {
    logger_->error("cannot start: {}", e.what());
    return kExitRuntimeFailure;
  }
  return std::nullopt;
}

void GatewayProcess::start_serving() {
  for (auto& w : workers_) w->start();
  if (admin_server_) admin_server_->start();
  status_.listeners_bound = true;
}

void GatewayProcess::serve_until_shutdown() {
  served_ = true;
  asio::co_spawn(control_, handle_signals(), log_failure(*logger_, "signal handling"));
  // Without inotify it logs a warning and SIGHUP stays the only trigger; the gateway runs anyway.
  watcher_ = std::make_unique<ConfigWatcher>(
      control_, options_.config_paths, [this] { reload("configuration files changed"); }, *logger_, clock_);
  // sslFiles are watched too: a kubelet Secret volume update rotates certificates like a change.
  watcher_->watch_referenced(wiring::ssl_file_paths(*snapshots_.get()->config));
  watcher_->start();
  // Until the shutdown sequence has run ...
  while (!shut_down_ && control_.run_one() > 0) {
  }
  // ... then what is left on this thread only unwinds (cancelled refreshes and discovery rounds,
  // TLS closes); run() returns as soon as it has. Idle pooled connections would hold it up until
  // their last deadlines passed.
  control_http_.close_idle();
  control_.run_for(kUnwindBound);
  if (!control_.stopped()) {
    logger_->warn("control thread: background work still running {} s after shutdown; stopping it",
                  kUnwindBound.count());
    control_.stop();
  }
}

int GatewayProcess::stop() {
  if (!shut_down_ || !report_.unwound) {
    // A session still refers to its listener and pipeline: destroying them would be unsafe.
    logger_->error("{} connection(s) did not end after being cancelled; exiting without cleaning up",
                   open_connections());
    logger_->flush();
    std::_Exit(kExitRuntimeFailure);
  }
  for (auto& w : workers_) w->finish(kUnwindBound);
  logger_->info("stopped");
  logger_->flush();
  return kExitOk;
}

void GatewayProcess::abandon_background() {
  registry_.stop_all();
  discovery_.stop_all();
  jwks_.stop_all();
  control_http_.close_idle();
  control_.restart();
  control_.run_for(kUnwindBound);
}

// One reload path for SIGHUP and file changes: build a new snapshot and publish it, or keep the
// old one in force. Requests in flight keep the snapshot they started with (shared_ptr).
void GatewayProcess::reload(const char* trigger) {
  if (status_.draining) return;
  logger_->info("{}: reloading the configuration", trigger);
  auto reloaded = load(version_ + 1);
  for (const auto& w : reloaded.warnings) logger_->warn("{}", w);
  for (const auto& n : reloaded.notices) logger_->info("{}", n);
  if (reloaded.snapshot) {
    ++version_;
    snapshots_.publish(reloaded.snapshot);
    for (const auto& w : admin::expiring_certificates(*reloaded.snapshot, clock_.system_now())) logger_->warn("{}", w);
    discovery_.retain(discovered_upstreams(*reloaded.snapshot));
    jwks_.retain(wiring::remote_jwks_urls(*reloaded.snapshot->config));
    if (watcher_) watcher_->watch_referenced(wiring::ssl_file_paths(*reloaded.snapshot->config));
    status_.config_reloads_success.fetch_add(1, std::memory_order_relaxed);
    logger_->info("configuration reloaded (version {}; reloads: {} succeeded, {} failed)", version_,
                  status_.config_reloads_success.load(), status_.config_reloads_failure.load());
    return;
  }
  for (const auto& e : reloaded.errors) logger_->error("{}", e);
  status_.config_reloads_failure.fetch_add(1, std::memory_order_relaxed);
  logger_->error(
      "reload refused: the new configuration is invalid ({} error(s)); version {} stays in force "
      "(reloads: {} succeeded, {} failed)",
      reloaded.errors.size(), snapshots_.get()->version, status_.config_reloads_success.load(),
      status_.config_reloads_failure.load());
}

core::Task<void> GatewayProcess::handle_signals() {
  for (;;) {
    auto [ec, signo] = co_await signals_.async_wait(asio::as_tuple(core::use_task));
    if (ec) co_return;  // cancelled: the shutdown sequence is over
    if (signo == SIGHUP) {
      if (shutting_down_) {
        logger_->info("SIGHUP while draining: ignored");
      } else {
        reload("SIGHUP");
      }
      continue;
    }
    if (shutting_down_) {
      // Draining already: a second SIGTERM/SIGINT cuts the connections off now.
      logger_->warn("second signal: exiting now");
      for (auto& w : workers_) w->cancel_sessions();
      continue;
    }
    shutting_down_ = true;
    logger_->info(
        "received {}: draining (readiness 503, serving {}s more, then stop accepting and finish in-flight "
        "requests, up to {}s)",
        signo == SIGTERM ? "SIGTERM" : "SIGINT", options_.shutdown_delay.count(), options_.drain_timeout.count());
    asio::co_spawn(control_, shut_down_on_signal(), log_failure(*logger_, "shutdown"));
  }
}

core::Task<void> GatewayProcess::shut_down_on_signal() {
  ShutdownPlan plan;
  plan.drain_timeout = options_.drain_timeout;
  plan.shutdown_delay = options_.shutdown_delay;
  plan.unwind_timeout = kUnwindBound;
  report_ = co_await shut_down(*this, plan, *sleeper_);
  shut_down_ = true;
}

// An HTTPS listener reads its certificates from the snapshot in force at each handshake, so a
// reload rotates them for the next connection; handshakes are counted by result.
http::TlsAccept GatewayProcess::tls_accept(const std::string& listener) {
  http::TlsAccept tls;
  tls.context = [this, listener]() -> std::shared_ptr<const http::ServerTlsContext> {
    auto snapshot = snapshots_.get();
    const proxy::ListenerRuntime* found = snapshot ? snapshot->find_listener(listener) : nullptr;
    return found ? found->tls : nullptr;
  };
  tls.on_handshake = [this](http::TlsAccept::Result result) {
    status_.tls_handshakes[static_cast<std::size_t>(result)].fetch_add(1, std::memory_order_relaxed);
  };
  return tls;
}

// ---- ShutdownTarget -------------------------------------------------------------------------

void GatewayProcess::announce_draining() {
  status_.draining = true;
  if (watcher_) watcher_->stop();
  discovery_.stop_all();
}

void GatewayProcess::stop_accepting() {
  refusing_ = true;
  for (auto& w : workers_) w->stop_accepting();
}

core::Task<void> GatewayProcess::connections_closed() {
  for (auto& worker : workers_) {
    // On the worker's own thread; this coroutine resumes here, on the control thread.
    auto ended = worker->sessions_ended();
    co_await asio::co_spawn(worker->executor(), std::move(ended), core::use_task);
  }
}

std::size_t GatewayProcess::open_connections() const {
  std::size_t n = 0;
  for (const auto& w : workers_) n += w->active_connections();
  return n;
}

void GatewayProcess::cancel_connections() {
  logger_->warn("drain time is up; closing {} connection(s) still open", open_connections());
  for (auto& w : workers_) w->cancel_sessions();
}

core::Task<void> GatewayProcess::stop_background() {
  boost::system::error_code ignored;
  signals_.cancel(ignored);
  if (watcher_) watcher_->stop();
  registry_.stop_all();
  discovery_.stop_all();
  jwks_.stop_all();
  if (admin_server_) {
    admin_server_->cancel_sessions();
    co_await admin_server_->sessions_ended();
  }
}

// ---- admin::StatusSource ----------------------------------------------------------------------

std::optional<std::vector<admin::CredentialCacheReport>> GatewayProcess::credential_caches() const {
  std::vector<admin::CredentialCacheReport> out;
  for (const auto& entry : registry_.entries()) out.push_back({entry.description, entry.cache->status()});
  return out;
}

std::optional<observability::MetricsSummary> GatewayProcess::request_metrics() const {
  if (!metrics_) return std::nullopt;
  return metrics_->collect();
}

std::optional<admin::ConnectionCounts> GatewayProcess::connections() const {
  admin::ConnectionCounts counts;
  for (const auto& w : workers_) {
    counts.active += w->active_connections();
    counts.accepted += w->connections_accepted();
  }
  return counts;
}

}  // namespace lambdagate::app
