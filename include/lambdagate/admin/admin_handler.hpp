#pragma once
// AdminHandler: the admin listener's endpoints (DESIGN.md §5): /healthz, /readyz, /upstreams,
// /metrics and /config_dump, answered from a StatusSource (status_source.hpp). Nothing it answers
// ever contains a secret.
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lambdagate/admin/status_source.hpp"
#include "lambdagate/core/clock.hpp"
#include "lambdagate/core/request_id.hpp"
#include "lambdagate/http/server.hpp"
#include "lambdagate/observability/metrics.hpp"
#include "lambdagate/proxy/snapshot.hpp"

namespace lambdagate::admin {

// A served certificate this close to its expiry is warned about (log, /readyz warnings).
inline constexpr std::chrono::hours kCertificateExpiryWarning{24 * 7};
// One line per served certificate that expires within kCertificateExpiryWarning (or has).
std::vector<std::string> expiring_certificates(const proxy::Snapshot& snapshot, core::SystemTime now);

// Why the gateway is not ready (empty = ready): draining, listeners not bound, no snapshot, an
// Upstream without usable credentials, or one whose first discovery round has not ended yet.
// Pure, so tests need no sockets.
std::vector<std::string> readiness_problems(const proxy::Snapshot* snapshot, const RuntimeStatus& status,
                                            core::SystemTime now);

// GET /upstreams: each Upstream with region, endpoint, credential source and state, functions.
nlohmann::json upstreams_json(const proxy::Snapshot& snapshot, core::SystemTime now);

// GET /metrics: Prometheus text exposition format (0.0.4). `caches` (the credential caches),
// `requests` (the sum of the workers' shards) and `connections` add their families when given.
std::string metrics_text(const proxy::Snapshot* snapshot, const std::vector<CredentialCacheReport>* caches,
                         const RuntimeStatus& status, core::SystemTime now,
                         const observability::MetricsSummary* requests = nullptr,
                         const ConnectionCounts* connections = nullptr);

// GET /config_dump: the snapshot's configuration as JSON, with its version and load time. Secrets
// appear by name and type only ("data": "redacted"); no key, token or private key ever does.
nlohmann::json config_dump_json(const proxy::Snapshot& snapshot);

class AdminHandler final : public http::RequestHandler {
public:
 // Everything it answers comes from `status`, read at request time.
 AdminHandler(const StatusSource& status, const core::Clock& clock);
 core::Task<http::Response> handle(http::Request& request, const http::ConnectionInfo& connection,
                                   http::ResponseWriter& writer) override;
 http::Response reject(core::ErrorKind kind, std::string message, const http::Request* request) override;

private:
  http::Response respond(const http::Request& request);

  const StatusSource& status_;
  const core::Clock& clock_;
  core::RequestIdGenerator ids_;
};

}  // namespace lambdagate::admin
