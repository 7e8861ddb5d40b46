// gateway.solo.io/v1 RouteTable and delegateAction: selection, Gloo's order, the prefix and
// matcher rules, cycles, option inheritance, and the flattened route list routing sees.
#include <algorithm>
#include <catch2/catch.hpp>

#include "config_test_support.hpp"

namespace lambdagate::config {
namespace {

using namespace std::chrono_literals;
using test::has_diagnostic;
using test::joined;
using test::lines;

// The names of a VirtualService's routes, in order, as routing sees them.
std::vector<std::string> route_names(const LoadResult& result) {
  std::vector<std::string> names;
  for (const Route& route : result.config->virtual_services.at(0).routes) names.push_back(route.name);
  return names;
}

// A RouteTable document (starting with "---") whose routes follow at indent 2.
std::string route_table(const std::string& name, const std::string& ns, const std::string& labels,
                        const std::string& spec_extra, const std::string& routes) {
  return "---\napiVersion: gateway.solo.io/v1\nkind: RouteTable\nmetadata: {name: " + name +
         ", namespace: " + ns + (labels.empty() ? "" : ", labels: " + labels) + "}\nspec:\n" + spec_extra +
         "  routes:\n" + routes;
}

// A RouteTable route named `name` with one matcher, answering 200.
std::string plain_route(const std::string& name, const std::string& matcher) {
  return "  - {name: " + name + ", matchers: [" + matcher + "], directResponseAction: {status: 200}}\n";
}

// A VirtualService (test.yaml, namespace default) whose only route, at line 9, is `api` with
// prefix /api and this delegateAction.
std::string delegating_vs(const std::string& delegate_action) {
  return test::kVirtualServiceHead +
         "    - name: api\n      matchers: [{prefix: /api}]\n      delegateAction: " + delegate_action + "\n";
}

LoadResult load_delegation(const std::string& vs, const std::string& tables) {
  return load_config_from_strings({{"base.yaml", test::kBaseYaml}, {"test.yaml", vs}, {"rt.yaml", tables}});
}

const std::string kApiRoutes = R"(apiVersion: gateway.solo.io/v1
kind: RouteTable
metadata:
  name: api-routes
  labels: {team: api}
spec:
  routes:
  - name: users
    matchers: [{prefix: /api/users}]
    routeAction: {single: {upstream: {name: lambda}, destinationSpec: {aws: {logicalName: uppercase}}}}
  - name: orders
    matchers: [{exact: /api/orders}]
    directResponseAction: {status: 200}
)";

// Every way of naming the RouteTable (ref, the older name/namespace, a selector by labels,
// namespaces or expressions) replaces the delegating route, in place, with the table's routes.
TEST_CASE("a delegating route is replaced in place by the RouteTable's routes", "[config][delegation]") {
  const std::vector<std::string> forms = {
      "{ref: {name: api-routes}}",
      "{ref: {name: api-routes, namespace: default}}",
      "{name: api-routes}",
      "{name: api-routes, namespace: default}",
      "{selector: {labels: {team: api}}}",
      "{selector: {namespaces: [default]}}",
      "{selector: {namespaces: ['*'], labels: {team: api}}}",
      "{selector: {expressions: [{key: team, operator: In, values: [api, web]}]}}",
  };
  const std::string routes = R"(    - name: health
      matchers: [{exact: /health}]
      directResponseAction: {status: 200}
    - name: api
      matchers: [{prefix: /api}]
      delegateAction: DELEGATE
    - name: fallback
      directResponseAction: {status: 404}
)";
  for (const std::string& form : forms) {
    std::string vs = test::kVirtualServiceHead + routes;
    vs.replace(vs.find("DELEGATE"), 8, form);
    LoadResult result = load_delegation(vs, kApiRoutes);
    INFO(form << "\n" << joined(result));
    REQUIRE(result.ok());
    CHECK(result.diagnostics.empty());
    CHECK(route_names(result) == std::vector<std::string>{"health", "users", "orders", "fallback"});
    const auto& flattened = result.config->virtual_services.at(0).routes;
    const Route& users = flattened[1];
    CHECK_FALSE(users.delegate_action);
    CHECK(users.route_table == ResourceRef{"api-routes", "default"});
    CHECK(users.index == 0);
    CHECK(users.where.file == "rt.yaml");
    CHECK(users.where.line == 8);
    REQUIRE(users.route_action);
    CHECK(users.route_action->destinations.at(0).upstream == ResourceRef{"lambda", "default"});
    CHECK(flattened[2].index == 1);
    CHECK(flattened[3].index == 2);
    CHECK_FALSE(flattened[3].route_table);

    REQUIRE(result.config->route_tables.size() == 1);
    const RouteTable& table = result.config->route_tables[0];
    CHECK(table.metadata.labels.at("team") == "api");
    CHECK(table.weight == 0);
    CHECK(table.routes.size() == 2);
  }
}

