// Worker: a worker thread, its io_context and listeners (see worker.hpp).
#include "worker.hpp"

#include <boost/asio/post.hpp>

namespace lambdagate::app {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Worker::Worker(const proxy::SnapshotStore& snapshots, const std::atomic<bool>& draining,
               const core::Clock& clock, core::Sleeper& sleeper, const CliOptions& options,
               http::TlsOptions tls, observability::MetricsShard& metrics, spdlog::logger& logger,
               observability::RateLimitedLog& problems)
    : logger_(logger),
      work_(asio::make_work_guard(io_)),
      http_client_(io_.get_executor(), clock, std::move(tls)),
      access_log_(options.log_format, options.access_log),
      gateway_(snapshots, http_client_, clock, sleeper, access_log_, draining, proxy::GatewayOptions{},
               &metrics, &problems) {
  // Lines wait in the buffer only until the requests ready now have been served: one write per
  // batch under load, at once when idle (nginx's buffer= without flush='s delay).
  access_log_.set_flush_scheduler([this] { asio::post(io_, [this] { access_log_.flush(); }); });
  access_log_.set_error_reporter([this](const std::string& problem) { logger_.error("{}", problem); });
}

Worker::~Worker() {
  if (thread_.joinable()) {
    io_.stop();
    thread_.join();
  }
}

tcp::endpoint Worker::bind(const tcp::endpoint& endpoint, const http::ServerLimits& limits,
                           std::string listener, std::optional<http::TlsAccept> tls) {
  auto on_error = [this](std::string_view message) { logger_.error("listener: {}", message); };
  servers_.push_back(std::make_unique<http::Server>(io_, endpoint, gateway_, limits, true, on_error));
  servers_.back()->set_listener_name(std::move(listener));
  if (tls) servers_.back()->serve_tls(std::move(*tls));
  return servers_.back()->local_endpoint();
}

void Worker::start() {
  for (auto& s : servers_) s->start();
  thread_ = std::thread([this] {
    for (;;) {
      try {
        io_.run();
        break;
      } catch (const std::exception& e) {
        logger_.error("worker: unexpected exception: {}", e.what());
      }
    }
    ran_out_.set_value();
  });
}

void Worker::stop_accepting() {
  asio::post(io_, [this] {
    for (auto& s : servers_) s->stop_accepting();
  });
}

void Worker::cancel_sessions() {
  asio::post(io_, [this] {
    for (auto& s : servers_) s->cancel_sessions();
  });
}

core::Task<void> Worker::sessions_ended() {
  for (auto& s : servers_) co_await s->sessions_ended();
}

void Worker::finish(std::chrono::steady_clock::duration bound) {
  if (!thread_.joinable()) return;
  // The sessions have ended, so no request uses the pool any more; its idle connections would
  // keep the io_context busy until their last deadlines passed.
  asio::post(io_, [this] { http_client_.close_idle(); });
  work_.reset();
  if (ran_out_.get_future().wait_for(bound) != std::future_status::ready) {
    // Only self-contained work is left (no session is): a TLS close or a DNS lookup that takes
    // its time. Its coroutines own what they use, so stopping here is safe.
    logger_.warn("worker: background I/O still running after shutdown; stopping it");
    io_.stop();
  }
  thread_.join();
  // io_.stop() may have dropped a posted flush; the thread is gone, so this is the only user now.
  access_log_.flush();
}

std::size_t Worker::active_connections() const {
  std::size_t n = 0;
  for (const auto& s : servers_) n += s->active_connections();
  return n;
}

std::uint64_t Worker::connections_accepted() const {
  std::uint64_t n = 0;
  for (const auto& s : servers_) n += s->connections_accepted();
  return n;
}

}  // namespace lambdagate::app
