// bind_gateways (gateway_binding.hpp): which VirtualServices each Gateway serves, the implicit
// Gateways, and the checks that depend on it (domains per Gateway, unbound VirtualServices).
#include "lambdagate/config/gateway_binding.hpp"

#include <catch2/catch.hpp>

#include "config_test_support.hpp"

namespace lambdagate::config {
namespace {

using test::joined;
using test::lines;

// A VirtualService document with labels, optional sslConfig and one direct-response route.
std::string vs(const std::string& name, const std::string& ns, const std::string& labels,
               const std::string& domain, bool ssl) {
  return "---\napiVersion: gateway.solo.io/v1\nkind: VirtualService\nmetadata: {name: " + name +
         ", namespace: " + ns + (labels.empty() ? "" : ", labels: " + labels) + "}\nspec:\n" +
         (ssl ? "  sslConfig: {secretRef: {name: tls, namespace: default}}\n" : "") +
         "  virtualHost:\n    domains: ['" + domain +
         "']\n    routes: [{directResponseAction: {status: 200}}]\n";
}

std::string gateway(const std::string& name, int port, bool ssl, const std::string& http_gateway) {
  return "---\napiVersion: gateway.solo.io/v1\nkind: Gateway\nmetadata: {name: " + name +
         "}\nspec:\n  bindPort: " + std::to_string(port) + "\n" + (ssl ? "  ssl: true\n" : "") +
         (http_gateway.empty() ? "" : "  httpGateway:\n" + http_gateway);
}

const std::string kTlsSecret =
    "apiVersion: v1\nkind: Secret\nmetadata: {name: tls}\ntype: kubernetes.io/tls\nstringData:\n"
    "  tls.crt: '-----BEGIN CERTIFICATE-----'\n  tls.key: '-----BEGIN PRIVATE KEY-----'\n";

// Four VirtualServices in two namespaces with labels, plus `extra` (Gateways).
LoadResult load_fleet(const std::string& extra) {
  const std::string docs = vs("shop", "apps", "{team: shop, stage: prod}", "shop.example.com", false) +
                           vs("blog", "apps", "{team: blog, stage: dev}", "blog.example.com", false) +
                           vs("admin", "ops", "{team: ops, stage: prod}", "admin.example.com", false) +
                           vs("secure", "apps", "{team: shop, stage: prod}", "shop.example.com", true);
  return load_config_from_strings({{"secret.yaml", kTlsSecret}, {"vs.yaml", docs}, {"gw.yaml", extra}});
}

std::vector<std::string> served(const GatewayBinding& binding) {
  std::vector<std::string> names;
  for (const VirtualService* v : binding.virtual_services) names.push_back(v->metadata.name);
  return names;
}

// Precedence, as Gloo's HttpGatewayContainsVirtualService: virtualServiceExpressions first, else
// virtualServiceSelector, else the virtualServices refs, else every VirtualService; namespaces
// limit the selector, the expressions and "all"; always only the Gateway's side of ssl.
TEST_CASE("bind_gateways: expressions, then selector, then refs, then all", "[config][gateway][binding]") {
  struct Case {
    std::string name;
    std::string http_gateway;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases = {
      {"all plain ones", "", {"shop", "blog", "admin"}},
      {"namespaces limit all", "    virtualServiceNamespaces: [ops]\n", {"admin"}},
      {"'*' is every namespace", "    virtualServiceNamespaces: ['*']\n", {"shop", "blog", "admin"}},
      {"refs",
       "    virtualServices: [{name: blog, namespace: apps}, {name: admin, namespace: ops}]\n",
       {"blog", "admin"}},
      {"refs ignore namespaces",
       "    virtualServices: [{name: admin, namespace: ops}]\n    virtualServiceNamespaces: [apps]\n",
       {"admin"}},
      {"a ref to an ssl VirtualService serves nothing on a plain Gateway",
       "    virtualServices: [{name: secure, namespace: apps}]\n",
       {}},
      {"selector beats refs",
       "    virtualServices: [{name: blog, namespace: apps}]\n    virtualServiceSelector: {stage: prod}\n",
       {"shop", "admin"}},
      {"selector within namespaces",
       "    virtualServiceSelector: {stage: prod}\n    virtualServiceNamespaces: [apps]\n",
       {"shop"}},
      {"expressions beat the selector",
       "    virtualServiceSelector: {stage: prod}\n    virtualServiceExpressions:\n      expressions:\n"
       "      - {key: team, operator: In, values: [blog, ops]}\n",
       {"blog", "admin"}},
      {"empty expressions select all (within namespaces)",
       "    virtualServiceExpressions: {expressions: []}\n    virtualServiceNamespaces: [apps]\n",
       {"shop", "blog"}},
      {"every operator",
       "    virtualServiceExpressions:\n      expressions:\n"
       "      - {key: stage, operator: Equals, values: [prod]}\n"
       "      - {key: stage, operator: DoubleEquals, values: [prod]}\n"
       "      - {key: team, operator: NotEquals, values: [ops]}\n"
       "      - {key: team, operator: NotIn, values: [blog]}\n"
       "      - {key: team, operator: Exists}\n"
       "      - {key: legacy, operator: DoesNotExist}\n",
       {"shop"}},
  };
  for (const Case& c : cases) {
    LoadResult result = load_fleet(gateway("gw", 8080, false, c.http_gateway));
    INFO(c.name << "\n" << joined(result));
    REQUIRE(result.config);
    auto bindings = bind_gateways(*result.config);
    REQUIRE(bindings.size() == 1);
    CHECK_FALSE(bindings[0].gateway.implicit);
    CHECK(served(bindings[0]) == c.expected);
  }
}

// GreaterThan / LessThan compare integer label values.
TEST_CASE("bind_gateways: numeric expressions", "[config][gateway][binding]") {
  const std::string docs = vs("v1", "default", "{version: '1'}", "a.example.com", false) +
                           vs("v5", "default", "{version: '5'}", "b.example.com", false) +
                           vs("none", "default", "", "c.example.com", false);
  for (auto [op, expected] : {std::pair{"GreaterThan", std::vector<std::string>{"v5"}},
                              std::pair{"LessThan", std::vector<std::string>{"v1"}}}) {
    LoadResult result = load_config_from_strings(
        {{"vs.yaml", docs},
         {"gw.yaml", gateway("gw", 8080, false,
                             "    virtualServiceExpressions:\n      expressions: [{key: version, operator: " +
                                 std::string(op) + ", values: ['3']}]\n")}});
    INFO(op << "\n" << joined(result));
    REQUIRE(result.config);
    CHECK(served(bind_gateways(*result.config).at(0)) == expected);
  }
}

// Without Gateway documents: one implicit plain Gateway (the runtime puts --listen's address on
// it) and, because a VirtualService has sslConfig, an implicit ssl Gateway on Gloo's Helm
// default 0.0.0.0:8443, with one info line. The classic pair — a plain VirtualService and an ssl
// one for the same domain — loads: domains are unique per Gateway.
TEST_CASE("bind_gateways: implicit Gateways and the classic redirect pair", "[config][gateway][binding]") {
  LoadResult result = load_fleet("");
  INFO(joined(result));
  REQUIRE(result.ok());
  auto bindings = bind_gateways(*result.config);
  REQUIRE(bindings.size() == 2);
  CHECK(bindings[0].gateway.implicit);
  CHECK_FALSE(bindings[0].gateway.ssl);
  CHECK(bindings[0].gateway.bind_address == "0.0.0.0");
  CHECK(bindings[0].gateway.bind_port == 8080);
  CHECK(served(bindings[0]) == std::vector<std::string>{"shop", "blog", "admin"});
  CHECK(bindings[1].gateway.implicit);
  CHECK(bindings[1].gateway.ssl);
  CHECK(bindings[1].gateway.bind_port == 8443);
  CHECK(served(bindings[1]) == std::vector<std::string>{"secure"});
  CHECK(test::has_diagnostic(result,
                             "vs.yaml:30: info: no Gateway document: the VirtualServices with sslConfig are "
                             "served by an implicit ssl Gateway on 0.0.0.0:8443 (Gloo's Helm default "
                             "gateway-proxy-ssl)"));

  // Without any sslConfig, only the plain one, and no info line.
  LoadResult plain = load_config_from_strings({{"vs.yaml", vs("a", "default", "", "a.example.com", false)}});
  REQUIRE(plain.ok());
  CHECK(bind_gateways(*plain.config).size() == 1);
  CHECK(plain.diagnostics.empty());
}

// Two VirtualServices with the same domain on one Gateway are an error naming the Gateway; the
// same two on different Gateways are fine.
TEST_CASE("domains are unique per Gateway", "[config][gateway][binding]") {
  const std::string twins = vs("one", "default", "", "api.example.com", false) +
                            vs("two", "default", "{split: 'yes'}", "api.example.com", false);
  LoadResult clash =
      load_config_from_strings({{"vs.yaml", twins}, {"gw.yaml", gateway("gw", 8080, false, "")}});
  CHECK_FALSE(clash.ok());
  CHECK(lines(clash) == std::vector<std::string>{"vs.yaml:10: error: domain 'api.example.com' is in both "
                                                 "VirtualService default/one (vs.yaml:2) and VirtualService "
                                                 "default/two on Gateway default/gw"});

  LoadResult split = load_config_from_strings(
      {{"vs.yaml", twins},
       {"gw.yaml", gateway("a", 8080, false,
                           "    virtualServiceExpressions:\n      expressions: [{key: split, "
                           "operator: DoesNotExist}]\n") +
                       gateway("b", 8081, false, "    virtualServiceSelector: {split: 'yes'}\n")}});
  INFO(joined(split));
  CHECK(split.ok());
  CHECK(split.diagnostics.empty());
}

// A VirtualService no Gateway serves is a warning that says why.
TEST_CASE("an unbound VirtualService is a warning", "[config][gateway][binding]") {
  LoadResult ssl_only = load_fleet(gateway("gw", 8443, true, ""));
  INFO(joined(ssl_only));
  REQUIRE(ssl_only.ok());
  CHECK(
      test::has_diagnostic(ssl_only,
                           "vs.yaml:2: warning: VirtualService apps/shop is served by no Gateway: it has no "
                           "sslConfig and every Gateway has ssl: true"));

  LoadResult refs =
      load_fleet(gateway("gw", 8080, false, "    virtualServices: [{name: shop, namespace: apps}]\n") +
                 gateway("gws", 8443, true, ""));
  INFO(joined(refs));
  REQUIRE(refs.ok());
  CHECK(test::has_diagnostic(
      refs,
      "vs.yaml:10: warning: VirtualService apps/blog is served by no Gateway: no Gateway "
      "of its kind selects it (httpGateway.virtualServices, virtualServiceSelector, "
      "virtualServiceExpressions, virtualServiceNamespaces)"));
  CHECK_FALSE(
      test::has_diagnostic(refs,
                           "vs.yaml:2: warning: VirtualService apps/shop is served by no Gateway: no "
                           "Gateway of its kind selects it (httpGateway.virtualServices, "
                           "virtualServiceSelector, virtualServiceExpressions, virtualServiceNamespaces)"));
}

}  // namespace
}  // namespace lambdagate::config
