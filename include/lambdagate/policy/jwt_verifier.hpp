#pragma once
// JWT verification: a compact JWS (RFC 7515) checked against one provider's rules and keys.
// Pure: the token, the keys, the rules and the time in; verified claims or the reason out.
//
// Order of the checks, cheapest first, so a hostile token costs little: size, layout, base64url
// and JSON (bounded depth), the algorithm (never `none` or HS*), the unverified issuer, the time
// claims, the key (by `kid`), the signature, and only then the audience — a 403 for the audience
// is given only to a token that is authentic. Keys tried per token: those with the token's
// `kid`, plus keys without a `kid`; all keys of the right type when the token has no `kid`
// (bounded by KeySetLimits::max_keys).
#include <chrono>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "lambdagate/core/clock.hpp"
#include "lambdagate/policy/key_set.hpp"

namespace lambdagate::policy {

// Why a token was not accepted, in the order verification reaches them (a later stage means the
// token got further: the authenticator reports the furthest failure among its providers).
enum class JwtFailure {
  Missing,               // no token where the provider looks
  TooLarge,              // over JwtLimits
  Malformed,             // not three base64url parts of JSON objects, a bad claim type, `crit`
  UnsupportedAlgorithm,  // `none`, HS*, or an algorithm not in the list
  IssuerMismatch,        // `iss` is not the provider's issuer
  Expired,               // `exp` (plus skew) has passed
  NotYetValid,           // `nbf` (minus skew) is still ahead
  IssuedInFuture,        // `iat` (minus skew) is ahead
  NoKeys,                // the provider has no keys yet (remote JWKS not fetched)
  UnknownKey,            // no key with the token's `kid`
  BadSignature,          // no candidate key verifies the signature
  AudienceNotAllowed,    // authentic, but none of its `aud` is accepted (403)
};
// Stable snake_case name ("bad_signature"), for metrics and logs.
std::string_view to_string(JwtFailure failure);
// A sentence a client may read ("the token has expired"); never echoes token content.
std::string_view describe(JwtFailure failure);

// Bounds on the work and memory one token may cost.
struct JwtLimits {
  std::size_t max_token_bytes = 16 * 1024;
  std::size_t max_header_bytes = 4 * 1024;  // decoded JOSE header
  std::size_t max_json_depth = 16;
};

// One provider's rules.
struct JwtRules {
  std::string issuer;                  // empty = any
  std::vector<std::string> audiences;  // empty = any
  std::chrono::seconds clock_skew{60};
};

struct VerifiedJwt {
  std::shared_ptr<const nlohmann::json> claims;  // the payload, a JSON object
  Algorithm alg = Algorithm::RS256;
  std::string kid;
};

using JwtResult = std::variant<VerifiedJwt, JwtFailure>;

// The parts of a token before any key is consulted. Exposed for the fuzz target and for
// callers that want to look at `kid`/`iss` before verifying.
struct ParsedJwt {
  Algorithm alg = Algorithm::RS256;
  std::string kid;
  std::shared_ptr<nlohmann::json> payload;  // a JSON object
  std::string_view signing_input;           // header.payload, a view into the token
  std::string signature;                    // decoded
};
using ParseResult = std::variant<ParsedJwt, JwtFailure>;
ParseResult parse_jwt(std::string_view token, const JwtLimits& limits = {});

// The claim checks that need no key: the types of the registered claims, `iss` against the
// rules, and the time claims at `now` with the rules' skew. nullopt when all pass.
std::optional<JwtFailure> check_issuer_and_time(const nlohmann::json& payload, const JwtRules& rules,
                                                core::SystemTime now);
// `aud` against the rules: true when the rules accept any audience or one of the token's.
// A malformed `aud` (not a string or an array of strings) is reported by check_issuer_and_time.
bool audience_allowed(const nlohmann::json& payload, const JwtRules& rules);

// The whole verification.
JwtResult verify_jwt(std::string_view token, const KeySet* keys, const JwtRules& rules, core::SystemTime now,
                     const JwtLimits& limits = {});

}  // namespace lambdagate::policy
