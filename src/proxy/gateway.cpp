#include "lambdagate/proxy/gateway.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "lambdagate/aws/lambda_api.hpp"
#include "lambdagate/discovery/catalog_builder.hpp"
#include "lambdagate/discovery/discovery_registry.hpp"
#include "lambdagate/proxy/payload_mapping.hpp"
#include "lambdagate/proxy/retry_policy.hpp"

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

// The route timeout: the route's own, else the virtual host's, else the default; zero disables.
core::Deadline deadline_for(const routing::CompiledRoute& route, const GatewayOptions& options,
                            const core::Clock& clock) {
  auto timeout = route.route->options.timeout;
  if (!timeout) timeout = route.virtual_service->options.timeout;
  const auto value = timeout.value_or(options.default_timeout);
  if (value.count() == 0) return core::Deadline::never();
  return core::Deadline::after(clock, value);
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

// errorType from a function error payload, without the message or stack trace.
std::string function_error_type(std::string_view payload) {
  auto j = nlohmann::json::parse(payload, nullptr, false);
  if (j.is_object()) {
    auto it = j.find("errorType");
    if (it != j.end() && it->is_string()) return it->get<std::string>();
  }
  return {};
}

// How a failed attempt looks to the retry policy.
AttemptOutcome attempt_outcome(const core::Error& error) {
  AttemptOutcome outcome;
  switch (error.transport) {
    case core::TransportFailure::Timeout: outcome.kind = AttemptOutcome::Kind::Timeout; break;
    case core::TransportFailure::ConnectFailure: outcome.kind = AttemptOutcome::Kind::ConnectFailure; break;
    case core::TransportFailure::Reset: outcome.kind = AttemptOutcome::Kind::Reset; break;
    case core::TransportFailure::Other: outcome.kind = AttemptOutcome::Kind::Other; break;
    case core::TransportFailure::None:
      // No answer and no transport failure (e.g. no credentials): nothing a retry can fix.
      outcome.kind = error.upstream_status ? AttemptOutcome::Kind::Response : AttemptOutcome::Kind::Other;
      outcome.status = error.upstream_status;
      outcome.retry_after = error.retry_after;
      break;
  }
  return outcome;
}

// options.headerManipulation's response side, on every answer of the route.
void manipulate_response_headers(http::Response& response, const config::RouteOptions& options) {
  if (!options.header_manipulation) return;
  const auto& hm = *options.header_manipulation;
  for (const auto& name : hm.response_headers_to_remove) response.erase(name);
  for (const auto& h : hm.response_headers_to_add) {
    if (!h.append) response.erase(h.key);
    response.insert(h.key, h.value);
  }
}

}  // namespace

// What the access log and metrics say about a request. Route and upstream names point into the
// snapshot, which handle() keeps alive for the whole request; no per-request copies.
struct Gateway::Outcome {
  std::string_view route;
  std::string_view upstream;
  std::string function;  // resolved per request (may be an ARN built from awsAccountId)
  unsigned attempts = 0;
  std::string_view error_code;  // static text from core::to_string
  // A streamed response: what went on the wire, since the returned Response is not used then.
  unsigned streamed_status = 0;
  std::size_t streamed_bytes = 0;
};

namespace {

// lambdagate_lambda_invocations_total and lambdagate_throttles_total for one attempt.
void record_invocation(observability::MetricsShard& metrics, std::string_view upstream, std::string_view function,
                       const aws::InvokeResult& result) {
  using observability::InvocationResult;
  if (const auto* error = std::get_if<core::Error>(&result)) {
    metrics.record_invocation(upstream, function, InvocationResult::Error);
    if (error->kind == core::ErrorKind::LambdaThrottled) metrics.record_throttle(upstream, function);
    return;
  }
  const bool function_error = !std::get<aws::InvokeResponse>(result).function_error.empty();
  metrics.record_invocation(upstream, function,
                            function_error ? InvocationResult::FunctionError : InvocationResult::Success);
}

}  // namespace

http::Response make_error_response(const core::Error& error, std::string_view request_id, unsigned version) {
  nlohmann::json body = {{"code", core::to_string(error.kind)}, {"message", error.message}, {"requestId", request_id}};
  http::Response response{static_cast<bhttp::status>(core::http_status(error.kind)), version};
  response.set(bhttp::field::content_type, "application/json");
  response.set("x-request-id", request_id);
  response.body() = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  response.prepare_payload();
  return response;
}

