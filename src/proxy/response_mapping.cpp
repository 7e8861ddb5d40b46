// Response mapping: Lambda's answers and failures as the client's responses (see
// response_mapping.hpp).
#include "lambdagate/proxy/response_mapping.hpp"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "lambdagate/proxy/payload_mapping.hpp"

namespace lambdagate::proxy {

namespace bhttp = boost::beast::http;

http::Response make_error_response(const core::Error& error, std::string_view request_id, unsigned version) {
  nlohmann::json body = {
      {"code", core::to_string(error.kind)}, {"message", error.message}, {"requestId", request_id}};
  http::Response response{static_cast<bhttp::status>(core::http_status(error.kind)), version};
  response.set(bhttp::field::content_type, "application/json");
  response.set("x-request-id", request_id);
  // Lambda's throttling always says when to come back (1s when it did not); a local rate limit
  // says when its next token comes; a concurrency cap cannot know, so it says nothing.
  if (error.kind == core::ErrorKind::LambdaThrottled ||
      (error.kind == core::ErrorKind::RateLimited && error.retry_after)) {
    const auto wait = error.retry_after.value_or(std::chrono::seconds(1));
    response.set(bhttp::field::retry_after, std::to_string(std::max<long long>(
                                                1, std::chrono::ceil<std::chrono::seconds>(wait).count())));
  }
  response.body() = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  response.prepare_payload();
  return response;
}

void manipulate_response_headers(http::Response& response, const config::RouteOptions& options) {
  if (!options.header_manipulation) return;
  const auto& hm = *options.header_manipulation;
  for (const auto& name : hm.response_headers_to_remove) response.erase(name);
  for (const auto& h : hm.response_headers_to_add) {
    if (!h.append) response.erase(h.key);
    response.insert(h.key, h.value);
  }
}

std::string function_error_type(std::string_view payload) {
  auto j = nlohmann::json::parse(payload, nullptr, false);
  if (j.is_object()) {
    auto it = j.find("errorType");
    if (it != j.end() && it->is_string()) return it->get<std::string>();
  }
  return {};
}

core::Error call_failure(const core::Error& last, bool route_deadline_passed, std::string_view logical_name) {
  if (route_deadline_passed && last.kind != core::ErrorKind::CredentialsUnavailable) {
    return core::Error{
        core::ErrorKind::UpstreamTimeout,
        "the route timeout passed before Lambda answered the call to '" + std::string(logical_name) + "'"};
  }
  return last;
}

std::variant<http::Response, core::Error> map_invoke_response(aws::InvokeResponse invoked,
                                                              const config::AwsDestinationSpec& spec,
                                                              std::string_view logical_name,
                                                              unsigned version) {
  if (!invoked.function_error.empty()) {
    // Only the error's type: its message and stack trace are the function's internals.
    const std::string type = function_error_type(invoked.payload);
    return core::Error{core::ErrorKind::FunctionError, "function '" + std::string(logical_name) + "' failed" +
                                                           (type.empty() ? "" : " with " + type)};
  }
  if (spec.invocation_style == config::InvocationStyle::Async) {
    http::Response response{bhttp::status::accepted, version};
    response.prepare_payload();
    return response;
  }
  auto mapped = map_function_output(std::move(invoked.payload), spec, version);
  if (auto* reason = std::get_if<std::string>(&mapped)) {
    return core::Error{core::ErrorKind::InvalidFunctionResponse,
                       "function '" + std::string(logical_name) + "' returned output that is not a valid " +
                           std::string(unwrap_format_name(spec)) + " response: " + *reason};
  }
  return std::move(std::get<http::Response>(mapped));
}

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
  UnwrapResult unwrapped = spec.unwrap_as_alb                     ? unwrap_alb(output)
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

namespace {

// What a stream's failure means: the function failed (InvokeComplete carried its error), the
// stream ran out of time, or Lambda or the connection broke it off.
core::ErrorKind stream_failure_kind(const aws::StreamEnd& end) {
  if (end.function_failed) return core::ErrorKind::FunctionError;
  if (end.error_code == "Timeout") return core::ErrorKind::UpstreamTimeout;
  return core::ErrorKind::UpstreamUnavailable;
}

// A stream that failed before anything was sent: still a proper error response.
core::Error stream_error(const aws::StreamEnd& end, std::string_view logical_name) {
  const std::string name(logical_name);
  switch (stream_failure_kind(end)) {
    case core::ErrorKind::UpstreamTimeout:
      return {core::ErrorKind::UpstreamTimeout,
              "the route timeout passed while streaming from '" + name + "'"};
    case core::ErrorKind::FunctionError: {
      // Only the error's type: ErrorDetails holds the function's message and stack trace.
      const std::string type = function_error_type(end.error_details);
      return {core::ErrorKind::FunctionError,
              "function '" + name + "' failed with " + (type.empty() ? end.error_code : type)};
    }
    default:
      return {core::ErrorKind::UpstreamUnavailable,
              "the response stream of '" + name + "' broke off (" + end.error_code + ")"};
  }
}

}  // namespace

StreamOutcome stream_outcome(const aws::StreamEnd& end, const RelayState& relay,
                             std::string_view logical_name) {
  using Action = StreamOutcome::Action;
  if (relay.started) {
    if (end.complete && !relay.client_gone) return {Action::Finish, {}, std::nullopt};
    // After the status line went out, a failure can only cut the response short: the client
    // sees a body without its last chunk, never a complete-looking one.
    const std::string_view code = relay.client_gone ? std::string_view("client_disconnected")
                                                    : core::to_string(stream_failure_kind(end));
    return {Action::Abort, code, std::nullopt};
  }
  // Nothing sent yet: the failure can still be a proper error response.
  const std::string name(logical_name);
  if (!relay.prelude_failure.empty()) {
    return {Action::Respond,
            {},
            core::Error{core::ErrorKind::InvalidFunctionResponse,
                        "function '" + name + "' streamed an invalid HTTP-integration prelude: " +
                            std::string(relay.prelude_failure)}};
  }
  if (!end.error_code.empty()) return {Action::Respond, {}, stream_error(end, logical_name)};
  if (relay.prelude_pending) {
    return {Action::Respond,
            {},
            core::Error{
                core::ErrorKind::InvalidFunctionResponse,
                "function '" + name + "' ended its stream before the end of its HTTP-integration prelude"}};
  }
  // A complete stream with no output at all: an empty 200.
  return {Action::Respond, {}, std::nullopt};
}

}  // namespace lambdagate::proxy
