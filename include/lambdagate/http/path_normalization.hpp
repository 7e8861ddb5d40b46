#pragma once
// Path normalisation before route matching (issue 12, Envoy's HCM normalizePath / mergeSlashes /
// pathWithEscapedSlashesAction). Pure: a request target in, the target routes are matched
// against (and the function's event carries) out. The raw target is not kept: a route that
// answers 403 for /api/secret must not be reachable as /api/./secret or /api/%73ecret, so
// nothing after this step may see the unnormalised spelling.
#include <string>
#include <string_view>
#include <variant>

namespace lambdagate::http {

enum class EscapedSlashes {
  Keep,                 // %2F and %5C stay encoded (they do not split segments)
  Reject,               // 400
  UnescapeAndForward,   // decoded to / and \ before normalisation
  UnescapeAndRedirect,  // decoded; the client is redirected to the result
};

struct PathOptions {
  // RFC 3986 §6.2.2: decode percent-encoded unreserved characters, upper-case the remaining
  // escapes, remove dot segments. lambdagate's default is on (Gloo's normalizePath default too).
  bool normalize = true;
  // Collapse runs of '/' into one. lambdagate's default is on (Envoy's is off), so that
  // /api//secret cannot dodge an exact match on /api/secret.
  bool merge_slashes = true;
  EscapedSlashes escaped_slashes = EscapedSlashes::Keep;
};

// The normalised target (path and the query as it was).
struct NormalizedTarget {
  std::string target;
  // UnescapeAndRedirect decoded an escaped slash: answer with a redirect to `target`.
  bool redirect = false;
};

// Why a target cannot be routed: a message safe to show the client.
struct PathRefusal {
  std::string message;
};

// Normalises an origin-form request target ("/path?query"). Refused: a target that is not
// origin-form (absolute-form, "*", empty), a malformed %-escape, a NUL byte or a control
// character, an escaped slash when options say Reject.
std::variant<NormalizedTarget, PathRefusal> normalize_target(std::string_view target, const PathOptions& options);

}  // namespace lambdagate::http
