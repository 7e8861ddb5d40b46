// Discoverer: one Upstream's listing rounds and polling loop (see discoverer.hpp).
#include "lambdagate/discovery/discoverer.hpp"

#include <algorithm>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/system/system_error.hpp>
#include <exception>
#include <set>
#include <utility>
#include <variant>

#include "lambdagate/core/task.hpp"
#include "lambdagate/discovery/catalog_builder.hpp"

namespace lambdagate::discovery {

namespace {

namespace asio = boost::asio;

std::uint64_t seed_for(const DiscoveryOptions& options) {
  if (options.jitter_seed) return *options.jitter_seed;
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

// How a failed call ends the round.
struct RoundFailure {
  std::string message;
  bool throttled = false;
};

RoundFailure failure_of(const core::Error& error) {
  return {error.message, error.kind == core::ErrorKind::LambdaThrottled};
}

// The function was deleted between ListFunctions and ListAliases.
bool is_not_found(const core::Error& error) {
  return error.kind == core::ErrorKind::LambdaRejected && error.upstream_status == 404;
}

std::size_t size_of(const std::shared_ptr<const FunctionCatalog>& catalog) {
  return catalog ? catalog->functions.size() : 0;
}

}  // namespace

std::string_view to_string(RoundOutcome outcome) {
  switch (outcome) {
    case RoundOutcome::Success:
      return "success";
    case RoundOutcome::Throttled:
      return "throttled";
    case RoundOutcome::Failed:
      return "error";
  }
  return "error";
}

Discoverer::Discoverer(std::string upstream_key, std::shared_ptr<FunctionLister> lister,
                       std::shared_ptr<DiscoveredFunctions> functions, const core::Clock& clock,
                       std::shared_ptr<core::Sleeper> sleeper, DiscoveryOptions options,
                       RoundObserver observer)
    : upstream_key_(std::move(upstream_key)),
      lister_(std::move(lister)),
      functions_(std::move(functions)),
      clock_(clock),
      sleeper_(std::move(sleeper)),
      options_(std::move(options)),
      observer_(std::move(observer)),
      rng_(seed_for(options_)) {}

core::Task<RoundResult> Discoverer::run_round() {
  RoundResult result;
  ListedFunctions listed;
  std::optional<RoundFailure> failure;

  // ListFunctions, every page. The marker set is the loop guard against a service (or proxy)
  // that hands back a marker it gave before.
  std::string marker;
  std::set<std::string> markers_seen;
  while (!failure) {
    if (result.pages >= options_.max_pages) {
      failure = RoundFailure{"ListFunctions needed more than " + std::to_string(options_.max_pages) +
                             " pages; stopped listing (loop guard)"};
      break;
    }
    const core::Deadline deadline = core::Deadline::after(clock_, options_.call_timeout);
    auto page = co_await lister_->list_functions_page(marker, deadline);
    ++result.pages;
    if (stopped()) co_return result;
    if (auto* error = std::get_if<core::Error>(&page)) {
      failure = failure_of(*error);
      break;
    }
    auto& items = std::get<aws::ListPage<aws::FunctionVersionInfo>>(page);
    listed.versions.insert(listed.versions.end(), std::make_move_iterator(items.items.begin()),
                           std::make_move_iterator(items.items.end()));
    if (items.next_marker.empty()) break;
    if (!markers_seen.insert(items.next_marker).second) {
      failure = RoundFailure{
          "ListFunctions returned the marker of an earlier page again; stopped listing "
          "(loop guard)"};
      break;
    }
    marker = std::move(items.next_marker);
  }

  // ListAliases, one function at a time, paced: with hundreds of functions this is the costly
  // part of a round, and Lambda's control-plane limit is shared with everything else in the
  // account.
  if (!failure && options_.aliases) {
    const auto spacing = alias_call_spacing(options_);
    std::optional<core::SystemTime> last_call;
    // A named vector, not a temporary bound by the range-for across co_awaits (GCC 12).
    const std::vector<std::string> names = function_names(listed.versions);
    for (const std::string& name : names) {
      std::vector<aws::AliasInfo> aliases;
      std::string alias_marker;
      std::set<std::string> alias_markers_seen;
      bool gone = false;
      for (std::size_t pages = 0; !failure; ++pages) {
        if (pages >= options_.max_pages) {
          failure = RoundFailure{"ListAliases for '" + name + "' needed more than " +
                                 std::to_string(options_.max_pages) + " pages; stopped listing (loop guard)"};
          break;
        }
        if (last_call) {
          const core::SystemTime next = *last_call + spacing;
          if (clock_.system_now() < next) co_await sleeper_->sleep_until(next);
          if (stopped()) co_return result;
        }
        last_call = clock_.system_now();
        const core::Deadline deadline = core::Deadline::after(clock_, options_.call_timeout);
        auto page = co_await lister_->list_aliases_page(name, alias_marker, deadline);
        ++result.alias_calls;
        if (stopped()) co_return result;
        if (auto* error = std::get_if<core::Error>(&page)) {
          if (is_not_found(*error)) {
            gone = true;
          } else {
            failure = failure_of(*error);
          }
          break;
        }
        auto& items = std::get<aws::ListPage<aws::AliasInfo>>(page);
        aliases.insert(aliases.end(), std::make_move_iterator(items.items.begin()),
                       std::make_move_iterator(items.items.end()));
        if (items.next_marker.empty()) break;
        if (!alias_markers_seen.insert(items.next_marker).second) {
          failure =
              RoundFailure{"ListAliases for '" + name +
                           "' returned the marker of an earlier page again; stopped listing (loop guard)"};
          break;
        }
        alias_marker = std::move(items.next_marker);
      }
      if (failure) break;
      if (!gone) listed.aliases.emplace(name, std::move(aliases));
    }
  }

  const core::SystemTime now = clock_.system_now();
  std::shared_ptr<const FunctionCatalog> previous = functions_->catalog();
  if (failure) {
    result.outcome = failure->throttled ? RoundOutcome::Throttled : RoundOutcome::Failed;
    result.error = std::move(failure->message);
    result.functions = size_of(previous);
    functions_->record_failure(result.error, now);
    co_return result;
  }

  auto fresh = std::make_shared<const FunctionCatalog>(build_catalog(listed, now));
  result.changed = !previous || previous->functions != fresh->functions;
  // An unchanged catalog is not republished: readers keep the object they have.
  if (!result.changed) fresh = previous;
  result.functions = size_of(fresh);
  functions_->record_success(std::move(fresh), now);
  co_return result;
}

void Discoverer::start(core::Executor executor) {
  if (started_.load(std::memory_order_acquire)) return;
  executor_ = executor;
  // Published after executor_, which request_round() and stop() read from other threads.
  started_.store(true, std::memory_order_release);
  auto self = shared_from_this();
  // The loop owns a reference, so the discoverer lives as long as it runs; stop() ends it.
  asio::co_spawn(
      executor, [self]() { return self->run(); },
      asio::bind_cancellation_slot(stop_signal_.slot(), [self](std::exception_ptr failure) {
        if (!failure || self->stopped()) return;
        // The old catalog still serves; make the cause visible in the status.
        self->functions_->record_failure("the discovery loop ended unexpectedly", self->clock_.system_now());
      }));
}

void Discoverer::stop() {
  if (stopped_.exchange(true, std::memory_order_acq_rel)) return;
  if (!started_.load(std::memory_order_acquire)) return;
  // Cancellation signals are not thread-safe: emit them on the loop's executor. The pause runs
  // as its own operation with its own slot, so it is cancelled separately.
  asio::post(executor_, [weak = weak_from_this()] {
    if (auto self = weak.lock()) {
      self->wake_signal_.emit(asio::cancellation_type::all);
      self->stop_signal_.emit(asio::cancellation_type::all);
    }
  });
}

void Discoverer::request_round() {
  if (!started_.load(std::memory_order_acquire) || stopped()) return;
  // At most one wake-up in flight: a burst of unknown-function requests costs one post.
  if (requested_.exchange(true, std::memory_order_acq_rel)) return;
  asio::post(executor_, [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->on_round_requested();
  });
}

void Discoverer::on_round_requested() {
  // During a round the request is noticed when the round ends; during a backoff it waits.
  if (pausing_ && failures_ == 0 && !stopped()) wake_signal_.emit(asio::cancellation_type::all);
}

core::Task<void> Discoverer::pause(core::SystemTime scheduled) {
  const auto executor = co_await asio::this_coro::executor;
  while (!stopped()) {
    core::SystemTime target = scheduled;
    if (failures_ == 0 && requested_.load(std::memory_order_acquire)) {
      const core::SystemTime earliest =
          last_round_start_ +
          std::chrono::duration_cast<core::SystemTime::duration>(options_.min_requested_interval);
      target = std::min(scheduled, earliest);
    }
    if (clock_.system_now() >= target) co_return;
    pausing_ = true;
    try {
      // A separate operation with its own cancellation slot, so that a requested round can end
      // the pause without cancelling the loop.
      auto sleep = sleeper_->sleep_until(target);
      auto token = asio::bind_cancellation_slot(wake_signal_.slot(), core::use_task);
      co_await asio::co_spawn(executor, std::move(sleep), std::move(token));
    } catch (const boost::system::system_error&) {
      // Woken by request_round() or stop(): look again.
    }
    pausing_ = false;
  }
}

core::Task<void> Discoverer::run() {
  while (!stopped()) {
    RoundReport report;
    report.upstream_key = upstream_key_;
    report.started_at = clock_.system_now();
    report.requested = requested_.exchange(false, std::memory_order_acq_rel);
    last_round_start_ = report.started_at;
    try {
      report.result = co_await run_round();
    } catch (const std::exception&) {
      if (stopped()) break;
      // An exception's text may quote response bytes: keep only the fact.
      report.result.outcome = RoundOutcome::Failed;
      report.result.error = "the discovery round failed unexpectedly";
      report.result.functions = size_of(functions_->catalog());
      functions_->record_failure(report.result.error, clock_.system_now());
    }
    if (stopped()) break;

    report.finished_at = clock_.system_now();
    std::chrono::milliseconds delay = options_.poll_interval;
    if (report.result.ok()) {
      failures_ = 0;
    } else {
      ++failures_;
      delay = backoff_delay(failures_, options_, rng_);
    }
    report.consecutive_failures = failures_;
    report.next_round_in = delay;
    if (observer_) {
      try {
        observer_(report);
      } catch (...) {
        // A broken observer must not end discovery.
      }
    }
    // Rounds start one interval apart (a round slower than the interval is followed at once), so
    // a new function is found at most one interval plus one round after it appears; after a
    // failure the backoff counts from the failure.
    const core::SystemTime scheduled =
        (report.result.ok() ? report.started_at : report.finished_at) +
        std::chrono::duration_cast<core::SystemTime::duration>(delay);
    co_await pause(scheduled);
  }
}

}  // namespace lambdagate::discovery
