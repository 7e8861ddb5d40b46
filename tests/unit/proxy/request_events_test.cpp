// Request events: Gloo's requestTransformation, API Gateway payload 1.0 and 2.0, and the text/binary
// body decision, field by field and byte for byte.
#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lambdagate/core/base64.hpp"
#include "lambdagate/proxy/payload_mapping.hpp"

namespace lambdagate::proxy {
namespace {

using nlohmann::json;
using namespace std::chrono;
using Headers = std::vector<std::pair<std::string_view, std::string_view>>;

// 2026-11-25T12:00:00.123Z
const core::SystemTime kTime = sys_days{year{2026} / November / 25} + hours{12} + milliseconds{123};
constexpr std::int64_t kEpochMillis = 1795608000123;

IncomingRequest make_request(std::string_view method, std::string_view target, Headers headers = {},
                             std::string_view body = {}) {
  IncomingRequest request;
  request.method = method;
  request.target = target;
  request.headers = std::move(headers);
  request.body = body;
  request.source_ip = "192.0.2.7";
  request.request_id = "req-123";
  request.time = kTime;
  return request;
}

std::string all_bytes() {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  return bytes;
}

// The body an event carries, decoded: what the function gets after honouring isBase64Encoded.
std::string carried_body(const json& event) {
  if (!event.contains("body") || event["body"].is_null()) return "";
  const std::string text = event["body"].get<std::string>();
  if (event.value("isBase64Encoded", false)) return core::base64::decode(text).value();
  return text;
}

// The epoch constant above is the time it names.
TEST_CASE("test clock constant is consistent", "[payload]") {
  CHECK(duration_cast<milliseconds>(kTime.time_since_epoch()).count() == kEpochMillis);
}

// Which bodies travel as JSON strings and which as base64.
TEST_CASE("is_text_body decides by media type and UTF-8 validity", "[payload]") {
  struct Case {
    std::string content_type;
    std::string body;
    bool text;
  };
  const std::vector<Case> cases = {
      {"text/plain", "hi", true},
      {"text/html; charset=utf-8", "<p>hi</p>", true},
      {"TEXT/CSV", "a,b", true},
      {"application/json", "{}", true},
      {"Application/JSON ; charset=UTF-8", "{}", true},
      {"application/problem+json", "{}", true},
      {"application/vnd.api+json", "{}", true},
      {"application/xml", "<a/>", true},
      {"image/svg+xml", "<svg/>", true},
      {"application/javascript", "x()", true},
      {"application/x-www-form-urlencoded", "a=1", true},
      {"", "plain words", true},
      {"application/octet-stream", "hi", false},
      {"image/png", "hi", false},
      {"multipart/form-data; boundary=x", "--x", false},
      {"application/jsonx", "{}", false},
      {"application/x-json-stream", "{}", false},
      {"nonsense", "hi", false},
      {"application/octet-stream", "", true},  // nothing to encode
      {"text/plain", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", true},
      {"text/plain; charset=latin1", "caf\xe9", false},  // not UTF-8
      {"application/json", "\xc0\xaf", false},           // overlong
      {"text/plain", "\xed\xa0\x80", false},             // surrogate
      {"text/plain", "\xf4\x90\x80\x80", false},         // above U+10FFFF
      {"text/plain", "\xe2\x82", false},                 // truncated
      {"", std::string("a\0b", 3), true},                // NUL is valid UTF-8 (JSON escapes it)
      {"", "\xff", false},
  };
  for (const auto& c : cases) {
    INFO(c.content_type << " / " << c.body);
    CHECK(is_text_body(c.content_type, c.body) == c.text);
  }
}

// Gloo's requestTransformation: lower-case names, last value wins, multi-value only for repeats,
// raw query string plus decoded parameters, keys sorted.
TEST_CASE("gloo_request_event has Gloo's fields and shapes", "[payload][gloo]") {
  const auto request = make_request(
      "GET", "/users/list?id=1&tag=a&tag=b&flag&q=a%20b%2Bc+d",
      {{"Host", "api.example.com"}, {"Accept", "*/*"}, {"X-Multi", "1"}, {"x-multi", "2"}, {"X-MULTI", "3"}});
  const std::string text = gloo_request_event(request);
  const json event = json::parse(text);
  CHECK(event["headers"] == json({{"host", "api.example.com"}, {"accept", "*/*"}, {"x-multi", "3"}}));
  CHECK(event["multiValueHeaders"] == json({{"x-multi", {"1", "2", "3"}}}));
  CHECK(event["queryString"] == "id=1&tag=a&tag=b&flag&q=a%20b%2Bc+d");
  CHECK(event["queryStringParameters"] == json({{"id", "1"}, {"tag", "b"}, {"flag", ""}, {"q", "a b+c+d"}}));
  CHECK(event["multiValueQueryStringParameters"] == json({{"tag", {"a", "b"}}}));
  CHECK(event["httpMethod"] == "GET");
  CHECK(event["path"] == "/users/list");
  CHECK_FALSE(event.contains("body"));
  CHECK_FALSE(event.contains("isBase64Encoded"));
  // Keys in Gloo's (std::map) order.
  CHECK(text.find("\"headers\"") < text.find("\"httpMethod\""));
  CHECK(text.find("\"httpMethod\"") < text.find("\"multiValueHeaders\""));
  CHECK(text.find("\"path\"") < text.find("\"queryString\""));
}

// Without a query or repeated headers, Gloo's maps are present and empty.
TEST_CASE("gloo_request_event keeps empty query fields", "[payload][gloo]") {
  const json event = json::parse(gloo_request_event(make_request("POST", "/", {{"Host", "h"}}, "{\"a\":1}")));
  CHECK(event["queryString"] == "");
  CHECK(event["queryStringParameters"] == json::object());
  CHECK(event["multiValueQueryStringParameters"] == json::object());
  CHECK(event["multiValueHeaders"] == json::object());
  CHECK(event["body"] == "{\"a\":1}");
  CHECK_FALSE(event.contains("isBase64Encoded"));
}

// Gloo's body is the raw string whatever its content type; only bytes that cannot be a JSON
// string are base64 (our extension), and both round-trip.
TEST_CASE("gloo_request_event carries text raw and non-UTF-8 as base64", "[payload][gloo]") {
  struct Case {
    std::string name;
    std::string content_type;
    std::string body;
    bool base64;
  };
  const std::vector<Case> cases = {
      {"json", "application/json", "{\"k\":\"v\"}", false},
      {"UTF-8 under a binary type", "application/octet-stream", "plain", false},
      {"all byte values", "application/octet-stream", all_bytes(), true},
      {"latin-1 text", "text/plain", "caf\xe9", true},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const json event = json::parse(
        gloo_request_event(make_request("POST", "/", {{"Content-Type", c.content_type}}, c.body)));
    CHECK(event.contains("isBase64Encoded") == c.base64);
    CHECK(carried_body(event) == c.body);
  }
}

// Query parsing shared by all formats: %XX decoding only, '+' kept, malformed escapes literal,
// empty pieces and empty names skipped.
TEST_CASE("query parameters are percent-decoded with '+' kept", "[payload]") {
  struct Case {
    std::string query;
    json expected;  // name → last value
  };
  const std::vector<Case> cases = {
      {"a=1", {{"a", "1"}}},
      {"a=x+y", {{"a", "x+y"}}},
      {"a=x%2By%20z", {{"a", "x+y z"}}},
      {"%7Ekey=%E2%82%AC", {{"~key", "\xe2\x82\xac"}}},
      {"a=%zz&b=%4", {{"a", "%zz"}, {"b", "%4"}}},
      {"a=100%", {{"a", "100%"}}},
      {"flag", {{"flag", ""}}},
      {"a=1=2", {{"a", "1=2"}}},
      {"&&a=1&&", {{"a", "1"}}},
      {"=x&b=2", {{"b", "2"}}},
      {"a=", {{"a", ""}}},
  };
  for (const auto& c : cases) {
    INFO(c.query);
    const std::string target = "/p?" + c.query;
    const json gloo = json::parse(gloo_request_event(make_request("GET", target)));
    CHECK(gloo["queryStringParameters"] == c.expected);
    const json v1 = json::parse(api_gateway_v1_event(make_request("GET", target), {}));
    CHECK(v1["queryStringParameters"] == c.expected);
    const json v2 = json::parse(api_gateway_v2_event(make_request("GET", target), {}));
    CHECK(v2["queryStringParameters"] == c.expected);
    CHECK(v2["rawQueryString"] == c.query);
  }
}

// A representative 1.0 event, every field AWS documents, with their shapes.
TEST_CASE("api_gateway_v1_event has every payload 1.0 field", "[payload][v1]") {
  const auto request = make_request("POST", "/users/42?verbose=1&tag=a&tag=b",
                                    {{"Host", "api.example.com:8443"},
                                     {"User-Agent", "curl/8.0"},
                                     {"Content-Type", "application/json"},
                                     {"X-Multi", "1"},
                                     {"x-multi", "2"},
                                     {"Cookie", "a=1; b=2"}},
                                    "{\"name\":\"x\"}");
  EventContext context;
  context.account_id = "123456789012";
  context.resource_path = "/users";
  const json event = json::parse(api_gateway_v1_event(request, context));

  CHECK(event["version"] == "1.0");
  CHECK(event["resource"] == "/users");
  CHECK(event["path"] == "/users/42");
  CHECK(event["httpMethod"] == "POST");
  CHECK(event["headers"] == json({{"Host", "api.example.com:8443"},
                                  {"User-Agent", "curl/8.0"},
                                  {"Content-Type", "application/json"},
                                  {"X-Multi", "2"},
                                  {"Cookie", "a=1; b=2"}}));
  CHECK(event["multiValueHeaders"] == json({{"Host", {"api.example.com:8443"}},
                                            {"User-Agent", {"curl/8.0"}},
                                            {"Content-Type", {"application/json"}},
                                            {"X-Multi", {"1", "2"}},
                                            {"Cookie", {"a=1; b=2"}}}));
  CHECK(event["queryStringParameters"] == json({{"verbose", "1"}, {"tag", "b"}}));
  CHECK(event["multiValueQueryStringParameters"] == json({{"verbose", {"1"}}, {"tag", {"a", "b"}}}));
  CHECK(event["pathParameters"].is_null());
  CHECK(event["stageVariables"].is_null());
  CHECK(event["body"] == "{\"name\":\"x\"}");
  CHECK(event["isBase64Encoded"] == false);

  const json& ctx = event["requestContext"];
  CHECK(ctx["accountId"] == "123456789012");
  CHECK(ctx["apiId"] == "lambdagate");
  CHECK(ctx["stage"] == "$default");
  CHECK(ctx["requestId"] == "req-123");
  CHECK(ctx["extendedRequestId"] == "req-123");
  CHECK(ctx["resourcePath"] == "/users");
  CHECK(ctx["httpMethod"] == "POST");
  CHECK(ctx["path"] == "/users/42");
  CHECK(ctx["protocol"] == "HTTP/1.1");
  CHECK(ctx["requestTime"] == "25/Nov/2026:12:00:00 +0000");
  CHECK(ctx["requestTimeEpoch"] == kEpochMillis);
  CHECK(ctx["domainName"] == "api.example.com");
  CHECK(ctx["domainPrefix"] == "api");

  const json& identity = ctx["identity"];
  CHECK(identity["sourceIp"] == "192.0.2.7");
  CHECK(identity["userAgent"] == "curl/8.0");
  for (const char* key : {"accessKey", "accountId", "apiKey", "apiKeyId", "caller", "clientCert",
                          "cognitoAuthenticationProvider", "cognitoAuthenticationType", "cognitoIdentityId",
                          "cognitoIdentityPoolId", "principalOrgId", "user", "userArn"}) {
    INFO(key);
    REQUIRE(identity.contains(key));
    CHECK(identity[key].is_null());
  }
}

// The 1.0 defaults: no query → null maps, no body → null, no User-Agent → null, no account or
// resource → the documented placeholders.
TEST_CASE("api_gateway_v1_event defaults for a bare request", "[payload][v1]") {
  const json event = json::parse(api_gateway_v1_event(make_request("GET", "/"), {}));
  CHECK(event["resource"] == "/{proxy+}");
  CHECK(event["headers"] == json::object());
  CHECK(event["multiValueHeaders"] == json::object());
  CHECK(event["queryStringParameters"].is_null());
  CHECK(event["multiValueQueryStringParameters"].is_null());
  CHECK(event["body"].is_null());
  CHECK(event["isBase64Encoded"] == false);
  CHECK(event["requestContext"]["accountId"] == std::string(kAnonymousAccountId));
  CHECK(event["requestContext"]["resourcePath"] == "/{proxy+}");
  CHECK(event["requestContext"]["identity"]["userAgent"].is_null());
  CHECK(event["requestContext"]["domainName"] == "");
  CHECK(event["requestContext"]["domainPrefix"] == "");
  // "?" with nothing after it is no parameters at all.
  const json empty_query = json::parse(api_gateway_v1_event(make_request("GET", "/?"), {}));
  CHECK(empty_query["queryStringParameters"].is_null());
}

// Paths stay as received in both formats: decoding %2F would invent a path separator.
TEST_CASE("event paths are not percent-decoded", "[payload]") {
  const auto request = make_request("GET", "/files/a%2Fb%20c?x=1");
  const json v1 = json::parse(api_gateway_v1_event(request, {}));
  CHECK(v1["path"] == "/files/a%2Fb%20c");
  CHECK(v1["requestContext"]["path"] == "/files/a%2Fb%20c");
  const json v2 = json::parse(api_gateway_v2_event(request, {}));
  CHECK(v2["rawPath"] == "/files/a%2Fb%20c");
  CHECK(v2["requestContext"]["http"]["path"] == "/files/a%2Fb%20c");
  const json gloo = json::parse(gloo_request_event(request));
  CHECK(gloo["path"] == "/files/a%2Fb%20c");
}

// domainName is the Host without its port, and domainPrefix its first label.
TEST_CASE("domainName and domainPrefix come from Host", "[payload]") {
  struct Case {
    std::string host;
    std::string domain;
    std::string prefix;
  };
  const std::vector<Case> cases = {
      {"api.example.com", "api.example.com", "api"},
      {"api.example.com:8080", "api.example.com", "api"},
      {"localhost:8080", "localhost", "localhost"},
      {"127.0.0.1:80", "127.0.0.1", "127.0.0.1"},
      {"[::1]:8080", "[::1]", "[::1]"},
      {"[2001:db8::1]", "[2001:db8::1]", "[2001:db8::1]"},
      {" spaced.example ", "spaced.example", "spaced"},
  };
  for (const auto& c : cases) {
    INFO(c.host);
    const auto request = make_request("GET", "/", {{"host", c.host}});
    const json v1 = json::parse(api_gateway_v1_event(request, {}));
    CHECK(v1["requestContext"]["domainName"] == c.domain);
    CHECK(v1["requestContext"]["domainPrefix"] == c.prefix);
    const json v2 = json::parse(api_gateway_v2_event(request, {}));
    CHECK(v2["requestContext"]["domainName"] == c.domain);
    CHECK(v2["requestContext"]["domainPrefix"] == c.prefix);
  }
}

// A domain name passed in the context (the host the pipeline routed on) wins over Host.
TEST_CASE("EventContext::domain_name overrides the Host header", "[payload]") {
  const auto request = make_request("GET", "/", {{"Host", "ignored.example:80"}});
  EventContext context;
  context.domain_name = "routed.example.com";
  for (const std::string& text :
       {api_gateway_v1_event(request, context), api_gateway_v2_event(request, context)}) {
    const json event = json::parse(text);
    CHECK(event["requestContext"]["domainName"] == "routed.example.com");
    CHECK(event["requestContext"]["domainPrefix"] == "routed");
  }
}

// requestTime is API Gateway's CLF-style UTC time with a zero-padded day, at any date.
TEST_CASE("request times use API Gateway's format", "[payload]") {
  struct Case {
    core::SystemTime time;
    std::string text;
    std::int64_t millis;
  };
  const std::vector<Case> cases = {
      {kTime, "25/Nov/2026:12:00:00 +0000", kEpochMillis},
      {sys_days{year{2026} / January / 5} + hours{3} + minutes{4} + seconds{5} + milliseconds{999},
       "05/Jan/2026:03:04:05 +0000", 1767582245999},
      {sys_days{year{2024} / February / 29} + hours{23} + minutes{59} + seconds{59},
       "29/Feb/2024:23:59:59 +0000", 1709251199000},
      {core::SystemTime{}, "01/Jan/1970:00:00:00 +0000", 0},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto request = make_request("GET", "/");
    request.time = c.time;
    const json v1 = json::parse(api_gateway_v1_event(request, {}));
    CHECK(v1["requestContext"]["requestTime"] == c.text);
    CHECK(v1["requestContext"]["requestTimeEpoch"] == c.millis);
    const json v2 = json::parse(api_gateway_v2_event(request, {}));
    CHECK(v2["requestContext"]["time"] == c.text);
    CHECK(v2["requestContext"]["timeEpoch"] == c.millis);
  }
}

// A representative 2.0 event: lower-case joined headers, cookies split out, joined query values.
TEST_CASE("api_gateway_v2_event has every payload 2.0 field", "[payload][v2]") {
  const auto request = make_request("PUT", "/users/42?tag=a&tag=b&x=%41",
                                    {{"Host", "api.example.com"},
                                     {"User-Agent", "curl/8.0"},
                                     {"Accept", "text/html"},
                                     {"accept", "application/json"},
                                     {"Cookie", "a=1; b=2"},
                                     {"cookie", "c=3;d=4;  ; e=5"},
                                     {"Content-Type", "text/plain"}},
                                    "hello");
  EventContext context;
  context.account_id = "123456789012";
  context.api_id = "api1";
  context.stage = "prod";
  context.resource_path = "/users";
  const json event = json::parse(api_gateway_v2_event(request, context));

  CHECK(event["version"] == "2.0");
  CHECK(event["routeKey"] == "ANY /users");
  CHECK(event["rawPath"] == "/users/42");
  CHECK(event["rawQueryString"] == "tag=a&tag=b&x=%41");
  CHECK(event["cookies"] == json({"a=1", "b=2", "c=3", "d=4", "e=5"}));
  CHECK(event["headers"] == json({{"host", "api.example.com"},
                                  {"user-agent", "curl/8.0"},
                                  {"accept", "text/html,application/json"},
                                  {"content-type", "text/plain"}}));
  CHECK(event["queryStringParameters"] == json({{"tag", "a,b"}, {"x", "A"}}));
  CHECK(event["body"] == "hello");
  CHECK(event["isBase64Encoded"] == false);
  CHECK_FALSE(event.contains("multiValueHeaders"));
  CHECK_FALSE(event.contains("multiValueQueryStringParameters"));

  const json& ctx = event["requestContext"];
  CHECK(ctx["accountId"] == "123456789012");
  CHECK(ctx["apiId"] == "api1");
  CHECK(ctx["domainName"] == "api.example.com");
  CHECK(ctx["domainPrefix"] == "api");
  CHECK(ctx["http"] == json({{"method", "PUT"},
                             {"path", "/users/42"},
                             {"protocol", "HTTP/1.1"},
                             {"sourceIp", "192.0.2.7"},
                             {"userAgent", "curl/8.0"}}));
  CHECK(ctx["requestId"] == "req-123");
  CHECK(ctx["routeKey"] == "ANY /users");
  CHECK(ctx["stage"] == "prod");
  CHECK(ctx["time"] == "25/Nov/2026:12:00:00 +0000");
  CHECK(ctx["timeEpoch"] == kEpochMillis);
}

// The 2.0 omissions: no cookies, no query, no body → the fields are absent; routeKey $default.
TEST_CASE("api_gateway_v2_event omits empty optional fields", "[payload][v2]") {
  auto request = make_request("GET", "/", {{"Host", "h"}});
  request.protocol = "HTTP/2.0";
  const json event = json::parse(api_gateway_v2_event(request, {}));
  CHECK(event["routeKey"] == "$default");
  CHECK(event["requestContext"]["routeKey"] == "$default");
  CHECK(event["rawQueryString"] == "");
  CHECK_FALSE(event.contains("cookies"));
  CHECK_FALSE(event.contains("queryStringParameters"));
  CHECK_FALSE(event.contains("body"));
  CHECK(event["isBase64Encoded"] == false);
  CHECK(event["headers"] == json({{"host", "h"}}));
  CHECK(event["requestContext"]["http"]["userAgent"] == "");
  CHECK(event["requestContext"]["http"]["protocol"] == "HTTP/2.0");
  CHECK(event["requestContext"]["accountId"] == std::string(kAnonymousAccountId));
  // A Cookie header with nothing in it yields no cookies field.
  const json blank = json::parse(api_gateway_v2_event(make_request("GET", "/", {{"Cookie", " ; "}}), {}));
  CHECK_FALSE(blank.contains("cookies"));
  CHECK_FALSE(blank["headers"].contains("cookie"));
}

// Binary bodies (all 256 byte values, or text types that are not UTF-8) are base64 in 1.0 and
// 2.0 and decode to the exact bytes; text bodies arrive as-is.
TEST_CASE("event bodies round-trip byte for byte", "[payload][binary]") {
  struct Case {
    std::string name;
    std::string content_type;
    std::string body;
    bool base64;
  };
  const std::vector<Case> cases = {
      {"all byte values", "application/octet-stream", all_bytes(), true},
      {"all byte values under text/plain", "text/plain", all_bytes(), true},
      {"png magic", "image/png", "\x89PNG\r\n\x1a\n", true},
      {"UTF-8 JSON", "application/json", "{\"s\":\"caf\xc3\xa9 \xf0\x9f\x98\x80\"}", false},
      {"control characters in text", "text/plain", std::string("a\0b\x01\x1f\"\\", 7), false},
      {"form", "application/x-www-form-urlencoded", "a=1&b=%20", false},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const auto request = make_request("POST", "/upload", {{"Content-Type", c.content_type}}, c.body);
    const json v1 = json::parse(api_gateway_v1_event(request, {}));
    CHECK(v1["isBase64Encoded"] == c.base64);
    CHECK(carried_body(v1) == c.body);
    const json v2 = json::parse(api_gateway_v2_event(request, {}));
    CHECK(v2["isBase64Encoded"] == c.base64);
    CHECK(carried_body(v2) == c.body);
    const json gloo = json::parse(gloo_request_event(request));
    CHECK(carried_body(gloo) == c.body);
  }
}

// Header values and decoded query values that are not UTF-8 cannot be JSON strings: each bad
// byte becomes U+FFFD and the event is still valid JSON.
TEST_CASE("non-UTF-8 header and query bytes become U+FFFD", "[payload]") {
  const auto request = make_request("GET", "/p?q=%FF", {{"X-Latin", "caf\xe9"}});
  const std::string replaced = "caf\xef\xbf\xbd";
  const json v1 = json::parse(api_gateway_v1_event(request, {}));
  CHECK(v1["headers"]["X-Latin"] == replaced);
  CHECK(v1["queryStringParameters"]["q"] == "\xef\xbf\xbd");
  const json v2 = json::parse(api_gateway_v2_event(request, {}));
  CHECK(v2["headers"]["x-latin"] == replaced);
  const json gloo = json::parse(gloo_request_event(request));
  CHECK(gloo["headers"]["x-latin"] == replaced);
}

// 1.0 keeps the first spelling of a header name and groups names that differ only in case.
TEST_CASE("api_gateway_v1_event groups header names case-insensitively", "[payload][v1]") {
  const auto request =
      make_request("GET", "/", {{"X-Trace", "1"}, {"x-trace", "2"}, {"Accept", "a"}, {"X-TRACE", "3"}});
  const json event = json::parse(api_gateway_v1_event(request, {}));
  CHECK(event["headers"] == json({{"X-Trace", "3"}, {"Accept", "a"}}));
  CHECK(event["multiValueHeaders"] == json({{"X-Trace", {"1", "2", "3"}}, {"Accept", {"a"}}}));
}

}  // namespace
}  // namespace lambdagate::proxy
