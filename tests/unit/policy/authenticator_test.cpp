// Authenticator: token sources, providers, validation policies, the 401/403 answers with
// Envoy's www-authenticate, claimsToHeaders, and the API Gateway shapes of the claims.
#include "lambdagate/policy/authenticator.hpp"

#include <boost/beast/http/string_body.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "jwt_test_keys.hpp"
#include "lambdagate/policy/policy_error.hpp"

namespace {

using namespace lambdagate;
using namespace std::chrono_literals;
using json = nlohmann::json;
using policy::Algorithm;
using policy::Authenticator;
using policy::AuthResult;
using policy::JwtFailure;
using testing::make_token;
using testing::TestKey;
namespace http = boost::beast::http;
using Request = lambdagate::http::Request;

const core::SystemTime kNow{std::chrono::seconds{1'700'000'000}};
constexpr std::int64_t kNowSeconds = 1'700'000'000;
constexpr const char* kRealm = "http://api.example.com/orders";

json claims(json extra = json::object()) {
  json out = {{"iss", "https://a.example"}, {"sub", "user-1"}, {"aud", "api"}, {"exp", kNowSeconds + 300}};
  for (const auto& [k, v] : extra.items()) out[k] = v;
  return out;
}

config::JwtProvider provider(const std::string& name, const std::string& issuer, const TestKey& key) {
  config::JwtProvider p;
  p.name = name;
  p.issuer = issuer;
  p.audiences = {"api"};
  p.local_jwks = testing::jwks({key.jwk(name + "-key")});
  p.where = {"vs.yaml", 12};
  return p;
}

config::JwtConfig one_provider(
    const TestKey& key, config::JwtValidationPolicy policy = config::JwtValidationPolicy::RequireValid) {
  config::JwtConfig c;
  c.providers.push_back(provider("a", "https://a.example", key));
  c.validation_policy = policy;
  return c;
}

Request request(const std::string& target = "/orders") {
  Request r{http::verb::get, target, 11};
  r.set(http::field::host, "api.example.com");
  return r;
}

Request bearer(const std::string& token, const std::string& target = "/orders") {
  Request r = request(target);
  r.set(http::field::authorization, "Bearer " + token);
  return r;
}

// The default source: `Authorization: Bearer`, and the header goes (keepToken false).
TEST_CASE("a valid bearer token is allowed, with its claims and the header to remove", "[policy][auth]") {
  const TestKey key = TestKey::rsa();
  const Authenticator auth(one_provider(key));
  const AuthResult result =
      auth.authenticate(bearer(make_token(key, Algorithm::RS256, claims())), kNow, kRealm);
  CHECK(result.allowed());
  CHECK(result.http_status() == 200);
  CHECK(result.provider == "a");
  REQUIRE(result.claims);
  CHECK((*result.claims)["sub"] == "user-1");
  CHECK(result.header_to_remove == "authorization");
  CHECK_FALSE(result.failure);
  CHECK(result.www_authenticate.empty());
}

// keepToken leaves the header; a token from the access_token query parameter has no header.
TEST_CASE("keepToken and the access_token query parameter", "[policy][auth]") {
  const TestKey key = TestKey::p256();
  config::JwtConfig c = one_provider(key);
  c.providers[0].keep_token = true;
  const Authenticator keep(c);
  const std::string token = make_token(key, Algorithm::ES256, claims());
  CHECK(keep.authenticate(bearer(token), kNow, kRealm).header_to_remove.empty());

  const Authenticator auth(one_provider(key));
  const AuthResult from_query =
      auth.authenticate(request("/orders?x=1&access_token=" + token + "&y=2"), kNow, kRealm);
  CHECK(from_query.allowed());
  CHECK(from_query.claims);
  CHECK(from_query.header_to_remove.empty());
  // The scheme is case-insensitive.
  Request lower = request();
  lower.set(http::field::authorization, "bearer  " + token);
  CHECK(auth.authenticate(lower, kNow, kRealm).claims);
  // Another scheme is not a bearer token.
  Request basic = request();
  basic.set(http::field::authorization, "Basic " + token);
  CHECK(auth.authenticate(basic, kNow, kRealm).failure == JwtFailure::Missing);
}

// A configured tokenSource replaces the defaults: its headers (with prefix) and parameters only.
TEST_CASE("tokenSource headers with prefix and query parameters", "[policy][auth]") {
  const TestKey key = TestKey::ed25519();
  config::JwtConfig c = one_provider(key);
  c.providers[0].token_source.headers = {{"X-Auth", "Token "}, {"x-jwt", ""}};
  c.providers[0].token_source.query_params = {"jwt"};
  const Authenticator auth(c);
  const std::string token = make_token(key, Algorithm::EdDSA, claims());

  Request custom = request();
  custom.set("x-auth", "Token " + token);
  AuthResult r = auth.authenticate(custom, kNow, kRealm);
  CHECK(r.claims);
  CHECK(r.header_to_remove == "x-auth");

  Request bare = request();
  bare.set("X-JWT", token);
  r = auth.authenticate(bare, kNow, kRealm);
  CHECK(r.claims);
  CHECK(r.header_to_remove == "x-jwt");

  CHECK(auth.authenticate(request("/orders?jwt=" + token), kNow, kRealm).claims);
  CHECK(auth.authenticate(bearer(token), kNow, kRealm).failure == JwtFailure::Missing);
  CHECK(auth.authenticate(request("/orders?access_token=" + token), kNow, kRealm).failure ==
        JwtFailure::Missing);
}

// Missing: 401 with a plain challenge. Present but bad: 401 with error="invalid_token".
// Wrong audience on an authentic token: 403, as Envoy.
TEST_CASE("401 and 403 answers carry Envoy's www-authenticate", "[policy][auth]") {
  const TestKey key = TestKey::rsa();
  const Authenticator auth(one_provider(key));

  const AuthResult missing = auth.authenticate(request(), kNow, kRealm);
  CHECK(missing.verdict == AuthResult::Verdict::Unauthorized);
  CHECK(missing.http_status() == 401);
  CHECK(missing.error_code() == "unauthorized");
  CHECK(missing.failure == JwtFailure::Missing);
  CHECK_FALSE(missing.token_present);
  CHECK(missing.www_authenticate == "Bearer realm=\"http://api.example.com/orders\"");
  CHECK(missing.message() == "a bearer token is required");

  const AuthResult expired = auth.authenticate(
      bearer(make_token(key, Algorithm::RS256, claims({{"exp", kNowSeconds - 3600}}))), kNow, kRealm);
  CHECK(expired.http_status() == 401);
  CHECK(expired.failure == JwtFailure::Expired);
  CHECK(expired.www_authenticate ==
        "Bearer realm=\"http://api.example.com/orders\", error=\"invalid_token\"");
  CHECK_FALSE(expired.claims);

  const AuthResult garbage = auth.authenticate(bearer("not-a-jwt"), kNow, kRealm);
  CHECK(garbage.http_status() == 401);
  CHECK(garbage.failure == JwtFailure::Malformed);

  const AuthResult forged = auth.authenticate(
      bearer(make_token(TestKey::rsa(), Algorithm::RS256, claims(), {{"kid", "a-key"}})), kNow, kRealm);
  CHECK(forged.failure == JwtFailure::BadSignature);
  CHECK(forged.http_status() == 401);

  const AuthResult audience = auth.authenticate(
      bearer(make_token(key, Algorithm::RS256, claims({{"aud", "someone-else"}}))), kNow, kRealm);
  CHECK(audience.verdict == AuthResult::Verdict::Forbidden);
  CHECK(audience.http_status() == 403);
  CHECK(audience.error_code() == "forbidden");
  CHECK(audience.www_authenticate ==
        "Bearer realm=\"http://api.example.com/orders\", error=\"invalid_token\"");
}

// Several providers: any accepting is enough; when none does, the one that got furthest speaks.
TEST_CASE("several providers: any accepts, the furthest failure is reported", "[policy][auth]") {
  const TestKey key_a = TestKey::rsa();
  const TestKey key_b = TestKey::p256();
  config::JwtConfig c;
  c.providers.push_back(provider("a", "https://a.example", key_a));
  c.providers.push_back(provider("b", "https://b.example", key_b));
  const Authenticator auth(c);

  const AuthResult b = auth.authenticate(
      bearer(make_token(key_b, Algorithm::ES256, claims({{"iss", "https://b.example"}}))), kNow, kRealm);
  CHECK(b.allowed());
  CHECK(b.provider == "b");

  // Provider a says "issuer mismatch", provider b "expired": expired is the more telling.
  const AuthResult expired = auth.authenticate(
      bearer(make_token(key_b, Algorithm::ES256,
                        claims({{"iss", "https://b.example"}, {"exp", kNowSeconds - 999}}))),
      kNow, kRealm);
  CHECK(expired.failure == JwtFailure::Expired);

  // Neither issuer: issuer mismatch.
  const AuthResult stranger = auth.authenticate(
      bearer(make_token(key_b, Algorithm::ES256, claims({{"iss", "https://c.example"}}))), kNow, kRealm);
  CHECK(stranger.failure == JwtFailure::IssuerMismatch);
  CHECK(stranger.http_status() == 401);
}

// validationPolicy: ALLOW_MISSING lets only token-less requests through; ALLOW_MISSING_OR_FAILED
// lets everything through, with claims only for a valid token.
TEST_CASE("validation policies", "[policy][auth]") {
  const TestKey key = TestKey::ed25519();
  const std::string good = make_token(key, Algorithm::EdDSA, claims());
  const std::string expired = make_token(key, Algorithm::EdDSA, claims({{"exp", kNowSeconds - 999}}));

  const Authenticator allow_missing(one_provider(key, config::JwtValidationPolicy::AllowMissing));
  AuthResult r = allow_missing.authenticate(request(), kNow, kRealm);
  CHECK(r.allowed());
  CHECK_FALSE(r.claims);
  CHECK(r.failure == JwtFailure::Missing);
  CHECK(allow_missing.authenticate(bearer(expired), kNow, kRealm).http_status() == 401);
  CHECK(allow_missing.authenticate(bearer(good), kNow, kRealm).claims);

  const Authenticator allow_all(one_provider(key, config::JwtValidationPolicy::AllowMissingOrFailed));
  CHECK(allow_all.authenticate(request(), kNow, kRealm).allowed());
  r = allow_all.authenticate(bearer(expired), kNow, kRealm);
  CHECK(r.allowed());
  CHECK_FALSE(r.claims);
  CHECK(r.failure == JwtFailure::Expired);
  CHECK(r.header_to_remove.empty());  // only a verified token's header is removed
  CHECK(allow_all.authenticate(bearer(good), kNow, kRealm).claims);
}

// claimsToHeaders: strings as they are, other values as JSON text, nested claims by dotted path;
// absent claims add nothing; a value that could split the header is dropped.
TEST_CASE("claimsToHeaders", "[policy][auth]") {
  const TestKey key = TestKey::p256();
  config::JwtConfig c = one_provider(key);
  c.providers[0].claims_to_headers = {
      {"sub", "X-User", false},      {"admin", "x-admin", false}, {"n", "x-n", true},
      {"groups", "x-groups", false}, {"org", "x-org", false},     {"org.id", "x-org-id", false},
      {"absent", "x-absent", false}, {"evil", "x-evil", false},   {"dotted.name", "x-dotted", false}};
  const Authenticator auth(c);
  const json extra = {{"admin", true},
                      {"n", 42},
                      {"groups", json::array({"a", "b"})},
                      {"org", {{"id", "o-1"}, {"tier", 2}}},
                      {"evil", "x\r\nset-cookie: a=b"},
                      {"dotted.name", "literal"}};
  const AuthResult r =
      auth.authenticate(bearer(make_token(key, Algorithm::ES256, claims(extra))), kNow, kRealm);
  REQUIRE(r.allowed());
  std::vector<std::tuple<std::string, std::string, bool>> got;
  for (const auto& h : r.headers_to_add) got.emplace_back(h.name, h.value, h.append);
  const std::vector<std::tuple<std::string, std::string, bool>> want = {
      {"x-user", "user-1", false},
      {"x-admin", "true", false},
      {"x-n", "42", true},
      {"x-groups", "[\"a\",\"b\"]", false},
      {"x-org", "{\"id\":\"o-1\",\"tier\":2}", false},
      {"x-org-id", "o-1", false},
      {"x-dotted", "literal", false}};
  CHECK(got == want);
}

// The claims in the shapes API Gateway gives a function: 2.0 under jwt.claims/jwt.scopes, 1.0 as
// claims/scopes; every claim a string; scopes from `scope` or `scp`.
TEST_CASE("API Gateway authorizer shapes of the claims", "[policy][auth]") {
  const json c = {{"sub", "u"},
                  {"exp", 1700000300},
                  {"email_verified", true},
                  {"groups", json::array({"admin", "dev"})},
                  {"ctx", {{"a", 1}}},
                  {"scope", "read:orders  write:orders"}};
  CHECK(json::parse(policy::api_gateway_v2_authorizer(c)) ==
        json::parse(R"({"jwt":{"claims":{"sub":"u","exp":"1700000300","email_verified":"true",
                     "groups":"[admin dev]","ctx":"{\"a\":1}","scope":"read:orders  write:orders"},
                     "scopes":["read:orders","write:orders"]}})"));
  CHECK(json::parse(policy::api_gateway_v1_authorizer(c)) ==
        json::parse(R"({"claims":{"sub":"u","exp":"1700000300","email_verified":"true",
                     "groups":"[admin dev]","ctx":"{\"a\":1}","scope":"read:orders  write:orders"},
                     "scopes":["read:orders","write:orders"]})"));
  CHECK(json::parse(policy::api_gateway_v2_authorizer({{"scp", json::array({"a", "b"})}}))["jwt"]["scopes"] ==
        json::array({"a", "b"}));
  CHECK(json::parse(policy::api_gateway_v2_authorizer({{"scp", "a b"}}))["jwt"]["scopes"] ==
        json::array({"a", "b"}));
  CHECK(json::parse(policy::api_gateway_v2_authorizer({{"sub", "u"}}))["jwt"]["scopes"].is_null());
  CHECK(json::parse(policy::api_gateway_v1_authorizer({{"sub", "u"}}))["scopes"].is_null());
}

