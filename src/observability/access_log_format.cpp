// Envoy access-log formats: compiling command operators and formatting lines (see
// access_log_format.hpp).
#include "lambdagate/observability/access_log_format.hpp"

#include <charconv>
#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "lambdagate/core/time_format.hpp"

namespace lambdagate::observability {

namespace {

using Kind = FormatOperator::Kind;

// Operators without arguments, by name.
struct NamedOperator {
  std::string_view name;
  Kind kind;
};
constexpr NamedOperator kSimpleOperators[] = {
    {"PROTOCOL", Kind::Protocol},
    {"RESPONSE_CODE", Kind::ResponseCode},
    {"RESPONSE_FLAGS", Kind::ResponseFlags},
    {"BYTES_RECEIVED", Kind::BytesReceived},
    {"BYTES_SENT", Kind::BytesSent},
    {"DURATION", Kind::Duration},
    {"UPSTREAM_HOST", Kind::UpstreamHost},
    {"UPSTREAM_CLUSTER", Kind::Upstream},
    {"DOWNSTREAM_REMOTE_ADDRESS", Kind::DownstreamRemoteAddress},
    {"DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT", Kind::DownstreamRemoteAddressWithoutPort},
    {"LAMBDAGATE_REQUEST_ID", Kind::RequestId},
    {"LAMBDAGATE_ROUTE", Kind::Route},
    {"LAMBDAGATE_UPSTREAM", Kind::Upstream},
    {"LAMBDAGATE_FUNCTION", Kind::Function},
    {"LAMBDAGATE_ATTEMPTS", Kind::Attempts},
    {"LAMBDAGATE_ERROR", Kind::ErrorCode},
};

bool is_operator_char(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Parses one operator starting after its opening '%'; `end` is set past its closing '%'.
std::optional<FormatOperator> parse_operator(std::string_view text, std::size_t start, std::size_t& end,
                                             std::string& error) {
  std::size_t i = start;
  while (i < text.size() && is_operator_char(text[i])) ++i;
  const std::string_view name = text.substr(start, i - start);
  if (name.empty()) {
    error = "a '%' at offset " + std::to_string(start - 1) +
            " starts no command operator (write '%%' for a literal '%')";
    return std::nullopt;
  }
  FormatOperator op;
  std::optional<std::string_view> argument;
  if (i < text.size() && text[i] == '(') {
    const std::size_t close = text.find(')', i);
    if (close == std::string_view::npos) {
      error = "%" + std::string(name) + "(: missing ')'";
      return std::nullopt;
    }
    argument = text.substr(i + 1, close - i - 1);
    i = close + 1;
  }
  if (i < text.size() && text[i] == ':') {
    std::size_t n = 0;
    const char* first = text.data() + i + 1;
    const char* last = text.data() + text.size();
    auto parsed = std::from_chars(first, last, n);
    if (parsed.ec != std::errc{} || parsed.ptr == first) {
      error = "%" + std::string(name) + "%: ':' must be followed by a maximum length";
      return std::nullopt;
    }
    op.max_length = n;
    i = static_cast<std::size_t>(parsed.ptr - text.data());
  }
  if (i >= text.size() || text[i] != '%') {
    error = "%" + std::string(name) + ": missing the closing '%'";
    return std::nullopt;
  }
  end = i + 1;

  if (name == "REQ" || name == "RESP") {
    if (!argument || argument->empty()) {
      error = "%" + std::string(name) + "(...)% needs a header name";
      return std::nullopt;
    }
    op.kind = name == "REQ" ? Kind::RequestHeader : Kind::ResponseHeader;
    const std::size_t question = argument->find('?');
    op.header = lower(argument->substr(0, question));
    if (question != std::string_view::npos) op.alternative = lower(argument->substr(question + 1));
    return op;
  }
  if (name == "START_TIME") {
    op.kind = Kind::StartTime;
    if (argument) op.time_format = std::string(*argument);
    return op;
  }
  if (argument) {
    error = "%" + std::string(name) + "% takes no argument";
    return std::nullopt;
  }
  for (const auto& known : kSimpleOperators) {
    if (known.name == name) {
      op.kind = known.kind;
      return op;
    }
  }
  error = "unknown command operator %" + std::string(name) + "%";
  return std::nullopt;
}

// START_TIME with a strftime format; %3f, %6f and %9f are the fraction of the second (Envoy's).
void append_time(std::string& out, core::SystemTime time, const std::string& format) {
  if (format.empty()) {
    out += core::format_iso8601(time, true);
    return;
  }
  const auto since_epoch = time.time_since_epoch();
  const auto seconds = std::chrono::floor<std::chrono::seconds>(since_epoch);
  const auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch - seconds).count();
  const std::time_t t = static_cast<std::time_t>(seconds.count());
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::string pattern;
  for (std::size_t i = 0; i < format.size(); ++i) {
    const bool fraction_spec = format[i] == '%' && i + 2 < format.size() &&
                               (format[i + 1] == '3' || format[i + 1] == '6' || format[i + 1] == '9') &&
                               format[i + 2] == 'f';
    if (fraction_spec) {
      const int digits = format[i + 1] - '0';
      std::string fraction = fmt::format("{:09d}", nanos).substr(0, static_cast<std::size_t>(digits));
      pattern += fraction;
      i += 2;
    } else {
      pattern.push_back(format[i]);
    }
  }
  char buffer[256];
  const std::size_t n = std::strftime(buffer, sizeof buffer, pattern.c_str(), &tm);
  out.append(buffer, n);
}

std::optional<std::string_view> header_value(const HeaderLookup* headers, const AccessLogFacts& facts,
                                             const std::string& name, bool request) {
  if (request) {
    // Envoy's HTTP/2 pseudo-headers, answered from the HTTP/1 request line.
    if (name == ":method") return facts.method;
    if (name == ":path") return facts.path;
    if (name == ":authority") return facts.authority.empty() ? std::nullopt : std::optional(facts.authority);
    if (name == ":scheme") return std::string_view("http");
  } else if (name == ":status") {
    return std::nullopt;  // formatted by the caller through RESPONSE_CODE; rare in formats
  }
  if (!headers) return std::nullopt;
  return headers->find(name);
}

// The operator's value; nullopt when it has none ("-" in text, null in JSON). Numbers are
// appended to `number` instead, with `is_number` set, so JSON can keep their type.
struct Value {
  std::optional<std::string_view> text;
  std::string owned;  // for values built here (time, addresses)
  std::optional<std::uint64_t> number;
};

Value evaluate(const FormatOperator& op, const AccessLogFacts& f) {
  Value v;
  switch (op.kind) {
    case Kind::StartTime:
      append_time(v.owned, f.start_time, op.time_format);
      v.text = v.owned;
      break;
    case Kind::RequestHeader:
    case Kind::ResponseHeader: {
      const bool request = op.kind == Kind::RequestHeader;
      v.text = header_value(request ? f.request_headers : f.response_headers, f, op.header, request);
      if (!v.text && !op.alternative.empty())
        v.text = header_value(request ? f.request_headers : f.response_headers, f, op.alternative, request);
      break;
    }
    case Kind::Protocol:
      if (!f.protocol.empty()) v.text = f.protocol;
      break;
    case Kind::ResponseCode:
      v.number = f.response_code;
      break;
    case Kind::ResponseFlags:
      v.text = response_flags(f.error_code);
      break;
    case Kind::BytesReceived:
      v.number = f.bytes_received;
      break;
    case Kind::BytesSent:
      v.number = f.bytes_sent;
      break;
    case Kind::Duration:
      v.number = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(f.duration).count());
      break;
    case Kind::UpstreamHost:
      if (!f.upstream_host.empty()) v.text = f.upstream_host;
      break;
    case Kind::DownstreamRemoteAddress:
      if (!f.remote_address.empty()) {
        // IPv6 in brackets, as Envoy writes it.
        const bool v6 = f.remote_address.find(':') != std::string_view::npos;
        v.owned = v6 ? fmt::format("[{}]:{}", f.remote_address, f.remote_port)
                     : fmt::format("{}:{}", f.remote_address, f.remote_port);
        v.text = v.owned;
      }
      break;
    case Kind::DownstreamRemoteAddressWithoutPort:
      if (!f.remote_address.empty()) v.text = f.remote_address;
      break;
    case Kind::RequestId:
      if (!f.request_id.empty()) v.text = f.request_id;
      break;
    case Kind::Route:
      if (!f.route.empty()) v.text = f.route;
      break;
    case Kind::Upstream:
      if (!f.upstream.empty()) v.text = f.upstream;
      break;
    case Kind::Function:
      if (!f.function.empty()) v.text = f.function;
      break;
    case Kind::Attempts:
      v.number = f.attempts;
      break;
    case Kind::ErrorCode:
      if (!f.error_code.empty()) v.text = f.error_code;
      break;
  }
  return v;
}

std::string_view truncate(std::string_view text, const std::optional<std::size_t>& max_length) {
  if (max_length && text.size() > *max_length) return text.substr(0, *max_length);
  return text;
}

// Text form of an operator's value: "-" when it has none, as Envoy writes.
void append_text(std::string& out, const FormatOperator& op, const AccessLogFacts& facts) {
  const Value v = evaluate(op, facts);
  if (v.number) {
    fmt::format_to(std::back_inserter(out), "{}", *v.number);
  } else if (v.text) {
    out.append(truncate(*v.text, op.max_length));
  } else {
    out.push_back('-');
  }
}

void append_pieces(std::string& out, const FormatPieces& pieces, const AccessLogFacts& facts) {
  for (const auto& piece : pieces) {
    if (const auto* literal = std::get_if<std::string>(&piece.value)) {
      out.append(*literal);
    } else {
      append_text(out, std::get<FormatOperator>(piece.value), facts);
    }
  }
}

void append_json_string(std::string& out, std::string_view text) {
  out += nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void append_json_value(std::string& out, const AccessLogFormat::JsonValue& value, const AccessLogFacts& facts);

void append_json_members(std::string& out, const std::vector<AccessLogFormat::JsonMember>& members,
                         const AccessLogFacts& facts) {
  out.push_back('{');
  bool first = true;
  for (const auto& member : members) {
    if (!first) out.push_back(',');
    first = false;
    out += member.key;
    out.push_back(':');
    append_json_value(out, *member.value, facts);
  }
  out.push_back('}');
}

void append_json_value(std::string& out, const AccessLogFormat::JsonValue& value, const AccessLogFacts& facts) {
  using JsonKind = AccessLogFormat::JsonValue::Kind;
  switch (value.kind) {
    case JsonKind::Literal:
      out += value.literal;
      return;
    case JsonKind::Object:
      append_json_members(out, value.members, facts);
      return;
    case JsonKind::Text:
      break;
  }
  // A value that is one operator and nothing else keeps its type: a number stays a number and a
  // missing value is null (Envoy's typed JSON).
  if (value.pieces.size() == 1) {
    if (const auto* op = std::get_if<FormatOperator>(&value.pieces.front().value)) {
      const Value v = evaluate(*op, facts);
      if (v.number) {
        fmt::format_to(std::back_inserter(out), "{}", *v.number);
      } else if (v.text) {
        append_json_string(out, truncate(*v.text, op->max_length));
      } else {
        out += "null";
      }
      return;
    }
  }
  std::string text;
  append_pieces(text, value.pieces, facts);
  append_json_string(out, text);
}

}  // namespace

std::optional<FormatPieces> compile_pieces(std::string_view text, std::string& error) {
  FormatPieces pieces;
  std::string literal;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t percent = text.find('%', i);
    if (percent == std::string_view::npos) {
      literal.append(text.substr(i));
      break;
    }
    literal.append(text.substr(i, percent - i));
    if (percent + 1 < text.size() && text[percent + 1] == '%') {  // "%%" is a literal '%'
      literal.push_back('%');
      i = percent + 2;
      continue;
    }
    std::size_t end = 0;
    auto op = parse_operator(text, percent + 1, end, error);
    if (!op) return std::nullopt;
    if (!literal.empty()) pieces.emplace_back().value.emplace<std::string>(std::move(literal));
    literal.clear();
    pieces.emplace_back().value.emplace<FormatOperator>(std::move(*op));
    i = end;
  }
  if (!literal.empty()) pieces.emplace_back().value.emplace<std::string>(std::move(literal));
  return pieces;
}

