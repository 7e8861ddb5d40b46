// The bodies of /upstreams and /metrics, built from the snapshot, the credential caches and the
// workers' metric shards at request time (nothing is stored twice). Secrets never reach them:
// credential status carries sources, roles, times and error texts only.
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "lambdagate/admin/admin_handler.hpp"
#include "lambdagate/discovery/catalog_builder.hpp"
#include "lambdagate/core/time_format.hpp"

namespace lambdagate::admin {

namespace {

nlohmann::json credentials_json(const proxy::UpstreamRuntime& upstream, core::SystemTime now) {
  nlohmann::json j = {{"source", upstream.credential_source}};
  if (!upstream.role_arn.empty()) j["role"] = upstream.role_arn;
  if (!upstream.credentials) {
    j["state"] = "unavailable";
    j["problem"] = upstream.credential_problem;
    return j;
  }
  const bool usable = upstream.credentials->current(now) != nullptr;
  if (!upstream.cache) {
    j["state"] = usable ? "ready" : "unavailable";
    return j;
  }
  const auto st = upstream.cache->status();
  j["state"] = usable ? "ready" : (st.fetch_in_flight ? "fetching" : "unavailable");
  if (st.expiration) {
    j["expiration"] = core::format_iso8601(*st.expiration, false);
    j["secondsToExpiry"] = std::chrono::duration_cast<std::chrono::seconds>(*st.expiration - now).count();
  }
  if (st.last_success) j["lastRefresh"] = core::format_iso8601(*st.last_success, false);
  if (st.last_failure) j["lastFailure"] = core::format_iso8601(*st.last_failure, false);
  if (!st.last_error.empty()) j["lastError"] = st.last_error;
  j["refreshes"] = {{"success", st.refresh_success}, {"failure", st.refresh_failure}};
  return j;
}

// Prometheus label values escape backslash, double quote and newline.
std::string label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out.push_back(c);
  }
  return out;
}

// The request families of observability::Metrics (DESIGN.md §5), summed over the workers.
void request_metrics(const observability::MetricsSummary& m, std::string& out) {
  auto line = [&out](std::string_view text) {
    out.append(text);
    out.push_back('\n');
  };
  line("# HELP lambdagate_requests_total Requests answered, by route, upstream, function and HTTP status.");
  line("# TYPE lambdagate_requests_total counter");
  for (const auto& [k, v] : m.requests) {
    line(fmt::format("lambdagate_requests_total{{route=\"{}\",upstream=\"{}\",function=\"{}\",status=\"{}\"}} {}",
                     label(k.route), label(k.upstream), label(k.function), k.status, v));
  }
  line("# HELP lambdagate_request_duration_seconds Time from request to response, by route.");
  line("# TYPE lambdagate_request_duration_seconds histogram");
  for (const auto& [route, h] : m.durations) {
    const std::string r = label(route);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < observability::kDurationBuckets.size(); ++i) {
      cumulative += h.buckets[i];
      line(fmt::format("lambdagate_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}", r,
                       observability::kDurationBuckets[i], cumulative));
    }
    cumulative += h.buckets.back();
    line(fmt::format("lambdagate_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}", r, cumulative));
    line(fmt::format("lambdagate_request_duration_seconds_sum{{route=\"{}\"}} {}", r,
                     std::chrono::duration<double>(h.sum).count()));
    line(fmt::format("lambdagate_request_duration_seconds_count{{route=\"{}\"}} {}", r, h.count));
  }
  line("# HELP lambdagate_lambda_invocations_total Lambda Invoke calls (each attempt), by result.");
  line("# TYPE lambdagate_lambda_invocations_total counter");
  for (const auto& [k, v] : m.invocations) {
    line(fmt::format("lambdagate_lambda_invocations_total{{upstream=\"{}\",function=\"{}\",result=\"{}\"}} {}",
                     label(k.upstream), label(k.function), observability::to_string(k.result), v));
  }
  line("# HELP lambdagate_retries_total Retried Lambda calls, by route.");
  line("# TYPE lambdagate_retries_total counter");
  for (const auto& [route, v] : m.retries) {
    line(fmt::format("lambdagate_retries_total{{route=\"{}\"}} {}", label(route), v));
  }
  line("# HELP lambdagate_throttles_total Lambda calls answered with 429 (throttled).");
  line("# TYPE lambdagate_throttles_total counter");
  for (const auto& [k, v] : m.throttles) {
    line(fmt::format("lambdagate_throttles_total{{upstream=\"{}\",function=\"{}\"}} {}", label(k.upstream),
                     label(k.function), v));
  }
  line("# HELP lambdagate_rate_limited_total Requests shed before Lambda by a local rate limit or a "
       "concurrency cap, by route and limit.");
  line("# TYPE lambdagate_rate_limited_total counter");
  for (const auto& [k, v] : m.policy) {
    if (k.kind != "rate_limited") continue;
    line(fmt::format("lambdagate_rate_limited_total{{route=\"{}\",limit=\"{}\"}} {}", label(k.route),
                     label(k.reason), v));
  }
  line("# HELP lambdagate_jwt_failures_total Requests whose JWT did not verify, by route and reason.");
  line("# TYPE lambdagate_jwt_failures_total counter");
  for (const auto& [k, v] : m.policy) {
    if (k.kind != "jwt_failure") continue;
    line(fmt::format("lambdagate_jwt_failures_total{{route=\"{}\",reason=\"{}\"}} {}", label(k.route),
                     label(k.reason), v));
  }
  line("# HELP lambdagate_cors_preflights_total CORS preflights answered by the gateway, by route.");
  line("# TYPE lambdagate_cors_preflights_total counter");
  for (const auto& [k, v] : m.policy) {
    if (k.kind != "cors_preflight") continue;
    line(fmt::format("lambdagate_cors_preflights_total{{route=\"{}\"}} {}", label(k.route), v));
  }
}

}  // namespace

