// The function discovery selection rule (see function_discovery.hpp).
#include "lambdagate/config/function_discovery.hpp"

#include <string>

namespace lambdagate::config {

bool discovery_enabled(const Upstream& upstream, const Settings* settings) {
  using FdsMode = DiscoverySettings::FdsMode;
  const FdsMode mode = settings ? settings->discovery.fds_mode : FdsMode::Blacklist;
  const auto label = upstream.metadata.labels.find(std::string(kFunctionDiscoveryLabel));
  const std::string_view value =
      label == upstream.metadata.labels.end() ? std::string_view{} : std::string_view(label->second);
  switch (mode) {
    case FdsMode::Blacklist:
      return value != kFunctionDiscoveryDisabled;
    case FdsMode::Whitelist:
      return value == kFunctionDiscoveryEnabled;
    case FdsMode::Disabled:
      return false;
  }
  return false;
}

}  // namespace lambdagate::config