// The tables one selector picks are visited by ascending weight (unset = 0), then by namespace
// and name. Within a weight shared by several tables, their routes are sorted as Gloo's
// SortRoutesByPath does (exact before regex before prefix, longer paths first) so one table's
// "/api" cannot shadow another's "/api/b"; one table alone keeps its author's order. Without
// `namespaces` the selector looks only in the delegating resource's namespace.
TEST_CASE("selected RouteTables are ordered by weight, then name", "[config][delegation]") {
  const std::string labels = "{team: api}";
  const std::string tables =
      route_table("t-b", "default", labels, "  weight: 0\n",
                  plain_route("b1", "{prefix: /api/b}") + plain_route("b2", "{prefix: /api/b/deep}")) +
      route_table("t-a", "default", labels, "",
                  plain_route("a1", "{exact: /api/a}") + plain_route("a2", "{prefix: /api}")) +
      route_table("t-heavy", "default", labels, "  weight: 10\n", plain_route("h", "{prefix: /api/h}")) +
      route_table("t-light", "default", labels, "  weight: -1\n", plain_route("l", "{prefix: /api/l}")) +
      route_table("t-other", "other", labels, "", plain_route("o", "{prefix: /api/o}")) +
      route_table("t-unlabelled", "default", "", "", plain_route("u", "{prefix: /api/u}"));
  struct Case {
    std::string delegate_action;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases = {
      {"{selector: {labels: {team: api}}}", {"l", "a1", "b2", "b1", "a2", "h"}},
      {"{selector: {labels: {team: api}, namespaces: ['*']}}", {"l", "a1", "o", "b2", "b1", "a2", "h"}},
      {"{selector: {labels: {team: api}, namespaces: [other]}}", {"o"}},
      {"{selector: {namespaces: [default, other]}}", {"l", "a1", "u", "o", "b2", "b1", "a2", "h"}},
      {"{ref: {name: t-a}}", {"a1", "a2"}},
      {"{ref: {name: t-b}}", {"b1", "b2"}},
  };
  for (const Case& c : cases) {
    LoadResult result = load_delegation(delegating_vs(c.delegate_action), tables);
    INFO(c.delegate_action << "\n" << joined(result));
    REQUIRE(result.ok());
    CHECK(route_names(result) == c.expected);
  }
}

// Kubernetes label-selector expressions, all of which must hold.
TEST_CASE("selector expressions follow Kubernetes label-selector semantics", "[config][delegation]") {
  const std::string tables =
      route_table("t1", "default", "{tier: '1', team: api}", "", plain_route("t1", "{prefix: /api/1}")) +
      route_table("t2", "default", "{tier: '5', team: web}", "", plain_route("t2", "{prefix: /api/2}")) +
      route_table("t3", "default", "{team: api}", "", plain_route("t3", "{prefix: /api/3}"));
  struct Case {
    std::string expressions;
    std::vector<std::string> expected;  // sorted
  };
  const std::vector<Case> cases = {
      {"[{key: team, operator: Equals, values: [api]}]", {"t1", "t3"}},
      {"[{key: team, values: [api]}]", {"t1", "t3"}},  // Equals is the default
      {"[{key: team, operator: DoubleEquals, values: [api]}]", {"t1", "t3"}},
      {"[{key: team, operator: NotEquals, values: [api]}]", {"t2"}},
      {"[{key: team, operator: In, values: [api, web]}]", {"t1", "t2", "t3"}},
      {"[{key: team, operator: NotIn, values: [api]}]", {"t2"}},
      {"[{key: tier, operator: NotIn, values: ['1']}]", {"t2", "t3"}},
      {"[{key: tier, operator: Exists}]", {"t1", "t2"}},
      {"[{key: tier, operator: DoesNotExist}]", {"t3"}},
      {"[{key: tier, operator: GreaterThan, values: ['2']}]", {"t2"}},
      {"[{key: tier, operator: LessThan, values: ['2']}]", {"t1"}},
      {"[{key: team, operator: In, values: [api]}, {key: tier, operator: Exists}]", {"t1"}},
  };
  for (const Case& c : cases) {
    LoadResult result =
        load_delegation(delegating_vs("{selector: {expressions: " + c.expressions + "}}"), tables);
    INFO(c.expressions << "\n" << joined(result));
    REQUIRE(result.ok());
    std::vector<std::string> names = route_names(result);
    std::sort(names.begin(), names.end());
    CHECK(names == c.expected);
  }
}

// Delegation nests. Each level's options fill what the level below leaves unset (the child's own
// field wins), and the virtual host's options come last. Upstream references in a RouteTable
// default to the table's namespace.
TEST_CASE("nested delegation inherits options level by level", "[config][delegation]") {
  const std::string vs = R"(apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: vs}
spec:
  virtualHost:
    options:
      timeout: 60s
      headerManipulation: {requestHeadersToAdd: [{header: {key: x-vh, value: '1'}}]}
    routes:
    - name: api
      matchers: [{prefix: /api}]
      options: {timeout: 5s, retries: {retryOn: 5xx}}
      delegateAction: {ref: {name: api}}
    - name: last
      directResponseAction: {status: 404}
)";
  const std::string tables = R"(apiVersion: gateway.solo.io/v1
kind: RouteTable
metadata: {name: api}
spec:
  routes:
  - name: v1
    matchers: [{prefix: /api/v1}]
    options: {timeout: 1s}
    delegateAction: {ref: {name: v1, namespace: versions}}
  - name: plain
    matchers: [{prefix: /api/plain}]
    directResponseAction: {status: 200}
---
apiVersion: gateway.solo.io/v1
kind: RouteTable
metadata: {name: v1, namespace: versions}
spec:
  routes:
  - name: v1-users
    matchers: [{prefix: /api/v1/users}]
    options: {prefixRewrite: /users}
    routeAction: {single: {upstream: {name: lambda, namespace: default}, destinationSpec: {aws: {logicalName: uppercase}}}}
  - name: v1-any
    matchers: [{prefix: /api/v1}]
    directResponseAction: {status: 200}
)";
  LoadResult result = load_delegation(vs, tables);
  INFO(joined(result));
  REQUIRE(result.ok());
  CHECK(result.diagnostics.empty());
  CHECK(route_names(result) == std::vector<std::string>{"v1-users", "v1-any", "plain", "last"});
  const auto& routes = result.config->virtual_services.at(0).routes;

  const RouteOptions& users = routes[0].options;
  CHECK(users.timeout == 1s);
  REQUIRE(users.retries);
  CHECK(users.retries->retry_on == kRetryOn5xx);
  CHECK(users.prefix_rewrite == "/users");
  REQUIRE(users.header_manipulation);
  CHECK(users.header_manipulation->request_headers_to_add.at(0).key == "x-vh");
  CHECK(routes[0].route_table == ResourceRef{"v1", "versions"});

  const RouteOptions& any = routes[1].options;
  CHECK(any.timeout == 1s);
  CHECK(any.retries);
  CHECK_FALSE(any.prefix_rewrite);
  CHECK(any.header_manipulation);

  const RouteOptions& plain = routes[2].options;
  CHECK(plain.timeout == 5s);
  CHECK(plain.retries);
  CHECK_FALSE(plain.prefix_rewrite);
  CHECK(plain.header_manipulation);

  CHECK(routes[3].options.timeout == 60s);
  CHECK_FALSE(routes[3].options.retries);

  // The tables keep their routes as written: the delegating one and no inherited options.
  const RouteTable* api = result.config->find_route_table({"api", "default"});
  REQUIRE(api);
  REQUIRE(api->routes.at(0).delegate_action);
  CHECK(api->routes.at(0).delegate_action->ref == ResourceRef{"v1", "versions"});
  CHECK_FALSE(api->routes.at(1).options.timeout);
}

