#include <re2/re2.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <map>
#include <new>
#include <random>
#include <sstream>

#include "lambdagate/routing/path_trie.hpp"
#include "lambdagate/routing/route_table.hpp"

// Counts every allocation in this test program, so a test can show that matching does none.
namespace {
std::atomic<std::size_t> g_allocations{0};
}  // namespace

// GCC inlines these into std::allocator and then takes the malloc/free pair for a mismatch with
// operator new; replacing the global operators this way is what the standard provides for.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
// The nothrow form too (Catch allocates with it): every allocation must come from malloc, since
// the deletes below free() it — left to the runtime (ASan's), it would not.
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

namespace {

using namespace lambdagate;

class MapHeaders final : public routing::RequestHeaders {
public:
  std::map<std::string, std::string, std::less<>> values;  // transparent: lookups allocate nothing
  std::optional<std::string_view> get(std::string_view name) const override {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return std::string_view(it->second);
  }
};

// Every candidate list a walk yields, flattened to "route.matcher" in walk order.
std::string walk(const routing::PathTrie& trie, std::string_view path) {
  std::string out;
  trie.walk(path, [&out](std::span<const routing::RouteCandidate> span) {
    for (const auto& c : span) out += std::to_string(c.route) + "." + std::to_string(c.matcher) + " ";
  });
  return out;
}

// ---- The naive reference: the linear scan RouteTable used to do, written from the Gloo rules
// (reference/gloo.md §3) without any of the routing module's code. ----------------------------

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

class NaiveRouter {
public:
  // Position of the first route of `vs` with a matching matcher, or -1.
  int match(const config::VirtualService& vs, const routing::RequestView& request) {
    static const config::Matcher kDefault{};  // an empty matcher list means `prefix: /`
    for (std::size_t i = 0; i < vs.routes.size(); ++i) {
      const auto& route = vs.routes[i];
      if (route.matchers.empty()) {
        if (matches(kDefault, request)) return static_cast<int>(i);
        continue;
      }
      for (const auto& m : route.matchers) {
        if (matches(m, request)) return static_cast<int>(i);
      }
    }
    return -1;
  }

private:
  bool full_match(const std::string& pattern, bool case_sensitive, std::string_view text) {
    auto& slot = regexes_[{pattern, case_sensitive}];
    if (!slot) {
      re2::RE2::Options options;
      options.set_log_errors(false);
      options.set_case_sensitive(case_sensitive);
      slot = std::make_unique<re2::RE2>(pattern, options);
    }
    return slot->ok() && re2::RE2::FullMatch(text, *slot);
  }

  bool matches(const config::Matcher& m, const routing::RequestView& request) {
    if (!m.methods.empty() &&
        std::find(m.methods.begin(), m.methods.end(), request.method) == m.methods.end()) {
      return false;
    }
    const std::string path = m.case_sensitive ? std::string(request.path) : lower(request.path);
    const std::string key = m.case_sensitive ? m.path : lower(m.path);
    switch (m.kind) {
      case config::PathMatchKind::Prefix:
        if (path.compare(0, key.size(), key) != 0 || path.size() < key.size()) return false;
        break;
      case config::PathMatchKind::Exact:
        if (path != key) return false;
        break;
      case config::PathMatchKind::Regex:
        if (!full_match(m.path, m.case_sensitive, request.path)) return false;
        break;
    }
    for (const auto& h : m.headers) {
      std::optional<std::string_view> value;
      if (request.headers) value = request.headers->get(h.name);
      bool matched = false;
      if (value)
        matched = h.regex ? full_match(h.value, true, *value) : (h.value.empty() || *value == h.value);
      if (matched == h.invert_match) return false;
    }
    for (const auto& q : m.query_parameters) {
      // The generated queries are plain "k=v&k" lists, so no decoding is needed here.
      std::optional<std::string> value;
      std::stringstream pairs{std::string(request.query)};
      for (std::string pair; !value && std::getline(pairs, pair, '&');) {
        const auto eq = pair.find('=');
        if (pair.substr(0, eq) == q.name) value = eq == std::string::npos ? "" : pair.substr(eq + 1);
      }
      if (!value || (!q.value.empty() && *value != q.value)) return false;
    }
    return true;
  }

