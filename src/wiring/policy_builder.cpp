// Policy building: CORS, JWT, rate limits and concurrency caps per route (see policy_builder.hpp).
#include "lambdagate/wiring/policy_builder.hpp"

#include <map>

#include "lambdagate/config/gateway_binding.hpp"
#include "lambdagate/policy/jwks_fetcher.hpp"
#include "lambdagate/policy/policy_error.hpp"
#include "lambdagate/wiring/jwks_registry.hpp"

namespace lambdagate::wiring {

namespace {

// The Gateway-level settings a virtual host is served with: the first Gateway binding it that
// writes httpLocalRatelimit.
std::map<const config::VirtualService*, const config::HttpLocalRateLimitSettings*> gateway_limits(
    const std::vector<config::GatewayBinding>& bindings) {
  std::map<const config::VirtualService*, const config::HttpLocalRateLimitSettings*> out;
  for (const auto& binding : bindings) {
    if (!binding.gateway.http_local_rate_limit) continue;
    for (const auto* vs : binding.virtual_services) out.emplace(vs, &*binding.gateway.http_local_rate_limit);
  }
  return out;
}

std::shared_ptr<const proxy::RateLimitPolicy> rate_limit_policy(
    std::string_view level, const config::LocalRateLimit& limit,
    const config::HttpLocalRateLimitSettings* gateway, core::SteadyTime now) {
  auto policy = std::make_shared<proxy::RateLimitPolicy>();
  policy->level = level;
  policy->limit = limit;
  policy->per_connection = gateway && gateway->per_downstream_connection;
  policy->x_ratelimit_headers = gateway && gateway->enable_x_ratelimit_headers;
  // Built even per connection: it checks the bucket's shape once, here, with file and line.
  policy->shared = std::make_shared<policy::SharedTokenBucket>(limit, now);
  if (policy->per_connection) policy->shared.reset();
  return policy;
}

// What serves a remote JWKS without a registry: a fetcher that is never started.
std::shared_ptr<policy::JwksFetcher> unstarted_fetcher(const config::RemoteJwks& remote) {
  // Stateless; the fetcher only keeps a reference to it.
  static const core::SystemClock clock;
  return std::make_shared<policy::JwksFetcher>(remote.url, remote.cache_duration, nullptr, clock, nullptr);
}

struct HostPolicies {
  std::shared_ptr<const policy::Authenticator> authenticator;
  std::shared_ptr<const proxy::RateLimitPolicy> rate_limit;  // the host's own, else the Gateway's
  const config::HttpLocalRateLimitSettings* gateway = nullptr;
};

}  // namespace

void build_policies(const config::Config& config, JwksRegistry* jwks, core::SteadyTime now,
                    proxy::PolicyIndex& out, std::vector<std::string>& errors) {
  const auto bindings = config::bind_gateways(config);
  const auto gateway_of = gateway_limits(bindings);
  // One Gateway-level bucket per Gateway.
  std::map<const config::HttpLocalRateLimitSettings*, std::shared_ptr<const proxy::RateLimitPolicy>>
      gateway_buckets;
  const policy::Authenticator::RemoteJwksResolver resolve = [jwks](const config::JwtProvider& provider) {
    return jwks ? jwks->obtain(*provider.remote_jwks) : unstarted_fetcher(*provider.remote_jwks);
  };

  for (const auto& vs : config.virtual_services) {
    try {
      HostPolicies host;
      const auto found = gateway_of.find(&vs);
      host.gateway = found == gateway_of.end() ? nullptr : found->second;
      if (vs.options.jwt)
        host.authenticator = std::make_shared<const policy::Authenticator>(*vs.options.jwt, resolve);
      if (vs.options.rate_limit) {
        host.rate_limit = rate_limit_policy("virtual_host", *vs.options.rate_limit, host.gateway, now);
      } else if (host.gateway && host.gateway->default_limit) {
        auto& bucket = gateway_buckets[host.gateway];
        if (!bucket) bucket = rate_limit_policy("gateway", *host.gateway->default_limit, host.gateway, now);
        host.rate_limit = bucket;
      }
      if (vs.options.cors && !vs.options.cors->disable_for_route) {
        out.host_cors.emplace(&vs, std::make_shared<const policy::CorsRules>(*vs.options.cors));
      }
      for (const auto& route : vs.routes) {
        proxy::RoutePolicies policies;
        const auto& options = route.options;
        if (options.cors && !options.cors->disable_for_route) {
          policies.cors = std::make_shared<const policy::CorsRules>(*options.cors);
        }
        if (!options.jwt_disabled) policies.authenticator = host.authenticator;
        policies.rate_limit = options.rate_limit
                                  ? rate_limit_policy("route", *options.rate_limit, host.gateway, now)
                                  : host.rate_limit;
        if (options.max_concurrency) {
          policies.concurrency = std::make_shared<policy::ConcurrencyLimiter>(*options.max_concurrency);
        }
        if (policies.cors || policies.authenticator || policies.rate_limit || policies.concurrency) {
          out.routes.emplace(&route, std::move(policies));
        }
      }
    } catch (const policy::PolicyError& e) {
      errors.push_back(e.what());
    }
  }

  for (const auto& upstream : config.upstreams) {
    const std::string key = upstream.metadata.namespace_ + "/" + upstream.metadata.name;
    for (const auto& function : upstream.aws.lambda_functions) {
      if (!function.max_concurrency) continue;
      out.functions[key][function.logical_name] =
          std::make_shared<policy::ConcurrencyLimiter>(*function.max_concurrency);
    }
  }
}

std::vector<std::string> remote_jwks_urls(const config::Config& config) {
  std::vector<std::string> urls;
  for (const auto& vs : config.virtual_services) {
    if (!vs.options.jwt) continue;
    for (const auto& provider : vs.options.jwt->providers) {
      if (provider.remote_jwks) urls.push_back(provider.remote_jwks->url);
    }
  }
  return urls;
}

}  // namespace lambdagate::wiring