// A delegating route without matchers delegates "/", so its tables may match any path.
TEST_CASE("a delegating route without matchers delegates every path", "[config][delegation]") {
  const std::string vs = test::kVirtualServiceHead + "    - delegateAction: {ref: {name: rt}}\n";
  LoadResult result =
      load_delegation(vs, route_table("rt", "default", "", "",
                                      plain_route("x", "{regex: '/x.*'}") + plain_route("y", "{exact: /y}")));
  INFO(joined(result));
  REQUIRE(result.ok());
  CHECK(route_names(result) == std::vector<std::string>{"x", "y"});
}

// Gloo's rules for the delegating route itself: at most one matcher, a prefix. The RouteTables'
// paths are checked against that prefix, so anything else would be ambiguous; such a route
// delegates nowhere, and its table's routes are not reported against it. (Headers, query
// parameters and methods on it are allowed: delegation_matchers_test.cpp.)
TEST_CASE("a delegating route must match on one prefix only", "[config][delegation]") {
  struct Case {
    std::string matchers;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"[{prefix: /api}, {prefix: /v2}]",
       "test.yaml:9: error: route 'api' delegates to RouteTables, so it must have at most one matcher (a "
       "prefix)"},
      {"[{exact: /api}]",
       "test.yaml:10: error: route 'api' delegates to RouteTables, so its matcher must be a prefix, not "
       "exact"},
      {"[{regex: '/api.*'}]",
       "test.yaml:10: error: route 'api' delegates to RouteTables, so its matcher must be a prefix, not "
       "regex"},
  };
  for (const Case& c : cases) {
    const std::string vs = test::kVirtualServiceHead + "    - name: api\n      matchers: " + c.matchers +
                           "\n      delegateAction: {ref: {name: api-routes}}\n";
    LoadResult result = load_delegation(vs, kApiRoutes);
    INFO(c.matchers << "\n" << joined(result));
    CHECK_FALSE(result.ok());
    // The route delegates nowhere, so the table is not reached either.
    CHECK(lines(result) ==
          std::vector<std::string>{c.expected,
                                   "rt.yaml:1: warning: RouteTable default/api-routes is not "
                                   "reached from any VirtualService; its routes are not served"});
  }
}

