// TrustStore: the CA certificates loaded once and shared by PooledHttpClients (trust_store.hpp).
// Clients built on one store verify servers exactly as clients that load their own CAs do, with
// the material in tests/data/tls (see its README).
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <variant>

#include "fakes/loopback_http_server.hpp"
#include "fakes/run.hpp"
#include "lambdagate/http/client.hpp"
#include "lambdagate/http/trust_store.hpp"

namespace {

namespace asio = boost::asio;
using lambdagate::core::Deadline;
using lambdagate::core::SystemClock;
using lambdagate::http::ClientError;
using lambdagate::http::ClientErrorKind;
using lambdagate::http::ClientRequest;
using lambdagate::http::ClientResponse;
using lambdagate::http::ClientResult;
using lambdagate::http::Endpoint;
using lambdagate::http::PooledHttpClient;
using lambdagate::http::TlsOptions;
using lambdagate::http::TrustStore;
using lambdagate::testing::LoopbackHttpServer;
using lambdagate::testing::LoopbackReply;
using lambdagate::testing::LoopbackRequest;
using lambdagate::testing::run;

const std::string kTls = std::string(LAMBDAGATE_TEST_DATA) + "/tls/";

LoopbackHttpServer::TlsFiles tls_files(const std::string& name) {
  return {kTls + name + ".pem", kTls + name + ".key"};
}

LoopbackReply ok(const LoopbackRequest&) { return LoopbackReply::ok(); }

Endpoint https_endpoint(std::uint16_t port) {
  Endpoint e;
  e.scheme = "https";
  e.host = "127.0.0.1";
  e.port = port;
  return e;
}

// One GET of "/" from `client` to `server` over TLS, running `io` until it is answered.
ClientResult get(asio::io_context& io, PooledHttpClient& client, const LoopbackHttpServer& server) {
  const Endpoint to = https_endpoint(server.port());
  ClientRequest request;
  request.method = "GET";
  request.target = "/";
  request.headers = {{"Host", to.host_header()}};
  SystemClock clock;
  return run(io, client.send(to, request, Deadline::after(clock, std::chrono::seconds(5))));
}

// Options that refer to `store` (and name no bundle of their own: the store has it).
TlsOptions shared(std::shared_ptr<const TrustStore> store) {
  TlsOptions tls;
  tls.trust_store = std::move(store);
  return tls;
}

}  // namespace

// The store holds the system CAs plus the extra bundle: the test CA is then trusted by every
// client built on it, on any io_context, and each client verified its own handshake.
TEST_CASE("clients sharing one TrustStore with the test CA verify the server", "[http][client][tls]") {
  const auto store = TrustStore::load(kTls + "ca.pem");
  REQUIRE(store->error().empty());
  REQUIRE(store->native() != nullptr);
  SystemClock clock;
  asio::io_context io_a;
  asio::io_context io_b;
  LoopbackHttpServer server_a(io_a, ok, tls_files("server"));
  LoopbackHttpServer server_b(io_b, ok, tls_files("server"));
  PooledHttpClient client_a(io_a.get_executor(), clock, shared(store));
  PooledHttpClient client_b(io_b.get_executor(), clock, shared(store));

  const auto a = get(io_a, client_a, server_a);
  const auto b = get(io_b, client_b, server_b);

  REQUIRE(std::holds_alternative<ClientResponse>(a));
  REQUIRE(std::holds_alternative<ClientResponse>(b));
  CHECK(std::get<ClientResponse>(a).body == "ok");
  CHECK(std::get<ClientResponse>(b).body == "ok");
  CHECK(client_a.connections_opened() == 1);
  CHECK(client_b.connections_opened() == 1);
}

// Sharing the store does not share trust decisions: a certificate no CA in it vouches for is
// still refused, saying why.
TEST_CASE("a shared TrustStore still rejects an untrusted certificate", "[http][client][tls]") {
  const auto store = TrustStore::load(kTls + "ca.pem");
  SystemClock clock;
  asio::io_context io;
  LoopbackHttpServer trusted(io, ok, tls_files("server"));
  LoopbackHttpServer untrusted(io, ok, tls_files("untrusted"));
  PooledHttpClient client(io.get_executor(), clock, shared(store));

  const auto good = get(io, client, trusted);
  const auto bad = get(io, client, untrusted);

  CHECK(std::holds_alternative<ClientResponse>(good));
  REQUIRE(std::holds_alternative<ClientError>(bad));
  CHECK(std::get<ClientError>(bad).kind == ClientErrorKind::TlsFailed);
  CHECK_THAT(std::get<ClientError>(bad).message, Catch::Contains("certificate verify failed"));
  CHECK(untrusted.requests().empty());
}

// Without the extra bundle the store holds only the system CAs, which do not include the test
// CA: the same server is refused.
TEST_CASE("a TrustStore without the bundle rejects the test CA", "[http][client][tls]") {
  const auto store = TrustStore::load("");
  CHECK(store->error().empty());
  SystemClock clock;
  asio::io_context io;
  LoopbackHttpServer server(io, ok, tls_files("server"));
  PooledHttpClient client(io.get_executor(), clock, shared(store));

  const auto result = get(io, client, server);

  REQUIRE(std::holds_alternative<ClientError>(result));
  CHECK(std::get<ClientError>(result).kind == ClientErrorKind::TlsFailed);
}

// A bundle that cannot be loaded is an error value on the store, and every https send through a
// client built on it fails with that reason (as a client loading it itself reports).
TEST_CASE("a TrustStore with an unreadable bundle fails https sends with a clear message", "[http][client][tls]") {
  const auto store = TrustStore::load(kTls + "missing.pem");
  CHECK_THAT(store->error(), Catch::Contains("cannot load CA bundle") && Catch::Contains("missing.pem"));
  SystemClock clock;
  asio::io_context io;
  PooledHttpClient client(io.get_executor(), clock, shared(store));
  LoopbackHttpServer server(io, ok, tls_files("server"));

  const auto result = get(io, client, server);

  REQUIRE(std::holds_alternative<ClientError>(result));
  CHECK(std::get<ClientError>(result).kind == ClientErrorKind::TlsFailed);
  CHECK_THAT(std::get<ClientError>(result).message, Catch::Contains("cannot load CA bundle"));
  CHECK(server.requests().empty());
}
