#pragma once
// ErrorKind: every way a request can fail inside lambdagate, as a closed set of values.
// `http_status` is the one place where error kinds become HTTP status codes (DESIGN.md §4).
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace lambdagate::core {

enum class ErrorKind {
  RouteNotFound,
  BadRequest,
  HeadersTooLarge,
  PayloadTooLarge,
  InvalidPayload,
  CredentialsUnavailable,
  LambdaThrottled,
  UpstreamUnavailable,
  UpstreamTimeout,
  LambdaRejected,
  FunctionError,
  InvalidFunctionResponse,
  Draining,
  Overloaded,  // the process-wide cap on request bytes in flight is reached: 503
  // Request policies (CORS, JWT, local rate limits, concurrency caps), before any Lambda call.
  Unauthorized,  // no valid token where the virtual host requires one: 401
  Forbidden,     // a valid token whose audience is not accepted: 403
  RateLimited,   // a local rate limit or a concurrency cap shed the request: 429
  Internal,
};

// The stable machine-readable code, e.g. "route_not_found".
std::string_view to_string(ErrorKind kind);
// The HTTP status the client sees for this kind.
unsigned http_status(ErrorKind kind);

// How a call to an upstream failed below HTTP, for retry decisions.
enum class TransportFailure { None, ConnectFailure, Reset, Timeout, Other };

// An error value on the request path: what went wrong and a message safe to show a client
// (never a secret, a stack trace or a raw AWS error body), plus what the retry policy and the
// response need to know about the upstream's answer.
struct Error {
  Error() = default;
  Error(ErrorKind k, std::string m) : kind(k), message(std::move(m)) {}

  ErrorKind kind = ErrorKind::Internal;
  std::string message;
  unsigned upstream_status = 0;  // the status the upstream answered; 0 when it did not answer
  // Lambda's error type (e.g. ResourceNotFoundException), sanitised: the one part of Lambda's
  // answer a client is told (DESIGN.md §4). Empty when Lambda sent none.
  std::string upstream_error_type;
  TransportFailure transport = TransportFailure::None;
  std::optional<std::chrono::milliseconds> retry_after;  // the upstream's Retry-After
};

}  // namespace lambdagate::core
