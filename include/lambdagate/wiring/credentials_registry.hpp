#pragma once
// CredentialsRegistry: the long-lived owner of every CredentialsCache, one per distinct
// CredentialPlan key. It outlives configuration snapshots, so a reload keeps credentials that
// are already fetched, and two Upstreams on the same role share one cache and one STS call.
// Caches run on the control thread, with their own HTTP client for STS and container calls.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "lambdagate/aws/credential_chain.hpp"
#include "lambdagate/aws/credentials_cache.hpp"
#include "lambdagate/core/clock.hpp"
#include "lambdagate/core/sleeper.hpp"
#include "lambdagate/core/task.hpp"
#include "lambdagate/http/client.hpp"

namespace lambdagate::wiring {

// How to reach STS, from Settings serviceAccountCredentials and the environment.
struct StsContext {
  http::Endpoint endpoint;
  std::string region;  // signing region for AssumeRole
  std::chrono::milliseconds timeout{5000};
};

class CredentialsRegistry {
 public:
  CredentialsRegistry(core::Executor control, http::HttpClient& http, const core::Clock& clock,
                      std::shared_ptr<core::Sleeper> sleeper);
  ~CredentialsRegistry();

  // The cache for `plan`, created and started on first use. Static plans get a cache too, so
  // every Upstream reports its credentials the same way.
  std::shared_ptr<aws::CredentialsCache> obtain(const aws::CredentialPlan& plan, const StsContext& sts,
                                                const aws::RefreshPolicy& policy);

  // Hears the failed fetches and refreshes of every cache created from now on: the cache's key
  // and description, and the problem.
  using FailureReport = std::function<void(const std::string& key, const std::string& description,
                                           std::string_view problem)>;
  void on_failure(FailureReport report) { on_failure_ = std::move(report); }

  struct Entry {
    std::string key;
    std::string description;
    std::shared_ptr<aws::CredentialsCache> cache;
  };
  std::vector<Entry> entries() const;

  void stop_all();

 private:
  std::shared_ptr<aws::CredentialsProvider> make_provider(const aws::CredentialPlan& plan,
                                                          const StsContext& sts,
                                                          const aws::RefreshPolicy& policy);

  core::Executor control_;
  http::HttpClient& http_;
  const core::Clock& clock_;
  std::shared_ptr<core::Sleeper> sleeper_;
  FailureReport on_failure_;
  mutable std::mutex mutex_;  // obtain() runs at load and reload; entries() on admin requests
  std::map<std::string, Entry> caches_;
};

}  // namespace lambdagate::wiring
