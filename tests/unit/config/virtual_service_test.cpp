// gateway.solo.io/v1 VirtualService: domains, routes, matchers, actions and options.
#include <catch2/catch.hpp>

#include "config_test_support.hpp"

namespace lambdagate::config {
namespace {

using namespace std::chrono_literals;
using test::has_diagnostic;
using test::joined;
using test::lines;
using test::load_routes;
using test::load_with_base;

const VirtualService& only_vs(const LoadResult& result) { return result.config->virtual_services.at(0); }

// Everything a route can say that lambdagate implements, read into the model as written.
TEST_CASE("routes, matchers and Lambda destinations are read", "[config][virtual_service]") {
  const std::string yaml = R"(apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: api}
spec:
  displayName: the API
  virtualHost:
    domains: [API.Example.com, '*.example.org', 'example.net:8443']
    options: {timeout: 30s}
    routes:
    - name: users
      matchers:
      - exact: /users
        caseSensitive: false
        methods: [get, Post]
        headers:
        - {name: X-Tenant, value: acme}
        - {name: x-debug}
        - {name: X-Version, value: 'v[0-9]+', regex: true, invertMatch: true}
        queryParameters:
        - {name: page, value: '[0-9]+', regex: true}
        - {name: verbose}
      - regex: /users/[0-9]+
      routeAction:
        single:
          upstream: {name: lambda}
          destinationSpec:
            aws:
              logicalName: echo:live
              invocationStyle: ASYNC
              requestTransformation: true
              responseTransformation: true
      options: {timeout: 1.5s}
    - name: split
      matchers: []
      routeAction:
        multi:
          destinations:
          - destination:
              upstream: {name: lambda, namespace: default}
              destinationSpec: {aws: {logicalName: uppercase, wrapAsApiGateway: true, payloadFormatVersion: "2.0"}}
            weight: 90
          - destination:
              upstream: {name: lambda}
              destinationSpec: {aws: {logicalName: uppercase, unwrapAsAlb: true, responseStreaming: true}}
            weight: 10
    - directResponseAction: {status: 418, body: "short and stout"}
)";
  LoadResult result = load_with_base(yaml);
  INFO(joined(result));
  REQUIRE(result.ok());
  REQUIRE(result.diagnostics.empty());
  const VirtualService& vs = only_vs(result);
  CHECK(vs.domains == std::vector<std::string>{"api.example.com", "*.example.org", "example.net:8443"});
  CHECK(vs.options.timeout == 30s);
  REQUIRE(vs.routes.size() == 3);

  const Route& users = vs.routes[0];
  CHECK(users.name == "users");
  CHECK(users.where.file == "test.yaml");
  CHECK(users.where.line == 10);
  CHECK(users.options.timeout == 1500ms);
  REQUIRE(users.matchers.size() == 2);
  const Matcher& exact = users.matchers[0];
  CHECK(exact.kind == PathMatchKind::Exact);
  CHECK(exact.path == "/users");
  CHECK_FALSE(exact.case_sensitive);
  CHECK(exact.methods == std::vector<std::string>{"GET", "POST"});
  REQUIRE(exact.headers.size() == 3);
  CHECK(exact.headers[0].name == "x-tenant");
  CHECK(exact.headers[0].value == "acme");
  CHECK(exact.headers[1].value.empty());
  CHECK(exact.headers[2].regex);
  CHECK(exact.headers[2].invert_match);
  REQUIRE(exact.query_parameters.size() == 2);
  CHECK(exact.query_parameters[0].regex);
  CHECK(exact.query_parameters[1].name == "verbose");
  CHECK(users.matchers[1].kind == PathMatchKind::Regex);
  CHECK(users.matchers[1].path == "/users/[0-9]+");
  CHECK(users.matchers[1].case_sensitive);
  REQUIRE(users.route_action);
  const AwsDestinationSpec& aws = *users.route_action->destinations.at(0).aws;
  CHECK(aws.logical_name == "echo:live");
  CHECK(aws.invocation_style == InvocationStyle::Async);
  CHECK(aws.request_transformation);
  CHECK(aws.unwrap_as_api_gateway);  // responseTransformation is Gloo's old name for it
  CHECK(aws.payload_format_version == "1.0");

