// Response unwrapping: API Gateway 1.0/2.0 and ALB proxy output → status, headers, body; what is
// malformed; header safety; and byte-exact base64 bodies.
#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

#include "lambdagate/core/base64.hpp"
#include "lambdagate/proxy/payload_mapping.hpp"

namespace lambdagate::proxy {
namespace {

using Unwrapper = std::function<UnwrapResult(std::string_view)>;

struct NamedUnwrapper {
  std::string name;
  Unwrapper unwrap;
};

const std::vector<NamedUnwrapper>& all_unwrappers() {
  static const std::vector<NamedUnwrapper> unwrappers = {
      {"v1", unwrap_api_gateway_v1},
      {"v2", unwrap_api_gateway_v2},
      {"alb", unwrap_alb},
  };
  return unwrappers;
}

// The response, by value so that results of temporaries can be kept.
MappedResponse ok(const UnwrapResult& result) {
  if (const auto* failure = std::get_if<UnwrapError>(&result))
    FAIL("unexpected UnwrapError: " << failure->reason);
  return std::get<MappedResponse>(result);
}

std::string reason(const UnwrapResult& result) {
  if (const auto* failure = std::get_if<UnwrapError>(&result)) return failure->reason;
  FAIL("expected an UnwrapError");
  return {};
}

std::string all_bytes() {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  return bytes;
}

// Cases every unwrapper maps the same way (statusCode present, no cookies).
struct Case {
  std::string name;
  std::string output;
  unsigned status;
  HeaderPairs headers;
  std::string body;
};

const std::vector<Case>& common_cases() {
  static const std::vector<Case> cases = {
      {"minimal", R"({"statusCode":204})", 204, {}, ""},
      {"text body with its content-type",
       R"({"statusCode":200,"headers":{"Content-Type":"text/plain"},"body":"hi"})",
       200,
       {{"Content-Type", "text/plain"}},
       "hi"},
      {"default content-type for a body",
       R"({"statusCode":201,"body":"{\"id\":1}"})",
       201,
       {{"content-type", "application/json"}},
       "{\"id\":1}"},
      {"no default content-type without a body", R"({"statusCode":200,"body":""})", 200, {}, ""},
      {"null body and null maps",
       R"({"statusCode":200,"body":null,"headers":null,"multiValueHeaders":null})",
       200,
       {},
       ""},
      {"numbers and booleans stringified, null values skipped",
       R"({"statusCode":200,"headers":{"X-Int":5,"X-Float":1.5,"X-Bool":true,"X-Null":null}})",
       200,
       {{"X-Int", "5"}, {"X-Float", "1.5"}, {"X-Bool", "true"}},
       ""},
      {"multiValueHeaders appended in order",
       R"({"statusCode":200,"headers":{"A":"1"},"multiValueHeaders":{"Set-Cookie":["x=1","y=2"],"B":["3"]}})",
       200,
       {{"A", "1"}, {"Set-Cookie", "x=1"}, {"Set-Cookie", "y=2"}, {"B", "3"}},
       ""},
      {"multiValueHeaders wins over headers, case-insensitively",
       R"({"statusCode":200,"headers":{"x-dup":"single","Keep":"k"},"multiValueHeaders":{"X-Dup":["m1","m2"]}})",
       200,
       {{"Keep", "k"}, {"X-Dup", "m1"}, {"X-Dup", "m2"}},
       ""},
      {"a null multi value does not override headers",
       R"({"statusCode":200,"headers":{"X":"h"},"multiValueHeaders":{"X":null}})",
       200,
       {{"X", "h"}},
       ""},
      {"an empty multi array removes the header",
       R"({"statusCode":200,"headers":{"X":"h"},"multiValueHeaders":{"X":[]}})",
       200,
       {},
       ""},
      {"a scalar in multiValueHeaders is one value (Kong/Gloo bug)",
       R"({"statusCode":200,"multiValueHeaders":{"X-One":"v","X-Num":7}})",
       200,
       {{"X-One", "v"}, {"X-Num", "7"}},
       ""},
      {"null elements in a multi array skipped",
       R"({"statusCode":200,"multiValueHeaders":{"X":["a",null,1]}})",
       200,
       {{"X", "a"}, {"X", "1"}},
       ""},
      {"non-string body written as JSON (Gloo)",
       R"({"statusCode":200,"body":{"a":[1,2]}})",
       200,
       {{"content-type", "application/json"}},
       R"({"a":[1,2]})"},
      {"numeric body written as JSON",
       R"({"statusCode":200,"body":42,"headers":{"content-type":"text/plain"}})",
       200,
       {{"content-type", "text/plain"}},
       "42"},
      {"base64 body decoded",
       R"({"statusCode":200,"isBase64Encoded":true,"body":"aGVsbG8=","headers":{"Content-Type":"image/png"}})",
       200,
       {{"Content-Type", "image/png"}},
       "hello"},
      {"isBase64Encoded null means false",
       R"({"statusCode":200,"isBase64Encoded":null,"body":"aGVsbG8="})",
       200,
       {{"content-type", "application/json"}},
       "aGVsbG8="},
      {"empty base64 body", R"({"statusCode":200,"isBase64Encoded":true,"body":""})", 200, {}, ""},
      {"status bounds 100", R"({"statusCode":100})", 100, {}, ""},
      {"status bounds 599", R"({"statusCode":599})", 599, {}, ""},
      {"unknown fields ignored",
       R"({"statusCode":418,"extra":{"deep":[1]},"statusDescription":"x"})",
       418,
       {},
       ""},
      {"whitespace around the JSON", " \n{\"statusCode\":200}\n ", 200, {}, ""},
      {"unicode header value kept",
       R"({"statusCode":200,"headers":{"X-U":"caf\u00e9"}})",
       200,
       {{"X-U", "caf\xc3\xa9"}},
       ""},
      {"token punctuation allowed in names",
       R"({"statusCode":200,"headers":{"X-!#$%&'*+.^_`|~1":"v"}})",
       200,
       {{"X-!#$%&'*+.^_`|~1", "v"}},
       ""},
      {"tab in values allowed", R"({"statusCode":200,"headers":{"X":"a\tb"}})", 200, {{"X", "a\tb"}}, ""},
  };
  return cases;
}

// Every common case maps identically under 1.0, 2.0 and ALB.
TEST_CASE("unwrappers map proxy output to status, headers and body", "[unwrap]") {
  for (const auto& unwrapper : all_unwrappers()) {
    for (const auto& c : common_cases()) {
      INFO(unwrapper.name << ": " << c.name);
      const auto result = unwrapper.unwrap(c.output);
      const MappedResponse response = ok(result);
      CHECK(response.status == c.status);
      CHECK(response.headers == c.headers);
      CHECK(response.body == c.body);
    }
  }
}

// What each unwrapper refuses, and the reason it gives (a substring).
TEST_CASE("malformed proxy output is an UnwrapError", "[unwrap]") {
  struct Bad {
    std::string name;
    std::string output;
    std::string reason;
  };
  const std::vector<Bad> common = {
      {"not JSON", "Internal Server Error", "not valid JSON"},
      {"truncated JSON", R"({"statusCode":200)", "not valid JSON"},
      {"empty output", "", "is empty"},
      {"blank output", " \n", "is empty"},
      {"statusCode as a string", R"({"statusCode":"200"})", "must be an integer"},
      {"statusCode as a float", R"({"statusCode":200.5})", "must be an integer"},
      {"statusCode as a whole float", R"({"statusCode":200.0})", "must be an integer"},
      {"statusCode as a boolean", R"({"statusCode":true})", "must be an integer"},
      {"statusCode 99", R"({"statusCode":99})", "between 100 and 599"},
      {"statusCode 600", R"({"statusCode":600})", "between 100 and 599"},
      {"statusCode negative", R"({"statusCode":-200})", "between 100 and 599"},
      {"statusCode huge", R"({"statusCode":18446744073709551615})", "between 100 and 599"},
      {"headers an array", R"({"statusCode":200,"headers":["a"]})", "'headers' must be an object"},
      {"headers a string", R"({"statusCode":200,"headers":"a: b"})", "'headers' must be an object"},
      {"header value an object", R"({"statusCode":200,"headers":{"X":{"a":1}}})", "'X' in 'headers'"},
      {"header value an array", R"({"statusCode":200,"headers":{"X":["a"]}})", "'X' in 'headers'"},
      {"multiValueHeaders an array", R"({"statusCode":200,"multiValueHeaders":[]})",
       "'multiValueHeaders' must"},
      {"multi value an object", R"({"statusCode":200,"multiValueHeaders":{"X":{"a":1}}})",
       "'X' in 'multiValue"},
      {"multi element an object", R"({"statusCode":200,"multiValueHeaders":{"X":[{"a":1}]}})",
       "'X' in 'multiValue"},
      {"multi element an array", R"({"statusCode":200,"multiValueHeaders":{"X":[["a"]]}})",
       "'X' in 'multiValue"},
      {"isBase64Encoded a string", R"({"statusCode":200,"isBase64Encoded":"true","body":"aGk="})",
       "'isBase64Encoded' must be a boolean"},
      {"bad base64", R"({"statusCode":200,"isBase64Encoded":true,"body":"not base64!"})", "not valid base64"},
      {"unpadded base64", R"({"statusCode":200,"isBase64Encoded":true,"body":"aGk"})", "not valid base64"},
      {"base64 with a line break", R"({"statusCode":200,"isBase64Encoded":true,"body":"aGVs\nbG8="})",
       "not valid base64"},
      {"base64 body not a string", R"({"statusCode":200,"isBase64Encoded":true,"body":{"a":1}})",
       "must be a base64 string"},
      {"invalid UTF-8 inside JSON", "{\"statusCode\":200,\"body\":\"\xff\"}", "not valid JSON"},
      // nlohmann alone would stop at the NUL and accept the object before it.
      {"raw NUL after the JSON", std::string("{\"statusCode\":200}\0junk", 23), "raw NUL byte at offset 18"},
      {"raw NUL inside a string", std::string("{\"statusCode\":200,\"body\":\"a\0b\"}", 31), "raw NUL byte"},
      {"nesting too deep",
       "{\"statusCode\":200,\"body\":" + std::string(600, '[') + std::string(600, ']') + "}",
       "deeper than 512"},
  };
  for (const auto& unwrapper : all_unwrappers()) {
    for (const auto& bad : common) {
      INFO(unwrapper.name << ": " << bad.name);
      CHECK_THAT(reason(unwrapper.unwrap(bad.output)), Catch::Contains(bad.reason));
    }
  }
  // 1.0 and ALB have no inference: the output must be an object with a statusCode.
  const std::vector<Bad> strict = {
      {"no statusCode", R"({"body":"hi"})", "'statusCode' is missing"},
      {"null statusCode", R"({"statusCode":null,"body":"hi"})", "'statusCode' is missing"},
      {"an array", R"([1,2])", "must be a JSON object"},
      {"a string", R"("hello")", "must be a JSON object"},
      {"a number", "42", "must be a JSON object"},
      {"null", "null", "must be a JSON object"},
  };
  for (const auto& unwrap : {unwrap_api_gateway_v1, unwrap_alb}) {
    for (const auto& bad : strict) {
      INFO(bad.name);
      CHECK_THAT(reason(unwrap(bad.output)), Catch::Contains(bad.reason));
    }
  }
}

// A reason quotes at most a short escaped prefix of output that is not JSON at all.
TEST_CASE("reasons quote only a short escaped prefix of non-JSON output", "[unwrap]") {
  const std::string output = "Task timed out after 3.00 seconds\r\n" + std::string(500, 'x') + "SECRET";
  const std::string text = reason(unwrap_api_gateway_v1(output));
  CHECK_THAT(text, Catch::Contains("'Task timed out after 3.00 second..."));
  CHECK_THAT(text, !Catch::Contains("SECRET"));
  CHECK(text.size() < 120);
  CHECK_THAT(reason(unwrap_api_gateway_v1("\x01\x02'x")), Catch::Contains("'\\x01\\x02\\x27x'"));
}

// Header names must be RFC 7230 tokens and values free of CR, LF and NUL, in every map and in
// every unwrapper; the reason names the header and never shows the value.
TEST_CASE("unsafe header names and values are rejected", "[unwrap][headers]") {
  struct Bad {
    std::string name;
    std::string headers_json;  // the "headers"/"multiValueHeaders" members
    std::string reason;
  };
  const std::vector<Bad> cases = {
      {"space in name", R"("headers":{"Bad Name":"v"})", "'Bad Name' in 'headers' is not an RFC 7230 token"},
      {"colon in name", R"("headers":{"X:Y":"v"})", "'X:Y' in 'headers' is not an RFC 7230 token"},
      {"empty name", R"("headers":{"":"v"})", "'' in 'headers' is not an RFC 7230 token"},
      {"non-ASCII name", R"("headers":{"X-\u00e9":"v"})", "in 'headers' is not an RFC 7230 token"},
      {"CRLF in name", R"("headers":{"X\r\nEvil":"v"})", "'X\\x0d\\x0aEvil' in 'headers' is not"},
      {"CR in value", R"("headers":{"X-Token":"secret\rEvil: 1"})",
       "'X-Token' in 'headers' has a value with CR"},
      {"LF in value", R"("headers":{"X-Token":"secret\nEvil: 1"})",
       "'X-Token' in 'headers' has a value with CR"},
      {"NUL in value", R"("headers":{"X-Token":"secret\u0000"})",
       "'X-Token' in 'headers' has a value with CR"},
      {"bad name in multi", R"j("multiValueHeaders":{"(x)":["v"]})j", "'(x)' in 'multiValueHeaders' is not"},
      {"LF in multi value", R"("multiValueHeaders":{"Set-Cookie":["ok=1","secret=2\nX: y"]})",
       "'Set-Cookie' in 'multiValueHeaders' has a value with CR"},
      {"framing header with CRLF still rejected", R"("headers":{"Content-Length":"1\r\n"})",
       "'Content-Length' in 'headers' has a value"},
  };
  for (const auto& unwrapper : all_unwrappers()) {
    for (const auto& c : cases) {
      INFO(unwrapper.name << ": " << c.name);
      const std::string text = reason(unwrapper.unwrap(R"({"statusCode":200,)" + c.headers_json + "}"));
      CHECK_THAT(text, Catch::Contains(c.reason));
      CHECK_THAT(text, !Catch::Contains("secret"));
    }
  }
}

// Framing and hop-by-hop headers set by the function are dropped in any case, from both maps.
TEST_CASE("framing headers from the function are dropped", "[unwrap][headers]") {
  const std::string output = R"({"statusCode":200,"body":"hello",
      "headers":{"Content-Length":"999","Transfer-Encoding":"chunked","CONNECTION":"close","Keep-Alive":"t=5",
                 "upgrade":"h2c","TE":"trailers","Trailer":"X","Content-Type":"text/plain"},
      "multiValueHeaders":{"content-length":["1","2"],"X-Keep":["k"]}})";
  for (const auto& unwrapper : all_unwrappers()) {
    INFO(unwrapper.name);
    const auto result = unwrapper.unwrap(output);
    const MappedResponse response = ok(result);
    CHECK(response.headers == HeaderPairs{{"Content-Type", "text/plain"}, {"X-Keep", "k"}});
    CHECK(response.body == "hello");
  }
}