Gateway::Gateway(const SnapshotStore& snapshots, http::HttpClient& http_client, const core::Clock& clock,
                 observability::AccessLog& access_log, const std::atomic<bool>& draining, GatewayOptions options,
                 observability::MetricsShard* metrics)
    : snapshots_(snapshots),
      http_client_(http_client),
      clock_(clock),
      access_log_(access_log),
      draining_(draining),
      options_(options),
      metrics_(metrics) {}

std::string Gateway::request_id_for(const http::Request& request) {
  auto incoming = request.find("x-request-id");
  if (incoming != request.end()) {
    std::string_view id(incoming->value().data(), incoming->value().size());
    if (core::is_acceptable_request_id(id)) return std::string(id);
  }
  return ids_.next();
}

http::Response Gateway::reject(core::ErrorKind kind, std::string message, const http::Request* request) {
  const std::string id = request ? request_id_for(*request) : ids_.next();
  auto response = make_error_response(core::Error{kind, std::move(message)}, id, request ? request->version() : 11);
  observability::AccessLogEntry entry;
  entry.time = clock_.system_now();
  entry.request_id = id;
  if (request) {
    entry.method = std::string_view(request->method_string().data(), request->method_string().size());
    entry.path = std::string_view(request->target().data(), request->target().size());
  }
  entry.status = response.result_int();
  entry.bytes_sent = response.body().size();
  entry.error_code = core::to_string(kind);
  access_log_.write(entry);
  // Refused before the pipeline ran (bad request, limits): no route, and no time spent in it.
  if (metrics_) metrics_->record_request({}, {}, {}, entry.status, std::chrono::nanoseconds::zero());
  return response;
}

std::shared_ptr<aws::LambdaClient> Gateway::lambda_client(const Snapshot& snapshot, const UpstreamRuntime& upstream) {
  if (clients_version_ != snapshot.version) {
    clients_.clear();
    clients_version_ = snapshot.version;
  }
  auto& client = clients_[&upstream];
  if (!client) {
    client = std::make_shared<aws::AwsLambdaClient>(http_client_, upstream.endpoint, upstream.region,
                                                    upstream.credentials, clock_);
  }
  return client;
}

boost::asio::awaitable<http::Response> Gateway::handle(http::Request& request, const http::ConnectionInfo& connection,
                                                       http::ResponseWriter& writer) {
  const auto started = clock_.steady_now();
  const std::string request_id = request_id_for(request);
  Outcome outcome;
  http::Response response;

  auto snapshot = snapshots_.get();
  if (draining_.load(std::memory_order_relaxed)) {
    response = make_error_response({core::ErrorKind::Draining, "the gateway is shutting down"}, request_id,
                                   request.version());
    response.keep_alive(false);
    outcome.error_code = core::to_string(core::ErrorKind::Draining);
  } else if (!snapshot) {
    response = make_error_response({core::ErrorKind::Internal, "no configuration loaded"}, request_id,
                                   request.version());
    outcome.error_code = core::to_string(core::ErrorKind::Internal);
  } else {
    const routing::CompiledRoute* matched = nullptr;
    response = co_await route_and_invoke(request, connection, *snapshot, request_id, outcome, matched, writer);
    if (matched && !writer.started()) manipulate_response_headers(response, matched->route->options);
  }
  response.set("x-request-id", request_id);

  observability::AccessLogEntry entry;
  entry.time = clock_.system_now();
  entry.request_id = request_id;
  entry.remote_address = connection.remote_address;
  entry.method = std::string_view(request.method_string().data(), request.method_string().size());
  entry.path = std::string_view(request.target().data(), request.target().size());
  entry.status = writer.started() ? outcome.streamed_status : response.result_int();
  entry.duration = std::chrono::duration_cast<std::chrono::microseconds>(clock_.steady_now() - started);
  entry.route = outcome.route;
  entry.upstream = outcome.upstream;
  entry.function = outcome.function;
  entry.attempts = outcome.attempts;
  entry.bytes_received = request.body().size();
  entry.bytes_sent = writer.started() ? outcome.streamed_bytes : response.body().size();
  entry.error_code = outcome.error_code;
  access_log_.write(entry);
  if (metrics_) {
    metrics_->record_request(outcome.route, outcome.upstream, outcome.function, entry.status,
                             clock_.steady_now() - started);
  }
  co_return response;
}

