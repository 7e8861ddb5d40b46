#include <catch2/catch.hpp>

#include <map>

#include "lambdagate/routing/route_table.hpp"

namespace {

using namespace lambdagate;

class MapHeaders final : public routing::RequestHeaders {
public:
  std::map<std::string, std::string> values;
  std::optional<std::string_view> get(std::string_view name) const override {
    auto it = values.find(std::string(name));
    if (it == values.end()) return std::nullopt;
    return std::string_view(it->second);
  }
};

config::Route route_with(std::string name, std::vector<config::Matcher> matchers) {
  config::Route r;
  r.name = std::move(name);
  r.matchers = std::move(matchers);
  return r;
}

config::Matcher prefix(std::string p, bool case_sensitive = true) {
  config::Matcher m;
  m.kind = config::PathMatchKind::Prefix;
  m.path = std::move(p);
  m.case_sensitive = case_sensitive;
  return m;
}

config::Matcher exact(std::string p, bool case_sensitive = true) {
  auto m = prefix(std::move(p), case_sensitive);
  m.kind = config::PathMatchKind::Exact;
  return m;
}

config::Matcher regex(std::string p) {
  auto m = prefix(std::move(p));
  m.kind = config::PathMatchKind::Regex;
  return m;
}

config::VirtualService vs(std::string name, std::vector<std::string> domains, std::vector<config::Route> routes) {
  config::VirtualService v;
  v.metadata.name = std::move(name);
  v.domains = std::move(domains);
  v.routes = std::move(routes);
  return v;
}

std::string match(const routing::RouteTable& table, std::string_view host, std::string_view path,
                  std::string_view method = "GET", const routing::RequestHeaders* headers = nullptr,
                  std::string_view query = "") {
  routing::RequestView view;
  view.method = method;
  view.host = host;
  view.path = path;
  view.query = query;
  view.headers = headers;
  const auto* route = table.match(view);
  return route ? route->name : "<none>";
}

std::shared_ptr<const routing::RouteTable> compile(std::vector<config::VirtualService> services) {
  auto config = std::make_shared<config::Config>();
  config->virtual_services = std::move(services);
  return routing::RouteTable::compile(config);
}

}  // namespace

// Path matchers follow Gloo: a prefix is a raw string prefix, exact ignores the query, regex
// must match the whole path, and caseSensitive: false folds both sides.
TEST_CASE("path matchers", "[routing]") {
  auto table = compile({vs("v", {"*"},
                           {route_with("exact", {exact("/abc/exact")}), route_with("abc", {prefix("/abc")}),
                            route_with("insensitive", {prefix("/CaSe", false)}),
                            route_with("exact-ci", {exact("/Only", false)}),
                            route_with("regex", {regex("/items/[0-9]+")})})});
  struct Case {
    const char* path;
    const char* expected;
  };
  const Case cases[] = {
      {"/abc", "abc"},           {"/abcd", "abc"},  // Gloo edge case: /abc matches /abcd
      {"/abc/exact", "exact"},   {"/abc/exact/more", "abc"},
      {"/ABC", "<none>"},        {"/case/x", "insensitive"},
      {"/CASE", "insensitive"},  {"/only", "exact-ci"},
      {"/ONLY", "exact-ci"},     {"/onlyx", "<none>"},
      {"/items/42", "regex"},    {"/items/42/x", "<none>"},
      {"/items/x", "<none>"},    {"/", "<none>"},
  };
  for (const auto& c : cases) {
    INFO(c.path);
    CHECK(match(*table, "example.com", c.path) == c.expected);
  }
}

// Routes are tried in order and the first match wins, even when a later one is more specific.
TEST_CASE("first matching route wins", "[routing]") {
  auto table = compile({vs("v", {"*"}, {route_with("broad", {prefix("/")}), route_with("narrow", {exact("/x")})})});
  CHECK(match(*table, "h", "/x") == "broad");
}

// An empty matcher list means `prefix: /`, and several matchers on one route are OR'd.
TEST_CASE("empty matcher list and OR'd matchers", "[routing]") {
  auto table = compile({vs("v", {"*"}, {route_with("either", {exact("/a"), exact("/b")}), route_with("all", {})})});
  CHECK(match(*table, "h", "/a") == "either");
  CHECK(match(*table, "h", "/b") == "either");
  CHECK(match(*table, "h", "/c") == "all");
}

