#pragma once
// Snapshot building: a loaded Config made ready for the request path (DESIGN.md §2, §7): routes
// compiled; each Upstream's region, Lambda endpoint and credentials resolved (a Secret, the
// default chain, a role), the caches obtained from the CredentialsRegistry so that a reload keeps
// what is fetched; and function discovery attached. Part of the wiring: it connects config, aws
// and discovery into what proxy reads.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lambdagate/aws/credentials.hpp"
#include "lambdagate/config/model.hpp"
#include "lambdagate/core/clock.hpp"
#include "lambdagate/proxy/snapshot.hpp"

namespace lambdagate::discovery {
class DiscoveryRegistry;
}  // namespace lambdagate::discovery

namespace lambdagate::wiring {

class CredentialsRegistry;
class JwksRegistry;

// What snapshot building needs from outside the configuration (tests pass their own).
struct Environment {
  aws::EnvLookup env = &aws::process_env;
  // Owner of the credential caches. Null (--validate, tests): static keys are used directly and
  // nothing is ever fetched.
  CredentialsRegistry* credentials = nullptr;
  // Owner of the function discoverers. Null (--validate, tests): nothing is discovered.
  discovery::DiscoveryRegistry* discovery = nullptr;
  // Owner of the remote JWKS fetchers. Null (--validate, tests): they are never started.
  JwksRegistry* jwks = nullptr;
  // Where rate-limit buckets take their start time from (they refill on its steady time). Null:
  // the system clock (tests that do not look at buckets, --validate).
  const core::Clock* clock = nullptr;
  std::string session_name = "lambdagate";  // RoleSessionName when AWS_ROLE_SESSION_NAME is unset
};

struct SnapshotBuild {
  std::shared_ptr<const proxy::Snapshot> snapshot;  // null when errors is not empty
  std::vector<std::string> errors;                  // problems config validation cannot see (env overrides)
  std::vector<std::string> warnings;                // e.g. an Upstream without credentials
};

SnapshotBuild build_snapshot(std::shared_ptr<const config::Config> config, const Environment& environment,
                             std::uint64_t version, core::SystemTime now);

// The configuration files loaded and built into a snapshot, with every problem as a printable
// line ("FILE:LINE: message", "error: …", "warning: …"). Never throws for bad input.
struct LoadedSnapshot {
  std::shared_ptr<const proxy::Snapshot> snapshot;  // null when there are errors
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
  std::vector<std::string> notices;  // info diagnostics: logged at info, not warn
  // Warnings and notices together in the order of the files, as --validate prints them.
  std::vector<std::string> report;
};
LoadedSnapshot load_snapshot(const std::vector<std::string>& paths, std::uint64_t version,
                             core::SystemTime now, const Environment& environment);

}  // namespace lambdagate::wiring
