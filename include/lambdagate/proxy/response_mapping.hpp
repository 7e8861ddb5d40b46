#pragma once
// Response mapping (DESIGN.md §4): what the client gets for what Lambda said. One place for the
// JSON error body, the error a failed call amounts to, a function's buffered output as a
// response, and what the end of a response stream means for the client. Pure: values in, values
// out; the gateway does the I/O.
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "lambdagate/aws/lambda_client.hpp"
#include "lambdagate/config/model.hpp"
#include "lambdagate/core/error.hpp"
#include "lambdagate/http/server.hpp"

namespace lambdagate::proxy {

// The JSON error body of DESIGN.md §4 ({"code", "message", "requestId"}), with x-request-id and
// content-type set, and Retry-After on a throttle (the upstream's, else 1 s, in whole seconds).
http::Response make_error_response(const core::Error& error, std::string_view request_id, unsigned version);

// options.headerManipulation's response side, on every answer of the route.
void manipulate_response_headers(http::Response& response, const config::RouteOptions& options);

// errorType from a function error payload, without the message or stack trace ("" when none).
std::string function_error_type(std::string_view payload);

// The error a call that failed before Lambda produced any output comes to: what the last attempt
// said, except that a route deadline that passed during the attempts makes it a timeout
// (missing credentials stay what they are: waiting longer would not have helped).
core::Error call_failure(const core::Error& last, bool route_deadline_passed, std::string_view logical_name);

// A buffered Invoke's answer as the client's response: a function error is a 502 naming its
// errorType only; an Event invocation is a 202 without a body; otherwise the output, as it is or
// unwrapped per the route (malformed output is a 502 invalid_function_response).
std::variant<http::Response, core::Error> map_invoke_response(aws::InvokeResponse invoked,
                                                              const config::AwsDestinationSpec& spec,
                                                              std::string_view logical_name,
                                                              unsigned version);

// The function's output as the client's response, per the route's unwrap options; the reason
// when the output does not fit the format.
std::variant<http::Response, std::string> map_function_output(std::string output,
                                                              const config::AwsDestinationSpec& spec,
                                                              unsigned version);

// "API Gateway 1.0", "API Gateway 2.0" or "ALB": the format a route unwraps, for messages.
std::string_view unwrap_format_name(const config::AwsDestinationSpec& spec);

// What the relay saw of a stream Lambda accepted.
struct RelayState {
  bool started = false;              // the head went to the client
  bool client_gone = false;          // a write to the client failed
  std::string_view prelude_failure;  // why the HTTP-integration prelude is invalid ("" when it is not)
  bool prelude_pending = false;      // the prelude had not completed when the stream ended
};

// What the end of a response stream means for the client.
struct StreamOutcome {
  enum class Action {
    Finish,   // send the last chunk: the response is complete
    Abort,    // cut the response short (no last chunk), so it cannot pass for complete
    Respond,  // nothing went out yet: answer with `error`, or an empty 200 when there is none
  } action = Action::Respond;
  std::string_view abort_code;  // Abort: the access log's error code
  std::optional<core::Error> error;
};
StreamOutcome stream_outcome(const aws::StreamEnd& end, const RelayState& relay,
                             std::string_view logical_name);

}  // namespace lambdagate::proxy
