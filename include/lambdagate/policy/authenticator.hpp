#pragma once
// Authenticator: a virtual host's JWT policy (Gloo's jwtStaged/jwt: providers + validationPolicy)
// compiled once, then applied per request. Per provider: find the token (tokenSource headers
// with their prefix, then query parameters; by default `Authorization: Bearer …`, then the
// `access_token` query parameter, as Envoy), verify it with the provider's keys and rules. Any
// provider accepting is enough. The outcome is a value:
// - allow: with the verified claims, the provider, the claimsToHeaders headers to add, and the
//   token's header to remove (keepToken false);
// - 401 (missing, malformed, expired, unknown key, bad signature …) or 403 (audience not
//   allowed), with the `www-authenticate` value Envoy sends: `Bearer realm="<url>"`, plus
//   `, error="invalid_token"` when a token was present.
// validationPolicy: REQUIRE_VALID denies both; ALLOW_MISSING lets a request without any token
// through; ALLOW_MISSING_OR_FAILED lets every request through (verified claims only when valid).
//
// When no provider accepts and one of them has a remote JWKS that lacks the token's kid (or has
// no keys yet), authenticate_async asks for an early fetch, waits for it within the request's
// deadline, and decides again: a rotated key is picked up by the first request that uses it.
#include <boost/beast/http/message.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lambdagate/config/model.hpp"
#include "lambdagate/core/clock.hpp"
#include "lambdagate/core/deadline.hpp"
#include "lambdagate/core/task.hpp"
#include "lambdagate/http/request.hpp"
#include "lambdagate/policy/jwt_verifier.hpp"
#include "lambdagate/policy/key_set.hpp"

namespace lambdagate::policy {

class JwksFetcher;
class VerifiedTokenCache;

// A header for the request to the function, from claimsToHeaders.
struct ClaimHeader {
  std::string name;  // lower-case
  std::string value;
  bool append = false;  // false: replaces any value the client sent
};

struct AuthResult {
  enum class Verdict { Allow, Unauthorized, Forbidden } verdict = Verdict::Allow;
  // A token verified: its claims (a JSON object) and the provider that accepted it.
  std::shared_ptr<const nlohmann::json> claims;
  std::string provider;
  std::vector<ClaimHeader> headers_to_add;
  std::string header_to_remove;  // lower-case; empty = none (keepToken, or a query parameter)
  // Why no token verified (also when the policy lets the request through anyway); nullopt when
  // one did. With several providers, the one whose check got furthest is reported.
  std::optional<JwtFailure> failure;
  bool token_present = false;
  std::string www_authenticate;  // set on 401 and 403

  bool allowed() const { return verdict == Verdict::Allow; }
  unsigned http_status() const {
    return verdict == Verdict::Forbidden ? 403 : verdict == Verdict::Unauthorized ? 401 : 200;
  }
  // lambdagate's error code for the JSON body: "unauthorized" / "forbidden" (DESIGN.md §4).
  std::string_view error_code() const { return verdict == Verdict::Forbidden ? "forbidden" : "unauthorized"; }
  // A message safe for the client.
  std::string_view message() const { return failure ? describe(*failure) : std::string_view{}; }
};

// Envoy's realm: scheme://host/path of the request, without its query.
std::string bearer_realm(std::string_view scheme, std::string_view host, std::string_view target);
// `Bearer realm="…"` (+ `, error="invalid_token"` when a token was present); quotes and
// backslashes in the realm are escaped.
std::string bearer_challenge(std::string_view realm, bool token_present);

class Authenticator {
 public:
  // Resolves a provider's jwks.remote to the fetcher that serves it (the runtime keeps one per
  // URL, started on the control thread, shared across config reloads).
  using RemoteJwksResolver = std::function<std::shared_ptr<JwksFetcher>(const config::JwtProvider&)>;

  // Throws PolicyError (with the provider's file:line) for a local key that does not parse, a
  // provider with neither local nor remote keys, or a remote one with no resolver.
  Authenticator(const config::JwtConfig& config, RemoteJwksResolver remote = {}, JwtLimits limits = {});
  ~Authenticator();
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  // Decides with the keys at hand, without waiting. `realm` as from bearer_realm(). `cache`:
  // the calling worker's verified tokens (verified_token_cache.hpp); null verifies every time.
  AuthResult authenticate(const http::RequestHeader& request, core::SystemTime now, std::string_view realm,
                          VerifiedTokenCache* cache = nullptr) const;

  // The same, but when a remote JWKS lacks the token's kid (or has no keys yet), waits for one
  // early fetch — no longer than `deadline` — and decides again.
  core::Task<AuthResult> authenticate_async(const http::RequestHeader& request, const core::Clock& clock,
                                            core::Deadline deadline, std::string_view realm,
                                            VerifiedTokenCache* cache = nullptr) const;

  std::size_t provider_count() const;

 private:
  struct Provider;
  struct Evaluation;
  Evaluation evaluate(const http::RequestHeader& request, core::SystemTime now, std::string_view realm,
                      VerifiedTokenCache* cache) const;

  std::vector<std::unique_ptr<Provider>> providers_;
  config::JwtValidationPolicy policy_;
  JwtLimits limits_;
};

// The verified claims as API Gateway hands them to a function (ready-to-embed JSON text):
// payload 2.0 `requestContext.authorizer` = {"jwt": {"claims": {…}, "scopes": […] | null}},
// payload 1.0 `requestContext.authorizer` = {"claims": {…}, "scopes": […] | null}.
// Claim values become strings as API Gateway does: strings as they are, numbers and booleans as
// their JSON text, arrays of scalars as "[a b c]", objects as JSON text. Scopes come from the
// `scope` claim (space-separated) or `scp` (array or string); null when neither is present.
std::string api_gateway_v2_authorizer(const nlohmann::json& claims);
std::string api_gateway_v1_authorizer(const nlohmann::json& claims);

// A claim's value in a request header (claimsToHeaders): strings as is, anything else as JSON
// text. nullopt when the result could not be a header value (CR, LF or NUL in it).
std::optional<std::string> claim_header_value(const nlohmann::json& value);

}  // namespace lambdagate::policy
