// The request policies in `options` (gloo-edge-options.md): CORS, JWT, local rate limits and the
// concurrency cap — parsing, errors with file:line, and the merge rules of model.hpp.
#include <catch2/catch.hpp>

#include "config_test_support.hpp"
#include "lambdagate/config/compatibility.hpp"

namespace lambdagate::config {
namespace {

using namespace std::chrono_literals;
using test::joined;
using test::lines;

// A VirtualService (test.yaml) with virtual-host `options` and routes, beside kBaseYaml.
LoadResult load_vs(const std::string& vhost_options, const std::string& routes,
                   const std::string& tables = "") {
  std::string yaml =
      "apiVersion: gateway.solo.io/v1\nkind: VirtualService\nmetadata: {name: vs}\nspec:\n"
      "  virtualHost:\n" +
      (vhost_options.empty() ? "" : "    options:\n" + vhost_options) + "    routes:\n" + routes;
  std::vector<std::pair<std::string, std::string>> files = {{"base.yaml", test::kBaseYaml},
                                                            {"test.yaml", yaml}};
  if (!tables.empty()) files.emplace_back("rt.yaml", tables);
  return load_config_from_strings(files);
}

const VirtualService& only_vs(const LoadResult& result) { return result.config->virtual_services.at(0); }

std::string direct_route(const std::string& name, const std::string& prefix,
                         const std::string& options = "") {
  return "    - name: " + name + "\n      matchers: [{prefix: " + prefix + "}]\n" +
         (options.empty() ? "" : "      options:\n" + options) +
         "      directResponseAction: {status: 200}\n";
}

// Lines of a load without the once-per-load "not enforced yet" warnings, for tests about other
// messages.
std::vector<std::string> without_pending(const LoadResult& result) {
  std::vector<std::string> out;
  for (const std::string& line : lines(result)) {
    if (line.find("not enforced yet") == std::string::npos) out.push_back(line);
  }
  return out;
}

// Every CorsPolicy field is read; a route's effective policy is the virtual host's with the
// route's fields written over it one by one; exposeHeaders is the union under UNION;
// disableForRoute leaves the route without CORS; a route without a policy takes the virtual host's.
TEST_CASE("CORS: fields and the virtual host / route merge", "[config][policy][cors]") {
  const std::string vhost = R"(      cors:
        allowOrigin: ['https://app.example.com']
        allowOriginRegex: ['https://.*\.example\.org']
        allowMethods: [GET, POST]
        allowHeaders: [authorization]
        exposeHeaders: [x-request-id]
        maxAge: "600"
        allowCredentials: true
      corsPolicyMergeSettings: {exposeHeaders: MERGE}
)";
  const std::string routes =
      direct_route("own", "/own",
                   "        cors: {allowOrigin: ['https://admin.example.com'], exposeHeaders: "
                   "[x-total], maxAge: '60'}\n") +
      direct_route("off", "/off",
                   "        cors: {allowOrigin: ['https://admin.example.com'], "
                   "disableForRoute: true}\n") +
      direct_route("inherit", "/inherit");
  for (auto [merge, expose] : {std::pair{"DEFAULT", std::vector<std::string>{"x-total"}},
                               std::pair{"UNION", std::vector<std::string>{"x-request-id", "x-total"}}}) {
    std::string v = vhost;
    v.replace(v.find("MERGE"), 5, merge);
    LoadResult result = load_vs(v, routes);
    INFO(merge << "\n" << joined(result));
    REQUIRE(result.ok());
    const VirtualService& vs = only_vs(result);
    REQUIRE(vs.options.cors);
    CHECK(vs.options.cors->allow_origin_regex == std::vector<std::string>{"https://.*\\.example\\.org"});
    CHECK(vs.options.cors->where.line == 7);

    const auto& own = vs.routes.at(0).options.cors;
    REQUIRE(own);
    CHECK(own->allow_origin == std::vector<std::string>{"https://admin.example.com"});
    CHECK(own->allow_origin_regex == vs.options.cors->allow_origin_regex);  // not written: the virtual host's
    CHECK(own->allow_methods == std::vector<std::string>{"GET", "POST"});
    CHECK(own->allow_headers == std::vector<std::string>{"authorization"});
    CHECK(own->expose_headers == expose);
    CHECK(own->max_age == "60");
    CHECK(own->allow_credentials == true);
    CHECK_FALSE(own->disable_for_route);

    CHECK_FALSE(vs.routes.at(1).options.cors);  // disableForRoute: no CORS at all
    REQUIRE(vs.routes.at(2).options.cors);
    CHECK(vs.routes.at(2).options.cors->allow_origin == std::vector<std::string>{"https://app.example.com"});
  }
}

// A policy without any origin is an error (as Gloo, even beside disableForRoute); a bad regex,
// disableForRoute on the virtual host and a maxAge that is not seconds are reported.
TEST_CASE("CORS: errors and warnings", "[config][policy][cors]") {
  struct Case {
    std::string vhost;
    std::string route;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases = {
      {"      cors: {allowMethods: [GET]}\n",
       "",
       {"test.yaml:7: error: 'spec.virtualHost.options.cors' must allow at least one origin (allowOrigin or "
        "allowOriginRegex)"}},
      {"",
       "        cors: {disableForRoute: true}\n",
       {"test.yaml:10: error: 'spec.virtualHost.routes[0].options.cors' must allow at least one origin "
        "(allowOrigin "
        "or allowOriginRegex)"}},
      {"      cors: {allowOriginRegex: ['(unclosed']}\n",
       "",
       {"test.yaml:7: error: 'spec.virtualHost.options.cors.allowOriginRegex' is not a valid RE2 regular "
        "expression: missing ): (unclosed"}},
      {"      cors: {allowOrigin: ['*'], disableForRoute: true, maxAge: 1d}\n",
       "",
       {"test.yaml:7: warning: 'spec.virtualHost.options.cors.maxAge' '1d' is not a number of seconds; "
        "browsers will "
        "ignore it",
        "test.yaml:7: warning: 'spec.virtualHost.options.cors.disableForRoute' only applies to routes; "
        "ignored on a "
        "virtual host"}},
      {"      corsPolicyMergeSettings: {exposeHeaders: ALL}\n",
       "",
       {"test.yaml:7: error: 'spec.virtualHost.options.corsPolicyMergeSettings.exposeHeaders' must be "
        "DEFAULT or "
        "UNION, got 'ALL'"}},
  };
  for (const Case& c : cases) {
    LoadResult result = load_vs(c.vhost, direct_route("r", "/", c.route));
    INFO(c.vhost << c.route << "\n" << joined(result));
    CHECK(without_pending(result) == c.expected);
  }
}

// JWT providers with every field; either stage or the older `jwt`; the route switches
// verification off with `disable`, and a delegating parent's disable reaches its children unless
// a child writes its own (even false).
TEST_CASE("JWT: providers on the virtual host, disable on routes", "[config][policy][jwt]") {
  const std::string vhost = R"(      jwtStaged:
        beforeExtAuth:
          validationPolicy: ALLOW_MISSING
          providers:
            okta:
              issuer: https://issuer.example.com
              audiences: [api]
              jwks: {remote: {url: 'https://issuer.example.com/keys', cacheDuration: 10m, upstreamRef: {name: idp}}}
              tokenSource: {headers: [{header: X-Token, prefix: 'Bearer '}], queryParams: [token]}
              keepToken: true
              claimsToHeaders: [{claim: sub, header: X-User, append: true}]
              clockSkewSeconds: 5
            static:
              jwks:
                local:
                  key: '{"keys": []}'
)";
  const std::string tables = R"(apiVersion: gateway.solo.io/v1
kind: RouteTable
metadata: {name: public}
spec:
  routes:
  - name: child-inherits
    matchers: [{prefix: /public/a}]
    directResponseAction: {status: 200}
  - name: child-overrides
    matchers: [{prefix: /public/b}]
    options: {jwt: {disable: false}}
    directResponseAction: {status: 200}
)";
  const std::string routes = direct_route("private", "/private") +
                             "    - name: public\n      matchers: [{prefix: /public}]\n      options:\n"
                             "        jwtStaged: {beforeExtAuth: {disable: true}}\n"
                             "      delegateAction: {ref: {name: public}}\n";
  LoadResult result = load_vs(vhost, routes, tables);
  INFO(joined(result));
  REQUIRE(result.ok());
  const VirtualService& vs = only_vs(result);
  REQUIRE(vs.options.jwt);
  const JwtConfig& jwt = *vs.options.jwt;
  CHECK(jwt.validation_policy == JwtValidationPolicy::AllowMissing);
  REQUIRE(jwt.providers.size() == 2);
  const JwtProvider& okta = jwt.providers[0];
  CHECK(okta.name == "okta");
  CHECK(okta.issuer == "https://issuer.example.com");
  CHECK(okta.audiences == std::vector<std::string>{"api"});
  REQUIRE(okta.remote_jwks);
  CHECK(okta.remote_jwks->url == "https://issuer.example.com/keys");
  CHECK(okta.remote_jwks->cache_duration == 10min);
  CHECK(okta.remote_jwks->upstream_ref == ResourceRef{"idp", "default"});
  REQUIRE(okta.token_source.headers.size() == 1);
  CHECK(okta.token_source.headers[0].header == "x-token");
  CHECK(okta.token_source.headers[0].prefix == "Bearer ");
  CHECK(okta.token_source.query_params == std::vector<std::string>{"token"});
  CHECK(okta.keep_token);
  REQUIRE(okta.claims_to_headers.size() == 1);
  CHECK(okta.claims_to_headers[0].header == "x-user");
  CHECK(okta.claims_to_headers[0].append);
  CHECK(okta.clock_skew == 5s);
  CHECK(jwt.providers[1].local_jwks == "{\"keys\": []}");
  CHECK(jwt.providers[1].clock_skew == 60s);

