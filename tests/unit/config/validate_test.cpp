// Checks across documents: what routes point at, and who owns a domain.
#include <catch2/catch.hpp>

#include "config_test_support.hpp"

namespace lambdagate::config {
namespace {

using test::joined;
using test::lines;
using test::load_routes;

std::string aws_route(const std::string& name, const std::string& upstream, const std::string& logical_name) {
  return "    - name: " + name + "\n      routeAction: {single: {upstream: " + upstream +
         ", destinationSpec: {aws: {logicalName: '" + logical_name + "'}}}}\n";
}

// A Settings document that turns function discovery off, so only hand-written functions count.
const std::string kNoDiscovery =
    "apiVersion: gloo.solo.io/v1\nkind: Settings\nmetadata: {name: default}\nspec: {discovery: {fdsMode: "
    "DISABLED}}\n";

// load_routes with discovery off.
LoadResult load_routes_without_discovery(const std::string& routes) {
  return load_config_from_strings({{"base.yaml", test::kBaseYaml},
                                   {"settings.yaml", kNoDiscovery},
                                   {"test.yaml", test::kVirtualServiceHead + routes}});
}

// Each broken reference is an error at the route's line, with a message that says what exists
// (function discovery off: only the hand-written functions can be invoked).
TEST_CASE("routes must reference existing Upstreams and functions", "[config][validate]") {
  struct Case {
    std::string routes;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {aws_route("r", "{name: ghost}", "uppercase"),
       "test.yaml:9: error: route 'r': upstream default/ghost not found"},
      {aws_route("r", "{name: lambda, namespace: prod}", "uppercase"),
       "test.yaml:9: error: route 'r': upstream prod/lambda not found"},
      {aws_route("r", "{name: lambda}", "foo"),
       "test.yaml:9: error: route 'r': upstream default/lambda has no function with logicalName 'foo' "
       "(known: "
       "uppercase, echo:live)"},
      {aws_route("r", "{name: lambda}", "echo"),
       "test.yaml:9: error: route 'r': upstream default/lambda has no function with logicalName 'echo' "
       "(known: "
       "uppercase, echo:live)"},
      {aws_route("r", "{name: lambda}", ""),
       "test.yaml:9: error: route 'r': the destination to upstream default/lambda names no function; set "
       "destinationSpec.aws.logicalName"},
      {"    - routeAction: {single: {upstream: {name: lambda}}}\n",
       "test.yaml:9: error: route #1: the destination to upstream default/lambda names no function; set "
       "destinationSpec.aws.logicalName"},
      {"    - routeAction:\n        multi:\n          destinations:\n"
       "          - destination: {upstream: {name: lambda}, destinationSpec: {aws: {logicalName: "
       "uppercase}}}\n"
       "          - destination: {upstream: {name: lambda}, destinationSpec: {aws: {logicalName: nope}}}\n",
       "test.yaml:9: error: route #1: upstream default/lambda has no function with logicalName 'nope' "
       "(known: "
       "uppercase, echo:live)"},
  };
  for (const Case& c : cases) {
    LoadResult result = load_routes_without_discovery(c.routes);
    INFO(c.routes << "\n" << joined(result));
    CHECK_FALSE(result.ok());
    CHECK(lines(result) == std::vector<std::string>{c.expected});
  }
}

// An Upstream without functions (and with discovery turned off by its label) cannot serve a
// route, whatever the route names.
TEST_CASE("a route to an Upstream without lambdaFunctions is an error", "[config][validate]") {
  LoadResult result = load_config_from_strings(
      {{"u.yaml",
        "apiVersion: gloo.solo.io/v1\nkind: Upstream\nmetadata: {name: empty, labels: "
        "{discovery.solo.io/function_discovery: disabled}}\nspec: {aws: {region: us-east-1}}\n"},
       {"test.yaml", test::kVirtualServiceHead + aws_route("r", "{name: empty}", "x")}});
  CHECK(lines(result) == std::vector<std::string>{
                             "test.yaml:9: error: route 'r': upstream default/empty has no lambdaFunctions"});
}

// With Settings fallbackToFirstFunction (Gloo's "unsafe" switch) a missing or unknown name is
// allowed: the first function is invoked.
TEST_CASE("fallbackToFirstFunction relaxes the logicalName check", "[config][validate]") {
  const std::string settings =
      "apiVersion: gloo.solo.io/v1\nkind: Settings\nmetadata: {name: default}\n"
      "spec: {gloo: {awsOptions: {fallbackToFirstFunction: true}}}\n";
  LoadResult result = load_config_from_strings(
      {{"base.yaml", test::kBaseYaml},
       {"settings.yaml", settings},
       {"test.yaml", test::kVirtualServiceHead + aws_route("a", "{name: lambda}", "foo") +
                         "    - routeAction: {single: {upstream: {name: lambda}}}\n"}});
  INFO(joined(result));
  CHECK(result.ok());
  CHECK(result.diagnostics.empty());
}

// The logicalName of an Upstream's function can be set apart from its real name.
TEST_CASE("routes resolve explicit and defaulted logical names", "[config][validate]") {
  LoadResult result = load_routes(aws_route("a", "{name: lambda}", "uppercase") +
                                  aws_route("b", "{name: lambda, namespace: default}", "echo:live"));
  INFO(joined(result));
  CHECK(result.ok());
  CHECK(result.diagnostics.empty());
}

// With function discovery on (the default, BLACKLIST, also without Settings) a logicalName that
// no hand-written entry has may be discovered at run time: a warning at the route, not an error;
// an Upstream without hand-written functions is fine; a destination naming no function is still
// an error.
TEST_CASE("discovered Upstreams: unknown logical names are warnings", "[config][validate][discovery]") {
  LoadResult result = load_routes(aws_route("r", "{name: lambda}", "foo"));
  INFO(joined(result));
  CHECK(result.ok());
  CHECK(lines(result) ==
        std::vector<std::string>{
            "test.yaml:9: warning: route 'r': logicalName 'foo' of upstream default/lambda is not "
            "among the hand-written lambdaFunctions; expecting function discovery to find it"});

  const std::string empty_upstream =
      "apiVersion: gloo.solo.io/v1\nkind: Upstream\nmetadata: {name: empty}\nspec: {aws: {region: "
      "us-east-1}}\n";
  LoadResult no_functions = load_config_from_strings(
      {{"u.yaml", empty_upstream},
       {"test.yaml", test::kVirtualServiceHead + aws_route("r", "{name: empty}", "uppercase:3") +
                         "    - routeAction: {single: {upstream: {name: empty}}}\n"}});
  INFO(joined(no_functions));
  CHECK_FALSE(no_functions.ok());
  CHECK(lines(no_functions) ==
        std::vector<std::string>{
            "test.yaml:9: warning: route 'r': logicalName 'uppercase:3' of upstream default/empty is not "
            "among the hand-written lambdaFunctions; expecting function discovery to find it",
            "test.yaml:11: error: route #2: the destination to upstream default/empty names no function; set "
            "destinationSpec.aws.logicalName"});
}

// The policy decides: WHITELIST relaxes the check only for Upstreams labelled `enabled`,
// DISABLED for none, and a `disabled` label keeps the error under the default.
TEST_CASE("discovery mode and label decide whether names are checked strictly",
          "[config][validate][discovery]") {
  auto settings = [](const std::string& mode) {
    return "apiVersion: gloo.solo.io/v1\nkind: Settings\nmetadata: {name: default}\nspec: {discovery: "
           "{fdsMode: " +
           mode + "}}\n";
  };
  auto upstream = [](const std::string& labels) {
    return "apiVersion: gloo.solo.io/v1\nkind: Upstream\nmetadata: {name: lambda" + labels +
           "}\nspec: {aws: {region: us-east-1, lambdaFunctions: [{lambdaFunctionName: uppercase}]}}\n";
  };
  const std::string enabled = ", labels: {discovery.solo.io/function_discovery: enabled}";
  const std::string disabled = ", labels: {discovery.solo.io/function_discovery: disabled}";
  struct Case {
    std::string settings;  // "" = no Settings document
    std::string labels;
    bool strict;  // an unknown logicalName is an error
  };
  const std::vector<Case> cases = {
      {"", "", false},
      {"", disabled, true},
      {settings("BLACKLIST"), "", false},
      {settings("BLACKLIST"), disabled, true},
      {settings("WHITELIST"), "", true},
      {settings("WHITELIST"), enabled, false},
      {settings("DISABLED"), "", true},
  };
  for (const Case& c : cases) {
    std::vector<std::pair<std::string, std::string>> files = {
        {"u.yaml", upstream(c.labels)},
        {"test.yaml", test::kVirtualServiceHead + aws_route("r", "{name: lambda}", "foo")}};
    if (!c.settings.empty()) files.emplace_back("settings.yaml", c.settings);
    LoadResult result = load_config_from_strings(files);
    INFO(c.settings << c.labels << "\n" << joined(result));
    CHECK(result.ok() == !c.strict);
    CHECK(result.diagnostics.size() == 1);
  }
}

// A discovery label with any other value than enabled/disabled is ignored, as in Gloo, so it is
// reported; so is `enabled` under fdsMode DISABLED, which it cannot override.
TEST_CASE("discovery labels that do nothing are reported", "[config][validate][discovery]") {
  LoadResult typo =
      test::load_one("u.yaml",
                     "apiVersion: gloo.solo.io/v1\nkind: Upstream\nmetadata: {name: lambda, labels: "
                     "{discovery.solo.io/function_discovery: \"off\"}}\nspec: {aws: {region: us-east-1}}\n");
  CHECK(lines(typo) ==
        std::vector<std::string>{
            "u.yaml:1: warning: Upstream default/lambda: label discovery.solo.io/function_discovery "
            "is 'off'; only 'enabled' and 'disabled' have a meaning, so it is ignored"});

  LoadResult overridden = load_config_from_strings(
      {{"u.yaml",
        "apiVersion: gloo.solo.io/v1\nkind: Upstream\nmetadata: {name: lambda, labels: "
        "{discovery.solo.io/function_discovery: enabled}}\nspec: {aws: {region: us-east-1}}\n"},
       {"settings.yaml", kNoDiscovery}});
  CHECK(lines(overridden) ==
        std::vector<std::string>{"u.yaml:1: warning: Upstream default/lambda: label "
                                 "discovery.solo.io/function_discovery is 'enabled', but Settings "
                                 "spec.discovery.fdsMode is DISABLED: not discovered"});
}

// Gloo rejects the same domain in two VirtualServices (two empty lists both mean "*"); the error
// names both. A domain twice in one list is an error too; overlapping wildcards are fine.
TEST_CASE("domains may belong to one VirtualService only", "[config][validate]") {
  auto vs = [](const std::string& name, const std::string& domains) {
    return "apiVersion: gateway.solo.io/v1\nkind: VirtualService\nmetadata: {name: " + name +
           "}\nspec:\n  virtualHost:\n" + domains + "    routes: [{directResponseAction: {status: 200}}]\n";
  };
  LoadResult conflict =
      load_config_from_strings({{"a.yaml", vs("one", "    domains: [a.com, '*.b.com']\n")},
                                {"b.yaml", vs("two", "    domains: ['*.b.com', A.COM]\n")}});
  CHECK(lines(conflict) ==
        std::vector<std::string>{
            "b.yaml:1: error: domain '*.b.com' is in both VirtualService default/one (a.yaml:1) and "
            "VirtualService default/two",
            "b.yaml:1: error: domain 'a.com' is in both VirtualService default/one (a.yaml:1) and "
            "VirtualService default/two",
        });

  LoadResult implicit =
      load_config_from_strings({{"a.yaml", vs("one", "")}, {"b.yaml", vs("two", "    domains: ['*']\n")}});
  CHECK(lines(implicit) ==
        std::vector<std::string>{"b.yaml:1: error: domain '*' is in both VirtualService default/one "
                                 "(a.yaml:1) and VirtualService default/two"});

  LoadResult twice = test::load_one("a.yaml", vs("one", "    domains: [a.com, a.com]\n"));
  CHECK(lines(twice) ==
        std::vector<std::string>{"a.yaml:1: error: VirtualService default/one lists domain 'a.com' twice"});

  LoadResult overlap = load_config_from_strings({{"a.yaml", vs("one", "    domains: ['*.com']\n")},
                                                 {"b.yaml", vs("two", "    domains: ['*.b.com', '*']\n")}});
  CHECK(overlap.ok());
}

}  // namespace
}  // namespace lambdagate::config
