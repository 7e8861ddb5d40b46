// Listeners in the snapshot (wiring/listener_builder.hpp) and how resolution uses them: the
// classic redirect pair (tests/data/gloo/redirect-pair) gets one plain and one ssl listener, each
// routing only its own VirtualServices, so the same Host is redirected on one and served on the
// other; certificate problems are load errors with the sslConfig's file and line.
#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "fakes/fake_env.hpp"
#include "lambdagate/config/loader.hpp"
#include "lambdagate/proxy/destination_resolver.hpp"
#include "lambdagate/wiring/snapshot_builder.hpp"

namespace {

namespace config = lambdagate::config;
namespace proxy = lambdagate::proxy;
namespace wiring = lambdagate::wiring;
namespace bhttp = boost::beast::http;

std::shared_ptr<const config::Config> redirect_pair() {
  auto loaded = config::load_config({std::string(LAMBDAGATE_TEST_DATA) + "/gloo/redirect-pair"});
  REQUIRE(loaded.config);
  return loaded.config;
}

std::string tls_data(const std::string& name) {
  std::ifstream in(std::string(LAMBDAGATE_TEST_DATA) + "/tls/" + name);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

wiring::SnapshotBuild build(std::shared_ptr<const config::Config> c, bool files_optional = false) {
  wiring::Environment environment{&lambdagate::testing::fake_lookup};
  environment.ssl_files_optional = files_optional;
  return wiring::build_snapshot(std::move(c), environment, 1, lambdagate::core::SystemTime{});
}

proxy::Resolution resolve(const proxy::Snapshot& snapshot, std::string_view listener, bool https) {
  static std::mt19937_64 random(1);
  lambdagate::http::Request request{bhttp::verb::get, "/cart/items?id=7", 11};
  request.set(bhttp::field::host, "shop.example.com");
  const proxy::InboundRequest inbound{request, "req-1", "192.0.2.1", {}, listener, https, nullptr};
  return proxy::resolve_destination(snapshot, inbound, proxy::GatewayOptions{}, random);
}

}  // namespace

// One Host, two listeners: redirected to https on the plain one, routed to its function on the
// ssl one; a listener the snapshot does not know routes nothing.
TEST_CASE("the redirect pair: each listener routes its own VirtualServices", "[listeners]") {
  auto built = build(redirect_pair());
  REQUIRE(built.errors.empty());
  const proxy::Snapshot& snapshot = *built.snapshot;
  REQUIRE(snapshot.listeners.size() == 2);
  CHECK(snapshot.listeners[0].name == "(implicit)/gateway-proxy");
  CHECK_FALSE(snapshot.listeners[0].tls);
  CHECK(snapshot.listeners[1].name == "(implicit)/gateway-proxy-ssl");
  REQUIRE(snapshot.listeners[1].tls);
  CHECK(snapshot.listeners[1].tls->expiries().at(0).name == "shop/shop-https");

  auto plain = resolve(snapshot, "(implicit)/gateway-proxy", false);
  auto* redirect = std::get_if<proxy::DirectResponse>(&plain.outcome);
  REQUIRE(redirect);
  CHECK(redirect->status == 301);
  CHECK(redirect->location == "https://shop.example.com/cart/items?id=7");

  auto secure = resolve(snapshot, "(implicit)/gateway-proxy-ssl", true);
  auto* call = std::get_if<proxy::Invocation>(&secure.outcome);
  REQUIRE(call);
  CHECK(call->invoke.function_name == "storefront");

  auto gone = resolve(snapshot, "shop/removed-by-a-reload", false);
  auto* error = std::get_if<lambdagate::core::Error>(&gone.outcome);
  REQUIRE(error);
  CHECK(error->kind == lambdagate::core::ErrorKind::RouteNotFound);
}

// A key that does not match its certificate refuses the snapshot, naming where the sslConfig is.
TEST_CASE("a key that does not match its certificate is a load error with file and line", "[listeners]") {
  auto c = std::make_shared<config::Config>(*redirect_pair());
  REQUIRE(c->secrets.at(0).tls);
  c->secrets[0].tls->private_key = tls_data("untrusted.key");
  auto built = build(c);
  CHECK_FALSE(built.snapshot);
  REQUIRE(built.errors.size() == 1);
  CHECK(
      built.errors[0].ends_with("VirtualService shop/shop-https: sslConfig: certificate shop/shop-https: the "
                                "private key does not match "
                                "the certificate"));
  CHECK(built.errors[0].find("shop.yaml:") != std::string::npos);
}

// sslFiles that cannot be read: an error when serving, a warning for --validate elsewhere.
TEST_CASE("unreadable sslFiles: an error, or a warning when files are optional", "[listeners]") {
  auto c = std::make_shared<config::Config>(*redirect_pair());
  auto& ssl = *c->virtual_services.at(1).ssl_config;
  ssl.secret_ref.reset();
  ssl.ssl_files = config::SslFiles{"/nonexistent/tls.crt", "/nonexistent/tls.key", "", {}};
  auto serving = build(c);
  CHECK_FALSE(serving.snapshot);
  REQUIRE(serving.errors.size() == 1);
  CHECK(serving.errors[0].ends_with("sslFiles: cannot read '/nonexistent/tls.crt'"));
  auto validating = build(c, true);
  CHECK(validating.errors.empty());
  CHECK(validating.snapshot);
  CHECK(std::any_of(validating.warnings.begin(), validating.warnings.end(), [](const std::string& w) {
    return w.find("sslFiles: cannot read '/nonexistent/tls.crt' here") != std::string::npos;
  }));
}
