// Snapshot building: config → the request path's Snapshot (see snapshot_builder.hpp).
#include "lambdagate/wiring/snapshot_builder.hpp"

#include "lambdagate/aws/lambda_api.hpp"
#include "lambdagate/aws/sts.hpp"
#include "lambdagate/config/loader.hpp"
#include "lambdagate/discovery/discovery_policy.hpp"
#include "lambdagate/discovery/discovery_registry.hpp"
#include "lambdagate/wiring/access_log_sinks.hpp"
#include "lambdagate/wiring/credentials_registry.hpp"
#include "lambdagate/wiring/policy_builder.hpp"

namespace lambdagate::wiring {

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

// How credentials are fetched for this configuration: STS (Settings serviceAccountCredentials,
// else the environment's region) and the refresh margin.
struct CredentialContext {
  StsContext sts;
  bool sts_usable = false;
  std::string sts_error;  // why there is no STS endpoint
  aws::RefreshPolicy policy;
};

CredentialContext credential_context(const config::Config& config, const Environment& environment) {
  CredentialContext context;
  const config::ServiceAccountCredentials sac =
      (config.settings && config.settings->service_account_credentials)
          ? *config.settings->service_account_credentials
          : config::ServiceAccountCredentials{};
  StsContext& sts = context.sts;
  sts.region = !sac.region.empty() ? sac.region : default_region(environment.env);
  if (sts.region.empty()) sts.region = "us-east-1";
  sts.timeout = sac.timeout.value_or(std::chrono::milliseconds(5000));
  const auto sts_endpoint = aws::sts_endpoint(sts.region, sac.uri, environment.env, &context.sts_error);
  if (sts_endpoint) sts.endpoint = *sts_endpoint;
  context.sts_usable = sts_endpoint.has_value();
  if (config.settings && config.settings->credential_refresh_margin) {
    context.policy.max_margin =
        std::chrono::duration_cast<std::chrono::seconds>(*config.settings->credential_refresh_margin);
    if (context.policy.max_margin.count() == 0) context.policy.max_margin = std::chrono::seconds(1);
  }
  return context;
}

// Which credentials an Upstream uses: its Secret, the default chain, a role on top.
aws::CredentialPlan credential_plan(const config::Config& config, const config::Upstream& upstream,
                                    const Environment& environment) {
  aws::UpstreamCredentialSpec spec;
  spec.role_arn = upstream.aws.role_arn;
  spec.disable_role_chaining = upstream.aws.disable_role_chaining;
  if (upstream.aws.secret_ref) {
    const auto* secret = config.find_secret(*upstream.aws.secret_ref);
    if (secret && secret->aws) {
      spec.secret = aws::Credentials{secret->aws->access_key_id, secret->aws->secret_access_key,
                                     secret->aws->session_token, std::nullopt};
      spec.secret_name = secret->metadata.namespace_ + "/" + secret->metadata.name;
    }
  }
  return aws::plan_credentials(spec, environment.env, environment.session_name);
}

// Gives `rt` its credentials source for `plan`: a cache from the registry, fixed keys when there
// is no registry (--validate, tests), or the reason there is none.
void attach_credentials(const aws::CredentialPlan& plan, const CredentialContext& context,
                        const Environment& environment, proxy::UpstreamRuntime& rt) {
  rt.credential_source = plan.description;
  rt.role_arn = plan.role_arn;
  if (plan.kind == aws::CredentialPlan::Kind::None) {
    rt.credential_problem = plan.problem;
  } else if (environment.credentials) {
    auto cache = environment.credentials->obtain(plan, context.sts, context.policy);
    rt.credentials = cache;
    rt.cache = cache;
    if (!cache) rt.credential_problem = "cannot use " + plan.description;
  } else if (plan.kind == aws::CredentialPlan::Kind::Static) {
    rt.credentials = std::make_shared<FixedCredentialsSource>(plan.credentials);
  } else {
    rt.credential_problem = "not fetched (validation only)";
  }
}

// One Upstream made ready to call; nullopt (with the error recorded) when it cannot be.
std::optional<proxy::UpstreamRuntime> upstream_runtime(const config::Config& config,
                                                       const config::Upstream& upstream,
                                                       const CredentialContext& context,
                                                       const Environment& environment, SnapshotBuild& build) {
  proxy::UpstreamRuntime rt;
  rt.upstream = &upstream;
  rt.key = upstream.metadata.namespace_ + "/" + upstream.metadata.name;
  rt.region = upstream.aws.region.empty() ? default_region(environment.env) : upstream.aws.region;
  if (rt.region.empty()) {
    build.errors.push_back(upstream.where.file + ":" + std::to_string(upstream.where.line) + ": upstream " +
                           rt.key +
                           " has no spec.aws.region and neither AWS_REGION nor AWS_DEFAULT_REGION is set");
    return std::nullopt;
  }
  std::string error;
  auto endpoint = aws::lambda_endpoint(rt.region, environment.env, &error);
  if (!endpoint) {
    build.errors.push_back("Lambda endpoint for upstream " + rt.key + ": " + error);
    return std::nullopt;
  }
  rt.endpoint = *endpoint;

  const aws::CredentialPlan plan = credential_plan(config, upstream, environment);
  const bool needs_sts = plan.kind == aws::CredentialPlan::Kind::WebIdentity ||
                         plan.kind == aws::CredentialPlan::Kind::AssumeRole;
  if (needs_sts && !context.sts_usable) {
    build.errors.push_back("STS endpoint for upstream " + rt.key + ": " + context.sts_error);
    return std::nullopt;
  }
  attach_credentials(plan, context, environment, rt);
  if (!rt.credentials && plan.kind == aws::CredentialPlan::Kind::None) {
    build.warnings.push_back("upstream " + rt.key + ": " + plan.problem +
                             "; its routes answer 503 credentials_unavailable");
  }
  return rt;
}

// Function discovery for the Upstreams that have it on.
void attach_discovery(const config::Config& config, discovery::DiscoveryRegistry& registry,
                      proxy::Snapshot& snapshot) {
  const config::Settings* settings = config.settings ? &*config.settings : nullptr;
  const auto options = discovery::discovery_options(settings);
  snapshot.discovery = &registry;
  for (auto& [ref, rt] : snapshot.upstreams) {
    if (!discovery::is_discovered(*rt.upstream, settings)) continue;
    rt.discovered = registry.obtain({rt.key, rt.region, rt.endpoint, rt.credentials, options});
  }
}

}  // namespace

