// Response unwrapping: a function's proxy-format output as an HTTP response (payload_mapping.hpp
// has the field-by-field decisions). Nothing here throws: nlohmann is used in its non-throwing
// forms, and malformed output becomes an UnwrapError value.
#include <algorithm>
#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_set>

#include "lambdagate/core/ascii.hpp"
#include "lambdagate/core/base64.hpp"
#include "lambdagate/core/json_depth.hpp"
#include "lambdagate/proxy/payload_mapping.hpp"

namespace lambdagate::proxy {

namespace {

using Json = nlohmann::ordered_json;  // keeps the function's header order

// Deeper output is refused before parsing: it costs memory per level, serializing a non-string
// body recurses once per level, and no HTTP response needs it.
constexpr std::size_t kMaxNesting = 512;
constexpr std::size_t kMaxQuoted = 32;  // bytes of a name or of non-JSON output put in a reason

constexpr std::string_view kDefaultContentType = "application/json";

// The gateway frames the response itself (DESIGN.md §4), so these from the function are dropped.
constexpr std::array<std::string_view, 7> kFramingHeaders = {
    "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer"};


// RFC 7230 §3.2.6 tchar.
bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

bool is_safe_value(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool is_framing_header(std::string_view name) {
  for (auto framing : kFramingHeaders) {
    if (core::iequals_ascii(name, framing)) return true;
  }
  return false;
}

// A short, printable rendering of untrusted text for a reason: at most kMaxQuoted bytes, with
// quotes, backslashes and non-printable bytes escaped.
std::string quote(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "'";
  for (std::size_t i = 0; i < text.size() && i < kMaxQuoted; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  if (text.size() > kMaxQuoted) out += "...";
  out.push_back('\'');
  return out;
}

UnwrapError error(std::string reason) { return UnwrapError{std::move(reason)}; }

// Parses the function's output, or says why it can't be.
std::variant<Json, UnwrapError> parse_output(std::string_view output, std::string_view what) {
  if (output.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return error(std::string(what) + " is empty");
  }
  // nlohmann's lexer takes a NUL byte for the end of input, so "{...}\0junk" would pass; JSON
  // text never holds a raw NUL (a string must escape it).
  if (const auto nul = output.find('\0'); nul != std::string_view::npos) {
    return error(std::string(what) + " is not valid JSON (raw NUL byte at offset " + std::to_string(nul) +
                 ")");
  }
  if (!core::json_depth_within(output, kMaxNesting)) {
    return error(std::string(what) + " nests arrays/objects deeper than " + std::to_string(kMaxNesting) +
                 " levels");
  }
  Json json = Json::parse(output, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded())
    return error(std::string(what) + " is not valid JSON (starts with " + quote(output) + ")");
  return json;
}

// Header text from a JSON scalar: strings as-is, numbers and booleans as JSON writes them. Null
// yields nullopt (skipped); objects and arrays are the caller's error.
std::optional<std::string> scalar_text(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return std::nullopt;
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

const Json* member(const Json& object, std::string_view key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

// Collects response headers under the shared rules: validated names and values, framing headers
// dropped.
class HeaderCollector {
 public:
  explicit HeaderCollector(HeaderPairs& out) : out_(out) {}

  std::optional<UnwrapError> add(std::string_view name, std::string value, std::string_view field) {
    if (!is_token(name)) {
      return error("header name " + quote(name) + " in '" + std::string(field) +
                   "' is not an RFC 7230 token");
    }
    if (!is_safe_value(value)) {
      return error("header " + quote(name) + " in '" + std::string(field) +
                   "' has a value with CR, LF or NUL");
    }
    if (is_framing_header(name)) return std::nullopt;
    out_.emplace_back(std::string(name), std::move(value));
    return std::nullopt;
  }

 private:
  HeaderPairs& out_;
};

// headers + multiValueHeaders (+ cookies when `with_cookies`) → `out`.
std::optional<UnwrapError> collect_headers(const Json& output, HeaderPairs& out, bool with_cookies) {
  const Json* headers = member(output, "headers");
  const Json* multi = member(output, "multiValueHeaders");
  if (headers && !headers->is_null() && !headers->is_object()) return error("'headers' must be an object");
  if (multi && !multi->is_null() && !multi->is_object())
    return error("'multiValueHeaders' must be an object");

  // Names multiValueHeaders sets; they win over the same name in headers.
  std::unordered_set<std::string> multi_names;
  if (multi && multi->is_object()) {
    for (const auto& [name, value] : multi->items()) {
      if (!value.is_null()) multi_names.insert(core::to_lower_ascii(name));
    }
  }

  HeaderCollector collector(out);
  if (headers && headers->is_object()) {
    for (const auto& [name, value] : headers->items()) {
      if (value.is_object() || value.is_array()) {
        return error("header " + quote(name) + " in 'headers' must be a string, number or boolean");
      }
      if (multi_names.count(core::to_lower_ascii(name)) > 0) continue;
      auto text = scalar_text(value);
      if (!text) continue;
      if (auto failure = collector.add(name, std::move(*text), "headers")) return failure;
    }
  }
  if (multi && multi->is_object()) {
    for (const auto& [name, value] : multi->items()) {
      if (value.is_object()) {
        return error("header " + quote(name) + " in 'multiValueHeaders' must be an array of strings");
      }
      // A lone scalar is one value (Kong #13533, Gloo #8867 saw functions do this).
      const Json values = value.is_array() ? value : Json::array({value});
      for (const auto& element : values) {
        if (element.is_object() || element.is_array()) {
          return error("header " + quote(name) + " in 'multiValueHeaders' must be an array of strings");
        }
        auto text = scalar_text(element);
        if (!text) continue;
        if (auto failure = collector.add(name, std::move(*text), "multiValueHeaders")) return failure;
      }
    }
  }

  if (with_cookies) {
    const Json* cookies = member(output, "cookies");
    if (cookies && !cookies->is_null()) {
      if (!cookies->is_array()) return error("'cookies' must be an array of strings");
      for (const auto& cookie : *cookies) {
        if (!cookie.is_string()) return error("'cookies' must be an array of strings");
        if (auto failure = collector.add("Set-Cookie", cookie.get<std::string>(), "cookies")) return failure;
      }
    }
  }
  return std::nullopt;
}

// statusCode: a JSON integer 100–599.
std::optional<UnwrapError> read_status(const Json& value, unsigned& status) {
  if (!value.is_number_integer()) return error("'statusCode' must be an integer");
  // is_number_integer covers both signed and unsigned storage; compare without narrowing.
  const bool in_range = value.is_number_unsigned()
                            ? (value.get<std::uint64_t>() >= 100 && value.get<std::uint64_t>() <= 599)
                            : (value.get<std::int64_t>() >= 100 && value.get<std::int64_t>() <= 599);
  if (!in_range) return error("'statusCode' must be between 100 and 599");
  status = static_cast<unsigned>(value.get<std::int64_t>());
  return std::nullopt;
}

// body + isBase64Encoded → `body`.
std::optional<UnwrapError> read_body(const Json& output, std::string& body) {
  bool base64 = false;
  if (const Json* flag = member(output, "isBase64Encoded"); flag && !flag->is_null()) {
    if (!flag->is_boolean()) return error("'isBase64Encoded' must be a boolean");
    base64 = flag->get<bool>();
  }
  const Json* value = member(output, "body");
  if (!value || value->is_null()) {
    body.clear();
    return std::nullopt;
  }
  if (base64) {
    if (!value->is_string()) return error("'body' must be a base64 string when 'isBase64Encoded' is true");
    auto decoded = core::base64::decode(value->get_ref<const std::string&>());
    if (!decoded) return error("'body' is not valid base64 although 'isBase64Encoded' is true");
    body = std::move(*decoded);
    return std::nullopt;
  }
  // A non-string body is written out as JSON, as Gloo does (depth bounded by parse_output).
  body = value->is_string() ? value->get<std::string>()
                            : value->dump(-1, ' ', false, Json::error_handler_t::replace);
  return std::nullopt;
}

bool has_header(const HeaderPairs& headers, std::string_view name) {
  for (const auto& header : headers) {
    if (core::iequals_ascii(header.first, name)) return true;
  }
  return false;
}

void default_content_type(MappedResponse& response) {
  if (!response.body.empty() && !has_header(response.headers, "content-type")) {
    response.headers.emplace_back("content-type", std::string(kDefaultContentType));
  }
}

// The proxy-format object shared by 1.0, 2.0 and ALB: statusCode required.
UnwrapResult unwrap_object(const Json& output, bool with_cookies) {
  const Json* status = member(output, "statusCode");
  if (!status || status->is_null()) return error("'statusCode' is missing");
  MappedResponse response;
  if (auto failure = read_status(*status, response.status)) return *failure;
  if (auto failure = collect_headers(output, response.headers, with_cookies)) return *failure;
  if (auto failure = read_body(output, response.body)) return *failure;
  default_content_type(response);
  return response;
}

UnwrapResult unwrap_proxy_object(std::string_view output, bool with_cookies) {
  auto parsed = parse_output(output, "function output");
  if (auto* failure = std::get_if<UnwrapError>(&parsed)) return std::move(*failure);
  const Json& json = std::get<Json>(parsed);
  if (!json.is_object()) return error("function output must be a JSON object");
  return unwrap_object(json, with_cookies);
}

}  // namespace

UnwrapResult unwrap_api_gateway_v1(std::string_view output) { return unwrap_proxy_object(output, false); }

UnwrapResult unwrap_api_gateway_v2(std::string_view output) {
  auto parsed = parse_output(output, "function output");
  if (auto* failure = std::get_if<UnwrapError>(&parsed)) return std::move(*failure);
  const Json& json = std::get<Json>(parsed);
  const Json* status = json.is_object() ? member(json, "statusCode") : nullptr;
  if (!status || status->is_null()) {
    // AWS's inference for 2.0: valid JSON without a statusCode is the body itself.
    MappedResponse response;
    response.headers.emplace_back("content-type", std::string(kDefaultContentType));
    response.body = std::string(output);
    return response;
  }
  return unwrap_object(json, true);
}

UnwrapResult unwrap_alb(std::string_view output) { return unwrap_proxy_object(output, false); }

UnwrapResult unwrap_http_prelude(std::string_view prelude_json) {
  auto parsed = parse_output(prelude_json, "response stream prelude");
  if (auto* failure = std::get_if<UnwrapError>(&parsed)) return std::move(*failure);
  const Json& json = std::get<Json>(parsed);
  if (!json.is_object()) return error("response stream prelude must be a JSON object");
  MappedResponse response;
  if (const Json* status = member(json, "statusCode"); status && !status->is_null()) {
    if (auto failure = read_status(*status, response.status)) return *failure;
  }
  if (auto failure = collect_headers(json, response.headers, true)) return *failure;
  return response;
}

}  // namespace lambdagate::proxy