namespace {

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
    const std::size_t replaced = source.kind == config::PathMatchKind::Prefix ? source.path.size() : view.path.size();
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

const config::AwsDestinationSpec& default_destination_spec() {
  static const config::AwsDestinationSpec spec;
  return spec;
}

// The function's output as the client's response, per the route's unwrap options.
std::variant<http::Response, std::string> map_function_output(std::string output,
                                                              const config::AwsDestinationSpec& spec,
                                                              unsigned version) {
  if (!spec.unwrap_as_api_gateway && !spec.unwrap_as_alb) {
    http::Response response{bhttp::status::ok, version};
    response.set(bhttp::field::content_type, "application/json");
    response.body() = std::move(output);
    response.prepare_payload();
    return response;
  }
  UnwrapResult unwrapped = spec.unwrap_as_alb                      ? unwrap_alb(output)
                           : spec.payload_format_version == "2.0" ? unwrap_api_gateway_v2(output)
                                                                   : unwrap_api_gateway_v1(output);
  if (auto* error = std::get_if<UnwrapError>(&unwrapped)) return std::move(error->reason);
  auto& mapped = std::get<MappedResponse>(unwrapped);
  http::Response response{static_cast<bhttp::status>(mapped.status), version};
  for (auto& [name, value] : mapped.headers) response.insert(name, value);
  response.body() = std::move(mapped.body);
  response.prepare_payload();
  return response;
}

std::string_view unwrap_format_name(const config::AwsDestinationSpec& spec) {
  if (spec.unwrap_as_alb) return "ALB";
  return spec.payload_format_version == "2.0" ? "API Gateway 2.0" : "API Gateway 1.0";
}

}  // namespace

// One request on its way to Lambda: everything the invoking steps share.
struct Gateway::Call {
  const http::Request& request;
  std::string_view request_id;
  const Snapshot& snapshot;
  const routing::CompiledRoute& route;
  const config::AwsDestinationSpec& spec;
  const UpstreamRuntime& upstream;
  std::string_view logical_name;  // the function's, for messages (lives in the snapshot)
  aws::InvokeRequest invoke;
  core::Deadline deadline = core::Deadline::never();
  Outcome& outcome;

  http::Response fail(core::ErrorKind kind, std::string message) const {
    outcome.error_code = core::to_string(kind);
    return make_error_response(core::Error{kind, std::move(message)}, request_id, request.version());
  }
};

