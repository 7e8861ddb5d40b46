#pragma once
// RoutePolicies: the request policies of one route, compiled once per snapshot (by the wiring,
// wiring/policy_builder.hpp) and read by the policy stage (policy_stage.hpp) before any
// credentials or Lambda call: the effective CORS rules, the virtual host's JWT authenticator
// (none when the route disables it), the most specific local rate limit (route, else virtual
// host, else the Gateway's defaultLimit) and the route's concurrency cap. Buckets and limiters
// are shared by every worker and lock-free; everything else is immutable.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "lambdagate/config/model.hpp"
#include "lambdagate/policy/authenticator.hpp"
#include "lambdagate/policy/concurrency_limiter.hpp"
#include "lambdagate/policy/cors.hpp"
#include "lambdagate/policy/rate_limit.hpp"

namespace lambdagate::proxy {

struct RateLimitPolicy {
  // The level whose bucket applies, for metrics and logs: "route", "virtual_host" or "gateway".
  std::string_view level;
  config::LocalRateLimit limit;
  // One bucket per process (null with per-connection buckets: each connection makes its own
  // from `limit`, keyed by this policy's address).
  std::shared_ptr<policy::SharedTokenBucket> shared;
  bool per_connection = false;
  bool x_ratelimit_headers = false;  // enableXRatelimitHeaders
};

struct RoutePolicies {
  std::shared_ptr<const policy::CorsRules> cors;               // null: no CORS for this route
  std::shared_ptr<const policy::Authenticator> authenticator;  // null: no JWT for this route
  std::shared_ptr<const RateLimitPolicy> rate_limit;           // null: no local rate limit
  std::shared_ptr<policy::ConcurrencyLimiter> concurrency;     // null: no route cap
};

struct PolicyIndex {
  std::unordered_map<const config::Route*, RoutePolicies> routes;
  // A virtual host's own CORS rules, for the answers of requests no route matched (404).
  std::unordered_map<const config::VirtualService*, std::shared_ptr<const policy::CorsRules>> host_cors;
  // maxConcurrency on an Upstream's lambdaFunctions entry, by (Upstream "ns/name", logicalName).
  // Looked up by string_view, so a request allocates nothing to find its cap.
  std::map<std::string, std::map<std::string, std::shared_ptr<policy::ConcurrencyLimiter>, std::less<>>,
           std::less<>>
      functions;

  const RoutePolicies* find(const config::Route* route) const {
    auto it = routes.find(route);
    return it == routes.end() ? nullptr : &it->second;
  }
  const policy::CorsRules* cors_of_host(const config::VirtualService* host) const {
    auto it = host_cors.find(host);
    return it == host_cors.end() ? nullptr : it->second.get();
  }
  policy::ConcurrencyLimiter* function_cap(std::string_view upstream, std::string_view logical_name) const {
    auto by_upstream = functions.find(upstream);
    if (by_upstream == functions.end()) return nullptr;
    auto it = by_upstream->second.find(logical_name);
    return it == by_upstream->second.end() ? nullptr : it->second.get();
  }
};

}  // namespace lambdagate::proxy