  REQUIRE(vs.routes.size() == 3);
  CHECK_FALSE(vs.routes[0].options.jwt_disabled);
  CHECK_FALSE(vs.routes[0].options.jwt);  // providers stay the virtual host's
  CHECK(vs.routes[1].name == "child-inherits");
  CHECK(vs.routes[1].options.jwt_disabled);
  CHECK(vs.routes[2].name == "child-overrides");
  CHECK_FALSE(vs.routes[2].options.jwt_disabled);
}

TEST_CASE("JWT: stages, the older form and their errors", "[config][policy][jwt]") {
  const std::string provider = "{p: {jwks: {local: {key: k}}}}";
  LoadResult after =
      load_vs("      jwtStaged: {afterExtAuth: {providers: " + provider + "}}\n", direct_route("r", "/"));
  REQUIRE(after.ok());
  CHECK(only_vs(after).options.jwt);
  LoadResult older = load_vs("      jwt: {allowMissingOrFailedJwt: true, providers: " + provider + "}\n",
                             direct_route("r", "/"));
  REQUIRE(older.ok());
  CHECK(only_vs(older).options.jwt->validation_policy == JwtValidationPolicy::AllowMissingOrFailed);

  struct Case {
    std::string vhost;
    std::string expected;
  };
  const std::string o = "'spec.virtualHost.options.";
  const std::vector<Case> cases = {
      {"      jwtStaged: {beforeExtAuth: {providers: " + provider +
           "}, afterExtAuth: {providers: " + provider + "}}\n",
       "test.yaml:7: error: " + o + "jwtStaged.afterExtAuth' and " + o +
           "jwtStaged.beforeExtAuth' are both set: lambdagate has no external auth, so both stages are one; "
           "set one "
           "of them"},
      {"      jwt: {providers: " + provider + "}\n      jwtStaged: {beforeExtAuth: {providers: " + provider +
           "}}\n",
       "test.yaml:7: error: " + o + "jwt' and " + o + "jwtStaged' are both set; set one of them"},
      {"      jwt: {providers: {}}\n",
       "test.yaml:7: error: " + o + "jwt' has no providers; a JWT policy needs at least one"},
      {"      jwt: {providers: {p: {issuer: x}}}\n",
       "test.yaml:7: error: " + o + "jwt.providers.p.jwks' is required"},
      {"      jwt: {providers: {p: {jwks: {local: {key: k}, remote: {url: 'https://x'}}}}}\n",
       "test.yaml:7: error: " + o + "jwt.providers.p.jwks' must set exactly one of 'local' and 'remote'"},
      {"      jwt: {providers: {p: {jwks: {remote: {url: 'ftp://x'}}}}}\n",
       "test.yaml:7: error: " + o +
           "jwt.providers.p.jwks.remote.url' must be an https:// URL, got 'ftp://x'"},
      {"      jwt: {providers: {p: {jwks: {remote: {url: 'http://x'}}}}}\n",
       "test.yaml:7: warning: " + o +
           "jwt.providers.p.jwks.remote.url' is plain http: keys fetched without TLS can be replaced in "
           "transit"},
      {"      jwt: {validationPolicy: LENIENT, providers: " + provider + "}\n",
       "test.yaml:7: error: " + o +
           "jwt.validationPolicy' must be REQUIRE_VALID, ALLOW_MISSING or ALLOW_MISSING_OR_FAILED, got "
           "'LENIENT'"},
      {"      jwt: {providers: {p: {jwks: {local: {key: k}}, claimsToHeaders: [{claim: sub, header: 'x "
       "user'}]}}}\n",
       "test.yaml:7: error: " + o +
           "jwt.providers.p.claimsToHeaders[0].header' 'x user' is not a valid header name"},
  };
  for (const Case& c : cases) {
    LoadResult result = load_vs(c.vhost, direct_route("r", "/"));
    INFO(c.vhost << "\n" << joined(result));
    CHECK(test::has_diagnostic(result, c.expected));
  }
}