// A function's explicit content-type in either map, in any case, suppresses the default.
TEST_CASE("the default content-type is added only when the function names none", "[unwrap][headers]") {
  const MappedResponse from_multi = ok(unwrap_api_gateway_v1(R"({"statusCode":200,"body":"<p/>",
      "multiValueHeaders":{"CONTENT-TYPE":["text/html"]}})"));
  CHECK(from_multi.headers == HeaderPairs{{"CONTENT-TYPE", "text/html"}});
  const MappedResponse dropped_framing_only =
      ok(unwrap_alb(R"({"statusCode":200,"body":"x","headers":{"TE":"x"}})"));
  CHECK(dropped_framing_only.headers == HeaderPairs{{"content-type", "application/json"}});
}

// 2.0 infers a 200 application/json response from valid JSON without a statusCode, body as-is.
TEST_CASE("unwrap_api_gateway_v2 infers a response from output without statusCode", "[unwrap][v2]") {
  const std::vector<std::string> outputs = {
      R"({"message":"hello"})",
      R"({"body":"x","headers":{"X":"y"}})",
      R"({"statusCode":null,"body":"x"})",
      R"("just a string")",
      "42",
      "[1,2,3]",
      "null",
      "true",
      " {\"spaced\": true} \n",
      "{}",
  };
  for (const auto& output : outputs) {
    INFO(output);
    const auto result = unwrap_api_gateway_v2(output);
    const MappedResponse response = ok(result);
    CHECK(response.status == 200);
    CHECK(response.headers == HeaderPairs{{"content-type", "application/json"}});
    CHECK(response.body == output);
  }
  // Output that is not JSON at all gets no inference.
  CHECK_THAT(reason(unwrap_api_gateway_v2("hello")), Catch::Contains("not valid JSON"));
}

