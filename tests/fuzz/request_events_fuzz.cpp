// libFuzzer target for the request-event builders (src/proxy/request_events.cpp): Gloo's
// requestTransformation event and API Gateway payloads 1.0 (also what ALB targets get) and 2.0,
// made from what a client sends: method, target (path and query), headers, body.
//
// Input: [flags][head]\n\n[body]. `head` is lines split on '\n': the first "METHOD TARGET", the
// others "name:value" (a line without ':' is a name with an empty value). flags bit 0 gives a
// client certificate; bit 1 an authorizer; bit 2 an explicit domain name.
//
// Checked, beyond "no crash, no sanitizer report":
// - every event is valid JSON (strict UTF-8) and an object;
// - the body round-trips byte for byte: as a string, or base64 when isBase64Encoded is true;
// - 1.0: headers has one key per case-insensitive header name (with no Cookie folding) and
//   multiValueHeaders every value; 2.0 header names are lower-case and cookies are left out;
// - with an ASCII method, httpMethod (1.0) and requestContext.http.method (2.0) are the method;
//   with an ASCII target, rawQueryString is its query.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "lambdagate/core/ascii.hpp"
#include "lambdagate/core/base64.hpp"
#include "lambdagate/proxy/payload_mapping.hpp"

namespace proxy = lambdagate::proxy;
using Json = nlohmann::json;

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool is_ascii_printable(std::string_view text) {
  for (char c : text) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

Json parse(const std::string& event) {
  Json json = Json::parse(event, nullptr, /*allow_exceptions=*/false);
  check(!json.is_discarded() && json.is_object());
  return json;
}

// The body an event carries, decoded.
void check_body(const Json& event, std::string_view body, bool null_when_empty) {
  const auto it = event.find("body");
  if (body.empty()) {
    check(it == event.end() || (null_when_empty && it->is_null()) || (it->is_string() && it->empty()));
    return;
  }
  check(it != event.end() && it->is_string());
  const auto flag = event.find("isBase64Encoded");
  if (flag != event.end() && flag->get<bool>()) {
    const auto decoded = lambdagate::core::base64::decode(it->get<std::string>());
    check(decoded && *decoded == body);
  } else {
    check(it->get<std::string>() == body);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t flags = data[0];
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t blank = input.find("\n\n");
  const std::string_view head = input.substr(0, blank);
  const std::string_view body =
      blank == std::string_view::npos ? std::string_view{} : input.substr(blank + 2);

  std::vector<std::string_view> lines;
  for (std::size_t start = 0;;) {
    const std::size_t end = head.find('\n', start);
    lines.push_back(head.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  proxy::IncomingRequest request;
  const std::size_t space = lines[0].find(' ');
  request.method = lines[0].substr(0, space);
  request.target = space == std::string_view::npos ? std::string_view("/") : lines[0].substr(space + 1);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::size_t colon = lines[i].find(':');
    const std::string_view name = lines[i].substr(0, colon);
    const std::string_view value =
        colon == std::string_view::npos ? std::string_view{} : lines[i].substr(colon + 1);
    request.headers.emplace_back(name, value);
  }
  request.body = body;
  request.source_ip = "203.0.113.7";
  request.request_id = "b6f0c2d4-1d2e-4f3a-9b8c-7d6e5f4a3b2c";
  request.time = lambdagate::core::SystemTime(std::chrono::milliseconds(1795000000123));
  lambdagate::http::ClientCertificate certificate{
      "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
      "CN=client",
      "CN=ca",
      "01",
      "Nov 25 12:00:00 2026 GMT",
      "Nov 25 12:00:00 2027 GMT"};
  if (flags & 0x01u) request.client_certificate = &certificate;
  proxy::EventContext context;
  context.resource_path = "/users";
  if (flags & 0x02u) context.authorizer = R"({"claims":{"sub":"user-1","scope":"read"}})";
  if (flags & 0x04u) context.domain_name = "api.example.com";

  const Json gloo = parse(proxy::gloo_request_event(request));
  check_body(gloo, body, false);

  const Json v1 = parse(proxy::api_gateway_v1_event(request, context));
  check_body(v1, body, true);
  std::set<std::string> folded;
  std::size_t values = 0;
  for (const auto& [name, value] : request.headers) {
    folded.insert(lambdagate::core::to_lower_ascii(name));
    (void)value;
    ++values;
  }
  check(v1["headers"].is_object() && v1["multiValueHeaders"].is_object());
  // Names that are not valid UTF-8 may fold onto one another once replaced: at most one key each.
  check(v1["headers"].size() <= folded.size());
  std::size_t multi = 0;
  for (const auto& [name, list] : v1["multiValueHeaders"].items()) multi += list.size();
  if (v1["headers"].size() == folded.size()) check(multi == values);
  if (is_ascii_printable(request.method)) check(v1["httpMethod"] == request.method);

  const Json v2 = parse(proxy::api_gateway_v2_event(request, context));
  check_body(v2, body, false);
  for (const auto& [name, value] : v2["headers"].items()) {
    check(name == lambdagate::core::to_lower_ascii(name) && name != "cookie");
    check(value.is_string());
  }
  if (is_ascii_printable(request.method)) check(v2["requestContext"]["http"]["method"] == request.method);
  if (is_ascii_printable(request.target)) {
    const std::size_t question = request.target.find('?');
    check(v2["rawQueryString"] ==
          (question == std::string_view::npos ? std::string_view{} : request.target.substr(question + 1)));
  }
  return 0;
}
