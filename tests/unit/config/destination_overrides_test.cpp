// An Upstream's spec.aws.destinationOverrides, merged at load into the destinations of every
// route that targets the Upstream (gloo.md §1: mergo.Merge without override).
#include <catch2/catch.hpp>

#include "config_test_support.hpp"

namespace lambdagate::config {
namespace {

using test::joined;
using test::lines;

// Upstream `lambda` (functions uppercase and echo:live) with destinationOverrides at u.yaml:10,
// and Upstream `plain` (function uppercase) without.
std::string upstreams(const std::string& overrides) {
  return R"(apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {name: lambda, labels: {discovery.solo.io/function_discovery: disabled}}
spec:
  aws:
    region: eu-west-1
    lambdaFunctions:
    - {lambdaFunctionName: uppercase}
    - {lambdaFunctionName: echo, qualifier: live}
    destinationOverrides: )" +
         overrides + R"(
---
apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {name: plain}
spec:
  aws:
    region: eu-west-1
    lambdaFunctions: [{lambdaFunctionName: uppercase}]
)";
}

// A route `r` at test.yaml:9 to Upstream `lambda`, with this destinationSpec.aws (none if empty).
std::string route_to_lambda(const std::string& aws) {
  return test::kVirtualServiceHead + "    - name: r\n      routeAction: {single: {upstream: {name: lambda}" +
         (aws.empty() ? "" : ", destinationSpec: {aws: " + aws + "}") + "}}\n";
}

LoadResult load_overrides(const std::string& overrides, const std::string& vs) {
  return load_config_from_strings({{"u.yaml", upstreams(overrides)}, {"test.yaml", vs}});
}

struct Expected {
  std::string logical_name;
  InvocationStyle style = InvocationStyle::Sync;
  bool request_transformation = false;
  bool wrap_as_api_gateway = false;
  bool unwrap_as_api_gateway = false;
  bool unwrap_as_alb = false;
  std::string payload_format_version = "1.0";
  bool response_streaming = false;
};

void check_spec(const AwsDestinationSpec& spec, const Expected& e) {
  CHECK(spec.logical_name == e.logical_name);
  CHECK(spec.invocation_style == e.style);
  CHECK(spec.request_transformation == e.request_transformation);
  CHECK(spec.wrap_as_api_gateway == e.wrap_as_api_gateway);
  CHECK(spec.unwrap_as_api_gateway == e.unwrap_as_api_gateway);
  CHECK(spec.unwrap_as_alb == e.unwrap_as_alb);
  CHECK(spec.payload_format_version == e.payload_format_version);
  CHECK(spec.response_streaming == e.response_streaming);
}

// Overrides fill only what the route leaves at its zero value: an empty logicalName, SYNC (the
// enum's zero, so an ASYNC override wins even over a written SYNC, as in Gloo), false booleans
// (so they end up OR-ed) and a payloadFormatVersion the route does not write. A route without
// destinationSpec gets the overrides whole.
TEST_CASE("destinationOverrides fill the fields a route leaves unset", "[config][upstream][overrides]") {
  struct Case {
    std::string overrides;
    std::string route;
    Expected expected;
  };
  const std::vector<Case> cases = {
      {"{logicalName: uppercase, unwrapAsApiGateway: true}",
       "",
       {"uppercase", InvocationStyle::Sync, false, false, true}},
      {"{logicalName: uppercase}", "{logicalName: echo:live}", {"echo:live"}},
      {"{logicalName: uppercase, invocationStyle: ASYNC}",
       "{logicalName: echo:live, invocationStyle: SYNC}",
       {"echo:live", InvocationStyle::Async}},
      {"{logicalName: uppercase, invocationStyle: SYNC}",
       "{invocationStyle: ASYNC}",
       {"uppercase", InvocationStyle::Async}},
      {"{logicalName: uppercase, payloadFormatVersion: '2.0', wrapAsApiGateway: true}",
       "{payloadFormatVersion: '1.0'}",
       {"uppercase", InvocationStyle::Sync, false, true, false, false, "1.0"}},
      {"{logicalName: uppercase, payloadFormatVersion: '2.0'}",
       "{}",
       {"uppercase", InvocationStyle::Sync, false, false, false, false, "2.0"}},
      {"{logicalName: uppercase, requestTransformation: true, responseStreaming: true}",
       "{requestTransformation: false, responseStreaming: false}",
       {"uppercase", InvocationStyle::Sync, true, false, false, false, "1.0", true}},
      {"{logicalName: uppercase, responseTransformation: true}",
       "",
       {"uppercase", InvocationStyle::Sync, false, false, true}},
      {"{logicalName: uppercase}",
       "{unwrapAsAlb: true}",
       {"uppercase", InvocationStyle::Sync, false, false, false, true}},
      {"{}", "{logicalName: uppercase}", {"uppercase"}},
  };
  for (const Case& c : cases) {
    LoadResult result = load_overrides(c.overrides, route_to_lambda(c.route));
    INFO(c.overrides << " over " << c.route << "\n" << joined(result));
    REQUIRE(result.ok());
    CHECK(result.diagnostics.empty());
    const Destination& destination =
        result.config->virtual_services.at(0).routes.at(0).route_action->destinations.at(0);
    REQUIRE(destination.aws);
    check_spec(*destination.aws, c.expected);
  }
}

