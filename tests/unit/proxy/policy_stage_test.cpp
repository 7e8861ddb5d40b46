// The request policies in the pipeline (policy_stage), through the whole Gateway over a
// FakeHttpClient and a FakeClock: what is answered before Lambda, what reaches it, and the
// headers every answer gets.
#include "lambdagate/proxy/policy_stage.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "fakes/fake_clock.hpp"
#include "fakes/fake_env.hpp"
#include "fakes/fake_http_client.hpp"
#include "fakes/fake_sleeper.hpp"
#include "fakes/recording_response_writer.hpp"
#include "lambdagate/proxy/gateway.hpp"
#include "lambdagate/wiring/snapshot_builder.hpp"
#include "unit/policy/jwt_test_keys.hpp"

namespace {

using namespace lambdagate;
using namespace std::chrono_literals;
namespace bhttp = boost::beast::http;
using testing::fake_env;

config::Route route(std::string name, std::string prefix, std::string logical_name) {
  config::Route r;
  r.name = std::move(name);
  config::Matcher m;
  m.kind = config::PathMatchKind::Prefix;
  m.path = std::move(prefix);
  r.matchers.push_back(m);
  config::Destination d;
  d.upstream = {"lambda", "gloo-system"};
  d.aws = config::AwsDestinationSpec{};
  d.aws->logical_name = std::move(logical_name);
  r.route_action = config::RouteAction{{d}, false};
  return r;
}

config::CorsPolicy cors() {
  config::CorsPolicy p;
  p.allow_origin = {"https://app.example.com"};
  p.allow_methods = {"GET", "POST"};
  p.allow_credentials = true;
  return p;
}

struct Harness {
  testing::FakeClock clock;
  testing::FakeSleeper sleeper{clock};
  testing::FakeHttpClient http;
  observability::AccessLog access_log{observability::LogFormat::Text, false};
  std::atomic<bool> draining{false};
  proxy::SnapshotStore store;
  observability::Metrics metrics{1};
  std::unique_ptr<proxy::Gateway> gateway;

