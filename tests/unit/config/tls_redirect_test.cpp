// VirtualService sslConfig and route redirectAction (Gloo's ssl.proto and RedirectAction), the
// other documents kept beside Gloo's, and requestTransformation beside wrapAsApiGateway.
#include <catch2/catch.hpp>

#include "config_test_support.hpp"

namespace lambdagate::config {
namespace {

using test::joined;
using test::lines;

const std::string kTlsSecret =
    "apiVersion: v1\nkind: Secret\nmetadata: {name: tls}\ntype: kubernetes.io/tls\nstringData:\n"
    "  tls.crt: '-----BEGIN CERTIFICATE-----'\n  tls.key: '-----BEGIN PRIVATE KEY-----'\n";

LoadResult load_ssl(const std::string& ssl_config) {
  return load_config_from_strings(
      {{"secret.yaml", kTlsSecret},
       {"vs.yaml",
        "apiVersion: gateway.solo.io/v1\nkind: VirtualService\nmetadata: {name: vs}\nspec:\n"
        "  sslConfig:\n" +
            ssl_config +
            "  virtualHost:\n    domains: [Shop.Example.com]\n"
            "    routes: [{directResponseAction: {status: 200}}]\n"}});
}

std::vector<std::string> errors(const LoadResult& result) {
  std::vector<std::string> out;
  for (const Diagnostic& d : result.diagnostics) {
    if (d.severity == Diagnostic::Severity::Error) out.push_back(d.to_string());
  }
  return out;
}

// Every sslConfig field is read with Gloo's enum names; SNI domains are lower-cased.
TEST_CASE("sslConfig: every field", "[config][tls]") {
  LoadResult result = load_ssl(R"(    secretRef: {name: tls}
    sniDomains: [Shop.Example.com]
    verifySubjectAltName: [client.example.com]
    parameters:
      minimumProtocolVersion: TLSv1_2
      maximumProtocolVersion: TLSv1_3
      cipherSuites: [ECDHE-RSA-AES128-GCM-SHA256]
      ecdhCurves: [X25519]
    alpnProtocols: [http/1.1]
    oneWayTls: true
    disableTlsSessionResumption: true
)");
  INFO(joined(result));
  REQUIRE(result.ok());
  const SslConfig& ssl = *result.config->virtual_services.at(0).ssl_config;
  CHECK(ssl.secret_ref == ResourceRef{"tls", "default"});
  CHECK_FALSE(ssl.ssl_files);
  CHECK(ssl.sni_domains == std::vector<std::string>{"shop.example.com"});
  CHECK(ssl.verify_subject_alt_name == std::vector<std::string>{"client.example.com"});
  CHECK(ssl.parameters.minimum_protocol_version == TlsProtocolVersion::V1_2);
  CHECK(ssl.parameters.maximum_protocol_version == TlsProtocolVersion::V1_3);
  CHECK(ssl.parameters.cipher_suites == std::vector<std::string>{"ECDHE-RSA-AES128-GCM-SHA256"});
  CHECK(ssl.parameters.ecdh_curves == std::vector<std::string>{"X25519"});
  CHECK(ssl.alpn_protocols == std::vector<std::string>{"http/1.1"});
  CHECK(ssl.one_way_tls == true);
  CHECK(ssl.disable_tls_session_resumption);
  CHECK(ssl.where.line == 5);

  LoadResult files =
      load_ssl("    sslFiles: {tlsCert: /etc/tls/tls.crt, tlsKey: /etc/tls/tls.key, rootCa: /etc/ca.crt}\n");
  INFO(joined(files));
  REQUIRE(files.ok());
  const SslConfig& f = *files.config->virtual_services.at(0).ssl_config;
  REQUIRE(f.ssl_files);
  CHECK(f.ssl_files->tls_cert == "/etc/tls/tls.crt");
  CHECK(f.ssl_files->tls_key == "/etc/tls/tls.key");
  CHECK(f.ssl_files->root_ca == "/etc/ca.crt");
  CHECK_FALSE(f.one_way_tls);
}

TEST_CASE("sslConfig: errors", "[config][tls]") {
  struct Case {
    std::string ssl;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases = {
      {"    sniDomains: [a.example.com]\n",
       {"vs.yaml:5: error: 'spec.sslConfig' needs a certificate: set secretRef (a kubernetes.io/tls Secret) "
        "or "
        "sslFiles"}},
      {"    secretRef: {name: tls}\n    sslFiles: {tlsCert: a, tlsKey: b}\n",
       {"vs.yaml:7: error: 'spec.sslConfig.sslFiles' and 'spec.sslConfig.secretRef' are both set; set one of "
        "them"}},
      {"    sslFiles: {tlsCert: a}\n", {"vs.yaml:6: error: 'spec.sslConfig.sslFiles.tlsKey' is required"}},
      {"    secretRef: {name: missing}\n",
       {"vs.yaml:5: error: VirtualService default/vs: sslConfig.secretRef default/missing not found"}},
      {"    secretRef: {name: tls}\n    parameters: {minimumProtocolVersion: TLSv1_3, "
       "maximumProtocolVersion: TLSv1_2}\n",
       {"vs.yaml:7: error: 'spec.sslConfig.parameters.minimumProtocolVersion' is above "
        "'spec.sslConfig.parameters.maximumProtocolVersion'"}},
      {"    secretRef: {name: tls}\n    parameters: {minimumProtocolVersion: TLS1_2}\n",
       {"vs.yaml:7: error: 'spec.sslConfig.parameters.minimumProtocolVersion' must be TLS_AUTO, TLSv1_0, "
        "TLSv1_1, "
        "TLSv1_2 or TLSv1_3, got 'TLS1_2'"}},
      {"    sds: {targetUri: 'x:1'}\n",
       {"vs.yaml:6: error: 'spec.sslConfig.sds' is not supported: certificates come from a Secret document "
        "(secretRef) or from files (sslFiles), not from an SDS server"}},
  };
  for (const Case& c : cases) {
    LoadResult result = load_ssl(c.ssl);
    INFO(c.ssl << "\n" << joined(result));
    CHECK(errors(result) == c.expected);
  }
  // A Secret that is not a TLS Secret.
  LoadResult aws = load_config_from_strings(
      {{"secret.yaml", test::kBaseYaml},
       {"vs.yaml",
        "apiVersion: gateway.solo.io/v1\nkind: VirtualService\nmetadata: {name: vs}\nspec:\n"
        "  sslConfig: {secretRef: {name: aws-creds}}\n  virtualHost:\n"
        "    routes: [{directResponseAction: {status: 200}}]\n"}});
  CHECK(errors(aws) ==
        std::vector<std::string>{"vs.yaml:5: error: VirtualService default/vs: sslConfig.secretRef "
                                 "default/aws-creds is not a kubernetes.io/tls Secret with tls.crt "
                                 "and tls.key"});
}

// redirectAction: every field with Gloo's enum names (MOVED_PERMANENTLY by default); the path
// part is one of pathRedirect, prefixRewrite and regexRewrite.
TEST_CASE("redirectAction: fields, defaults and errors", "[config][redirect]") {
  LoadResult result = test::load_routes(R"(    - matchers: [{prefix: /old}]
      redirectAction: {hostRedirect: 'new.example.com:8443', pathRedirect: /new, responseCode: SEE_OTHER,
                       httpsRedirect: true, stripQuery: true, portRedirect: 8443}
    - matchers: [{prefix: /a}]
      redirectAction: {prefixRewrite: /b}
    - matchers: [{prefix: /r}]
      redirectAction: {regexRewrite: {pattern: {regex: '^/r/(.*)'}, substitution: '/s/\1'}, responseCode: PERMANENT_REDIRECT}
)");
  INFO(joined(result));
  REQUIRE(result.ok());
  const auto& routes = result.config->virtual_services.at(0).routes;
  const RedirectAction& a = *routes.at(0).redirect_action;
  CHECK(a.host_redirect == "new.example.com:8443");
  CHECK(a.path_redirect == "/new");
  CHECK(a.response_code == 303u);
  CHECK(a.https_redirect);
  CHECK(a.strip_query);
  CHECK(a.port_redirect == 8443);
  const RedirectAction& b = *routes.at(1).redirect_action;
  CHECK(b.prefix_rewrite == "/b");
  CHECK(b.response_code == 301u);
  CHECK_FALSE(b.strip_query);
  const RedirectAction& c = *routes.at(2).redirect_action;
  REQUIRE(c.regex_rewrite);
  CHECK(c.regex_rewrite->pattern == "^/r/(.*)");
  CHECK(c.regex_rewrite->substitution == "/s/\\1");
  CHECK(c.response_code == 308u);
  // Served as redirects: no placeholder answer is attached.
  for (const Route& route : routes) CHECK_FALSE(route.direct_response);

  struct Case {
    std::string redirect;
    std::string expected;
  };
  const std::string p = "test.yaml:9: error: 'spec.virtualHost.routes[0].redirectAction";
  const std::vector<Case> cases = {
      {"{pathRedirect: /a, prefixRewrite: /b}",
       p + "' sets more than one of 'pathRedirect', 'prefixRewrite' and 'regexRewrite'"},
      {"{responseCode: 301}",
       p + ".responseCode' must be MOVED_PERMANENTLY, FOUND, SEE_OTHER, TEMPORARY_REDIRECT or "
           "PERMANENT_REDIRECT, got '301'"},
      {"{pathRedirect: new}", p + ".pathRedirect' must start with '/'"},
      {"{hostRedirect: 'https://x.example.com'}",
       p + ".hostRedirect' must be a host name (and port), not a URL"},
      {"{portRedirect: 70000}", p + ".portRedirect' must be an integer between 1 and 65535, got '70000'"},
      {"{regexRewrite: {pattern: {regex: '('}}}",
       p + ".regexRewrite.pattern.regex' is not a valid RE2 regular expression: missing ): ("},
  };
  for (const Case& c : cases) {
    LoadResult bad = test::load_routes("    - redirectAction: " + c.redirect + "\n");
    INFO(c.redirect << "\n" << joined(bad));
    CHECK(errors(bad) == std::vector<std::string>{c.expected});
  }
}

// Namespaces, ServiceAccounts and Deployments kept beside Gloo's documents: skipped, with one
// info line per load that counts them by kind, at the first one.
TEST_CASE("documents of other kinds are one info line per load", "[config][loader]") {
  LoadResult result =
      load_config_from_strings({{"a.yaml",
                                 "apiVersion: v1\nkind: Namespace\nmetadata: {name: gloo-system}\n---\n"
                                 "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: gateway-proxy}\n"},
                                {"b.yaml",
                                 "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: lambdagate}\n---\n"
                                 "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: discovery}\n---\n" +
                                     test::kBaseYaml}});
  INFO(joined(result));
  REQUIRE(result.ok());
  CHECK(lines(result) ==
        std::vector<std::string>{"a.yaml:1: info: skipped 4 documents of kinds lambdagate does not "
                                 "read: Deployment (1), Namespace (1), ServiceAccount (2)"});
  CHECK(result.diagnostics.at(0).severity == Diagnostic::Severity::Info);
}

// requestTransformation with wrapAsApiGateway (what Gloo 1.12 users wrote): accepted,
// wrapAsApiGateway wins, one warning for the whole load at the first place — including where an
// Upstream's destinationOverrides brings one of the two.
TEST_CASE("requestTransformation with wrapAsApiGateway: wrap wins, one warning",
          "[config][virtual_service]") {
  const std::string both = "{logicalName: uppercase, requestTransformation: true, wrapAsApiGateway: true}";
  LoadResult result = test::load_routes(
      "    - matchers: [{prefix: /a}]\n      routeAction: {single: {upstream: {name: lambda}, "
      "destinationSpec: {aws: " +
      both +
      "}}}\n    - matchers: [{prefix: /b}]\n      routeAction: {single: {upstream: {name: lambda}, "
      "destinationSpec: {aws: " +
      both + "}}}\n");
  INFO(joined(result));
  REQUIRE(result.ok());
  for (const Route& route : result.config->virtual_services.at(0).routes) {
    const AwsDestinationSpec& spec = *route.route_action->destinations.at(0).aws;
    CHECK(spec.wrap_as_api_gateway);
    CHECK_FALSE(spec.request_transformation);
  }
  CHECK(lines(result) ==
        std::vector<std::string>{
            "test.yaml:10: warning: requestTransformation and wrapAsApiGateway are both set: "
            "accepted as Gloo does, wrapAsApiGateway wins (the function gets the API Gateway event) "
            "(2 places; the first is here)"});
}

}  // namespace
}  // namespace lambdagate::config
