// Route and virtual-host options: retries, prefixRewrite, headerManipulation, and what a route
// inherits from virtualHost.options.
#include <catch2/catch.hpp>

#include "config_test_support.hpp"

namespace lambdagate::config {
namespace {

using namespace std::chrono_literals;
using test::joined;
using test::lines;
using test::load_routes;

// One route answering 200 whose `options` mapping starts at test.yaml:11; `options` is written
// at indent 8.
LoadResult load_options(const std::string& options) {
  return load_routes("    - directResponseAction: {status: 200}\n      options:\n" + options);
}

const RouteOptions& first_route_options(const LoadResult& result) {
  return result.config->virtual_services.at(0).routes.at(0).options;
}

const std::string kRetries = "'spec.virtualHost.routes[0].options.retries";
const std::string kHeaders = "'spec.virtualHost.routes[0].options.headerManipulation";

// Every retries field, with Envoy's names in retryOn (spaces after commas tolerated) and
// duplicate status codes kept once.
TEST_CASE("retries are read field by field", "[config][route_options]") {
  LoadResult result = load_options(R"(        retries:
          retryOn: '5xx, gateway-error,connect-failure,reset,retriable-status-codes,retriable-4xx,throttled'
          numRetries: 3
          perTryTimeout: 10s
          retryBackOff: {baseInterval: 100ms, maxInterval: 2s}
          retriableStatusCodes: [429, 503, 429]
)");
  INFO(joined(result));
  REQUIRE(result.ok());
  CHECK(result.diagnostics.empty());
  const auto& retries = first_route_options(result).retries;
  REQUIRE(retries);
  CHECK(retries->retry_on == (kRetryOn5xx | kRetryOnGatewayError | kRetryOnConnectFailure | kRetryOnReset |
                              kRetryOnRetriableStatusCodes | kRetryOnRetriable4xx | kRetryOnThrottled));
  CHECK(retries->num_retries == 3);
  CHECK(retries->per_try_timeout == 10s);
  CHECK(retries->base_interval == 100ms);
  CHECK(retries->max_interval == 2s);
  CHECK(retries->retriable_status_codes == std::vector<unsigned>{429, 503});
}

// What is left out takes Gloo's and Envoy's defaults: one retry (also for numRetries: 0), no
// per-try timeout, a 25ms base interval and a maximum left to "ten times the base".
TEST_CASE("retries defaults", "[config][route_options]") {
  struct Case {
    std::string retries;
    uint32_t num_retries;
    std::chrono::milliseconds base_interval;
    std::optional<std::chrono::milliseconds> max_interval;
  };
  const std::vector<Case> cases = {
      {"{retryOn: 5xx}", 1, 25ms, std::nullopt},
      {"{retryOn: 5xx, numRetries: 0}", 1, 25ms, std::nullopt},
      {"{retryOn: 5xx, numRetries: 10}", 10, 25ms, std::nullopt},
      {"{retryOn: 5xx, retryBackOff: {baseInterval: 50ms}}", 1, 50ms, std::nullopt},
      {"{retryOn: 5xx, retryBackOff: {maxInterval: 1s}}", 1, 25ms, 1s},
      {"{retryOn: 5xx, retryBackOff: {baseInterval: 0.0001s}}", 1, 1ms, std::nullopt},
      {"{retryOn: 5xx, retryBackOff: {baseInterval: 100ms, maxInterval: 100ms}}", 1, 100ms, 100ms},
      {"{retryOn: 5xx, retryBackOff: {}}", 1, 25ms, std::nullopt},
  };
  for (const Case& c : cases) {
    LoadResult result = load_options("        retries: " + c.retries + "\n");
    INFO(c.retries << "\n" << joined(result));
    REQUIRE(result.ok());
    CHECK(result.diagnostics.empty());
    const auto& retries = first_route_options(result).retries;
    REQUIRE(retries);
    CHECK(retries->retry_on == kRetryOn5xx);
    CHECK(retries->num_retries == c.num_retries);
    CHECK_FALSE(retries->per_try_timeout);
    CHECK(retries->base_interval == c.base_interval);
    CHECK(retries->max_interval == c.max_interval);
    CHECK(retries->retriable_status_codes.empty());
  }
}

// Every retries mistake is an error at its line, and the only message of the load.
TEST_CASE("retries errors are reported at their lines", "[config][route_options]") {
  struct Case {
    std::string retries;
    std::string expected;
  };
  const std::string unknown_suffix =
      " (lambdagate retries on 5xx, gateway-error, connect-failure, reset, retriable-status-codes, "
      "retriable-4xx, throttled)";
  const std::vector<Case> cases = {
      {"{retryOn: 5xx, numRetries: 11}",
       kRetries + ".numRetries' must be an integer between 0 and 10, got '11'"},
      {"{retryOn: 5xx, numRetries: -1}",
       kRetries + ".numRetries' must be an integer between 0 and 10, got '-1'"},
      {"{retryOn: '5xx,bogus'}", kRetries + ".retryOn' has an unknown condition 'bogus'" + unknown_suffix},
      {"{retryOn: 5XX}", kRetries + ".retryOn' has an unknown condition '5XX'" + unknown_suffix},
      {"{retryOn: [5xx]}", kRetries + ".retryOn' must be a string, got a list"},
      {"{retryOn: 5xx, perTryTimeout: 0s}",
       kRetries + ".perTryTimeout' must be at least 1ms; leave it out for no per-try timeout"},
      {"{retryOn: 5xx, perTryTimeout: soon}",
       kRetries +
           ".perTryTimeout' must be a duration: expected a number with a unit such as \"15s\", \"0.5s\", "
           "\"500ms\", \"2m\" or \"1h30m\", got 'soon'"},
      {"{retryOn: 5xx, retryBackOff: {baseInterval: 0s}}",
       kRetries + ".retryBackOff.baseInterval' must be at least 1ms"},
      {"{retryOn: 5xx, retryBackOff: {maxInterval: 0}}",
       kRetries + ".retryBackOff.maxInterval' must be at least 1ms"},
      {"{retryOn: 5xx, retryBackOff: {baseInterval: 100ms, maxInterval: 50ms}}",
       kRetries + ".retryBackOff' has baseInterval 100ms above maxInterval 50ms"},
      {"{retryOn: 5xx, retryBackOff: {maxInterval: 10ms}}",
       kRetries + ".retryBackOff' has baseInterval 25ms (the default) above maxInterval 10ms"},
      {"{retryOn: 5xx, retryBackOff: fast}", kRetries + ".retryBackOff' must be a mapping, got a scalar"},
      {"{retryOn: retriable-status-codes, retriableStatusCodes: [600]}",
       kRetries + ".retriableStatusCodes[0]' must be an integer between 100 and 599, got '600'"},
      {"{retryOn: retriable-status-codes, retriableStatusCodes: 503}",
       kRetries + ".retriableStatusCodes' must be a list, got a scalar"},
  };
  for (const Case& c : cases) {
    LoadResult result = load_options("        retries: " + c.retries + "\n");
    INFO(c.retries << "\n" << joined(result));
    CHECK_FALSE(result.ok());
    CHECK(lines(result) == std::vector<std::string>{"test.yaml:11: error: " + c.expected});
  }
}

// Envoy conditions lambdagate cannot act on, and retry settings that cannot do anything, are
// warnings that leave the rest of the policy in force.
TEST_CASE("retries warnings", "[config][route_options]") {
  struct Case {
    std::string retries;
    std::vector<std::string> expected;
    uint32_t retry_on;
  };
  const std::vector<Case> cases = {
      {"{retryOn: '5xx,refused-stream,retriable-headers,envoy-ratelimited,http3-post-connect-failure'}",
       {
           "test.yaml:11: warning: " + kRetries +
               ".retryOn' condition 'refused-stream' is not supported, ignored",
           "test.yaml:11: warning: " + kRetries +
               ".retryOn' condition 'retriable-headers' is not supported, ignored",
           "test.yaml:11: warning: " + kRetries +
               ".retryOn' condition 'envoy-ratelimited' is not supported, ignored",
           "test.yaml:11: warning: " + kRetries +
               ".retryOn' condition 'http3-post-connect-failure' is not supported, ignored",
       },
       kRetryOn5xx},
      {"{retryOn: 'unavailable,reset-before-request'}",
       {
           "test.yaml:11: warning: " + kRetries +
               ".retryOn' condition 'unavailable' is not supported, ignored",
           "test.yaml:11: warning: " + kRetries +
               ".retryOn' condition 'reset-before-request' is not supported, ignored",
       },
       0},
      {"{numRetries: 2}",
       {"test.yaml:11: warning: " + kRetries + ".retryOn' is not set, so no attempt is retried"},
       0},
      {"{retryOn: retriable-status-codes}",
       {"test.yaml:11: warning: " + kRetries +
        ".retryOn' has 'retriable-status-codes' but 'retriableStatusCodes' lists none, so it matches "
        "nothing"},
       kRetryOnRetriableStatusCodes},
      {"{retryOn: 5xx, retriableStatusCodes: [503]}",
       {"test.yaml:11: warning: " + kRetries +
        ".retriableStatusCodes' is ignored: 'retryOn' does not include 'retriable-status-codes'"},
       kRetryOn5xx},
      {"{retryOn: 5xx, rateLimitedRetryBackOff: {resetHeaders: []}, previousPriorities: {}, retryOnn: x}",
       {
           "test.yaml:11: warning: " + kRetries +
               ".rateLimitedRetryBackOff' is ignored: Lambda's Retry-After is always honoured within the "
               "route's "
               "deadline",
           "test.yaml:11: warning: " + kRetries +
               ".previousPriorities' is ignored: a Lambda Upstream has one endpoint: no priorities",
           "test.yaml:11: warning: unknown field 'retryOnn' in 'spec.virtualHost.routes[0].options.retries'",
       },
       kRetryOn5xx},
      {"{retryOn: ''}", {}, 0},
  };
  for (const Case& c : cases) {
    LoadResult result = load_options("        retries: " + c.retries + "\n");
    INFO(c.retries << "\n" << joined(result));
    REQUIRE(result.ok());
    CHECK(lines(result) == c.expected);
    REQUIRE(first_route_options(result).retries);
    CHECK(first_route_options(result).retries->retry_on == c.retry_on);
  }
}

// Header names are lower-cased; append defaults to true (false replaces what is there).
TEST_CASE("headerManipulation is read", "[config][route_options]") {
  LoadResult result = load_options(R"(        headerManipulation:
          requestHeadersToAdd:
          - header: {key: X-Tenant, value: acme}
          - header: {key: x-trace, value: ''}
            append: false
          requestHeadersToRemove: [X-Debug, cookie]
          responseHeadersToAdd:
          - {header: {key: Cache-Control, value: "no-store,\tprivate"}, append: false}
          responseHeadersToRemove: [Server]
)");
  INFO(joined(result));
  REQUIRE(result.ok());
  CHECK(result.diagnostics.empty());
  const auto& headers = first_route_options(result).header_manipulation;
  REQUIRE(headers);
  REQUIRE(headers->request_headers_to_add.size() == 2);
  CHECK(headers->request_headers_to_add[0].key == "x-tenant");
  CHECK(headers->request_headers_to_add[0].value == "acme");
  CHECK(headers->request_headers_to_add[0].append);
  CHECK(headers->request_headers_to_add[1].key == "x-trace");
  CHECK(headers->request_headers_to_add[1].value.empty());
  CHECK_FALSE(headers->request_headers_to_add[1].append);
  CHECK(headers->request_headers_to_remove == std::vector<std::string>{"x-debug", "cookie"});
  REQUIRE(headers->response_headers_to_add.size() == 1);
  CHECK(headers->response_headers_to_add[0].key == "cache-control");
  CHECK(headers->response_headers_to_add[0].value == "no-store,\tprivate");
  CHECK_FALSE(headers->response_headers_to_add[0].append);
  CHECK(headers->response_headers_to_remove == std::vector<std::string>{"server"});
}

// Pseudo-headers, connection and framing headers cannot be touched, names must be tokens, and
// values must not carry line breaks (which would smuggle in a header). A value never appears in a
// message: header values are often credentials.
TEST_CASE("headerManipulation errors are reported at their lines", "[config][route_options]") {
  struct Case {
    std::string headers;
    std::string expected;
  };
  const std::string framing = " cannot be manipulated: lambdagate manages the connection and framing headers";
  const std::vector<Case> cases = {
      {"{requestHeadersToAdd: [{header: {key: ':path', value: /x}}]}",
       kHeaders +
           ".requestHeadersToAdd[0].header.key' ':path' cannot be manipulated: pseudo-headers belong to the "
           "protocol"},
      {"{requestHeadersToAdd: [{header: {key: Host, value: example.com}}]}",
       kHeaders + ".requestHeadersToAdd[0].header.key' 'host'" + framing},
      {"{responseHeadersToAdd: [{header: {key: content-length, value: '1'}}]}",
       kHeaders + ".responseHeadersToAdd[0].header.key' 'content-length'" + framing},
      {"{requestHeadersToRemove: [x-ok, Transfer-Encoding]}",
       kHeaders + ".requestHeadersToRemove' 'transfer-encoding'" + framing},
      {"{requestHeadersToRemove: [Connection]}",
       kHeaders + ".requestHeadersToRemove' 'connection'" + framing},
      {"{responseHeadersToRemove: [':status']}",
       kHeaders + ".responseHeadersToRemove' ':status' cannot be manipulated: pseudo-headers belong to the "
                  "protocol"},
      {"{requestHeadersToAdd: [{header: {key: 'x bad', value: v}}]}",
       kHeaders + ".requestHeadersToAdd[0].header.key' 'x bad' is not a valid header name"},
      {"{requestHeadersToAdd: [{header: {key: x-api-key, value: \"s3cr3t\\r\\nx-admin: 1\"}}]}",
       kHeaders +
           ".requestHeadersToAdd[0].header.value' must not contain line breaks or other control characters"},
      {"{responseHeadersToAdd: [{header: {key: x-a, value: \"a\\nb\"}}]}",
       kHeaders +
           ".responseHeadersToAdd[0].header.value' must not contain line breaks or other control characters"},
      {"{requestHeadersToAdd: [{append: true}]}", kHeaders + ".requestHeadersToAdd[0].header' is required"},
      {"{requestHeadersToAdd: [{header: {value: x}}]}",
       kHeaders + ".requestHeadersToAdd[0].header.key' is required"},
      {"{requestHeadersToAdd: [{header: {key: '', value: x}}]}",
       kHeaders + ".requestHeadersToAdd[0].header.key' must not be empty"},
      {"{requestHeadersToRemove: ['']}", kHeaders + ".requestHeadersToRemove' has an empty header name"},
      {"{requestHeadersToRemove: x-debug}",
       kHeaders + ".requestHeadersToRemove' must be a list, got a scalar"},
      {"{requestHeadersToAdd: [{header: {key: x, value: v}, append: 'no'}]}",
       kHeaders + ".requestHeadersToAdd[0].append' must be true or false, got the quoted string 'no'"},
  };
  for (const Case& c : cases) {
    LoadResult result = load_options("        headerManipulation: " + c.headers + "\n");
    INFO(c.headers << "\n" << joined(result));
    CHECK_FALSE(result.ok());
    CHECK(lines(result) == std::vector<std::string>{"test.yaml:11: error: " + c.expected});
    CHECK(joined(result).find("s3cr3t") == std::string::npos);
  }
}

// A header taken from a Secret (Gloo's headerSecretRef) is not implemented: the entry is
// skipped with a warning that says so, and the others stay.
TEST_CASE("headerSecretRef is a warning", "[config][route_options]") {
  LoadResult result = load_options(
      "        headerManipulation:\n"
      "          requestHeadersToAdd: [{headerSecretRef: {name: token}}, {header: {key: x-a, value: b}}]\n");
  INFO(joined(result));
  REQUIRE(result.ok());
  CHECK(lines(result) ==
        std::vector<std::string>{"test.yaml:12: warning: " + kHeaders +
                                 ".requestHeadersToAdd[0].headerSecretRef' is ignored: headers "
                                 "from Secrets are not supported; this header is not added"});
  REQUIRE(first_route_options(result).header_manipulation);
  CHECK(first_route_options(result).header_manipulation->request_headers_to_add.size() == 1);
}

// prefixRewrite is kept as written ("" included, which Gloo passes through); spaces and control
// characters cannot be part of a path.
TEST_CASE("prefixRewrite is read", "[config][route_options]") {
  struct Valid {
    std::string yaml;
    std::string expected;
  };
  for (const Valid& c : std::vector<Valid>{{"/v2/", "/v2/"}, {"/", "/"}, {"''", ""}}) {
    LoadResult result = load_options("        prefixRewrite: " + c.yaml + "\n");
    INFO(c.yaml << "\n" << joined(result));
    REQUIRE(result.ok());
    CHECK(result.diagnostics.empty());
    CHECK(first_route_options(result).prefix_rewrite == c.expected);
  }
  for (const std::string bad : {"'/a b'", "\"/a\\tb\""}) {
    LoadResult result = load_options("        prefixRewrite: " + bad + "\n");
    INFO(bad << "\n" << joined(result));
    CHECK(lines(result) == std::vector<std::string>{
                               "test.yaml:11: error: 'spec.virtualHost.routes[0].options.prefixRewrite' must "
                               "not contain spaces or control characters"});
  }
  LoadResult unset = load_options("        timeout: 1s\n");
  REQUIRE(unset.ok());
  CHECK_FALSE(first_route_options(unset).prefix_rewrite);
}

// virtualHost.options apply to every route that leaves the option unset; a route's own option
// replaces the virtual host's whole (an empty headerManipulation included), as Gloo merges
// options field by field. VirtualService::options keeps the virtual host's own values.
TEST_CASE("routes inherit the options they leave unset from the virtual host", "[config][route_options]") {
  const std::string yaml = R"(apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: vs}
spec:
  virtualHost:
    options:
      timeout: 30s
      retries: {retryOn: 5xx, numRetries: 2}
      prefixRewrite: /
      headerManipulation: {requestHeadersToAdd: [{header: {key: x-vh, value: '1'}}]}
    routes:
    - name: own
      directResponseAction: {status: 200}
      options:
        timeout: 0s
        retries: {retryOn: throttled}
        headerManipulation: {}
    - name: inherits
      directResponseAction: {status: 200}
)";
  LoadResult result = test::load_one("vs.yaml", yaml);
  INFO(joined(result));
  REQUIRE(result.ok());
  CHECK(result.diagnostics.empty());
  const VirtualService& vs = result.config->virtual_services.at(0);
  REQUIRE(vs.routes.size() == 2);

