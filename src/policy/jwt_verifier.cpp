// JWT verification: compact JWS parsing, claim checks and signature verification over a KeySet.
//
// Library choice: OpenSSL 3 directly, not a JWT library. Debian 12 offers libjwt-dev 1.10.2 and
// libcpp-jwt-dev 1.4; both know HS256-512, RS256-512 and ES256-512 only — neither verifies PS256
// or EdDSA, which lambdagate must — and neither reads JWKs or JWKS; libjwt would also bring a
// second JSON library (jansson). OpenSSL 3 is already linked for TLS and SigV4 and does every
// algorithm (RSA PKCS#1 v1.5 and PSS, ECDSA, Ed25519); what is left — the compact layout, strict
// base64url, the claim rules, JOSE's r||s ECDSA signatures — is small, pure and tested here
// against the RFC 7515/8037 vectors and tokens signed by the openssl command line.
#include "lambdagate/policy/jwt_verifier.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "lambdagate/policy/base64url.hpp"
#include "lambdagate/core/json_depth.hpp"

namespace lambdagate::policy {

namespace {

using json = nlohmann::json;

// Parses one decoded JOSE part; null unless it is a JSON object within the depth bound.
std::shared_ptr<json> parse_object(const std::string& text, std::size_t max_depth) {
  if (!core::json_depth_within(text, max_depth)) return nullptr;
  auto doc = std::make_shared<json>(json::parse(text, nullptr, /*allow_exceptions=*/false));
  if (doc->is_discarded() || !doc->is_object()) return nullptr;
  return doc;
}

// NumericDate claims as seconds; they may carry fractions (RFC 7519 §2).
double seconds_since_epoch(core::SystemTime t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace

std::string_view to_string(JwtFailure failure) {
  switch (failure) {
    case JwtFailure::Missing:
      return "missing";
    case JwtFailure::TooLarge:
      return "too_large";
    case JwtFailure::Malformed:
      return "malformed";
    case JwtFailure::UnsupportedAlgorithm:
      return "unsupported_algorithm";
    case JwtFailure::IssuerMismatch:
      return "issuer_mismatch";
    case JwtFailure::Expired:
      return "expired";
    case JwtFailure::NotYetValid:
      return "not_yet_valid";
    case JwtFailure::IssuedInFuture:
      return "issued_in_future";
    case JwtFailure::NoKeys:
      return "no_keys";
    case JwtFailure::UnknownKey:
      return "unknown_key";
    case JwtFailure::BadSignature:
      return "bad_signature";
    case JwtFailure::AudienceNotAllowed:
      return "audience_not_allowed";
  }
  return "unknown";
}

std::string_view describe(JwtFailure failure) {
  switch (failure) {
    case JwtFailure::Missing:
      return "a bearer token is required";
    case JwtFailure::TooLarge:
      return "the token is too large";
    case JwtFailure::Malformed:
      return "the token is malformed";
    case JwtFailure::UnsupportedAlgorithm:
      return "the token's signing algorithm is not accepted";
    case JwtFailure::IssuerMismatch:
      return "the token's issuer is not accepted";
    case JwtFailure::Expired:
      return "the token has expired";
    case JwtFailure::NotYetValid:
      return "the token is not valid yet";
    case JwtFailure::IssuedInFuture:
      return "the token was issued in the future";
    case JwtFailure::NoKeys:
      return "the keys to verify the token are not available";
    case JwtFailure::UnknownKey:
      return "the token's signing key is not known";
    case JwtFailure::BadSignature:
      return "the token's signature is not valid";
    case JwtFailure::AudienceNotAllowed:
      return "the token's audience is not allowed";
  }
  return "the token is not valid";
}

ParseResult parse_jwt(std::string_view token, const JwtLimits& limits) {
  if (token.size() > limits.max_token_bytes) return JwtFailure::TooLarge;
  const std::size_t dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return JwtFailure::Malformed;
  const std::size_t dot2 = token.find('.', dot1 + 1);
  // Exactly three parts: a JWE (five) or anything else is not a signed token.
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return JwtFailure::Malformed;
  }
  const std::string_view header_part = token.substr(0, dot1);
  const std::string_view payload_part = token.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string_view signature_part = token.substr(dot2 + 1);
  if (header_part.size() / 4 * 3 > limits.max_header_bytes) return JwtFailure::TooLarge;

  std::string buffer;
  if (header_part.empty() || !base64url::decode_into(header_part, buffer)) return JwtFailure::Malformed;
  const auto header = parse_object(buffer, limits.max_json_depth);
  if (!header) return JwtFailure::Malformed;

  ParsedJwt out;
  const auto alg = header->find("alg");
  if (alg == header->end() || !alg->is_string()) return JwtFailure::Malformed;
  const auto parsed_alg = parse_algorithm(alg->get_ref<const std::string&>());
  if (!parsed_alg) return JwtFailure::UnsupportedAlgorithm;
  out.alg = *parsed_alg;
  // RFC 7515 §4.1.11: an extension the recipient does not understand must make it reject the
  // token, and lambdagate understands none (e.g. b64=false would change what is signed).
  if (header->contains("crit")) return JwtFailure::Malformed;
  if (const auto kid = header->find("kid"); kid != header->end()) {
    if (!kid->is_string()) return JwtFailure::Malformed;
    out.kid = kid->get<std::string>();
  }

  if (payload_part.empty() || !base64url::decode_into(payload_part, buffer)) return JwtFailure::Malformed;
  out.payload = parse_object(buffer, limits.max_json_depth);
  if (!out.payload) return JwtFailure::Malformed;

  if (signature_part.empty() || !base64url::decode_into(signature_part, out.signature)) {
    return JwtFailure::Malformed;
  }
  out.signing_input = token.substr(0, dot2);
  return out;
}

std::optional<JwtFailure> check_issuer_and_time(const json& payload, const JwtRules& rules,
                                                core::SystemTime now) {
  const auto iss = payload.find("iss");
  if (iss != payload.end() && !iss->is_string()) return JwtFailure::Malformed;
  if (const auto aud = payload.find("aud"); aud != payload.end()) {
    const bool ok = aud->is_string() ||
                    (aud->is_array() &&
                     std::all_of(aud->begin(), aud->end(), [](const json& a) { return a.is_string(); }));
    if (!ok) return JwtFailure::Malformed;
  }
  auto numeric = [&](const char* name, std::optional<double>& value) {
    const auto it = payload.find(name);
    if (it == payload.end()) return true;
    if (!it->is_number()) return false;
    value = it->get<double>();
    return true;
  };
  std::optional<double> exp, nbf, iat;
  if (!numeric("exp", exp) || !numeric("nbf", nbf) || !numeric("iat", iat)) return JwtFailure::Malformed;

  if (!rules.issuer.empty() && (iss == payload.end() || iss->get_ref<const std::string&>() != rules.issuer)) {
    return JwtFailure::IssuerMismatch;
  }
  const double t = seconds_since_epoch(now);
  const double skew = static_cast<double>(rules.clock_skew.count());
  if (exp && t >= *exp + skew) return JwtFailure::Expired;
  if (nbf && t + skew < *nbf) return JwtFailure::NotYetValid;
  if (iat && t + skew < *iat) return JwtFailure::IssuedInFuture;
  return std::nullopt;
}

bool audience_allowed(const json& payload, const JwtRules& rules) {
  if (rules.audiences.empty()) return true;
  const auto aud = payload.find("aud");
  if (aud == payload.end()) return false;
  auto accepted = [&](const json& a) {
    return a.is_string() && std::find(rules.audiences.begin(), rules.audiences.end(),
                                      a.get_ref<const std::string&>()) != rules.audiences.end();
  };
  if (aud->is_string()) return accepted(*aud);
  return aud->is_array() && std::any_of(aud->begin(), aud->end(), accepted);
}

JwtResult verify_jwt(std::string_view token, const KeySet* keys, const JwtRules& rules, core::SystemTime now,
                     const JwtLimits& limits) {
  ParseResult parsed = parse_jwt(token, limits);
  if (auto* failure = std::get_if<JwtFailure>(&parsed)) return *failure;
  ParsedJwt& jwt = std::get<ParsedJwt>(parsed);
  if (auto failure = check_issuer_and_time(*jwt.payload, rules, now)) return *failure;
  if (!keys || keys->empty()) return JwtFailure::NoKeys;

  // Keys named by the token's kid first, then keys that carry no kid (PEM keys, bare JWKs),
  // which Envoy also tries for any token.
  bool kid_known = false;
  bool verified = false;
  for (int pass = 0; pass < 2 && !verified; ++pass) {
    for (const PublicKey& key : keys->keys()) {
      const bool named = !jwt.kid.empty() && key.kid() == jwt.kid;
      kid_known = kid_known || named;
      const bool candidate =
          pass == 0 ? (named || (jwt.kid.empty() && !key.kid().empty())) : key.kid().empty();
      if (!candidate || !key.fits(jwt.alg)) continue;
      if (keys->verify(jwt.alg, key, jwt.signing_input, jwt.signature)) {
        verified = true;
        break;
      }
    }
  }
  if (!verified) return (!jwt.kid.empty() && !kid_known) ? JwtFailure::UnknownKey : JwtFailure::BadSignature;
  if (!audience_allowed(*jwt.payload, rules)) return JwtFailure::AudienceNotAllowed;
  VerifiedJwt out;
  out.claims = std::move(jwt.payload);
  out.alg = jwt.alg;
  out.kid = std::move(jwt.kid);
  return out;
}

}  // namespace lambdagate::policy