// Delegation mistakes, each at the line of the route at fault (a RouteTable route's own line for
// a path outside the parent's prefix, the closing route for a cycle).
TEST_CASE("delegation errors are reported at their lines", "[config][delegation]") {
  struct Case {
    std::string delegate_action;
    std::string tables;
    std::vector<std::string> expected;
  };
  const std::string d = "'spec.virtualHost.routes[0].delegateAction";
  const std::string cycle_tables = R"(apiVersion: gateway.solo.io/v1
kind: RouteTable
metadata: {name: a}
spec:
  routes:
  - name: to-b
    matchers: [{prefix: /api/b}]
    delegateAction: {ref: {name: b}}
---
apiVersion: gateway.solo.io/v1
kind: RouteTable
metadata: {name: b}
spec:
  routes:
  - name: to-a
    matchers: [{prefix: /api/b/a}]
    delegateAction: {ref: {name: a}}
)";
  const std::string outside_tables = R"(apiVersion: gateway.solo.io/v1
kind: RouteTable
metadata: {name: rt}
spec:
  routes:
  - name: ok
    matchers: [{prefix: /api/ok}]
    directResponseAction: {status: 200}
  - name: bad
    matchers: [{prefix: /api/x}, {exact: /other}]
    directResponseAction: {status: 200}
  - directResponseAction: {status: 200}
)";
  const std::vector<Case> cases = {
      {"{ref: {name: rt}}",
       outside_tables,
       {
           "rt.yaml:10: error: RouteTable default/rt route 'bad': matcher '/other' does not start with "
           "'/api', the "
           "prefix of the route that delegates to it (test.yaml:9)",
           "rt.yaml:12: error: RouteTable default/rt route #3: matcher '/' does not start with '/api', the "
           "prefix "
           "of the route that delegates to it (test.yaml:9)",
       }},
      {"{ref: {name: a}}",
       cycle_tables,
       {"rt.yaml:15: error: RouteTable default/b route 'to-a': delegation cycle: default/a -> default/b -> "
        "default/a"}},
      {"{ref: {name: self}}",
       route_table("self", "default", "", "",
                   "  - {name: again, matchers: [{prefix: /api}], delegateAction: {ref: {name: self}}}\n"),
       {"rt.yaml:7: error: RouteTable default/self route 'again': delegation cycle: default/self -> "
        "default/self"}},
      {"{ref: {name: ghost}}",
       kApiRoutes,
       {"test.yaml:9: error: route 'api': RouteTable default/ghost not found",
        "rt.yaml:1: warning: RouteTable default/api-routes is not reached from any VirtualService; its "
        "routes are not served"}},
      {"{ref: {name: api-routes, namespace: other}}",
       kApiRoutes,
       {"test.yaml:9: error: route 'api': RouteTable other/api-routes not found",
        "rt.yaml:1: warning: RouteTable default/api-routes is not reached from any VirtualService; its "
        "routes are not served"}},
      {"{}",
       kApiRoutes,
       {"test.yaml:11: error: " + d + "' must set 'ref' or 'selector'",
        "rt.yaml:1: warning: RouteTable default/api-routes is not reached from any VirtualService; its "
        "routes are not served"}},
      {"{ref: {name: api-routes}, selector: {labels: {team: api}}}",
       kApiRoutes,
       {"test.yaml:11: error: " + d + "' sets more than one of 'ref', 'selector' and 'name'; use one",
        "rt.yaml:1: warning: RouteTable default/api-routes is not reached from any VirtualService; its "
        "routes are not served"}},
      {"{namespace: default}",
       kApiRoutes,
       {"test.yaml:11: error: " + d + ".name' is required",
        "rt.yaml:1: warning: RouteTable default/api-routes is not reached from any VirtualService; its "
        "routes are not served"}},
      {"{ref: {namespace: default}}",
       kApiRoutes,
       {"test.yaml:11: error: " + d + ".ref.name' is required",
        "rt.yaml:1: warning: RouteTable default/api-routes is not reached from any VirtualService; its "
        "routes are not served"}},
      {"{selector: {labels: {team: api}, expressions: [{key: team, operator: Exists}]}}",
       kApiRoutes,
       {"test.yaml:11: error: " + d + ".selector' sets both 'labels' and 'expressions'; use one",
        "rt.yaml:1: warning: RouteTable default/api-routes is not reached from any VirtualService; its "
        "routes are not served"}},
      {"{selector: {expressions: [{key: team, operator: Matches, values: [api]}]}}",
       kApiRoutes,
       {"test.yaml:11: error: " + d +
            ".selector.expressions[0].operator' must be one of Equals, DoubleEquals, NotEquals, In, NotIn, "
            "Exists, "
            "DoesNotExist, GreaterThan and LessThan, got 'Matches'",
        "rt.yaml:1: warning: RouteTable default/api-routes is not reached from any VirtualService; its "
        "routes are not served"}},
      {"{selector: {expressions: [{key: team, operator: In}]}}",
       kApiRoutes,
       {"test.yaml:11: error: " + d + ".selector.expressions[0]': operator In takes at least one value",
        "rt.yaml:1: warning: RouteTable default/api-routes is not reached from any VirtualService; its "
        "routes are not served"}},
      {"{selector: {expressions: [{key: team, operator: Exists, values: [api]}]}}",
       kApiRoutes,
       {"test.yaml:11: error: " + d + ".selector.expressions[0]': operator Exists takes no values",
        "rt.yaml:1: warning: RouteTable default/api-routes is not reached from any VirtualService; its "
        "routes are not served"}},
      {"{selector: {expressions: [{key: tier, operator: GreaterThan, values: [high]}]}}",
       kApiRoutes,
       {"test.yaml:11: error: " + d +
            ".selector.expressions[0]': operator GreaterThan takes exactly one integer "
            "value",
        "rt.yaml:1: warning: RouteTable default/api-routes is not reached from any VirtualService; its "
        "routes are not served"}},
      {"{selector: {expressions: [{key: team, operator: NotEquals, values: [a, b]}]}}",
       kApiRoutes,
       {"test.yaml:11: error: " + d + ".selector.expressions[0]': operator NotEquals takes exactly one value",
        "rt.yaml:1: warning: RouteTable default/api-routes is not reached from any VirtualService; its "
        "routes are not served"}},
      {"{selector: {expressions: [{operator: Exists}]}}",
       kApiRoutes,
       {"test.yaml:11: error: " + d + ".selector.expressions[0].key' is required",
        "rt.yaml:1: warning: RouteTable default/api-routes is not reached from any VirtualService; its "
        "routes are not served"}},
  };
  for (const Case& c : cases) {
    LoadResult result = load_delegation(delegating_vs(c.delegate_action), c.tables);
    INFO(c.delegate_action << "\n" << joined(result));
    CHECK_FALSE(result.ok());
    CHECK(lines(result) == c.expected);
  }
}