nlohmann::json upstreams_json(const proxy::Snapshot& snapshot, core::SystemTime now) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [ref, upstream] : snapshot.upstreams) {
    // Hand-written first, then what discovery found (a discovered twin of a hand-written one is left out).
    const auto catalog = upstream.discovered ? upstream.discovered->catalog() : nullptr;
    nlohmann::json functions = nlohmann::json::array();
    for (const auto& f : discovery::merged_functions(*upstream.upstream, catalog.get())) {
      nlohmann::json entry = {{"logicalName", f.logical_name},
                              {"lambdaFunctionName", f.function_name},
                              {"qualifier", f.qualifier},
                              {"source", discovery::to_string(f.source)}};
      if (f.kind) entry["kind"] = discovery::to_string(*f.kind);
      functions.push_back(std::move(entry));
    }
    nlohmann::json item = {{"name", upstream.key},
                           {"region", upstream.region},
                           {"endpoint", upstream.endpoint.to_string()},
                           {"credentials", credentials_json(upstream, now)},
                           {"functions", functions}};
    if (upstream.discovered) {
      const auto st = upstream.discovered->status();
      nlohmann::json d = {{"enabled", true},
                          {"discoveredFunctions", catalog ? catalog->functions.size() : 0},
                          {"roundsSucceeded", st.rounds_succeeded},
                          {"roundsFailed", st.rounds_failed},
                          {"lastError", st.last_error}};
      if (st.last_attempt) d["lastAttempt"] = core::format_iso8601(*st.last_attempt, false);
      if (st.last_success) d["lastSuccess"] = core::format_iso8601(*st.last_success, false);
      item["discovery"] = std::move(d);
    } else {
      item["discovery"] = {{"enabled", false}};
    }
    list.push_back(std::move(item));
  }
  return {{"configVersion", snapshot.version}, {"upstreams", list}};
}

