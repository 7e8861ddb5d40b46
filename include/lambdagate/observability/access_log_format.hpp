#pragma once
// Envoy access-log formats for a Gateway's accessLoggingService fileSink: `stringFormat` (text
// with command operators such as %RESPONSE_CODE% or %REQ(X-REQUEST-ID)%) and `jsonFormat` (an
// object whose string values carry operators). A format is compiled once per configuration
// snapshot into pieces; formatting a request's line is then a walk over them with no parsing.
// Pure: the caller hands over what happened to the request (AccessLogFacts) and gets the line.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "lambdagate/core/clock.hpp"

namespace lambdagate::observability {

// Header lookup for %REQ(X)% / %RESP(X)%: the value of the first header named `name` (any case),
// or nullopt.
class HeaderLookup {
 public:
  virtual ~HeaderLookup() = default;
  virtual std::optional<std::string_view> find(std::string_view name) const = 0;
};

// What the operators can read about one request.
struct AccessLogFacts {
  core::SystemTime start_time;
  std::string_view method;
  std::string_view path;       // the request target as received
  std::string_view authority;  // the Host header
  std::string_view protocol;   // "HTTP/1.1"
  unsigned response_code = 0;
  std::string_view error_code;  // lambdagate's error code, "" on success (-> %RESPONSE_FLAGS%)
  std::uint64_t bytes_received = 0;
  std::uint64_t bytes_sent = 0;
  std::chrono::microseconds duration{0};
  std::string_view upstream_host;  // the Lambda endpoint "host:port", "" when none was called
  std::string_view remote_address;
  std::uint16_t remote_port = 0;
  std::string_view request_id;
  std::string_view route;
  std::string_view upstream;  // "namespace/name"
  std::string_view function;
  unsigned attempts = 0;
  const HeaderLookup* request_headers = nullptr;
  const HeaderLookup* response_headers = nullptr;
};

// One compiled command operator (the operator grammar of Envoy's substitution formatter).
struct FormatOperator {
  enum class Kind {
    StartTime,
    RequestHeader,   // %REQ(A?B):N%
    ResponseHeader,  // %RESP(A?B):N%
    Protocol,
    ResponseCode,
    ResponseFlags,
    BytesReceived,
    BytesSent,
    Duration,
    UpstreamHost,
    DownstreamRemoteAddress,
    DownstreamRemoteAddressWithoutPort,
    RequestId,     // %LAMBDAGATE_REQUEST_ID%: the id lambdagate answered with
    Route,         // %LAMBDAGATE_ROUTE%
    Upstream,      // %LAMBDAGATE_UPSTREAM%, also Envoy's %UPSTREAM_CLUSTER%
    Function,      // %LAMBDAGATE_FUNCTION%
    Attempts,      // %LAMBDAGATE_ATTEMPTS%
    ErrorCode,     // %LAMBDAGATE_ERROR%
  };
  Kind kind = Kind::Protocol;
  std::string header;            // REQ/RESP: the main name, lower case
  std::string alternative;       // REQ/RESP: the name after '?', lower case ("" if none)
  std::string time_format;       // START_TIME(...): strftime with %3f / %6f / %9f; "" = ISO 8601 ms
  std::optional<std::size_t> max_length;  // ":N" after the operator
};

// A run of text: literal pieces and operators in order.
struct FormatPiece {
  std::variant<std::string, FormatOperator> value;
};
using FormatPieces = std::vector<FormatPiece>;

// A compiled format, text or JSON.
class AccessLogFormat {
 public:
  struct JsonValue;
  struct JsonMember {
    std::string key;  // JSON-encoded with quotes, ready to write
    std::shared_ptr<const JsonValue> value;
  };
  struct JsonValue {
    enum class Kind { Literal, Text, Object } kind = Kind::Literal;
    std::string literal;  // Literal: JSON as written out (number, bool, null, quoted string)
    FormatPieces pieces;  // Text; exactly one operator and nothing else keeps the value's type
    std::vector<JsonMember> members;  // Object
  };

  // Envoy's default format (a fileSink with neither stringFormat nor jsonFormat).
  static AccessLogFormat envoy_default();
  static AccessLogFormat text(FormatPieces pieces);
  static AccessLogFormat json(std::vector<JsonMember> members);

  // The line for one request, without the trailing newline; `out` is cleared first.
  void format(const AccessLogFacts& facts, std::string& out) const;

 private:
  bool json_ = false;
  FormatPieces pieces_;
  std::vector<JsonMember> members_;
};

// Compiles text with command operators. On error, nullopt and `error` says which operator and why.
std::optional<FormatPieces> compile_pieces(std::string_view text, std::string& error);

// "%RESPONSE_FLAGS%" for lambdagate's error code: Envoy's short flags where one fits, "-" for none.
std::string_view response_flags(std::string_view error_code);

}  // namespace lambdagate::observability
