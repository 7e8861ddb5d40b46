// JwksRegistry across reloads: one fetcher per URL, shared while a URL stays in the configuration,
// stopped and forgotten once a reload drops it (its background fetching must not run until exit),
// and made afresh if the URL comes back. The fetchers' loops are never run here (the control
// io_context is not run): what is tested is the registry's bookkeeping, not fetching.
#include "lambdagate/wiring/jwks_registry.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "lambdagate/core/clock.hpp"
#include "lambdagate/wiring/policy_builder.hpp"

namespace {

using namespace lambdagate;

config::RemoteJwks remote(std::string url) {
  config::RemoteJwks jwks;
  jwks.url = std::move(url);
  return jwks;
}

config::VirtualService host_with_providers(const std::vector<std::string>& urls) {
  config::VirtualService vs;
  config::JwtConfig jwt;
  for (const auto& url : urls) {
    config::JwtProvider provider;
    provider.name = "p" + std::to_string(jwt.providers.size());
    provider.remote_jwks = remote(url);
    jwt.providers.push_back(provider);
  }
  config::JwtProvider local;
  local.name = "local";
  local.local_jwks = "{}";
  jwt.providers.push_back(local);
  vs.options.jwt = jwt;
  return vs;
}

constexpr const char* kA = "https://idp-a.example/jwks.json";
constexpr const char* kB = "https://idp-b.example/jwks.json";

}  // namespace

// A reload that drops a URL stops its fetcher and forgets it; the URL kept keeps its fetcher (and
// so its keys); a URL that comes back later gets a new fetcher, not the stopped one.
TEST_CASE("retain stops and forgets the fetchers of URLs the configuration no longer names", "[jwks]") {
  boost::asio::io_context control;
  const core::SystemClock clock;
  wiring::JwksRegistry registry(control.get_executor(), nullptr, clock, nullptr);

  const auto a = registry.obtain(remote(kA));
  const auto b = registry.obtain(remote(kB));
  REQUIRE(registry.obtain(remote(kA)) == a);
  REQUIRE(registry.fetchers().size() == 2);

  registry.retain({kA});
  CHECK(registry.fetchers().size() == 1);
  CHECK(registry.fetchers().count(kA) == 1);
  CHECK(b->stopped());
  CHECK_FALSE(a->stopped());
  CHECK(registry.obtain(remote(kA)) == a);

  const auto b_again = registry.obtain(remote(kB));
  CHECK(b_again != b);
  CHECK_FALSE(b_again->stopped());

  registry.retain({});
  CHECK(registry.fetchers().empty());
  CHECK(a->stopped());
  CHECK(b_again->stopped());
}

// The URLs a configuration names are those of its virtual hosts' remote providers (local key sets
// have none), in order, duplicates included (retain treats them as a set).
TEST_CASE("remote_jwks_urls lists every remote provider of every virtual host", "[jwks]") {
  config::Config config;
  config.virtual_services.push_back(host_with_providers({kA}));
  config.virtual_services.push_back(config::VirtualService{});  // no JWT at all
  config.virtual_services.push_back(host_with_providers({kB, kA}));
  CHECK(wiring::remote_jwks_urls(config) == std::vector<std::string>{kA, kB, kA});
  CHECK(wiring::remote_jwks_urls(config::Config{}).empty());
}
