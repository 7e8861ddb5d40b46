// redirectAction's Location (proxy/redirect.hpp) as a table: scheme, host and port handling as
// Envoy does it, each path option, and the query kept unless stripQuery.
#include "lambdagate/proxy/redirect.hpp"

#include <catch2/catch.hpp>
#include <string>

namespace {

using lambdagate::config::RedirectAction;
using lambdagate::proxy::redirect_location;
using lambdagate::proxy::RedirectRequest;

RedirectRequest plain(std::string_view host, std::string_view path, std::string_view query = {},
                      std::string_view prefix = {}) {
  return RedirectRequest{false, host, path, query, prefix};
}

}  // namespace

// The classic redirect to HTTPS keeps host, path and query; a default port of the old scheme is
// dropped, another port is kept (Envoy), and portRedirect replaces it.
TEST_CASE("redirect_location: httpsRedirect, host and port", "[redirect]") {
  RedirectAction https;
  https.https_redirect = true;
  CHECK(redirect_location(https, plain("shop.example.com", "/cart", "id=7")) ==
        "https://shop.example.com/cart?id=7");
  CHECK(redirect_location(https, plain("shop.example.com:80", "/")) == "https://shop.example.com/");
  CHECK(redirect_location(https, plain("shop.example.com:8080", "/")) == "https://shop.example.com:8080/");
  CHECK(redirect_location(https, plain("[::1]:80", "/a")) == "https://[::1]/a");
  https.port_redirect = 8443;
  CHECK(redirect_location(https, plain("shop.example.com:8080", "/a")) == "https://shop.example.com:8443/a");

  RedirectAction host;
  host.host_redirect = "www.example.com";
  CHECK(redirect_location(host, plain("old.example.com:8080", "/p", "q=1")) ==
        "http://www.example.com/p?q=1");
  RedirectRequest over_tls{true, "old.example.com", "/p", {}, {}};
  CHECK(redirect_location(host, over_tls) == "https://www.example.com/p");
}

// pathRedirect replaces the path (its own query wins); prefixRewrite replaces the matched prefix;
// regexRewrite substitutes; stripQuery drops the request's query only.
TEST_CASE("redirect_location: path options and the query", "[redirect]") {
  RedirectAction path;
  path.path_redirect = "/new";
  CHECK(redirect_location(path, plain("h", "/old/x", "a=1")) == "http://h/new?a=1");
  path.strip_query = true;
  CHECK(redirect_location(path, plain("h", "/old/x", "a=1")) == "http://h/new");
  path.strip_query = false;
  path.path_redirect = "/new?b=2";
  CHECK(redirect_location(path, plain("h", "/old/x", "a=1")) == "http://h/new?b=2");

  RedirectAction prefix;
  prefix.prefix_rewrite = "/v2";
  CHECK(redirect_location(prefix, plain("h", "/v1/users", "", "/v1")) == "http://h/v2/users");
  prefix.prefix_rewrite = "/";
  CHECK(redirect_location(prefix, plain("h", "/v1/users", "", "/v1/")) == "http://h/users");

  RedirectAction regex;
  regex.regex_rewrite = lambdagate::config::RegexRewrite{"^/app/([^/]+)/", "/\\1/app/"};
  CHECK(redirect_location(regex, plain("h", "/app/shop/index", "x=1")) == "http://h/shop/app/index?x=1");
}

// The part of the path a route's matchers matched, for prefixRewrite.
TEST_CASE("matched_prefix: prefix, exact, default, regex", "[redirect]") {
  using lambdagate::config::Matcher;
  using lambdagate::config::PathMatchKind;
  lambdagate::config::Route route;
  CHECK(lambdagate::proxy::matched_prefix(route, "/x") == "/");
  Matcher prefix;
  prefix.kind = PathMatchKind::Prefix;
  prefix.path = "/API";
  prefix.case_sensitive = false;
  Matcher exact;
  exact.kind = PathMatchKind::Exact;
  exact.path = "/exact";
  route.matchers = {prefix, exact};
  CHECK(lambdagate::proxy::matched_prefix(route, "/api/users") == "/api");
  CHECK(lambdagate::proxy::matched_prefix(route, "/exact") == "/exact");
  Matcher regex;
  regex.kind = PathMatchKind::Regex;
  regex.path = "/r.*";
  route.matchers = {regex};
  CHECK(lambdagate::proxy::matched_prefix(route, "/rx").empty());
}
