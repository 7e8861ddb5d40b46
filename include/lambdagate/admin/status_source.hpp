#pragma once
// StatusSource: everything the admin endpoints read about the running gateway, and nothing more.
// The wiring (app) implements it over the snapshot store, the credentials registry, the workers'
// metric shards and listeners; admin never reaches into those itself. Read from the admin thread
// while the workers run: implementations must be safe to call from any thread.
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lambdagate/aws/credentials_cache.hpp"
#include "lambdagate/observability/metrics.hpp"
#include "lambdagate/proxy/snapshot.hpp"

namespace lambdagate::admin {

// Process-wide state the admin endpoints report, owned by the runtime.
struct RuntimeStatus {
  std::atomic<bool> listeners_bound{false};
  // Shutting down: /readyz answers 503 from the moment the signal arrives.
  std::atomic<bool> draining{false};
  // Configuration reloads (SIGHUP or a file change) by result.
  std::atomic<std::uint64_t> config_reloads_success{0};
  std::atomic<std::uint64_t> config_reloads_failure{0};
  // HTTPS handshakes by http::TlsAccept::Result: ok, failed, timed out, client rejected.
  std::array<std::atomic<std::uint64_t>, 4> tls_handshakes{};
};

// One credentials cache as /metrics reports it (never a secret).
struct CredentialCacheReport {
  std::string description;  // the credential source, e.g. "web identity (role …)"
  aws::CredentialsStatus status;
};

// The proxy listeners' connections, summed over the workers.
struct ConnectionCounts {
  std::uint64_t active = 0;
  std::uint64_t accepted = 0;
};

class StatusSource {
 public:
  virtual ~StatusSource() = default;
  // The configuration snapshot in force; null before the first load.
  virtual std::shared_ptr<const proxy::Snapshot> snapshot() const = 0;
  virtual const RuntimeStatus& runtime() const = 0;
  // Every credentials cache, whichever Upstreams share it; nullopt when there is no registry.
  virtual std::optional<std::vector<CredentialCacheReport>> credential_caches() const = 0;
  // The request metrics summed over the workers; nullopt when not collected.
  virtual std::optional<observability::MetricsSummary> request_metrics() const = 0;
  // nullopt when not counted.
  virtual std::optional<ConnectionCounts> connections() const = 0;
};

}  // namespace lambdagate::admin
