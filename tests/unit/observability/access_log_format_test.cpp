#include <catch2/catch.hpp>

#include <map>

#include <nlohmann/json.hpp>

#include "lambdagate/observability/access_log_format.hpp"

using namespace lambdagate;
using observability::AccessLogFormat;

namespace {

class MapHeaders final : public observability::HeaderLookup {
 public:
  explicit MapHeaders(std::map<std::string, std::string> headers) : headers_(std::move(headers)) {}
  std::optional<std::string_view> find(std::string_view name) const override {
    auto it = headers_.find(std::string(name));
    if (it == headers_.end()) return std::nullopt;
    return std::string_view(it->second);
  }

 private:
  std::map<std::string, std::string> headers_;  // lower-case names
};

const MapHeaders kRequestHeaders(std::map<std::string, std::string>{
    {"x-request-id", "rid-7"}, {"user-agent", "curl/7.88"}, {"host", "api.example"}});
const MapHeaders kResponseHeaders(std::map<std::string, std::string>{{"content-type", "application/json"}});

observability::AccessLogFacts facts() {
  observability::AccessLogFacts f;
  f.start_time = core::SystemTime{std::chrono::milliseconds(1440938160123)};
  f.method = "POST";
  f.path = "/lambda?x=1";
  f.authority = "api.example";
  f.protocol = "HTTP/1.1";
  f.response_code = 200;
  f.bytes_received = 3;
  f.bytes_sent = 5;
  f.duration = std::chrono::microseconds(12'700);
  f.upstream_host = "lambda.us-east-1.amazonaws.com:443";
  f.remote_address = "10.0.0.1";
  f.remote_port = 40000;
  f.request_id = "rid-7";
  f.route = "gloo-system/default/0";
  f.upstream = "gloo-system/lambda";
  f.function = "uppercase";
  f.attempts = 2;
  f.request_headers = &kRequestHeaders;
  f.response_headers = &kResponseHeaders;
  return f;
}

std::string text_line(std::string_view format, const observability::AccessLogFacts& f = facts()) {
  std::string error;
  auto pieces = observability::compile_pieces(format, error);
  INFO(error);
  REQUIRE(pieces);
  std::string out;
  AccessLogFormat::text(std::move(*pieces)).format(f, out);
  return out;
}

std::string compile_error(std::string_view format) {
  std::string error;
  auto pieces = observability::compile_pieces(format, error);
  CHECK_FALSE(pieces);
  return error;
}

AccessLogFormat::JsonMember member(std::string key, std::string_view text) {
  std::string error;
  AccessLogFormat::JsonValue value;
  value.kind = AccessLogFormat::JsonValue::Kind::Text;
  value.pieces = *observability::compile_pieces(text, error);
  return {nlohmann::json(key).dump(), std::make_shared<const AccessLogFormat::JsonValue>(std::move(value))};
}

}  // namespace

// Every operator the issue names writes the request's value, in Envoy's text form.
TEST_CASE("Envoy command operators in a text format", "[observability][access-format]") {
  CHECK(text_line("%START_TIME%") == "2015-08-30T12:36:00.123Z");
  CHECK(text_line("%REQ(:METHOD)% %REQ(:PATH)% %PROTOCOL%") == "POST /lambda?x=1 HTTP/1.1");
  CHECK(text_line("%RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION%") ==
        "200 - 3 5 12");
  CHECK(text_line("%UPSTREAM_HOST% %DOWNSTREAM_REMOTE_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%") ==
        "lambda.us-east-1.amazonaws.com:443 10.0.0.1:40000 10.0.0.1");
  CHECK(text_line("%REQ(X-Request-Id)% %REQ(USER-AGENT)% %REQ(:AUTHORITY)% %RESP(content-type)%") ==
        "rid-7 curl/7.88 api.example application/json");
  CHECK(text_line("%LAMBDAGATE_FUNCTION% %LAMBDAGATE_ATTEMPTS% %LAMBDAGATE_ROUTE% %LAMBDAGATE_UPSTREAM%") ==
        "uppercase 2 gloo-system/default/0 gloo-system/lambda");
}

// Missing values are "-", '?' picks an alternative header, ':N' truncates, "%%" is a literal.
TEST_CASE("alternatives, truncation, missing values and literal percent", "[observability][access-format]") {
  CHECK(text_line("%REQ(X-MISSING)% %LAMBDAGATE_ERROR%") == "- -");
  CHECK(text_line("%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%") == "/lambda?x=1");
  CHECK(text_line("%REQ(USER-AGENT):4%") == "curl");
  CHECK(text_line("100%% sure") == "100% sure");
  auto failed = facts();
  failed.error_code = "upstream_timeout";
  failed.upstream_host = "";
  CHECK(text_line("%RESPONSE_FLAGS% %UPSTREAM_HOST% %LAMBDAGATE_ERROR%", failed) == "UT - upstream_timeout");
}

// START_TIME takes a strftime format with Envoy's %3f/%6f/%9f fractions.
TEST_CASE("START_TIME with a format", "[observability][access-format]") {
  CHECK(text_line("%START_TIME(%Y/%m/%d %H:%M:%S.%3f)%") == "2015/08/30 12:36:00.123");
  CHECK(text_line("%START_TIME(%s)%") == "1440938160");
}

// One line per request: a format's trailing newline is the line's end, not an empty line.
TEST_CASE("a trailing newline in the format is not doubled", "[observability][access-format]") {
  CHECK(text_line("%RESPONSE_CODE%\n") == "200");
}

// Unknown or malformed operators are refused when the format is compiled, naming the problem.
TEST_CASE("bad command operators are compile errors", "[observability][access-format]") {
  CHECK(compile_error("%NO_SUCH_THING%") == "unknown command operator %NO_SUCH_THING%");
  CHECK(compile_error("%REQ()%").find("needs a header name") != std::string::npos);
  CHECK(compile_error("%REQ(x-a").find("missing ')'") != std::string::npos);
  CHECK(compile_error("%RESPONSE_CODE").find("closing '%'") != std::string::npos);
  CHECK(compile_error("50% off").find("starts no command operator") != std::string::npos);
  CHECK(compile_error("%PROTOCOL(x)%").find("takes no argument") != std::string::npos);
}

// jsonFormat: one operator alone keeps its type (numbers, null), mixed text is a string,
// literals and nested objects are written as configured.
TEST_CASE("JSON format keeps operator types", "[observability][access-format]") {
  AccessLogFormat::JsonValue nested;
  nested.kind = AccessLogFormat::JsonValue::Kind::Object;
  nested.members.push_back(member("fn", "%LAMBDAGATE_FUNCTION%"));
  AccessLogFormat::JsonValue literal;
  literal.literal = "true";
  std::vector<AccessLogFormat::JsonMember> members = {
      member("status", "%RESPONSE_CODE%"),
      member("missing", "%REQ(X-MISSING)%"),
      member("line", "%REQ(:METHOD)% %REQ(:PATH)%"),
      member("start", "%START_TIME%"),
      {"\"lambda\"", std::make_shared<const AccessLogFormat::JsonValue>(nested)},
      {"\"static\"", std::make_shared<const AccessLogFormat::JsonValue>(literal)},
  };
  std::string out;
  AccessLogFormat::json(std::move(members)).format(facts(), out);
  const auto j = nlohmann::json::parse(out);
  CHECK(j["status"] == 200);
  CHECK(j["missing"].is_null());
  CHECK(j["line"] == "POST /lambda?x=1");
  CHECK(j["start"] == "2015-08-30T12:36:00.123Z");
  CHECK(j["lambda"]["fn"] == "uppercase");
  CHECK(j["static"] == true);
  CHECK(out.find('\n') == std::string::npos);
}

// Without stringFormat or jsonFormat a fileSink writes Envoy's default line.
TEST_CASE("Envoy's default format", "[observability][access-format]") {
  std::string out;
  AccessLogFormat::envoy_default().format(facts(), out);
  CHECK(out ==
        "[2015-08-30T12:36:00.123Z] \"POST /lambda?x=1 HTTP/1.1\" 200 - 3 5 12 - \"-\" \"curl/7.88\" \"rid-7\" "
        "\"api.example\" \"lambda.us-east-1.amazonaws.com:443\"");
}
