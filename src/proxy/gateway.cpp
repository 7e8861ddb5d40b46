#include "lambdagate/proxy/gateway.hpp"

#include <nlohmann/json.hpp>

#include "lambdagate/aws/lambda_api.hpp"

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

// The function a route names: by logicalName, or the first one with fallbackToFirstFunction.
const config::LambdaFunctionSpec* find_function(const config::Upstream& upstream, std::string_view logical_name,
                                                bool fallback_to_first) {
  for (const auto& f : upstream.aws.lambda_functions) {
    if (f.logical_name == logical_name) return &f;
  }
  if (fallback_to_first && !upstream.aws.lambda_functions.empty()) return &upstream.aws.lambda_functions.front();
  return nullptr;
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

}  // namespace

struct Gateway::Outcome {
  std::string route;
  std::string upstream;
  std::string function;
  unsigned attempts = 0;
  std::string error_code;
};

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
                 observability::AccessLog& access_log, const std::atomic<bool>& draining, GatewayOptions options)
    : snapshots_(snapshots),
      http_client_(http_client),
      clock_(clock),
      access_log_(access_log),
      draining_(draining),
      options_(options) {}

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

boost::asio::awaitable<http::Response> Gateway::handle(http::Request& request, const http::ConnectionInfo& connection) {
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
    response = co_await route_and_invoke(request, *snapshot, request_id, outcome);
  }
  response.set("x-request-id", request_id);

  observability::AccessLogEntry entry;
  entry.time = clock_.system_now();
  entry.request_id = request_id;
  entry.remote_address = connection.remote_address;
  entry.method = std::string_view(request.method_string().data(), request.method_string().size());
  entry.path = std::string_view(request.target().data(), request.target().size());
  entry.status = response.result_int();
  entry.duration = std::chrono::duration_cast<std::chrono::microseconds>(clock_.steady_now() - started);
  entry.route = outcome.route;
  entry.upstream = outcome.upstream;
  entry.function = outcome.function;
  entry.attempts = outcome.attempts;
  entry.bytes_received = request.body().size();
  entry.bytes_sent = response.body().size();
  entry.error_code = outcome.error_code;
  access_log_.write(entry);
  co_return response;
}

boost::asio::awaitable<http::Response> Gateway::route_and_invoke(const http::Request& request,
                                                                 const Snapshot& snapshot,
                                                                 std::string_view request_id, Outcome& outcome) {
  const unsigned version = request.version();
  auto fail = [&](core::ErrorKind kind, std::string message) {
    outcome.error_code = std::string(core::to_string(kind));
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

  const bool fallback = snapshot.config->settings && snapshot.config->settings->fallback_to_first_function;
  const std::string logical_name = destination.aws ? destination.aws->logical_name : std::string{};
  const config::LambdaFunctionSpec* function = find_function(*upstream->upstream, logical_name, fallback);
  if (!function) {
    co_return fail(core::ErrorKind::LambdaRejected,
                   "upstream " + upstream->key + " has no function with logicalName '" + logical_name + "'");
  }

  aws::InvokeRequest invoke;
  invoke.function_name =
      aws::resolve_function_name(function->function_name, upstream->upstream->aws.aws_account_id, upstream->region);
  invoke.qualifier = function->qualifier;
  outcome.function = invoke.function_name;
  const bool async = destination.aws && destination.aws->invocation_style == config::InvocationStyle::Async;
  invoke.invocation_type = async ? aws::InvocationType::Event : aws::InvocationType::RequestResponse;

  const std::size_t limit = async ? options_.max_async_payload : options_.max_sync_payload;
  if (request.body().size() > limit) {
    co_return fail(core::ErrorKind::PayloadTooLarge,
                   "request body of " + std::to_string(request.body().size()) + " bytes exceeds Lambda's " +
                       (async ? "asynchronous" : "synchronous") + " limit of " + std::to_string(limit) + " bytes");
  }
  invoke.payload = request.body();
  if (snapshot.config->settings && snapshot.config->settings->propagate_original_routing) {
    invoke.extra_headers.emplace_back("x-envoy-original-path", std::string(target));
    invoke.extra_headers.emplace_back("x-envoy-original-method", std::string(view.method));
  }

  const core::Deadline deadline = deadline_for(*route, options_, clock_);
  auto client = lambda_client(snapshot, *upstream);
  outcome.attempts = 1;
  aws::InvokeResult result = co_await client->invoke(invoke, deadline);

  if (auto* error = std::get_if<core::Error>(&result)) {
    co_return fail(error->kind, error->message);
  }
  auto& invoked = std::get<aws::InvokeResponse>(result);
  if (!invoked.function_error.empty()) {
    const std::string type = function_error_type(invoked.payload);
    co_return fail(core::ErrorKind::FunctionError,
                   "function '" + function->logical_name + "' failed" + (type.empty() ? "" : " with " + type));
  }
  http::Response response{async ? bhttp::status::accepted : bhttp::status::ok, version};
  if (!async) {
    response.set(bhttp::field::content_type, "application/json");
    response.body() = std::move(invoked.payload);
  }
  response.prepare_payload();
  co_return response;
}

}  // namespace lambdagate::proxy