// Headers: exact value, presence, regex (full match), inverted; all must hold. Methods are OR'd.
TEST_CASE("header, query and method matchers", "[routing]") {
  auto m = prefix("/");
  m.headers = {{"x-env", "prod", false, false}, {"x-present", "", false, false}, {"x-ver", "v[0-9]+", true, false},
               {"x-block", "", false, true}};
  auto q = prefix("/");
  q.query_parameters = {{"mode", "fast", false}, {"id", "[0-9]+", true}, {"flag", "", false}};
  auto meth = prefix("/");
  meth.methods = {"POST", "PUT"};
  auto table = compile({vs("v", {"*"}, {route_with("headers", {m})}), vs("q", {"q.com"}, {route_with("query", {q})}),
                        vs("m", {"m.com"}, {route_with("methods", {meth})})});

  MapHeaders h;
  h.values = {{"x-env", "prod"}, {"x-present", "anything"}, {"x-ver", "v12"}};
  CHECK(match(*table, "h", "/", "GET", &h) == "headers");
  h.values["x-ver"] = "v12x";  // regex must match the whole value
  CHECK(match(*table, "h", "/", "GET", &h) == "<none>");
  h.values["x-ver"] = "v1";
  h.values["x-block"] = "1";  // inverted presence
  CHECK(match(*table, "h", "/", "GET", &h) == "<none>");
  h.values.erase("x-block");
  h.values.erase("x-present");
  CHECK(match(*table, "h", "/", "GET", &h) == "<none>");

  CHECK(match(*table, "q.com", "/", "GET", nullptr, "mode=fast&id=42&flag") == "query");
  CHECK(match(*table, "q.com", "/", "GET", nullptr, "id=42&mode=fast&flag=") == "query");
  CHECK(match(*table, "q.com", "/", "GET", nullptr, "mode=fast&id=4x2&flag") == "<none>");
  CHECK(match(*table, "q.com", "/", "GET", nullptr, "mode=slow&id=42&flag") == "<none>");
  CHECK(match(*table, "q.com", "/", "GET", nullptr, "mode=fast&id=42") == "<none>");
  CHECK(match(*table, "q.com", "/", "GET", nullptr, "mode=fas%74&id=42&flag") == "query");  // decoded

  CHECK(match(*table, "m.com", "/", "POST") == "methods");
  CHECK(match(*table, "m.com", "/", "PUT") == "methods");
  CHECK(match(*table, "m.com", "/", "GET") == "<none>");
}

// Domains follow Envoy: exact first, then the longest suffix wildcard, then the longest prefix
// wildcard, then '*'; a wildcard never matches the empty string; a domain without a port
// matches any port, one with a port only that port; case-insensitive.
TEST_CASE("domain precedence", "[routing]") {
  auto table = compile({
      vs("exact", {"api.example.com"}, {route_with("exact", {})}),
      vs("suffix-long", {"*.api.example.com"}, {route_with("suffix-long", {})}),
      vs("suffix", {"*.example.com"}, {route_with("suffix", {})}),
      vs("prefix", {"api.*"}, {route_with("prefix", {})}),
      vs("port", {"ported.com:8443"}, {route_with("port", {})}),
      vs("any", {"*"}, {route_with("any", {})}),
  });
  struct Case {
    const char* host;
    const char* expected;
  };
  const Case cases[] = {
      {"api.example.com", "exact"},
      {"API.Example.COM", "exact"},
      {"api.example.com:8080", "exact"},
      {"v1.api.example.com", "suffix-long"},
      {"www.example.com", "suffix"},
      {".example.com", "any"},  // the wildcard must match at least one character
      {"example.com", "any"},  // "*.example.com" needs at least one character before
      {"api.other.org", "prefix"},
      {"ported.com:8443", "port"},
      {"ported.com:80", "any"},
      {"ported.com", "any"},
      {"unknown", "any"},
      {"", "any"},
  };
  for (const auto& c : cases) {
    INFO(c.host);
    CHECK(match(*table, c.host, "/") == c.expected);
  }
}

// With no '*' virtual host, an unknown Host finds no route; an empty domain list means '*'.
TEST_CASE("no virtual host matches", "[routing]") {
  auto table = compile({vs("only", {"a.com"}, {route_with("a", {})})});
  CHECK(match(*table, "b.com", "/") == "<none>");
  auto table2 = compile({vs("empty-domains", {}, {route_with("e", {})})});
  CHECK(match(*table2, "anything", "/") == "e");
  CHECK(match(*table2, "Other.Example:8080", "/") == "e");
  CHECK(match(*table2, "", "/") == "e");
}

// Routes without a name are named after their virtual service and position.
TEST_CASE("generated route names", "[routing]") {
  auto v = vs("svc", {"*"}, {route_with("", {exact("/a")}), route_with("", {})});
  v.metadata.namespace_ = "ns";
  auto table = compile({v});
  CHECK(match(*table, "h", "/a") == "ns/svc/0");
  CHECK(match(*table, "h", "/b") == "ns/svc/1");
  CHECK(table->route_count() == 2);
}
