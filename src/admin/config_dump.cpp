// The body of /config_dump: the snapshot's configuration as the gateway understood it (defaults
// applied, delegation flattened, resolved regions), so an operator sees what is in force rather
// than what was written. Secrets are listed by name and type only; their data never leaves here.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "lambdagate/admin/admin_handler.hpp"
#include "lambdagate/core/ascii.hpp"
#include "lambdagate/core/redact.hpp"
#include "lambdagate/core/time_format.hpp"

namespace lambdagate::admin {

namespace {

using nlohmann::json;

// Durations as Gloo writes them ("15s", "0.25s").
std::string duration(std::chrono::milliseconds d) { return fmt::format("{}s", static_cast<double>(d.count()) / 1000); }

json ref(const config::ResourceRef& r) { return {{"name", r.name}, {"namespace", r.namespace_}}; }

json metadata(const config::Metadata& m) {
  json j = {{"name", m.name}, {"namespace", m.namespace_}};
  if (!m.labels.empty()) j["labels"] = m.labels;
  return j;
}

json where(const config::SourceLocation& w) { return fmt::format("{}:{}", w.file, w.line); }

json aws_destination(const config::AwsDestinationSpec& a) {
  return {{"logicalName", a.logical_name},
          {"invocationStyle", a.invocation_style == config::InvocationStyle::Async ? "ASYNC" : "SYNC"},
          {"requestTransformation", a.request_transformation},
          {"wrapAsApiGateway", a.wrap_as_api_gateway},
          {"unwrapAsApiGateway", a.unwrap_as_api_gateway},
          {"unwrapAsAlb", a.unwrap_as_alb},
          {"payloadFormatVersion", a.payload_format_version},
          {"responseStreaming", a.response_streaming}};
}

json upstream(const config::Upstream& u, const proxy::UpstreamRuntime* runtime) {
  json functions = json::array();
  for (const auto& f : u.aws.lambda_functions) {
    functions.push_back({{"logicalName", f.logical_name}, {"lambdaFunctionName", f.function_name},
                         {"qualifier", f.qualifier}});
  }
  json aws = {{"region", runtime ? runtime->region : u.aws.region}, {"lambdaFunctions", functions}};
  if (u.aws.secret_ref) aws["secretRef"] = ref(*u.aws.secret_ref);  // the reference, never the Secret's keys
  if (!u.aws.role_arn.empty()) aws["roleArn"] = u.aws.role_arn;
  if (!u.aws.aws_account_id.empty()) aws["awsAccountId"] = u.aws.aws_account_id;
  if (u.aws.disable_role_chaining) aws["disableRoleChaining"] = true;
  if (u.aws.destination_overrides) aws["destinationOverrides"] = aws_destination(*u.aws.destination_overrides);
  json j = {{"metadata", metadata(u.metadata)}, {"spec", {{"aws", aws}}}, {"source", where(u.where)}};
  if (runtime) {
    j["status"] = {{"endpoint", runtime->endpoint.to_string()}, {"credentialSource", runtime->credential_source}};
  }
  return j;
}

// A header a route adds, or one a route matches on, may carry a credential (an API key for a
// backend, a shared secret a client must send); its value is masked.
bool sensitive_header(std::string_view name) {
  const std::string lower = core::to_lower_ascii(name);
  return lower == "authorization" || lower == "proxy-authorization" || lower == "cookie" ||
         lower.find("token") != std::string::npos || lower.find("key") != std::string::npos ||
         lower.find("secret") != std::string::npos;
}

json matcher(const config::Matcher& m) {
  json j;
  switch (m.kind) {
    case config::PathMatchKind::Prefix: j["prefix"] = m.path; break;
    case config::PathMatchKind::Exact: j["exact"] = m.path; break;
    case config::PathMatchKind::Regex: j["regex"] = m.path; break;
  }
  j["caseSensitive"] = m.case_sensitive;
  if (!m.headers.empty()) {
    json headers = json::array();
    for (const auto& h : m.headers) {
      const std::string value = sensitive_header(h.name) ? core::mask_secret(h.value) : h.value;
      headers.push_back({{"name", h.name}, {"value", value}, {"regex", h.regex}, {"invertMatch", h.invert_match}});
    }
    j["headers"] = headers;
  }
  if (!m.query_parameters.empty()) {
    json params = json::array();
    for (const auto& q : m.query_parameters) {
      const std::string value = sensitive_header(q.name) ? core::mask_secret(q.value) : q.value;
      params.push_back({{"name", q.name}, {"value", value}, {"regex", q.regex}});
    }
    j["queryParameters"] = params;
  }
  if (!m.methods.empty()) j["methods"] = m.methods;
  return j;
}

std::string retry_on(std::uint32_t bits) {
  static constexpr std::pair<std::uint32_t, const char*> kNames[] = {
      {config::kRetryOn5xx, "5xx"},
      {config::kRetryOnGatewayError, "gateway-error"},
      {config::kRetryOnConnectFailure, "connect-failure"},
      {config::kRetryOnReset, "reset"},
      {config::kRetryOnRetriableStatusCodes, "retriable-status-codes"},
      {config::kRetryOnRetriable4xx, "retriable-4xx"},
      {config::kRetryOnThrottled, "throttled"},
  };
  std::string out;
  for (const auto& [bit, name] : kNames) {
    if (!(bits & bit)) continue;
    if (!out.empty()) out += ",";
    out += name;
  }
  return out;
}

json header_values(const std::vector<config::HeaderValue>& values) {
  json list = json::array();
  for (const auto& h : values) {
    list.push_back({{"header", {{"key", h.key}, {"value", sensitive_header(h.key) ? core::mask_secret(h.value) : h.value}}},
                    {"append", h.append}});
  }
  return list;
}

json options(const config::RouteOptions& o) {
  json j = json::object();
  if (o.timeout) j["timeout"] = duration(*o.timeout);
  if (o.retries) {
    const auto& r = *o.retries;
    json retries = {{"retryOn", retry_on(r.retry_on)}, {"numRetries", r.num_retries},
                    {"retryBackOff", {{"baseInterval", duration(r.base_interval)}}}};
    if (r.per_try_timeout) retries["perTryTimeout"] = duration(*r.per_try_timeout);
    if (r.max_interval) retries["retryBackOff"]["maxInterval"] = duration(*r.max_interval);
    if (!r.retriable_status_codes.empty()) retries["retriableStatusCodes"] = r.retriable_status_codes;
    j["retries"] = retries;
  }
  if (o.prefix_rewrite) j["prefixRewrite"] = *o.prefix_rewrite;
  if (o.header_manipulation) {
    const auto& hm = *o.header_manipulation;
    j["headerManipulation"] = {{"requestHeadersToAdd", header_values(hm.request_headers_to_add)},
                               {"requestHeadersToRemove", hm.request_headers_to_remove},
                               {"responseHeadersToAdd", header_values(hm.response_headers_to_add)},
                               {"responseHeadersToRemove", hm.response_headers_to_remove}};
  }
  return j;
}

json route(const config::Route& r) {
  json matchers = json::array();
  for (const auto& m : r.matchers) matchers.push_back(matcher(m));
  json j = {{"matchers", matchers}, {"options", options(r.options)}, {"source", where(r.where)}};
  if (!r.name.empty()) j["name"] = r.name;
  if (r.route_table) j["routeTable"] = ref(*r.route_table);
  if (r.route_action) {
    json destinations = json::array();
    for (const auto& d : r.route_action->destinations) {
      json dest = {{"upstream", ref(d.upstream)}};
      if (d.aws) dest["destinationSpec"] = {{"aws", aws_destination(*d.aws)}};
      if (r.route_action->multi) dest["weight"] = d.weight;
      destinations.push_back(dest);
    }
    if (r.route_action->multi) {
      j["routeAction"] = {{"multi", {{"destinations", destinations}}}};
    } else if (!destinations.empty()) {
      j["routeAction"] = {{"single", destinations.front()}};
    }
  }
  if (r.direct_response) {
    j["directResponseAction"] = {{"status", r.direct_response->status}, {"body", r.direct_response->body}};
  }
  return j;
}

json settings(const config::Settings& s) {
  json j = {{"metadata", metadata(s.metadata)},
            {"fallbackToFirstFunction", s.fallback_to_first_function},
            {"propagateOriginalRouting", s.propagate_original_routing},
            {"enableCredentialsDiscovery", s.enable_credentials_discovery},
            {"source", where(s.where)}};
  if (s.service_account_credentials) {
    const auto& sa = *s.service_account_credentials;
    json c = {{"uri", sa.uri}, {"region", sa.region}};
    if (sa.timeout) c["timeout"] = duration(*sa.timeout);
    j["serviceAccountCredentials"] = c;
  }
  if (s.credential_refresh_margin) j["credentialRefreshMargin"] = duration(*s.credential_refresh_margin);
  return j;
}

json secret(const config::Secret& s) {
  json j = {{"metadata", metadata(s.metadata)}, {"type", s.type}, {"data", "redacted"}, {"source", where(s.where)}};
  if (s.aws) j["kind"] = "aws";
  if (s.tls) j["kind"] = "tls";
  return j;
}

}  // namespace

json config_dump_json(const proxy::Snapshot& snapshot) {
  json out = {{"configVersion", snapshot.version}, {"loadedAt", core::format_iso8601(snapshot.loaded_at, true)}};
  if (!snapshot.config) return out;
  const auto& config = *snapshot.config;
  out["files"] = config.files;

  json upstreams = json::array();
  for (const auto& u : config.upstreams) {
    upstreams.push_back(upstream(u, snapshot.find_upstream({u.metadata.name, u.metadata.namespace_})));
  }
  out["upstreams"] = upstreams;

  json services = json::array();
  for (const auto& vs : config.virtual_services) {
    json routes = json::array();
    for (const auto& r : vs.routes) routes.push_back(route(r));
    services.push_back({{"metadata", metadata(vs.metadata)},
                        {"virtualHost", {{"domains", vs.domains}, {"options", options(vs.options)}, {"routes", routes}}},
                        {"source", where(vs.where)}});
  }
  out["virtualServices"] = services;

  json gateways = json::array();
  for (const auto& g : config.gateways) {
    gateways.push_back({{"metadata", metadata(g.metadata)}, {"bindAddress", g.bind_address},
                        {"bindPort", g.bind_port}, {"ssl", g.ssl}, {"source", where(g.where)}});
  }
  out["gateways"] = gateways;
  out["settings"] = config.settings ? settings(*config.settings) : json(nullptr);

  json secrets = json::array();
  for (const auto& s : config.secrets) secrets.push_back(secret(s));
  out["secrets"] = secrets;
  return out;
}

}  // namespace lambdagate::admin
