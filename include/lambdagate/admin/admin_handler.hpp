#pragma once
// AdminHandler: the admin listener's endpoints (DESIGN.md §5): /healthz, /readyz, /upstreams,
// /metrics and /config_dump. Nothing it answers ever contains a secret.
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lambdagate/core/clock.hpp"
#include "lambdagate/core/request_id.hpp"
#include "lambdagate/http/server.hpp"
#include "lambdagate/observability/metrics.hpp"
#include "lambdagate/proxy/credentials_registry.hpp"
#include "lambdagate/proxy/snapshot.hpp"

namespace lambdagate::admin {

// Process-wide state the admin endpoints report, owned by the runtime.
struct RuntimeStatus {
  std::atomic<bool> listeners_bound{false};
  std::atomic<bool> draining{false};
  // Configuration reloads (SIGHUP or a file change) by result.
  std::atomic<std::uint64_t> config_reloads_success{0};
  std::atomic<std::uint64_t> config_reloads_failure{0};
};

// The proxy listeners' connection counts, summed over the workers; the runtime implements it.
// Both are read from the admin thread, so implementations must be safe to call from any thread.
class ConnectionStats {
public:
  virtual ~ConnectionStats() = default;
  virtual std::uint64_t active_connections() const = 0;
  virtual std::uint64_t connections_accepted() const = 0;
};

// Why the gateway is not ready (empty = ready): draining, listeners not bound, no snapshot, an
// Upstream without usable credentials, or one whose first discovery round has not ended yet.
// Pure, so tests need no sockets.
std::vector<std::string> readiness_problems(const proxy::Snapshot* snapshot, const RuntimeStatus& status,
                                            core::SystemTime now);

// GET /upstreams: each Upstream with region, endpoint, credential source and state, functions.
nlohmann::json upstreams_json(const proxy::Snapshot& snapshot, core::SystemTime now);

// GET /metrics: Prometheus text exposition format (0.0.4). `requests` (the sum of the workers'
// shards) and `connections` add the request and connection families when given.
std::string metrics_text(const proxy::Snapshot* snapshot, const proxy::CredentialsRegistry* registry,
                         const RuntimeStatus& status, core::SystemTime now,
                         const observability::MetricsSummary* requests = nullptr,
                         const ConnectionStats* connections = nullptr);

// GET /config_dump: the snapshot's configuration as JSON, with its version and load time. Secrets
// appear by name and type only ("data": "redacted"); no key, token or private key ever does.
nlohmann::json config_dump_json(const proxy::Snapshot& snapshot);

class AdminHandler final : public http::RequestHandler {
public:
  // `metrics` and `connections` may be null: /metrics then leaves their families out.
  AdminHandler(const proxy::SnapshotStore& snapshots, const RuntimeStatus& status, const core::Clock& clock,
               const proxy::CredentialsRegistry* registry = nullptr, const observability::Metrics* metrics = nullptr,
               const ConnectionStats* connections = nullptr);
  boost::asio::awaitable<http::Response> handle(http::Request& request, const http::ConnectionInfo& connection,
                                                http::ResponseWriter& writer) override;
  http::Response reject(core::ErrorKind kind, std::string message, const http::Request* request) override;

private:
  http::Response respond(const http::Request& request);

  const proxy::SnapshotStore& snapshots_;
  const RuntimeStatus& status_;
  const core::Clock& clock_;
  const proxy::CredentialsRegistry* registry_;
  const observability::Metrics* metrics_;
  const ConnectionStats* connections_;
  core::RequestIdGenerator ids_;
};

}  // namespace lambdagate::admin