// Token buckets: each level keeps its own (the virtual host's is not copied into routes); a
// delegating parent's bucket is inherited by children that set none; bounds are Envoy's.
TEST_CASE("local rate limits: levels and bounds", "[config][policy][ratelimit]") {
  const std::string tables = R"(apiVersion: gateway.solo.io/v1
kind: RouteTable
metadata: {name: rt}
spec:
  routes:
  - name: child
    matchers: [{prefix: /api/x}]
    directResponseAction: {status: 200}
)";
  const std::string routes =
      direct_route("own", "/own", "        ratelimit: {localRatelimit: {maxTokens: 5, tokensPerFill: 5}}\n") +
      direct_route("none", "/none") +
      "    - name: api\n      matchers: [{prefix: /api}]\n      options:\n"
      "        ratelimit: {localRatelimit: {maxTokens: 7, fillInterval: 250ms}}\n"
      "      delegateAction: {ref: {name: rt}}\n";
  LoadResult result =
      load_vs("      ratelimit: {localRatelimit: {maxTokens: 100, tokensPerFill: 10, fillInterval: 2s}}\n",
              routes, tables);
  INFO(joined(result));
  REQUIRE(result.ok());
  const VirtualService& vs = only_vs(result);
  REQUIRE(vs.options.rate_limit);
  CHECK(vs.options.rate_limit->max_tokens == 100u);
  CHECK(vs.options.rate_limit->tokens_per_fill == 10u);
  CHECK(vs.options.rate_limit->fill_interval == 2s);
  REQUIRE(vs.routes.at(0).options.rate_limit);
  CHECK(vs.routes[0].options.rate_limit->max_tokens == 5u);
  CHECK(vs.routes[0].options.rate_limit->fill_interval == 1s);  // Gloo's default
  CHECK_FALSE(vs.routes.at(1).options.rate_limit);              // not the virtual host's
  REQUIRE(vs.routes.at(2).options.rate_limit);                  // the delegating parent's
  CHECK(vs.routes[2].name == "child");
  CHECK(vs.routes[2].options.rate_limit->max_tokens == 7u);

  struct Case {
    std::string bucket;
    std::string expected;
  };
  const std::string p = "test.yaml:10: error: 'spec.virtualHost.routes[0].options.ratelimit.localRatelimit";
  const std::vector<Case> cases = {
      {"{tokensPerFill: 1}", p + ".maxTokens' is required (at least 1)"},
      {"{maxTokens: 0}", p + ".maxTokens' must be an integer between 1 and 4294967295, got '0'"},
      {"{maxTokens: 1, tokensPerFill: 0}",
       p + ".tokensPerFill' must be an integer between 1 and 4294967295, got '0'"},
      {"{maxTokens: 1, fillInterval: 49ms}", p + ".fillInterval' must be at least 50ms"},
  };
  for (const Case& c : cases) {
    LoadResult bad =
        load_vs("", direct_route("r", "/", "        ratelimit: {localRatelimit: " + c.bucket + "}\n"));
    INFO(c.bucket << "\n" << joined(bad));
    CHECK_FALSE(bad.ok());
    CHECK(without_pending(bad) == std::vector<std::string>{c.expected});
  }
}

