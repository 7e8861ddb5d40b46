// Delegation with matchers on the delegating route (Gloo >= 1.5): headers, query parameters and
// methods on the parent, the rule that every child matcher contains them, inheritableMatchers,
// inheritablePathMatchers, and how both are inherited down a chain of RouteTables.
#include <catch2/catch.hpp>

#include "config_test_support.hpp"

namespace lambdagate::config {
namespace {

using test::joined;
using test::lines;

LoadResult load(const std::string& vs_routes, const std::string& tables) {
  return load_config_from_strings({{"base.yaml", test::kBaseYaml},
                                   {"test.yaml", test::kVirtualServiceHead + vs_routes},
                                   {"rt.yaml", tables}});
}

const std::vector<Route>& routes(const LoadResult& result) {
  return result.config->virtual_services.at(0).routes;
}

// A parent that matches a tenant header, a version query parameter and GET.
const std::string kParent = R"(    - name: tenants
      matchers:
      - prefix: /tenants
        headers: [{name: X-Tenant, value: acme}]
        queryParameters: [{name: v, value: '2'}]
        methods: [GET]
)";

// Without inheritableMatchers, a child must repeat every header, query parameter and method of
// its parent (same name and configuration); it may add its own. Then it loads unchanged.
TEST_CASE("children that contain the parent's matchers load as written", "[config][delegation]") {
  LoadResult result =
      load(kParent + "      delegateAction: {ref: {name: rt}}\n", R"(apiVersion: gateway.solo.io/v1
kind: RouteTable
metadata: {name: rt}
spec:
  routes:
  - name: list
    matchers:
    - prefix: /tenants/list
      headers: [{name: x-tenant, value: acme}, {name: x-debug}]
      queryParameters: [{name: v, value: '2'}]
      methods: [GET, HEAD]
    directResponseAction: {status: 200}
)");
  INFO(joined(result));
  REQUIRE(result.ok());
  CHECK(result.diagnostics.empty());
  REQUIRE(routes(result).size() == 1);
  const Matcher& m = routes(result)[0].matchers.at(0);
  CHECK(m.path == "/tenants/list");
  REQUIRE(m.headers.size() == 2);
  CHECK(m.headers[0].name == "x-tenant");
  CHECK(m.methods == std::vector<std::string>{"GET", "HEAD"});
}

// A child that lacks one of them is an error naming the child's matcher and the parent's route,
// and saying how to fix it; each kind of matcher is checked.
TEST_CASE("a child missing a parent matcher is an error naming both places", "[config][delegation]") {
  struct Case {
    std::string child_matcher;
    std::string expected;
  };
  const std::string prefix = "rt.yaml:8: error: RouteTable default/rt route 'child': matcher '/tenants/x' ";
  const std::string parent =
      "of the route that delegates to it (test.yaml:9); add it, or set inheritableMatchers: "
      "true there";
  const std::vector<Case> cases = {
      {"{prefix: /tenants/x, queryParameters: [{name: v, value: '2'}], methods: [GET]}",
       prefix + "lacks the header matcher 'x-tenant' " + parent},
      // Same name, different configuration: not the parent's matcher.
      {"{prefix: /tenants/x, headers: [{name: x-tenant, value: other}], queryParameters: [{name: v, value: "
       "'2'}], "
       "methods: [GET]}",
       prefix + "lacks the header matcher 'x-tenant' " + parent},
      {"{prefix: /tenants/x, headers: [{name: x-tenant, value: acme}], methods: [GET]}",
       prefix + "lacks the query parameter matcher 'v' " + parent},
      // No methods means any method, which is not "GET".
      {"{prefix: /tenants/x, headers: [{name: x-tenant, value: acme}], queryParameters: [{name: v, value: "
       "'2'}]}",
       prefix + "lacks the method GET " + parent},
  };
  for (const Case& c : cases) {
    LoadResult result = load(kParent + "      delegateAction: {ref: {name: rt}}\n",
                             "apiVersion: gateway.solo.io/v1\nkind: RouteTable\nmetadata: {name: rt}\nspec:\n"
                             "  routes:\n  - name: child\n    matchers:\n    - " +
                                 c.child_matcher + "\n    directResponseAction: {status: 200}\n");
    INFO(c.child_matcher << "\n" << joined(result));
    CHECK_FALSE(result.ok());
    CHECK(lines(result) == std::vector<std::string>{c.expected});
  }
}

// inheritableMatchers: true prepends the parent's headers, methods and query parameters to every
// child matcher (a child without matchers gets "/" plus them, which then fails the prefix rule,
// as in Gloo); inheritablePathMatchers: true gives every child matcher the parent's path and
// caseSensitive, and a child without matchers the parent's path.
TEST_CASE("inheritableMatchers and inheritablePathMatchers build the children's matchers",
          "[config][delegation]") {
  LoadResult result =
      load(kParent + "      inheritableMatchers: true\n      delegateAction: {ref: {name: rt}}\n" +
               R"(    - name: docs
      matchers: [{prefix: /docs, caseSensitive: false}]
      inheritablePathMatchers: true
      delegateAction: {ref: {name: docs}}
)",
           R"(apiVersion: gateway.solo.io/v1
kind: RouteTable
metadata: {name: rt}
spec:
  routes:
  - name: list
    matchers: [{prefix: /tenants/list, headers: [{name: x-debug}], methods: [POST]}]
    directResponseAction: {status: 200}
---
apiVersion: gateway.solo.io/v1
kind: RouteTable
metadata: {name: docs}
spec:
  routes:
  - name: any-path
    matchers: [{prefix: /whatever, methods: [GET]}]
    directResponseAction: {status: 200}
  - name: no-matcher
    directResponseAction: {status: 204}
)");
  INFO(joined(result));
  REQUIRE(result.ok());
  const auto& r = routes(result);
  REQUIRE(r.size() == 3);
  const Matcher& list = r[0].matchers.at(0);
  CHECK(list.path == "/tenants/list");
  REQUIRE(list.headers.size() == 2);
  CHECK(list.headers[0].name == "x-tenant");  // the parent's come first
  CHECK(list.headers[1].name == "x-debug");
  CHECK(list.methods == std::vector<std::string>{"GET", "POST"});
  REQUIRE(list.query_parameters.size() == 1);
  CHECK(list.query_parameters[0].name == "v");
  CHECK(r[0].inheritable_matchers == true);

