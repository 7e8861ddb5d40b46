#pragma once
// JwksRegistry: the long-lived owner of every remote JWKS fetcher (jwks.remote), one per URL.
// Like the CredentialsRegistry it outlives configuration snapshots, so a reload keeps the keys
// already fetched and two providers naming the same URL share one fetcher. Fetchers run on the
// control thread, through its HTTPS client (system CAs plus AWS_CA_BUNDLE), and are stopped with
// the process. When two providers give the same URL different cacheDurations, the first wins.
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "lambdagate/config/model.hpp"
#include "lambdagate/core/clock.hpp"
#include "lambdagate/core/sleeper.hpp"
#include "lambdagate/core/task.hpp"
#include "lambdagate/http/client.hpp"
#include "lambdagate/policy/jwks_fetcher.hpp"

namespace lambdagate::wiring {

class JwksRegistry {
 public:
  // `http` is used only on `control`.
  JwksRegistry(core::Executor control, std::shared_ptr<http::HttpClient> http,
               const core::Clock& clock, std::shared_ptr<core::Sleeper> sleeper,
               policy::JwksObserver observer = {}, policy::JwksFetcherOptions options = {});
  ~JwksRegistry();
  JwksRegistry(const JwksRegistry&) = delete;
  JwksRegistry& operator=(const JwksRegistry&) = delete;

  // The fetcher for `remote.url`, created and started on first use. Throws policy::PolicyError
  // for a URL that cannot be fetched.
  std::shared_ptr<policy::JwksFetcher> obtain(const config::RemoteJwks& remote);

  // Stops and forgets the fetchers of URLs no longer named by the configuration in force (call
  // after publishing a reloaded snapshot). Requests still on an older snapshot keep the keys their
  // fetcher last had; a URL named again later gets a fresh fetcher.
  void retain(const std::vector<std::string>& urls_in_use);

  std::map<std::string, std::shared_ptr<policy::JwksFetcher>> fetchers() const;

  void stop_all();

 private:
  core::Executor control_;
  std::shared_ptr<http::HttpClient> http_;
  const core::Clock& clock_;
  std::shared_ptr<core::Sleeper> sleeper_;
  policy::JwksObserver observer_;
  policy::JwksFetcherOptions options_;
  mutable std::mutex mutex_;  // obtain()/retain() at load and reload, fetchers() from anywhere
  std::map<std::string, std::shared_ptr<policy::JwksFetcher>> fetchers_;
};

}  // namespace lambdagate::wiring
