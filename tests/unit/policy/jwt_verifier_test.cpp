// JWT verification: every accepted algorithm end to end, the refused ones, the claim rules with
// clock skew, kid selection, and tokens that are malformed or too large.
#include "lambdagate/policy/jwt_verifier.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "jwt_test_keys.hpp"
#include "lambdagate/policy/base64url.hpp"

namespace {

using namespace lambdagate;
using namespace std::chrono_literals;
using json = nlohmann::json;
using policy::Algorithm;
using policy::JwtFailure;
using policy::JwtRules;
using policy::KeySet;
using testing::make_token;
using testing::TestKey;

const core::SystemTime kNow{std::chrono::seconds{1'700'000'000}};
constexpr std::int64_t kNowSeconds = 1'700'000'000;

std::shared_ptr<const KeySet> keys_of(const std::string& text) {
  auto parsed = KeySet::parse(text);
  INFO(parsed.error);
  REQUIRE(parsed.ok());
  return parsed.keys;
}

json claims(json extra = json::object()) {
  json out = {{"iss", "https://issuer.example"},
              {"sub", "user-1"},
              {"aud", "api"},
              {"exp", kNowSeconds + 300},
              {"iat", kNowSeconds - 10}};
  for (const auto& [k, v] : extra.items()) out[k] = v;
  return out;
}

JwtRules rules() {
  JwtRules r;
  r.issuer = "https://issuer.example";
  r.audiences = {"api", "other"};
  r.clock_skew = 60s;
  return r;
}

JwtFailure failure_of(const policy::JwtResult& result) {
  REQUIRE(std::holds_alternative<JwtFailure>(result));
  return std::get<JwtFailure>(result);
}

// Signed with a fresh key of the right type, every accepted algorithm verifies and yields claims.
TEST_CASE("tokens of every accepted algorithm verify", "[policy][jwt]") {
  const TestKey rsa = TestKey::rsa();
  const TestKey p256 = TestKey::p256();
  const TestKey p384 = TestKey::p384();
  const TestKey ed = TestKey::ed25519();
  const auto keys = keys_of(testing::jwks({rsa.jwk("r"), p256.jwk("e256"), p384.jwk("e384"), ed.jwk("ed")}));
  const std::pair<Algorithm, const TestKey*> cases[] = {{Algorithm::RS256, &rsa},  {Algorithm::RS384, &rsa},
                                                        {Algorithm::RS512, &rsa},  {Algorithm::PS256, &rsa},
                                                        {Algorithm::ES256, &p256}, {Algorithm::ES384, &p384},
                                                        {Algorithm::EdDSA, &ed}};
  for (const auto& [alg, key] : cases) {
    INFO(policy::to_string(alg));
    const auto result = policy::verify_jwt(make_token(*key, alg, claims()), keys.get(), rules(), kNow);
    REQUIRE(std::holds_alternative<policy::VerifiedJwt>(result));
    const auto& verified = std::get<policy::VerifiedJwt>(result);
    CHECK(verified.alg == alg);
    CHECK((*verified.claims)["sub"] == "user-1");
  }
}

// `none` and HMAC are refused before any key is looked at, whatever the signature holds — the
// classic confusion attack signs HS256 with the RSA public key as the secret.
TEST_CASE("alg none and HS* are refused", "[policy][jwt]") {
  const TestKey rsa = TestKey::rsa();
  const auto keys = keys_of(testing::jwks({rsa.jwk("r")}));
  const std::string payload = policy::base64url::encode(claims().dump());
  for (const char* alg : {"none", "HS256", "HS384", "HS512", "RS1", "ES256K"}) {
    INFO(alg);
    const std::string header = policy::base64url::encode(json{{"alg", alg}, {"kid", "r"}}.dump());
    const std::string token = header + "." + payload + "." + policy::base64url::encode(rsa.public_pem());
    CHECK(failure_of(policy::verify_jwt(token, keys.get(), rules(), kNow)) ==
          JwtFailure::UnsupportedAlgorithm);
  }
  // An unsecured JWS has an empty signature part: malformed here, as no alg allows it.
  const std::string header = policy::base64url::encode(json{{"alg", "none"}}.dump());
  CHECK(failure_of(policy::verify_jwt(header + "." + payload + ".", keys.get(), rules(), kNow)) ==
        JwtFailure::UnsupportedAlgorithm);
}

// exp, nbf and iat are judged with the skew on each side, to the second.
TEST_CASE("time claims with clock skew", "[policy][jwt]") {
  const TestKey key = TestKey::p256();
  const auto keys = keys_of(testing::jwks({key.jwk("k")}));
  auto verify = [&](json extra) {
    return policy::verify_jwt(make_token(key, Algorithm::ES256, claims(std::move(extra))), keys.get(),
                              rules(), kNow);
  };
  auto ok = [](const policy::JwtResult& r) { return std::holds_alternative<policy::VerifiedJwt>(r); };
  CHECK(ok(verify({{"exp", kNowSeconds - 59}})));  // expired 59s ago: within the 60s skew
  CHECK(failure_of(verify({{"exp", kNowSeconds - 60}})) == JwtFailure::Expired);
  CHECK(failure_of(verify({{"exp", kNowSeconds - 86400}})) == JwtFailure::Expired);
  CHECK(ok(verify({{"nbf", kNowSeconds + 60}})));
  CHECK(failure_of(verify({{"nbf", kNowSeconds + 61}})) == JwtFailure::NotYetValid);
  CHECK(ok(verify({{"iat", kNowSeconds + 60}})));
  CHECK(failure_of(verify({{"iat", kNowSeconds + 61}})) == JwtFailure::IssuedInFuture);
  CHECK(ok(verify({{"exp", static_cast<double>(kNowSeconds) + 0.5}})));  // NumericDate may have fractions
  // No exp at all: accepted, as Envoy does.
  json no_exp = claims();
  no_exp.erase("exp");
  CHECK(ok(policy::verify_jwt(make_token(key, Algorithm::ES256, no_exp), keys.get(), rules(), kNow)));
  // Zero skew.
  JwtRules strict = rules();
  strict.clock_skew = 0s;
  CHECK(failure_of(policy::verify_jwt(make_token(key, Algorithm::ES256, claims({{"exp", kNowSeconds}})),
                                      keys.get(), strict, kNow)) == JwtFailure::Expired);
}

// iss must equal the provider's issuer when one is set; aud (string or array) must share one
// value with the provider's audiences when they are set.
TEST_CASE("issuer and audience rules", "[policy][jwt]") {
  const TestKey key = TestKey::ed25519();
  const auto keys = keys_of(testing::jwks({key.jwk("k")}));
  auto verify = [&](json c, JwtRules r = rules()) {
    return policy::verify_jwt(make_token(key, Algorithm::EdDSA, c), keys.get(), r, kNow);
  };
  auto ok = [](const policy::JwtResult& r) { return std::holds_alternative<policy::VerifiedJwt>(r); };
  CHECK(failure_of(verify(claims({{"iss", "https://evil.example"}}))) == JwtFailure::IssuerMismatch);
  json no_iss = claims();
  no_iss.erase("iss");
  CHECK(failure_of(verify(no_iss)) == JwtFailure::IssuerMismatch);
  JwtRules any_issuer = rules();
  any_issuer.issuer.clear();
  CHECK(ok(verify(no_iss, any_issuer)));

  CHECK(ok(verify(claims({{"aud", json::array({"x", "other"})}}))));
  CHECK(failure_of(verify(claims({{"aud", "x"}}))) == JwtFailure::AudienceNotAllowed);
  CHECK(failure_of(verify(claims({{"aud", json::array()}}))) == JwtFailure::AudienceNotAllowed);
  json no_aud = claims();
  no_aud.erase("aud");
  CHECK(failure_of(verify(no_aud)) == JwtFailure::AudienceNotAllowed);
  JwtRules any_audience = rules();
  any_audience.audiences.clear();
  CHECK(ok(verify(no_aud, any_audience)));
  CHECK(ok(verify(claims({{"aud", "x"}}), any_audience)));
}

// Registered claims of the wrong JSON type make the token malformed, not silently ignored.
TEST_CASE("registered claims of the wrong type are malformed", "[policy][jwt]") {
  const TestKey key = TestKey::ed25519();
  const auto keys = keys_of(testing::jwks({key.jwk("k")}));
  for (json extra : {json{{"exp", "tomorrow"}}, json{{"nbf", true}}, json{{"iat", json::array()}},
                     json{{"iss", 42}}, json{{"aud", 7}}, json{{"aud", json::array({"api", 7})}}}) {
    INFO(extra.dump());
    CHECK(failure_of(policy::verify_jwt(make_token(key, Algorithm::EdDSA, claims(extra)), keys.get(), rules(),
                                        kNow)) == JwtFailure::Malformed);
  }
}

// The audience is judged only for an authentic token: a forged one with a wrong audience is a
// bad signature (401), not a 403 that would confirm what it claims.
TEST_CASE("audience is checked after the signature", "[policy][jwt]") {
  const TestKey key = TestKey::p256();
  const TestKey other = TestKey::p256();
  const auto keys = keys_of(testing::jwks({key.jwk("k")}));
  const std::string forged = make_token(other, Algorithm::ES256, claims({{"aud", "nope"}}), {{"kid", "k"}});
  CHECK(failure_of(policy::verify_jwt(forged, keys.get(), rules(), kNow)) == JwtFailure::BadSignature);
}

// kid: the named key is used; an unknown kid is UnknownKey (a remote JWKS refetches on it); keys
// without a kid are tried for any token; a token without kid tries every key of its type.
TEST_CASE("kid selection", "[policy][jwt]") {
  const TestKey a = TestKey::rsa();
  const TestKey b = TestKey::rsa();
  const auto keys = keys_of(testing::jwks({a.jwk("a"), b.jwk("b")}));
  auto verify = [&](const std::string& token) {
    return policy::verify_jwt(token, keys.get(), rules(), kNow);
  };
  auto ok = [](const policy::JwtResult& r) { return std::holds_alternative<policy::VerifiedJwt>(r); };
  CHECK(ok(verify(make_token(b, Algorithm::RS256, claims(), {{"kid", "b"}}))));
  CHECK(failure_of(verify(make_token(b, Algorithm::RS256, claims(), {{"kid", "a"}}))) ==
        JwtFailure::BadSignature);
  CHECK(failure_of(verify(make_token(b, Algorithm::RS256, claims(), {{"kid", "c"}}))) ==
        JwtFailure::UnknownKey);
  CHECK(ok(verify(make_token(b, Algorithm::RS256, claims()))));  // no kid: both keys tried
  CHECK(failure_of(verify(make_token(TestKey::rsa(), Algorithm::RS256, claims()))) ==
        JwtFailure::BadSignature);

  // A PEM key has no kid and serves tokens that name one.
  const auto pem = keys_of(a.public_pem());
  CHECK(ok(policy::verify_jwt(make_token(a, Algorithm::RS256, claims(), {{"kid", "anything"}}), pem.get(),
                              rules(), kNow)));
  // A key of another type never verifies, even under the right kid (algorithm confusion).
  const TestKey ec = TestKey::p256();
  const auto mixed = keys_of(testing::jwks({a.jwk("k")}));
  CHECK(failure_of(policy::verify_jwt(make_token(ec, Algorithm::ES256, claims(), {{"kid", "k"}}), mixed.get(),
                                      rules(), kNow)) == JwtFailure::BadSignature);
  // A JWK that names its alg serves that alg only.
  const auto rs256_only = keys_of(testing::jwks({a.jwk("k", "RS256")}));
  CHECK(failure_of(policy::verify_jwt(make_token(a, Algorithm::PS256, claims(), {{"kid", "k"}}),
                                      rs256_only.get(), rules(), kNow)) == JwtFailure::BadSignature);
  // No keys at all (a remote JWKS not fetched yet).
  CHECK(failure_of(policy::verify_jwt(make_token(a, Algorithm::RS256, claims()), nullptr, rules(), kNow)) ==
        JwtFailure::NoKeys);
}

// Tokens that are not three base64url parts of JSON objects are malformed; a `crit` header is
// refused; oversize tokens and deep nesting stop before parsing.
TEST_CASE("malformed and oversized tokens", "[policy][jwt]") {
  const TestKey key = TestKey::ed25519();
  const auto keys = keys_of(testing::jwks({key.jwk("k")}));
  const std::string good = make_token(key, Algorithm::EdDSA, claims());
  const auto dot1 = good.find('.');
  const auto dot2 = good.rfind('.');
  const std::string header = good.substr(0, dot1);
  const std::string payload = good.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string sig = good.substr(dot2 + 1);
  auto b64 = [](const std::string& s) { return policy::base64url::encode(s); };
  const std::string edsa = b64("{\"alg\":\"EdDSA\"}");
  const std::string cases[] = {
      "",
      "abc",
      header + "." + payload,
      header + "." + payload + "." + sig + ".x.y",  // a JWE's five parts
      header + "=." + payload + "." + sig,
      header + "." + payload + "." + sig + "=",
      header + ". " + payload + "." + sig,
      "." + payload + "." + sig,
      header + ".." + sig,
      b64("[\"alg\"]") + "." + payload + "." + sig,
      b64("{\"alg\":\"EdDSA\"") + "." + payload + "." + sig,
      b64("{\"alg\":\"EdDSA\"} x") + "." + payload + "." + sig,
      b64("{\"alg\":5}") + "." + payload + "." + sig,
      b64("{\"kid\":\"k\"}") + "." + payload + "." + sig,
      b64("{\"alg\":\"EdDSA\",\"kid\":1}") + "." + payload + "." + sig,
      b64("{\"alg\":\"EdDSA\",\"crit\":[\"b64\"],\"b64\":false}") + "." + payload + "." + sig,
      edsa + "." + b64("\"just a string\"") + "." + sig,
      edsa + "." + b64("{\"sub\":\"\xff\xfe\"}") + "." + sig,  // not UTF-8
      edsa + "." + b64(std::string(40, '[') + std::string(40, ']')) + "." + sig,
      edsa + "." + b64("{\"a\":" + std::string(20, '[') + std::string(20, ']') + "}") + "." + sig,
  };
  for (const auto& token : cases) {
    INFO(token);
    CHECK(failure_of(policy::verify_jwt(token, keys.get(), rules(), kNow)) == JwtFailure::Malformed);
  }
  policy::JwtLimits limits;
  CHECK(failure_of(policy::verify_jwt(std::string(limits.max_token_bytes + 1, 'a'), keys.get(), rules(),
                                      kNow)) == JwtFailure::TooLarge);
  const std::string big_header = b64("{\"alg\":\"EdDSA\",\"x\":\"" + std::string(5000, 'x') + "\"}");
  CHECK(failure_of(policy::verify_jwt(big_header + "." + payload + "." + sig, keys.get(), rules(), kNow)) ==
        JwtFailure::TooLarge);
}

// A valid token's signature part changed in any way no longer verifies.
TEST_CASE("tampering with any part breaks the signature", "[policy][jwt]") {
  const TestKey key = TestKey::rsa();
  const auto keys = keys_of(testing::jwks({key.jwk("k")}));
  const std::string good = make_token(key, Algorithm::PS256, claims(), {{"kid", "k"}});
  const auto dot2 = good.rfind('.');
  const std::string other_payload = policy::base64url::encode(claims({{"sub", "admin"}}).dump());
  const auto dot1 = good.find('.');
  const std::string swapped = good.substr(0, dot1 + 1) + other_payload + good.substr(dot2);
  CHECK(failure_of(policy::verify_jwt(swapped, keys.get(), rules(), kNow)) == JwtFailure::BadSignature);
  std::string flipped = good;
  flipped[dot2 + 5] = flipped[dot2 + 5] == 'A' ? 'B' : 'A';
  CHECK(failure_of(policy::verify_jwt(flipped, keys.get(), rules(), kNow)) == JwtFailure::BadSignature);
  const std::string short_sig = policy::base64url::decode(good.substr(dot2 + 1)).value().substr(0, 250);
  const std::string truncated = good.substr(0, dot2 + 1) + policy::base64url::encode(short_sig);
  CHECK(failure_of(policy::verify_jwt(truncated, keys.get(), rules(), kNow)) == JwtFailure::BadSignature);
}

}  // namespace
