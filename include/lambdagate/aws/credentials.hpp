#pragma once
// Credentials and the providers that produce them (DESIGN.md §2).
//
// A CredentialsProvider knows one source (environment keys, a Secret, later web identity,
// STS AssumeRole, container credentials) and fetches from it when asked. It never caches:
// caching, refresh and single flight belong to CredentialsCache, which the request path reads.
#include <memory>
#include <optional>
#include <string>
#include <variant>


#include "lambdagate/core/clock.hpp"
#include "lambdagate/core/deadline.hpp"
#include "lambdagate/core/task.hpp"

namespace lambdagate::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;               // empty for long-term keys
  std::optional<core::SystemTime> expiration;  // none = does not expire

  bool expired_at(core::SystemTime now) const { return expiration && now >= *expiration; }
};

// Why a fetch failed; `retryable` tells the cache whether to try again soon.
struct CredentialsError {
  std::string message;  // safe to log: never contains a secret
  bool retryable = false;
};

using CredentialsResult = std::variant<Credentials, CredentialsError>;

class CredentialsProvider {
public:
  virtual ~CredentialsProvider() = default;
  // Fetches credentials from this provider's source.
  virtual core::Task<CredentialsResult> fetch() = 0;
  // A short description for /upstreams and logs, e.g. "environment" or "secret default/aws-creds".
  virtual std::string source() const = 0;
};

// Fixed credentials known at configuration time: environment keys or a Secret.
class StaticCredentialsProvider final : public CredentialsProvider {
public:
  StaticCredentialsProvider(Credentials credentials, std::string source)
      : credentials_(std::move(credentials)), source_(std::move(source)) {}
  core::Task<CredentialsResult> fetch() override { co_return credentials_; }
  std::string source() const override { return source_; }

private:
  Credentials credentials_;
  std::string source_;
};

// Reads AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN from an environment
// lookup function (so tests need not touch the process environment). Returns nullopt when the
// keys are not both set.
using EnvLookup = std::optional<std::string> (*)(const char* name);
std::optional<std::string> process_env(const char* name);
std::optional<Credentials> credentials_from_environment(EnvLookup env = &process_env);

}  // namespace lambdagate::aws

namespace lambdagate::aws {

// What the request path reads: the current usable credentials of one Upstream, published as an
// immutable snapshot. Lock-free; never blocks; never returns expired credentials.
class CredentialsSource {
public:
  virtual ~CredentialsSource() = default;
  // Usable credentials at `now`, or null when there are none (the caller answers 503
  // credentials_unavailable, never sends an unsigned request).
  virtual std::shared_ptr<const Credentials> current(core::SystemTime now) const = 0;
  // For a request that found none: waits for a fetch already in flight, up to the deadline.
  // Sources that never fetch answer at once.
  virtual core::Task<std::shared_ptr<const Credentials>> wait_for_credentials(
      core::Deadline deadline) const {
    (void)deadline;
    co_return nullptr;
  }
};

}  // namespace lambdagate::aws
