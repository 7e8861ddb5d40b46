// Gateway: one request from route to response (see gateway.hpp). The parts it orchestrates are
// in destination_resolver, retry_driver, stream_relay and response_mapping.
#include "lambdagate/proxy/gateway.hpp"

#include "lambdagate/core/ascii.hpp"
#include "lambdagate/discovery/discovery_registry.hpp"
#include "lambdagate/proxy/client_errors.hpp"
#include "lambdagate/proxy/gateway_access_log.hpp"
#include "lambdagate/proxy/retry_driver.hpp"
#include "lambdagate/proxy/stream_relay.hpp"

namespace lambdagate::proxy {

namespace bhttp = boost::beast::http;

// What the access log and metrics say about a request. Route and upstream names point into the
// snapshot, which handle() keeps alive for the whole request; no per-request copies.
struct Gateway::Outcome {
  std::string_view route;
  std::string_view upstream;
  const http::Endpoint* upstream_endpoint = nullptr;  // the Lambda endpoint, for %UPSTREAM_HOST%
  std::string function;  // resolved per request (may be an ARN built from awsAccountId)
  unsigned attempts = 0;
  std::string_view error_code;  // static text from core::to_string
  // A streamed response: what went on the wire, since the returned Response is not used then.
  unsigned streamed_status = 0;
  std::size_t streamed_bytes = 0;
};

// One request on its way to Lambda: everything the invoking steps share.
struct Gateway::Call {
  const http::Request& request;
  std::string_view request_id;
  const Snapshot& snapshot;
  const routing::CompiledRoute& route;
  const UpstreamRuntime& upstream;
  Invocation& invocation;
  core::Deadline deadline;
  Outcome& outcome;
  const PolicyState& policy;

  observability::RateLimitedLog* problems;

