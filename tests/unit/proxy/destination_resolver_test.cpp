// resolve_destination as tables: for each request, the route, Upstream and function it resolves
// to, the Invoke request it builds (function name, qualifier, invocation type, payload, extra
// headers, streaming, route timeout), or the error it ends in, with what was resolved until then.
// Pure: no I/O, no clock (the time is passed in), a seeded random source.
#include "lambdagate/proxy/destination_resolver.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "fakes/fake_env.hpp"
#include "fakes/fake_http_client.hpp"
#include "lambdagate/wiring/snapshot_builder.hpp"

namespace {

using namespace std::chrono_literals;
using namespace lambdagate;
namespace bhttp = boost::beast::http;
using proxy::DirectResponse;
using proxy::Invocation;
using proxy::Resolution;

config::Matcher exact(std::string path) {
  config::Matcher m;
  m.kind = config::PathMatchKind::Exact;
  m.path = std::move(path);
  return m;
}

config::Route route_to(std::string path, config::AwsDestinationSpec spec, std::string upstream = "lambda") {
  config::Route r;
  r.matchers.push_back(exact(std::move(path)));
  config::Destination d;
  d.upstream = {std::move(upstream), "gloo-system"};
  d.aws = std::move(spec);
  r.route_action = config::RouteAction{{d}, false};
  return r;
}

config::AwsDestinationSpec spec(std::string logical_name) {
  config::AwsDestinationSpec s;
  s.logical_name = std::move(logical_name);
  return s;
}

// Routes for every case below, on one virtual host.
std::shared_ptr<config::Config> test_config() {
  auto c = std::make_shared<config::Config>();
  config::Upstream u;
  u.metadata = {"lambda", "gloo-system", {}};
  u.aws.region = "eu-west-1";
  u.aws.lambda_functions = {{"upper", "uppercase", "$LATEST", {}, {}}, {"plain", "plain-fn", "", {}, {}}};
  config::Upstream account = u;
  account.metadata.name = "cross";
  account.aws.aws_account_id = "123456789012";
  c->upstreams = {u, account};

  config::VirtualService vs;
  vs.metadata = {"default", "gloo-system", {}};
  vs.domains = {"*"};
  vs.routes.push_back(route_to("/upper", spec("upper")));
  config::Route direct;
  direct.matchers = {exact("/direct")};
  direct.direct_response = config::DirectResponseAction{418, "teapot"};
  vs.routes.push_back(direct);
  vs.routes.push_back(route_to("/ghost-upstream", spec("upper"), "ghost"));
  vs.routes.push_back(route_to("/ghost-function", spec("nobody")));
  auto timed = route_to("/timed", spec("plain"));
  timed.options.timeout = 2s;
  vs.routes.push_back(timed);
  auto untimed = route_to("/untimed", spec("plain"));
  untimed.options.timeout = 0ms;
  vs.routes.push_back(untimed);
  auto async = spec("plain");
  async.invocation_style = config::InvocationStyle::Async;
  vs.routes.push_back(route_to("/async", async));
  auto streaming = spec("plain");
  streaming.response_streaming = true;
  vs.routes.push_back(route_to("/stream", streaming));
  auto async_streaming = async;
  async_streaming.response_streaming = true;
  vs.routes.push_back(route_to("/async-stream", async_streaming));
  auto wrapped = spec("plain");
  wrapped.wrap_as_api_gateway = true;
  vs.routes.push_back(route_to("/wrapped", wrapped));
  auto with_headers = route_to("/headers", spec("plain"));
  config::HeaderManipulation hm;
  hm.request_headers_to_add = {{"x-team", "search", true}};
  with_headers.options.header_manipulation = hm;
  vs.routes.push_back(with_headers);
  vs.routes.push_back(route_to("/cross", spec("plain"), "cross"));
  config::Route weighted = route_to("/weighted", spec("upper"));
  config::Destination second = weighted.route_action->destinations[0];
  second.aws = spec("plain");
  weighted.route_action->destinations[0].weight = 0;
  second.weight = 5;
  weighted.route_action->destinations.push_back(second);
  weighted.route_action->multi = true;
  vs.routes.push_back(weighted);
  vs.options.timeout = 7s;  // the virtual host's, under the route's own
  c->virtual_services = {vs};
  c->settings = config::Settings{};
  c->settings->propagate_original_routing = true;
  return c;
}

struct Fixture {
  std::shared_ptr<const proxy::Snapshot> snapshot;
  proxy::GatewayOptions options;
  std::mt19937_64 random{42};
  const core::SystemTime now{std::chrono::seconds{1764115200}};