  for (std::size_t i : {1u, 2u}) {
    INFO(r[i].name);
    const Matcher& m = r[i].matchers.at(0);
    CHECK(m.kind == PathMatchKind::Prefix);
    CHECK(m.path == "/docs");
    CHECK_FALSE(m.case_sensitive);
  }
  CHECK(r[1].matchers[0].methods == std::vector<std::string>{"GET"});  // only the path is inherited
}

// Both switches are BoolValues: a child that leaves one unset takes its parent's value, so a
// grandchild of an inheritableMatchers route inherits too; a child that sets false stops it.
TEST_CASE("inheritance switches pass down the chain when unset", "[config][delegation]") {
  const std::string tables = R"(apiVersion: gateway.solo.io/v1
kind: RouteTable
metadata: {name: middle}
spec:
  routes:
  - name: middle
    matchers: [{prefix: /tenants/a}]
    INHERIT
    delegateAction: {ref: {name: leaf}}
---
apiVersion: gateway.solo.io/v1
kind: RouteTable
metadata: {name: leaf}
spec:
  routes:
  - name: leaf
    matchers: [{prefix: /tenants/a/b}]
    directResponseAction: {status: 200}
)";
  const std::string vs =
      kParent + "      inheritableMatchers: true\n      delegateAction: {ref: {name: middle}}\n";

  std::string unset = tables;
  unset.replace(unset.find("    INHERIT\n"), 12, "");
  LoadResult inherited = load(vs, unset);
  INFO(joined(inherited));
  REQUIRE(inherited.ok());
  const Matcher& leaf = routes(inherited).at(0).matchers.at(0);
  CHECK(leaf.path == "/tenants/a/b");
  REQUIRE(leaf.headers.size() == 1);
  CHECK(leaf.headers[0].name == "x-tenant");
  CHECK(leaf.methods == std::vector<std::string>{"GET"});

  // The middle route repeats the parent's matchers itself and switches inheritance off for its
  // own children.
  std::string stopped = tables;
  stopped.replace(
      stopped.find("[{prefix: /tenants/a}]"), 22,
      "[{prefix: /tenants/a, headers: [{name: x-tenant, value: acme}], queryParameters: [{name: v, "
      "value: '2'}], methods: [GET]}]");
  stopped.replace(stopped.find("INHERIT"), 7, "inheritableMatchers: false");
  LoadResult refused = load(vs, stopped);
  INFO(joined(refused));
  CHECK_FALSE(refused.ok());
  CHECK(lines(refused) ==
        std::vector<std::string>{
            "rt.yaml:17: error: RouteTable default/leaf route 'leaf': matcher '/tenants/a/b' "
            "lacks the header matcher 'x-tenant' of the route that delegates to it (rt.yaml:6); "
            "add it, or set inheritableMatchers: true there"});
}

// A child matcher must have its parent's case sensitivity (unset counts as true on both sides),
// unless inheritablePathMatchers sets it.
TEST_CASE("a child with another case sensitivity is an error", "[config][delegation]") {
  LoadResult result = load(
      "    - name: docs\n      matchers: [{prefix: /docs, caseSensitive: false}]\n"
      "      delegateAction: {ref: {name: docs}}\n",
      R"(apiVersion: gateway.solo.io/v1
kind: RouteTable
metadata: {name: docs}
spec:
  routes:
  - name: guide
    matchers: [{prefix: /docs/guide}]
    directResponseAction: {status: 200}
)");
  INFO(joined(result));
  CHECK_FALSE(result.ok());
  CHECK(lines(result) == std::vector<std::string>{
                             "rt.yaml:7: error: RouteTable default/docs route 'guide': matcher '/docs/guide' "
                             "has caseSensitive true but the route that delegates to it (test.yaml:9) has "
                             "false; set the same, or set inheritablePathMatchers: true there"});
}

}  // namespace
}  // namespace lambdagate::config