boost::asio::awaitable<http::Response> Gateway::route_and_invoke(const http::Request& request,
                                                                 const http::ConnectionInfo& connection,
                                                                 const Snapshot& snapshot,
                                                                 std::string_view request_id, Outcome& outcome,
                                                                 const routing::CompiledRoute*& matched,
                                                                 http::ResponseWriter& writer) {
  const unsigned version = request.version();
  auto fail = [&](core::ErrorKind kind, std::string message) {
    outcome.error_code = core::to_string(kind);
    return make_error_response(core::Error{kind, std::move(message)}, request_id, version);
  };

  const std::string_view target(request.target().data(), request.target().size());
  const auto question = target.find('?');
  BeastHeaders headers(request);
  routing::RequestView view;
  view.method = std::string_view(request.method_string().data(), request.method_string().size());
  view.host = header_value(request, bhttp::field::host);
  view.path = target.substr(0, question);
  view.query = question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
  view.headers = &headers;

  const routing::CompiledRoute* route = snapshot.routes->match(view);
  if (!route) {
    co_return fail(core::ErrorKind::RouteNotFound,
                   "no route matches " + std::string(view.method) + " " + std::string(view.path));
  }
  outcome.route = route->name;
  matched = route;

  if (route->route->direct_response) {
    const auto& direct = *route->route->direct_response;
    http::Response response{static_cast<bhttp::status>(direct.status), version};
    response.body() = direct.body;
    response.prepare_payload();
    co_return response;
  }
  if (!route->route->route_action || route->route->route_action->destinations.empty()) {
    co_return fail(core::ErrorKind::Internal, "route " + route->name + " has no destination");
  }

  const auto& destination = pick_destination(*route->route->route_action, ids_.random());
  const UpstreamRuntime* upstream = snapshot.find_upstream(destination.upstream);
  if (!upstream) {
    co_return fail(core::ErrorKind::LambdaRejected,
                   "upstream " + destination.upstream.namespace_ + "/" + destination.upstream.name + " is not known");
  }
  outcome.upstream = upstream->key;
  const config::AwsDestinationSpec& spec = destination.aws ? *destination.aws : default_destination_spec();

  // Hand-written lambdaFunctions first (they always win), then what discovery found.
  const bool fallback = snapshot.config->settings && snapshot.config->settings->fallback_to_first_function;
  const std::string& logical_name = spec.logical_name;
  std::shared_ptr<const discovery::FunctionCatalog> catalog;  // keeps a discovered entry alive
  const auto function =
      discovery::find_function(*upstream->upstream, upstream->discovered.get(), logical_name, fallback, catalog);
  if (!function) {
    if (!upstream->discovered) {
      co_return fail(core::ErrorKind::LambdaRejected,
                     "upstream " + upstream->key + " has no function with logicalName '" + logical_name + "'");
    }
    // Not found yet: maybe the function is new. Ask for an early discovery round (rate-limited).
    if (snapshot.discovery) snapshot.discovery->request_round(upstream->key);
    co_return fail(core::ErrorKind::LambdaRejected,
                   "function '" + logical_name + "' is not among the lambdaFunctions of upstream " + upstream->key +
                       " and function discovery has not found it" +
                       (upstream->discovered->catalog() ? "" : " (no discovery round has succeeded yet)"));
  }

  Call call{request, request_id, snapshot, *route, spec, *upstream, function->logical_name, {},
            core::Deadline::never(), outcome};
  aws::InvokeRequest& invoke = call.invoke;
  invoke.function_name =
      aws::resolve_function_name(function->function_name, upstream->upstream->aws.aws_account_id, upstream->region);
  invoke.qualifier = std::string(function->qualifier);
  outcome.function = invoke.function_name;
  const bool async = spec.invocation_style == config::InvocationStyle::Async;
  invoke.invocation_type = async ? aws::InvocationType::Event : aws::InvocationType::RequestResponse;

  // The payload: the body as it is (Gloo's default), or an event describing the whole request.
  const std::size_t limit = async ? options_.max_async_payload : options_.max_sync_payload;
  const std::string_view kind_of_limit = async ? "asynchronous" : "synchronous";
  if (request.body().size() > limit) {
    co_return fail(core::ErrorKind::PayloadTooLarge,
                   "request body of " + std::to_string(request.body().size()) + " bytes exceeds Lambda's " +
                       std::string(kind_of_limit) + " limit of " + std::to_string(limit) + " bytes");
  }
  if (spec.request_transformation || spec.wrap_as_api_gateway) {
    const std::string event_target = rewritten_target(target, *route, view);
    IncomingRequest incoming;
    incoming.method = view.method;
    incoming.target = event_target;
    incoming.headers.reserve(16);
    for (const auto& field : request) {
      incoming.headers.emplace_back(std::string_view(field.name_string().data(), field.name_string().size()),
                                    std::string_view(field.value().data(), field.value().size()));
    }
    incoming.body = request.body();
    incoming.source_ip = connection.remote_address;
    incoming.request_id = request_id;
    incoming.protocol = version == 10 ? "HTTP/1.0" : "HTTP/1.1";
    incoming.time = clock_.system_now();
    if (spec.wrap_as_api_gateway) {
      EventContext context;
      context.account_id = upstream->upstream->aws.aws_account_id;
      context.resource_path = resource_path_of(*route->route);
      invoke.payload = spec.payload_format_version == "2.0" ? api_gateway_v2_event(incoming, context)
                                                             : api_gateway_v1_event(incoming, context);
    } else {
      invoke.payload = gloo_request_event(incoming);
    }
    if (invoke.payload.size() > limit) {
      co_return fail(core::ErrorKind::PayloadTooLarge,
                     "the Lambda event built from a request body of " + std::to_string(request.body().size()) +
                         " bytes is " + std::to_string(invoke.payload.size()) + " bytes, over Lambda's " +
                         std::string(kind_of_limit) + " limit of " + std::to_string(limit) + " bytes");
    }
  } else {
    invoke.payload = request.body();
  }
  if (snapshot.config->settings && snapshot.config->settings->propagate_original_routing) {
    invoke.extra_headers.emplace_back("x-envoy-original-path", std::string(target));
    invoke.extra_headers.emplace_back("x-envoy-original-method", std::string(view.method));
  }
  if (const auto& hm = route->route->options.header_manipulation) {
    // As in Envoy, the route's request headers go to the upstream (Lambda) request.
    for (const auto& h : hm->request_headers_to_add) invoke.extra_headers.emplace_back(h.key, h.value);
  }

  call.deadline = deadline_for(*route, options_, clock_);
  if (spec.response_streaming && !async) co_return co_await invoke_streaming(call, writer);
  co_return co_await invoke_buffered(call);
}

