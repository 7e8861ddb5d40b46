// CredentialsRegistry: one credentials cache per credential plan (see credentials_registry.hpp).
#include "lambdagate/wiring/credentials_registry.hpp"

#include "lambdagate/aws/credential_providers.hpp"

namespace lambdagate::wiring {

CredentialsRegistry::CredentialsRegistry(core::Executor control, http::HttpClient& http,
                                         const core::Clock& clock, std::shared_ptr<core::Sleeper> sleeper)
    : control_(std::move(control)), http_(http), clock_(clock), sleeper_(std::move(sleeper)) {}

CredentialsRegistry::~CredentialsRegistry() { stop_all(); }

std::shared_ptr<aws::CredentialsProvider> CredentialsRegistry::make_provider(
    const aws::CredentialPlan& plan, const StsContext& sts, const aws::RefreshPolicy& policy) {
  aws::StsCallOptions call;
  call.endpoint = sts.endpoint;
  call.signing_region = sts.region;
  call.timeout = sts.timeout;
  switch (plan.kind) {
    case aws::CredentialPlan::Kind::Static:
      return std::make_shared<aws::StaticCredentialsProvider>(plan.credentials, plan.description);
    case aws::CredentialPlan::Kind::WebIdentity:
      return std::make_shared<aws::WebIdentityCredentialsProvider>(
          http_, call, plan.role_arn, plan.token_file, plan.session_name, clock_);
    case aws::CredentialPlan::Kind::AssumeRole: {
      auto base = obtain(*plan.base, sts, policy);
      return std::make_shared<aws::AssumeRoleCredentialsProvider>(http_, call, plan.role_arn,
                                                                  plan.session_name, base, clock_);
    }
    case aws::CredentialPlan::Kind::Container: {
      std::string error;
      auto endpoint = http::parse_endpoint(plan.container_uri, &error);
      if (!endpoint) return nullptr;
      const std::string url = plan.container_uri;
      // The request target is everything after the authority.
      const auto scheme_end = url.find("://");
      const auto path_start = url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
      std::string target = path_start == std::string::npos ? "/" : url.substr(path_start);
      endpoint->base_path.clear();
      return std::make_shared<aws::ContainerCredentialsProvider>(
          http_, *endpoint, target, plan.container_token_file, sts.timeout, clock_);
    }
    case aws::CredentialPlan::Kind::None:
      return nullptr;
  }
  return nullptr;
}

std::shared_ptr<aws::CredentialsCache> CredentialsRegistry::obtain(const aws::CredentialPlan& plan,
                                                                   const StsContext& sts,
                                                                   const aws::RefreshPolicy& policy) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = caches_.find(plan.key); it != caches_.end()) return it->second.cache;
  }
  auto provider = make_provider(plan, sts, policy);
  if (!provider) return nullptr;
  auto cache = std::make_shared<aws::CredentialsCache>(std::move(provider), clock_, sleeper_, policy);
  if (on_failure_) {
    cache->on_failure([report = on_failure_, key = plan.key, description = plan.description](std::string_view problem) {
      report(key, description, problem);
    });
  }
  {
    std::lock_guard lock(mutex_);
    auto [it, inserted] = caches_.emplace(plan.key, Entry{plan.key, plan.description, cache});
    if (!inserted) return it->second.cache;
  }
  cache->start(control_);
  return cache;
}

std::vector<CredentialsRegistry::Entry> CredentialsRegistry::entries() const {
  std::lock_guard lock(mutex_);
  std::vector<Entry> out;
  for (const auto& [key, entry] : caches_) out.push_back(entry);
  return out;
}

void CredentialsRegistry::stop_all() {
  std::lock_guard lock(mutex_);
  for (auto& [key, entry] : caches_) entry.cache->stop();
}

}  // namespace lambdagate::wiring