  const Route& split = vs.routes[1];
  REQUIRE(split.matchers.size() == 1);
  CHECK(split.matchers[0].kind == PathMatchKind::Prefix);
  CHECK(split.matchers[0].path == "/");
  REQUIRE(split.route_action);
  CHECK(split.route_action->multi);
  REQUIRE(split.route_action->destinations.size() == 2);
  CHECK(split.route_action->destinations[0].weight == 90);
  CHECK(split.route_action->destinations[0].upstream == ResourceRef{"lambda", "default"});
  CHECK(split.route_action->destinations[0].aws->wrap_as_api_gateway);
  CHECK(split.route_action->destinations[0].aws->payload_format_version == "2.0");
  CHECK(split.route_action->destinations[1].weight == 10);
  CHECK(split.route_action->destinations[1].aws->unwrap_as_alb);
  CHECK(split.route_action->destinations[1].aws->response_streaming);

  const Route& teapot = vs.routes[2];
  CHECK_FALSE(teapot.route_action);
  REQUIRE(teapot.direct_response);
  CHECK(teapot.direct_response->status == 418);
  CHECK(teapot.direct_response->body == "short and stout");
  CHECK(teapot.matchers.at(0).path == "/");
  CHECK(teapot.options.timeout == 30s);  // inherited from virtualHost.options at load
}

// Route mistakes, each reported at the line of the route, matcher or key at fault.
TEST_CASE("route errors are reported at their lines", "[config][virtual_service]") {
  const std::string single = "routeAction: {single: {upstream: {name: lambda}, destinationSpec: {aws: ";
  struct Case {
    std::string routes;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"    - matchers: [{prefix: /a, exact: /a}]\n      directResponseAction: {status: 200}\n",
       "test.yaml:9: error: 'spec.virtualHost.routes[0].matchers[0]' sets more than one of 'prefix', 'exact' "
       "and "
       "'regex'; use one per matcher"},
      {"    - matchers:\n      - regex: '/users/(['\n      directResponseAction: {status: 200}\n",
       "test.yaml:10: error: 'spec.virtualHost.routes[0].matchers[0].regex' is not a valid RE2 regular "
       "expression: "
       "missing ]: ["},
      {"    - matchers:\n      - headers:\n        - {name: x-id, value: '(a', regex: true}\n"
       "      directResponseAction: {status: 200}\n",
       "test.yaml:11: error: 'spec.virtualHost.routes[0].matchers[0].headers[0].value' is not a valid RE2 "
       "regular "
       "expression: missing ): (a"},
      {"    - matchers:\n      - queryParameters:\n        - name: q\n          value: '*x'\n          "
       "regex: true\n"
       "      directResponseAction: {status: 200}\n",
       "test.yaml:12: error: 'spec.virtualHost.routes[0].matchers[0].queryParameters[0].value' is not a "
       "valid RE2 "
       "regular expression: no argument for repetition operator: *"},
      {"    - matchers: [{headers: [{value: x}]}]\n      directResponseAction: {status: 200}\n",
       "test.yaml:9: error: 'spec.virtualHost.routes[0].matchers[0].headers[0].name' is required"},
      {"    - matchers: [{prefix: /}]\n",
       "test.yaml:9: error: route #1 has no action; set routeAction or "
       "directResponseAction"},
      {"    - name: both\n      directResponseAction: {status: 200}\n      routeAction: {single: {upstream: "
       "{name: "
       "lambda}}}\n",
       "test.yaml:9: error: route 'both' has more than one action (routeAction, directResponseAction); "
       "exactly one "
       "is allowed"},
      {"    - directResponseAction: {status: 200}\n    - directResponseAction: {status: 600}\n",
       "test.yaml:10: error: 'spec.virtualHost.routes[1].directResponseAction.status' must be an integer "
       "between 200 "
       "and 599, got '600'"},
      {"    - directResponseAction: {body: hi}\n",
       "test.yaml:9: error: 'spec.virtualHost.routes[0].directResponseAction.status' is required"},
      {"    - routeAction: {}\n",
       "test.yaml:9: error: 'spec.virtualHost.routes[0].routeAction' must set exactly one "
       "of 'single' and 'multi'"},
      {"    - routeAction: {single: {destinationSpec: {aws: {logicalName: uppercase}}}}\n",
       "test.yaml:9: error: 'spec.virtualHost.routes[0].routeAction.single.upstream' is required"},
      {"    - " + single + "{logicalName: uppercase, invocationStyle: sync}}}}\n",
       "test.yaml:9: error: "
       "'spec.virtualHost.routes[0].routeAction.single.destinationSpec.aws.invocationStyle' "
       "must be SYNC or ASYNC, got 'sync'"},
      {"    - " + single + "{logicalName: uppercase, payloadFormatVersion: '3.0'}}}}\n",
       "test.yaml:9: error: "
       "'spec.virtualHost.routes[0].routeAction.single.destinationSpec.aws.payloadFormatVersion' "
       "must be \"1.0\" or \"2.0\", got '3.0'"},
      {"    - " + single + "{logicalName: uppercase, unwrapAsAlb: true, unwrapAsApiGateway: true}}}}\n",
       "test.yaml:9: error: 'spec.virtualHost.routes[0].routeAction.single.destinationSpec.aws' sets both "
       "unwrapAsAlb and unwrapAsApiGateway (or responseTransformation); a response is unwrapped one way "
       "only"},
      {"    - " + single + "{logicalName: uppercase, unwrapAsAlb: true, responseTransformation: true}}}}\n",
       "test.yaml:9: error: 'spec.virtualHost.routes[0].routeAction.single.destinationSpec.aws' sets both "
       "unwrapAsAlb and unwrapAsApiGateway (or responseTransformation); a response is unwrapped one way "
       "only"},
      {"    - " + single + "{logicalName: uppercase, invocationStyle: ASYNC, responseStreaming: true}}}}\n",
       "test.yaml:9: error: 'spec.virtualHost.routes[0].routeAction.single.destinationSpec.aws' sets "
       "responseStreaming with invocationStyle ASYNC; an asynchronous invocation has no response to stream"},
      {"    - routeAction:\n        multi:\n          destinations: []\n",
       "test.yaml:11: error: 'spec.virtualHost.routes[0].routeAction.multi.destinations' must list at least "
       "one "
       "destination"},
      {"    - routeAction:\n        multi:\n          destinations:\n          - {destination: {upstream: "
       "{name: "
       "lambda}}, weight: 0}\n",
       "test.yaml:11: error: 'spec.virtualHost.routes[0].routeAction.multi.destinations' weights add up to "
       "0; at "
       "least one must be positive"},
      {"    - routeAction:\n        multi:\n          destinations:\n          - {weight: 1}\n",
       "test.yaml:12: error: 'spec.virtualHost.routes[0].routeAction.multi.destinations[0].destination' is "
       "required"},
      {"    - routeAction: {single: {kube: {ref: {name: svc}, port: 80}}}\n",
       "test.yaml:9: error: 'spec.virtualHost.routes[0].routeAction.single.kube' is not supported: "
       "lambdagate routes "
       "only to AWS Upstreams"},
      {"    - matchers: [{connectMatcher: {}}]\n      directResponseAction: {status: 200}\n",
       "test.yaml:9: error: 'spec.virtualHost.routes[0].matchers[0].connectMatcher' is not supported: "
       "lambdagate "
       "does not proxy CONNECT requests"},
      {"    - matchers: [{exact: ''}]\n      directResponseAction: {status: 200}\n",
       "test.yaml:9: error: 'spec.virtualHost.routes[0].matchers[0].exact' must not be empty"},
  };
  for (const Case& c : cases) {
    LoadResult result = load_routes(c.routes);
    INFO(c.routes << "\n" << joined(result));
    CHECK_FALSE(result.ok());
    CHECK(has_diagnostic(result, c.expected));
  }
}