namespace {

// The client-facing answer to a call that failed before Lambda produced any output.
http::Response failure_response(const Gateway::Call& call, const core::Error& error, const core::Clock& clock);

}  // namespace

boost::asio::awaitable<http::Response> Gateway::invoke_buffered(Call& call) {
  const auto& retries = call.route.route->options.retries;
  auto client = lambda_client(call.snapshot, call.upstream);
  aws::InvokeResult result;
  // Each attempt is signed afresh by the client; the route deadline bounds them all, the
  // per-try timeout each one.
  for (unsigned attempt = 0;; ++attempt) {
    core::Deadline try_deadline = call.deadline;
    if (retries && retries->per_try_timeout) {
      try_deadline = call.deadline.min(core::Deadline::after(clock_, *retries->per_try_timeout));
    }
    call.outcome.attempts = attempt + 1;
    result = co_await client->invoke(call.invoke, try_deadline);
    const auto* error = std::get_if<core::Error>(&result);
    if (metrics_) record_invocation(*metrics_, call.outcome.upstream, call.outcome.function, result);
    if (!error || !retries || attempt >= retries->num_retries) break;
    const AttemptOutcome attempted = attempt_outcome(*error);
    if (!should_retry(*retries, attempted)) break;
    const auto delay = next_backoff(*retries, attempt, ids_.random(), attempted.retry_after);
    if (call.deadline.time() && clock_.steady_now() + delay >= *call.deadline.time()) break;  // no time left
    boost::asio::steady_timer backoff(co_await boost::asio::this_coro::executor, delay);
    co_await backoff.async_wait(boost::asio::use_awaitable);
    if (metrics_) metrics_->record_retry(call.outcome.route);
  }

  if (auto* error = std::get_if<core::Error>(&result)) co_return failure_response(call, *error, clock_);
  auto& invoked = std::get<aws::InvokeResponse>(result);
  const unsigned version = call.request.version();
  if (!invoked.function_error.empty()) {
    // Only the error's type: its message and stack trace are the function's internals.
    const std::string type = function_error_type(invoked.payload);
    co_return call.fail(core::ErrorKind::FunctionError,
                        "function '" + std::string(call.logical_name) + "' failed" + (type.empty() ? "" : " with " + type));
  }
  if (call.invoke.invocation_type == aws::InvocationType::Event) {
    http::Response response{bhttp::status::accepted, version};
    response.prepare_payload();
    co_return response;
  }
  auto mapped = map_function_output(std::move(invoked.payload), call.spec, version);
  if (auto* reason = std::get_if<std::string>(&mapped)) {
    co_return call.fail(core::ErrorKind::InvalidFunctionResponse,
                        "function '" + std::string(call.logical_name) + "' returned output that is not a valid " +
                            std::string(unwrap_format_name(call.spec)) + " response: " + *reason);
  }
  co_return std::move(std::get<http::Response>(mapped));
}

