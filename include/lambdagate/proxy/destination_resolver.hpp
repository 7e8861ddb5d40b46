#pragma once
// Destination resolution (DESIGN.md §3, §4): where a request goes and what it sends, decided
// without I/O. The route that matches; then either the response the route gives by itself
// (directResponseAction), or the Upstream, the function (hand-written lambdaFunctions first, then
// what discovery found) and the Invoke request: the payload built (the body as it is, Gloo's
// requestTransformation event, or an API Gateway 1.0/2.0 event), Lambda's payload limits checked,
// the extra headers (propagateOriginalRouting, headerManipulation), and the route timeout the
// deadline is made from. Pure: the snapshot, the request and a random source (for weighted
// destinations) in, a value out; tested as tables (destination_resolver_test.cpp).
#include <chrono>
#include <cstddef>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <random>
#include <string>
#include <string_view>
#include <variant>

#include "lambdagate/aws/lambda_client.hpp"
#include "lambdagate/config/model.hpp"
#include "lambdagate/core/clock.hpp"
#include "lambdagate/core/error.hpp"
#include "lambdagate/discovery/function_catalog.hpp"
#include "lambdagate/http/server.hpp"
#include "lambdagate/http/tls_server_context.hpp"
#include "lambdagate/proxy/snapshot.hpp"
#include "lambdagate/routing/route_table.hpp"

namespace lambdagate::proxy {

// The request pipeline's fixed limits and defaults.
struct GatewayOptions {
  std::size_t max_sync_payload = 6 * 1024 * 1024;    // Lambda's RequestResponse limit (6 MiB)
  std::size_t max_async_payload = 1024 * 1024;       // Lambda's Event limit (1 MiB)
  std::chrono::milliseconds default_timeout{15000};  // Gloo/Envoy route timeout default
};

// The request as resolution reads it. References into the caller's request; they must outlive
// the resolution.
struct InboundRequest {
  const http::Request& message;
  std::string_view request_id;      // the gateway's x-request-id (events' requestId)
  std::string_view remote_address;  // the client (events' sourceIp)
  core::SystemTime now;             // the events' requestTime
  // The listener it came in on (its Gateway's routes; empty = every VirtualService), whether over
  // TLS (scheme, X-Forwarded-Proto, redirects) and the client's certificate (mutual TLS).
  std::string_view listener = {};
  bool https = false;
  const http::ClientCertificate* client_certificate = nullptr;
  // The claims of the request's verified JWT, for the API Gateway events' requestContext.authorizer;
  // null when none was verified.
  const nlohmann::json* claims = nullptr;
};

// A request on its way to a function: what the invoking steps need.
struct Invocation {
  const config::AwsDestinationSpec* spec = nullptr;
  // The function's logical name, for messages. It lives in the snapshot, or in `catalog`.
  std::string_view logical_name;
  // Keeps a discovered function's entry alive while the call runs.
  std::shared_ptr<const discovery::FunctionCatalog> catalog;
  aws::InvokeRequest invoke;
  // InvokeWithResponseStream (responseStreaming; never for Event invocations).
  bool streaming = false;
  // The route timeout (the route's, else the virtual host's, else the default); zero: none.
  std::chrono::milliseconds timeout{0};
};

// A directResponseAction route's own answer.
struct DirectResponse {
  unsigned status = 200;
  std::string_view body;  // lives in the snapshot
  std::string location;   // a redirectAction's Location header; empty = none
};

struct Resolution {
  // What was resolved, also when resolution ends in an error (access log and metrics labels).
  const routing::CompiledRoute* route = nullptr;
  const UpstreamRuntime* upstream = nullptr;
  std::string function;  // the function name invoked (maybe an ARN built from awsAccountId)
  std::string_view logical_name;  // the route's logical function (in the snapshot), once known
  // A call to make, the route's own response, or why there is neither.
  std::variant<Invocation, DirectResponse, core::Error> outcome = core::Error{};
  // The route named a function discovery has not found (yet): an early discovery round may find
  // a function deployed since (the caller asks for one; resolution does no I/O).
  bool wants_discovery_round = false;
};

// The route `request` matches among those of `listener` (ConnectionInfo::listener; empty: every
// VirtualService), or null.
const routing::CompiledRoute* match_route(const Snapshot& snapshot, const http::Request& request,
                                          std::string_view listener = {});

// The route timeout: the route's own, else the virtual host's, else the default; zero: none.
std::chrono::milliseconds route_timeout(const routing::CompiledRoute& route, const GatewayOptions& options);

// Matches the route, then resolves it.
Resolution resolve_destination(const Snapshot& snapshot, const InboundRequest& request,
                               const GatewayOptions& options, std::mt19937_64& random);
// Resolves `route` (as match_route gave it; null: route_not_found) for `request`.
Resolution resolve_route(const Snapshot& snapshot, const InboundRequest& request,
                         const routing::CompiledRoute* route, const GatewayOptions& options,
                         std::mt19937_64& random);

}  // namespace lambdagate::proxy
