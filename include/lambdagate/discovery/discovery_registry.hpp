#pragma once
// DiscoveryRegistry: the long-lived owner of every Upstream's Discoverer. Like
// wiring::CredentialsRegistry it outlives configuration snapshots, so a reload keeps the functions
// already discovered and the polling rhythm, and only an Upstream whose discovery inputs changed
// gets a new discoverer. Discoverers run on the control executor.
//
// Threads: obtain() and retain() run on the control thread at load and reload; entries() on the
// admin thread; request_round() on worker threads (it only posts to the control executor).
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "lambdagate/aws/credentials.hpp"
#include "lambdagate/core/clock.hpp"
#include "lambdagate/core/sleeper.hpp"
#include "lambdagate/core/task.hpp"
#include "lambdagate/discovery/discoverer.hpp"
#include "lambdagate/discovery/discovery_policy.hpp"
#include "lambdagate/discovery/function_catalog.hpp"
#include "lambdagate/discovery/function_lister.hpp"
#include "lambdagate/http/client.hpp"

namespace lambdagate::discovery {

// What discovery of one Upstream needs, resolved at snapshot build (proxy::UpstreamRuntime has
// all of it; wiring/snapshot_builder.cpp fills it in).
struct DiscoveryTarget {
  std::string upstream_key;  // "namespace/name"
  std::string region;
  http::Endpoint endpoint;  // the Lambda endpoint, as for Invoke
  // The Upstream's credentials. Pass the long-lived source (CredentialsRegistry's cache): its
  // identity is part of the discoverer's key, so a per-snapshot object would restart discovery
  // at every reload. Null: every round fails with "no usable AWS credentials", visibly.
  std::shared_ptr<const aws::CredentialsSource> credentials;
  DiscoveryOptions options;
};

class DiscoveryRegistry {
 public:
  // Makes the FunctionLister for a target (a test seam; the default constructor's factory signs
  // ListFunctions/ListAliases with the target's credentials over `http`).
  using ListerFactory = std::function<std::shared_ptr<FunctionLister>(const DiscoveryTarget&)>;

  // `http` is the control thread's client (as CredentialsRegistry's); `observer` hears every
  // round of every discoverer, on the control thread.
  DiscoveryRegistry(core::Executor control, http::HttpClient& http, const core::Clock& clock,
                    std::shared_ptr<core::Sleeper> sleeper, RoundObserver observer = {});
  DiscoveryRegistry(core::Executor control, ListerFactory make_lister, const core::Clock& clock,
                    std::shared_ptr<core::Sleeper> sleeper, RoundObserver observer = {});
  ~DiscoveryRegistry();

  DiscoveryRegistry(const DiscoveryRegistry&) = delete;
  DiscoveryRegistry& operator=(const DiscoveryRegistry&) = delete;

  // The discovered functions of target.upstream_key, with a discoverer started on first use. The
  // same key with other inputs (region, endpoint, credentials source, options) replaces the
  // discoverer; the functions found so far are kept (and served until the new discoverer's first
  // round) when region and endpoint are unchanged, since they are still the same account's
  // functions in the same place. Never null.
  std::shared_ptr<const DiscoveredFunctions> obtain(const DiscoveryTarget& target);

  // Stops and forgets the discoverers of Upstreams not in `keys_in_use` (call after publishing a
  // snapshot, with its discovered Upstreams). An older snapshot still holding their functions
  // keeps reading the last catalog.
  void retain(const std::vector<std::string>& keys_in_use);

  struct Entry {
    std::string upstream_key;
    std::string region;
    std::size_t function_count = 0;  // entries in the catalog served now
    DiscoveredFunctions::Status status;
    std::shared_ptr<const DiscoveredFunctions> functions;
  };
  // Sorted by upstream key; for /upstreams and /metrics.
  std::vector<Entry> entries() const;

  // An early round for `upstream_key` (a request named an unknown function); rate-limited by the
  // discoverer. Unknown keys are ignored.
  void request_round(const std::string& upstream_key);

  // Stops every discoverer (shutdown). entries() keeps reporting their last state.
  void stop_all();

 private:
  struct Running {
    std::string identity;  // region, endpoint, credentials identity, options
    DiscoveryTarget target;
    std::shared_ptr<DiscoveredFunctions> functions;
    std::shared_ptr<Discoverer> discoverer;
  };

  core::Executor control_;
  ListerFactory make_lister_;
  const core::Clock& clock_;
  std::shared_ptr<core::Sleeper> sleeper_;
  RoundObserver observer_;
  mutable std::mutex mutex_;
  std::map<std::string, Running> running_;
};

}  // namespace lambdagate::discovery
