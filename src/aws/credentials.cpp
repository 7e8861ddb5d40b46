// The environment credentials provider (DESIGN.md §2: first in the default chain).
#include "lambdagate/aws/credentials.hpp"

#include <cstdlib>

namespace lambdagate::aws {

namespace {

// The SDKs treat a variable set to "" as not set; so do we, so that `AWS_SESSION_TOKEN=` in a
// manifest does not turn long-term keys into a broken temporary pair.
std::optional<std::string> non_empty(EnvLookup env, const char* name) {
  auto value = env(name);
  if (!value || value->empty()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<std::string> process_env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::optional<Credentials> credentials_from_environment(EnvLookup env) {
  auto access_key_id = non_empty(env, "AWS_ACCESS_KEY_ID");
  auto secret_access_key = non_empty(env, "AWS_SECRET_ACCESS_KEY");
  // One key without the other is not a usable pair: report "none" and let the chain go on.
  if (!access_key_id || !secret_access_key) return std::nullopt;
  Credentials credentials;
  credentials.access_key_id = std::move(*access_key_id);
  credentials.secret_access_key = std::move(*secret_access_key);
  if (auto token = non_empty(env, "AWS_SESSION_TOKEN")) credentials.session_token = std::move(*token);
  return credentials;
}

}  // namespace lambdagate::aws