// Virtual host mistakes: bad wildcard domains and a missing virtualHost.
TEST_CASE("virtual host errors are reported at their lines", "[config][virtual_service]") {
  struct Case {
    std::string yaml;
    std::string expected;
  };
  const std::string head =
      "apiVersion: gateway.solo.io/v1\nkind: VirtualService\nmetadata: {name: vs}\nspec:\n";
  const std::string routes = "    routes: [{directResponseAction: {status: 200}}]\n";
  const std::vector<Case> cases = {
      {head + "  virtualHost:\n    domains: ['a.*.com']\n" + routes,
       "t.yaml:6: error: 'spec.virtualHost.domains' has an invalid domain 'a.*.com': use an exact name, '*', "
       "or one "
       "'*' at the start or end"},
      {head + "  virtualHost:\n    domains: ['*.*']\n" + routes,
       "t.yaml:6: error: 'spec.virtualHost.domains' has an invalid domain '*.*': use an exact name, '*', or "
       "one '*' "
       "at the start or end"},
      {head + "  virtualHost:\n    domains: ['']\n" + routes,
       "t.yaml:6: error: 'spec.virtualHost.domains' has an invalid domain '': use an exact name, '*', or one "
       "'*' at "
       "the start or end"},
      {head + "  displayName: x\n", "t.yaml:4: error: 'spec.virtualHost' is required"},
  };
  for (const Case& c : cases) {
    LoadResult result = test::load_one("t.yaml", c.yaml);
    INFO(c.yaml << "\n" << joined(result));
    CHECK_FALSE(result.ok());
    CHECK(has_diagnostic(result, c.expected));
  }
}

