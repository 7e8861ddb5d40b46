// Destination resolution: route → Upstream → function → Invoke request (see
// destination_resolver.hpp).
#include "lambdagate/proxy/destination_resolver.hpp"

#include <string>

#include "lambdagate/aws/lambda_api.hpp"
#include "lambdagate/discovery/catalog_builder.hpp"
#include "lambdagate/policy/authenticator.hpp"
#include "lambdagate/proxy/payload_mapping.hpp"
#include "lambdagate/proxy/redirect.hpp"

namespace lambdagate::proxy {

namespace bhttp = boost::beast::http;

namespace {

class BeastHeaders final : public routing::RequestHeaders {
 public:
  explicit BeastHeaders(const http::Request& request) : request_(request) {}
  std::optional<std::string_view> get(std::string_view lower_name) const override {
    auto it = request_.find(lower_name);
    if (it == request_.end()) return std::nullopt;
    return std::string_view(it->value().data(), it->value().size());
  }

 private:
  const http::Request& request_;
};

std::string_view header_value(const http::Request& request, bhttp::field field) {
  auto it = request.find(field);
  return it == request.end() ? std::string_view{} : std::string_view(it->value().data(), it->value().size());
}

const config::Destination& pick_destination(const config::RouteAction& action, std::mt19937_64& rng) {
  if (action.destinations.size() == 1) return action.destinations.front();
  std::uint64_t total = 0;
  for (const auto& d : action.destinations) total += d.weight;
  if (total == 0) return action.destinations.front();
  std::uint64_t pick = std::uniform_int_distribution<std::uint64_t>(0, total - 1)(rng);
  for (const auto& d : action.destinations) {
    if (pick < d.weight) return d;
    pick -= d.weight;
  }
  return action.destinations.back();
}

const config::AwsDestinationSpec& default_destination_spec() {
  static const config::AwsDestinationSpec spec;
  return spec;
}

// The target Lambda's event shows: with prefixRewrite, the part of the path the matching matcher
// matched is replaced, as Envoy does (a prefix matcher's prefix; an exact or regex matcher's whole
// path); the query string stays. The route matched, so one of its matchers matches.
std::string rewritten_target(std::string_view target, const routing::CompiledRoute& route,
                             const routing::RequestView& view) {
  const auto& rewrite = route.route->options.prefix_rewrite;
  if (!rewrite) return std::string(target);
  for (const auto& matcher : route.matchers) {
    if (!matcher.matches(view)) continue;
    const config::Matcher& source = matcher.source();
    const std::size_t replaced =
        source.kind == config::PathMatchKind::Prefix ? source.path.size() : view.path.size();
    std::string out = *rewrite;
    out.append(target.substr(std::min(replaced, view.path.size())));
    if (out.empty() || out.front() != '/') out.insert(out.begin(), '/');
    return out;
  }
  return std::string(target);
}

// The resource path API Gateway events name: the route's first path matcher.
std::string_view resource_path_of(const config::Route& route) {
  if (route.matchers.empty()) return "/";
  return route.matchers.front().path;
}

// The request's method, host, path and query as the route table matches them.
struct MatchInput {
  explicit MatchInput(const http::Request& request) : headers(request) {
    target = std::string_view(request.target().data(), request.target().size());
    const auto question = target.find('?');
    view.method = std::string_view(request.method_string().data(), request.method_string().size());
    view.host = header_value(request, bhttp::field::host);
    view.path = target.substr(0, question);
    view.query = question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
    view.headers = &headers;
  }
  MatchInput(const MatchInput&) = delete;
  MatchInput& operator=(const MatchInput&) = delete;

