// DiscoveryRegistry: one Discoverer per discovered Upstream, kept across reloads.
#include "lambdagate/discovery/discovery_registry.hpp"

#include <set>
#include <sstream>

#include "lambdagate/aws/lambda_listing.hpp"

namespace lambdagate::discovery {

namespace {

// Where the functions live: a change here means the catalog found so far is someone else's.
std::string location_of(const DiscoveryTarget& target) {
  return target.region + " " + target.endpoint.to_string() + target.endpoint.base_path;
}

std::string identity_of(const DiscoveryTarget& target) {
  std::ostringstream out;
  // The credentials source by identity: CredentialsRegistry keeps one per credential plan, and
  // Running keeps it alive, so the address cannot be reused while it is compared.
  out << location_of(target) << " credentials=" << static_cast<const void*>(target.credentials.get()) << " "
      << target.options.key();
  return out.str();
}

}  // namespace

DiscoveryRegistry::DiscoveryRegistry(core::Executor control, http::HttpClient& http,
                                     const core::Clock& clock, std::shared_ptr<core::Sleeper> sleeper,
                                     RoundObserver observer)
    : DiscoveryRegistry(
          std::move(control),
          [&http, &clock](const DiscoveryTarget& target) -> std::shared_ptr<FunctionLister> {
            auto client = std::make_unique<aws::LambdaListingClient>(http, target.endpoint, target.region,
                                                                     target.credentials, clock);
            return std::make_shared<LambdaFunctionLister>(std::move(client));
          },
          clock, std::move(sleeper), std::move(observer)) {}

DiscoveryRegistry::DiscoveryRegistry(core::Executor control, ListerFactory make_lister,
                                     const core::Clock& clock, std::shared_ptr<core::Sleeper> sleeper,
                                     RoundObserver observer)
    : control_(std::move(control)),
      make_lister_(std::move(make_lister)),
      clock_(clock),
      sleeper_(std::move(sleeper)),
      observer_(std::move(observer)) {}

DiscoveryRegistry::~DiscoveryRegistry() { stop_all(); }

std::shared_ptr<const DiscoveredFunctions> DiscoveryRegistry::obtain(const DiscoveryTarget& target) {
  const std::string identity = identity_of(target);
  std::shared_ptr<DiscoveredFunctions> functions;
  std::shared_ptr<Discoverer> replaced;
  {
    std::lock_guard lock(mutex_);
    auto it = running_.find(target.upstream_key);
    if (it != running_.end()) {
      if (it->second.identity == identity) return it->second.functions;
      replaced = it->second.discoverer;
      if (location_of(it->second.target) == location_of(target)) functions = it->second.functions;
    }
  }
  // Stopped before the new one starts: both would otherwise record into the same functions.
  if (replaced) replaced->stop();
  if (!functions) functions = std::make_shared<DiscoveredFunctions>();

  auto discoverer = std::make_shared<Discoverer>(target.upstream_key, make_lister_(target), functions, clock_,
                                                 sleeper_, target.options, observer_);
  {
    std::lock_guard lock(mutex_);
    running_[target.upstream_key] = Running{identity, target, functions, discoverer};
  }
  discoverer->start(control_);
  return functions;
}

void DiscoveryRegistry::retain(const std::vector<std::string>& keys_in_use) {
  const std::set<std::string> keep(keys_in_use.begin(), keys_in_use.end());
  std::vector<std::shared_ptr<Discoverer>> stopping;
  {
    std::lock_guard lock(mutex_);
    for (auto it = running_.begin(); it != running_.end();) {
      if (keep.contains(it->first)) {
        ++it;
        continue;
      }
      stopping.push_back(it->second.discoverer);
      it = running_.erase(it);
    }
  }
  for (auto& discoverer : stopping) discoverer->stop();
}

std::vector<DiscoveryRegistry::Entry> DiscoveryRegistry::entries() const {
  std::lock_guard lock(mutex_);
  std::vector<Entry> out;
  out.reserve(running_.size());
  for (const auto& [key, running] : running_) {
    const auto catalog = running.functions->catalog();
    out.push_back(Entry{key, running.target.region, catalog ? catalog->functions.size() : 0,
                        running.functions->status(), running.functions});
  }
  return out;
}

void DiscoveryRegistry::request_round(const std::string& upstream_key) {
  std::shared_ptr<Discoverer> discoverer;
  {
    std::lock_guard lock(mutex_);
    auto it = running_.find(upstream_key);
    if (it == running_.end()) return;
    discoverer = it->second.discoverer;
  }
  discoverer->request_round();
}

void DiscoveryRegistry::stop_all() {
  std::lock_guard lock(mutex_);
  for (auto& [key, running] : running_) running.discoverer->stop();
}

}  // namespace lambdagate::discovery
