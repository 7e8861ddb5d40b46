#pragma once
// PolicyStage: the request policies of a matched route, run by the Gateway before credentials
// or any Lambda call, in Envoy's filter order: CORS (a preflight from an allowed origin is
// answered here), JWT (401 unauthorized / 403 forbidden; on success the claimsToHeaders headers
// are added to the request, the token header removed unless keepToken, and the claims kept for
// the events), the local rate limit (429 rate_limited + Retry-After), and the route's
// concurrency cap (429). Then, once the function is known, its own cap (admit_function).
//
// Whatever the request ends with — the function's answer or one of lambdagate's own errors — is
// passed through decorate(): CORS headers for an allowed origin, x-ratelimit-* headers when the
// limit asks for them.
//
// One per worker (its verified-token cache is the worker's); shared state is only what the
// snapshot holds (buckets and limiters, lock-free).
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "lambdagate/core/clock.hpp"
#include "lambdagate/core/deadline.hpp"
#include "lambdagate/core/task.hpp"
#include "lambdagate/http/server.hpp"
#include "lambdagate/observability/metrics.hpp"
#include "lambdagate/policy/concurrency_limiter.hpp"
#include "lambdagate/policy/rate_limit.hpp"
#include "lambdagate/policy/verified_token_cache.hpp"
#include "lambdagate/proxy/route_policies.hpp"
#include "lambdagate/proxy/snapshot.hpp"

namespace lambdagate::proxy {

// What the stage decided for one request, kept until its response is sent.
struct PolicyState {
  // CORS: the rules and the request's allowed Origin (copied: the request's headers change).
  const policy::CorsRules* cors = nullptr;
  std::string origin;
  // The rate-limit decision, when x-ratelimit-* headers are to be sent.
  std::optional<policy::RateLimitDecision> rate;
  // The verified JWT's claims (null: none).
  std::shared_ptr<const nlohmann::json> claims;
  // Held for the whole call; released when the request's state goes.
  std::optional<policy::ConcurrencyLimiter::Permit> route_permit;
  std::optional<policy::ConcurrencyLimiter::Permit> function_permit;
  // Set when the stage answered the request itself.
  std::optional<http::Response> answer;
  std::string_view error_code;  // static text, for the access log
};

class PolicyStage {
 public:
  PolicyStage(const core::Clock& clock, observability::MetricsShard* metrics);

  // CORS for a request no route matched: its virtual host's own policy, for the error answer.
  void admit_unrouted(const http::Request& request, const Snapshot& snapshot, PolicyState& state);

  // Runs the route's policies (`policies`: the snapshot's entry for `route`; a route without
  // one is not admitted here at all, so no coroutine frame is made for it). Sets state.answer
  // when the request must not go on.
  core::Task<void> admit(http::Request& request, const http::ConnectionInfo& connection,
                         const Snapshot& snapshot, const RoutePolicies& policies,
                         const routing::CompiledRoute& route, core::Deadline deadline,
                         std::string_view request_id, PolicyState& state);

  // The function's own maxConcurrency, once resolution named it. Sets state.answer when at cap.
  void admit_function(const http::Request& request, const Snapshot& snapshot, std::string_view upstream,
                      std::string_view logical_name, std::string_view route_name, std::string_view request_id,
                      PolicyState& state);

  // Adds the CORS and x-ratelimit-* headers the request earned to `response`.
  static void decorate(http::Response& response, const PolicyState& state);

  const policy::VerifiedTokenCache& token_cache() const { return tokens_; }

 private:
  void refuse(const http::Request& request, core::Error error, std::string_view request_id,
              PolicyState& state);
  policy::RateLimitDecision take_token(const RateLimitPolicy& limit, const http::ConnectionInfo& connection,
                                       const Snapshot& snapshot);

  const core::Clock& clock_;
  observability::MetricsShard* metrics_;
  policy::VerifiedTokenCache tokens_;
};

}  // namespace lambdagate::proxy