std::string_view response_flags(std::string_view error_code) {
  // Envoy's flags for the failures lambdagate has: UT upstream request timeout, UF upstream
  // connection failure, UH no healthy upstream (no credentials to call it with), NR no route,
  // RL rate limited (Lambda throttled), DC downstream connection termination (draining).
  if (error_code.empty()) return "-";
  if (error_code == "upstream_timeout") return "UT";
  if (error_code == "upstream_unavailable") return "UF";
  if (error_code == "credentials_unavailable") return "UH";
  if (error_code == "route_not_found") return "NR";
  if (error_code == "lambda_throttled") return "RL";
  return "-";
}

AccessLogFormat AccessLogFormat::envoy_default() {
  std::string error;
  auto pieces = compile_pieces(
      "[%START_TIME%] \"%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%\" %RESPONSE_CODE% "
      "%RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "
      "\"%REQ(X-FORWARDED-FOR)%\" \"%REQ(USER-AGENT)%\" \"%REQ(X-REQUEST-ID)%\" \"%REQ(:AUTHORITY)%\" "
      "\"%UPSTREAM_HOST%\"",
      error);
  return text(std::move(*pieces));
}

AccessLogFormat AccessLogFormat::text(FormatPieces pieces) {
  // One line per request: a trailing newline written in the format (Envoy's formats usually end
  // with "\n") is the line's own end, not an empty line after it.
  if (!pieces.empty()) {
    if (auto* last = std::get_if<std::string>(&pieces.back().value)) {
      if (!last->empty() && last->back() == '\n') last->pop_back();
      if (last->empty()) pieces.pop_back();
    }
  }
  AccessLogFormat format;
  format.pieces_ = std::move(pieces);
  return format;
}

AccessLogFormat AccessLogFormat::json(std::vector<JsonMember> members) {
  AccessLogFormat format;
  format.json_ = true;
  format.members_ = std::move(members);
  return format;
}

void AccessLogFormat::format(const AccessLogFacts& facts, std::string& out) const {
  out.clear();
  if (json_) {
    append_json_members(out, members_, facts);
  } else {
    append_pieces(out, pieces_, facts);
  }
}

}  // namespace lambdagate::observability
