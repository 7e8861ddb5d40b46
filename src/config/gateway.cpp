// gateway.solo.io/v1 Gateway: one listener each, its options, and which VirtualServices it serves
// (gloo-edge-options.md). Which VirtualServices a Gateway serves is decided by bind_gateways
// (gateway_binding.cpp); this file only reads what the document says.
#include <limits>

#include "config/documents.hpp"
#include "config/field_checks.hpp"

namespace lambdagate::config::detail {

namespace {

using std::chrono::milliseconds;
using Hcm = HttpConnectionManagerSettings;

// Envoy's own bounds for max_request_headers_kb.
constexpr int64_t kMaxRequestHeadersKb = 8192;
constexpr int64_t kMaxUint32 = std::numeric_limits<uint32_t>::max();

template <typename Enum>
struct EnumName {
  std::string_view name;
  Enum value;
};

constexpr EnumName<Hcm::HeadersWithUnderscoresAction> kUnderscoreActions[] = {
    {"ALLOW", Hcm::HeadersWithUnderscoresAction::Allow},
    {"REJECT_CLIENT_REQUEST", Hcm::HeadersWithUnderscoresAction::RejectClientRequest},
    {"DROP_HEADER", Hcm::HeadersWithUnderscoresAction::DropHeader},
};

constexpr EnumName<Hcm::PathWithEscapedSlashesAction> kEscapedSlashActions[] = {
    {"IMPLEMENTATION_SPECIFIC_DEFAULT", Hcm::PathWithEscapedSlashesAction::ImplementationSpecificDefault},
    {"KEEP_UNCHANGED", Hcm::PathWithEscapedSlashesAction::KeepUnchanged},
    {"REJECT_REQUEST", Hcm::PathWithEscapedSlashesAction::RejectRequest},
    {"UNESCAPE_AND_REDIRECT", Hcm::PathWithEscapedSlashesAction::UnescapeAndRedirect},
    {"UNESCAPE_AND_FORWARD", Hcm::PathWithEscapedSlashesAction::UnescapeAndForward},
};

// A proto enum by its names (Gloo's YAML spells enums as the proto does).
template <typename Enum, std::size_t N>
std::optional<Enum> enum_of(const Field& field, const EnumName<Enum> (&names)[N]) {
  auto text = as_string(field);
  if (!text) return std::nullopt;
  std::string all;
  for (const auto& n : names) {
    if (n.name == *text) return n.value;
    all += (all.empty() ? "" : ", ") + std::string(n.name);
  }
  field.error("'" + field.path + "' must be one of " + all + ", got " + quote_value(*text));
  return std::nullopt;
}

// Reads an optional typed field into `out`; a bad value is reported and leaves it unset.
void read_duration(MapReader& reader, std::string_view key, std::optional<milliseconds>& out) {
  if (auto field = reader.take(key)) out = duration_of(*field);
}

void read_count(MapReader& reader, std::string_view key, int64_t min, int64_t max,
                std::optional<uint32_t>& out) {
  if (auto value = reader.integer(key, min, max)) out = static_cast<uint32_t>(*value);
}

void read_bool(MapReader& reader, std::string_view key, std::optional<bool>& out) {
  out = reader.boolean(key);
}

// A field that is typed here but not honoured: its value is checked, then the table's warning.
template <typename Read>
void read_ignored(MapReader& reader, std::string_view key, Read read) {
  if (auto field = reader.take(key)) {
    read(*field);
    warn_ignored(*field);
  }
}

HttpConnectionManagerSettings parse_hcm(MapReader& hcm, Diagnostics& diagnostics) {
  HttpConnectionManagerSettings out;
  out.where = hcm.where();
  // Limits and path handling (the hardening issue's).
  read_duration(hcm, "requestHeadersTimeout", out.request_headers_timeout);
  read_duration(hcm, "idleTimeout", out.idle_timeout);
  read_duration(hcm, "streamIdleTimeout", out.stream_idle_timeout);
  read_duration(hcm, "requestTimeout", out.request_timeout);
  read_duration(hcm, "maxConnectionDuration", out.max_connection_duration);
  read_count(hcm, "maxRequestsPerConnection", 0, kMaxUint32, out.max_requests_per_connection);
  read_count(hcm, "maxRequestHeadersKb", 1, kMaxRequestHeadersKb, out.max_request_headers_kb);
  read_count(hcm, "maxHeadersCount", 1, kMaxUint32, out.max_headers_count);
  if (auto field = hcm.take("headersWithUnderscoresAction"))
    out.headers_with_underscores_action = enum_of(*field, kUnderscoreActions);
  read_bool(hcm, "mergeSlashes", out.merge_slashes);
  read_bool(hcm, "normalizePath", out.normalize_path);
  if (auto field = hcm.take("pathWithEscapedSlashesAction"))
    out.path_with_escaped_slashes_action = enum_of(*field, kEscapedSlashActions);
  // All are enforced by the listener (app/listener_settings.cpp).
  // Which address is the client's (PROXY protocol and X-Forwarded-For).
  read_bool(hcm, "useRemoteAddress", out.use_remote_address);
  read_count(hcm, "xffNumTrustedHops", 0, kMaxUint32, out.xff_num_trusted_hops);
  read_bool(hcm, "skipXffAppend", out.skip_xff_append);
  if (out.use_remote_address || out.xff_num_trusted_hops || out.skip_xff_append)
    note_pending(diagnostics, PendingFeature::ClientAddress, hcm.where());
  // Typed, but lambdagate behaves one fixed way: the table says which.
  read_ignored(hcm, "drainTimeout", [&](const Field& f) { out.drain_timeout = duration_of(f); });
  read_ignored(hcm, "serverName", [&](const Field& f) { out.server_name = as_string(f); });
  read_ignored(hcm, "acceptHttp10", [&](const Field& f) { out.accept_http_10 = as_bool(f); });
  read_ignored(hcm, "generateRequestId", [&](const Field& f) { out.generate_request_id = as_bool(f); });
  read_ignored(hcm, "preserveExternalRequestId",
               [&](const Field& f) { out.preserve_external_request_id = as_bool(f); });
  read_ignored(hcm, "stripAnyHostPort", [&](const Field& f) { out.strip_any_host_port = as_bool(f); });
  hcm.finish();  // the rest (tracing, upgrades, codecType, ...): answered from the table
  return out;
}

std::optional<HttpLocalRateLimitSettings> parse_http_local_ratelimit(const Field& field,
                                                                     Diagnostics& diagnostics) {
  auto reader = as_map(field);
  if (!reader) return std::nullopt;
  HttpLocalRateLimitSettings out;
  out.where = field.where;
  if (auto limit = reader->take("defaultLimit")) out.default_limit = parse_token_bucket(*limit);
  out.per_downstream_connection = reader->boolean("localRateLimitPerDownstreamConnection").value_or(false);
  out.enable_x_ratelimit_headers = reader->boolean("enableXRatelimitHeaders").value_or(false);
  reader->finish();
  note_pending(diagnostics, PendingFeature::LocalRateLimits, field.where);
  return out;
}

std::optional<HealthCheck> parse_health_check(const Field& field, Diagnostics& diagnostics) {
  auto reader = as_map(field);
  if (!reader) return std::nullopt;
  auto path_field = reader->take("path");
  reader->finish();
  if (!path_field) {
    field.error("'" + reader->child_path("path") + "' is required");
    return std::nullopt;
  }
  auto path = as_string(*path_field);
  if (!path) return std::nullopt;
  if (!path->starts_with('/') || has_control_character(*path) ||
      path->find_first_of(" ?#") != std::string::npos) {
    path_field->error("'" + path_field->path + "' must be a path starting with '/' (no query), got " +
                      quote_value(*path));
    return std::nullopt;
  }
  note_pending(diagnostics, PendingFeature::HealthCheck, field.where);
  return HealthCheck{*path, path_field->where};
}

void parse_selection(MapReader& http, VirtualServiceSelection& out, const std::string& ns) {
  for (const Field& item : http.list("virtualServices")) {
    if (auto ref = parse_resource_ref(item, ns)) out.virtual_services.push_back(*ref);
  }
  if (auto selector = http.map("virtualServiceSelector")) {
    for (auto& [key, field] : selector->entries()) {
      if (auto value = as_string(field)) out.selector[key] = *value;
    }
  }
  if (auto expressions = http.map("virtualServiceExpressions")) {
    std::vector<LabelExpression> list;
    for (const Field& item : expressions->list("expressions")) {
      if (auto expression = parse_label_expression(item)) list.push_back(std::move(*expression));
    }
    expressions->finish();
    out.expressions = std::move(list);
  }
  if (auto namespaces = http.take("virtualServiceNamespaces")) {
    if (auto list = as_string_list(*namespaces)) out.namespaces = std::move(*list);
  }
}

void parse_http_gateway(MapReader& http, Gateway& gateway, Diagnostics& diagnostics) {
  parse_selection(http, gateway.selection, gateway.metadata.namespace_);
  if (auto options = http.map("options")) {
    if (auto hcm = options->map("httpConnectionManagerSettings"))
      gateway.http_connection_manager_settings = parse_hcm(*hcm, diagnostics);
    if (auto health = options->take("healthCheck"))
      gateway.health_check = parse_health_check(*health, diagnostics);
    if (auto limit = options->take("httpLocalRatelimit"))
      gateway.http_local_rate_limit = parse_http_local_ratelimit(*limit, diagnostics);
    options->finish();  // grpcWeb, gzip, extauth (refused), ...: answered from the table
  }
  http.finish();
}

std::optional<AccessLogJsonValue> json_value(const Field& field);

// jsonFormat: a google.protobuf.Struct, so nested objects and literals are allowed.
std::vector<AccessLogJsonMember> json_members(MapReader& reader, bool& ok) {
  std::vector<AccessLogJsonMember> members;
  for (auto& [key, field] : reader.entries()) {
    if (auto value = json_value(field)) {
      members.push_back({key, std::move(*value)});
    } else {
      ok = false;
    }
  }
  return members;
}

std::optional<AccessLogJsonValue> json_value(const Field& field) {
  AccessLogJsonValue value;
  value.where = field.where;
  if (field.value.IsMap()) {
    auto reader = as_map(field);
    bool ok = true;
    value.kind = AccessLogJsonValue::Kind::Object;
    value.members = json_members(*reader, ok);
    if (!ok) return std::nullopt;
    return value;
  }
  if (field.value.IsNull()) {
    value.kind = AccessLogJsonValue::Kind::Null;
    return value;
  }
  if (!field.value.IsScalar()) {
    field.error("'" + field.path + "' must be a string, a number, a boolean or a mapping");
    return std::nullopt;
  }
  const std::string& text = field.value.Scalar();
  // yaml-cpp marks quoted scalars with the "!" tag: those are strings whatever they look like.
  const bool quoted = field.value.Tag() == "!";
  bool flag = false;
  double number = 0;
  if (!quoted && YAML::convert<bool>::decode(field.value, flag)) {
    value.kind = AccessLogJsonValue::Kind::Bool;
    value.text = flag ? "true" : "false";
  } else if (!quoted && YAML::convert<double>::decode(field.value, number)) {
    value.kind = AccessLogJsonValue::Kind::Number;
    value.text = text;
  } else {
    value.kind = AccessLogJsonValue::Kind::String;
    value.text = text;
  }
  return value;
}

std::optional<AccessLogFileSink> parse_file_sink(const Field& field, const SourceLocation& item_where) {
  auto reader = as_map(field);
  if (!reader) return std::nullopt;
  AccessLogFileSink sink;
  sink.where = item_where;
  bool ok = true;
  auto path = reader->required_string("path");
  auto text = reader->take("stringFormat");
  auto json = reader->take("jsonFormat");
  reader->finish();
  if (text && json) {
    json->error("'" + json->path + "' and '" + text->path + "' are both set; set one of them");
    ok = false;
  } else if (text) {
    sink.format = AccessLogFileSink::Format::Text;
    sink.format_where = text->where;
    if (auto value = as_string(*text)) {
      sink.string_format = *value;
    } else {
      ok = false;
    }
  } else if (json) {
    sink.format = AccessLogFileSink::Format::Json;
    sink.format_where = json->where;
    if (auto members = as_map(*json)) {
      sink.json_format = json_members(*members, ok);
    } else {
      ok = false;
    }
  }
  if (!path || !ok) return std::nullopt;
  sink.path = *path;
  return sink;
}

void parse_access_logging(const Field& field, Gateway& gateway, Diagnostics& diagnostics) {
  auto service = as_map(field);
  if (!service) return;
  for (const Field& item : service->list("accessLog")) {
    auto entry = as_map(item);
    if (!entry) continue;
    if (auto sink_field = entry->take("fileSink")) {
      if (auto sink = parse_file_sink(*sink_field, item.where)) {
        gateway.access_logs.push_back(std::move(*sink));
        note_pending(diagnostics, PendingFeature::AccessLogSinks, item.where);
      }
    }
    entry->finish();  // grpcService, openTelemetryService, filter: answered from the table
  }
  service->finish();
}

std::optional<ProxyProtocolConfig> parse_proxy_protocol(const Field& field) {
  auto reader = as_map(field);
  if (!reader) return std::nullopt;
  ProxyProtocolConfig config;
  config.where = field.where;
  bool ok = true;
  config.allow_requests_without_proxy_protocol =
      reader->boolean("allowRequestsWithoutProxyProtocol").value_or(false);
  for (const Field& item : reader->list("rules")) {
    auto rule_reader = as_map(item);
    if (!rule_reader) {
      ok = false;
      continue;
    }
    ProxyProtocolRule rule;
    if (auto type = rule_reader->integer("tlvType", 0, 255)) {
      rule.tlv_type = static_cast<uint32_t>(*type);
    } else {
      ok = false;  // missing is an error too: a rule is about one TLV type
      if (!rule_reader->has("tlvType"))
        item.error("'" + rule_reader->child_path("tlvType") + "' is required");
    }
    if (auto present = rule_reader->map("onTlvPresent")) {
      rule.metadata_namespace = present->string("metadataNamespace").value_or("");
      auto key = present->required_string("key");
      present->finish();
      if (key) {
        rule.key = *key;
      } else {
        ok = false;
      }
    }
    rule_reader->finish();
    config.rules.push_back(std::move(rule));
  }
  reader->finish();
  if (!ok) return std::nullopt;
  return config;
}

void parse_listener_options(MapReader& options, Gateway& gateway, Diagnostics& diagnostics) {
  if (auto logging = options.take("accessLoggingService"))
    parse_access_logging(*logging, gateway, diagnostics);
  if (auto proxy = options.take("proxyProtocol")) {
    if (auto config = parse_proxy_protocol(*proxy)) {
      // The listener option wins over the deprecated useProxyProto.
      gateway.proxy_protocol = std::move(config);
    }
  }
  options.finish();  // perConnectionBufferLimitBytes, socketOptions, ...: answered from the table
}

}  // namespace

void parse_gateway(MapReader& doc, const DocumentHeader& header, LoadState& state) {
  auto& diagnostics = doc.source().diagnostics();
  Gateway gateway;
  gateway.metadata = header.metadata;
  gateway.where = header.where;
  auto spec = doc.map("spec");
  if (!spec) {
    if (!doc.has("spec")) diagnostics.error(header.where, "'spec' is required");
    return;
  }
  if (auto address = spec->string("bindAddress"); address && !address->empty())
    gateway.bind_address = *address;
  const bool port_written = spec->has("bindPort");
  auto port = spec->integer("bindPort", 1, 65535);
  if (port) gateway.bind_port = static_cast<uint16_t>(*port);
  if (auto ssl = spec->take("ssl")) {
    gateway.ssl = as_bool(*ssl).value_or(false);
    if (gateway.ssl) note_pending(diagnostics, PendingFeature::TlsTermination, ssl->where);
  }
  gateway.use_proxy_proto = spec->boolean("useProxyProto");
  if (auto options = spec->map("options")) parse_listener_options(*options, gateway, diagnostics);
  if (!gateway.proxy_protocol && gateway.use_proxy_proto.value_or(false)) {
    ProxyProtocolConfig config;
    config.where = spec->where_of("useProxyProto");
    gateway.proxy_protocol = config;
  }
  if (gateway.proxy_protocol)
    note_pending(diagnostics, PendingFeature::ProxyProtocol, gateway.proxy_protocol->where);
  if (auto names = spec->take("proxyNames")) {
    if (auto list = as_string_list(*names)) gateway.proxy_names = std::move(*list);
    // Accepted: one process serves every Gateway. One info line per load, from the table.
    note_not_applicable(*names);
  }
  bool other_type = false;
  for (std::string_view type : {"tcpGateway", "hybridGateway"}) {
    if (auto field = spec->take(type)) {
      warn_ignored(*field);
      other_type = true;
    }
  }
  if (auto http = spec->map("httpGateway")) parse_http_gateway(*http, gateway, diagnostics);
  spec->finish();          // routeOptions: answered from the table
  if (other_type) return;  // not an HTTP listener: nothing lambdagate can serve
  // A Gateway whose port did not parse would sit on the default port and report a bogus clash.
  // Other errors keep it, so its VirtualServices are not also reported as unbound.
  if (port_written && !port) return;
  state.config.gateways.push_back(std::move(gateway));
}

}  // namespace lambdagate::config::detail