  Fixture() {
    testing::fake_env().clear();
    testing::fake_env()["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE";
    testing::fake_env()["AWS_SECRET_ACCESS_KEY"] = "secret";
    auto build = wiring::build_snapshot(test_config(), wiring::Environment{&testing::fake_lookup}, 1, now);
    REQUIRE(build.errors.empty());
    snapshot = build.snapshot;
  }

  Resolution resolve(const std::string& target, std::string body = "{}") {
    request_ = http::Request{bhttp::verb::post, target, 11};
    request_.set(bhttp::field::host, "api.example.com");
    request_.body() = std::move(body);
    request_.prepare_payload();
    const proxy::InboundRequest inbound{request_, "req-1", "192.0.2.7", now};
    return proxy::resolve_destination(*snapshot, inbound, options, random);
  }

 private:
  http::Request request_;
};

const core::Error& error_of(const Resolution& r) {
  REQUIRE(std::holds_alternative<core::Error>(r.outcome));
  return std::get<core::Error>(r.outcome);
}
const Invocation& call_of(const Resolution& r) {
  if (const auto* e = std::get_if<core::Error>(&r.outcome)) FAIL("unexpected error: " << e->message);
  REQUIRE(std::holds_alternative<Invocation>(r.outcome));
  return std::get<Invocation>(r.outcome);
}

}  // namespace

// What each request resolves to when it ends in an error or a direct response, and how far
// resolution got: the access log and metrics label it with that.
TEST_CASE("resolve_destination: errors and direct responses", "[proxy][destination]") {
  struct Case {
    const char* target;
    std::optional<core::ErrorKind> error;  // none: a direct response
    std::string message;                   // part of the error message
    bool route, upstream;
    std::string function;
  };
  const std::vector<Case> cases = {
      {"/nowhere", core::ErrorKind::RouteNotFound, "no route matches POST /nowhere", false, false, ""},
      {"/direct", std::nullopt, "", true, false, ""},
      {"/ghost-upstream", core::ErrorKind::LambdaRejected, "upstream gloo-system/ghost is not known", true,
       false, ""},
      {"/ghost-function", core::ErrorKind::LambdaRejected, "has no function with logicalName 'nobody'", true,
       true, ""},
  };
  Fixture f;
  for (const auto& c : cases) {
    INFO(c.target);
    const Resolution r = f.resolve(c.target);
    CHECK((r.route != nullptr) == c.route);
    CHECK((r.upstream != nullptr) == c.upstream);
    CHECK(r.function == c.function);
    CHECK_FALSE(r.wants_discovery_round);
    if (c.error) {
      CHECK(error_of(r).kind == *c.error);
      CHECK_THAT(error_of(r).message, Catch::Contains(c.message));
    } else {
      REQUIRE(std::holds_alternative<DirectResponse>(r.outcome));
      CHECK(std::get<DirectResponse>(r.outcome).status == 418);
      CHECK(std::get<DirectResponse>(r.outcome).body == "teapot");
    }
  }
}

// The Invoke request of each kind of route: function and qualifier, invocation type, streaming,
// and the route timeout the deadline is made from (route, else virtual host; 0 = none).
TEST_CASE("resolve_destination: the Invoke request of each route", "[proxy][destination]") {
  struct Case {
    const char* target;
    std::string function_name;
    std::string qualifier;
    aws::InvocationType type;
    bool streaming;
    std::chrono::milliseconds timeout;
  };
  using aws::InvocationType;
  const std::vector<Case> cases = {
      {"/upper", "uppercase", "$LATEST", InvocationType::RequestResponse, false, 7s},
      {"/timed", "plain-fn", "", InvocationType::RequestResponse, false, 2s},
      {"/untimed", "plain-fn", "", InvocationType::RequestResponse, false, 0ms},
      {"/async", "plain-fn", "", InvocationType::Event, false, 7s},
      {"/stream", "plain-fn", "", InvocationType::RequestResponse, true, 7s},
      {"/async-stream", "plain-fn", "", InvocationType::Event, false, 7s},  // Event never streams
      {"/cross", "arn:aws:lambda:eu-west-1:123456789012:function:plain-fn", "",
       InvocationType::RequestResponse, false, 7s},
  };
  Fixture f;
  for (const auto& c : cases) {
    INFO(c.target);
    const Resolution r = f.resolve(c.target, R"({"k":1})");
    const Invocation& call = call_of(r);
    CHECK(call.invoke.function_name == c.function_name);
    CHECK(r.function == c.function_name);
    CHECK(call.invoke.qualifier == c.qualifier);
    CHECK(call.invoke.invocation_type == c.type);
    CHECK(call.streaming == c.streaming);
    CHECK(call.timeout == c.timeout);
    CHECK(call.invoke.payload == R"({"k":1})");  // Gloo's default: the body as it is
    REQUIRE(r.route);
    REQUIRE(r.upstream);
  }
}

// propagateOriginalRouting and the route's request headerManipulation become extra headers of
// the Lambda request.
TEST_CASE("resolve_destination: extra headers", "[proxy][destination]") {
  Fixture f;
  const Resolution plain_resolution = f.resolve("/upper?x=1");
  const Invocation& plain = call_of(plain_resolution);
  CHECK(plain.invoke.extra_headers ==
        aws::HeaderList{{"x-envoy-original-path", "/upper?x=1"}, {"x-envoy-original-method", "POST"}});
  const Resolution manipulated_resolution = f.resolve("/headers");
  const Invocation& manipulated = call_of(manipulated_resolution);
  CHECK(manipulated.invoke.extra_headers == aws::HeaderList{{"x-envoy-original-path", "/headers"},
                                                            {"x-envoy-original-method", "POST"},
                                                            {"x-team", "search"}});
}

// wrapAsApiGateway builds the event from the request and the resolution's inputs: the request
// id, the client address and the time it was given.
TEST_CASE("resolve_destination: an API Gateway event from the request", "[proxy][destination]") {
  Fixture f;
  const Resolution r = f.resolve("/wrapped?a=b", "hello");
  const auto event = nlohmann::json::parse(call_of(r).invoke.payload);
  CHECK(event.at("path") == "/wrapped");
  CHECK(event.at("body") == "hello");
  CHECK(event.at("queryStringParameters").at("a") == "b");
  CHECK(event.at("requestContext").at("requestId") == "req-1");
  CHECK(event.at("requestContext").at("identity").at("sourceIp") == "192.0.2.7");
  CHECK(event.at("requestContext").at("requestTimeEpoch") == 1764115200000);
  CHECK(event.at("requestContext").at("domainName") == "api.example.com");
}

// Lambda's payload limits are checked before any call: the error names the function already
// resolved, for the access log.
TEST_CASE("resolve_destination: payload limits", "[proxy][destination]") {
  Fixture f;
  f.options.max_sync_payload = 10;
  f.options.max_async_payload = 4;
  CHECK(call_of(f.resolve("/upper", std::string(10, 'a'))).invoke.payload.size() == 10);
  const Resolution sync = f.resolve("/upper", std::string(11, 'a'));
  CHECK(error_of(sync).kind == core::ErrorKind::PayloadTooLarge);
  CHECK_THAT(error_of(sync).message, Catch::Contains("synchronous limit of 10 bytes"));
  CHECK(sync.function == "uppercase");
  const Resolution async = f.resolve("/async", std::string(5, 'a'));
  CHECK(error_of(async).kind == core::ErrorKind::PayloadTooLarge);
  CHECK_THAT(error_of(async).message, Catch::Contains("asynchronous limit of 4 bytes"));
  // An event over the limit although the body is under it.
  f.options.max_sync_payload = 100;
  const Resolution event = f.resolve("/wrapped", "x");
  CHECK(error_of(event).kind == core::ErrorKind::PayloadTooLarge);
  CHECK_THAT(error_of(event).message,
             Catch::Contains("the Lambda event built from a request body of 1 bytes"));
}

// Weighted destinations are picked by weight from the random source: a weight of 0 never is.
TEST_CASE("resolve_destination: weighted destinations", "[proxy][destination]") {
  Fixture f;
  for (int i = 0; i < 50; ++i) CHECK(call_of(f.resolve("/weighted")).invoke.function_name == "plain-fn");
}

// A logical name that neither the hand-written functions nor discovery has asks for an early
// discovery round (the gateway does the asking: resolution does no I/O).
TEST_CASE("resolve_destination: a function discovery has not found asks for a round", "[proxy][destination]") {
  Fixture f;
  auto snapshot = std::make_shared<proxy::Snapshot>(*f.snapshot);
  for (auto& [ref, upstream] : snapshot->upstreams) {
    upstream.discovered = std::make_shared<discovery::DiscoveredFunctions>();
  }
  f.snapshot = snapshot;
  const Resolution r = f.resolve("/ghost-function");
  CHECK(error_of(r).kind == core::ErrorKind::LambdaRejected);
  CHECK_THAT(error_of(r).message, Catch::Contains("no discovery round has succeeded yet"));
  CHECK(r.wants_discovery_round);
  CHECK(r.upstream);
}