  std::map<std::pair<std::string, bool>, std::unique_ptr<re2::RE2>> regexes_;
};

// ---- Random route sets and requests over a tiny alphabet, so that paths collide often. ----------

class Generator {
public:
  explicit Generator(std::uint32_t seed) : rng_(seed) {}

  std::size_t below(std::size_t n) { return rng_() % n; }
  bool chance(unsigned percent) { return below(100) < percent; }
  template <class T>
  const T& pick(const std::vector<T>& from) {
    return from[below(from.size())];
  }

  std::string random_path(std::size_t max_size) {
    static const std::string kBytes = "/abcAB";
    std::string path = chance(85) ? "/" : "";
    const std::size_t size = below(max_size + 1);
    while (path.size() < size) path += kBytes[below(kBytes.size())];
    return path;
  }

  config::Matcher matcher() {
    static const std::vector<std::string> kPaths = {"",      "/",    "/a",    "/ab",  "/abc",
                                                    "/abcd", "/A",   "/aB",   "/b",   "/ba",
                                                    "/a/",   "/a/b", "/ab/c", "/AbC", "/b/A"};
    // Literal starts of every shape (none, partial, whole, alternatives, anchors, repeats,
    // inline case folding), so the literal the index files a regex under is put to the test.
    static const std::vector<std::string> kRegexes = {
        "/a.*",     "/[ab]+",  "/.*c",    "/ab",       ".*",     "/a(",  "/A[a-z]*",
        "(?i)/b.*", "",        "/a/?b?",  "/[^/]*/.*", "^/ab.*", "/ab$", "/a{2}.*",
        "(/a|/b)c", "/ab|/ac", "\\/ab.*", "[/]a.*",    "/a+b",   "/ab?", "/a(?i)b.*",
        "(?i)/AB",  "/a/b/.*", "/abc.*",  "/(ab)*"};
    config::Matcher m;
    const auto kind = below(100);
    if (kind < 45) {
      m.kind = config::PathMatchKind::Prefix;
      m.path = chance(80) ? pick(kPaths) : random_path(5);
    } else if (kind < 80) {
      m.kind = config::PathMatchKind::Exact;
      m.path = chance(80) ? pick(kPaths) : random_path(5);
    } else {
      m.kind = config::PathMatchKind::Regex;
      m.path = pick(kRegexes);
    }
    m.case_sensitive = !chance(30);
    if (chance(20)) {
      static const std::vector<config::HeaderMatcher> kHeaders = {
          {"x-h", "1", false, false}, {"x-h", "", false, false}, {"x-h", "[0-9]", true, false},
          {"x-h", "1", false, true},  {"x-v", "", false, true},  {"x-v", "a|b", true, false}};
      m.headers.push_back(pick(kHeaders));
      if (chance(30)) m.headers.push_back(pick(kHeaders));
    }
    if (chance(15))
      m.methods = chance(50) ? std::vector<std::string>{"POST"} : std::vector<std::string>{"GET", "PUT"};
    if (chance(10)) m.query_parameters.push_back({"q", chance(50) ? "1" : "", false});
    return m;
  }

  config::VirtualService virtual_service() {
    config::VirtualService vs;
    vs.metadata.name = "random";
    const std::size_t routes = below(25);
    for (std::size_t i = 0; i < routes; ++i) {
      config::Route route;
      route.name = "r" + std::to_string(i);
      if (!chance(8)) {
        const std::size_t matchers = 1 + below(3);
        for (std::size_t j = 0; j < matchers; ++j) route.matchers.push_back(matcher());
      }
      vs.routes.push_back(std::move(route));
    }
    return vs;
  }

