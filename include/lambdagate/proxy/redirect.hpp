#pragma once
// redirectAction (Gloo's RedirectAction, Envoy's semantics): the Location a redirect route
// answers with. Pure: the route's action and the request in, the URL out; tested as a table
// (redirect_test.cpp).
//
// Scheme: https with httpsRedirect, else the request's. Host: hostRedirect, else the request's
// Host, whose port is dropped when portRedirect gives a new one or when the scheme changes away
// from its default port (":80" to https, ":443" to http); then ":portRedirect". Path:
// pathRedirect (its own query, if it has one, wins), else the request's path with the route's
// matched prefix replaced by prefixRewrite, or regexRewrite applied. The request's query is kept
// unless stripQuery.
#include <string>
#include <string_view>

#include "lambdagate/config/model.hpp"

namespace lambdagate::proxy {

struct RedirectRequest {
  bool https = false;               // came in over TLS
  std::string_view host;            // the Host header as sent, maybe with ":port"
  std::string_view path;            // without the query
  std::string_view query;           // without '?'; empty = none
  std::string_view matched_prefix;  // the part of `path` the route's prefix matched (prefixRewrite)
};

std::string redirect_location(const config::RedirectAction& action, const RedirectRequest& request);

// The part of `path` the route's matchers matched as a prefix: the first prefix matcher that
// fits (the whole path for an exact one); empty when only a regex matched.
std::string_view matched_prefix(const config::Route& route, std::string_view path);

}  // namespace lambdagate::proxy