// lambdagate.maxConcurrency: on a route its own cap; on the virtual host the cap of each route
// that sets none; on an Upstream's function entry the function's cap.
TEST_CASE("maxConcurrency on routes, virtual hosts and functions", "[config][policy]") {
  LoadResult result = load_vs("      lambdagate: {maxConcurrency: 100}\n",
                              direct_route("own", "/own", "        lambdagate: {maxConcurrency: 3}\n") +
                                  direct_route("default", "/default"));
  INFO(joined(result));
  REQUIRE(result.ok());
  CHECK(only_vs(result).routes.at(0).options.max_concurrency == 3u);
  CHECK(only_vs(result).routes.at(1).options.max_concurrency == 100u);

  LoadResult upstream = test::load_one("u.yaml", R"(apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {name: u}
spec:
  aws:
    region: us-east-1
    lambdaFunctions:
    - {lambdaFunctionName: hot, lambdagate: {maxConcurrency: 10}}
    - {lambdaFunctionName: cold}
)");
  INFO(joined(upstream));
  REQUIRE(upstream.ok());
  const auto& functions = upstream.config->upstreams.at(0).aws.lambda_functions;
  CHECK(functions.at(0).max_concurrency == 10u);
  CHECK_FALSE(functions.at(1).max_concurrency);
  // Enforced by the request path now: no "not enforced yet" warning.
  CHECK(lines(upstream).empty());

  LoadResult bad = load_vs("", direct_route("r", "/", "        lambdagate: {maxConcurrency: 0, max: 1}\n"));
  CHECK(without_pending(bad) ==
        std::vector<std::string>{
            "test.yaml:10: error: 'spec.virtualHost.routes[0].options.lambdagate.maxConcurrency' must be an "
            "integer "
            "between 1 and 4294967295, got '0'",
            "test.yaml:10: warning: unknown field 'max' in 'spec.virtualHost.routes[0].options.lambdagate'"});
}

