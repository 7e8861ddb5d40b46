#include "lambdagate/core/error.hpp"

namespace lambdagate::core {

std::string_view to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::RouteNotFound: return "route_not_found";
    case ErrorKind::BadRequest: return "bad_request";
    case ErrorKind::HeadersTooLarge: return "headers_too_large";
    case ErrorKind::PayloadTooLarge: return "payload_too_large";
    case ErrorKind::InvalidPayload: return "invalid_payload";
    case ErrorKind::CredentialsUnavailable: return "credentials_unavailable";
    case ErrorKind::LambdaThrottled: return "lambda_throttled";
    case ErrorKind::UpstreamUnavailable: return "upstream_unavailable";
    case ErrorKind::UpstreamTimeout: return "upstream_timeout";
    case ErrorKind::LambdaRejected: return "lambda_rejected";
    case ErrorKind::FunctionError: return "function_error";
    case ErrorKind::InvalidFunctionResponse: return "invalid_function_response";
    case ErrorKind::Draining: return "draining";
    case ErrorKind::Overloaded: return "overloaded";
    case ErrorKind::Unauthorized: return "unauthorized";
    case ErrorKind::Forbidden: return "forbidden";
    case ErrorKind::RateLimited: return "rate_limited";
    case ErrorKind::Internal: return "internal_error";
  }
  return "internal_error";
}

unsigned http_status(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::RouteNotFound: return 404;
    case ErrorKind::BadRequest: return 400;
    case ErrorKind::HeadersTooLarge: return 431;
    case ErrorKind::PayloadTooLarge: return 413;
    case ErrorKind::InvalidPayload: return 400;
    case ErrorKind::CredentialsUnavailable: return 503;
    case ErrorKind::LambdaThrottled: return 429;
    case ErrorKind::UpstreamUnavailable: return 502;
    case ErrorKind::UpstreamTimeout: return 504;
    case ErrorKind::LambdaRejected: return 502;
    case ErrorKind::FunctionError: return 502;
    case ErrorKind::InvalidFunctionResponse: return 502;
    case ErrorKind::Draining: return 503;
    case ErrorKind::Overloaded: return 503;
    case ErrorKind::Unauthorized: return 401;
    case ErrorKind::Forbidden: return 403;
    case ErrorKind::RateLimited: return 429;
    case ErrorKind::Internal: return 500;
  }
  return 500;
}

}  // namespace lambdagate::core