// Envoy's realm is the request URL without its query; quotes in it are escaped.
TEST_CASE("bearer realm and challenge", "[policy][auth]") {
  CHECK(policy::bearer_realm("https", "api.example.com", "/a/b?token=secret#f") ==
        "https://api.example.com/a/b");
  CHECK(policy::bearer_challenge("http://h/\"x\\", false) == "Bearer realm=\"http://h/\\\"x\\\\\"");
  CHECK(policy::bearer_challenge("r", true) == "Bearer realm=\"r\", error=\"invalid_token\"");
}

// Configuration problems are PolicyErrors naming the provider and where it was written.
TEST_CASE("a provider whose key does not parse is a config error with file and line", "[policy][auth]") {
  config::JwtConfig c = one_provider(TestKey::ed25519());
  c.providers[0].local_jwks = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
  try {
    Authenticator auth(c);
    FAIL("no error");
  } catch (const policy::PolicyError& e) {
    CHECK(std::string(e.what()).starts_with("vs.yaml:12: jwt provider 'a': jwks.local.key: "));
  }
  c.providers[0].local_jwks.clear();
  CHECK_THROWS_AS(Authenticator(c), policy::PolicyError);  // neither local nor remote
  c.providers[0].remote_jwks = config::RemoteJwks{"https://idp.example/jwks", std::chrono::minutes(5), {}};
  CHECK_THROWS_AS(Authenticator(c), policy::PolicyError);  // remote, but no resolver
  CHECK_THROWS_AS(Authenticator(config::JwtConfig{}), policy::PolicyError);
}

}  // namespace