std::string metrics_text(const proxy::Snapshot* snapshot, const std::vector<CredentialCacheReport>* caches,
                         const RuntimeStatus& status, core::SystemTime now,
                         const observability::MetricsSummary* requests, const ConnectionCounts* connections) {
  std::string out;
  auto line = [&out](std::string_view text) {
    out.append(text);
    out.push_back('\n');
  };
  line("# HELP lambdagate_up 1 while the process runs.");
  line("# TYPE lambdagate_up gauge");
  line("lambdagate_up 1");
  line("# HELP lambdagate_draining 1 while the gateway is shutting down.");
  line("# TYPE lambdagate_draining gauge");
  line(fmt::format("lambdagate_draining {}", status.draining.load() ? 1 : 0));
  line("# HELP lambdagate_config_reloads_total Configuration reloads (SIGHUP or file change) by result.");
  line("# TYPE lambdagate_config_reloads_total counter");
  line(fmt::format("lambdagate_config_reloads_total{{result=\"success\"}} {}", status.config_reloads_success.load()));
  line(fmt::format("lambdagate_config_reloads_total{{result=\"failure\"}} {}", status.config_reloads_failure.load()));
  if (snapshot) {
    line("# HELP lambdagate_config_version Version of the configuration snapshot in force.");
    line("# TYPE lambdagate_config_version gauge");
    line(fmt::format("lambdagate_config_version {}", snapshot->version));
    line("# HELP lambdagate_upstream_credentials_ready 1 when the Upstream has usable credentials.");
    line("# TYPE lambdagate_upstream_credentials_ready gauge");
    for (const auto& [ref, upstream] : snapshot->upstreams) {
      const bool ready = upstream.credentials && upstream.credentials->current(now);
      line(fmt::format("lambdagate_upstream_credentials_ready{{upstream=\"{}\"}} {}", label(upstream.key),
                       ready ? 1 : 0));
    }
  }
  if (snapshot) {
    line("# HELP lambdagate_upstream_functions Functions an Upstream can route to, by source (static, discovered).");
    line("# TYPE lambdagate_upstream_functions gauge");
    for (const auto& [ref, upstream] : snapshot->upstreams) {
      const auto catalog = upstream.discovered ? upstream.discovered->catalog() : nullptr;
      std::size_t by_source[2] = {0, 0};
      for (const auto& f : discovery::merged_functions(*upstream.upstream, catalog.get())) {
        ++by_source[f.source == discovery::FunctionSource::Static ? 0 : 1];
      }
      line(fmt::format("lambdagate_upstream_functions{{upstream=\"{}\",source=\"static\"}} {}", label(upstream.key),
                       by_source[0]));
      if (upstream.discovered) {
        line(fmt::format("lambdagate_upstream_functions{{upstream=\"{}\",source=\"discovered\"}} {}",
                         label(upstream.key), by_source[1]));
      }
    }
    line("# HELP lambdagate_discovery_rounds_total Function discovery rounds (ListFunctions) by result.");
    line("# TYPE lambdagate_discovery_rounds_total counter");
    for (const auto& [ref, upstream] : snapshot->upstreams) {
      if (!upstream.discovered) continue;
      const auto st = upstream.discovered->status();
      line(fmt::format("lambdagate_discovery_rounds_total{{upstream=\"{}\",result=\"success\"}} {}",
                       label(upstream.key), st.rounds_succeeded));
      line(fmt::format("lambdagate_discovery_rounds_total{{upstream=\"{}\",result=\"failure\"}} {}",
                       label(upstream.key), st.rounds_failed));
    }
  }
  if (caches) {
    line("# HELP lambdagate_credential_refreshes_total Credential fetches by source and result.");
    line("# TYPE lambdagate_credential_refreshes_total counter");
    for (const auto& c : *caches) {
      line(fmt::format("lambdagate_credential_refreshes_total{{source=\"{}\",result=\"success\"}} {}",
                       label(c.description), c.status.refresh_success));
      line(fmt::format("lambdagate_credential_refreshes_total{{source=\"{}\",result=\"failure\"}} {}",
                       label(c.description), c.status.refresh_failure));
    }
    line("# HELP lambdagate_credential_seconds_to_expiry Seconds until the served credentials expire.");
    line("# TYPE lambdagate_credential_seconds_to_expiry gauge");
    for (const auto& c : *caches) {
      if (!c.status.expiration) continue;
      const double left = std::chrono::duration<double>(*c.status.expiration - now).count();
      line(fmt::format("lambdagate_credential_seconds_to_expiry{{source=\"{}\"}} {:.3f}",
                       label(c.description), left));
    }
  }
  if (connections) {
    line("# HELP lambdagate_connections_active Client connections open on the proxy listeners.");
    line("# TYPE lambdagate_connections_active gauge");
    line(fmt::format("lambdagate_connections_active {}", connections->active));
    line("# HELP lambdagate_connections_total Client connections accepted by the proxy listeners.");
    line("# TYPE lambdagate_connections_total counter");
    line(fmt::format("lambdagate_connections_total {}", connections->accepted));
  }
  if (requests) request_metrics(*requests, out);
  return out;
}

}  // namespace lambdagate::admin
