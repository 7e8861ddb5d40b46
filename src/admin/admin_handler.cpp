#include "lambdagate/admin/admin_handler.hpp"

#include <nlohmann/json.hpp>
#include <optional>

#include "lambdagate/proxy/response_mapping.hpp"

namespace lambdagate::admin {

namespace bhttp = boost::beast::http;

namespace {

http::Response json_response(bhttp::status status, const nlohmann::json& body, unsigned version) {
  http::Response response{status, version};
  response.set(bhttp::field::content_type, "application/json");
  response.body() = body.dump(2) + "\n";
  response.prepare_payload();
  return response;
}

}  // namespace

std::vector<std::string> readiness_problems(const proxy::Snapshot* snapshot, const RuntimeStatus& status,
                                            core::SystemTime now) {
  std::vector<std::string> problems;
  if (status.draining.load()) problems.push_back("draining: the gateway is shutting down");
  if (!status.listeners_bound.load()) problems.push_back("listeners are not bound yet");
  if (!snapshot) {
    problems.push_back("no configuration loaded");
    return problems;
  }
  for (const auto& [ref, upstream] : snapshot->upstreams) {
    if (!upstream.credentials || !upstream.credentials->current(now)) {
      problems.push_back("upstream " + upstream.key + " has no usable credentials (source: " +
                         upstream.credential_source + ")");
    }
    // Until the first discovery round has ended, routes to discovered functions would answer 502.
    // A failed round counts as ended: hand-written functions still work, and a missing IAM
    // permission must not keep the pod out of service forever.
    if (upstream.discovered && !upstream.discovered->status().last_attempt) {
      problems.push_back("upstream " + upstream.key + ": the first function discovery round has not finished");
    }
  }
  return problems;
}

std::vector<std::string> expiring_certificates(const proxy::Snapshot& snapshot, core::SystemTime now) {
  std::vector<std::string> out;
  for (const auto& listener : snapshot.listeners) {
    if (!listener.tls) continue;
    for (const auto& cert : listener.tls->expiries()) {
      if (cert.not_after - now >= kCertificateExpiryWarning) continue;
      out.push_back("gateway " + listener.name + ": the certificate of " + cert.name + " (" + cert.subject + ") " +
                    (cert.not_after <= now ? "has expired" : "expires within 7 days"));
    }
  }
  return out;
}

AdminHandler::AdminHandler(const StatusSource& status, const core::Clock& clock)
    : status_(status), clock_(clock) {}

core::Task<http::Response> AdminHandler::handle(http::Request& request, const http::ConnectionInfo&,
                                                http::ResponseWriter&) {
  auto response = respond(request);
  auto incoming = request.find("x-request-id");
  response.set("x-request-id", incoming != request.end() && core::is_acceptable_request_id(incoming->value())
                                   ? std::string(incoming->value())
                                   : ids_.next());
  co_return response;
}

http::Response AdminHandler::respond(const http::Request& request) {
  const std::string_view target(request.target().data(), request.target().size());
  const std::string_view path = target.substr(0, target.find('?'));
  const unsigned version = request.version();
  if (request.method() != bhttp::verb::get && request.method() != bhttp::verb::head) {
    return json_response(bhttp::status::method_not_allowed,
                         {{"code", "method_not_allowed"}, {"message", "the admin endpoints answer GET only"}},
                         version);
  }
  if (path == "/healthz") {
    return json_response(bhttp::status::ok, {{"status", "alive"}}, version);
  }
  if (path == "/readyz") {
    auto snapshot = status_.snapshot();
    auto problems = readiness_problems(snapshot.get(), status_.runtime(), clock_.system_now());
    nlohmann::json body = {{"ready", problems.empty()}, {"reasons", problems}};
    // Not reasons to take the pod out of service (every replica would go at once), but said here.
    if (snapshot) body["warnings"] = expiring_certificates(*snapshot, clock_.system_now());
    if (snapshot) body["configVersion"] = snapshot->version;
    return json_response(problems.empty() ? bhttp::status::ok : bhttp::status::service_unavailable, body, version);
  }
  if (path == "/upstreams") {
    auto snapshot = status_.snapshot();
    if (!snapshot) return json_response(bhttp::status::service_unavailable, {{"upstreams", nlohmann::json::array()}}, version);
    return json_response(bhttp::status::ok, upstreams_json(*snapshot, clock_.system_now()), version);
  }
  if (path == "/metrics") {
    auto snapshot = status_.snapshot();
    http::Response response{bhttp::status::ok, version};
    response.set(bhttp::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    const auto caches = status_.credential_caches();
    const auto requests = status_.request_metrics();
    const auto connections = status_.connections();
    response.body() =
        metrics_text(snapshot.get(), caches ? &*caches : nullptr, status_.runtime(), clock_.system_now(),
                     requests ? &*requests : nullptr, connections ? &*connections : nullptr);
    response.prepare_payload();
    return response;
  }
  if (path == "/config_dump") {
    auto snapshot = status_.snapshot();
    if (!snapshot) {
      return json_response(bhttp::status::service_unavailable,
                           {{"code", "no_config"}, {"message", "no configuration loaded"}}, version);
    }
    return json_response(bhttp::status::ok, config_dump_json(*snapshot), version);
  }
  return json_response(bhttp::status::not_found,
                       {{"code", "not_found"}, {"message", "unknown admin path " + std::string(path)},
                        {"paths", {"/healthz", "/readyz", "/upstreams", "/metrics", "/config_dump"}}},
                       version);
}

http::Response AdminHandler::reject(core::ErrorKind kind, std::string message, const http::Request* request) {
  return proxy::make_error_response(core::Error{kind, std::move(message)}, ids_.next(),
                                    request ? request->version() : 11);
}

}  // namespace lambdagate::admin