// 2.0 cookies become one Set-Cookie each, after the other headers; wrong shapes are errors.
TEST_CASE("unwrap_api_gateway_v2 maps cookies to Set-Cookie headers", "[unwrap][v2]") {
  const MappedResponse response = ok(unwrap_api_gateway_v2(R"({"statusCode":302,
      "headers":{"Location":"/home"},"multiValueHeaders":{"Set-Cookie":["m=1"]},
      "cookies":["a=1; Path=/; HttpOnly","b=2; Secure"]})"));
  CHECK(response.status == 302);
  CHECK(response.headers == HeaderPairs{{"Location", "/home"},
                                        {"Set-Cookie", "m=1"},
                                        {"Set-Cookie", "a=1; Path=/; HttpOnly"},
                                        {"Set-Cookie", "b=2; Secure"}});
  CHECK(ok(unwrap_api_gateway_v2(R"({"statusCode":200,"cookies":null})")).headers.empty());
  CHECK(ok(unwrap_api_gateway_v2(R"({"statusCode":200,"cookies":[]})")).headers.empty());
  CHECK_THAT(reason(unwrap_api_gateway_v2(R"({"statusCode":200,"cookies":"a=1"})")),
             Catch::Contains("'cookies' must be an array of strings"));
  CHECK_THAT(reason(unwrap_api_gateway_v2(R"({"statusCode":200,"cookies":[1]})")),
             Catch::Contains("'cookies' must be an array of strings"));
  CHECK_THAT(reason(unwrap_api_gateway_v2(R"({"statusCode":200,"cookies":["a=1\r\nX: y"]})")),
             Catch::Contains("'Set-Cookie' in 'cookies' has a value with CR"));
  // 1.0 and ALB have no cookies field: it is ignored like any unknown field.
  CHECK(ok(unwrap_api_gateway_v1(R"({"statusCode":200,"cookies":["a=1"]})")).headers.empty());
  CHECK(ok(unwrap_alb(R"({"statusCode":200,"cookies":["a=1"]})")).headers.empty());
}

