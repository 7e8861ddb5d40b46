// Route-matching benchmark: nanoseconds per RouteTable::match at 10, 1,000 and 10,000 routes, for
// prefix routes, exact routes and a mix with 1% regex routes (once with regexes that start with a
// literal, which the index files under it, once with regexes that start with `.*`, which every
// request must try), with requests that hit the first, middle and last route and one that misses. Beside it,
// the linear scan RouteTable::match did before the index (every matcher of every route, in order), on the
// same routes and requests.
//
// The machine is shared and noisy, so every case is measured in each of several interleaved rounds
// and the median is printed; compare sizes through their ratios, taken within one run.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "lambdagate/routing/route_table.hpp"

namespace {

using namespace lambdagate;
using Clock = std::chrono::steady_clock;

constexpr const char* kHost = "api.example.com";
constexpr std::size_t kSizes[] = {10, 1000, 10000};

enum class Scenario { Prefix, Exact, Mix, MixNoLiteral };
const char* name(Scenario s) {
  switch (s) {
    case Scenario::Prefix:
      return "prefix";
    case Scenario::Exact:
      return "exact";
    case Scenario::Mix:
      return "mix 1% regex";
    case Scenario::MixNoLiteral:
      return "mix 1% regex `.*`";
  }
  return "?";
}

config::PathMatchKind kind_of(Scenario scenario, std::size_t i) {
  switch (scenario) {
    case Scenario::Prefix:
      return config::PathMatchKind::Prefix;
    case Scenario::Exact:
      return config::PathMatchKind::Exact;
    case Scenario::Mix:
    case Scenario::MixNoLiteral:
      if (i % 100 == 1) return config::PathMatchKind::Regex;  // 1%, and at least one among 10 routes
      return i % 2 == 0 ? config::PathMatchKind::Prefix : config::PathMatchKind::Exact;
  }
  return config::PathMatchKind::Prefix;
}

std::string service(std::size_t i) { return "/api/service-" + std::to_string(i); }

config::Matcher matcher_for(Scenario scenario, std::size_t i) {
  const std::string regex_start =
      scenario == Scenario::MixNoLiteral ? ".*/service-" + std::to_string(i) : service(i);
  config::Matcher m;
  m.kind = kind_of(scenario, i);
  switch (m.kind) {
    case config::PathMatchKind::Prefix:
      m.path = service(i) + "/";
      break;
    case config::PathMatchKind::Exact:
      m.path = service(i) + "/items";
      break;
    case config::PathMatchKind::Regex:
      m.path = regex_start + "/items/[0-9]+";
      break;
  }
  return m;
}

// The request path that route i, and no route before it, matches.
std::string path_for(Scenario scenario, std::size_t i) {
  return kind_of(scenario, i) == config::PathMatchKind::Exact ? service(i) + "/items"
                                                              : service(i) + "/items/42";
}

std::shared_ptr<const config::Config> make_config(Scenario scenario, std::size_t routes) {
  auto config = std::make_shared<config::Config>();
  config::VirtualService vs;
  vs.metadata.name = "bench";
  vs.domains = {kHost};
  for (std::size_t i = 0; i < routes; ++i) {
    config::Route route;
    route.name = "r" + std::to_string(i);
    route.matchers.push_back(matcher_for(scenario, i));
    vs.routes.push_back(std::move(route));
  }
  config->virtual_services.push_back(std::move(vs));
  return config;
}

// The pre-index algorithm, kept here as the baseline: the same domain lookup, then every matcher
// of every route in order.
class LinearRoutes {
public:
  explicit LinearRoutes(const config::VirtualService& vs) {
    for (const auto& d : vs.domains) domains_.add(d, 0);
    for (const auto& route : vs.routes) {
      std::vector<routing::CompiledMatcher> matchers;
      for (const auto& m : route.matchers) matchers.emplace_back(m);
      routes_.push_back(std::move(matchers));
    }
  }
  const void* match(const routing::RequestView& request) const {
    if (!domains_.find(request.host)) return nullptr;
    for (const auto& matchers : routes_) {
      for (const auto& m : matchers) {
        if (m.matches(request)) return &matchers;
      }
    }
    return nullptr;
  }

private:
  routing::DomainIndex domains_;
  std::vector<std::vector<routing::CompiledMatcher>> routes_;
};

struct Case {
  Scenario scenario;
  std::size_t size;
  std::string request_name;
  std::string path;
  std::size_t expected;  // route position, or size for a miss
  std::shared_ptr<const routing::RouteTable> table;
  std::shared_ptr<const LinearRoutes> linear;
  std::size_t iterations[2] = {0, 0};  // indexed, linear
  std::vector<double> samples[2];      // ns per match
};

routing::RequestView view_of(const Case& c) {
  routing::RequestView view;
  view.method = "GET";
  view.host = kHost;
  view.path = c.path;
  return view;
}

volatile std::uintptr_t g_sink;  // keeps the matches from being optimised away

// Seconds for `iterations` matches of case `c` by implementation `impl` (0 indexed, 1 linear).
double run(const Case& c, int impl, std::size_t iterations) {
  const routing::RequestView view = view_of(c);
  std::uintptr_t sink = 0;
  const auto start = Clock::now();
  if (impl == 0) {
    for (std::size_t i = 0; i < iterations; ++i)
      sink += reinterpret_cast<std::uintptr_t>(c.table->match(view));
  } else {
    for (std::size_t i = 0; i < iterations; ++i)
      sink += reinterpret_cast<std::uintptr_t>(c.linear->match(view));
  }
  const auto elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  g_sink = sink;
  return elapsed;
}

// Enough iterations for one sample to last about `target` seconds.
std::size_t calibrate(const Case& c, int impl, double target) {
  std::size_t iterations = 1;
  for (;;) {
    const double t = run(c, impl, iterations);
    if (t >= target / 4 || iterations >= (std::size_t{1} << 30)) {
      return std::max<std::size_t>(1, static_cast<std::size_t>(static_cast<double>(iterations) * target / t));
    }
    iterations *= 4;
  }
}

double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

bool check(const Case& c) {
  const auto* route = c.table->match(view_of(c));
  const std::size_t got = route ? route->index : c.size;
  if (got != c.expected) {
    std::fprintf(stderr, "%s/%zu/%s: matched %zu, expected %zu\n", name(c.scenario), c.size,
                 c.request_name.c_str(), got, c.expected);
  }
  return got == c.expected;
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 9;
  const double target = 0.003;  // seconds per sample

  std::vector<Case> cases;
  for (Scenario scenario : {Scenario::Prefix, Scenario::Exact, Scenario::Mix, Scenario::MixNoLiteral}) {
    for (std::size_t size : kSizes) {
      auto config = make_config(scenario, size);
      auto table = routing::RouteTable::compile(config);
      auto linear = std::make_shared<const LinearRoutes>(config->virtual_services.front());
      const std::pair<const char*, std::size_t> targets[] = {
          {"first", 0}, {"middle", size / 2}, {"last", size - 1}};
      for (const auto& [request, position] : targets) {
        cases.push_back(
            {scenario, size, request, path_for(scenario, position), position, table, linear, {}, {}});
      }
      cases.push_back({scenario, size, "miss", "/api/service-none/items", size, table, linear, {}, {}});
    }
  }
  bool ok = true;
  for (const auto& c : cases) ok = check(c) && ok;
  if (!ok) return 1;

  for (auto& c : cases) {
    for (int impl = 0; impl < 2; ++impl) c.iterations[impl] = calibrate(c, impl, target);
  }
  // Rounds interleave every case, so a noisy neighbour slows all sizes alike.
  for (int round = 0; round < rounds; ++round) {
    for (auto& c : cases) {
      for (int impl = 0; impl < 2; ++impl) {
        c.samples[impl].push_back(run(c, impl, c.iterations[impl]) * 1e9 /
                                  static_cast<double>(c.iterations[impl]));
      }
    }
  }

  std::printf(
      "Median ns per match over %d rounds (indexed = RouteTable::match; linear = the former scan)\n\n",
      rounds);
  std::printf(
      "| routes | request | indexed 10 | indexed 1,000 | indexed 10,000 | 10,000 / 10 | linear 10 | "
      "linear 1,000 | linear 10,000 |\n");
  std::printf("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
  double worst_ratio = 0;
  const std::size_t per_scenario = std::size(kSizes) * 4;
  for (std::size_t s = 0; s < cases.size() / per_scenario; ++s) {
    for (std::size_t r = 0; r < 4; ++r) {
      double indexed[3], linear[3];
      for (std::size_t z = 0; z < 3; ++z) {
        const Case& c = cases[s * per_scenario + z * 4 + r];
        indexed[z] = median(c.samples[0]);
        linear[z] = median(c.samples[1]);
      }
      const Case& first = cases[s * per_scenario + r];
      const double ratio = indexed[2] / indexed[0];
      if (first.scenario == Scenario::Prefix || first.scenario == Scenario::Exact)
        worst_ratio = std::max(worst_ratio, ratio);
      std::printf("| %s | %s | %.0f | %.0f | %.0f | %.2f× | %.0f | %.0f | %.0f |\n", name(first.scenario),
                  first.request_name.c_str(), indexed[0], indexed[1], indexed[2], ratio, linear[0], linear[1],
                  linear[2]);
    }
  }
  std::printf("\nWorst 10,000 / 10 ratio for prefix and exact routes: %.2f× (target: within 2×) — %s\n",
              worst_ratio, worst_ratio <= 2.0 ? "met" : "NOT met");
  return 0;
}
