#include "lambdagate/proxy/gateway.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "lambdagate/aws/lambda_api.hpp"
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
    const routing::CompiledRoute* matched = nullptr;
    response = co_await route_and_invoke(request, *snapshot, request_id, outcome, matched);
    if (matched) manipulate_response_headers(response, matched->route->options);
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
  if (metrics_) {
    metrics_->record_request(outcome.route, outcome.upstream, outcome.function, entry.status,
                             clock_.steady_now() - started);
  }
  co_return response;
}

boost::asio::awaitable<http::Response> Gateway::route_and_invoke(const http::Request& request,
                                                                 const Snapshot& snapshot,
                                                                 std::string_view request_id, Outcome& outcome,
                                                                 const routing::CompiledRoute*& matched) {
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

  if (const auto& hm = route->route->options.header_manipulation) {
    // As in Envoy, the route's request headers go to the upstream (Lambda) request.
    for (const auto& h : hm->request_headers_to_add) invoke.extra_headers.emplace_back(h.key, h.value);
  }

  const core::Deadline deadline = deadline_for(*route, options_, clock_);
  const auto& retries = route->route->options.retries;
  auto client = lambda_client(snapshot, *upstream);
  aws::InvokeResult result;
  // Each attempt is signed afresh by the client; the route deadline bounds them all, the
  // per-try timeout each one.
  for (unsigned attempt = 0;; ++attempt) {
    core::Deadline try_deadline = deadline;
    if (retries && retries->per_try_timeout) {
      try_deadline = deadline.min(core::Deadline::after(clock_, *retries->per_try_timeout));
    }
    outcome.attempts = attempt + 1;
    result = co_await client->invoke(invoke, try_deadline);
    const auto* error = std::get_if<core::Error>(&result);
    if (metrics_) record_invocation(*metrics_, outcome.upstream, outcome.function, result);
    if (!error || !retries || attempt >= retries->num_retries) break;
    const AttemptOutcome attempted = attempt_outcome(*error);
    if (!should_retry(*retries, attempted)) break;
    const auto delay = next_backoff(*retries, attempt, ids_.random(), attempted.retry_after);
    if (deadline.time() && clock_.steady_now() + delay >= *deadline.time()) break;  // no time left to retry
    boost::asio::steady_timer backoff(co_await boost::asio::this_coro::executor, delay);
    co_await backoff.async_wait(boost::asio::use_awaitable);
    if (metrics_) metrics_->record_retry(outcome.route);
  }

  if (auto* error = std::get_if<core::Error>(&result)) {
    // The route deadline passed during the attempts: whatever the last attempt said, it is a timeout.
    if (deadline.expired(clock_) && error->kind != core::ErrorKind::CredentialsUnavailable) {
      co_return fail(core::ErrorKind::UpstreamTimeout,
                     "the route timeout passed before Lambda answered the call to '" + function->logical_name + "'");
    }
    auto response = fail(error->kind, error->message);
    if (error->kind == core::ErrorKind::LambdaThrottled) {
      const auto wait = error->retry_after.value_or(std::chrono::seconds(1));
      response.set(bhttp::field::retry_after,
                   std::to_string(std::max<long long>(1, std::chrono::ceil<std::chrono::seconds>(wait).count())));
    }
    co_return response;
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
