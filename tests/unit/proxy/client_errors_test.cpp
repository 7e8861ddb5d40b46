// client_facing: what a client is told when the call to a function fails names the route and the
// logical function (and Lambda's error type) only — never the ARN, the account id, the Upstream,
// the endpoint or the TLS reason the detailed message carries for the log (issue 12).
#include "lambdagate/proxy/client_errors.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace lambdagate;

namespace {
const std::string kArnCall = "'arn:aws:lambda:us-east-1:123456789012:function:orders-prod'";
}

// Every kind whose detailed message can carry internals is rewritten: the client's message has
// the route and logical name, keeps the kind, status, transport and Retry-After, and loses
// every internal name.
TEST_CASE("client errors: route and logical function only", "[proxy][client-errors]") {
  struct Case {
    core::ErrorKind kind;
    std::string detail;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {core::ErrorKind::UpstreamUnavailable,
       "could not reach Lambda for the call to " + kArnCall +
           ": TLS failed (TLS handshake with lambda.us-east-1.amazonaws.com:443: certificate verify failed)",
       "Lambda is unavailable for the call to function 'orders' (route 'shop/api/0')"},
      {core::ErrorKind::UpstreamTimeout, "Lambda did not answer the call to " + kArnCall + " in time",
       "Lambda did not answer the call to function 'orders' (route 'shop/api/0') in time"},
      {core::ErrorKind::LambdaThrottled, "Lambda throttled the call to " + kArnCall + ": HTTP 429",
       "Lambda throttled the call to function 'orders' (route 'shop/api/0')"},
      {core::ErrorKind::LambdaRejected,
       "upstream gloo-system/aws-prod has no function with logicalName 'orders'",
       "Lambda rejected the call to function 'orders' (route 'shop/api/0')"},
      {core::ErrorKind::CredentialsUnavailable, "no usable AWS credentials for the call to " + kArnCall,
       "no AWS credentials are available for the call to function 'orders' (route 'shop/api/0')"},
      {core::ErrorKind::InvalidPayload, "Lambda rejected the payload for " + kArnCall,
       "Lambda rejected the payload for function 'orders' (route 'shop/api/0')"},
      {core::ErrorKind::PayloadTooLarge, "the payload is too large for " + kArnCall + ": HTTP 413",
       "the payload is too large for function 'orders' (route 'shop/api/0')"},
  };
  for (const auto& c : cases) {
    INFO(c.detail);
    core::Error detailed{c.kind, c.detail};
    detailed.upstream_status = 503;
    detailed.transport = core::TransportFailure::Reset;
    detailed.retry_after = std::chrono::milliseconds(2000);
    const core::Error client = proxy::client_facing(detailed, "shop/api/0", "orders");
    CHECK(client.message == c.expected);
    CHECK(client.kind == c.kind);
    CHECK(client.upstream_status == 503);
    CHECK(client.transport == core::TransportFailure::Reset);
    CHECK(client.retry_after == std::chrono::milliseconds(2000));
    for (const char* internal : {"arn:", "123456789012", "gloo-system", "aws-prod", "amazonaws", "certificate"}) {
      CHECK(client.message.find(internal) == std::string::npos);
    }
  }
}

// Lambda's error type is the client's to know (DESIGN.md §4); a missing route or function name
// leaves the other.
TEST_CASE("client errors: Lambda's error type, and partial names", "[proxy][client-errors]") {
  core::Error rejected{core::ErrorKind::LambdaRejected, "Lambda rejected the call to " + kArnCall};
  rejected.upstream_error_type = "ResourceNotFoundException";
  CHECK(proxy::client_facing(rejected, "r", "orders").message ==
        "Lambda rejected the call to function 'orders' (route 'r'): ResourceNotFoundException");
  CHECK(proxy::client_facing(rejected, "r", "").message ==
        "Lambda rejected the call to route 'r': ResourceNotFoundException");
  CHECK(proxy::client_facing(rejected, "", "orders").message ==
        "Lambda rejected the call to function 'orders': ResourceNotFoundException");
}

// Kinds whose messages are built for the client already (the function's own error type, bad
// requests, policies) pass through unchanged.
TEST_CASE("client errors: other kinds unchanged", "[proxy][client-errors]") {
  for (const auto kind : {core::ErrorKind::FunctionError, core::ErrorKind::InvalidFunctionResponse,
                          core::ErrorKind::RouteNotFound, core::ErrorKind::BadRequest,
                          core::ErrorKind::RateLimited, core::ErrorKind::Unauthorized}) {
    const core::Error error{kind, "function 'orders' failed with DbError"};
    CHECK(proxy::client_facing(error, "r", "orders").message == error.message);
    CHECK_FALSE(proxy::has_internal_detail(kind));
  }
}
