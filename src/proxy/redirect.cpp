// redirectAction's Location (see redirect.hpp).
#include "lambdagate/proxy/redirect.hpp"

#include <re2/re2.h>

#include "lambdagate/core/ascii.hpp"

namespace lambdagate::proxy {

namespace {

// Envoy's processRequestHost: the request's host, its port dropped when a new port is given or
// when the scheme changes away from the port that is the old scheme's default.
std::string_view request_host(std::string_view host, bool was_https, bool to_https, bool new_port) {
  if (host.empty()) return host;
  std::size_t end = host.front() == '[' ? host.rfind("]:") : host.rfind(':');
  if (end == std::string_view::npos) return host;
  if (host.front() == '[') end += 1;
  const std::string_view port = host.substr(end);
  bool remove = new_port;
  if (was_https != to_https)
    remove = remove || (was_https && port == ":443") || (!was_https && port == ":80");
  return remove ? host.substr(0, end) : host;
}

}  // namespace

std::string_view matched_prefix(const config::Route& route, std::string_view path) {
  for (const auto& m : route.matchers) {
    const bool fits = m.case_sensitive ? path.starts_with(m.path)
                                       : path.size() >= m.path.size() &&
                                             core::iequals_ascii(path.substr(0, m.path.size()), m.path);
    if (m.kind == config::PathMatchKind::Prefix && fits) return path.substr(0, m.path.size());
    if (m.kind == config::PathMatchKind::Exact && fits && path.size() == m.path.size()) return path;
  }
  if (route.matchers.empty()) return path.substr(0, 1);  // the default `prefix: /`
  return {};
}

std::string redirect_location(const config::RedirectAction& action, const RedirectRequest& request) {
  const bool to_https = action.https_redirect || request.https;
  std::string location = to_https ? "https://" : "http://";
  if (!action.host_redirect.empty()) {
    location += action.host_redirect;
  } else {
    location += request_host(request.host, request.https, to_https, action.port_redirect.has_value());
  }
  if (action.port_redirect) location += ":" + std::to_string(*action.port_redirect);

  std::string path;
  bool own_query = false;
  if (action.path_redirect) {
    path = *action.path_redirect;
    own_query = path.find('?') != std::string::npos;
  } else if (action.prefix_rewrite && !request.matched_prefix.empty()) {
    path = *action.prefix_rewrite;
    path += request.path.substr(request.matched_prefix.size());
  } else if (action.regex_rewrite) {
    path = std::string(request.path);
    re2::RE2 pattern(action.regex_rewrite->pattern);
    if (pattern.ok()) re2::RE2::GlobalReplace(&path, pattern, action.regex_rewrite->substitution);
  } else {
    path = std::string(request.path);
  }
  if (path.empty() || path.front() != '/') path.insert(path.begin(), '/');
  location += path;
  if (!own_query && !action.strip_query && !request.query.empty()) {
    location += '?';
    location += request.query;
  }
  return location;
}

}  // namespace lambdagate::proxy