  // The client gets the route and the logical function; the log gets the whole story.
  http::Response fail(const core::Error& error) const {
    outcome.error_code = core::to_string(error.kind);
    if (!has_internal_detail(error.kind)) return make_error_response(error, request_id, request.version());
    report_failure(problems, error, request_id, outcome.route, outcome.upstream, outcome.function);
    return make_error_response(client_facing(error, outcome.route, invocation.logical_name), request_id,
                               request.version());
  }
};

// The detail of a failed call for the operator, at warn, at most one line per kind, Upstream and
// function every window (a dead endpoint fails every request). It names what the client's
// message leaves out: the Upstream, the function as invoked (an ARN with its account id), and
// the detailed cause (the endpoint and TLS reason of a transport failure, Lambda's error type).
void Gateway::report_failure(observability::RateLimitedLog* problems, const core::Error& error,
                             std::string_view request_id, std::string_view route, std::string_view upstream,
                             std::string_view function) {
  if (!problems) return;
  std::string key(core::to_string(error.kind));
  key.append(" ").append(upstream).append(" ").append(function);
  std::string line = "request ";
  line.append(request_id).append(": route '").append(route).append("'");
  if (!upstream.empty()) line.append(", upstream ").append(upstream);
  if (!function.empty()) line.append(", function ").append(function);
  line.append(": ").append(core::to_string(error.kind)).append(": ").append(error.message);
  problems->warn(key, line);
}

namespace {

// The failure and function error of one attempt, whatever kind of call it was.
struct AttemptSummary {
  const core::Error* failure = nullptr;
  bool function_error = false;
};
AttemptSummary summarize(const aws::InvokeResult& result) {
  if (const auto* error = std::get_if<core::Error>(&result)) return {error, false};
  return {nullptr, !std::get<aws::InvokeResponse>(result).function_error.empty()};
}
AttemptSummary summarize(const aws::InvokeStreamResult& result) {
  if (const auto* error = std::get_if<core::Error>(&result)) return {error, false};
  return {nullptr, !std::get<aws::StreamEnd>(result).error_code.empty()};
}

}  // namespace

Gateway::Gateway(const SnapshotStore& snapshots, http::HttpClient& http_client, const core::Clock& clock,
                 core::Sleeper& sleeper, observability::AccessLog& access_log,
                 const std::atomic<bool>& draining, GatewayOptions options,
                 observability::MetricsShard* metrics, observability::RateLimitedLog* problems)
    : snapshots_(snapshots),
      http_client_(http_client),
      clock_(clock),
      sleeper_(sleeper),
      access_log_(access_log),
      draining_(draining),
      options_(options),
      metrics_(metrics),
      problems_(problems),
      policy_stage_(clock, metrics) {}

std::string Gateway::request_id_for(const http::Request& request) {
  // The first x-request-id, as find() gives it, by a walk over the request's handful of fields:
  // find() maps the name to a field code and searches a tree, which costs more.
  constexpr std::string_view kName = "x-request-id";
  for (const auto& field : request) {
    const std::string_view name(field.name_string().data(), field.name_string().size());
    if (!core::iequals_ascii(name, kName)) continue;
    std::string_view id(field.value().data(), field.value().size());
    if (core::is_acceptable_request_id(id)) return std::string(id);
    break;
  }
  return ids_.next();
}

http::Response Gateway::reject(core::ErrorKind kind, std::string message, const http::Request* request) {
  const std::string id = request ? request_id_for(*request) : ids_.next();
  auto response = make_error_response(core::Error{kind, std::move(message)}, id, request ? request->version() : 11);
  // A browser reads a refusal (413, 431, 400) only with the CORS headers of the virtual host the
  // request was for; no route was matched, so the host's own rules decide, as for a 404.
  if (request) {
    if (const auto snapshot = snapshots_.get()) {
      PolicyState policy;
      policy_stage_.admit_unrouted(*request, *snapshot, policy);
      PolicyStage::decorate(response, policy);
    }
  }
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

bool Gateway::refuse_unservable(const Snapshot* snapshot, const http::Request& request,
                                std::string_view request_id, Outcome& outcome, http::Response& response) const {
  if (draining_.load(std::memory_order_relaxed)) {
    const core::Error draining{core::ErrorKind::Draining, "the gateway is shutting down"};
    response = make_error_response(draining, request_id, request.version());
    response.keep_alive(false);
    outcome.error_code = core::to_string(draining.kind);
    return true;
  }
  if (!snapshot) {
    const core::Error unloaded{core::ErrorKind::Internal, "no configuration loaded"};
    response = make_error_response(unloaded, request_id, request.version());
    outcome.error_code = core::to_string(unloaded.kind);
    return true;
  }
  return false;
}

core::Task<http::Response> Gateway::handle(http::Request& request, const http::ConnectionInfo& connection,
                                           http::ResponseWriter& writer) {
  const auto started = clock_.steady_now();
  const std::string request_id = request_id_for(request);
  Outcome outcome;
  http::Response response;

  auto snapshot = snapshots_.get();
  if (!refuse_unservable(snapshot.get(), request, request_id, outcome, response)) {
    const routing::CompiledRoute* matched = nullptr;
    PolicyState policy;
    response =
        co_await route_and_invoke(request, connection, *snapshot, request_id, outcome, matched, writer,
                                  policy);
    if (matched && !writer.started()) manipulate_response_headers(response, matched->route->options);
    // CORS and x-ratelimit-* on every answer, lambdagate's own errors included.
    if (!writer.started()) PolicyStage::decorate(response, policy);
  }
  response.set("x-request-id", request_id);
  log_request(snapshot.get(), request, connection, request_id, outcome, response, writer.started(), started);
  co_return response;
}

void Gateway::log_request(const Snapshot* snapshot, const http::Request& request,
                          const http::ConnectionInfo& connection,
                          std::string_view request_id, const Outcome& outcome, const http::Response& response,
                          bool streamed, core::SteadyTime started) {
  observability::AccessLogEntry entry;
  entry.time = clock_.system_now();
  entry.request_id = request_id;
  entry.remote_address = connection.remote_address;
  entry.method = std::string_view(request.method_string().data(), request.method_string().size());
  entry.path = std::string_view(request.target().data(), request.target().size());
  entry.status = streamed ? outcome.streamed_status : response.result_int();
  const auto elapsed = clock_.steady_now() - started;
  entry.duration = std::chrono::duration_cast<std::chrono::microseconds>(elapsed);
  entry.route = outcome.route;
  entry.upstream = outcome.upstream;
  entry.function = outcome.function;
  entry.attempts = outcome.attempts;
  entry.bytes_received = request.body().size();
  entry.bytes_sent = streamed ? outcome.streamed_bytes : response.body().size();
  entry.error_code = outcome.error_code;
  // A Gateway's fileSinks replace the built-in line for its listener.
  if (const auto* sinks = snapshot ? snapshot->access_log_sinks(connection.local_port) : nullptr) {
    write_access_log_sinks(*sinks, entry, request, response, connection, outcome.upstream_endpoint, access_log_,
                           sink_line_);
  } else {
    access_log_.write(entry);
  }
  if (metrics_)
    metrics_->record_request(outcome.route, outcome.upstream, outcome.function, entry.status, elapsed);
}

// The helpers below keep their locals out of route_and_invoke's coroutine frame, which every
// request allocates: small enough, Asio recycles it instead (1 KiB at most).
Resolution Gateway::resolve(const http::Request& request, const http::ConnectionInfo& connection,
                            const Snapshot& snapshot, std::string_view request_id,
                            const routing::CompiledRoute* route, const PolicyState& policy) {
  const InboundRequest inbound{request,
                               request_id,
                               connection.remote_address,
                               clock_.system_now(),
                               connection.listener,
                               connection.tls,
                               connection.client_certificate.get(),
                               policy.claims.get()};
  return resolve_route(snapshot, inbound, route, options_, ids_.random());
}

core::Deadline Gateway::route_deadline(const routing::CompiledRoute& route) const {
  const auto timeout = route_timeout(route, options_);
  return timeout.count() == 0 ? core::Deadline::never() : core::Deadline::at(clock_.steady_coarse() + timeout);
}

void Gateway::record_resolution(Resolution& resolution, const Snapshot& snapshot, Outcome& outcome,
                                const routing::CompiledRoute*& matched) {
  matched = resolution.route;
  if (resolution.route) outcome.route = resolution.route->name;
  if (resolution.upstream) {
    outcome.upstream = resolution.upstream->key;
    outcome.upstream_endpoint = &resolution.upstream->endpoint;
  }
  outcome.function = std::move(resolution.function);
  if (resolution.wants_discovery_round && snapshot.discovery) {
    snapshot.discovery->request_round(resolution.upstream->key);  // rate-limited by the discoverer
  }
}

http::Response Gateway::answer_resolved(const Resolution& resolution, std::string_view request_id, Outcome& outcome,
                                        unsigned version) {
  if (const auto* direct = std::get_if<DirectResponse>(&resolution.outcome)) {
    http::Response response{static_cast<bhttp::status>(direct->status), version};
    response.body() = direct->body;
    if (!direct->location.empty()) response.set(bhttp::field::location, direct->location);
    response.prepare_payload();
    return response;
  }
  const auto& error = std::get<core::Error>(resolution.outcome);
  outcome.error_code = core::to_string(error.kind);
  // An Upstream or function the route names but that is not there: the client learns which
  // route; the log, which Upstream and function. (The resolver's payload-size messages speak
  // of the client's own body and are kept.)
  if (resolution.route && error.kind != core::ErrorKind::PayloadTooLarge && has_internal_detail(error.kind)) {
    report_failure(problems_, error, request_id, outcome.route, outcome.upstream, outcome.function);
    return make_error_response(client_facing(error, outcome.route, resolution.logical_name), request_id, version);
  }
  return make_error_response(error, request_id, version);
}

core::Task<http::Response> Gateway::route_and_invoke(http::Request& request,
                                                     const http::ConnectionInfo& connection,
                                                     const Snapshot& snapshot,
                                                     std::string_view request_id, Outcome& outcome,
                                                     const routing::CompiledRoute*& matched,
                                                     http::ResponseWriter& writer,
                                                     PolicyState& policy) {
  // The request may change here (claimsToHeaders, the token removed), so it is matched first and
  // resolved after the policies; the route's deadline covers both (a JWKS fetch included).
  const routing::CompiledRoute* route = match_route(snapshot, request, connection.listener);
  core::Deadline deadline = core::Deadline::never();
  if (!route) {
    policy_stage_.admit_unrouted(request, snapshot, policy);
  } else {
    deadline = route_deadline(*route);
    // Most routes have no request policy: then no coroutine frame is made for the stage.
    if (const RoutePolicies* policies = snapshot.policies.find(route->route)) {
      co_await policy_stage_.admit(request, connection, snapshot, *policies, *route, deadline, request_id,
                                   policy);
    }
    if (policy.answer) {
      matched = route;
      outcome.route = route->name;
      outcome.error_code = policy.error_code;
      co_return std::move(*policy.answer);
    }
  }
  Resolution resolution = resolve(request, connection, snapshot, request_id, route, policy);
  record_resolution(resolution, snapshot, outcome, matched);
  if (!std::holds_alternative<Invocation>(resolution.outcome)) {
    co_return answer_resolved(resolution, request_id, outcome, request.version());
  }
  Invocation& invocation = std::get<Invocation>(resolution.outcome);
  policy_stage_.admit_function(request, snapshot, resolution.upstream->key, invocation.logical_name,
                               outcome.route, request_id, policy);
  if (policy.answer) {
    outcome.error_code = policy.error_code;
    co_return std::move(*policy.answer);
  }
  Call call{request,    request_id, snapshot, *resolution.route, *resolution.upstream,
            invocation, deadline,   outcome,  policy,            problems_};
  if (invocation.streaming) co_return co_await invoke_streaming(call, writer);
  co_return co_await invoke_buffered(call);
}

void Gateway::record_attempt(const Outcome& outcome, const core::Error* failure, bool function_error) {
  if (!metrics_) return;
  using observability::InvocationResult;
  if (failure) {
    metrics_->record_invocation(outcome.upstream, outcome.function, InvocationResult::Error);
    if (failure->kind == core::ErrorKind::LambdaThrottled)
      metrics_->record_throttle(outcome.upstream, outcome.function);
    return;
  }
  metrics_->record_invocation(outcome.upstream, outcome.function,
                              function_error ? InvocationResult::FunctionError : InvocationResult::Success);
}

core::Task<http::Response> Gateway::invoke_buffered(Call& call) {
  auto client = lambda_client(call.snapshot, call.upstream);
  const auto& retries = call.route.route->options.retries;
  RetryDriver driver(retries ? &*retries : nullptr, call.deadline, clock_, sleeper_, ids_.random());
  // Each attempt is signed afresh by the client.
  auto attempt = [&](core::Deadline try_deadline) {
    return client->invoke(call.invocation.invoke, try_deadline);
  };
  auto record = [&](const aws::InvokeResult& result) {
    const auto summary = summarize(result);
    record_attempt(call.outcome, summary.failure, summary.function_error);
  };
  auto on_retry = [&] {
    if (metrics_) metrics_->record_retry(call.outcome.route);
  };
  aws::InvokeResult result = co_await driver.run<aws::InvokeResult>(attempt, record, on_retry);
  call.outcome.attempts = driver.attempts();

  if (auto* error = std::get_if<core::Error>(&result)) {
    co_return call.fail(call_failure(*error, call.deadline.expired(clock_), call.invocation.logical_name));
  }
  auto mapped = map_invoke_response(std::move(std::get<aws::InvokeResponse>(result)), *call.invocation.spec,
                                    call.invocation.logical_name, call.request.version());
  if (auto* error = std::get_if<core::Error>(&mapped)) co_return call.fail(*error);
  co_return std::move(std::get<http::Response>(mapped));
}

core::Task<http::Response> Gateway::invoke_streaming(Call& call, http::ResponseWriter& writer) {
  auto client = lambda_client(call.snapshot, call.upstream);
  const auto& retries = call.route.route->options.retries;
  RetryDriver driver(retries ? &*retries : nullptr, call.deadline, clock_, sleeper_, ids_.random());
  // Unwrapping a streamed response means the HTTP-integration format (as function URLs do).
  const bool http_integration =
      call.invocation.spec->unwrap_as_api_gateway || call.invocation.spec->unwrap_as_alb;
  StreamRelay relay(writer, call.request.version(), call.request_id, call.route.route->options,
                    http_integration);
  relay.decorate_with(call.policy);
  // Retries happen only before the stream begins: Lambda refused the call or could not be reached.
  auto attempt = [&](core::Deadline try_deadline) {
    return client->invoke_stream(call.invocation.invoke, try_deadline, relay);
  };
  auto record = [&](const aws::InvokeStreamResult& result) {
    const auto summary = summarize(result);
    record_attempt(call.outcome, summary.failure, summary.function_error);
  };
  auto on_retry = [&] {
    if (metrics_) metrics_->record_retry(call.outcome.route);
  };
  aws::InvokeStreamResult result = co_await driver.run<aws::InvokeStreamResult>(attempt, record, on_retry);
  call.outcome.attempts = driver.attempts();
  if (auto* error = std::get_if<core::Error>(&result)) {
    co_return call.fail(call_failure(*error, call.deadline.expired(clock_), call.invocation.logical_name));
  }

  call.outcome.streamed_status = relay.status();
  call.outcome.streamed_bytes = relay.bytes_sent();
  const StreamOutcome end =
      stream_outcome(std::get<aws::StreamEnd>(result), relay.state(), call.invocation.logical_name);
  switch (end.action) {
    case StreamOutcome::Action::Finish:
      co_await writer.finish();
      co_return http::Response{};
    case StreamOutcome::Action::Abort:
      writer.abort();
      call.outcome.error_code = end.abort_code;
      co_return http::Response{};
    case StreamOutcome::Action::Respond:
      break;
  }
  call.outcome.streamed_status = 0;
  if (end.error) co_return call.fail(*end.error);
  // A complete stream with no output at all.
  http::Response response{bhttp::status::ok, call.request.version()};
  response.set(bhttp::field::content_type, "application/octet-stream");
  response.prepare_payload();
  co_return response;
}

}  // namespace lambdagate::proxy