namespace {

http::Response failure_response(const Gateway::Call& call, const core::Error& error, const core::Clock& clock) {
  // The route deadline passed during the attempts: whatever the last attempt said, it is a timeout.
  if (call.deadline.expired(clock) && error.kind != core::ErrorKind::CredentialsUnavailable) {
    return call.fail(core::ErrorKind::UpstreamTimeout,
                     "the route timeout passed before Lambda answered the call to '" + std::string(call.logical_name) + "'");
  }
  auto response = call.fail(error.kind, error.message);
  if (error.kind == core::ErrorKind::LambdaThrottled) {
    const auto wait = error.retry_after.value_or(std::chrono::seconds(1));
    response.set(bhttp::field::retry_after,
                 std::to_string(std::max<long long>(1, std::chrono::ceil<std::chrono::seconds>(wait).count())));
  }
  return response;
}

// What a stream's failure means for the client: the function failed (InvokeComplete carried its
// error), the stream ran out of time, or Lambda or the connection broke it off.
core::ErrorKind stream_failure_kind(const aws::StreamEnd& end) {
  if (end.function_failed) return core::ErrorKind::FunctionError;
  if (end.error_code == "Timeout") return core::ErrorKind::UpstreamTimeout;
  return core::ErrorKind::UpstreamUnavailable;
}

// Relays a streamed function output to the client: raw bytes, or (for unwrapped routes and
// functions that say so) the HTTP-integration format, whose JSON prelude gives status, headers
// and cookies. Nothing is sent before the first body byte (or the whole prelude) arrives, so an
// early failure can still become a proper error response.
class StreamRelay final : public aws::InvokeStreamHandler {
public:
  StreamRelay(http::ResponseWriter& writer, const Gateway::Call& call, bool http_integration)
      : writer_(writer), call_(call), http_integration_(http_integration) {}

  boost::asio::awaitable<bool> on_payload(std::string_view bytes) override {
    if (!http_integration_) {
      if (!writer_.started()) {
        http::Response head{bhttp::status::ok, call_.request.version()};
        head.set(bhttp::field::content_type, "application/octet-stream");
        if (!co_await begin(head)) co_return false;
      }
      co_return co_await write(bytes);
    }
    body_.clear();
    const auto state = prelude_.feed(bytes, body_);
    if (state == HttpPreludeParser::State::Failed) {
      failure_ = prelude_.error();
      co_return false;
    }
    if (state == HttpPreludeParser::State::NeedMore) co_return true;
    if (!writer_.started()) {
      const MappedResponse& mapped = prelude_.head();
      http::Response head{static_cast<bhttp::status>(mapped.status), call_.request.version()};
      for (const auto& [name, value] : mapped.headers) head.insert(name, value);
      if (head.find(bhttp::field::content_type) == head.end()) {
        head.set(bhttp::field::content_type, "application/octet-stream");
      }
      if (!co_await begin(head)) co_return false;
    }
    co_return co_await write(body_);
  }

  // The prelude has not completed (HTTP-integration format only).
  bool prelude_pending() const {
    return http_integration_ && prelude_.state() == HttpPreludeParser::State::NeedMore;
  }
  const std::string& failure() const { return failure_; }
  unsigned status() const { return status_; }
  std::size_t bytes_sent() const { return bytes_sent_; }
  bool client_gone() const { return client_gone_; }

private:
  boost::asio::awaitable<bool> begin(http::Response& head) {
    // As for buffered responses: the route's header changes first, then the request id.
    manipulate_response_headers(head, call_.route.route->options);
    head.set("x-request-id", call_.request_id);
    status_ = head.result_int();
    const bool ok = co_await writer_.begin(head);
    client_gone_ = !ok;
    co_return ok;
  }
  boost::asio::awaitable<bool> write(std::string_view data) {
    const bool ok = co_await writer_.write(data);
    if (ok) bytes_sent_ += data.size();
    client_gone_ = !ok;
    co_return ok;
  }

  http::ResponseWriter& writer_;
  const Gateway::Call& call_;
  bool http_integration_;
  HttpPreludeParser prelude_;
  std::string body_;
  std::string failure_;
  unsigned status_ = 0;
  std::size_t bytes_sent_ = 0;
  bool client_gone_ = false;
};

}  // namespace

