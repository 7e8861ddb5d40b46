#include "lambdagate/proxy/snapshot.hpp"

#include "lambdagate/aws/lambda_api.hpp"
#include "lambdagate/aws/sts.hpp"
#include "lambdagate/discovery/discovery_policy.hpp"
#include "lambdagate/discovery/discovery_registry.hpp"
#include "lambdagate/proxy/credentials_registry.hpp"

namespace lambdagate::proxy {

namespace {

// Credentials fixed for the life of the snapshot (a Secret or environment keys).
class FixedCredentialsSource final : public aws::CredentialsSource {
public:
  explicit FixedCredentialsSource(aws::Credentials credentials)
      : credentials_(std::make_shared<const aws::Credentials>(std::move(credentials))) {}
  std::shared_ptr<const aws::Credentials> current(core::SystemTime now) const override {
    return credentials_->expired_at(now) ? nullptr : credentials_;
  }

private:
  std::shared_ptr<const aws::Credentials> credentials_;
};

std::string default_region(aws::EnvLookup env) {
  if (auto r = env("AWS_REGION"); r && !r->empty()) return *r;
  if (auto r = env("AWS_DEFAULT_REGION"); r && !r->empty()) return *r;
  return {};
}

}  // namespace

const UpstreamRuntime* Snapshot::find_upstream(const config::ResourceRef& ref) const {
  auto it = upstreams.find(ref);
  return it == upstreams.end() ? nullptr : &it->second;
}

SnapshotBuild build_snapshot(std::shared_ptr<const config::Config> config, const Environment& environment,
                             std::uint64_t version, core::SystemTime now) {
  SnapshotBuild build;
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->version = version;
  snapshot->loaded_at = now;
  snapshot->config = config;
  snapshot->routes = routing::RouteTable::compile(config);

  // STS: Settings serviceAccountCredentials, else the environment's region.
  const config::ServiceAccountCredentials sac =
      (config->settings && config->settings->service_account_credentials) ? *config->settings->service_account_credentials
                                                                          : config::ServiceAccountCredentials{};
  StsContext sts;
  sts.region = !sac.region.empty() ? sac.region : default_region(environment.env);
  if (sts.region.empty()) sts.region = "us-east-1";
  sts.timeout = sac.timeout.value_or(std::chrono::milliseconds(5000));
  std::string sts_error;
  const auto sts_endpoint = aws::sts_endpoint(sts.region, sac.uri, environment.env, &sts_error);
  if (sts_endpoint) sts.endpoint = *sts_endpoint;
  aws::RefreshPolicy policy;
  if (config->settings && config->settings->credential_refresh_margin) {
    policy.max_margin = std::chrono::duration_cast<std::chrono::seconds>(*config->settings->credential_refresh_margin);
    if (policy.max_margin.count() == 0) policy.max_margin = std::chrono::seconds(1);
  }

  for (const auto& upstream : config->upstreams) {
    UpstreamRuntime rt;
    rt.upstream = &upstream;
    rt.key = upstream.metadata.namespace_ + "/" + upstream.metadata.name;
    rt.region = upstream.aws.region.empty() ? default_region(environment.env) : upstream.aws.region;
    if (rt.region.empty()) {
      build.errors.push_back(upstream.where.file + ":" + std::to_string(upstream.where.line) + ": upstream " + rt.key +
                             " has no spec.aws.region and neither AWS_REGION nor AWS_DEFAULT_REGION is set");
      continue;
    }
    std::string error;
    auto endpoint = aws::lambda_endpoint(rt.region, environment.env, &error);
    if (!endpoint) {
      build.errors.push_back("Lambda endpoint for upstream " + rt.key + ": " + error);
      continue;
    }
    rt.endpoint = *endpoint;

    aws::UpstreamCredentialSpec spec;
    spec.role_arn = upstream.aws.role_arn;
    spec.disable_role_chaining = upstream.aws.disable_role_chaining;
    if (upstream.aws.secret_ref) {
      const auto* secret = config->find_secret(*upstream.aws.secret_ref);
      if (secret && secret->aws) {
        spec.secret = aws::Credentials{secret->aws->access_key_id, secret->aws->secret_access_key,
                                       secret->aws->session_token, std::nullopt};
        spec.secret_name = secret->metadata.namespace_ + "/" + secret->metadata.name;
      }
    }
    const aws::CredentialPlan plan = aws::plan_credentials(spec, environment.env, environment.session_name);
    rt.credential_source = plan.description;
    rt.role_arn = plan.role_arn;
    const bool needs_sts = plan.kind == aws::CredentialPlan::Kind::WebIdentity ||
                           plan.kind == aws::CredentialPlan::Kind::AssumeRole;
    if (needs_sts && !sts_endpoint) {
      build.errors.push_back("STS endpoint for upstream " + rt.key + ": " + sts_error);
      continue;
    }
    if (plan.kind == aws::CredentialPlan::Kind::None) {
      rt.credential_problem = plan.problem;
    } else if (environment.credentials) {
      auto cache = environment.credentials->obtain(plan, sts, policy);
      rt.credentials = cache;
      rt.cache = cache;
      if (!cache) rt.credential_problem = "cannot use " + plan.description;
    } else if (plan.kind == aws::CredentialPlan::Kind::Static) {
      rt.credentials = std::make_shared<FixedCredentialsSource>(plan.credentials);
    } else {
      rt.credential_problem = "not fetched (validation only)";
    }
    if (!rt.credentials && plan.kind == aws::CredentialPlan::Kind::None) {
      build.warnings.push_back("upstream " + rt.key + ": " + plan.problem +
                               "; its routes answer 503 credentials_unavailable");
    }
    snapshot->upstreams.emplace(config::ResourceRef{upstream.metadata.name, upstream.metadata.namespace_},
                                std::move(rt));
  }
  if (!build.errors.empty()) return build;

  // Function discovery, only once the snapshot is known to be good: obtaining may replace an
  // Upstream's discoverer, which a rejected reload must not do.
  if (environment.discovery) {
    const config::Settings* settings = config->settings ? &*config->settings : nullptr;
    const auto options = discovery::discovery_options(settings);
    snapshot->discovery = environment.discovery;
    for (auto& [ref, rt] : snapshot->upstreams) {
      if (!discovery::is_discovered(*rt.upstream, settings)) continue;
      rt.discovered = environment.discovery->obtain({rt.key, rt.region, rt.endpoint, rt.credentials, options});
    }
  }
  build.snapshot = std::move(snapshot);
  return build;
}

}  // namespace lambdagate::proxy