  // A request path: often a route's own path, extended, or with its case changed.
  std::string request_path(const config::VirtualService& vs) {
    std::vector<std::string> paths;
    for (const auto& r : vs.routes) {
      for (const auto& m : r.matchers) {
        if (m.kind != config::PathMatchKind::Regex) paths.push_back(m.path);
      }
    }
    if (paths.empty() || chance(35)) return random_path(8);
    std::string path = pick(paths);
    if (chance(40)) {
      const std::string tail = random_path(3);
      path += chance(50) || tail.empty() ? tail : tail.substr(1);  // with or without a '/'
    }
    if (chance(25)) {
      for (char& c : path) {
        if (!chance(50)) continue;
        if (c >= 'a' && c <= 'z')
          c = static_cast<char>(c - 'a' + 'A');
        else if (c >= 'A' && c <= 'Z')
          c = static_cast<char>(c - 'A' + 'a');
      }
    }
    return path;
  }

  void request_headers(MapHeaders& headers) {
    static const std::vector<std::string> kValues = {"1", "2", "x", "a", "b"};
    headers.values.clear();
    if (chance(60)) headers.values["x-h"] = pick(kValues);
    if (chance(40)) headers.values["x-v"] = pick(kValues);
  }

private:
  std::mt19937 rng_;
};

std::string describe(const config::VirtualService& vs) {
  static const char* kKinds[] = {"prefix", "exact", "regex"};
  std::string out;
  for (const auto& r : vs.routes) {
    out += r.name + ":";
    if (r.matchers.empty()) out += " (empty)";
    for (const auto& m : r.matchers) {
      out += std::string(" ") + kKinds[static_cast<int>(m.kind)] + "'" + m.path + "'";
      if (!m.case_sensitive) out += "/i";
      for (const auto& h : m.headers)
        out += " h[" + h.name + (h.invert_match ? "!" : "") + "=" + h.value + "]";
      for (const auto& meth : m.methods) out += " " + meth;
      for (const auto& q : m.query_parameters) out += " q[" + q.name + "=" + q.value + "]";
    }
    out += "\n";
  }
  return out;
}

config::Matcher prefix_matcher(std::string path, bool case_sensitive) {
  config::Matcher m;
  m.path = std::move(path);
  m.case_sensitive = case_sensitive;
  return m;
}

std::shared_ptr<const routing::RouteTable> compile(std::vector<config::VirtualService> services) {
  auto config = std::make_shared<config::Config>();
  config->virtual_services = std::move(services);
  return routing::RouteTable::compile(config);
}

}  // namespace

// Keys that share bytes split edges: a walk sees every prefix key along the path, shortest
// first, and the exact key only when it equals the whole path.
TEST_CASE("path trie walk", "[routing]") {
  using Kind = routing::PathTrie::KeyKind;
  routing::PathTrie::Builder builder(true);
  builder.add(Kind::Prefix, "/abc", {0, 0});
  builder.add(Kind::Prefix, "/a", {1, 0});
  builder.add(Kind::Exact, "/ab", {2, 0});
  builder.add(Kind::Prefix, "/ab", {3, 0});
  builder.add(Kind::Prefix, "", {4, 0});
  builder.add(Kind::Exact, "/abcd", {5, 1});
  builder.add(Kind::Prefix, "/a", {6, 0});
  const auto trie = builder.build();
  CHECK(walk(trie, "") == "4.0 ");
  CHECK(walk(trie, "/") == "4.0 ");
  CHECK(walk(trie, "/a") == "4.0 1.0 6.0 ");
  CHECK(walk(trie, "/ab") == "4.0 1.0 6.0 3.0 2.0 ");
  CHECK(walk(trie, "/abc") == "4.0 1.0 6.0 3.0 0.0 ");  // Gloo: /abc matches /abcd too
  CHECK(walk(trie, "/abcd") == "4.0 1.0 6.0 3.0 0.0 5.1 ");
  CHECK(walk(trie, "/abcde") == "4.0 1.0 6.0 3.0 0.0 ");
  CHECK(walk(trie, "/ABC") == "4.0 ");
  CHECK(walk(trie, "/b") == "4.0 ");
}

