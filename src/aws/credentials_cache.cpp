// CredentialsCache: the background fetch/refresh loop and the lock-free read side (DESIGN.md §7).
#include "lambdagate/aws/credentials_cache.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/system/system_error.hpp>
#include <exception>
#include <utility>
#include <variant>
#include "lambdagate/core/task.hpp"

namespace lambdagate::aws {

namespace {

namespace asio = boost::asio;
using SystemDuration = core::SystemTime::duration;

// The longest single wait of a request without a deadline (route timeout 0): it looks again after
// this, so a wake-up lost to a bug could never hold a request for ever.
constexpr std::chrono::seconds kMaxWaitStep{30};

std::uint64_t seed_for(const RefreshPolicy& policy) {
  if (policy.jitter_seed) return *policy.jitter_seed;
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

}  // namespace

core::SystemTime refresh_time(const Credentials& credentials, core::SystemTime fetched_at,
                              const RefreshPolicy& policy) {
  if (!credentials.expiration) return core::SystemTime::max();
  const SystemDuration lifetime = *credentials.expiration - fetched_at;
  if (lifetime <= SystemDuration::zero()) return fetched_at;
  // Half the lifetime for short-lived credentials, so there is time left to retry a failed
  // refresh before they expire; at most `max_margin` for long-lived ones.
  const SystemDuration margin = std::min<SystemDuration>(policy.max_margin, lifetime / 2);
  return *credentials.expiration - margin;
}

std::chrono::milliseconds backoff_delay(unsigned failures, const RefreshPolicy& policy,
                                        std::mt19937_64& rng) {
  using std::chrono::milliseconds;
  const milliseconds max = std::max(policy.max_backoff, milliseconds::zero());
  milliseconds cap = std::max(policy.initial_backoff, milliseconds::zero());
  // Doubling stops at the cap, so this runs at most log2(max / initial) times.
  for (unsigned i = 1; i < failures && cap < max && cap > milliseconds::zero(); ++i) cap *= 2;
  cap = std::min(cap, max);
  std::uniform_int_distribution<milliseconds::rep> jitter(0, cap.count());
  return milliseconds{jitter(rng)};
}

// A request waiting for the fetch in flight. The bell is a timer that never expires on its own:
// ringing it (on the waiter's executor) ends the wait. `rung` covers a ring that arrives before
// the wait has begun. Both are touched only on `executor`.
struct CredentialsCache::Waiter {
  explicit Waiter(core::Executor ex) : executor(ex), bell(ex, asio::steady_timer::time_point::max()) {}

  core::Task<void> wait_for_bell() {
    if (rung) co_return;
    auto [ec] = co_await bell.async_wait(asio::as_tuple(core::use_task));
    (void)ec;  // rung (cancelled by ring) or cancelled with the request: the caller looks again
  }
  void ring() {
    rung = true;
    bell.cancel();
  }