// Every feature the loader parses is enforced now: the pending table is empty, and a feature that
// was on it (the listener health check, on three Gateways) draws no warning. A row added to the
// table again gets one warning per load at its first place (note_pending).
TEST_CASE("no feature is parsed without being enforced", "[config][policy]") {
  CHECK(config::pending_features().empty());
  std::string yaml;
  for (const char* name : {"a", "b", "c"}) {
    yaml += std::string("---\napiVersion: gateway.solo.io/v1\nkind: Gateway\nmetadata: {name: ") + name +
            "}\nspec:\n  bindPort: " + (name[0] == 'a' ? "8081" : name[0] == 'b' ? "8082" : "8083") +
            "\n  httpGateway: {options: {healthCheck: {path: /healthz}}}\n";
  }
  LoadResult result = test::load_one("test.yaml", yaml);
  INFO(joined(result));
  REQUIRE(result.ok());
  CHECK(lines(result).empty());
}

// CORS, JWT, local rate limits and concurrency caps are enforced: written everywhere, they give no
// "not enforced yet" warning.
TEST_CASE("request policies load without pending warnings", "[config][policy]") {
  const std::string options =
      "        cors: {allowOrigin: ['*']}\n"
      "        ratelimit: {localRatelimit: {maxTokens: 5, tokensPerFill: 5, fillInterval: 1s}}\n"
      "        lambdagate: {maxConcurrency: 3}\n";
  LoadResult result =
      load_vs("      jwt: {providers: {p: {jwks: {remote: {url: 'https://idp.example.com/k'}}}}}\n",
              direct_route("a", "/a", options));
  INFO(joined(result));
  REQUIRE(result.ok());
  CHECK(lines(result).empty());
}

}  // namespace
}  // namespace lambdagate::config