  explicit Harness(std::shared_ptr<config::Config> config) {
    fake_env().clear();
    fake_env()["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE";
    fake_env()["AWS_SECRET_ACCESS_KEY"] = "secret";
    fake_env()["AWS_ENDPOINT_URL_LAMBDA"] = "http://127.0.0.1:9999";
    wiring::Environment environment{&testing::fake_lookup};
    environment.clock = &clock;  // buckets refill on the fake clock
    auto build = wiring::build_snapshot(config, environment, 1, clock.system_now());
    INFO((build.errors.empty() ? "" : build.errors.front()));
    REQUIRE(build.errors.empty());
    store.publish(build.snapshot);
    gateway = std::make_unique<proxy::Gateway>(store, http, clock, sleeper, access_log, draining,
                                               proxy::GatewayOptions{}, &metrics.shard(0));
  }

  http::Response call(std::string target, bhttp::verb method = bhttp::verb::get,
                      const http::HeaderList& headers = {}, std::string* seen_payload = nullptr) {
    const http::ConnectionInfo connection{"127.0.0.1", 1234, {}};
    return call_on(connection, std::move(target), method, headers, seen_payload);
  }

  // The same, on a connection the caller keeps (per-connection state survives between calls).
  http::Response call_on(const http::ConnectionInfo& connection, std::string target,
                         bhttp::verb method = bhttp::verb::get, const http::HeaderList& headers = {},
                         std::string* seen_payload = nullptr) {
    testing::RecordingResponseWriter writer;
    http::Request request{method, target, 11};
    request.set(bhttp::field::host, "example.com");
    for (const auto& [name, value] : headers) request.insert(name, value);
    request.prepare_payload();
    boost::asio::io_context io;
    const std::size_t calls_before = http.calls().size();
    auto future = boost::asio::co_spawn(
        io,
        [&]() -> lambdagate::core::Task<http::Response> {
          co_return co_await gateway->handle(request, connection, writer);
        },
        boost::asio::use_future);
    io.run();
    auto response = future.get();
    if (seen_payload && http.calls().size() > calls_before) *seen_payload = http.last_call().request.body;
    return response;
  }
};

std::shared_ptr<config::Config> base_config() {
  auto c = std::make_shared<config::Config>();
  config::Upstream u;
  u.metadata.name = "lambda";
  u.metadata.namespace_ = "gloo-system";
  u.aws.region = "us-east-1";
  u.aws.lambda_functions = {{"echo", "echo", "", {}, {}}, {"capped", "echo", "", 0u, {}}};
  c->upstreams = {u};
  config::VirtualService vs;
  vs.metadata.name = "default";
  vs.metadata.namespace_ = "gloo-system";
  vs.domains = {"*"};
  vs.options.cors = cors();
  auto open = route("open", "/open", "echo");
  open.options.cors = cors();
  auto limited = route("limited", "/limited", "echo");
  limited.options.rate_limit = config::LocalRateLimit{2, 1, 1000ms, {}};
  auto capped = route("capped", "/capped", "capped");
  vs.routes = {open, limited, capped};
  c->virtual_services = {vs};
  return c;
}

std::string code_of(const http::Response& r) { return nlohmann::json::parse(r.body()).at("code"); }

}  // namespace

// A preflight from an allowed origin is answered by the gateway: 200, the allow-* headers, no
// Lambda call.
TEST_CASE("policy stage: a CORS preflight is answered without invoking", "[proxy][policy]") {
  Harness h(base_config());
  auto r = h.call("/open", bhttp::verb::options,
                  {{"origin", "https://app.example.com"}, {"access-control-request-method", "POST"}});
  CHECK(r.result_int() == 200);
  CHECK(r["access-control-allow-origin"] == "https://app.example.com");
  CHECK(r["access-control-allow-methods"] == "GET,POST");
  CHECK(r["access-control-allow-credentials"] == "true");
  CHECK(r.body().empty());
  CHECK(h.http.calls().empty());
  observability::MetricsSummary m = h.metrics.collect();
  CHECK(m.policy[{"cors_preflight", "open", "answered"}] == 1);
}

// lambdagate's own errors carry CORS headers for an allowed origin (here a 404 without any
// route, from the virtual host's policy); a disallowed origin gets none.
TEST_CASE("policy stage: CORS headers on lambdagate's own answers", "[proxy][policy]") {
  Harness h(base_config());
  auto r = h.call("/nowhere", bhttp::verb::get, {{"origin", "https://app.example.com"}});
  CHECK(r.result_int() == 404);
  CHECK(r["access-control-allow-origin"] == "https://app.example.com");
  CHECK(r["vary"] == "origin");
  auto other = h.call("/nowhere", bhttp::verb::get, {{"origin", "https://evil.example.com"}});
  CHECK(other.find("access-control-allow-origin") == other.end());
}

// A route bucket of 2 tokens refilled by 1 per second: the third request in the same instant is
// a 429 rate_limited with Retry-After and no Lambda call; a second later one more passes.
TEST_CASE("policy stage: a local rate limit sheds before Lambda and refills", "[proxy][policy]") {
  Harness h(base_config());
  h.http.push_response(200, "1");
  h.http.push_response(200, "2");
  CHECK(h.call("/limited").result_int() == 200);
  CHECK(h.call("/limited").result_int() == 200);
  auto denied = h.call("/limited");
  CHECK(denied.result_int() == 429);
  CHECK(code_of(denied) == "rate_limited");
  CHECK(denied[bhttp::field::retry_after] == "1");
  CHECK(h.http.calls().size() == 2);
  h.clock.advance(1s);
  h.http.push_response(200, "3");
  CHECK(h.call("/limited").result_int() == 200);
  CHECK(h.metrics.collect().policy[{"rate_limited", "limited", "route"}] == 1);
}

// maxConcurrency 0 on a function entry is a cap nobody fits under: every call is shed with 429
// before Lambda (the config loader refuses 0; the runtime must still never exceed a cap).
TEST_CASE("policy stage: a function's concurrency cap sheds with 429", "[proxy][policy]") {
  Harness h(base_config());
  auto r = h.call("/capped");
  CHECK(r.result_int() == 429);
  CHECK(code_of(r) == "rate_limited");
  CHECK(r.find(bhttp::field::retry_after) == r.end());
  CHECK(h.http.calls().empty());
}

// JWT on the virtual host: no token → 401 with a Bearer challenge, never invoked; a valid RS256
// token passes, its claims reach the 2.0 and 1.0 events where API Gateway puts them,
// claimsToHeaders adds x-user (Gloo's own event too) and the token header is removed; a token
// for another audience → 403.
TEST_CASE("policy stage: JWT verdicts and claims in the events", "[proxy][policy][jwt]") {
  const auto key = testing::TestKey::rsa();
  auto config = base_config();
  config::JwtProvider provider;
  provider.name = "idp";
  provider.issuer = "https://issuer.test";
  provider.audiences = {"api"};
  provider.local_jwks = testing::jwks({key.jwk("k1", "RS256")});
  provider.claims_to_headers = {{"sub", "x-user", false}};
  config::JwtConfig jwt;
  jwt.providers = {provider};
  auto& vs = config->virtual_services.front();
  vs.options.jwt = jwt;
  auto events = route("events", "/events", "echo");
  events.route_action->destinations.front().aws->wrap_as_api_gateway = true;
  events.route_action->destinations.front().aws->payload_format_version = "2.0";
  vs.routes.push_back(events);
  auto events_v1 = route("events-v1", "/v1events", "echo");
  events_v1.route_action->destinations.front().aws->wrap_as_api_gateway = true;
  vs.routes.push_back(events_v1);
  auto plain = route("plain", "/plain", "echo");
  plain.route_action->destinations.front().aws->request_transformation = true;
  vs.routes.push_back(plain);
  Harness h(config);

  auto missing = h.call("/events");
  CHECK(missing.result_int() == 401);
  CHECK(code_of(missing) == "unauthorized");
  CHECK(missing[bhttp::field::www_authenticate] == "Bearer realm=\"http://example.com/events\"");
  CHECK(h.http.calls().empty());

  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(h.clock.system_now().time_since_epoch()).count();
  nlohmann::json claims = {{"iss", "https://issuer.test"},
                           {"aud", "api"},
                           {"sub", "alice"},
                           {"scope", "read write"},
                           {"exp", now + 600}};
  const std::string good = testing::make_token(key, policy::Algorithm::RS256, claims, {{"kid", "k1"}});
  h.http.push_response(200, "{}");
  std::string payload;
  auto ok = h.call("/events", bhttp::verb::get, {{"authorization", "Bearer " + good}}, &payload);
  CHECK(ok.result_int() == 200);
  const auto event = nlohmann::json::parse(payload);
  CHECK(event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] == "alice");
  CHECK(event["requestContext"]["authorizer"]["jwt"]["scopes"] == nlohmann::json({"read", "write"}));
  CHECK(event["headers"]["x-user"] == "alice");
  CHECK_FALSE(event["headers"].contains("authorization"));

