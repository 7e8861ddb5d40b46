#include "lambdagate/proxy/gateway.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <sstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include "fakes/fake_clock.hpp"
#include "fakes/fake_env.hpp"
#include "fakes/fake_http_client.hpp"
#include "fakes/fake_sleeper.hpp"
#include "fakes/recording_response_writer.hpp"
#include "lambdagate/aws/eventstream.hpp"
#include "lambdagate/discovery/function_catalog.hpp"
#include "lambdagate/wiring/snapshot_builder.hpp"

namespace {

using namespace lambdagate;
using namespace std::chrono_literals;
namespace bhttp = boost::beast::http;

using testing::fake_env;

config::Route lambda_route(std::string path, std::string logical_name, std::string upstream = "lambda",
                           config::InvocationStyle style = config::InvocationStyle::Sync) {
  config::Route r;
  config::Matcher m;
  m.kind = config::PathMatchKind::Exact;
  m.path = std::move(path);
  r.matchers.push_back(m);
  config::Destination d;
  d.upstream = {std::move(upstream), "gloo-system"};
  d.aws = config::AwsDestinationSpec{};
  d.aws->logical_name = std::move(logical_name);
  d.aws->invocation_style = style;
  r.route_action = config::RouteAction{{d}, false};
  return r;
}

config::Upstream upstream(std::string name, std::optional<config::ResourceRef> secret = std::nullopt) {
  config::Upstream u;
  u.metadata.name = std::move(name);
  u.metadata.namespace_ = "gloo-system";
  u.aws.region = "us-east-1";
  u.aws.secret_ref = std::move(secret);
  u.aws.lambda_functions = {{"uppercase", "uppercase", "$LATEST", {}, {}},
                            {"fail", "fail", "", {}, {}},
                            {"arn", "arn:aws:lambda:us-east-1:123456789012:function:f", "", {}, {}}};
  return u;
}

// A gateway over a FakeHttpClient, a FakeClock and a FakeSleeper: the whole pipeline without
// sockets or a wall clock.
struct Harness {
  testing::FakeClock clock;
  testing::FakeSleeper sleeper{clock};
  testing::FakeHttpClient http;
  observability::AccessLog access_log{observability::LogFormat::Text, false};
  std::atomic<bool> draining{false};
  proxy::SnapshotStore store;
  observability::Metrics metrics{1};
  // Where the detail of failed calls goes (warn lines, rate-limited; the clock never moves here,
  // so a key is written once per Harness).
  std::ostringstream problems_out;
  spdlog::logger problems_logger{"problems", std::make_shared<spdlog::sinks::ostream_sink_st>(problems_out)};
  observability::RateLimitedLog problems{clock, &problems_logger};
  std::unique_ptr<proxy::Gateway> gateway;
  testing::RecordingResponseWriter writer;  // what the last call streamed, if it did

