// VerifiedTokenCache: a hit needs the same token, the same provider and the very KeySet that
// verified it; the cache stays within its capacity.
#include "lambdagate/policy/verified_token_cache.hpp"

#include <boost/beast/http/message.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "jwt_test_keys.hpp"
#include "lambdagate/policy/authenticator.hpp"

namespace {

using namespace lambdagate;

std::shared_ptr<const policy::KeySet> key_set(const testing::TestKey& key) {
  auto parsed = policy::KeySet::parse(testing::jwks({key.jwk("k1", "RS256")}));
  REQUIRE(parsed.ok());
  return parsed.keys;
}

}  // namespace

// The entry answers only for its provider and its KeySet: a rotation (a new KeySet) or another
// provider with the same token misses, so a cached token is never trusted past its keys.
TEST_CASE("verified token cache: hits only for the same provider and keys", "[policy][cache]") {
  const auto key = testing::TestKey::rsa();
  const auto keys = key_set(key);
  const auto rotated = key_set(key);
  policy::VerifiedTokenCache cache;
  int provider_a = 0, provider_b = 0;
  auto claims = std::make_shared<const nlohmann::json>(nlohmann::json{{"sub", "alice"}});
  CHECK(cache.find(&provider_a, "tok", keys.get()) == nullptr);
  cache.insert(&provider_a, "tok", keys, claims);
  CHECK(cache.find(&provider_a, "tok", keys.get()) == claims);
  CHECK(cache.find(&provider_b, "tok", keys.get()) == nullptr);
  CHECK(cache.find(&provider_a, "tok", rotated.get()) == nullptr);
  CHECK(cache.find(&provider_a, "other", keys.get()) == nullptr);
  CHECK(cache.hits() == 1);
  CHECK(cache.misses() == 4);
}

// At capacity the cache starts over rather than growing: memory stays bounded whatever tokens
// clients send.
TEST_CASE("verified token cache: bounded by its capacity", "[policy][cache]") {
  const auto keys = key_set(testing::TestKey::rsa());
  policy::VerifiedTokenCache cache(3);
  int provider = 0;
  auto claims = std::make_shared<const nlohmann::json>(nlohmann::json::object());
  for (int i = 0; i < 10; ++i) {
    cache.insert(&provider, "token-" + std::to_string(i), keys, claims);
    CHECK(cache.size() <= 3);
  }
  CHECK(cache.find(&provider, "token-9", keys.get()) == claims);
}

// Through the Authenticator: an expired token is refused even when its earlier, valid use is
// cached, because the time claims are checked again at every hit.
TEST_CASE("verified token cache: a cached token still expires", "[policy][cache][jwt]") {
  const auto key = testing::TestKey::rsa();
  config::JwtProvider provider;
  provider.name = "idp";
  provider.local_jwks = testing::jwks({key.jwk("k1", "RS256")});
  provider.clock_skew = std::chrono::seconds(0);
  config::JwtConfig config;
  config.providers = {provider};
  policy::Authenticator auth(config);
  const core::SystemTime now{std::chrono::seconds(1'700'000'000)};
  const std::string token = testing::make_token(key, policy::Algorithm::RS256,
                                                {{"sub", "alice"}, {"exp", 1'700'000'100}}, {{"kid", "k1"}});
  http::RequestHeader request;
  request.set(boost::beast::http::field::authorization, "Bearer " + token);
  policy::VerifiedTokenCache cache;
  CHECK(auth.authenticate(request, now, "realm", &cache).allowed());
  CHECK(auth.authenticate(request, now, "realm", &cache).allowed());
  CHECK(cache.hits() == 1);
  const auto later = auth.authenticate(request, now + std::chrono::seconds(200), "realm", &cache);
  CHECK_FALSE(later.allowed());
  REQUIRE(later.failure);
  CHECK(*later.failure == policy::JwtFailure::Expired);
}