// Gloo features that come in later changes are warnings with their line. A route whose whole
// action is not implemented answers 404 (as Gloo's replaceInvalidRoutes would) rather than
// vanishing and letting its requests reach a later route.
TEST_CASE("unimplemented Gloo route features are warnings", "[config][virtual_service]") {
  const std::string routes = R"(    - redirectAction: {hostRedirect: example.com}
    - routeAction: {upstreamGroup: {name: group}}
    - inheritableMatchers: true
      options:
        faults: {abort: {percentage: 50}}
        timeout: 20s
        timout: 5s
      routeAction:
        single:
          upstream: {name: lambda}
          destinationSpec: {aws: {logicalName: uppercase}, rest: {}}
          subset: {values: {}}
)";
  LoadResult result = load_routes(routes);
  INFO(joined(result));
  REQUIRE(result.ok());
  const std::string p = "'spec.virtualHost.routes";
  CHECK(
      lines(result) ==
      std::vector<std::string>{
          "test.yaml:10: warning: " + p +
              "[1].routeAction.upstreamGroup' is not supported yet; route #2 answers 404 "
              "until it is",
          "test.yaml:13: warning: " + p + "[2].options.faults' is ignored: fault injection is not supported",
          "test.yaml:15: warning: unknown field 'timout' in 'spec.virtualHost.routes[2].options'",
          "test.yaml:19: warning: " + p +
              "[2].routeAction.single.destinationSpec.rest' is ignored: not an AWS destination; lambdagate "
              "invokes Lambda only",
          "test.yaml:20: warning: " + p +
              "[2].routeAction.single.subset' is ignored: a Lambda Upstream has one endpoint: nothing to "
              "subset",
      });
  const VirtualService& vs = only_vs(result);
  REQUIRE(vs.routes.size() == 3);
  // A redirect is parsed and served as such (no placeholder answer); the unsupported action
  // answers 404 rather than letting its requests fall through to a later route.
  REQUIRE(vs.routes[0].redirect_action);
  CHECK(vs.routes[0].redirect_action->host_redirect == "example.com");
  CHECK_FALSE(vs.routes[0].direct_response);
  CHECK_FALSE(vs.routes[0].route_action);
  REQUIRE(vs.routes[1].direct_response);
  CHECK(vs.routes[1].direct_response->status == 404);
  CHECK_FALSE(vs.routes[1].route_action);
  CHECK(vs.routes[2].inheritable_matchers == true);
  CHECK(vs.routes[2].options.timeout == 20s);
  CHECK(vs.routes[2].route_action);
}

// sslConfig is read; its Secret must exist, and without Gateway documents an implicit ssl Gateway
// serves it.
TEST_CASE("sslConfig is read and its Secret checked", "[config][virtual_service]") {
  const std::string yaml =
      "apiVersion: gateway.solo.io/v1\nkind: VirtualService\nmetadata: {name: vs}\nspec:\n"
      "  sslConfig: {secretRef: {name: tls}}\n  virtualHost:\n"
      "    routes: [{directResponseAction: {status: 200}}]\n";
  LoadResult result = test::load_one("t.yaml", yaml);
  CHECK_FALSE(result.ok());
  CHECK(lines(result) ==
        std::vector<std::string>{
            "t.yaml:5: error: VirtualService default/vs: sslConfig.secretRef default/tls not found",
            "t.yaml:5: info: no Gateway document: the VirtualServices with sslConfig are served by an "
            "implicit ssl "
            "Gateway on 0.0.0.0:8443 (Gloo's Helm default gateway-proxy-ssl)",
        });
}

// A VirtualService without routes is ignored, as Gloo does, and a prefix without a leading
// slash gets a warning because it can never match.
TEST_CASE("empty VirtualServices and slash-less paths are warnings", "[config][virtual_service]") {
  LoadResult empty = test::load_one("t.yaml",
                                    "apiVersion: gateway.solo.io/v1\nkind: VirtualService\n"
                                    "metadata: {name: vs}\nspec:\n  virtualHost: {domains: [a.com]}\n");
  CHECK(empty.ok());
  CHECK(empty.config->virtual_services.empty());
  CHECK(lines(empty) ==
        std::vector<std::string>{"t.yaml:1: warning: VirtualService default/vs has no routes, ignored"});

  LoadResult slashless =
      load_routes("    - matchers: [{prefix: api}]\n      directResponseAction: {status: 200}\n");
  CHECK(slashless.ok());
  CHECK(lines(slashless) ==
        std::vector<std::string>{"test.yaml:9: warning: 'spec.virtualHost.routes[0].matchers[0]."
                                 "prefix' 'api' does not start with '/' and never matches"});
}

