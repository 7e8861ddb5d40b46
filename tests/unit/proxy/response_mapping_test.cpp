// Response mapping as tables: the JSON error body, the error a failed call comes to, a buffered
// answer as the client's response, and what each way a response stream can end means for the
// client. (The whole pipeline, with these in place, is gateway_test.cpp's.)
#include "lambdagate/proxy/response_mapping.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using namespace lambdagate;
namespace bhttp = boost::beast::http;
using proxy::RelayState;
using proxy::StreamOutcome;

}  // namespace

// Every error of the gateway has one JSON shape, the request id in body and header, and a throttle
// says when to come back (Lambda's Retry-After rounded up to whole seconds, else 1 s).
TEST_CASE("make_error_response: the JSON error body", "[proxy][mapping]") {
  const auto r = proxy::make_error_response({core::ErrorKind::RouteNotFound, "no route"}, "id-1", 11);
  CHECK(r.result_int() == 404);
  CHECK(r[bhttp::field::content_type] == "application/json");
  CHECK(r["x-request-id"] == "id-1");
  const auto body = nlohmann::json::parse(r.body());
  CHECK(body == nlohmann::json{{"code", "route_not_found"}, {"message", "no route"}, {"requestId", "id-1"}});
  CHECK(r.find(bhttp::field::retry_after) == r.end());

  core::Error throttled{core::ErrorKind::LambdaThrottled, "slow down"};
  CHECK(proxy::make_error_response(throttled, "id", 11)[bhttp::field::retry_after] == "1");
  throttled.retry_after = 2500ms;
  CHECK(proxy::make_error_response(throttled, "id", 11)[bhttp::field::retry_after] == "3");
}

// A route deadline that passed during the attempts makes any failure a timeout, except missing
// credentials (a longer wait would not have produced them).
TEST_CASE("call_failure: a passed route deadline is a timeout", "[proxy][mapping]") {
  const core::Error unavailable{core::ErrorKind::UpstreamUnavailable, "reset"};
  const core::Error no_credentials{core::ErrorKind::CredentialsUnavailable, "none"};
  CHECK(proxy::call_failure(unavailable, false, "fn").kind == core::ErrorKind::UpstreamUnavailable);
  const auto timeout = proxy::call_failure(unavailable, true, "fn");
  CHECK(timeout.kind == core::ErrorKind::UpstreamTimeout);
  CHECK_THAT(timeout.message, Catch::Contains("'fn'"));
  CHECK(proxy::call_failure(no_credentials, true, "fn").kind == core::ErrorKind::CredentialsUnavailable);
}

// A buffered answer: a function error names its type only; Event is 202 without a body; output
// that does not unwrap is a 502 naming the format.
TEST_CASE("map_invoke_response: a buffered answer as the client's response", "[proxy][mapping]") {
  config::AwsDestinationSpec plain;
  aws::InvokeResponse failed;
  failed.function_error = "Unhandled";
  failed.payload = R"({"errorType":"DbError","errorMessage":"secret"})";
  auto error = std::get<core::Error>(proxy::map_invoke_response(failed, plain, "fn", 11));
  CHECK(error.kind == core::ErrorKind::FunctionError);
  CHECK(error.message == "function 'fn' failed with DbError");

  config::AwsDestinationSpec async;
  async.invocation_style = config::InvocationStyle::Async;
  aws::InvokeResponse accepted;
  accepted.status = 202;
  const auto response = std::get<http::Response>(proxy::map_invoke_response(accepted, async, "fn", 11));
  CHECK(response.result_int() == 202);
  CHECK(response.body().empty());

  config::AwsDestinationSpec unwrap;
  unwrap.unwrap_as_alb = true;
  aws::InvokeResponse not_json;
  not_json.payload = "Task timed out";
  error = std::get<core::Error>(proxy::map_invoke_response(not_json, unwrap, "fn", 11));
  CHECK(error.kind == core::ErrorKind::InvalidFunctionResponse);
  CHECK_THAT(error.message,
             Catch::StartsWith("function 'fn' returned output that is not a valid ALB response: "));
}

// How each way a stream can end reaches the client: finished, cut short once the head is out, or
// (nothing sent yet) an ordinary response, an error one or an empty 200.
TEST_CASE("stream_outcome: what the end of a stream means for the client", "[proxy][mapping]") {
  using Action = StreamOutcome::Action;
  struct Case {
    const char* name;
    aws::StreamEnd end;
    RelayState relay;
    Action action;
    std::string code;  // Abort: the log's code; Respond: the error's code ("" for the empty 200)
  };
  aws::StreamEnd complete;
  complete.complete = true;
  aws::StreamEnd function_failed;
  function_failed.function_failed = true;
  function_failed.error_code = "Unhandled";
  function_failed.error_details = R"({"errorType":"E"})";
  aws::StreamEnd timed_out;
  timed_out.error_code = "Timeout";
  aws::StreamEnd broken;
  broken.error_code = "StreamInterrupted";
  aws::StreamEnd ended_early;  // no InvokeComplete, no error code
  const RelayState started{true, false, "", false};
  const RelayState gone{true, true, "", false};
  const RelayState nothing_sent{};
  const RelayState bad_prelude{false, false, "statusCode is not a number", false};
  const RelayState pending_prelude{false, false, "", true};
  const std::vector<Case> cases = {
      {"complete, all relayed", complete, started, Action::Finish, ""},
      {"complete, but the client went away", complete, gone, Action::Abort, "client_disconnected"},
      {"the function failed after the head", function_failed, started, Action::Abort, "function_error"},
      {"timed out after the head", timed_out, started, Action::Abort, "upstream_timeout"},
      {"broke off after the head", broken, started, Action::Abort, "upstream_unavailable"},
      {"ended without InvokeComplete after the head", ended_early, started, Action::Abort,
       "upstream_unavailable"},
      {"the function failed before any output", function_failed, nothing_sent, Action::Respond,
       "function_error"},
      {"timed out before any output", timed_out, nothing_sent, Action::Respond, "upstream_timeout"},
      {"broke off before any output", broken, nothing_sent, Action::Respond, "upstream_unavailable"},
      {"an invalid prelude", complete, bad_prelude, Action::Respond, "invalid_function_response"},
      {"ended inside the prelude", complete, pending_prelude, Action::Respond, "invalid_function_response"},
      {"complete with no output at all", complete, nothing_sent, Action::Respond, ""},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const StreamOutcome outcome = proxy::stream_outcome(c.end, c.relay, "fn");
    CHECK(outcome.action == c.action);
    if (c.action == Action::Abort) CHECK(outcome.abort_code == c.code);
    if (c.action == Action::Respond) {
      CHECK(outcome.error.has_value() == !c.code.empty());
      if (outcome.error) CHECK(core::to_string(outcome.error->kind) == c.code);
    }
  }
}
