// client_facing (see client_errors.hpp).
#include "lambdagate/proxy/client_errors.hpp"

#include <string>

namespace lambdagate::proxy {

bool has_internal_detail(core::ErrorKind kind) {
  using K = core::ErrorKind;
  switch (kind) {
    case K::CredentialsUnavailable:
    case K::LambdaThrottled:
    case K::UpstreamUnavailable:
    case K::UpstreamTimeout:
    case K::LambdaRejected:
    case K::InvalidPayload:
    case K::PayloadTooLarge:
    case K::Internal:
      return true;
    default:
      return false;
  }
}

core::Error client_facing(const core::Error& detailed, std::string_view route, std::string_view logical_name) {
  if (!has_internal_detail(detailed.kind)) return detailed;
  // "function 'f' (route 'r')", or whichever of the two is known.
  std::string target;
  if (!logical_name.empty()) target.append("function '").append(logical_name).append("'");
  if (!route.empty()) {
    if (!target.empty()) target.append(" (");
    target.append("route '").append(route).append("'");
    if (!logical_name.empty()) target.append(")");
  }
  if (target.empty()) target = "this request";

  core::Error client = detailed;
  using K = core::ErrorKind;
  switch (detailed.kind) {
    case K::CredentialsUnavailable:
      client.message = "no AWS credentials are available for the call to " + target;
      break;
    case K::LambdaThrottled:
      client.message = "Lambda throttled the call to " + target;
      break;
    case K::UpstreamUnavailable:
      client.message = "Lambda is unavailable for the call to " + target;
      break;
    case K::UpstreamTimeout:
      client.message = "Lambda did not answer the call to " + target + " in time";
      break;
    case K::LambdaRejected:
      client.message = "Lambda rejected the call to " + target;
      break;
    case K::InvalidPayload:
      client.message = "Lambda rejected the payload for " + target;
      break;
    case K::PayloadTooLarge:
      client.message = "the payload is too large for " + target;
      break;
    default:
      client.message = "internal error in the call to " + target;
      break;
  }
  // Lambda's error type is the client's to know (DESIGN.md §4): it says what to fix.
  if (!detailed.upstream_error_type.empty()) client.message += ": " + detailed.upstream_error_type;
  return client;
}

}  // namespace lambdagate::proxy
