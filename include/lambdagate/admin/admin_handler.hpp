#pragma once
// AdminHandler: the admin listener's endpoints (DESIGN.md §5): /healthz, /readyz, /upstreams
// and /metrics. Nothing it answers ever contains a secret.
#include <atomic>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lambdagate/core/clock.hpp"
#include "lambdagate/core/request_id.hpp"
#include "lambdagate/http/server.hpp"
#include "lambdagate/proxy/credentials_registry.hpp"
#include "lambdagate/proxy/snapshot.hpp"

namespace lambdagate::admin {

// Process-wide state the admin endpoints report, owned by the runtime.
struct RuntimeStatus {
  std::atomic<bool> listeners_bound{false};
  std::atomic<bool> draining{false};
};

// Why the gateway is not ready (empty = ready). Pure, so tests need no sockets.
std::vector<std::string> readiness_problems(const proxy::Snapshot* snapshot, const RuntimeStatus& status,
                                            core::SystemTime now);

// GET /upstreams: each Upstream with region, endpoint, credential source and state, functions.
nlohmann::json upstreams_json(const proxy::Snapshot& snapshot, core::SystemTime now);

// GET /metrics: Prometheus text exposition format.
std::string metrics_text(const proxy::Snapshot* snapshot, const proxy::CredentialsRegistry* registry,
                         const RuntimeStatus& status, core::SystemTime now);

class AdminHandler final : public http::RequestHandler {
public:
  AdminHandler(const proxy::SnapshotStore& snapshots, const RuntimeStatus& status, const core::Clock& clock,
               const proxy::CredentialsRegistry* registry = nullptr);
  boost::asio::awaitable<http::Response> handle(http::Request& request, const http::ConnectionInfo& connection) override;
  http::Response reject(core::ErrorKind kind, std::string message, const http::Request* request) override;

private:
  http::Response respond(const http::Request& request);

  const proxy::SnapshotStore& snapshots_;
  const RuntimeStatus& status_;
  const core::Clock& clock_;
  const proxy::CredentialsRegistry* registry_;
  core::RequestIdGenerator ids_;
};

}  // namespace lambdagate::admin