// Like Gloo, a selector that matches nothing and a RouteTable nothing reaches are warnings: the
// route, or the table, simply serves nothing.
TEST_CASE("unmatched selectors and unreached RouteTables are warnings", "[config][delegation]") {
  LoadResult result = load_delegation(delegating_vs("{selector: {labels: {team: web}}}"), kApiRoutes);
  INFO(joined(result));
  REQUIRE(result.ok());
  CHECK(lines(result) ==
        std::vector<std::string>{
            "test.yaml:9: warning: route 'api': delegateAction.selector matches no RouteTable, so "
            "the route serves nothing",
            "rt.yaml:1: warning: RouteTable default/api-routes is not reached from any "
            "VirtualService; its routes are not served",
        });
  CHECK(result.config->virtual_services.at(0).routes.empty());
}

// A RouteTable route is checked like a VirtualService route, named by its table; its Upstream
// reference defaults to the table's namespace. Reached twice, it is still reported once.
TEST_CASE("RouteTable routes are checked once, in their table's namespace", "[config][delegation]") {
  const std::string vs = test::kVirtualServiceHead +
                         "    - name: one\n      matchers: [{prefix: /api}]\n"
                         "      delegateAction: {ref: {name: rt, namespace: team}}\n"
                         "    - name: two\n      matchers: [{prefix: /api/}]\n"
                         "      delegateAction: {selector: {namespaces: [team]}}\n";
  const std::string tables = route_table("rt", "team", "", "",
                                         "  - name: r\n    matchers: [{prefix: /api/r}]\n"
                                         "    routeAction: {single: {upstream: {name: lambda}, "
                                         "destinationSpec: {aws: {logicalName: uppercase}}}}\n");
  LoadResult result = load_delegation(vs, tables);
  INFO(joined(result));
  CHECK(lines(result) ==
        std::vector<std::string>{
            "rt.yaml:7: error: RouteTable team/rt route 'r': upstream team/lambda not found"});
}