// ALB output with statusDescription: accepted, ignored, whatever its value.
TEST_CASE("unwrap_alb accepts and ignores statusDescription", "[unwrap][alb]") {
  for (const std::string description : {R"("404 Not Found")", R"("")", "null", "7"}) {
    INFO(description);
    const MappedResponse response =
        ok(unwrap_alb(R"({"statusCode":404,"statusDescription":)" + description +
                      R"(,"headers":{"Content-Type":"text/html"},"body":"<h1>gone</h1>"})"));
    CHECK(response.status == 404);
    CHECK(response.headers == HeaderPairs{{"Content-Type", "text/html"}});
    CHECK(response.body == "<h1>gone</h1>");
  }
}

// isBase64Encoded bodies decode to the exact bytes, including all 256 values and a large body.
TEST_CASE("base64 response bodies round-trip byte for byte", "[unwrap][binary]") {
  std::string large(7 * 1024 * 1024, '\0');  // over Lambda's 6 MiB: no limit applies here
  for (std::size_t i = 0; i < large.size(); ++i) large[i] = static_cast<char>((i * 31) & 0xff);
  for (const std::string& bytes : {all_bytes(), large}) {
    const std::string output = R"({"statusCode":200,"isBase64Encoded":true,"headers":{"Content-Type":)"
                               R"("application/octet-stream"},"body":")" +
                               core::base64::encode(bytes) + "\"}";
    for (const auto& unwrapper : all_unwrappers()) {
      INFO(unwrapper.name << " " << bytes.size() << " bytes");
      const auto result = unwrapper.unwrap(output);
      const MappedResponse response = ok(result);
      CHECK(response.body.size() == bytes.size());
      CHECK(response.body == bytes);
    }
  }
}

// JSON escapes in a text body (\u0000, surrogate pairs) decode to the bytes they name.
TEST_CASE("text bodies are the decoded JSON string", "[unwrap]") {
  const auto& response = ok(unwrap_api_gateway_v1(
      R"({"statusCode":200,"body":"a\u0000b\n\"q\" \ud83d\ude00","headers":{"Content-Type":"text/plain"}})"));
  CHECK(response.body == std::string("a\0b\n\"q\" \xf0\x9f\x98\x80", 12));
}

}  // namespace
}  // namespace lambdagate::proxy