// A case-insensitive trie folds its keys and the request bytes, ASCII only.
TEST_CASE("path trie folds case", "[routing]") {
  using Kind = routing::PathTrie::KeyKind;
  routing::PathTrie::Builder builder(false);
  builder.add(Kind::Prefix, "/Api", {0, 0});
  builder.add(Kind::Exact, "/API/x", {1, 0});
  const auto trie = builder.build();
  CHECK(walk(trie, "/aPI/X") == "0.0 1.0 ");
  CHECK(walk(trie, "/apix") == "0.0 ");
  CHECK(walk(trie, "/ap") == "");
  CHECK(walk(routing::PathTrie::Builder(true).build(), "/x") == "");
}

// A regex is filed under the literal every match starts with; without one it must land at the root.
TEST_CASE("regex literal prefix", "[routing]") {
  auto literal = [](std::string pattern, bool case_sensitive = true) {
    config::Matcher m;
    m.kind = config::PathMatchKind::Regex;
    m.path = std::move(pattern);
    m.case_sensitive = case_sensitive;
    return routing::CompiledMatcher(m).regex_literal_prefix();
  };
  CHECK(literal("/api/users/[0-9]+") == "/api/users/");
  CHECK(literal("/ab|/ac") == "/a");
  CHECK(literal("/api/.*", false) == "/");  // stops at the first letter that may be either case
  CHECK(literal("(?i)/api") == "/");
  CHECK(literal(".*\\.json").empty());
  CHECK(literal("/a(").empty());  // never matches; costs a root slot, nothing else
  config::Matcher prefix;
  CHECK(routing::CompiledMatcher(prefix).regex_literal_prefix().empty());
}

// The indexed match must pick exactly the route a linear scan picks: thousands of random route
// sets (prefix, exact, regex, case-insensitive, header/method/query conditions, overlapping
// prefixes, empty matcher lists) against random paths, with a fixed seed so failures replay.
TEST_CASE("indexed match equals the linear scan", "[routing][property]") {
  Generator gen(20240601);
  NaiveRouter naive;
  MapHeaders headers;
  static const std::vector<std::string> kMethods = {"GET", "POST", "PUT"};
  static const std::vector<std::string> kQueries = {"", "q=1", "q=2", "q", "a=1&q=1"};
  std::size_t cases = 0, matched = 0;
  std::map<std::string, std::size_t> winners;  // how often each kind of matcher won
  for (int set = 0; set < 600; ++set) {
    auto vs = gen.virtual_service();
    auto table = compile({vs});
    for (int r = 0; r < 40; ++r) {
      const std::string path = gen.request_path(vs);
      gen.request_headers(headers);
      routing::RequestView view;
      view.method = gen.pick(kMethods);
      view.host = "h";
      view.path = path;
      view.query = gen.pick(kQueries);
      view.headers = gen.chance(90) ? &headers : nullptr;

      const int expected = naive.match(vs, view);
      const auto* route = table->match(view);
      const int actual = route ? static_cast<int>(route->index) : -1;
      ++cases;
      if (expected != actual) {
        std::string request = std::string(view.method) + " '" + path + "' ?" + std::string(view.query);
        if (view.headers) {
          for (const auto& [k, v] : headers.values) request += " " + k + "=" + v;
        }
        INFO("routes:\n" << describe(vs) << "request: " << request);
        REQUIRE(actual == expected);
      }
      if (expected >= 0) {
        ++matched;
        const auto& winner = vs.routes[static_cast<std::size_t>(expected)];
        if (winner.matchers.empty()) {
          ++winners["empty"];
        } else {
          for (const auto& m : winner.matchers) {
            if (m.kind == config::PathMatchKind::Regex) ++winners["regex"];
            if (!m.case_sensitive && m.kind != config::PathMatchKind::Regex) ++winners["insensitive"];
            if (!m.headers.empty()) ++winners["headers"];
          }
        }
      }
    }
  }
  // The generator must keep exercising every feature, or the property says little.
  CHECK(cases == 24000);
  CHECK(matched > cases / 4);
  CHECK(cases - matched > cases / 10);
  for (const char* kind : {"empty", "regex", "insensitive", "headers"}) {
    INFO(kind);
    CHECK(winners[kind] > 100);
  }
}