  const RouteOptions& own = vs.routes[0].options;
  CHECK(own.timeout == 0ms);
  REQUIRE(own.retries);
  CHECK(own.retries->retry_on == kRetryOnThrottled);
  CHECK(own.retries->num_retries == 1);
  CHECK(own.prefix_rewrite == "/");
  REQUIRE(own.header_manipulation);
  CHECK(own.header_manipulation->request_headers_to_add.empty());

  const RouteOptions& inherits = vs.routes[1].options;
  CHECK(inherits.timeout == 30s);
  REQUIRE(inherits.retries);
  CHECK(inherits.retries->retry_on == kRetryOn5xx);
  CHECK(inherits.retries->num_retries == 2);
  CHECK(inherits.prefix_rewrite == "/");
  REQUIRE(inherits.header_manipulation);
  REQUIRE(inherits.header_manipulation->request_headers_to_add.size() == 1);
  CHECK(inherits.header_manipulation->request_headers_to_add[0].key == "x-vh");

  REQUIRE(vs.options.retries);
  CHECK(vs.options.retries->num_retries == 2);
  CHECK(vs.options.timeout == 30s);
}

// Virtual-host options are checked as route options are, at their own lines.
TEST_CASE("virtual host option errors are reported at their lines", "[config][route_options]") {
  const std::string yaml =
      "apiVersion: gateway.solo.io/v1\nkind: VirtualService\nmetadata: {name: vs}\nspec:\n  virtualHost:\n"
      "    options:\n      retries: {retryOn: 5xx, numRetries: 99}\n"
      "      headerManipulation: {responseHeadersToRemove: [':status']}\n"
      "    routes: [{directResponseAction: {status: 200}}]\n";
  LoadResult result = test::load_one("vs.yaml", yaml);
  CHECK(
      lines(result) ==
      std::vector<std::string>{
          "vs.yaml:7: error: 'spec.virtualHost.options.retries.numRetries' must be an integer between 0 and "
          "10, "
          "got '99'",
          "vs.yaml:8: error: 'spec.virtualHost.options.headerManipulation.responseHeadersToRemove' ':status' "
          "cannot be manipulated: pseudo-headers belong to the protocol",
      });
}

}  // namespace
}  // namespace lambdagate::config
