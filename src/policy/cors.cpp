// CORS decisions (see cors.hpp): Envoy's CORS filter over Gloo's CorsPolicy.
#include "lambdagate/policy/cors.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <boost/beast/http/field.hpp>

namespace lambdagate::policy {

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out.push_back(',');
    out.append(item);
  }
  return out;
}

std::string_view header_value(const http::RequestHeader& request, boost::beast::http::field field) {
  const auto it = request.find(field);
  if (it == request.end()) return {};
  return {it->value().data(), it->value().size()};
}

}  // namespace

CorsRequest cors_request_of(const http::RequestHeader& request) {
  namespace http = boost::beast::http;
  CorsRequest out;
  const auto method = request.method_string();
  out.method = std::string_view(method.data(), method.size());
  out.origin = header_value(request, http::field::origin);
  out.request_method = header_value(request, http::field::access_control_request_method);
  return out;
}

bool is_preflight(const CorsRequest& request) {
  return request.method == "OPTIONS" && !request.origin.empty() && !request.request_method.empty();
}

CorsRules::CorsRules(const config::CorsPolicy& policy)
    : exact_(policy.allow_origin),
      allow_methods_(join(policy.allow_methods)),
      allow_headers_(join(policy.allow_headers)),
      expose_headers_(join(policy.expose_headers)),
      max_age_(policy.max_age),
      allow_credentials_(policy.allow_credentials.value_or(false)) {
  if (policy.allow_origin.empty() && policy.allow_origin_regex.empty()) {
    throw PolicyError(where_prefix(policy.where) + "cors: allowOrigin or allowOriginRegex is required");
  }
  // Envoy matches every allowed origin against "*" too: an exact "*" allows any origin.
  any_origin_ = std::find(exact_.begin(), exact_.end(), "*") != exact_.end();
  RE2::Options options;
  options.set_log_errors(false);
  for (const auto& pattern : policy.allow_origin_regex) {
    auto regex = std::make_unique<re2::RE2>(pattern, options);
    if (!regex->ok()) {
      throw PolicyError(where_prefix(policy.where) + "cors: allowOriginRegex '" + pattern +
                        "' is not a valid RE2 pattern: " + regex->error());
    }
    regexes_.push_back(std::move(regex));
  }
}

CorsRules::~CorsRules() = default;

bool CorsRules::origin_allowed(std::string_view origin) const {
  if (origin.empty()) return false;
  if (any_origin_) return true;
  if (std::find(exact_.begin(), exact_.end(), origin) != exact_.end()) return true;
  return std::any_of(regexes_.begin(), regexes_.end(),
                     [&](const auto& regex) { return re2::RE2::FullMatch(origin, *regex); });
}

CorsHeaders CorsRules::preflight_headers(std::string_view origin) const {
  CorsHeaders out;
  out.add("access-control-allow-origin", origin);
  if (allow_credentials_) out.add("access-control-allow-credentials", "true");
  if (!allow_methods_.empty()) out.add("access-control-allow-methods", allow_methods_);
  if (!allow_headers_.empty()) out.add("access-control-allow-headers", allow_headers_);
  if (!max_age_.empty()) out.add("access-control-max-age", max_age_);
  out.add("vary", "origin");
  return out;
}

CorsHeaders CorsRules::response_headers(std::string_view origin) const {
  CorsHeaders out;
  out.add("access-control-allow-origin", origin);
  if (allow_credentials_) out.add("access-control-allow-credentials", "true");
  if (!expose_headers_.empty()) out.add("access-control-expose-headers", expose_headers_);
  out.add("vary", "origin");
  return out;
}

CorsDecision evaluate_cors(const CorsRules* rules, const CorsRequest& request) {
  CorsDecision out;
  if (!rules || !rules->origin_allowed(request.origin)) return out;
  if (is_preflight(request)) {
    out.action = CorsDecision::Action::AnswerPreflight;
    out.headers = rules->preflight_headers(request.origin);
  } else {
    out.action = CorsDecision::Action::AddResponseHeaders;
    out.headers = rules->response_headers(request.origin);
  }
  return out;
}

}  // namespace lambdagate::policy
