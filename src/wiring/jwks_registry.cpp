// JwksRegistry: one remote JWKS fetcher per URL, kept across reloads (see jwks_registry.hpp).
#include "lambdagate/wiring/jwks_registry.hpp"

#include <algorithm>

namespace lambdagate::wiring {

JwksRegistry::JwksRegistry(core::Executor control, std::shared_ptr<http::HttpClient> http,
                           const core::Clock& clock, std::shared_ptr<core::Sleeper> sleeper,
                           policy::JwksObserver observer, policy::JwksFetcherOptions options)
    : control_(std::move(control)),
      http_(std::move(http)),
      clock_(clock),
      sleeper_(std::move(sleeper)),
      observer_(std::move(observer)),
      options_(std::move(options)) {}

JwksRegistry::~JwksRegistry() { stop_all(); }

std::shared_ptr<policy::JwksFetcher> JwksRegistry::obtain(const config::RemoteJwks& remote) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = fetchers_.find(remote.url); it != fetchers_.end()) return it->second;
  }
  auto fetcher = std::make_shared<policy::JwksFetcher>(remote.url, remote.cache_duration, http_, clock_,
                                                       sleeper_, options_, observer_);
  {
    std::lock_guard lock(mutex_);
    auto [it, inserted] = fetchers_.emplace(remote.url, fetcher);
    if (!inserted) return it->second;
  }
  fetcher->start(control_);
  return fetcher;
}

std::map<std::string, std::shared_ptr<policy::JwksFetcher>> JwksRegistry::fetchers() const {
  std::lock_guard lock(mutex_);
  return fetchers_;
}

void JwksRegistry::retain(const std::vector<std::string>& urls_in_use) {
  std::lock_guard lock(mutex_);
  for (auto it = fetchers_.begin(); it != fetchers_.end();) {
    if (std::find(urls_in_use.begin(), urls_in_use.end(), it->first) != urls_in_use.end()) {
      ++it;
      continue;
    }
    it->second->stop();
    it = fetchers_.erase(it);
  }
}

void JwksRegistry::stop_all() {
  std::lock_guard lock(mutex_);
  for (auto& [url, fetcher] : fetchers_) fetcher->stop();
}

}  // namespace lambdagate::wiring
