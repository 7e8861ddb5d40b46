#include "lambdagate/proxy/snapshot.hpp"

#include "lambdagate/aws/lambda_api.hpp"

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

  const auto env_credentials = aws::credentials_from_environment(environment.env);
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

    if (upstream.aws.secret_ref) {
      const auto* secret = config->find_secret(*upstream.aws.secret_ref);
      if (secret && secret->aws) {
        rt.credentials = std::make_shared<FixedCredentialsSource>(aws::Credentials{
            secret->aws->access_key_id, secret->aws->secret_access_key, secret->aws->session_token, std::nullopt});
        rt.credential_source = "secret " + secret->metadata.namespace_ + "/" + secret->metadata.name;
      }
    } else if (env_credentials) {
      rt.credentials = std::make_shared<FixedCredentialsSource>(*env_credentials);
      rt.credential_source = "environment";
    }
    if (!rt.credentials) {
      rt.credential_source = "none";
      build.warnings.push_back("upstream " + rt.key +
                               " has no credentials (no secretRef and no AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY); "
                               "its routes answer 503 credentials_unavailable");
    }
    snapshot->upstreams.emplace(config::ResourceRef{upstream.metadata.name, upstream.metadata.namespace_},
                                std::move(rt));
  }
  if (build.errors.empty()) build.snapshot = std::move(snapshot);
  return build;
}

}  // namespace lambdagate::proxy
