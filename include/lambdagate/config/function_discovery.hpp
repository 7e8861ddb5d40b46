#pragma once
// Which Upstreams function discovery looks at (gloo.md §4), as one pure rule shared by config
// validation (a route may then name a function no hand-written lambdaFunctions entry has) and the
// discovery module (which Upstreams get a Discoverer).
#include <string_view>

#include "lambdagate/config/model.hpp"

namespace lambdagate::config {

// The Upstream label Gloo's FDS reads, and the two values that mean anything.
inline constexpr std::string_view kFunctionDiscoveryLabel = "discovery.solo.io/function_discovery";
inline constexpr std::string_view kFunctionDiscoveryEnabled = "enabled";
inline constexpr std::string_view kFunctionDiscoveryDisabled = "disabled";

// Whether function discovery runs for `upstream` under `settings` (null = no Settings document):
// BLACKLIST (the default, also without Settings): unless labelled `disabled`; WHITELIST: only
// when labelled `enabled` (unlike Gloo, which discovered every AWS Upstream anyway, #7916);
// DISABLED: never, whatever the label says.
bool discovery_enabled(const Upstream& upstream, const Settings* settings);

}  // namespace lambdagate::config
