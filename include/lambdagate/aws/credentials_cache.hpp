#pragma once
// CredentialsCache: one per distinct credential source (e.g. one per role), shared by every
// Upstream that uses it (DESIGN.md §2, §7). It fetches at start-up, so the first request pays
// nothing; refreshes in the background before expiry; keeps exactly one fetch in flight; backs
// off with jitter when the source fails; and publishes each result as an immutable snapshot that
// request threads read without locking. While the source fails, the cached credentials serve
// until they expire; after that `current` returns null and requests get 503 — never unsigned.
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "lambdagate/aws/credentials.hpp"
#include "lambdagate/core/clock.hpp"
#include "lambdagate/core/deadline.hpp"
#include "lambdagate/core/sleeper.hpp"
#include "lambdagate/core/task.hpp"

namespace lambdagate::aws {

struct RefreshPolicy {
  // Refresh once the time left drops below min(max_margin, lifetime / 2): 1-hour credentials
  // refresh after 45 minutes, 24-second ones after 12 seconds.
  std::chrono::seconds max_margin{15 * 60};
  // Backoff after a failed fetch: full jitter, doubling from `initial_backoff` up to `max_backoff`.
  std::chrono::milliseconds initial_backoff{250};
  // Short enough that service resumes within seconds of STS recovering.
  std::chrono::milliseconds max_backoff{5'000};
  // Seed for the backoff jitter; unset = random. Tests fix it to replay the exact delays.
  std::optional<std::uint64_t> jitter_seed;
  // Credentials that never expire (static keys) are not refreshed.
};

// When to refresh credentials fetched at `fetched_at` (pure).
core::SystemTime refresh_time(const Credentials& credentials, core::SystemTime fetched_at, const RefreshPolicy& policy);
// The wait before retry number `failures` (1-based): uniform in [0, min(max, initial * 2^(failures-1))].
std::chrono::milliseconds backoff_delay(unsigned failures, const RefreshPolicy& policy, std::mt19937_64& rng);

// What /upstreams and /metrics show about a cache (never a secret).
struct CredentialsStatus {
  std::string source;
  std::optional<core::SystemTime> expiration;       // of the credentials currently served
  std::optional<core::SystemTime> last_success;
  std::optional<core::SystemTime> last_failure;
  std::string last_error;
  std::uint64_t refresh_success = 0;
  std::uint64_t refresh_failure = 0;
  bool has_credentials = false;
  bool fetch_in_flight = false;
};

class CredentialsCache final : public CredentialsSource, public std::enable_shared_from_this<CredentialsCache> {
public:
 CredentialsCache(std::shared_ptr<CredentialsProvider> provider, const core::Clock& clock,
                  std::shared_ptr<core::Sleeper> sleeper, RefreshPolicy policy = {});

 // Hears every failed fetch or refresh (on the control thread): what went wrong, never a secret.
 // Set before start(). The log line it leads to is the operator's only sign besides /upstreams.
 void on_failure(std::function<void(std::string_view problem)> report) { on_failure_ = std::move(report); }

 // Starts the fetch/refresh loop on `executor` (the control thread). Idempotent.
 void start(core::Executor executor);
 // Ends the loop: a pending sleep is cancelled; a fetch in flight finishes (or is cancelled, if
 // the transport supports it) and its result is dropped. Callable from any thread.
 void stop();

 // Lock-free: the current credentials if they have not expired at `now`.
 std::shared_ptr<const Credentials> current(core::SystemTime now) const override;
 // True while the loop is fetching. A request that finds no credentials waits only then.
 bool fetch_in_flight() const { return fetch_in_flight_.load(std::memory_order_acquire); }

 // For a request that found no credentials: waits (on the caller's executor) while a fetch is
 // in flight, until credentials appear or `deadline` passes. Null = none. The waiter is woken
 // by the fetch completing (a post to its own executor), not by polling; its deadline is
 // waited for through the Sleeper, and cancelling the request ends the wait.
 core::Task<std::shared_ptr<const Credentials>> wait_for_credentials(
     core::Deadline deadline) const override;

 CredentialsStatus status() const;  // takes a mutex: admin path only

private:
 struct Waiter;

 core::Task<void> run();
 // Lowers the in-flight flag and wakes every waiting request (after publishing a result).
 void end_fetch();

 std::shared_ptr<CredentialsProvider> provider_;
 const core::Clock& clock_;
 std::shared_ptr<core::Sleeper> sleeper_;
 RefreshPolicy policy_;
 std::function<void(std::string_view)> on_failure_;
 std::mt19937_64 rng_;

 std::atomic<std::shared_ptr<const Credentials>> current_;
 std::atomic<bool> fetch_in_flight_{false};
 std::atomic<bool> started_{false};
 std::atomic<bool> stopped_{false};
 // The loop's executor and the signal that cancels its sleep; both used only on that executor.
 boost::asio::any_io_executor executor_;  // set by start(), posted to
 boost::asio::cancellation_signal stop_signal_;

 mutable std::mutex status_mutex_;  // guards status_ (never touched on the request path)
 CredentialsStatus status_;

 // Requests waiting for a fetch in flight. Touched only while no usable credentials exist
 // (start-up, or after they expired), by worker threads adding themselves and by the loop
 // waking them all when a fetch ends.
 mutable std::mutex waiters_mutex_;
 mutable std::vector<std::shared_ptr<Waiter>> waiters_;
};

}  // namespace lambdagate::aws