  std::string_view target;
  BeastHeaders headers;
  routing::RequestView view;
};

// The Upstream's function of this name: hand-written lambdaFunctions first (they always win),
// then what discovery found; else why there is none.
std::variant<discovery::FunctionTarget, core::Error> find_function(const Snapshot& snapshot,
                                                                   const UpstreamRuntime& upstream,
                                                                   const std::string& logical_name,
                                                                   Invocation& call, bool& wants_round) {
  const bool fallback = snapshot.config->settings && snapshot.config->settings->fallback_to_first_function;
  const auto function = discovery::find_function(*upstream.upstream, upstream.discovered.get(), logical_name,
                                                 fallback, call.catalog);
  if (function) return *function;
  if (!upstream.discovered) {
    return core::Error{
        core::ErrorKind::LambdaRejected,
        "upstream " + upstream.key + " has no function with logicalName '" + logical_name + "'"};
  }
  // Not found yet: maybe the function is new, and an early discovery round finds it.
  wants_round = true;
  return core::Error{core::ErrorKind::LambdaRejected,
                     "function '" + logical_name + "' is not among the lambdaFunctions of upstream " +
                         upstream.key + " and function discovery has not found it" +
                         (upstream.discovered->catalog() ? "" : " (no discovery round has succeeded yet)")};
}

// The event a route sends instead of the raw body: Gloo's, or API Gateway 1.0 / 2.0.
std::string build_event(const InboundRequest& request, const MatchInput& match,
                        const routing::CompiledRoute& route, const UpstreamRuntime& upstream,
                        const config::AwsDestinationSpec& spec) {
  const http::Request& message = request.message;
  const std::string event_target = rewritten_target(match.target, route, match.view);
  IncomingRequest incoming;
  incoming.method = match.view.method;
  incoming.target = event_target;
  incoming.headers.reserve(16);
  for (const auto& field : message) {
    // Over TLS the scheme is known, so a client's own X-Forwarded-Proto is replaced (below).
    if (request.https && boost::beast::iequals(field.name_string(), "x-forwarded-proto")) continue;
    incoming.headers.emplace_back(std::string_view(field.name_string().data(), field.name_string().size()),
                                  std::string_view(field.value().data(), field.value().size()));
  }
  // As API Gateway does (it only speaks HTTPS). Plain requests keep what the client sent.
  if (request.https) incoming.headers.emplace_back("X-Forwarded-Proto", "https");
  incoming.client_certificate = request.client_certificate;
  incoming.body = message.body();
  incoming.source_ip = request.remote_address;
  incoming.request_id = request.request_id;
  incoming.protocol = message.version() == 10 ? "HTTP/1.0" : "HTTP/1.1";
  incoming.time = request.now;
  if (!spec.wrap_as_api_gateway) return gloo_request_event(incoming);
  EventContext context;
  context.account_id = upstream.upstream->aws.aws_account_id;
  context.resource_path = resource_path_of(*route.route);
  const bool v2 = spec.payload_format_version == "2.0";
  // Where API Gateway's JWT authorizer puts the verified claims.
  std::string authorizer;
  if (request.claims) {
    authorizer = v2 ? policy::api_gateway_v2_authorizer(*request.claims)
                    : policy::api_gateway_v1_authorizer(*request.claims);
    context.authorizer = authorizer;
  }
  return v2 ? api_gateway_v2_event(incoming, context) : api_gateway_v1_event(incoming, context);
}

// The payload: the body as it is (Gloo's default), or an event describing the whole request;
// either way within Lambda's limit for the invocation type.
std::optional<core::Error> build_payload(const InboundRequest& request, const MatchInput& match,
                                         const routing::CompiledRoute& route, const UpstreamRuntime& upstream,
                                         const GatewayOptions& options, Invocation& call) {
  const config::AwsDestinationSpec& spec = *call.spec;
  const bool async = spec.invocation_style == config::InvocationStyle::Async;
  const std::size_t limit = async ? options.max_async_payload : options.max_sync_payload;
  const std::string_view kind_of_limit = async ? "asynchronous" : "synchronous";
  const std::size_t body_size = request.message.body().size();
  if (body_size > limit) {
    return core::Error{core::ErrorKind::PayloadTooLarge,
                       "request body of " + std::to_string(body_size) + " bytes exceeds Lambda's " +
                           std::string(kind_of_limit) + " limit of " + std::to_string(limit) + " bytes"};
  }
  if (!spec.request_transformation && !spec.wrap_as_api_gateway) {
    call.invoke.payload = request.message.body();
    return std::nullopt;
  }
  call.invoke.payload = build_event(request, match, route, upstream, spec);
  if (call.invoke.payload.size() > limit) {
    return core::Error{core::ErrorKind::PayloadTooLarge,
                       "the Lambda event built from a request body of " + std::to_string(body_size) +
                           " bytes is " + std::to_string(call.invoke.payload.size()) +
                           " bytes, over Lambda's " + std::string(kind_of_limit) + " limit of " +
                           std::to_string(limit) + " bytes"};
  }
  return std::nullopt;
}

// Headers the Lambda request carries beyond the client's payload.
void add_extra_headers(const Snapshot& snapshot, const MatchInput& match, const routing::CompiledRoute& route,
                       aws::InvokeRequest& invoke) {
  if (snapshot.config->settings && snapshot.config->settings->propagate_original_routing) {
    invoke.extra_headers.emplace_back("x-envoy-original-path", std::string(match.target));
    invoke.extra_headers.emplace_back("x-envoy-original-method", std::string(match.view.method));
  }
  if (const auto& hm = route.route->options.header_manipulation) {
    // As in Envoy, the route's request headers go to the upstream (Lambda) request.
    for (const auto& h : hm->request_headers_to_add) invoke.extra_headers.emplace_back(h.key, h.value);
  }
}

// The call to the route's destination: Upstream, function, Invoke request.
void resolve_call(const Snapshot& snapshot, const InboundRequest& request, const MatchInput& match,
                  const GatewayOptions& options, std::mt19937_64& random, Resolution& resolution) {
  const routing::CompiledRoute& route = *resolution.route;
  const auto& destination = pick_destination(*route.route->route_action, random);
  const UpstreamRuntime* upstream = snapshot.find_upstream(destination.upstream);
  if (!upstream) {
    resolution.outcome =
        core::Error{core::ErrorKind::LambdaRejected, "upstream " + destination.upstream.namespace_ + "/" +
                                                         destination.upstream.name + " is not known"};
    return;
  }
  resolution.upstream = upstream;
  Invocation call;
  call.spec = destination.aws ? &*destination.aws : &default_destination_spec();
  resolution.logical_name = call.spec->logical_name;
  auto function =
      find_function(snapshot, *upstream, call.spec->logical_name, call, resolution.wants_discovery_round);
  if (auto* error = std::get_if<core::Error>(&function)) {
    resolution.outcome = std::move(*error);
    return;
  }
  const auto& target = std::get<discovery::FunctionTarget>(function);
  call.logical_name = target.logical_name;
  const bool async = call.spec->invocation_style == config::InvocationStyle::Async;
  call.invoke.function_name = aws::resolve_function_name(
      target.function_name, upstream->upstream->aws.aws_account_id, upstream->region);
  call.invoke.qualifier = std::string(target.qualifier);
  resolution.function = call.invoke.function_name;
  call.invoke.invocation_type = async ? aws::InvocationType::Event : aws::InvocationType::RequestResponse;
  call.streaming = call.spec->response_streaming && !async;
  call.timeout = route_timeout(route, options);
  if (auto too_large = build_payload(request, match, route, *upstream, options, call)) {
    resolution.outcome = std::move(*too_large);
    return;
  }
  add_extra_headers(snapshot, match, route, call.invoke);
  resolution.outcome = std::move(call);
}

}  // namespace

std::chrono::milliseconds route_timeout(const routing::CompiledRoute& route, const GatewayOptions& options) {
  auto timeout = route.route->options.timeout;
  if (!timeout) timeout = route.virtual_service->options.timeout;
  return timeout.value_or(options.default_timeout);
}

const routing::CompiledRoute* match_route(const Snapshot& snapshot, const http::Request& request,
                                          std::string_view listener) {
  const MatchInput match(request);
  return snapshot.routes_for(listener).match(match.view);
}

Resolution resolve_destination(const Snapshot& snapshot, const InboundRequest& request,
                               const GatewayOptions& options, std::mt19937_64& random) {
  return resolve_route(snapshot, request, match_route(snapshot, request.message, request.listener), options,
                       random);
}

Resolution resolve_route(const Snapshot& snapshot, const InboundRequest& request,
                         const routing::CompiledRoute* matched, const GatewayOptions& options,
                         std::mt19937_64& random) {
  Resolution resolution;
  const MatchInput match(request.message);
  resolution.route = matched;
  if (!resolution.route) {
    resolution.outcome =
        core::Error{core::ErrorKind::RouteNotFound, "no route matches " + std::string(match.view.method) +
                                                        " " + std::string(match.view.path)};
    return resolution;
  }
  const config::Route& route = *resolution.route->route;
  if (route.redirect_action) {
    RedirectRequest redirect{request.https, match.view.host, match.view.path, match.view.query,
                             matched_prefix(route, match.view.path)};
    resolution.outcome =
        DirectResponse{route.redirect_action->response_code, {}, redirect_location(*route.redirect_action, redirect)};
    return resolution;
  }
  if (route.direct_response) {
    resolution.outcome = DirectResponse{route.direct_response->status, route.direct_response->body, {}};
    return resolution;
  }
  if (!route.route_action || route.route_action->destinations.empty()) {
    resolution.outcome =
        core::Error{core::ErrorKind::Internal, "route " + resolution.route->name + " has no destination"};
    return resolution;
  }
  resolve_call(snapshot, request, match, options, random, resolution);
  return resolution;
}

}  // namespace lambdagate::proxy
