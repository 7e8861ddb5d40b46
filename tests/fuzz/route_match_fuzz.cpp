// libFuzzer target for path normalisation followed by route matching (src/http/path_normalization.cpp,
// src/routing): what the gateway does with every request's Host, method, target and headers,
// over a small fixed set of VirtualServices with exact, prefix, case-insensitive, regex, header,
// query and method matchers.
//
// Input: [options]host\nmethod\ntarget\n[name:value\n]... Options bit 0: normalize; bit 1: merge
// slashes; bits 2-3: the escaped-slash action (as the `path` target).
//
// Checked, beyond "no crash, no sanitizer report":
// - the route table (domain index, then its RouteIndex) picks the route that a plain scan of the
//   virtual host's routes in order, each matcher tried as written, picks: the index never skips
//   an earlier route nor invents a match;
// - the normalised target matched again after normalising it once more gives the same route (no
//   later stage could see another path than the one that was matched);
// - with normalisation on, no spelling of /api/secret reaches the `api` prefix route: a target
//   that normalises to /api/secret on api.example.com gets the exact route `secret`.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "lambdagate/core/ascii.hpp"
#include "lambdagate/http/path_normalization.hpp"
#include "lambdagate/routing/route_table.hpp"

namespace config = lambdagate::config;
namespace http = lambdagate::http;
namespace routing = lambdagate::routing;

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

class MapHeaders final : public routing::RequestHeaders {
 public:
  std::map<std::string, std::string, std::less<>> values;  // lower-case name -> first value
  std::optional<std::string_view> get(std::string_view lower_name) const override {
    const auto it = values.find(lower_name);
    if (it == values.end()) return std::nullopt;
    return std::string_view(it->second);
  }
};

config::Matcher matcher(config::PathMatchKind kind, std::string path, bool case_sensitive = true) {
  config::Matcher m;
  m.kind = kind;
  m.path = std::move(path);
  m.case_sensitive = case_sensitive;
  return m;
}

config::Route route(std::string name, std::vector<config::Matcher> matchers) {
  config::Route r;
  r.name = std::move(name);
  r.matchers = std::move(matchers);
  return r;
}

std::shared_ptr<const config::Config> fixed_config() {
  using Kind = config::PathMatchKind;
  auto cfg = std::make_shared<config::Config>();
  config::VirtualService api;
  api.metadata.name = "api";
  api.domains = {"api.example.com", "*.example.org"};
  auto headers = matcher(Kind::Prefix, "/h");
  headers.headers = {
      {"x-mode", "fast", false, false}, {"x-token", "[a-z]+", true, false}, {"x-debug", "", false, true}};
  auto query = matcher(Kind::Prefix, "/q");
  query.query_parameters = {{"id", "[0-9]+", true}, {"flag", "", false}};
  auto post = matcher(Kind::Prefix, "/p");
  post.methods = {"POST", "PUT"};
  api.routes = {route("secret", {matcher(Kind::Exact, "/api/secret")}),
                route("admin", {matcher(Kind::Prefix, "/Admin", false)}),
                route("items", {matcher(Kind::Regex, "/items/[0-9]+"), matcher(Kind::Exact, "/items")}),
                route("headers", {headers}),
                route("query", {query}),
                route("post", {post}),
                route("json", {matcher(Kind::Regex, ".*\\.json")}),
                route("api", {matcher(Kind::Prefix, "/api")})};
  config::VirtualService fallback;
  fallback.metadata.name = "default";
  fallback.domains = {"*"};
  fallback.routes = {route("static", {matcher(Kind::Prefix, "/static/")}),
                     route("exact-ci", {matcher(Kind::Exact, "/Only", false)}),
                     route("root", {matcher(Kind::Prefix, "/")})};
  cfg->virtual_services = {std::move(api), std::move(fallback)};
  return cfg;
}

struct Fixture {
  std::shared_ptr<const config::Config> config = fixed_config();
  std::shared_ptr<const routing::RouteTable> table = routing::RouteTable::compile(config);
  // Every virtual service's matchers, compiled on their own, in route order.
  std::map<const config::VirtualService*, std::vector<std::vector<routing::CompiledMatcher>>> plain;
  Fixture() {
    for (const auto& vs : config->virtual_services) {
      auto& routes = plain[&vs];
      for (const auto& r : vs.routes) {
        routes.emplace_back();
        for (const auto& m : r.matchers) routes.back().emplace_back(m);
      }
    }
  }
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

// The route a plain in-order scan picks on `vs`, or "<none>".
std::string scan(const config::VirtualService* vs, const routing::RequestView& view) {
  if (!vs) return "<none>";
  const auto& routes = fixture().plain.at(vs);
  for (std::size_t i = 0; i < routes.size(); ++i) {
    for (const auto& m : routes[i]) {
      if (m.matches(view)) return vs->routes[i].name;
    }
  }
  return "<none>";
}

std::string matched(const routing::RequestView& view) {
  const auto* r = fixture().table->match(view);
  return r ? r->route->name : "<none>";
}

std::pair<std::string_view, std::string_view> split(std::string_view target) {
  const std::size_t q = target.find('?');
  if (q == std::string_view::npos) return {target, {}};
  return {target.substr(0, q), target.substr(q + 1)};
}

std::string_view next_line(std::string_view& rest) {
  const std::size_t nl = rest.find('\n');
  const std::string_view line = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  http::PathOptions options;
  options.normalize = data[0] & 1;
  options.merge_slashes = data[0] & 2;
  options.escaped_slashes = static_cast<http::EscapedSlashes>((data[0] >> 2) & 3);
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string_view host = next_line(rest);
  const std::string_view method = next_line(rest);
  const std::string_view target = next_line(rest);
  MapHeaders headers;
  while (!rest.empty()) {
    const std::string_view line = next_line(rest);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    headers.values.emplace(lambdagate::core::to_lower_ascii(line.substr(0, colon)), line.substr(colon + 1));
  }

  const auto normalized = http::normalize_target(target, options);
  if (std::holds_alternative<http::PathRefusal>(normalized)) return 0;
  const std::string& out = std::get<http::NormalizedTarget>(normalized).target;
  const auto [path, query] = split(out);
  routing::RequestView view{method, host, path, query, &headers};

  const std::string route = matched(view);
  const config::VirtualService* vs = fixture().table->virtual_service_for(host);
  check(route == scan(vs, view));
  if (host == "api.example.com") check(vs && vs->metadata.name == "api");
  if (options.normalize && host == "api.example.com" && path == "/api/secret") check(route == "secret");

  if (options.escaped_slashes != http::EscapedSlashes::UnescapeAndRedirect) {
    const auto again = http::normalize_target(out, options);
    check(std::holds_alternative<http::NormalizedTarget>(again));
    const auto [path2, query2] = split(std::get<http::NormalizedTarget>(again).target);
    routing::RequestView view2{method, host, path2, query2, &headers};
    check(matched(view2) == route);
  }
  return 0;
}
