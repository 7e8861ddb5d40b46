// gateway.solo.io/v1 Gateway options (gloo-edge-options.md): PROXY protocol, access-log file
// sinks, httpConnectionManagerSettings, the health check, httpLocalRatelimit, the VirtualService
// selection fields; and the Settings extension spec.lambdagate.listener.
#include <catch2/catch.hpp>

#include "config_test_support.hpp"

namespace lambdagate::config {
namespace {

using namespace std::chrono_literals;
using test::joined;
using test::lines;

LoadResult load_gateway(const std::string& spec) {
  return test::load_one(
      "gw.yaml", "apiVersion: gateway.solo.io/v1\nkind: Gateway\nmetadata: {name: gw}\nspec:\n" + spec);
}

// useProxyProto: true alone turns the PROXY protocol on (required); options.proxyProtocol wins
// over it when both are written, whatever useProxyProto says; false or absent is off.
TEST_CASE("PROXY protocol: the listener option wins over useProxyProto", "[config][gateway]") {
  LoadResult deprecated = load_gateway("  useProxyProto: true\n");
  INFO(joined(deprecated));
  REQUIRE(deprecated.ok());
  const Gateway& a = deprecated.config->gateways.at(0);
  CHECK(a.use_proxy_proto == true);
  REQUIRE(a.proxy_protocol);
  CHECK_FALSE(a.proxy_protocol->allow_requests_without_proxy_protocol);
  CHECK(a.proxy_protocol->where.line == 5);
  CHECK(deprecated.diagnostics.empty());  // enforced by the listener: no "not enforced yet" warning

  LoadResult both = load_gateway(R"(  useProxyProto: false
  options:
    proxyProtocol:
      allowRequestsWithoutProxyProtocol: true
      rules:
      - tlvType: 234
        onTlvPresent: {metadataNamespace: aws, key: vpce_id}
)");
  INFO(joined(both));
  REQUIRE(both.ok());
  const Gateway& b = both.config->gateways.at(0);
  CHECK(b.use_proxy_proto == false);
  REQUIRE(b.proxy_protocol);
  CHECK(b.proxy_protocol->allow_requests_without_proxy_protocol);
  REQUIRE(b.proxy_protocol->rules.size() == 1);
  CHECK(b.proxy_protocol->rules[0].tlv_type == 234);
  CHECK(b.proxy_protocol->rules[0].metadata_namespace == "aws");
  CHECK(b.proxy_protocol->rules[0].key == "vpce_id");

  LoadResult off = load_gateway("  useProxyProto: false\n");
  REQUIRE(off.ok());
  CHECK_FALSE(off.config->gateways.at(0).proxy_protocol);
  CHECK(off.diagnostics.empty());

  LoadResult bad =
      load_gateway("  options:\n    proxyProtocol:\n      rules: [{tlvType: 256, onTlvPresent: {}}]\n");
  CHECK_FALSE(bad.ok());
  CHECK(lines(bad) ==
        std::vector<std::string>{
            "gw.yaml:7: error: 'spec.options.proxyProtocol.rules[0].tlvType' must be an integer between "
            "0 and 255, got '256'",
            "gw.yaml:7: error: 'spec.options.proxyProtocol.rules[0].onTlvPresent.key' is required"});
}

// Access-log file sinks keep their format as written (text, or a JSON object with literals and
// nested objects), with the line of the format for the log-format compiler's messages; the other
// outputs and filters are warnings.
TEST_CASE("access log file sinks are kept as written", "[config][gateway]") {
  LoadResult result = load_gateway(R"(  options:
    accessLoggingService:
      accessLog:
      - fileSink: {path: /dev/stdout, stringFormat: "%REQ(:METHOD)% %RESPONSE_CODE%\n"}
      - fileSink:
          path: /var/log/access.json
          jsonFormat:
            status: '%RESPONSE_CODE%'
            quoted: 'true'
            count: 3
            flag: false
            nested: {host: '%UPSTREAM_HOST%'}
      - fileSink: {path: /tmp/default.log}
      - grpcService: {logName: x}
)");
  INFO(joined(result));
  REQUIRE(result.ok());
  const auto& logs = result.config->gateways.at(0).access_logs;
  REQUIRE(logs.size() == 3);
  CHECK(logs[0].path == "/dev/stdout");
  CHECK(logs[0].format == AccessLogFileSink::Format::Text);
  CHECK(logs[0].string_format == "%REQ(:METHOD)% %RESPONSE_CODE%\n");
  CHECK(logs[0].format_where.line == 8);
  CHECK(logs[1].format == AccessLogFileSink::Format::Json);
  CHECK(logs[1].format_where.line == 11);
  const auto& json = logs[1].json_format;
  REQUIRE(json.size() == 5);
  CHECK(json[0].key == "status");
  CHECK(json[0].value.kind == AccessLogJsonValue::Kind::String);
  CHECK(json[0].value.text == "%RESPONSE_CODE%");
  CHECK(json[0].value.where.line == 12);
  CHECK(json[1].value.kind == AccessLogJsonValue::Kind::String);  // quoted: a string, not a bool
  CHECK(json[2].value.kind == AccessLogJsonValue::Kind::Number);
  CHECK(json[2].value.text == "3");
  CHECK(json[3].value.kind == AccessLogJsonValue::Kind::Bool);
  CHECK(json[3].value.text == "false");
  REQUIRE(json[4].value.kind == AccessLogJsonValue::Kind::Object);
  REQUIRE(json[4].value.members.size() == 1);
  CHECK(json[4].value.members[0].key == "host");
  CHECK(json[4].value.members[0].value.text == "%UPSTREAM_HOST%");
  CHECK(logs[2].format == AccessLogFileSink::Format::Default);
  CHECK(
      lines(result) ==
      std::vector<std::string>{
          "gw.yaml:18: warning: 'spec.options.accessLoggingService.accessLog[3].grpcService' is ignored: "
          "gRPC "
          "access log services are not supported; this entry writes nothing"});

  LoadResult both = load_gateway(
      "  options:\n    accessLoggingService:\n      accessLog:\n"
      "      - fileSink: {stringFormat: x, jsonFormat: {a: b}}\n");
  CHECK_FALSE(both.ok());
  CHECK(lines(both) ==
        std::vector<std::string>{
            "gw.yaml:8: error: 'spec.options.accessLoggingService.accessLog[0].fileSink.path' is "
            "required",
            "gw.yaml:8: error: 'spec.options.accessLoggingService.accessLog[0].fileSink.jsonFormat' "
            "and 'spec.options.accessLoggingService.accessLog[0].fileSink.stringFormat' are both "
            "set; set one of them"});
}

// httpConnectionManagerSettings: every field the reference lists, typed (Go durations, counts,
// booleans, Gloo's enum names); bad values are errors at their lines.
TEST_CASE("httpConnectionManagerSettings are typed", "[config][gateway]") {
  LoadResult result = load_gateway(R"(  httpGateway:
    options:
      httpConnectionManagerSettings:
        requestHeadersTimeout: 10s
        idleTimeout: 1h
        streamIdleTimeout: 5m
        requestTimeout: 1m30s
        maxConnectionDuration: 2h
        maxRequestsPerConnection: 100
        maxRequestHeadersKb: 60
        maxHeadersCount: 50
        headersWithUnderscoresAction: DROP_HEADER
        mergeSlashes: true
        normalizePath: false
        pathWithEscapedSlashesAction: REJECT_REQUEST
        useRemoteAddress: true
        xffNumTrustedHops: 2
        skipXffAppend: true
)");
  INFO(joined(result));
  REQUIRE(result.ok());
  const auto& hcm = *result.config->gateways.at(0).http_connection_manager_settings;
  using Hcm = HttpConnectionManagerSettings;
  CHECK(hcm.request_headers_timeout == 10s);
  CHECK(hcm.idle_timeout == 1h);
  CHECK(hcm.stream_idle_timeout == 5min);
  CHECK(hcm.request_timeout == 90s);
  CHECK(hcm.max_connection_duration == 2h);
  CHECK(hcm.max_requests_per_connection == 100u);
  CHECK(hcm.max_request_headers_kb == 60u);
  CHECK(hcm.max_headers_count == 50u);
  CHECK(hcm.headers_with_underscores_action == Hcm::HeadersWithUnderscoresAction::DropHeader);
  CHECK(hcm.merge_slashes == true);
  CHECK(hcm.normalize_path == false);
  CHECK(hcm.path_with_escaped_slashes_action == Hcm::PathWithEscapedSlashesAction::RejectRequest);
  CHECK(hcm.use_remote_address == true);
  CHECK(hcm.xff_num_trusted_hops == 2u);
  CHECK(hcm.skip_xff_append == true);
  CHECK_FALSE(hcm.drain_timeout);
  // Every one is enforced by the listener now: no warning.
  CHECK(lines(result).empty());

  struct Case {
    std::string field;
    std::string expected;
  };
  const std::string p = "gw.yaml:8: error: 'spec.httpGateway.options.httpConnectionManagerSettings.";
  const std::vector<Case> cases = {
      {"idleTimeout: 1d",
       p + "idleTimeout' must be a duration: unknown unit 'd'; expected a number with a unit "
           "such as \"15s\", \"0.5s\", \"500ms\", \"2m\" or \"1h30m\", got '1d'"},
      {"maxRequestHeadersKb: 9000",
       p + "maxRequestHeadersKb' must be an integer between 1 and 8192, got '9000'"},
      {"maxHeadersCount: 0", p + "maxHeadersCount' must be an integer between 1 and 4294967295, got '0'"},
      {"headersWithUnderscoresAction: REJECT", p + "headersWithUnderscoresAction' must be one of ALLOW, "
                                                   "REJECT_CLIENT_REQUEST, DROP_HEADER, got 'REJECT'"},
      {"pathWithEscapedSlashesAction: keep_unchanged",
       p + "pathWithEscapedSlashesAction' must be one of IMPLEMENTATION_SPECIFIC_DEFAULT, KEEP_UNCHANGED, "
           "REJECT_REQUEST, UNESCAPE_AND_REDIRECT, UNESCAPE_AND_FORWARD, got 'keep_unchanged'"},
      {"mergeSlashes: \"true\"", p + "mergeSlashes' must be true or false, got the quoted string 'true'"},
  };
  for (const Case& c : cases) {
    LoadResult bad = load_gateway(
        "  httpGateway:\n    options:\n      httpConnectionManagerSettings:\n        " + c.field + "\n");
    INFO(c.field << "\n" << joined(bad));
    CHECK_FALSE(bad.ok());
    CHECK(test::has_diagnostic(bad, c.expected));
  }
}

// HCM fields lambdagate behaves one fixed way about are typed, then warned with the table's note.
TEST_CASE("httpConnectionManagerSettings lambdagate does not honour are warnings", "[config][gateway]") {
  LoadResult result = load_gateway(R"(  httpGateway:
    options:
      httpConnectionManagerSettings:
        drainTimeout: 30s
        acceptHttp10: false
        codecType: HTTP2
)");
  INFO(joined(result));
  REQUIRE(result.ok());
  CHECK(result.config->gateways.at(0).http_connection_manager_settings->drain_timeout == 30s);
  CHECK(result.config->gateways.at(0).http_connection_manager_settings->accept_http_10 == false);
  const std::string p = "'spec.httpGateway.options.httpConnectionManagerSettings.";
  CHECK(lines(result) ==
        std::vector<std::string>{
            "gw.yaml:8: warning: " + p + "drainTimeout' is ignored: the drain time is --drain-timeout's",
            "gw.yaml:9: warning: " + p + "acceptHttp10' is ignored: HTTP/1.0 requests are always served",
            "gw.yaml:10: warning: " + p + "codecType' is ignored: lambdagate speaks HTTP/1.1 (and 1.0)",
        });
}

// healthCheck.path and httpLocalRatelimit are read; the path must be a path.
TEST_CASE("health check and the Gateway's local rate limit", "[config][gateway]") {
  LoadResult result = load_gateway(R"(  httpGateway:
    options:
      healthCheck: {path: /envoy-hc}
      httpLocalRatelimit:
        defaultLimit: {maxTokens: 10, fillInterval: 100ms}
        localRateLimitPerDownstreamConnection: true
        enableXRatelimitHeaders: true
)");
  INFO(joined(result));
  REQUIRE(result.ok());
  const Gateway& gw = result.config->gateways.at(0);
  REQUIRE(gw.health_check);
  CHECK(gw.health_check->path == "/envoy-hc");
  CHECK(gw.health_check->where.line == 7);
  REQUIRE(gw.http_local_rate_limit);
  REQUIRE(gw.http_local_rate_limit->default_limit);
  CHECK(gw.http_local_rate_limit->default_limit->max_tokens == 10u);
  CHECK(gw.http_local_rate_limit->default_limit->tokens_per_fill == 1u);
  CHECK(gw.http_local_rate_limit->default_limit->fill_interval == 100ms);
  CHECK(gw.http_local_rate_limit->per_downstream_connection);
  CHECK(gw.http_local_rate_limit->enable_x_ratelimit_headers);

  LoadResult bad = load_gateway("  httpGateway:\n    options:\n      healthCheck: {path: 'healthz?x=1'}\n");
  CHECK_FALSE(bad.ok());
  CHECK(lines(bad) ==
        std::vector<std::string>{
            "gw.yaml:7: error: 'spec.httpGateway.options.healthCheck.path' must be a path starting with "
            "'/' (no query), got 'healthz?x=1'"});
}

// The VirtualService selection fields are read as written (bind_gateways applies them).
TEST_CASE("httpGateway VirtualService selection is read", "[config][gateway]") {
  LoadResult result = load_gateway(R"(  httpGateway:
    virtualServices: [{name: a}, {name: b, namespace: apps}]
    virtualServiceSelector: {team: api}
    virtualServiceExpressions:
      expressions:
      - {key: stage, operator: In, values: [prod, canary]}
    virtualServiceNamespaces: [apps, '*']
)");
  INFO(joined(result));
  REQUIRE(result.ok());
  const auto& selection = result.config->gateways.at(0).selection;
  CHECK(selection.virtual_services == std::vector<ResourceRef>{{"a", "default"}, {"b", "apps"}});
  CHECK(selection.selector == std::map<std::string, std::string>{{"team", "api"}});
  REQUIRE(selection.expressions);
  REQUIRE(selection.expressions->size() == 1);
  CHECK((*selection.expressions)[0].op == LabelExpression::Operator::In);
  CHECK(selection.namespaces == std::vector<std::string>{"apps", "*"});

  LoadResult bad = load_gateway(
      "  httpGateway:\n    virtualServiceExpressions:\n      expressions: [{key: a, operator: in, values: "
      "[x]}]\n");
  CHECK_FALSE(bad.ok());
  CHECK(lines(bad) ==
        std::vector<std::string>{
            "gw.yaml:7: error: 'spec.httpGateway.virtualServiceExpressions.expressions[0].operator' "
            "must be one of Equals, DoubleEquals, NotEquals, In, NotIn, Exists, DoesNotExist, "
            "GreaterThan and LessThan, got 'in'"});
}

// tcpGateway and hybridGateway Gateways are skipped with a warning: nothing HTTP to serve.
TEST_CASE("TCP and hybrid Gateways are skipped", "[config][gateway]") {
  LoadResult result = load_gateway("  bindPort: 9000\n  tcpGateway: {tcpHosts: []}\n");
  INFO(joined(result));
  REQUIRE(result.ok());
  CHECK(result.config->gateways.empty());
  CHECK(lines(result) ==
        std::vector<std::string>{"gw.yaml:6: warning: 'spec.tcpGateway' is ignored: TCP proxying is "
                                 "not supported: the Gateway is skipped"});
}

// Settings spec.lambdagate.listener: the connection and bytes-in-flight caps, positive, the
// latter as bytes or a Kubernetes quantity.
TEST_CASE("Settings: listener limits", "[config][settings]") {
  const std::string head =
      "apiVersion: gloo.solo.io/v1\nkind: Settings\nmetadata: {name: s}\nspec:\n  lambdagate:\n"
      "    listener: ";
  struct Case {
    std::string listener;
    std::optional<uint32_t> connections;
    std::optional<uint64_t> bytes;
  };
  const std::vector<Case> ok = {
      {"{maxConnections: 10000}", 10000u, std::nullopt},
      {"{maxBytesInFlight: 1048576}", std::nullopt, 1048576u},
      {"{maxBytesInFlight: 64Mi}", std::nullopt, 64u << 20},
      {"{maxBytesInFlight: 2G}", std::nullopt, 2'000'000'000u},
      {"{maxBytesInFlight: '512Ki', maxConnections: 5}", 5u, 512u << 10},
  };
  for (const Case& c : ok) {
    LoadResult result = test::load_one("s.yaml", head + c.listener + "\n");
    INFO(c.listener << "\n" << joined(result));
    REQUIRE(result.ok());
    const auto& limits = result.config->settings->listener;
    CHECK(limits.max_connections == c.connections);
    CHECK(limits.max_bytes_in_flight == c.bytes);
    CHECK(limits.where.line == 6);
  }
  struct Bad {
    std::string listener;
    std::string expected;
  };
  const std::vector<Bad> bad = {
      {"{maxConnections: 0}",
       "s.yaml:6: error: 'spec.lambdagate.listener.maxConnections' must be an integer between 1 and "
       "4294967295, got "
       "'0'"},
      {"{maxBytesInFlight: 64MB}",
       "s.yaml:6: error: 'spec.lambdagate.listener.maxBytesInFlight' must be a positive number of bytes, or "
       "a quantity "
       "such as 64Mi or 1G, got '64MB'"},
      {"{maxBytesInFlight: 0}",
       "s.yaml:6: error: 'spec.lambdagate.listener.maxBytesInFlight' must be a positive number of bytes, or "
       "a quantity "
       "such as 64Mi or 1G, got '0'"},
      {"{maxConns: 5}", "s.yaml:6: warning: unknown field 'maxConns' in 'spec.lambdagate.listener'"},
  };
  for (const Bad& c : bad) {
    LoadResult result = test::load_one("s.yaml", head + c.listener + "\n");
    INFO(c.listener << "\n" << joined(result));
    CHECK(test::has_diagnostic(result, c.expected));
  }
}

// The Kubernetes-source and control-plane fields of a Helm-made Settings document are one info
// line for the whole load (whatever the number of documents), not a warning each.
TEST_CASE("Settings: control-plane fields are one info line", "[config][settings]") {
  LoadResult result = test::load_one("s.yaml", R"(apiVersion: gloo.solo.io/v1
kind: Settings
metadata: {name: default, namespace: gloo-system}
spec:
  discoveryNamespace: gloo-system
  kubernetesArtifactSource: {}
  kubernetesConfigSource: {}
  kubernetesSecretSource: {}
  refreshRate: 60s
  gloo:
    xdsBindAddr: 0.0.0.0:9977
    restXdsBindAddr: 0.0.0.0:9976
  gateway:
    readGatewaysFromAllNamespaces: false
    validation: {alwaysAccept: true}
)");
  INFO(joined(result));
  REQUIRE(result.ok());
  CHECK(lines(result) ==
        std::vector<std::string>{
            "s.yaml:5: info: Gloo control-plane settings do not apply to lambdagate, one process that reads "
            "its "
            "configuration from the --config files; ignored: 'spec.discoveryNamespace', "
            "'spec.kubernetesArtifactSource', 'spec.kubernetesConfigSource', 'spec.kubernetesSecretSource', "
            "'spec.refreshRate', 'spec.gloo.xdsBindAddr', 'spec.gloo.restXdsBindAddr', "
            "'spec.gateway.readGatewaysFromAllNamespaces', 'spec.gateway.validation'"});
}

}  // namespace
}  // namespace lambdagate::config
