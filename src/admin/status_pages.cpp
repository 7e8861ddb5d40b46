// The bodies of /upstreams and /metrics, built from the snapshot and the credential caches at
// request time (nothing is stored twice). Secrets never reach them: credential status carries
// sources, roles, times and error texts only.
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "lambdagate/admin/admin_handler.hpp"

namespace lambdagate::admin {

namespace {

std::string iso8601(core::SystemTime t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

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
    j["expiration"] = iso8601(*st.expiration);
    j["secondsToExpiry"] = std::chrono::duration_cast<std::chrono::seconds>(*st.expiration - now).count();
  }
  if (st.last_success) j["lastRefresh"] = iso8601(*st.last_success);
  if (st.last_failure) j["lastFailure"] = iso8601(*st.last_failure);
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

}  // namespace

nlohmann::json upstreams_json(const proxy::Snapshot& snapshot, core::SystemTime now) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [ref, upstream] : snapshot.upstreams) {
    nlohmann::json functions = nlohmann::json::array();
    for (const auto& f : upstream.upstream->aws.lambda_functions) {
      functions.push_back({{"logicalName", f.logical_name},
                           {"lambdaFunctionName", f.function_name},
                           {"qualifier", f.qualifier},
                           {"source", "static"}});
    }
    list.push_back({{"name", upstream.key},
                    {"region", upstream.region},
                    {"endpoint", upstream.endpoint.to_string()},
                    {"credentials", credentials_json(upstream, now)},
                    {"functions", functions}});
  }
  return {{"configVersion", snapshot.version}, {"upstreams", list}};
}

std::string metrics_text(const proxy::Snapshot* snapshot, const proxy::CredentialsRegistry* registry,
                         const RuntimeStatus& status, core::SystemTime now) {
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
  if (registry) {
    const auto entries = registry->entries();
    line("# HELP lambdagate_credential_refreshes_total Credential fetches by source and result.");
    line("# TYPE lambdagate_credential_refreshes_total counter");
    for (const auto& e : entries) {
      const auto st = e.cache->status();
      line(fmt::format("lambdagate_credential_refreshes_total{{source=\"{}\",result=\"success\"}} {}",
                       label(e.description), st.refresh_success));
      line(fmt::format("lambdagate_credential_refreshes_total{{source=\"{}\",result=\"failure\"}} {}",
                       label(e.description), st.refresh_failure));
    }
    line("# HELP lambdagate_credential_seconds_to_expiry Seconds until the served credentials expire.");
    line("# TYPE lambdagate_credential_seconds_to_expiry gauge");
    for (const auto& e : entries) {
      const auto st = e.cache->status();
      if (!st.expiration) continue;
      const double left = std::chrono::duration<double>(*st.expiration - now).count();
      line(fmt::format("lambdagate_credential_seconds_to_expiry{{source=\"{}\"}} {:.3f}", label(e.description),
                       left));
    }
  }
  return out;
}

}  // namespace lambdagate::admin