// A path that crosses more prefix keys than the merge holds at once still gets the first route:
// the merge settles what it holds and carries the winner on as a bound.
TEST_CASE("deeply nested prefixes", "[routing]") {
  config::VirtualService vs;
  vs.metadata.name = "deep";
  std::string prefix;
  for (int i = 0; i < 40; ++i) {
    prefix += "/x";
    config::Matcher m;
    m.path = prefix;
    m.case_sensitive = i % 2 == 0;
    m.headers.push_back({"x-depth", std::to_string(i), false, false});
    config::Route route;
    route.name = "depth" + std::to_string(i);
    route.matchers.push_back(m);
    vs.routes.push_back(route);
  }
  config::Route fallback;
  fallback.name = "fallback";
  vs.routes.push_back(fallback);
  auto table = compile({vs});
  MapHeaders headers;
  routing::RequestView view;
  view.method = "GET";
  view.host = "h";
  const std::string deep_path = prefix + "/end";
  view.path = deep_path;
  view.headers = &headers;
  for (int i : {0, 5, 15, 16, 17, 31, 32, 39}) {
    headers.values["x-depth"] = std::to_string(i);
    INFO(i);
    const auto* route = table->match(view);
    REQUIRE(route);
    CHECK(route->name == "depth" + std::to_string(i));
  }
  headers.values["x-depth"] = "none";
  CHECK(table->match(view)->name == "fallback");
  view.path = "/x/x/x";  // only depths 0..2 fit
  headers.values["x-depth"] = "3";
  CHECK(table->match(view)->name == "fallback");
}

// The request path allocates nothing (STYLE.md §12): domain lookup with a Host longer than the
// small-string buffer, both trie walks, the merge, header checks, and a regex once RE2 has built
// its DFA states for the path (the first match warms it up).
TEST_CASE("matching does not allocate", "[routing]") {
  auto header_gated = prefix_matcher("/api/", true);
  header_gated.headers.push_back({"x-tenant", "blue", false, false});
  auto regex_route = prefix_matcher("/api/users/[0-9]+", true);
  regex_route.kind = config::PathMatchKind::Regex;
  config::VirtualService vs;
  vs.domains = {"*.prod.example.com"};
  for (auto m :
       {header_gated, prefix_matcher("/API/ORDERS", false), regex_route, prefix_matcher("/api/", true)}) {
    config::Route route;
    route.matchers.push_back(m);
    vs.routes.push_back(route);
  }
  auto table = compile({vs});
  MapHeaders headers;
  headers.values["x-tenant"] = "green";
  routing::RequestView view;
  view.method = "GET";
  view.host = "my-service-with-a-long-name.prod.example.com:8443";
  view.headers = &headers;
  for (const char* path : {"/api/orders/7", "/api/users/42", "/api/other", "/nothing"}) {
    view.path = path;
    const auto* warm = table->match(view);
    const std::size_t before = g_allocations.load();
    const auto* route = table->match(view);
    const std::size_t allocations = g_allocations.load() - before;
    INFO(path);
    CHECK(route == warm);
    CHECK(allocations == 0);
  }
}