  explicit Harness(std::shared_ptr<config::Config> config, bool with_env_credentials = true) {
    fake_env().clear();
    if (with_env_credentials) {
      fake_env()["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE";
      fake_env()["AWS_SECRET_ACCESS_KEY"] = "secret";
    }
    fake_env()["AWS_ENDPOINT_URL_LAMBDA"] = "http://127.0.0.1:9999";
    auto build =
        wiring::build_snapshot(config, wiring::Environment{&testing::fake_lookup}, 1, clock.system_now());
    REQUIRE(build.errors.empty());
    store.publish(build.snapshot);
    gateway = std::make_unique<proxy::Gateway>(store, http, clock, sleeper, access_log, draining,
                                               proxy::GatewayOptions{}, &metrics.shard(0), &problems);
  }
  std::string problems_logged() {
    problems_logger.flush();
    return problems_out.str();
  }

  http::Response call(std::string target, std::string body = {}, bhttp::verb method = bhttp::verb::post,
                      const http::HeaderList& headers = {}) {
    writer = testing::RecordingResponseWriter{};
    http::Request request{method, target, 11};
    request.set(bhttp::field::host, "example.com");
    for (const auto& [name, value] : headers) request.insert(name, value);
    request.body() = std::move(body);
    request.prepare_payload();
    boost::asio::io_context io;
    const http::ConnectionInfo connection{"127.0.0.1", 1234};
    auto future = boost::asio::co_spawn(
        io,
        [&]() -> lambdagate::core::Task<http::Response> {
          co_return co_await gateway->handle(request, connection, writer);
        },
        boost::asio::use_future);
    io.run();
    return future.get();
  }
};

std::shared_ptr<config::Config> base_config() {
  auto c = std::make_shared<config::Config>();
  c->upstreams = {upstream("lambda")};
  config::VirtualService vs;
  vs.metadata.name = "default";
  vs.metadata.namespace_ = "gloo-system";
  vs.domains = {"*"};
  vs.routes = {lambda_route("/lambda", "uppercase"), lambda_route("/fail", "fail"), lambda_route("/arn", "arn"),
               lambda_route("/async", "uppercase", "lambda", config::InvocationStyle::Async)};
  config::Route direct;
  direct.direct_response = config::DirectResponseAction{418, "teapot"};
  direct.matchers = {config::Matcher{config::PathMatchKind::Exact, "/direct", true, {}, {}, {}, {}}};
  vs.routes.push_back(direct);
  c->virtual_services = {vs};
  return c;
}

std::string code_of(const http::Response& r) { return nlohmann::json::parse(r.body()).at("code"); }

}  // namespace

// Gloo's example: the body goes to Lambda as the payload; Lambda's output comes back as a 200.
TEST_CASE("a matched route invokes its function and returns its output", "[proxy]") {
  Harness h(base_config());
  h.http.push_response(200, "\"ABC\"", {{"X-Amz-Executed-Version", "$LATEST"}});
  auto r = h.call("/lambda", "\"abc\"");
  CHECK(r.result_int() == 200);
  CHECK(r.body() == "\"ABC\"");
  CHECK(r[bhttp::field::content_type] == "application/json");
  CHECK_FALSE(r["x-request-id"].empty());
  REQUIRE(h.http.calls().size() == 1);
  const auto& call = h.http.last_call();
  CHECK(call.endpoint.port == 9999);
  CHECK(call.request.target == "/2015-03-31/functions/uppercase/invocations?Qualifier=%24LATEST");
  CHECK(call.request.body == "\"abc\"");
  CHECK(testing::find_header(call.request.headers, "authorization").has_value());
  CHECK(testing::find_header(call.request.headers, "x-amz-invocation-type") == "RequestResponse");
  // The default route timeout (15 s) bounds the call.
  REQUIRE(call.deadline.time());
  CHECK(*call.deadline.time() - h.clock.steady_now() == 15s);
}

// The client's x-request-id is kept when acceptable, whatever its case; with two, the first
// decides; one with spaces or too long is replaced by a generated id (32 hex digits).
TEST_CASE("the client's x-request-id: the first, kept only when acceptable", "[proxy]") {
  Harness h(base_config());
  const auto id_for = [&](const http::HeaderList& headers) {
    h.http.push_response(200, "\"ABC\"");
    return std::string(h.call("/lambda", "\"abc\"", bhttp::verb::post, headers)["x-request-id"]);
  };
  CHECK(id_for({{"x-request-id", "abc-123"}}) == "abc-123");
  CHECK(id_for({{"X-REQUEST-ID", "abc-123"}}) == "abc-123");
  CHECK(id_for({{"x-request-id", "first"}, {"X-Request-Id", "second"}}) == "first");
  CHECK(id_for({{"x-request-ids", "not-this"}, {"x-request-i", "nor-this"}}).size() == 32);
  for (const std::string& bad : {std::string("has space"), std::string(129, 'a')}) {
    const std::string id = id_for({{"x-request-id", bad}});
    CHECK(id.size() == 32);
    CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
  }
}

// No virtual host or route → 404 route_not_found as JSON, and Lambda is not called.
TEST_CASE("no route answers 404 JSON", "[proxy]") {
  Harness h(base_config());
  auto r = h.call("/nowhere");
  CHECK(r.result_int() == 404);
  CHECK(code_of(r) == "route_not_found");
  auto body = nlohmann::json::parse(r.body());
  CHECK(body.at("requestId") == std::string(r["x-request-id"]));
  CHECK(h.http.calls().empty());
}

// A function error is a 502 that names the error type but never carries the stack trace.
TEST_CASE("function errors are 502 without the stack trace", "[proxy]") {
  Harness h(base_config());
  h.http.push_response(200, R"({"errorMessage":"boom","errorType":"TypeError","stackTrace":["at secret.js:1"]})",
                       {{"X-Amz-Function-Error", "Unhandled"}});
  auto r = h.call("/fail", "{}");
  CHECK(r.result_int() == 502);
  CHECK(code_of(r) == "function_error");
  CHECK(r.body().find("TypeError") != std::string::npos);
  CHECK(r.body().find("secret.js") == std::string::npos);
  CHECK(r.body().find("boom") == std::string::npos);
}

// ASYNC routes invoke with X-Amz-Invocation-Type: Event and answer 202 with no body; their
// payload limit is 1 MiB, checked before any call.
TEST_CASE("async invocation and its payload limit", "[proxy]") {
  Harness h(base_config());
  h.http.push_response(202);
  auto r = h.call("/async", "{}");
  CHECK(r.result_int() == 202);
  CHECK(r.body().empty());
  CHECK(testing::find_header(h.http.last_call().request.headers, "x-amz-invocation-type") == "Event");

  auto big = h.call("/async", std::string(1024 * 1024 + 1, 'a'));
  CHECK(big.result_int() == 413);
  CHECK(code_of(big) == "payload_too_large");
  CHECK(h.http.calls().size() == 1);
}

// A full ARN is percent-encoded into the path.
TEST_CASE("full ARN function names are encoded", "[proxy]") {
  Harness h(base_config());
  h.http.push_response(200, "{}");
  h.call("/arn", "{}");
  CHECK(h.http.last_call().request.target ==
        "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af/invocations");
}

// Without credentials the answer is 503 and nothing unsigned is ever sent.
TEST_CASE("no credentials: 503 and no call", "[proxy]") {
  Harness h(base_config(), /*with_env_credentials=*/false);
  auto r = h.call("/lambda", "\"abc\"");
  CHECK(r.result_int() == 503);
  CHECK(code_of(r) == "credentials_unavailable");
  CHECK(h.http.calls().empty());
}

// Lambda's own errors and transport failures map per DESIGN.md §4.
TEST_CASE("Lambda errors and transport failures", "[proxy]") {
  Harness h(base_config());
  h.http.push_response(404, R"({"Type":"User","Message":"Function not found: arn:..."})",
                       {{"x-amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/"}});
  auto r = h.call("/lambda", "{}");
  CHECK(r.result_int() == 502);
  CHECK(code_of(r) == "lambda_rejected");
  CHECK(r.body().find("ResourceNotFoundException") != std::string::npos);

  h.http.push_error(http::ClientErrorKind::Timeout);
  CHECK(code_of(h.call("/lambda", "{}")) == "upstream_timeout");
  h.http.push_error(http::ClientErrorKind::ConnectFailed);
  CHECK(code_of(h.call("/lambda", "{}")) == "upstream_unavailable");
  h.http.push_response(429, "{}", {{"x-amzn-ErrorType", "TooManyRequestsException"}});
  CHECK(h.call("/lambda", "{}").result_int() == 429);
}

// Direct responses answer without Lambda; propagateOriginalRouting adds the original path.
TEST_CASE("direct responses and original routing headers", "[proxy]") {
  auto c = base_config();
  c->settings = config::Settings{};
  c->settings->propagate_original_routing = true;
  Harness h(c);
  auto r = h.call("/direct");
  CHECK(r.result_int() == 418);
  CHECK(r.body() == "teapot");
  CHECK(h.http.calls().empty());

  h.http.push_response(200, "{}");
  h.call("/lambda?x=1", "{}");
  CHECK(testing::find_header(h.http.last_call().request.headers, "x-envoy-original-path") == "/lambda?x=1");
  CHECK(testing::find_header(h.http.last_call().request.headers, "x-envoy-original-method") == "POST");
}

// While draining, requests are refused with 503 draining and the connection is closed.
TEST_CASE("draining", "[proxy]") {
  Harness h(base_config());
  h.draining = true;
  auto r = h.call("/lambda", "{}");
  CHECK(r.result_int() == 503);
  CHECK(code_of(r) == "draining");
  CHECK_FALSE(r.keep_alive());
}

// Every request is counted once with its route, upstream, function and status, and timed by
// route; every Invoke attempt is counted by result; a 404 has no route label.
TEST_CASE("request metrics", "[proxy]") {
  Harness h(base_config());
  h.http.push_response(200, "\"ABC\"");
  h.call("/lambda", "\"abc\"");
  h.http.push_response(200, R"({"errorType":"TypeError"})", {{"X-Amz-Function-Error", "Unhandled"}});
  h.call("/fail", "{}");
  h.call("/nowhere");
  h.call("/direct");

  const auto m = h.metrics.collect();
  CHECK(m.requests.size() == 4);
  CHECK(m.requests.at({"gloo-system/default/0", "gloo-system/lambda", "uppercase", 200}) == 1);
  CHECK(m.requests.at({"gloo-system/default/1", "gloo-system/lambda", "fail", 502}) == 1);
  CHECK(m.requests.at({"", "", "", 404}) == 1);
  CHECK(m.requests.at({"gloo-system/default/4", "", "", 418}) == 1);
  CHECK(m.durations.at("gloo-system/default/0").count == 1);
  CHECK(m.invocations.at({"gloo-system/lambda", "uppercase", observability::InvocationResult::Success}) == 1);
  CHECK(m.invocations.at({"gloo-system/lambda", "fail", observability::InvocationResult::FunctionError}) == 1);
  CHECK(m.invocations.size() == 2);
  CHECK(m.retries.empty());
  CHECK(m.throttles.empty());

  // A request refused before the pipeline (here: by the server's limits) counts too.
  http::Request bad{bhttp::verb::post, "/lambda", 11};
  (void)h.gateway->reject(core::ErrorKind::HeadersTooLarge, "too large", &bad);
  CHECK(h.metrics.collect().requests.at({"", "", "", 431}) == 1);
}

// A throttled attempt that is retried: two invocations (error, then success), one throttle and
// one retry for the route, one request.
TEST_CASE("retry and throttle metrics", "[proxy]") {
  auto c = base_config();
  config::RetryPolicy retries;
  retries.retry_on = config::kRetryOnThrottled;
  retries.num_retries = 2;
  retries.base_interval = 1ms;
  c->virtual_services[0].routes[0].options.retries = retries;
  Harness h(c);
  h.http.push_response(429, "{}", {{"x-amzn-ErrorType", "TooManyRequestsException"}});
  h.http.push_response(200, "\"ABC\"");
  CHECK(h.call("/lambda", "\"abc\"").result_int() == 200);

  const auto m = h.metrics.collect();
  CHECK(m.requests.at({"gloo-system/default/0", "gloo-system/lambda", "uppercase", 200}) == 1);
  CHECK(m.invocations.at({"gloo-system/lambda", "uppercase", observability::InvocationResult::Error}) == 1);
  CHECK(m.invocations.at({"gloo-system/lambda", "uppercase", observability::InvocationResult::Success}) == 1);
  CHECK(m.throttles.at({"gloo-system/lambda", "uppercase"}) == 1);
  CHECK(m.retries.at("gloo-system/default/0") == 1);
}

// ---- The request paths of payload mapping, response streaming and discovery ------------------

namespace {

namespace es = aws::eventstream;

// A route to the hand-written function "echo" matching `prefix`, with `spec` (its logical name
// defaults to "echo").
config::Route spec_route(std::string prefix, config::AwsDestinationSpec spec,
                         std::optional<std::string> prefix_rewrite = std::nullopt) {
  config::Route r;
  config::Matcher m;
  m.kind = config::PathMatchKind::Prefix;
  m.path = std::move(prefix);
  r.matchers.push_back(m);
  if (spec.logical_name.empty()) spec.logical_name = "echo";
  config::Destination d;
  d.upstream = {"lambda", "gloo-system"};
  d.aws = std::move(spec);
  r.route_action = config::RouteAction{{d}, false};
  r.options.prefix_rewrite = std::move(prefix_rewrite);
  return r;
}

config::AwsDestinationSpec make_spec(bool wrap, bool unwrap, std::string version = "1.0") {
  config::AwsDestinationSpec spec;
  spec.wrap_as_api_gateway = wrap;
  spec.unwrap_as_api_gateway = unwrap;
  spec.payload_format_version = std::move(version);
  return spec;
}

// base_config() plus the function "echo" (no qualifier) and one route per request path under
// test. Prefixes are chosen so that none is a prefix of another.
std::shared_ptr<config::Config> pipeline_config() {
  auto c = base_config();
  c->upstreams[0].aws.lambda_functions.push_back({"echo", "echo", "", {}, {}});
  auto& routes = c->virtual_services[0].routes;

  routes.push_back(spec_route("/raw", {}));
  routes.push_back(spec_route("/wrap1", make_spec(true, false)));
  routes.push_back(spec_route("/wrap2", make_spec(true, false, "2.0")));
  config::AwsDestinationSpec gloo;
  gloo.request_transformation = true;
  routes.push_back(spec_route("/gloo", gloo));
  routes.push_back(spec_route("/rewrite1", make_spec(true, false), "/api"));
  routes.push_back(spec_route("/rewrite2", make_spec(true, false, "2.0"), "/api"));
  routes.push_back(spec_route("/rewriteg", gloo, "/api"));
  routes.push_back(spec_route("/rewraw", {}, "/api"));

  routes.push_back(spec_route("/unwrap1", make_spec(false, true)));
  routes.push_back(spec_route("/unwrap2", make_spec(false, true, "2.0")));
  config::AwsDestinationSpec alb;
  alb.unwrap_as_alb = true;
  routes.push_back(spec_route("/alb", alb));

  config::AwsDestinationSpec async = make_spec(false, false);
  async.invocation_style = config::InvocationStyle::Async;
  routes.push_back(spec_route("/async-plain", async));
  config::AwsDestinationSpec async_mapped = make_spec(true, true);
  async_mapped.invocation_style = config::InvocationStyle::Async;
  routes.push_back(spec_route("/async-mapped", async_mapped));
  config::AwsDestinationSpec async_stream = async;
  async_stream.response_streaming = true;
  routes.push_back(spec_route("/async-stream", async_stream));

  config::AwsDestinationSpec stream;
  stream.response_streaming = true;
  routes.push_back(spec_route("/stream-raw", stream));
  config::AwsDestinationSpec stream_http = make_spec(false, true);
  stream_http.response_streaming = true;
  routes.push_back(spec_route("/stream-http", stream_http));
  return c;
}

// Every value of a response header, in order.
std::vector<std::string> values_of(const http::Response& r, std::string_view name) {
  std::vector<std::string> out;
  auto [first, last] = r.equal_range(boost::beast::string_view(name.data(), name.size()));
  for (auto it = first; it != last; ++it) out.emplace_back(it->value().data(), it->value().size());
  return out;
}

// What Lambda adds to its own answers; none of it is the function's, so none may reach clients.
const http::HeaderList& lambda_headers() {
  static const http::HeaderList headers = {{"X-Amz-Executed-Version", "$LATEST"},
                                           {"X-Amz-Log-Result", "U1RBUlQgUmVxdWVzdElk"},
                                           {"x-amzn-RequestId", "5a1f2c3d-0000-4000-8000-000000000000"},
                                           {"X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793"}};
  return headers;
}

http::HeaderList with_lambda_headers(http::HeaderList headers) {
  headers.insert(headers.end(), lambda_headers().begin(), lambda_headers().end());
  return headers;
}

void check_no_lambda_headers(const http::Response& r) {
  for (const auto& [name, value] : lambda_headers()) {
    INFO(name);
    CHECK(values_of(r, name).empty());
  }
  CHECK(values_of(r, "x-amz-function-error").empty());
}

// One InvokeWithResponseStream event as Lambda frames it.
std::string lambda_event(std::string event_type, std::string payload) {
  es::Message m;
  m.headers.emplace_back(":event-type", es::HeaderValue{std::move(event_type)});
  m.headers.emplace_back(":content-type", es::HeaderValue{std::string("application/octet-stream")});
  m.headers.emplace_back(":message-type", es::HeaderValue{std::string("event")});
  m.payload = std::move(payload);
  return es::encode(m);
}
std::string payload_chunk(std::string bytes) { return lambda_event("PayloadChunk", std::move(bytes)); }
std::string invoke_complete(std::string json = "{}") {
  return lambda_event("InvokeComplete", std::move(json));
}
std::string exception_event(std::string type, std::string json) {
  es::Message m;
  m.headers.emplace_back(":exception-type", es::HeaderValue{std::move(type)});
  m.headers.emplace_back(":content-type", es::HeaderValue{std::string("application/json")});
  m.headers.emplace_back(":message-type", es::HeaderValue{std::string("exception")});
  m.payload = std::move(json);
  return es::encode(m);
}
// The frame with its message CRC (the last byte) damaged.
std::string with_bad_crc(std::string frame) {
  frame.back() = static_cast<char>(frame.back() ^ 0x01);
  return frame;
}

http::ClientResponse event_stream(std::string body) {
  return {200, with_lambda_headers({{"Content-Type", "application/vnd.amazon.eventstream"}}),
          std::move(body)};
}

const std::string kNuls(8, '\0');

}  // namespace

// Each destination spec sends Lambda its own payload: the body byte for byte by default, else
// the event of its format, with the route's prefixRewrite applied to the event's path.
TEST_CASE("request mapping: the payload of each destination spec", "[proxy][mapping]") {
  struct Case {
    const char* name;
    std::string target;
    std::string body;
    http::HeaderList headers;
    // Checks what Lambda received; `request_id` is the client response's x-request-id.
    std::function<void(const std::string& payload, const std::string& request_id)> check;
  };
  const std::string binary("\x00\xff{raw\r\n", 7);
  const std::vector<Case> cases = {
      {"default: the body byte for byte",
       "/raw/items?x=1",
       binary,
       {},
       [binary](const std::string& payload, const std::string&) { CHECK(payload == binary); }},
      {"default with prefixRewrite: still the body byte for byte",
       "/rewraw/items",
       binary,
       {},
       [binary](const std::string& payload, const std::string&) { CHECK(payload == binary); }},
      {"wrapAsApiGateway 1.0",
       "/wrap1/items?x=1&x=2",
       "hello",
       {{"X-Custom", "v"}},
       [](const std::string& payload, const std::string& request_id) {
         const auto e = nlohmann::json::parse(payload);
         CHECK(e.at("version") == "1.0");
         CHECK(e.at("httpMethod") == "POST");
         CHECK(e.at("path") == "/wrap1/items");
         CHECK(e.at("resource") == "/wrap1");
         CHECK(e.at("body") == "hello");
         CHECK(e.at("isBase64Encoded") == false);
         CHECK(e.at("queryStringParameters").at("x") == "2");
         CHECK(e.at("multiValueQueryStringParameters").at("x") == nlohmann::json::array({"1", "2"}));
         CHECK(e.at("headers").at("X-Custom") == "v");
         CHECK(e.at("requestContext").at("requestId") == request_id);
         CHECK(e.at("requestContext").at("httpMethod") == "POST");
         CHECK(e.at("requestContext").at("domainName") == "example.com");
         CHECK(e.at("requestContext").at("identity").at("sourceIp") == "127.0.0.1");
       }},
      {"wrapAsApiGateway 1.0: the client's x-request-id is the event's requestId",
       "/wrap1",
       "",
       {{"X-Request-Id", "client-id-42"}},
       [](const std::string& payload, const std::string& request_id) {
         const auto e = nlohmann::json::parse(payload);
         CHECK(request_id == "client-id-42");
         CHECK(e.at("requestContext").at("requestId") == "client-id-42");
         CHECK(e.at("body").is_null());
       }},
      {"wrapAsApiGateway 1.0, binary body",
       "/wrap1",
       std::string("\xff\x00", 2),
       {},
       [](const std::string& payload, const std::string&) {
         const auto e = nlohmann::json::parse(payload);
         CHECK(e.at("body") == "/wA=");
         CHECK(e.at("isBase64Encoded") == true);
       }},
      {"wrapAsApiGateway 2.0",
       "/wrap2/items?x=1",
       "hello",
       {{"Cookie", "a=1; b=2"}},
       [](const std::string& payload, const std::string& request_id) {
         const auto e = nlohmann::json::parse(payload);
         CHECK(e.at("version") == "2.0");
         CHECK(e.at("routeKey") == "ANY /wrap2");
         CHECK(e.at("rawPath") == "/wrap2/items");
         CHECK(e.at("rawQueryString") == "x=1");
         CHECK(e.at("cookies") == nlohmann::json::array({"a=1", "b=2"}));
         CHECK_FALSE(e.at("headers").contains("cookie"));
         CHECK(e.at("headers").at("host") == "example.com");
         CHECK(e.at("body") == "hello");
         CHECK(e.at("isBase64Encoded") == false);
         CHECK(e.at("requestContext").at("requestId") == request_id);
         CHECK(e.at("requestContext").at("http").at("method") == "POST");
         CHECK(e.at("requestContext").at("http").at("path") == "/wrap2/items");
         CHECK_FALSE(e.contains("httpMethod"));
       }},
      {"requestTransformation: Gloo's event",
       "/gloo/items?x=1",
       "hello",
       {{"X-Custom", "v"}},
       [](const std::string& payload, const std::string&) {
         const auto e = nlohmann::json::parse(payload);
         CHECK(e.at("httpMethod") == "POST");
         CHECK(e.at("path") == "/gloo/items");
         CHECK(e.at("queryString") == "x=1");
         CHECK(e.at("queryStringParameters").at("x") == "1");
         CHECK(e.at("headers").at("x-custom") == "v");
         CHECK(e.at("body") == "hello");
         CHECK_FALSE(e.contains("version"));
         CHECK_FALSE(e.contains("requestContext"));
       }},
      {"prefixRewrite, API Gateway 1.0",
       "/rewrite1/items?x=1",
       "hello",
       {},
       [](const std::string& payload, const std::string&) {
         const auto e = nlohmann::json::parse(payload);
         CHECK(e.at("path") == "/api/items");
         CHECK(e.at("requestContext").at("path") == "/api/items");
         CHECK(e.at("queryStringParameters").at("x") == "1");
       }},
      {"prefixRewrite, API Gateway 2.0",
       "/rewrite2/items?x=1",
       "hello",
       {},
       [](const std::string& payload, const std::string&) {
         const auto e = nlohmann::json::parse(payload);
         CHECK(e.at("rawPath") == "/api/items");
         CHECK(e.at("rawQueryString") == "x=1");
         CHECK(e.at("requestContext").at("http").at("path") == "/api/items");
       }},
      {"prefixRewrite, Gloo's event",
       "/rewriteg/items",
       "hello",
       {},
       [](const std::string& payload, const std::string&) {
         CHECK(nlohmann::json::parse(payload).at("path") == "/api/items");
       }},
  };
  const auto c = GENERATE_COPY(from_range(cases));
  INFO(c.name);
  Harness h(pipeline_config());
  h.http.push_response(200, "{}");
  const auto r = h.call(c.target, c.body, bhttp::verb::post, c.headers);
  CHECK(r.result_int() == 200);
  REQUIRE(h.http.calls().size() == 1);
  const auto& call = h.http.last_call();
  CHECK(call.request.target == "/2015-03-31/functions/echo/invocations");
  CHECK(testing::find_header(call.request.headers, "x-amz-invocation-type") == "RequestResponse");
  c.check(call.request.body, std::string(r["x-request-id"]));
}

// The function's output becomes the client's response as its route says: as it is, or
// unwrapped from API Gateway 1.0/2.0 or ALB form; malformed output is a 502. Lambda's own
// headers never pass through.
TEST_CASE("response mapping: the function's output as the client's response", "[proxy][mapping]") {
  struct Case {
    const char* name;
    const char* target;
    std::string output;
    unsigned status;
    std::vector<std::pair<std::string, std::vector<std::string>>> headers;  // expected values
    std::string body;                                                       // or, for an error, its code
  };
  const std::vector<Case> cases = {
      {"default: the output as a JSON body",
       "/raw",
       R"({"a":1})",
       200,
       {{"content-type", {"application/json"}}},
       R"({"a":1})"},
      {"API Gateway 1.0",
       "/unwrap1",
       R"({"statusCode":201,"headers":{"Content-Type":"text/plain","X-A":"1"},)"
       R"("multiValueHeaders":{"X-B":["1","2"]},"body":"aGVsbG8=","isBase64Encoded":true})",
       201,
       {{"content-type", {"text/plain"}}, {"x-a", {"1"}}, {"x-b", {"1", "2"}}},
       "hello"},
      {"API Gateway 1.0, text body and default content-type",
       "/unwrap1",
       R"({"statusCode":404,"body":"nope"})",
       404,
       {{"content-type", {"application/json"}}},
       "nope"},
      {"API Gateway 2.0 with cookies",
       "/unwrap2",
       R"({"statusCode":302,"headers":{"Location":"/next","Set-Cookie":"z=0"},)"
       R"("cookies":["a=1; Path=/","b=2; HttpOnly"],"body":"aGk=","isBase64Encoded":true})",
       302,
       {{"location", {"/next"}}, {"set-cookie", {"z=0", "a=1; Path=/", "b=2; HttpOnly"}}},
       "hi"},
      {"API Gateway 2.0, output without statusCode is the body",
       "/unwrap2",
       R"({"hello":"world"})",
       200,
       {{"content-type", {"application/json"}}},
       R"({"hello":"world"})"},
      {"ALB",
       "/alb",
       R"({"statusCode":200,"statusDescription":"200 OK","headers":{"Content-Type":"text/html"},)"
       R"("multiValueHeaders":{"Set-Cookie":["a=1","b=2"]},"body":"<p>ok</p>","isBase64Encoded":false})",
       200,
       {{"content-type", {"text/html"}}, {"set-cookie", {"a=1", "b=2"}}},
       "<p>ok</p>"},
      {"API Gateway 1.0, output that is not JSON",
       "/unwrap1",
       "Task timed out after 3.00 seconds",
       502,
       {},
       "invalid_function_response"},
      {"API Gateway 1.0, statusCode as a string",
       "/unwrap1",
       R"({"statusCode":"200","body":"x"})",
       502,
       {},
       "invalid_function_response"},
      {"API Gateway 1.0, bad base64",
       "/unwrap1",
       R"({"statusCode":200,"body":"!!","isBase64Encoded":true})",
       502,
       {},
       "invalid_function_response"},
      {"API Gateway 2.0, cookies not an array",
       "/unwrap2",
       R"({"statusCode":200,"cookies":"a=1"})",
       502,
       {},
       "invalid_function_response"},
      {"ALB, status out of range", "/alb", R"({"statusCode":99})", 502, {}, "invalid_function_response"},
      {"ALB, a header with CR LF",
       "/alb",
       R"({"statusCode":200,"headers":{"X-A":"1\r\nX-B: 2"}})",
       502,
       {},
       "invalid_function_response"},
  };
  const auto c = GENERATE_COPY(from_range(cases));
  INFO(c.name);
  Harness h(pipeline_config());
  h.http.push_response(200, c.output, with_lambda_headers({}));
  const auto r = h.call(c.target, "{}");
  CHECK(r.result_int() == c.status);
  if (c.status == 502) {
    CHECK(code_of(r) == c.body);
    CHECK(r[bhttp::field::content_type] == "application/json");
  } else {
    CHECK(r.body() == c.body);
    CHECK(r[bhttp::field::content_length] == std::to_string(c.body.size()));
  }
  for (const auto& [name, values] : c.headers) {
    INFO(name);
    CHECK(values_of(r, name) == values);
  }
  CHECK_FALSE(r["x-request-id"].empty());
  check_no_lambda_headers(r);
  CHECK(h.http.calls().size() == 1);
}

// ASYNC routes are invoked with InvocationType Event and answer 202 with no body, whatever their
// mapping or streaming settings say.
TEST_CASE("response mapping: ASYNC is 202 with no body for every spec", "[proxy][mapping]") {
  const auto target = GENERATE(as<std::string>{}, "/async-plain", "/async-mapped", "/async-stream");
  INFO(target);
  Harness h(pipeline_config());
  h.http.push_response(202, "", with_lambda_headers({}));
  const auto r = h.call(target, R"({"k":"v"})");
  CHECK(r.result_int() == 202);
  CHECK(r.body().empty());
  CHECK(r[bhttp::field::content_length] == "0");
  check_no_lambda_headers(r);
  REQUIRE(h.http.calls().size() == 1);
  const auto& call = h.http.last_call();
  CHECK(testing::find_header(call.request.headers, "x-amz-invocation-type") == "Event");
  // Response streaming does not apply to Event invocations: the plain Invoke API is used.
  CHECK(call.request.target == "/2015-03-31/functions/echo/invocations");
  if (target == "/async-mapped") {
    CHECK(nlohmann::json::parse(call.request.body).at("version") == "1.0");
  } else {
    CHECK(call.request.body == R"({"k":"v"})");
  }
}

// A function error is a 502 function_error that names the errorType only: never the message,
// the stack trace or output that is not JSON, buffered or streamed, unwrapped or not.
TEST_CASE("function errors: 502 naming only the errorType", "[proxy][mapping]") {
  struct Case {
    const char* name;
    const char* target;
    http::ClientResponse lambda;
    std::string shown;                // in the client's body
    std::vector<std::string> hidden;  // never in it
  };
  const std::string error_json =
      R"({"errorMessage":"db password is hunter2","errorType":"DbError","stackTrace":["at db.js:9"]})";
  const std::vector<Case> cases = {
      {"Unhandled, default route",
       "/raw",
       {200, with_lambda_headers({{"X-Amz-Function-Error", "Unhandled"}}), error_json},
       "DbError",
       {"hunter2", "db.js", "errorMessage", "stackTrace"}},
      {"Handled, unwrapped route",
       "/unwrap1",
       {200, with_lambda_headers({{"X-Amz-Function-Error", "Handled"}}), error_json},
       "DbError",
       {"hunter2", "db.js"}},
      {"Unhandled, API Gateway 2.0 event",
       "/wrap2",
       {200, with_lambda_headers({{"X-Amz-Function-Error", "Unhandled"}}), error_json},
       "DbError",
       {"hunter2", "db.js"}},
      {"Unhandled, output that is not JSON",
       "/raw",
       {200, with_lambda_headers({{"X-Amz-Function-Error", "Unhandled"}}),
        "Task timed out after 3.00 seconds"},
       "echo",
       {"Task timed out"}},
      {"streamed: InvokeComplete with ErrorCode before any chunk",
       "/stream-raw",
       event_stream(
           invoke_complete(nlohmann::json{{"ErrorCode", "Unhandled"}, {"ErrorDetails", error_json}}.dump())),
       "DbError",
       {"hunter2", "db.js"}},
  };
  const auto c = GENERATE_COPY(from_range(cases));
  INFO(c.name);
  Harness h(pipeline_config());
  h.http.push(c.lambda);
  const auto r = h.call(c.target, "{}");
  CHECK(r.result_int() == 502);
  CHECK(code_of(r) == "function_error");
  CHECK_THAT(r.body(), Catch::Matchers::Contains(c.shown));
  for (const auto& secret : c.hidden) CHECK_THAT(r.body(), !Catch::Matchers::Contains(secret));
  check_no_lambda_headers(r);
  CHECK_FALSE(h.writer.started());
}

// Lambda's payload limits (6 MiB sync, 1 MiB async) apply to the body and then to the event
// built from it (base64 grows a binary body by a third); over either, 413 and no call.
TEST_CASE("payload limits: 413 before any call", "[proxy][limits]") {
  constexpr std::size_t kMiB = 1024 * 1024;
  struct Case {
    const char* name;
    const char* target;
    std::size_t size;
    char fill;  // '\xff' is not UTF-8, so events carry it as base64
    unsigned status;
  };
  const std::vector<Case> cases = {
      {"sync body at the limit", "/raw", 6 * kMiB, 'a', 200},
      {"sync body over the limit", "/raw", 6 * kMiB + 1, 'a', 413},
      {"async body at the limit", "/async-plain", kMiB, 'a', 202},
      {"async body over the limit", "/async-plain", kMiB + 1, 'a', 413},
      {"sync body over the limit, API Gateway event", "/wrap1", 6 * kMiB + 1, 'a', 413},
      {"API Gateway 1.0 event over the limit", "/wrap1", 5 * kMiB, '\xff', 413},
      {"API Gateway 2.0 event over the limit", "/wrap2", 5 * kMiB, '\xff', 413},
      {"Gloo event over the limit", "/gloo", 5 * kMiB, '\xff', 413},
      {"API Gateway 1.0 event under the limit", "/wrap1", 4 * kMiB, '\xff', 200},
      {"async API Gateway event over the limit", "/async-mapped", 800 * 1024, '\xff', 413},
      {"async API Gateway event under the limit", "/async-mapped", 700 * 1024, '\xff', 202},
      {"streaming route, body over the limit", "/stream-raw", 6 * kMiB + 1, 'a', 413},
  };
  const auto c = GENERATE_COPY(from_range(cases));
  INFO(c.name);
  Harness h(pipeline_config());
  h.http.push_response(c.status == 202 ? 202 : 200, "{}");
  const auto r = h.call(c.target, std::string(c.size, c.fill));
  CHECK(r.result_int() == c.status);
  if (c.status == 413) {
    CHECK(code_of(r) == "payload_too_large");
    CHECK(h.http.calls().empty());
  } else {
    REQUIRE(h.http.calls().size() == 1);
    CHECK(h.http.last_call().request.body.size() <= (c.status == 202 ? kMiB : 6 * kMiB));
  }
}

// How each kind of response stream reaches the client: relayed and finished; cut short by an
// abort once the head went out; or, while nothing was sent, an ordinary (error) response.
TEST_CASE("streaming: how each kind of stream ends for the client", "[proxy][streaming]") {
  enum class Client { Finished, Aborted, Response };
  struct Case {
    const char* name;
    const char* target;
    http::ClientResponse lambda;
    Client client;
    unsigned status;   // the streamed head's, or the response's
    std::string code;  // Response: the error code ("" for a success)
    std::string body;  // what the client got of the body
  };
  const std::string failed =
      invoke_complete(R"({"ErrorCode":"Unhandled","ErrorDetails":"{\"errorType\":\"E\"}"})");
  const std::string prelude = R"({"statusCode":201,"headers":{"X-A":"1"},"cookies":["a=1","b=2"]})";
  const std::vector<Case> cases = {
      {"raw: two chunks then InvokeComplete", "/stream-raw",
       event_stream(payload_chunk("hello, ") + payload_chunk("world") + invoke_complete()), Client::Finished,
       200, "", "hello, world"},
      {"raw: InvokeComplete with ErrorCode after a chunk", "/stream-raw",
       event_stream(payload_chunk("partial") + failed), Client::Aborted, 200, "", "partial"},
      {"raw: InvokeComplete with ErrorCode and no chunk", "/stream-raw", event_stream(failed),
       Client::Response, 502, "function_error", ""},
      {"raw: corrupt CRC in the first message", "/stream-raw",
       event_stream(with_bad_crc(payload_chunk("x")) + invoke_complete()), Client::Response, 502,
       "upstream_unavailable", ""},
      {"raw: corrupt CRC after a chunk", "/stream-raw",
       event_stream(payload_chunk("partial") + with_bad_crc(payload_chunk("x")) + invoke_complete()),
       Client::Aborted, 200, "", "partial"},
      {"raw: exception event after a chunk", "/stream-raw",
       event_stream(payload_chunk("partial") +
                    exception_event("ServiceException", R"({"message":"internal"})")),
       Client::Aborted, 200, "", "partial"},
      {"raw: exception event before any chunk (Lambda's failure, not the function's)", "/stream-raw",
       event_stream(exception_event("ServiceException", R"({"message":"internal"})")), Client::Response, 502,
       "upstream_unavailable", ""},
      {"raw: body ends without InvokeComplete after a chunk", "/stream-raw",
       event_stream(payload_chunk("partial")), Client::Aborted, 200, "", "partial"},
      {"raw: body ends without InvokeComplete and no chunk", "/stream-raw", event_stream(""),
       Client::Response, 502, "upstream_unavailable", ""},
      {"raw: body ends inside a message", "/stream-raw", event_stream(payload_chunk("partial").substr(0, 20)),
       Client::Response, 502, "upstream_unavailable", ""},
      {"raw: InvokeComplete only, no output", "/stream-raw", event_stream(invoke_complete()),
       Client::Response, 200, "", ""},
      {"raw: Lambda throttles before the stream",
       "/stream-raw",
       {429,
        {{"x-amzn-ErrorType", "TooManyRequestsException"}, {"Content-Type", "application/json"}},
        R"({"Reason":"ReservedFunctionConcurrentInvocationLimitExceeded","Type":"User","message":"Rate Exceeded."})"},
       Client::Response,
       429,
       "lambda_throttled",
       ""},
      {"raw: Lambda rejects the call",
       "/stream-raw",
       {404, {{"x-amzn-ErrorType", "ResourceNotFoundException"}}, R"({"Type":"User","Message":"not found"})"},
       Client::Response,
       502,
       "lambda_rejected",
       ""},
      {"raw: a 200 that is not an event stream",
       "/stream-raw",
       {200, {{"Content-Type", "application/json"}}, R"({"a":1})"},
       Client::Response,
       502,
       "upstream_unavailable",
       ""},
      {"HTTP integration: prelude split across the two chunks", "/stream-http",
       event_stream(payload_chunk(prelude + kNuls.substr(0, 3)) + payload_chunk(kNuls.substr(3) + "body") +
                    invoke_complete()),
       Client::Finished, 201, "", "body"},
      {"HTTP integration: ErrorCode after the prelude", "/stream-http",
       event_stream(payload_chunk(prelude + kNuls + "partial") + failed), Client::Aborted, 201, "",
       "partial"},
      {"HTTP integration: ErrorCode inside the prelude", "/stream-http",
       event_stream(payload_chunk(R"({"statusCode":)") + failed), Client::Response, 502, "function_error",
       ""},
      {"HTTP integration: prelude never completed", "/stream-http",
       event_stream(payload_chunk(prelude + kNuls.substr(0, 7)) + invoke_complete()), Client::Response, 502,
       "invalid_function_response", ""},
      {"HTTP integration: prelude is not JSON", "/stream-http",
       event_stream(payload_chunk("hello" + kNuls + "world") + invoke_complete()), Client::Response, 502,
       "invalid_function_response", ""},
      {"HTTP integration: prelude with a bad status", "/stream-http",
       event_stream(payload_chunk(R"({"statusCode":42})" + kNuls + "x") + invoke_complete()),
       Client::Response, 502, "invalid_function_response", ""},
  };
  const auto c = GENERATE_COPY(from_range(cases));
  INFO(c.name);
  Harness h(pipeline_config());
  h.http.push(c.lambda);
  const auto r = h.call(c.target, "{}");
  REQUIRE(h.http.calls().size() == 1);
  CHECK(h.http.last_call().request.target == "/2021-11-15/functions/echo/response-streaming-invocations");
  switch (c.client) {
    case Client::Finished:
    case Client::Aborted:
      REQUIRE(h.writer.started());
      CHECK(h.writer.head().result_int() == c.status);
      CHECK(h.writer.finished == (c.client == Client::Finished));
      CHECK(h.writer.aborted == (c.client == Client::Aborted));
      CHECK(h.writer.body() == c.body);
      check_no_lambda_headers(h.writer.head());
      break;
    case Client::Response:
      CHECK_FALSE(h.writer.started());
      CHECK_FALSE(h.writer.finished);
      CHECK_FALSE(h.writer.aborted);
      CHECK(r.result_int() == c.status);
      if (c.code.empty()) {
        CHECK(r.body() == c.body);
      } else {
        CHECK(code_of(r) == c.code);
      }
      if (c.code == "lambda_throttled") CHECK(r[bhttp::field::retry_after] == "1");
      CHECK_FALSE(r["x-request-id"].empty());
      check_no_lambda_headers(r);
      break;
  }
}

// A raw stream is relayed as it comes: the head (200, octet-stream, the request id) before the
// first chunk, each chunk as written, then the end; the call goes to InvokeWithResponseStream.
TEST_CASE("streaming: a raw stream relays each chunk after its head", "[proxy][streaming]") {
  Harness h(pipeline_config());
  h.http.push(event_stream(payload_chunk("hello, ") + payload_chunk("world") + invoke_complete()));
  const auto r = h.call("/stream-raw", "{}");
  const auto& call = h.http.last_call();
  CHECK(call.request.target == "/2021-11-15/functions/echo/response-streaming-invocations");
  CHECK(call.request.body == "{}");
  CHECK(testing::find_header(call.request.headers, "x-amz-invocation-type") == "RequestResponse");
  REQUIRE(h.writer.started());
  CHECK(h.writer.head().result_int() == 200);
  CHECK(h.writer.head()[bhttp::field::content_type] == "application/octet-stream");
  CHECK_FALSE(h.writer.head()["x-request-id"].empty());
  CHECK(h.writer.head()["x-request-id"] == r["x-request-id"]);
  CHECK(h.writer.chunks == std::vector<std::string>{"hello, ", "world"});
  CHECK(h.writer.finished);
  CHECK_FALSE(h.writer.aborted);
  check_no_lambda_headers(h.writer.head());
}

// A function's own x-request-id (unwrapAsApiGateway headers) gives way to the gateway's: the
// response carries one, the one the access log and the event's requestId have.
TEST_CASE("the gateway's x-request-id replaces the function's own", "[proxy]") {
  Harness h(pipeline_config());
  h.http.push_response(
      200, R"({"statusCode":201,"headers":{"X-Request-Id":"from-the-function","x-other":"1"},"body":"ok"})");
  const auto r = h.call("/unwrap1", "", bhttp::verb::post, {{"x-request-id", "from-the-client"}});
  CHECK(r.result_int() == 201);
  CHECK(r.count("x-request-id") == 1);
  CHECK(r["x-request-id"] == "from-the-client");
  CHECK(r["x-other"] == "1");
}

// With unwrapAsApiGateway a stream is in the HTTP-integration format: its prelude (JSON, then 8
// NULs, here split across the chunks) gives status, headers and cookies, and is not body.
TEST_CASE("streaming: the HTTP-integration prelude sets the head", "[proxy][streaming]") {
  struct Case {
    const char* name;
    std::vector<std::string> chunks;
    std::vector<std::string> relayed;
  };
  const std::string prelude =
      R"({"statusCode":201,"headers":{"Content-Type":"text/plain","X-A":"1"},"cookies":["a=1; Path=/","b=2"]})";
  const std::vector<Case> cases = {
      {"NULs split 4 + 4, body in the second chunk",
       {prelude + kNuls.substr(0, 4), kNuls.substr(4) + "hello"},
       {"hello"}},
      {"JSON split, NULs and body in the second chunk",
       {prelude.substr(0, 10), prelude.substr(10) + kNuls + "hello"},
       {"hello"}},
      {"all NULs in the first chunk, body after", {prelude + kNuls, "hel", "lo"}, {"hel", "lo"}},
      {"prelude and body in one chunk", {prelude + kNuls + "hello"}, {"hello"}},
  };
  const auto c = GENERATE_COPY(from_range(cases));
  INFO(c.name);
  std::string stream;
  for (const auto& chunk : c.chunks) stream += payload_chunk(chunk);
  stream += invoke_complete();
  Harness h(pipeline_config());
  h.http.push(event_stream(stream));
  const auto r = h.call("/stream-http", "{}");
  REQUIRE(h.writer.started());
  const auto& head = h.writer.head();
  CHECK(head.result_int() == 201);
  CHECK(values_of(head, "content-type") == std::vector<std::string>{"text/plain"});
  CHECK(values_of(head, "x-a") == std::vector<std::string>{"1"});
  CHECK(values_of(head, "set-cookie") == std::vector<std::string>{"a=1; Path=/", "b=2"});
  CHECK(head["x-request-id"] == r["x-request-id"]);
  check_no_lambda_headers(head);
  CHECK(h.writer.chunks == c.relayed);
  CHECK(h.writer.body() == "hello");
  CHECK(h.writer.finished);
  CHECK_FALSE(h.writer.aborted);
}

// A route may name a function discovery found ("fn:3" is fn's version 3); hand-written
// lambdaFunctions win over a discovered entry of the same logical name; a name in neither is a
// 502 lambda_rejected that names it.
TEST_CASE("discovery: routes invoke discovered functions", "[proxy][discovery]") {
  struct Case {
    const char* name;
    const char* logical_name;
    bool round_succeeded;
    std::string target;   // the Invoke target, or empty when no call is made
    std::string message;  // part of the error message when no call is made
    std::string logged;   // part of the warn line then (the detail the client is not told)
  };
  const std::vector<Case> cases = {
      {"a discovered version", "fn:3", true, "/2015-03-31/functions/fn/invocations?Qualifier=3", "", ""},
      {"a discovered $LATEST", "fn", true, "/2015-03-31/functions/fn/invocations", "", ""},
      {"a discovered alias", "fn:live", true, "/2015-03-31/functions/fn/invocations?Qualifier=live", "", ""},
      {"hand-written wins over discovered", "shadowed", true,
       "/2015-03-31/functions/static-fn/invocations?Qualifier=7", "", ""},
      {"hand-written $LATEST wins over a discovered name", "uppercase", true,
       "/2015-03-31/functions/uppercase/invocations?Qualifier=%24LATEST", "", ""},
      {"in neither", "ghost", true, "", "function 'ghost'", "function discovery has not found it"},
      {"no round has succeeded yet", "fn:3", false, "", "function 'fn:3'", "no discovery round has succeeded yet"},
  };
  const auto c = GENERATE_COPY(from_range(cases));
  INFO(c.name);
  auto config = base_config();
  config->upstreams[0].aws.lambda_functions.push_back({"shadowed", "static-fn", "7", {}, {}});
  config->virtual_services[0].routes.push_back(lambda_route("/discovered", c.logical_name));
  Harness h(config);

  auto discovered = std::make_shared<discovery::DiscoveredFunctions>();
  if (c.round_succeeded) {
    using discovery::EntryKind;
    auto catalog =
        std::make_shared<const discovery::FunctionCatalog>(discovery::FunctionCatalog::from_entries(
            {{"fn", "fn", "", EntryKind::Latest},
             {"fn:3", "fn", "3", EntryKind::Version},
             {"fn:live", "fn", "live", EntryKind::Alias},
             {"shadowed", "discovered-fn", "", EntryKind::Latest},
             {"uppercase", "discovered-uppercase", "", EntryKind::Latest}},
            h.clock.system_now()));
    discovered->record_success(catalog, h.clock.system_now());
  }
  auto snapshot = std::make_shared<proxy::Snapshot>(*h.store.get());
  snapshot->version = 2;
  REQUIRE(snapshot->upstreams.size() == 1);
  snapshot->upstreams.begin()->second.discovered = discovered;
  h.store.publish(snapshot);

  h.http.push_response(200, "{}");
  const auto r = h.call("/discovered", "{}");
  if (c.target.empty()) {
    CHECK(r.result_int() == 502);
    CHECK(code_of(r) == "lambda_rejected");
    CHECK_THAT(r.body(), Catch::Matchers::Contains(c.message));
    CHECK_THAT(r.body(), !Catch::Matchers::Contains("upstream"));
    CHECK_THAT(h.problems_logged(), Catch::Matchers::Contains(c.logged));
    CHECK(h.http.calls().empty());
  } else {
    CHECK(r.result_int() == 200);
    REQUIRE(h.http.calls().size() == 1);
    CHECK(h.http.last_call().request.target == c.target);
  }
}

// prefixRewrite replaces what the route matched with, as Envoy does for the route Gloo expands
// each matcher into: the implicit `prefix: /` of a route without matchers, an exact path, a
// whole regex-matched path, and the matcher that actually matched (not the first whose path
// fits).
TEST_CASE("request mapping: prefixRewrite of the matcher that matched", "[proxy][mapping]") {
  struct Case {
    const char* name;
    std::vector<config::Matcher> matchers;
    std::string rewrite;
    std::string target;
    std::string path;  // the event's
  };
  auto matcher = [](config::PathMatchKind kind, std::string path) {
    config::Matcher m;
    m.kind = kind;
    m.path = std::move(path);
    return m;
  };
  config::Matcher versioned = matcher(config::PathMatchKind::Prefix, "/h/v2/");
  versioned.headers.push_back({"x-v", "2", false, false});
  const std::vector<Case> cases = {
      {"no matchers: the implicit prefix /", {}, "/api/", "/zzz/x?q=1", "/api/zzz/x"},
      {"an exact matcher: the whole path",
       {matcher(config::PathMatchKind::Exact, "/e")},
       "/api",
       "/e?q=1",
       "/api"},
      {"a regex matcher: the whole path",
       {matcher(config::PathMatchKind::Regex, "/r/[0-9]+")},
       "/api",
       "/r/12",
       "/api"},
      {"the second matcher matched, not the first whose path fits",
       {versioned, matcher(config::PathMatchKind::Prefix, "/h/")},
       "/api/",
       "/h/v2/x",
       "/api/v2/x"},
  };
  const auto c = GENERATE_COPY(from_range(cases));
  INFO(c.name);
  auto config = pipeline_config();
  config::Route route = spec_route("/unused", make_spec(true, false), c.rewrite);
  route.matchers = c.matchers;
  config->virtual_services[0].routes.push_back(route);  // last: a catch-all must not hide the others
  Harness h(config);
  h.http.push_response(200, "{}");
  const auto r = h.call(c.target, "{}");
  REQUIRE(r.result_int() == 200);
  CHECK(nlohmann::json::parse(h.http.last_call().request.body).at("path") == c.path);
}

// A route's headerManipulation shapes a streamed head as it shapes a buffered response, and in
// both every response keeps its x-request-id (README: "Every response carries x-request-id").
TEST_CASE("streaming: headerManipulation and x-request-id as for buffered responses",
          "[proxy][streaming]") {
  const bool streamed = GENERATE(false, true);
  INFO((streamed ? "streamed" : "buffered"));
  auto config = pipeline_config();
  config::AwsDestinationSpec spec;
  spec.response_streaming = streamed;
  config::Route route = spec_route("/manipulated", spec);
  config::HeaderManipulation hm;
  hm.response_headers_to_remove = {"x-request-id"};
  hm.response_headers_to_add = {{"x-added", "1", true}};
  route.options.header_manipulation = hm;
  config->virtual_services[0].routes.push_back(route);
  Harness h(config);
  if (streamed) {
    h.http.push(event_stream(payload_chunk("hello") + invoke_complete()));
  } else {
    h.http.push_response(200, "hello");
  }
  auto r = h.call("/manipulated", "{}");
  const http::Response& head = streamed ? h.writer.head() : r;
  CHECK(h.writer.started() == streamed);
  CHECK(head["x-added"] == "1");
  CHECK_FALSE(head["x-request-id"].empty());
}
