// JwksFetcher: the background JWKS loop, early fetches for unknown kids, and waiters woken by
// fetch completion (see jwks_fetcher.hpp).
#include "lambdagate/policy/jwks_fetcher.hpp"

#include <algorithm>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/system/system_error.hpp>
#include <exception>
#include <utility>
#include <variant>

#include "lambdagate/core/task.hpp"
#include "lambdagate/policy/policy_error.hpp"

namespace lambdagate::policy {

namespace asio = boost::asio;
using SystemDuration = core::SystemTime::duration;

// A request waiting for a fetch: it sleeps (through the Sleeper, so tests drive time) bound to
// `signal`; a wake-up is posted to its own executor, where it emits the signal.
struct JwksFetcher::Waiter {
  explicit Waiter(core::Executor e) : executor(std::move(e)) {}
  core::Executor executor;
  asio::cancellation_signal signal;
  bool woken = false;  // touched only on `executor`
};

JwksFetcher::JwksFetcher(std::string url, std::chrono::milliseconds cache_duration,
                         std::shared_ptr<http::HttpClient> client, const core::Clock& clock,
                         std::shared_ptr<core::Sleeper> sleeper, JwksFetcherOptions options,
                         JwksObserver observer)
    : url_(std::move(url)),
      cache_duration_(std::max(cache_duration, std::chrono::milliseconds{1'000})),
      client_(std::move(client)),
      clock_(clock),
      sleeper_(std::move(sleeper)),
      options_(std::move(options)),
      observer_(std::move(observer)) {
  std::string error;
  auto endpoint = http::parse_endpoint(url_, &error);
  if (!endpoint) throw PolicyError("jwks.remote.url '" + url_ + "': " + error);
  endpoint_ = std::move(*endpoint);
  target_ = endpoint_.base_path.empty() ? "/" : endpoint_.base_path;
  endpoint_.base_path.clear();
}

void JwksFetcher::start(core::Executor executor) {
  if (started_.load(std::memory_order_acquire)) return;
  executor_ = executor;
  in_flight_.store(true, std::memory_order_release);  // the loop's first step is a fetch
  started_.store(true, std::memory_order_release);
  auto self = shared_from_this();
  asio::co_spawn(
      executor, [self]() { return self->run(); },
      asio::bind_cancellation_slot(stop_signal_.slot(), [self](std::exception_ptr) {
        // However the loop ended, nobody may be left waiting on it.
        self->stopped_.store(true, std::memory_order_release);
        self->in_flight_.store(false, std::memory_order_release);
        self->complete_fetch();
      }));
}

void JwksFetcher::stop() {
  if (stopped_.exchange(true, std::memory_order_acq_rel)) return;
  if (!started_.load(std::memory_order_acquire)) return;
  asio::post(executor_, [weak = weak_from_this()] {
    if (auto self = weak.lock()) {
      self->wake_signal_.emit(asio::cancellation_type::all);
      self->stop_signal_.emit(asio::cancellation_type::all);
      self->complete_fetch();
    }
  });
}

bool JwksFetcher::request_refresh() {
  if (!started_.load(std::memory_order_acquire) || stopped()) return false;
  if (in_flight_.load(std::memory_order_acquire)) return true;
  const auto now = clock_.steady_now().time_since_epoch().count();
  const auto last = last_start_.load(std::memory_order_acquire);
  const auto min_gap =
      std::chrono::duration_cast<core::SteadyTime::duration>(options_.min_refetch_interval).count();
  if (now - last < min_gap) return false;
  // At most one wake-up in flight: a burst of unknown-kid tokens costs one post.
  if (requested_.exchange(true, std::memory_order_acq_rel)) return true;
  asio::post(executor_, [weak = weak_from_this()] {
    if (auto self = weak.lock(); self && self->pausing_)
      self->wake_signal_.emit(asio::cancellation_type::all);
  });
  return true;
}

void JwksFetcher::wake(const std::shared_ptr<Waiter>& waiter) {
  asio::post(waiter->executor, [waiter] {
    waiter->woken = true;
    waiter->signal.emit(asio::cancellation_type::all);
  });
}

void JwksFetcher::add_waiter(std::shared_ptr<Waiter> waiter, std::uint64_t seen) {
  if (generation() > seen || stopped()) {
    wake(waiter);
    return;
  }
  waiters_.push_back(std::move(waiter));
}

void JwksFetcher::complete_fetch() {
  generation_.fetch_add(1, std::memory_order_acq_rel);
  std::vector<std::shared_ptr<Waiter>> waiters;
  waiters.swap(waiters_);
  for (const auto& waiter : waiters) wake(waiter);
}

core::Task<void> JwksFetcher::wait_for_fetch(std::uint64_t seen, core::Deadline deadline) {
  if (generation() > seen || stopped() || !started_.load(std::memory_order_acquire)) co_return;
  const auto executor = co_await asio::this_coro::executor;
  auto waiter = std::make_shared<Waiter>(executor);
  // The waiter list lives on the loop's executor; registering there needs no lock, and a fetch
  // that completed in the meantime is seen there (generation checked again).
  asio::post(executor_, [self = shared_from_this(), waiter, seen] { self->add_waiter(waiter, seen); });
  const auto cap = std::chrono::duration_cast<core::SteadyTime::duration>(options_.fetch_timeout) +
                   std::chrono::seconds{1};
  const core::SystemTime until =
      clock_.system_now() + std::chrono::duration_cast<SystemDuration>(deadline.remaining(clock_, cap));
  try {
    auto sleep = sleeper_->sleep_until(until);
    auto token = asio::bind_cancellation_slot(waiter->signal.slot(), core::use_task);
    co_await asio::co_spawn(executor, std::move(sleep), std::move(token));
  } catch (const boost::system::system_error&) {
    // Woken: the fetch completed (or the fetcher stopped).
  }
}

core::Task<JwksFetchReport> JwksFetcher::fetch_once() {
  JwksFetchReport report;
  report.url = url_;
  http::ClientRequest request;
  request.method = "GET";
  request.target = target_;
  request.headers = {{"Host", endpoint_.host_header()}, {"Accept", "application/json"}};
  const core::Deadline deadline = core::Deadline::after(clock_, options_.fetch_timeout);
  http::ClientResult result = http::ClientError{http::ClientErrorKind::Protocol, "no answer"};
  try {
    result = co_await client_->send(endpoint_, std::move(request), deadline);
  } catch (const boost::system::system_error&) {
    if (stopped()) throw;  // cancelled by stop()
    result = http::ClientError{http::ClientErrorKind::Protocol, "the request failed unexpectedly"};
  }

  if (const auto* error = std::get_if<http::ClientError>(&result)) {
    report.error = std::string(http::to_string(error->kind)) + ": " + error->message;
  } else {
    const auto& response = std::get<http::ClientResponse>(result);
    if (response.status != 200) {
      // The body is the IdP's, possibly large or sensitive: the status says enough.
      report.error = "HTTP " + std::to_string(response.status);
    } else {
      KeySetParse parsed = KeySet::parse_json(response.body, options_.limits);
      report.skipped = std::move(parsed.skipped);
      if (parsed.ok()) {
        report.ok = true;
        source_->publish(std::move(parsed.keys));
      } else {
        report.error = "the JWKS was not usable: " + parsed.error;
      }
    }
  }
  if (report.ok) {
    successes_.fetch_add(1, std::memory_order_relaxed);
  } else {
    failures_total_.fetch_add(1, std::memory_order_relaxed);
  }
  auto current = source_->get();
  report.keys = current ? current->keys().size() : 0;
  co_return report;
}

core::Task<void> JwksFetcher::pause(core::SystemTime until) {
  const auto executor = co_await asio::this_coro::executor;
  while (!stopped() && !requested_.load(std::memory_order_acquire) && clock_.system_now() < until) {
    pausing_ = true;
    try {
      auto sleep = sleeper_->sleep_until(until);
      auto token = asio::bind_cancellation_slot(wake_signal_.slot(), core::use_task);
      co_await asio::co_spawn(executor, std::move(sleep), std::move(token));
    } catch (const boost::system::system_error&) {
      // Woken by request_refresh() or stop(): look again.
    }
    pausing_ = false;
  }
}

core::Task<void> JwksFetcher::run() {
  while (!stopped()) {
    in_flight_.store(true, std::memory_order_release);
    last_start_.store(clock_.steady_now().time_since_epoch().count(), std::memory_order_release);
    const bool requested = requested_.exchange(false, std::memory_order_acq_rel);
    JwksFetchReport report = co_await fetch_once();
    if (stopped()) break;
    report.requested = requested;
    in_flight_.store(false, std::memory_order_release);
    complete_fetch();

    std::chrono::milliseconds delay = cache_duration_;
    if (report.ok) {
      failures_ = 0;
    } else {
      ++failures_;
      delay = options_.initial_backoff;
      for (unsigned i = 1; i < failures_ && delay < options_.max_backoff; ++i) delay *= 2;
      delay = std::min({delay, options_.max_backoff, cache_duration_});
    }
    report.consecutive_failures = failures_;
    report.next_fetch_in = delay;
    if (observer_) {
      try {
        observer_(report);
      } catch (...) {
        // A broken observer must not end the loop.
      }
    }
    co_await pause(clock_.system_now() + std::chrono::duration_cast<SystemDuration>(delay));
  }
}

}  // namespace lambdagate::policy