SnapshotBuild build_snapshot(std::shared_ptr<const config::Config> config, const Environment& environment,
                             std::uint64_t version, core::SystemTime now) {
  SnapshotBuild build;
  auto snapshot = std::make_shared<proxy::Snapshot>();
  snapshot->version = version;
  snapshot->loaded_at = now;
  snapshot->config = config;
  snapshot->routes = routing::RouteTable::compile(config);

  const CredentialContext context = credential_context(*config, environment);
  for (const auto& upstream : config->upstreams) {
    auto rt = upstream_runtime(*config, upstream, context, environment, build);
    if (!rt) continue;
    snapshot->upstreams.emplace(config::ResourceRef{upstream.metadata.name, upstream.metadata.namespace_},
                                std::move(*rt));
  }
  snapshot->access_logs = compile_access_logs(*config, build.errors);
  if (!build.errors.empty()) return build;
  // CORS, JWT, rate limits and concurrency caps; buckets start full at load (a reload refills).
  static const core::SystemClock system_clock;  // stateless; for callers that pass no clock
  const core::Clock& clock = environment.clock ? *environment.clock : system_clock;
  build_policies(*config, environment.jwks, clock.steady_now(), snapshot->policies, build.errors);
  if (!build.errors.empty()) return build;

  // Function discovery, only once the snapshot is known to be good: obtaining may replace an
  // Upstream's discoverer, which a rejected reload must not do.
  if (environment.discovery) attach_discovery(*config, *environment.discovery, *snapshot);
  build.snapshot = std::move(snapshot);
  return build;
}

LoadedSnapshot load_snapshot(const std::vector<std::string>& paths, std::uint64_t version,
                             core::SystemTime now, const Environment& environment) {
  LoadedSnapshot loaded;
  auto result = config::load_config(paths);
  for (const auto& d : result.diagnostics) {
    using Severity = config::Diagnostic::Severity;
    auto& list = d.severity == Severity::Error     ? loaded.errors
                 : d.severity == Severity::Warning ? loaded.warnings
                                                   : loaded.notices;
    list.push_back(d.to_string());
    if (d.severity != Severity::Error) loaded.report.push_back(list.back());
  }
  if (!result.ok()) return loaded;
  auto build = build_snapshot(result.config, environment, version, now);
  for (auto& e : build.errors) loaded.errors.push_back("error: " + e);
  for (auto& w : build.warnings) {
    loaded.warnings.push_back("warning: " + w);
    loaded.report.push_back(loaded.warnings.back());
  }
  loaded.snapshot = std::move(build.snapshot);
  return loaded;
}

}  // namespace lambdagate::wiring