  core::Executor executor;
  asio::steady_timer bell;
  bool rung = false;
};

CredentialsCache::CredentialsCache(std::shared_ptr<CredentialsProvider> provider, const core::Clock& clock,
                                   std::shared_ptr<core::Sleeper> sleeper, RefreshPolicy policy)
    : provider_(std::move(provider)),
      clock_(clock),
      sleeper_(std::move(sleeper)),
      policy_(std::move(policy)),
      rng_(seed_for(policy_)) {
  status_.source = provider_->source();
}

void CredentialsCache::start(core::Executor executor) {
  if (started_.exchange(true, std::memory_order_acq_rel)) return;
  executor_ = executor;
  // The loop's first step is a fetch: a request arriving before the loop has run must wait for
  // that fetch rather than fail at once.
  fetch_in_flight_.store(true, std::memory_order_release);
  auto self = shared_from_this();
  // The loop owns a reference, so the cache lives as long as it runs; stop() ends it.
  asio::co_spawn(
      executor, [self]() { return self->run(); },
      asio::bind_cancellation_slot(stop_signal_.slot(), [self](std::exception_ptr failure) {
        self->end_fetch();
        if (!failure || self->stopped_.load(std::memory_order_acquire)) return;
        // The cached credentials still serve until they expire; make the cause visible.
        std::lock_guard lock(self->status_mutex_);
        self->status_.last_error = "the refresh loop ended unexpectedly";
        self->status_.last_failure = self->clock_.system_now();
      }));
}

void CredentialsCache::stop() {
  if (stopped_.exchange(true, std::memory_order_acq_rel)) return;
  if (!started_.load(std::memory_order_acquire)) return;
  // A cancellation signal is not thread-safe: emit it on the loop's executor.
  asio::post(executor_, [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->stop_signal_.emit(asio::cancellation_type::terminal);
  });
}

std::shared_ptr<const Credentials> CredentialsCache::current(core::SystemTime now) const {
  std::shared_ptr<const Credentials> credentials = current_.load(std::memory_order_acquire);
  if (!credentials || credentials->expired_at(now)) return nullptr;
  return credentials;
}

core::Task<std::shared_ptr<const Credentials>> CredentialsCache::wait_for_credentials(
    core::Deadline deadline) const {
  using namespace asio::experimental::awaitable_operators;
  const auto executor = co_await asio::this_coro::executor;
  while (true) {
    if (auto credentials = current(clock_.system_now())) co_return credentials;
    if (deadline.expired(clock_)) co_return nullptr;
    const auto waiter = std::make_shared<Waiter>(executor);
    bool in_flight = false;
    {
      // The loop lowers the flag before it takes this lock to ring the bells: a waiter that
      // still sees a fetch in flight here is on the list in time to be rung.
      std::lock_guard lock(waiters_mutex_);
      in_flight = fetch_in_flight();
      if (in_flight) waiters_.push_back(waiter);
    }
    // No fetch in flight: the loop publishes before it lowers the flag, so look once more, or a
    // fetch that completed between the two reads would go unseen.
    if (!in_flight) co_return current(clock_.system_now());

    // Off the list however the wait ends, a thrown cancellation included.
    struct Unlist {
      const CredentialsCache& cache;
      const std::shared_ptr<Waiter>& waiter;
      ~Unlist() {
        std::lock_guard lock(cache.waiters_mutex_);
        std::erase(cache.waiters_, waiter);
      }
    } unlist{*this, waiter};
    const auto left = deadline.remaining(clock_, kMaxWaitStep);
    // Whichever ends first cancels the other; cancelling the request (shutdown) cancels both.
    // Built as a named object: GCC 12 may destroy temporaries in a co_await expression twice.
    auto either = sleeper_->sleep_for(left) || waiter->wait_for_bell();
    co_await std::move(either);
  }
}

void CredentialsCache::end_fetch() {
  fetch_in_flight_.store(false, std::memory_order_release);
  std::vector<std::shared_ptr<Waiter>> woken;
  {
    std::lock_guard lock(waiters_mutex_);
    woken.swap(waiters_);
  }
  // Each waiter is rung on its own executor (a worker thread), where its bell lives.
  for (auto& waiter : woken) {
    asio::post(waiter->executor, [waiter] { waiter->ring(); });
  }
}

CredentialsStatus CredentialsCache::status() const {
  CredentialsStatus out;
  {
    std::lock_guard lock(status_mutex_);
    out = status_;
  }
  out.has_credentials = current(clock_.system_now()) != nullptr;
  out.fetch_in_flight = fetch_in_flight();
  return out;
}

core::Task<void> CredentialsCache::run() {
  unsigned failures = 0;
  while (!stopped_.load(std::memory_order_acquire)) {
    // Only this loop fetches, so there is never more than one fetch in flight: single flight by
    // construction, with no queue of waiters to manage.
    fetch_in_flight_.store(true, std::memory_order_release);
    CredentialsResult result = CredentialsError{"the credentials source failed unexpectedly", true};
    try {
      result = co_await provider_->fetch();
    } catch (...) {
      // An exception's text may quote response bytes (a JSON parser's, say): keep only the fact.
    }
    if (stopped_.load(std::memory_order_acquire)) break;

    const core::SystemTime now = clock_.system_now();
    std::shared_ptr<const Credentials> fresh;
    std::string problem;
    bool retryable = true;
    if (auto* credentials = std::get_if<Credentials>(&result)) {
      // Never publish what would sign badly: blank keys would make unsigned-looking requests.
      if (credentials->access_key_id.empty() || credentials->secret_access_key.empty()) {
        problem = "the credentials source returned blank credentials";
        retryable = false;
      } else if (credentials->expired_at(now)) {
        // Publishing these would refresh in a tight loop (their refresh time is already past).
        problem = "the credentials source returned credentials that had already expired";
      } else {
        fresh = std::make_shared<const Credentials>(std::move(*credentials));
      }
    } else {
      auto& error = std::get<CredentialsError>(result);
      problem = std::move(error.message);
      retryable = error.retryable;
    }

    core::SystemTime wake;
    if (fresh) {
      failures = 0;
      current_.store(fresh, std::memory_order_release);
      {
        std::lock_guard lock(status_mutex_);
        status_.expiration = fresh->expiration;
        status_.last_success = now;
        ++status_.refresh_success;
      }
      // Lowered only after publishing: a waiter that sees no fetch in flight then sees the result.
      end_fetch();
      if (!fresh->expiration) break;  // long-term keys: nothing will ever need refreshing
      wake = refresh_time(*fresh, now, policy_);
    } else {
      ++failures;
      {
        std::lock_guard lock(status_mutex_);
        status_.last_failure = now;
        status_.last_error = problem;
        ++status_.refresh_failure;
      }
      end_fetch();
      if (on_failure_) on_failure_(problem);
      // A source that rejected us outright (access denied, bad config) is retried at the slowest
      // pace, not given up on: an operator may fix the trust policy without restarting us.
      SystemDuration delay = retryable ? SystemDuration(backoff_delay(failures, policy_, rng_))
                                       : SystemDuration(policy_.max_backoff);
      // While the old credentials still serve, never sleep more than half of their remaining
      // life (but at least `initial_backoff`): a long backoff must not carry us past their expiry
      // with no attempt made, and halving leaves several attempts before it. Old credentials
      // keep serving meanwhile; only `current` judges expiry.
      if (auto served = current_.load(std::memory_order_acquire);
          served && served->expiration && *served->expiration > now) {
        const SystemDuration half = (*served->expiration - now) / 2;
        delay = std::min(delay, std::max<SystemDuration>(half, policy_.initial_backoff));
      }
      wake = now + delay;
    }

    try {
      co_await sleeper_->sleep_until(wake);
    } catch (const boost::system::system_error&) {
      // stop() cancels the sleep; anything else is unexpected and ends the loop visibly.
      if (!stopped_.load(std::memory_order_acquire)) throw;
    }
  }
  end_fetch();
}

}  // namespace lambdagate::aws
