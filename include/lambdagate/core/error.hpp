#pragma once
// ErrorKind: every way a request can fail inside lambdagate, as a closed set of values.
// `http_status` is the one place where error kinds become HTTP status codes (DESIGN.md §4).
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
  Internal,
};

// The stable machine-readable code, e.g. "route_not_found".
std::string_view to_string(ErrorKind kind);
// The HTTP status the client sees for this kind.
unsigned http_status(ErrorKind kind);

// An error value on the request path: what went wrong and a message safe to show a client
// (never a secret, a stack trace or a raw AWS error body).
struct Error {
  ErrorKind kind = ErrorKind::Internal;
  std::string message;
};

}  // namespace lambdagate::core