// Route and virtual-host timeouts: protobuf Duration strings ("15s", "0.5s") and Go durations
// ("500ms", "1h30m"); zero disables the timeout; anything else is an error at the timeout's line.
TEST_CASE("timeouts are parsed as durations", "[config][virtual_service][duration]") {
  struct Valid {
    std::string text;
    std::chrono::milliseconds expected;
  };
  const std::vector<Valid> valid = {
      {"15s", 15s},
      {"\"15s\"", 15s},
      {"0.5s", 500ms},
      {"1.5s", 1500ms},
      {".25s", 250ms},
      {"500ms", 500ms},
      {"2m", 120s},
      {"1.5m", 90s},
      {"0s", 0ms},
      {"0", 0ms},
      {"0.0s", 0ms},
      {"0.0001s", 1ms},
      {"1.000000001s", 1001ms},
      {"86400s", 86400s},
      {"15h", 15h},
      {"1h30m", 90min},
      {"2m45.5s", 165500ms},
      {"1.5h", 90min},
      {"1h0m0s", 1h},
      {"250us", 1ms},
      {"250\xC2\xB5s", 1ms},
      {"1500000ns", 2ms},
      {"1s500ms", 1500ms},
  };
  for (const Valid& c : valid) {
    LoadResult result =
        load_routes("    - directResponseAction: {status: 200}\n      options: {timeout: " + c.text + "}\n");
    INFO(c.text << "\n" << joined(result));
    REQUIRE(result.ok());
    CHECK(result.diagnostics.empty());
    CHECK(only_vs(result).routes.at(0).options.timeout == c.expected);
  }

  struct Invalid {
    std::string text;
    std::string reason;
  };
  const std::vector<Invalid> invalid = {
      {"-1s", "it must not be negative, got '-1s'"},
      {"15",
       "the unit is missing; expected a number with a unit such as \"15s\", \"0.5s\", \"500ms\", \"2m\" or "
       "\"1h30m\", "
       "got "
       "'15'"},
      {"1d",
       "unknown unit 'd'; expected a number with a unit such as \"15s\", \"0.5s\", \"500ms\", \"2m\" or "
       "\"1h30m\", got "
       "'1d'"},
      {"1h30",
       "the unit is missing; expected a number with a unit such as \"15s\", \"0.5s\", \"500ms\", \"2m\" or "
       "\"1h30m\", "
       "got '1h30'"},
      {"soon",
       "expected a number with a unit such as \"15s\", \"0.5s\", \"500ms\", \"2m\" or \"1h30m\", got 'soon'"},
      {"1.2.3s",
       "the unit is missing; expected a number with a unit such as \"15s\", \"0.5s\", \"500ms\", \"2m\" or "
       "\"1h30m\", "
       "got '1.2.3s'"},
      {"''",
       "it is empty; expected a number with a unit such as \"15s\", \"0.5s\", \"500ms\", \"2m\" or "
       "\"1h30m\", got ''"},
      {"99999999999999s", "it is too large, got '99999999999999s'"},
      {"0.1234567890s", "at most 9 fractional digits are allowed, got '0.1234567890s'"},
  };
  for (const Invalid& c : invalid) {
    LoadResult result = load_routes(
        "    - directResponseAction: {status: 200}\n      options:\n        timeout: " + c.text + "\n");
    INFO(c.text << "\n" << joined(result));
    CHECK_FALSE(result.ok());
    CHECK(lines(result) ==
          std::vector<std::string>{"test.yaml:11: error: 'spec.virtualHost.routes[0].options.timeout' "
                                   "must be a duration: " +
                                   c.reason});
  }

  LoadResult host = load_with_base(
      "apiVersion: gateway.solo.io/v1\nkind: VirtualService\nmetadata: {name: vs}\n"
      "spec:\n  virtualHost:\n    options: {timeout: 0}\n"
      "    routes: [{directResponseAction: {status: 200}}]\n");
  REQUIRE(host.ok());
  CHECK(only_vs(host).options.timeout == 0ms);
}

}  // namespace
}  // namespace lambdagate::config
