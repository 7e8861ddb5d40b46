#pragma once
// Where an Upstream's credentials come from (DESIGN.md §2), decided from its spec and the
// environment. Pure: the chain's rules are unit-tested without any provider or socket.
//
//   secretRef                         → the Secret's keys
//   else the default chain            → environment keys → web identity → container credentials
//   then, with roleArn                → web identity + disableRoleChaining: that role, directly
//                                       with the token; otherwise sts:AssumeRole signed with the
//                                       base credentials (one level of chaining)
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "lambdagate/aws/credentials.hpp"

namespace lambdagate::aws {

struct CredentialPlan {
  enum class Kind { Static, WebIdentity, Container, AssumeRole, None };
  Kind kind = Kind::None;
  // Identity of the credentials: Upstreams with equal keys share one cache, so each role has
  // exactly one fetch in flight however many Upstreams use it.
  std::string key;
  std::string description;  // for logs and /upstreams; never a secret

  Credentials credentials;          // Static
  std::string role_arn;             // WebIdentity, AssumeRole
  std::string token_file;           // WebIdentity
  std::string session_name;         // WebIdentity, AssumeRole
  std::string container_uri;        // Container
  std::string container_token_file; // Container
  std::shared_ptr<const CredentialPlan> base;  // AssumeRole: what signs the AssumeRole call
  std::string problem;              // None: why there are no credentials
};

// What an Upstream asks for.
struct UpstreamCredentialSpec {
  std::optional<Credentials> secret;  // the referenced Secret's keys
  std::string secret_name;            // "namespace/name", for descriptions
  std::string role_arn;
  bool disable_role_chaining = false;
};

// The default chain from the environment. `session_name` is used when AWS_ROLE_SESSION_NAME is unset.
CredentialPlan default_chain(EnvLookup env, std::string_view session_name);

CredentialPlan plan_credentials(const UpstreamCredentialSpec& spec, EnvLookup env, std::string_view session_name);

}  // namespace lambdagate::aws