// The merged destination is checked again, since each half can be fine alone and contradict
// the other; the function check uses the merged logicalName. Bad overrides are errors at their
// own line.
TEST_CASE("destinationOverrides errors", "[config][upstream][overrides]") {
  struct Case {
    std::string overrides;
    std::string route;
    std::string expected;
  };
  const std::string merged =
      "test.yaml:9: error: route 'r': with the destinationOverrides of upstream default/lambda, "
      "the destination sets ";
  const std::vector<Case> cases = {
      {"{unwrapAsApiGateway: true}", "{logicalName: uppercase, unwrapAsAlb: true}",
       merged +
           "both unwrapAsAlb and unwrapAsApiGateway (or responseTransformation); a response is unwrapped one "
           "way only"},
      {"{invocationStyle: ASYNC}", "{logicalName: uppercase, responseStreaming: true}",
       merged + "responseStreaming with invocationStyle ASYNC; an asynchronous invocation has no response to "
                "stream"},
      {"{logicalName: nope}", "",
       "test.yaml:9: error: route 'r': upstream default/lambda has no function with logicalName 'nope' "
       "(known: "
       "uppercase, echo:live)"},
      {"{invocationStyle: async}", "{logicalName: uppercase}",
       "u.yaml:10: error: 'spec.aws.destinationOverrides.invocationStyle' must be SYNC or ASYNC, got "
       "'async'"},
      {"{unwrapAsAlb: true, unwrapAsApiGateway: true}", "{logicalName: uppercase}",
       "u.yaml:10: error: 'spec.aws.destinationOverrides' sets both unwrapAsAlb and unwrapAsApiGateway (or "
       "responseTransformation); a response is unwrapped one way only"},
      {"{payloadFormatVersion: '3.0'}", "{logicalName: uppercase}",
       "u.yaml:10: error: 'spec.aws.destinationOverrides.payloadFormatVersion' must be \"1.0\" or \"2.0\", "
       "got "
       "'3.0'"},
      {"unwrap", "{logicalName: uppercase}",
       "u.yaml:10: error: 'spec.aws.destinationOverrides' must be a mapping, got a scalar"},
  };
  for (const Case& c : cases) {
    LoadResult result = load_overrides(c.overrides, route_to_lambda(c.route));
    INFO(c.overrides << " over " << c.route << "\n" << joined(result));
    CHECK_FALSE(result.ok());
    CHECK(lines(result) == std::vector<std::string>{c.expected});
  }
}

// Only destinations to the Upstream with overrides are touched (in routeAction.multi too), the
// routes of RouteTables are merged as well, and the Upstream keeps its overrides for display.
TEST_CASE("destinationOverrides apply per destination and to RouteTable routes",
          "[config][upstream][overrides]") {
  const std::string vs = test::kVirtualServiceHead + R"(    - name: split
      routeAction:
        multi:
          destinations:
          - destination: {upstream: {name: lambda}}
          - destination: {upstream: {name: plain}, destinationSpec: {aws: {logicalName: uppercase}}}
    - name: delegated
      matchers: [{prefix: /rt}]
      delegateAction: {ref: {name: rt}}
)";
  const std::string rt =
      "apiVersion: gateway.solo.io/v1\nkind: RouteTable\nmetadata: {name: rt}\nspec:\n  routes:\n"
      "  - {name: child, matchers: [{prefix: /rt/x}], routeAction: {single: {upstream: {name: lambda}}}}\n";
  LoadResult result =
      load_config_from_strings({{"u.yaml", upstreams("{logicalName: echo:live, invocationStyle: ASYNC}")},
                                {"test.yaml", vs},
                                {"rt.yaml", rt}});
  INFO(joined(result));
  REQUIRE(result.ok());
  CHECK(result.diagnostics.empty());
  const auto& routes = result.config->virtual_services.at(0).routes;
  REQUIRE(routes.size() == 2);
  const auto& split = routes[0].route_action->destinations;
  check_spec(*split.at(0).aws, {"echo:live", InvocationStyle::Async});
  check_spec(*split.at(1).aws, {"uppercase"});
  REQUIRE(routes[1].name == "child");
  check_spec(*routes[1].route_action->destinations.at(0).aws, {"echo:live", InvocationStyle::Async});
  check_spec(*result.config->route_tables.at(0).routes.at(0).route_action->destinations.at(0).aws,
             {"echo:live", InvocationStyle::Async});

  const Upstream* lambda = result.config->find_upstream({"lambda", "default"});
  REQUIRE(lambda);
  REQUIRE(lambda->aws.destination_overrides);
  check_spec(*lambda->aws.destination_overrides, {"echo:live", InvocationStyle::Async});
  CHECK_FALSE(result.config->find_upstream({"plain", "default"})->aws.destination_overrides);
}

}  // namespace
}  // namespace lambdagate::config