  // The same token again comes from this worker's cache of verified tokens.
  h.http.push_response(200, "{}");
  CHECK(h.call("/events", bhttp::verb::get, {{"authorization", "Bearer " + good}}).result_int() == 200);

  // Payload 1.0: requestContext.authorizer.claims; Gloo's own event: claimsToHeaders only.
  h.http.push_response(200, "{}");
  h.call("/v1events", bhttp::verb::get, {{"authorization", "Bearer " + good}}, &payload);
  const auto v1 = nlohmann::json::parse(payload);
  CHECK(v1["requestContext"]["authorizer"]["claims"]["sub"] == "alice");
  CHECK(v1["requestContext"]["authorizer"]["scopes"] == nlohmann::json({"read", "write"}));
  h.http.push_response(200, "{}");
  h.call("/plain", bhttp::verb::get, {{"authorization", "Bearer " + good}}, &payload);
  const auto gloo = nlohmann::json::parse(payload);
  CHECK(gloo["headers"]["x-user"] == "alice");
  CHECK_FALSE(gloo["headers"].contains("authorization"));

  claims["aud"] = "other";
  const std::string wrong_audience =
      testing::make_token(key, policy::Algorithm::RS256, claims, {{"kid", "k1"}});
  auto forbidden = h.call("/events", bhttp::verb::get, {{"authorization", "Bearer " + wrong_audience}});
  CHECK(forbidden.result_int() == 403);
  CHECK(code_of(forbidden) == "forbidden");
  CHECK(h.http.calls().size() == 4);
  CHECK(h.metrics.collect().policy[{"jwt_failure", "events", "missing"}] == 1);
}

// httpLocalRatelimit: the Gateway's defaultLimit applies where neither the route nor the virtual
// host sets one; with localRateLimitPerDownstreamConnection each connection has its own bucket,
// and x-ratelimit-* headers go on every response when enabled.
TEST_CASE("policy stage: the Gateway default limit, per connection", "[proxy][policy]") {
  auto config = base_config();
  config::Gateway gateway;
  gateway.metadata.name = "gateway-proxy";
  gateway.metadata.namespace_ = "gloo-system";
  config::HttpLocalRateLimitSettings settings;
  settings.default_limit = config::LocalRateLimit{1, 1, 60'000ms, {}};
  settings.per_downstream_connection = true;
  settings.enable_x_ratelimit_headers = true;
  gateway.http_local_rate_limit = settings;
  config->gateways = {gateway};
  Harness h(config);
  const http::ConnectionInfo first{"127.0.0.1", 1000, {}};
  const http::ConnectionInfo second{"127.0.0.1", 1001, {}};
  h.http.push_response(200, "1");
  h.http.push_response(200, "2");
  auto ok = h.call_on(first, "/open");
  CHECK(ok.result_int() == 200);
  CHECK(ok["x-ratelimit-limit"] == "1");
  CHECK(ok["x-ratelimit-remaining"] == "0");
  auto denied = h.call_on(first, "/open");
  CHECK(denied.result_int() == 429);
  CHECK(denied["x-ratelimit-remaining"] == "0");
  CHECK(denied[bhttp::field::retry_after] == "60");
  CHECK(h.call_on(second, "/open").result_int() == 200);
  CHECK(h.metrics.collect().policy[{"rate_limited", "open", "gateway"}] == 1);
  // The route with its own bucket is not subject to the Gateway's.
  h.http.push_response(200, "3");
  CHECK(h.call_on(first, "/limited").result_int() == 200);
}
