#pragma once
// Snapshot: everything the request path needs, built once from a loaded Config (by the wiring,
// wiring/snapshot_builder.hpp) and published atomically (DESIGN.md §7). Workers read it without
// locking; in-flight requests keep the snapshot they started on alive through their shared_ptr.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lambdagate/aws/credentials.hpp"
#include "lambdagate/aws/credentials_cache.hpp"
#include "lambdagate/config/model.hpp"
#include "lambdagate/core/clock.hpp"
#include "lambdagate/discovery/function_catalog.hpp"
#include "lambdagate/http/client.hpp"
#include "lambdagate/observability/access_log_format.hpp"
#include "lambdagate/proxy/route_policies.hpp"
#include "lambdagate/routing/route_table.hpp"

namespace lambdagate::discovery {
class DiscoveryRegistry;
}  // namespace lambdagate::discovery

namespace lambdagate::proxy {

// An Upstream made ready to call: region, endpoint and credentials resolved.
struct UpstreamRuntime {
  const config::Upstream* upstream = nullptr;
  std::string key;  // "namespace/name"
  std::string region;
  http::Endpoint endpoint;
  std::shared_ptr<const aws::CredentialsSource> credentials;  // null: none available
  std::shared_ptr<const aws::CredentialsCache> cache;         // the same, when it is a cache (status)
  std::string credential_source;                               // e.g. "secret ns/name", "web identity (role …)"
  std::string credential_problem;                              // why there are none, when credentials is null
  std::string role_arn;                                        // the role the credentials are for, if any
  // Functions discovery found (ListFunctions); null when discovery is off for this Upstream.
  std::shared_ptr<const discovery::DiscoveredFunctions> discovered;
};

// A Gateway's accessLoggingService fileSinks, formats compiled. They replace the built-in
// access log line for requests on that Gateway's listener.
struct AccessLogSink {
  std::string path;
  observability::AccessLogFormat format;
};
struct GatewayAccessLogs {
  std::uint16_t bind_port = 0;
  std::vector<AccessLogSink> sinks;
};

struct Snapshot {
  std::uint64_t version = 0;
  core::SystemTime loaded_at;
  std::shared_ptr<const config::Config> config;
  std::shared_ptr<const routing::RouteTable> routes;
  std::map<config::ResourceRef, UpstreamRuntime> upstreams;
  // Asked for an early round when a request names a function not found yet; null without discovery.
  discovery::DiscoveryRegistry* discovery = nullptr;
  // CORS, JWT, rate limits and concurrency caps per route (empty when no route has any).
  PolicyIndex policies;

  // Every plain-HTTP Gateway document's fileSinks (maybe none), in load order.
  std::vector<GatewayAccessLogs> access_logs;

  // The fileSinks for a request that arrived on `local_port`: the Gateway bound to that port, else
  // (the listener --listen puts in place of the Gateways' addresses) the first Gateway's; null
  // when there are none and the built-in access log applies.
  const std::vector<AccessLogSink>* access_log_sinks(std::uint16_t local_port) const {
    const GatewayAccessLogs* chosen = access_logs.empty() ? nullptr : &access_logs.front();
    for (const auto& gateway : access_logs) {
      if (gateway.bind_port == local_port) {
        chosen = &gateway;
        break;
      }
    }
    return chosen && !chosen->sinks.empty() ? &chosen->sinks : nullptr;
  }

  const UpstreamRuntime* find_upstream(const config::ResourceRef& ref) const {
    auto it = upstreams.find(ref);
    return it == upstreams.end() ? nullptr : &it->second;
  }
};

// The current snapshot, swapped atomically.
class SnapshotStore {
public:
  std::shared_ptr<const Snapshot> get() const { return current_.load(std::memory_order_acquire); }
  void publish(std::shared_ptr<const Snapshot> snapshot) { current_.store(std::move(snapshot), std::memory_order_release); }

private:
  std::atomic<std::shared_ptr<const Snapshot>> current_;
};

}  // namespace lambdagate::proxy
