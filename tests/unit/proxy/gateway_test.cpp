#include <catch2/catch.hpp>

#include <map>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <nlohmann/json.hpp>

#include "fakes/fake_clock.hpp"
#include "fakes/fake_http_client.hpp"
#include "fakes/recording_response_writer.hpp"
#include "lambdagate/proxy/gateway.hpp"

namespace {

using namespace lambdagate;
using namespace std::chrono_literals;
namespace bhttp = boost::beast::http;

std::map<std::string, std::string>& fake_env() {
  static std::map<std::string, std::string> env;
  return env;
}
std::optional<std::string> lookup(const char* name) {
  auto it = fake_env().find(name);
  if (it == fake_env().end()) return std::nullopt;
  return it->second;
}

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
  u.aws.lambda_functions = {{"uppercase", "uppercase", "$LATEST", {}}, {"fail", "fail", "", {}},
                            {"arn", "arn:aws:lambda:us-east-1:123456789012:function:f", "", {}}};
  return u;
}

// A gateway over a FakeHttpClient: the whole pipeline without sockets.
struct Harness {
  testing::FakeClock clock;
  testing::FakeHttpClient http;
  observability::AccessLog access_log{observability::LogFormat::Text, false};
  std::atomic<bool> draining{false};
  proxy::SnapshotStore store;
  observability::Metrics metrics{1};
  std::unique_ptr<proxy::Gateway> gateway;
  testing::RecordingResponseWriter writer;  // what the last call streamed, if it did

  explicit Harness(std::shared_ptr<config::Config> config, bool with_env_credentials = true) {
    fake_env().clear();
    if (with_env_credentials) {
      fake_env()["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE";
      fake_env()["AWS_SECRET_ACCESS_KEY"] = "secret";
    }
    fake_env()["AWS_ENDPOINT_URL_LAMBDA"] = "http://127.0.0.1:9999";
    auto build = proxy::build_snapshot(config, proxy::Environment{&lookup}, 1, clock.system_now());
    REQUIRE(build.errors.empty());
    store.publish(build.snapshot);
    gateway = std::make_unique<proxy::Gateway>(store, http, clock, access_log, draining, proxy::GatewayOptions{},
                                               &metrics.shard(0));
  }

  http::Response call(std::string target, std::string body = {}, bhttp::verb method = bhttp::verb::post) {
    writer = testing::RecordingResponseWriter{};
    http::Request request{method, target, 11};
    request.set(bhttp::field::host, "example.com");
    request.body() = std::move(body);
    request.prepare_payload();
    boost::asio::io_context io;
    const http::ConnectionInfo connection{"127.0.0.1", 1234};
    auto future = boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<http::Response> {
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