boost::asio::awaitable<http::Response> Gateway::invoke_streaming(Call& call, http::ResponseWriter& writer) {
  const auto& retries = call.route.route->options.retries;
  auto client = lambda_client(call.snapshot, call.upstream);
  // Unwrapping a streamed response means the HTTP-integration format (as function URLs do).
  const bool http_integration = call.spec.unwrap_as_api_gateway || call.spec.unwrap_as_alb;
  StreamRelay relay(writer, call, http_integration);
  aws::InvokeStreamResult result;
  using observability::InvocationResult;
  // Retries happen only before the stream begins: Lambda refused the call or could not be reached.
  for (unsigned attempt = 0;; ++attempt) {
    core::Deadline try_deadline = call.deadline;
    if (retries && retries->per_try_timeout) {
      try_deadline = call.deadline.min(core::Deadline::after(clock_, *retries->per_try_timeout));
    }
    call.outcome.attempts = attempt + 1;
    result = co_await client->invoke_stream(call.invoke, try_deadline, relay);
    const auto* error = std::get_if<core::Error>(&result);
    if (metrics_) {
      if (error) {
        metrics_->record_invocation(call.outcome.upstream, call.outcome.function, InvocationResult::Error);
        if (error->kind == core::ErrorKind::LambdaThrottled) {
          metrics_->record_throttle(call.outcome.upstream, call.outcome.function);
        }
      } else {
        const bool failed = !std::get<aws::StreamEnd>(result).error_code.empty();
        metrics_->record_invocation(call.outcome.upstream, call.outcome.function,
                                    failed ? InvocationResult::FunctionError : InvocationResult::Success);
      }
    }
    if (!error || !retries || attempt >= retries->num_retries) break;
    const AttemptOutcome attempted = attempt_outcome(*error);
    if (!should_retry(*retries, attempted)) break;
    const auto delay = next_backoff(*retries, attempt, ids_.random(), attempted.retry_after);
    if (call.deadline.time() && clock_.steady_now() + delay >= *call.deadline.time()) break;
    boost::asio::steady_timer backoff(co_await boost::asio::this_coro::executor, delay);
    co_await backoff.async_wait(boost::asio::use_awaitable);
    if (metrics_) metrics_->record_retry(call.outcome.route);
  }
  if (auto* error = std::get_if<core::Error>(&result)) co_return failure_response(call, *error, clock_);

  const aws::StreamEnd& end = std::get<aws::StreamEnd>(result);
  call.outcome.streamed_status = relay.status();
  call.outcome.streamed_bytes = relay.bytes_sent();
  if (writer.started()) {
    if (end.complete && !relay.client_gone()) {
      co_await writer.finish();
      co_return http::Response{};
    }
    // After the status line went out, a failure can only cut the response short: the client
    // sees a body without its last chunk, never a complete-looking one.
    writer.abort();
    call.outcome.error_code =
        relay.client_gone() ? std::string_view("client_disconnected") : core::to_string(stream_failure_kind(end));
    co_return http::Response{};
  }
  // Nothing sent yet: the failure can still be a proper error response.
  if (!relay.failure().empty()) {
    co_return call.fail(core::ErrorKind::InvalidFunctionResponse,
                        "function '" + std::string(call.logical_name) +
                            "' streamed an invalid HTTP-integration prelude: " + relay.failure());
  }
  if (!end.error_code.empty()) {
    const std::string name(call.logical_name);
    switch (stream_failure_kind(end)) {
      case core::ErrorKind::UpstreamTimeout:
        co_return call.fail(core::ErrorKind::UpstreamTimeout,
                            "the route timeout passed while streaming from '" + name + "'");
      case core::ErrorKind::FunctionError: {
        // Only the error's type: ErrorDetails holds the function's message and stack trace.
        const std::string type = function_error_type(end.error_details);
        co_return call.fail(core::ErrorKind::FunctionError,
                            "function '" + name + "' failed with " + (type.empty() ? end.error_code : type));
      }
      default:
        co_return call.fail(core::ErrorKind::UpstreamUnavailable,
                            "the response stream of '" + name + "' broke off (" + end.error_code + ")");
    }
  }
  if (relay.prelude_pending()) {
    co_return call.fail(core::ErrorKind::InvalidFunctionResponse,
                        "function '" + std::string(call.logical_name) +
                            "' ended its stream before the end of its HTTP-integration prelude");
  }
  // A complete stream with no output at all.
  http::Response response{bhttp::status::ok, call.request.version()};
  response.set(bhttp::field::content_type, "application/octet-stream");
  response.prepare_payload();
  call.outcome.streamed_status = 0;
  co_return response;
}

}  // namespace lambdagate::proxy
