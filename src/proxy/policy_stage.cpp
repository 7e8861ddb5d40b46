// PolicyStage: CORS, JWT, local rate limits and concurrency caps before Lambda (see
// policy_stage.hpp).
#include "lambdagate/proxy/policy_stage.hpp"

#include <nlohmann/json.hpp>
#include <unordered_map>

#include "lambdagate/core/ascii.hpp"
#include "lambdagate/policy/authenticator.hpp"
#include "lambdagate/policy/cors.hpp"
#include "lambdagate/proxy/response_mapping.hpp"

namespace lambdagate::proxy {

namespace bhttp = boost::beast::http;

namespace {

// localRateLimitPerDownstreamConnection: this connection's buckets, one per rate-limit policy of
// the snapshot it was made for (a reload starts them afresh, as the policies are new).
struct ConnectionBuckets {
  std::uint64_t snapshot_version = 0;
  std::unordered_map<const RateLimitPolicy*, policy::ConnectionTokenBucket> buckets;
};

std::string_view header_value(const http::Request& request, bhttp::field field) {
  auto it = request.find(field);
  return it == request.end() ? std::string_view{} : std::string_view(it->value().data(), it->value().size());
}

// Sets `name`, merging a `vary` into the one the response already has.
void set_header(http::Response& response, std::string_view name, std::string_view value) {
  if (core::iequals_ascii(name, "vary")) {
    auto it = response.find(bhttp::field::vary);
    if (it != response.end()) {
      std::string merged(it->value().data(), it->value().size());
      if (core::to_lower_ascii(merged).find(core::to_lower_ascii(value)) != std::string::npos) return;
      merged.append(", ").append(value);
      response.set(bhttp::field::vary, merged);
      return;
    }
  }
  response.set(name, value);
}

}  // namespace

PolicyStage::PolicyStage(const core::Clock& clock, observability::MetricsShard* metrics)
    : clock_(clock), metrics_(metrics) {}

void PolicyStage::refuse(const http::Request& request, core::Error error, std::string_view request_id,
                         PolicyState& state) {
  state.error_code = core::to_string(error.kind);
  state.answer = make_error_response(error, request_id, request.version());
}

void PolicyStage::admit_unrouted(const http::Request& request, const Snapshot& snapshot, PolicyState& state) {
  if (snapshot.policies.host_cors.empty()) return;
  const auto* host = snapshot.routes->virtual_service_for(header_value(request, bhttp::field::host));
  const policy::CorsRules* rules = host ? snapshot.policies.cors_of_host(host) : nullptr;
  const policy::CorsRequest cors = policy::cors_request_of(request);
  if (rules && !cors.origin.empty() && rules->origin_allowed(cors.origin)) {
    state.cors = rules;
    state.origin = std::string(cors.origin);
  }
}

core::Task<void> PolicyStage::admit(http::Request& request,
                                    const http::ConnectionInfo& connection,
                                    const Snapshot& snapshot, const RoutePolicies& policies,
                                    const routing::CompiledRoute& route, core::Deadline deadline,
                                    std::string_view request_id, PolicyState& state) {
  // CORS first: a browser's preflight carries no credentials, so it must be answered before JWT.
  if (policies.cors) {
    const policy::CorsDecision cors =
        policy::evaluate_cors(policies.cors.get(), policy::cors_request_of(request));
    if (cors.action == policy::CorsDecision::Action::AnswerPreflight) {
      http::Response response{bhttp::status::ok, request.version()};
      for (const auto& [name, value] : cors.headers) set_header(response, name, value);
      response.prepare_payload();
      state.answer = std::move(response);
      if (metrics_) metrics_->record_policy("cors_preflight", route.name, "answered");
      co_return;
    }
    if (cors.action == policy::CorsDecision::Action::AddResponseHeaders) {
      state.cors = policies.cors.get();
      state.origin = std::string(header_value(request, bhttp::field::origin));
    }
  }

  if (policies.authenticator) {
    const std::string realm =
        policy::bearer_realm("http", header_value(request, bhttp::field::host),
                             std::string_view(request.target().data(), request.target().size()));
    const policy::Authenticator& authenticator = *policies.authenticator;
    policy::AuthResult auth =
        co_await authenticator.authenticate_async(request, clock_, deadline, realm, &tokens_);
    if (!auth.allowed()) {
      if (metrics_ && auth.failure)
        metrics_->record_policy("jwt_failure", route.name, policy::to_string(*auth.failure));
      const auto kind = auth.verdict == policy::AuthResult::Verdict::Forbidden
                            ? core::ErrorKind::Forbidden
                            : core::ErrorKind::Unauthorized;
      refuse(request, core::Error{kind, std::string(auth.message())}, request_id, state);
      state.answer->set(bhttp::field::www_authenticate, auth.www_authenticate);
      co_return;
    }
    if (auth.claims) {
      if (!auth.header_to_remove.empty()) request.erase(auth.header_to_remove);
      for (const auto& header : auth.headers_to_add) {
        if (!header.append) request.erase(header.name);
        request.insert(header.name, header.value);
      }
      state.claims = std::move(auth.claims);
    } else if (metrics_ && auth.failure && *auth.failure != policy::JwtFailure::Missing) {
      // validationPolicy let a failed token through: still worth counting.
      metrics_->record_policy("jwt_failure", route.name, policy::to_string(*auth.failure));
    }
  }

  if (policies.rate_limit) {
    const RateLimitPolicy& limit = *policies.rate_limit;
    const policy::RateLimitDecision decision = take_token(limit, connection, snapshot);
    if (limit.x_ratelimit_headers) state.rate = decision;
    if (!decision.allowed) {
      if (metrics_) metrics_->record_policy("rate_limited", route.name, limit.level);
      core::Error error{core::ErrorKind::RateLimited,
                        "too many requests: the " + std::string(limit.level) + " rate limit is exhausted"};
      error.retry_after = decision.retry_after;
      refuse(request, std::move(error), request_id, state);
      co_return;
    }
  }

  if (policies.concurrency) {
    state.route_permit = policies.concurrency->try_acquire();
    if (!state.route_permit) {
      if (metrics_) metrics_->record_policy("rate_limited", route.name, "route_concurrency");
      refuse(request,
             core::Error{core::ErrorKind::RateLimited,
                         "too many requests in flight on this route (maxConcurrency " +
                             std::to_string(policies.concurrency->limit()) + ")"},
             request_id, state);
      co_return;
    }
  }
}

void PolicyStage::admit_function(const http::Request& request, const Snapshot& snapshot,
                                 std::string_view upstream, std::string_view logical_name,
                                 std::string_view route_name, std::string_view request_id,
                                 PolicyState& state) {
  if (snapshot.policies.functions.empty()) return;
  policy::ConcurrencyLimiter* cap = snapshot.policies.function_cap(upstream, logical_name);
  if (!cap) return;
  state.function_permit = cap->try_acquire();
  if (state.function_permit) return;
  if (metrics_) metrics_->record_policy("rate_limited", route_name, "function_concurrency");
  refuse(request,
         core::Error{core::ErrorKind::RateLimited, "too many calls in flight to function '" +
                                                       std::string(logical_name) + "' (maxConcurrency " +
                                                       std::to_string(cap->limit()) + ")"},
         request_id, state);
}

policy::RateLimitDecision PolicyStage::take_token(const RateLimitPolicy& limit,
                                                  const http::ConnectionInfo& connection,
                                                  const Snapshot& snapshot) {
  const auto now = clock_.steady_now();
  if (!limit.per_connection) return limit.shared->try_take(now);
  auto buckets = std::static_pointer_cast<ConnectionBuckets>(connection.handler_state);
  if (!buckets) {
    buckets = std::make_shared<ConnectionBuckets>();
    connection.handler_state = buckets;
  }
  if (buckets->snapshot_version != snapshot.version) {
    buckets->buckets.clear();
    buckets->snapshot_version = snapshot.version;
  }
  auto it = buckets->buckets.find(&limit);
  if (it == buckets->buckets.end()) {
    it = buckets->buckets.emplace(&limit, policy::ConnectionTokenBucket(limit.limit, now)).first;
  }
  return it->second.try_take(now);
}

void PolicyStage::decorate(http::Response& response, const PolicyState& state) {
  if (state.cors) {
    for (const auto& [name, value] : state.cors->response_headers(state.origin))
      set_header(response, name, value);
  }
  if (state.rate) {
    // Retry-After is on the 429 already (make_error_response); here only the x-ratelimit-* trio.
    for (const auto& field : policy::rate_limit_headers(*state.rate, true)) {
      if (core::iequals_ascii(field.name, "retry-after")) continue;
      response.set(field.name, field.value());
    }
  }
}

}  // namespace lambdagate::proxy
