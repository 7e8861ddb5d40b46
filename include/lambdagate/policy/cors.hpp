#pragma once
// CORS as Envoy's filter does it for Gloo's CorsPolicy (options/cors): a policy compiled once
// (RE2 for allowOriginRegex, full match) into CorsRules, then pure decisions per request.
//
// - A preflight is OPTIONS with a non-empty Origin and Access-Control-Request-Method. From an
//   allowed origin it is answered by the gateway: 200, empty body, the Origin echoed in
//   access-control-allow-origin (never `*`, so credentials work), -allow-credentials when set,
//   -allow-methods, -allow-headers and -max-age when configured, and `vary: origin`.
// - Any other request with an allowed Origin gets, on whatever response it ends with (errors
//   included), access-control-allow-origin (echoed), -allow-credentials and -expose-headers, and
//   `vary: origin` (the answer depends on the Origin, so shared caches must key on it; merge it
//   into a Vary the response already has rather than replacing that).
// - A request without Origin, or from an origin not allowed, gets no CORS header at all; a
//   preflight from it goes on to the route like any request, as in Envoy.
// Lists are joined with "," as Gloo hands them to Envoy. The route-over-virtual-host merge is
// done by config (RouteOptions::cors is already the effective policy).
#include <array>
#include <boost/beast/http/message.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lambdagate/config/model.hpp"
#include "lambdagate/http/request.hpp"
#include "lambdagate/policy/policy_error.hpp"

namespace re2 {
class RE2;
}

namespace lambdagate::policy {

// The request fields CORS looks at; an empty view means the header is absent (or empty, which
// Envoy treats the same).
struct CorsRequest {
  std::string_view method;
  std::string_view origin;
  std::string_view request_method;  // Access-Control-Request-Method
};
CorsRequest cors_request_of(const http::RequestHeader& request);

bool is_preflight(const CorsRequest& request);

// Headers to set, as views into the CorsRules and the request's Origin: apply them before
// either goes away. At most 7, so no allocation.
struct CorsHeaders {
  std::array<std::pair<std::string_view, std::string_view>, 7> items{};
  std::size_t size = 0;
  void add(std::string_view name, std::string_view value) { items[size++] = {name, value}; }
  const auto* begin() const { return items.data(); }
  const auto* end() const { return items.data() + size; }
  bool empty() const { return size == 0; }
};

class CorsRules {
 public:
  // Throws PolicyError.
  explicit CorsRules(const config::CorsPolicy& policy);
  ~CorsRules();
  CorsRules(const CorsRules&) = delete;
  CorsRules& operator=(const CorsRules&) = delete;

  // Exact origins (or `*`), then the regexes, each a full match.
  bool origin_allowed(std::string_view origin) const;
  // The answer to a preflight from an allowed `origin` (status 200, empty body).
  CorsHeaders preflight_headers(std::string_view origin) const;
  // What any other response to a request from an allowed `origin` gets.
  CorsHeaders response_headers(std::string_view origin) const;

 private:
  std::vector<std::string> exact_;
  bool any_origin_ = false;
  std::vector<std::unique_ptr<re2::RE2>> regexes_;
  std::string allow_methods_;
  std::string allow_headers_;
  std::string expose_headers_;
  std::string max_age_;
  bool allow_credentials_ = false;
};

// What the gateway does with one request under `rules` (null: no CORS for the route).
struct CorsDecision {
  enum class Action {
    None,                // no CORS header anywhere; the request goes on
    AnswerPreflight,     // answer 200 with `headers` and an empty body; do not invoke
    AddResponseHeaders,  // go on; add `headers` to whatever response the request gets
  } action = Action::None;
  CorsHeaders headers;
};
CorsDecision evaluate_cors(const CorsRules* rules, const CorsRequest& request);

}  // namespace lambdagate::policy