// Each table below is reached twice from the one above, so 18 levels would give 2^17 routes:
// past 100000 the load stops expanding and says why, instead of building a huge table.
TEST_CASE("delegation that multiplies routes without bound is an error", "[config][delegation]") {
  std::string tables;
  constexpr int kLevels = 18;
  for (int i = 0; i < kLevels - 1; ++i) {
    const std::string next = "{delegateAction: {ref: {name: t" + std::to_string(i + 1) + "}}}";
    tables += route_table("t" + std::to_string(i), "default", "", "", "  - " + next + "\n  - " + next + "\n");
  }
  tables +=
      route_table("t" + std::to_string(kLevels - 1), "default", "", "", plain_route("leaf", "{prefix: /}"));
  LoadResult result =
      load_delegation(test::kVirtualServiceHead + "    - delegateAction: {ref: {name: t0}}\n", tables);
  CHECK(lines(result) ==
        std::vector<std::string>{"test.yaml:1: error: VirtualService default/vs: delegation gives "
                                 "more than 100000 routes; is a RouteTable reached along many "
                                 "paths?"});
}

// RouteTable documents: weight must be a 32-bit integer and spec is required; the routes are
// read with the VirtualService route schema, at their own paths.
TEST_CASE("RouteTable document errors are reported at their lines", "[config][delegation]") {
  struct Case {
    std::string yaml;
    std::string expected;
  };
  const std::string head = "apiVersion: gateway.solo.io/v1\nkind: RouteTable\nmetadata: {name: rt}\n";
  const std::vector<Case> cases = {
      {head, "rt.yaml:1: error: 'spec' is required"},
      {head + "spec:\n  weight: heavy\n  routes: []\n",
       "rt.yaml:5: error: 'spec.weight' must be an integer between -2147483648 and 2147483647, got 'heavy'"},
      {head + "spec:\n  routes:\n  - matchers: [{exact: ''}]\n    directResponseAction: {status: 200}\n",
       "rt.yaml:6: error: 'spec.routes[0].matchers[0].exact' must not be empty"},
      {head + "spec:\n  routes:\n  - name: x\n",
       "rt.yaml:6: error: route 'x' has no action; set routeAction or "
       "directResponseAction"},
  };
  for (const Case& c : cases) {
    LoadResult result = test::load_one("rt.yaml", c.yaml);
    INFO(c.yaml << "\n" << joined(result));
    CHECK_FALSE(result.ok());
    CHECK(has_diagnostic(result, c.expected));
  }
}

}  // namespace
}  // namespace lambdagate::config
