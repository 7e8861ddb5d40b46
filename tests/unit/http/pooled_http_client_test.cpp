// PooledHttpClient against LoopbackHttpServer on 127.0.0.1: round trips, keep-alive reuse and
// the ways it fails, deadlines, limits, and TLS certificate checks with the material in
// tests/data/tls (see its README).
#include <chrono>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#define CATCH_CONFIG_ENABLE_PAIR_STRINGMAKER
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>

#include "fakes/fake_clock.hpp"
#include "fakes/loopback_http_server.hpp"
#include "fakes/run.hpp"
#include "lambdagate/core/task.hpp"
#include "lambdagate/http/client.hpp"
#include "lambdagate/http/wire_request.hpp"

namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using lambdagate::core::Deadline;
using lambdagate::core::SystemClock;
using lambdagate::http::ClientError;
using lambdagate::http::ClientErrorKind;
using lambdagate::http::ClientRequest;
using lambdagate::http::ClientResponse;
using lambdagate::http::ClientResult;
using lambdagate::http::Endpoint;
using lambdagate::http::HeaderList;
using lambdagate::http::PooledHttpClient;
using lambdagate::http::PoolOptions;
using lambdagate::http::TlsOptions;
using lambdagate::testing::FakeClock;
using lambdagate::testing::LoopbackHttpServer;
using lambdagate::testing::LoopbackReply;
using lambdagate::testing::LoopbackRequest;
using lambdagate::testing::run;
using Action = LoopbackReply::Action;

const std::string kTls = std::string(LAMBDAGATE_TEST_DATA) + "/tls/";

LoopbackHttpServer::TlsFiles tls_files(const std::string& name) {
  return {kTls + name + ".pem", kTls + name + ".key"};
}

TlsOptions trust_test_ca() { return TlsOptions{kTls + "ca.pem", true, {}}; }

Endpoint endpoint(const std::string& scheme, const std::string& host, uint16_t port) {
  Endpoint e;
  e.scheme = scheme;
  e.host = host;
  e.port = port;
  return e;
}

ClientRequest get(const Endpoint& to, std::string target = "/") {
  ClientRequest request;
  request.method = "GET";
  request.target = std::move(target);
  request.headers = {{"Host", to.host_header()}};
  return request;
}

LoopbackReply ok(const LoopbackRequest&) { return LoopbackReply::ok(); }

// A server that answers every request with `raw`, written as it is, and then closes.
LoopbackHttpServer::Handler answer_raw(std::string raw) {
  return [raw = std::move(raw)](const LoopbackRequest&) {
    LoopbackReply reply = LoopbackReply::with(Action::Raw);
    reply.raw = raw;
    return reply;
  };
}

// Runs several sends at once, so that each needs its own connection.
std::vector<ClientResult> run_together(asio::io_context& io,
                                       std::vector<lambdagate::core::Task<ClientResult>> operations) {
  std::vector<std::optional<ClientResult>> results(operations.size());
  std::size_t done = 0;
  for (std::size_t i = 0; i < operations.size(); ++i) {
    asio::co_spawn(io, std::move(operations[i]), [&, i](std::exception_ptr e, ClientResult value) {
      if (!e) results[i] = std::move(value);
      ++done;
    });
  }
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (done < results.size() && std::chrono::steady_clock::now() < give_up) {
    io.run_one_for(std::chrono::milliseconds(50));
  }
  std::vector<ClientResult> out;
  for (auto& r : results) {
    REQUIRE(r.has_value());
    out.push_back(std::move(*r));
  }
  return out;
}

// By value: callers pass the temporary that run() returns.
ClientResponse expect_response(const ClientResult& result) {
  if (const auto* error = std::get_if<ClientError>(&result)) {
    FAIL("expected a response, got " << lambdagate::http::to_string(error->kind) << ": " << error->message);
  }
  return std::get<ClientResponse>(result);
}

ClientError expect_error(const ClientResult& result) {
  if (const auto* response = std::get_if<ClientResponse>(&result)) {
    FAIL("expected an error, got status " << response->status);
  }
  return std::get<ClientError>(result);
}

Deadline seconds(int n) { return Deadline::after(SystemClock{}, std::chrono::seconds(n)); }

// What a test needs to talk to a LoopbackHttpServer: its handler and TLS files, the client's
// TLS and pool options, and the host name to reach it by.
struct Setup {
  LoopbackHttpServer::Handler handler = ok;
  std::optional<LoopbackHttpServer::TlsFiles> server_tls;
  TlsOptions client_tls;
  PoolOptions pool;
  std::string host = "127.0.0.1";
};

// A LoopbackHttpServer and a PooledHttpClient on one io_context, with `to` the server's endpoint.
template <class Clock = SystemClock>
struct Fixture {
  explicit Fixture(const Setup& setup = {})
      : server(io, setup.handler, setup.server_tls),
        client(io.get_executor(), clock, setup.client_tls, setup.pool),
        to(endpoint(setup.server_tls ? "https" : "http", setup.host, server.port())) {}

  // Sends `request`, running the io_context (and so the server) until it is answered.
  ClientResult send(const ClientRequest& request, Deadline deadline) {
    return run(io, client.send(to, request, deadline));
  }
  ClientResult send(const ClientRequest& request) {
    return send(request, Deadline::after(clock, std::chrono::seconds(5)));
  }
  // A GET of "/" within `seconds`.
  ClientResult get(int seconds = 5) {
    return send(::get(to), Deadline::after(clock, std::chrono::seconds(seconds)));
  }

  asio::io_context io;
  Clock clock;
  LoopbackHttpServer server;
  PooledHttpClient client;
  Endpoint to;
};
}  // namespace

// A POST carries exactly the caller's headers (plus Content-Length) and its body; the response
// comes back with its status, body and headers in the order the server sent them.
TEST_CASE("POST round trip with body and headers", "[http][client]") {
  // Raw bytes, because Beast's own serializer would group the two X-B fields together.
  Setup setup;
  setup.handler = answer_raw(
      "HTTP/1.1 201 Created\r\nX-B: 1\r\nX-A: 2\r\nX-B: 3\r\nContent-Length: 11\r\n\r\n{\"ok\":true}");
  Fixture<> f(setup);

  ClientRequest request;
  request.method = "POST";
  request.target = "/2015-03-31/functions/f/invocations?Qualifier=live";
  request.headers = {
      {"Host", f.to.host_header()}, {"X-Amz-Date", "20150830T123600Z"}, {"Content-Type", "application/json"}};
  request.body = "{\"hello\":\"world\"}";
  const auto result = f.send(request);

  const auto response = expect_response(result);
  CHECK(response.status == 201);
  CHECK(response.body == "{\"ok\":true}");
  const HeaderList expected_headers{{"X-B", "1"}, {"X-A", "2"}, {"X-B", "3"}, {"Content-Length", "11"}};
  CHECK(response.headers == expected_headers);
  CHECK(response.header("x-b") == "1");

  REQUIRE(f.server.requests().size() == 1);
  const auto& received = f.server.requests()[0].message;
  CHECK(received.method() == bhttp::verb::post);
  CHECK(received.target() == request.target);
  CHECK(received.body() == request.body);
  HeaderList received_headers;
  for (const auto& field : received) received_headers.emplace_back(field.name_string(), field.value());
  const HeaderList sent{{"Host", f.to.host_header()},
                        {"X-Amz-Date", "20150830T123600Z"},
                        {"Content-Type", "application/json"},
                        {"Content-Length", std::to_string(request.body.size())}};
  CHECK(received_headers == sent);
}

// A GET without a body adds no header at all: no Content-Length, User-Agent or Connection.
TEST_CASE("GET round trip sends only the caller's headers", "[http][client]") {
  Setup setup;
  setup.handler = [](const LoopbackRequest& r) { return LoopbackReply::ok(std::string(r.message.target())); };
  Fixture<> f(setup);

  const auto result = f.send(get(f.to, "/path?q=1"));

  CHECK(expect_response(result).body == "/path?q=1");
  REQUIRE(f.server.requests().size() == 1);
  const auto& received = f.server.requests()[0].message;
  CHECK(received.method() == bhttp::verb::get);
  CHECK(std::distance(received.begin(), received.end()) == 1);
  CHECK(received[bhttp::field::host] == f.to.host_header());
}

// Sequential requests to one endpoint share one keep-alive connection.
TEST_CASE("keep-alive reuses one connection", "[http][client]") {
  Fixture<> f;

  for (int i = 0; i < 3; ++i) expect_response(f.get());

  CHECK(f.client.connections_opened() == 1);
  CHECK(f.server.connections_accepted() == 1);
  REQUIRE(f.server.requests().size() == 3);
  CHECK(f.server.requests()[2].sequence == 3);
}

// The server closes a connection while it sits idle in the pool: the next send notices (or hits
// the keep-alive race and retries) and succeeds on a new connection.
TEST_CASE("a connection the server closed while idle is replaced transparently", "[http][client]") {
  Setup setup;
  setup.handler = [](const LoopbackRequest&) {
    LoopbackReply reply = LoopbackReply::ok();
    reply.close_after = true;  // says keep-alive, then closes
    return reply;
  };
  Fixture<> f(setup);

  expect_response(f.get());
  f.io.run_for(std::chrono::milliseconds(20));  // let the close reach the client's socket
  const auto second = f.get();

  CHECK(expect_response(second).status == 200);
  CHECK(f.client.connections_opened() == 2);
}

// The keep-alive race proper: a reused connection is dropped after the request is written and
// before any response byte. Nothing was processed, so the client retries once on a fresh one.
TEST_CASE("a reused connection dropped before the response is retried once", "[http][client]") {
  Setup setup;
  setup.handler = [](const LoopbackRequest& r) {
    if (r.connection == 1 && r.sequence == 2) return LoopbackReply::with(Action::CloseWithoutResponse);
    return LoopbackReply::ok("from connection " + std::to_string(r.connection));
  };
  Fixture<> f(setup);

  expect_response(f.get());
  const auto second = f.get();

  CHECK(expect_response(second).body == "from connection 2");
  CHECK(f.client.connections_opened() == 2);
  CHECK(f.server.requests().size() == 3);
}

// The retry is only one: when the fresh connection fails as well, that failure is reported.
TEST_CASE("the keep-alive retry happens at most once", "[http][client]") {
  Setup setup;
  setup.handler = [](const LoopbackRequest& r) {
    if (r.connection == 1 && r.sequence == 1) return LoopbackReply::ok();
    return LoopbackReply::with(Action::CloseWithoutResponse);
  };
  Fixture<> f(setup);

  expect_response(f.get());
  const auto second = f.get();

  CHECK(expect_error(second).kind == ClientErrorKind::Reset);
  CHECK(f.client.connections_opened() == 2);
  CHECK(f.server.requests().size() == 3);
}

// A response that ends the connection's keep-alive leaves it out of the pool.
TEST_CASE("Connection: close and HTTP/1.0 responses are not reused", "[http][client]") {
  bool http10 = false;
  Setup setup;
  setup.handler = [&](const LoopbackRequest&) {
    LoopbackReply reply = LoopbackReply::ok();
    if (http10) {
      reply.response.version(10);
    } else {
      reply.response.set(bhttp::field::connection, "close");
    }
    return reply;
  };
  Fixture<> f(setup);

  SECTION("Connection: close") { http10 = false; }
  SECTION("HTTP/1.0 without keep-alive") { http10 = true; }
  expect_response(f.get());
  expect_response(f.get());

  CHECK(f.client.connections_opened() == 2);
  CHECK(f.server.connections_accepted() == 2);
}

// Idle time is measured with the injected clock: past idle_timeout a connection is not reused.
TEST_CASE("connections idle longer than idle_timeout are dropped", "[http][client]") {
  Setup setup;
  setup.pool.idle_timeout = std::chrono::seconds(50);
  Fixture<FakeClock> f(setup);
  auto deadline = [&] { return Deadline::after(f.clock, std::chrono::seconds(5)); };

  expect_response(f.send(get(f.to), deadline()));
  f.clock.advance(std::chrono::seconds(49));
  expect_response(f.send(get(f.to), deadline()));
  CHECK(f.client.connections_opened() == 1);

  f.clock.advance(std::chrono::seconds(51));
  expect_response(f.send(get(f.to), deadline()));
  CHECK(f.client.connections_opened() == 2);
}

// At most max_idle_per_endpoint connections wait in the pool; the rest are closed.
TEST_CASE("the pool keeps at most max_idle_per_endpoint idle connections", "[http][client]") {
  Setup setup;
  setup.pool.max_idle_per_endpoint = 2;
  Fixture<> f(setup);
  auto three_at_once = [&] {
    std::vector<lambdagate::core::Task<ClientResult>> sends;
    for (int i = 0; i < 3; ++i) sends.push_back(f.client.send(f.to, get(f.to), seconds(5)));
    for (const auto& result : run_together(f.io, std::move(sends))) expect_response(result);
  };

  three_at_once();
  CHECK(f.client.connections_opened() == 3);
  three_at_once();  // two come from the pool
  CHECK(f.client.connections_opened() == 4);
}

// close_idle (shutdown) closes pooled connections; a later send opens a new one.
TEST_CASE("close_idle empties the pool", "[http][client]") {
  Fixture<> f;

  expect_response(f.get());
  f.client.close_idle();
  expect_response(f.get());

  CHECK(f.client.connections_opened() == 2);
}

// Nothing listens on the port: ConnectFailed. The port is bound (so no other process can take it
// meanwhile) but not listening, so connections to it are refused.
TEST_CASE("connection refused is ConnectFailed", "[http][client]") {
  asio::io_context io;
  SystemClock clock;
  asio::ip::tcp::socket bound(io);
  bound.open(asio::ip::tcp::v4());
  bound.bind(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  PooledHttpClient client(io.get_executor(), clock, {});
  const auto to = endpoint("http", "127.0.0.1", bound.local_endpoint().port());

  const auto error = expect_error(run(io, client.send(to, get(to), seconds(5))));

  CHECK(error.kind == ClientErrorKind::ConnectFailed);
  CHECK(client.connections_opened() == 0);
}

// A host name that does not resolve (".invalid" never does, RFC 6761): ConnectFailed. Where no
// DNS server answers at all, the lookup can only run into the deadline instead. Needs the
// system's resolver: tagged [resolver], run by the `resolver_http` test, not the unit tests.
TEST_CASE("a host that does not resolve is ConnectFailed", "[http][client][resolver]") {
  asio::io_context io;
  SystemClock clock;
  PooledHttpClient client(io.get_executor(), clock, {});
  const auto to = endpoint("http", "no-such-host.invalid", 80);

  const auto error = expect_error(run(io, client.send(to, get(to), seconds(20))));

  INFO(error.message);
  CHECK((error.kind == ClientErrorKind::ConnectFailed || error.kind == ClientErrorKind::Timeout));
  CHECK_THAT(error.message, Catch::Contains("no-such-host.invalid"));
}

// A server that never answers: the deadline ends the request as Timeout.
TEST_CASE("a server that never answers times out at the deadline", "[http][client]") {
  Setup setup;
  setup.handler = [](const LoopbackRequest&) { return LoopbackReply::with(Action::Hang); };
  Fixture<> f(setup);

  const auto deadline = Deadline::after(f.clock, std::chrono::milliseconds(200));
  const auto error = expect_error(f.send(get(f.to), deadline));

  CHECK(error.kind == ClientErrorKind::Timeout);
}

// A deadline already passed fails at once, without connecting.
TEST_CASE("an expired deadline is Timeout before any I/O", "[http][client]") {
  Fixture<> f;

  const auto deadline = Deadline::at(f.clock.steady_now() - std::chrono::seconds(1));
  const auto error = expect_error(f.send(get(f.to), deadline));

  CHECK(error.kind == ClientErrorKind::Timeout);
  CHECK(f.client.connections_opened() == 0);
}

// An unlimited deadline still works (each step is capped internally, not refused).
TEST_CASE("Deadline::never sends normally", "[http][client]") {
  Fixture<> f;

  CHECK(expect_response(f.send(get(f.to), Deadline::never())).body == "ok");
}

// A fresh connection closed after the request was read: Reset, and no retry.
TEST_CASE("a server that closes after reading the request is Reset", "[http][client]") {
  Setup setup;
  setup.handler = [](const LoopbackRequest&) { return LoopbackReply::with(Action::CloseWithoutResponse); };
  Fixture<> f(setup);

  const auto error = expect_error(f.get());

  CHECK(error.kind == ClientErrorKind::Reset);
  CHECK(f.client.connections_opened() == 1);
  CHECK(f.server.requests().size() == 1);
}

// A body over max_response_bytes: ResponseTooLarge.
TEST_CASE("a response over the limit is ResponseTooLarge", "[http][client]") {
  Setup setup;
  setup.handler = [](const LoopbackRequest&) { return LoopbackReply::ok(std::string(4096, 'x')); };
  setup.pool.max_response_bytes = 1024;
  Fixture<> f(setup);

  const auto error = expect_error(f.get());

  CHECK(error.kind == ClientErrorKind::ResponseTooLarge);
}

// Bodies framed by chunks or by the end of the connection are read whole.
TEST_CASE("chunked and close-delimited bodies are read whole", "[http][client]") {
  std::string raw;
  std::string expected;
  SECTION("chunked") {
    raw = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    expected = "hello world";
  }
  SECTION("until the connection closes") {
    raw = "HTTP/1.1 200 OK\r\nX-Framing: none\r\n\r\nuntil close";
    expected = "until close";
  }
  Setup setup;
  setup.handler = answer_raw(raw);
  Fixture<> f(setup);

  CHECK(expect_response(f.get()).body == expected);
}

// An interim 100 Continue is read and skipped: the caller gets the final response (Beast's
// reader used to hand back the 100 itself, with the real response left unread).
TEST_CASE("an interim 100 Continue is skipped", "[http][client]") {
  Setup setup;
  setup.handler =
      answer_raw("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nok");
  Fixture<> f(setup);

  const auto response = expect_response(f.get());

  CHECK(response.status == 202);
  CHECK(response.headers == HeaderList{{"Content-Length", "2"}});
  CHECK(response.body == "ok");
}

// A header block over the client's 64 KiB limit: ResponseTooLarge, as for the body.
TEST_CASE("response headers over the limit are ResponseTooLarge", "[http][client]") {
  Setup setup;
  setup.handler = answer_raw("HTTP/1.1 200 OK\r\nX-Big: " + std::string(70 * 1024, 'b') +
                             "\r\nContent-Length: 0\r\n\r\n");
  Fixture<> f(setup);

  const auto error = expect_error(f.get());

  CHECK(error.kind == ClientErrorKind::ResponseTooLarge);
  CHECK(error.message.find("headers") != std::string::npos);
}

// A response that ends before its Content-Length: Reset, not a short body.
TEST_CASE("a body cut short by the close is Reset", "[http][client]") {
  Setup setup;
  setup.handler = answer_raw("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort");
  Fixture<> f(setup);

  const auto error = expect_error(f.get());

  CHECK(error.kind == ClientErrorKind::Reset);
  CHECK(error.message.find("mid-response") != std::string::npos);
}

namespace {

// Records what stream() hands over: the head once, then each piece of body.
class RecordingSink final : public lambdagate::http::ResponseSink {
 public:
  lambdagate::core::Task<void> on_head(const ClientResponse& head) override {
    heads.push_back(head);
    co_return;
  }
  lambdagate::core::Task<bool> on_body(std::string_view data) override {
    pieces.emplace_back(data);
    co_return true;
  }
  std::vector<ClientResponse> heads;
  std::vector<std::string> pieces;
};

}  // namespace

// stream(): the final head once (after any interim response), then the chunked body in pieces
// that join to the whole; the result carries the head with an empty body.
TEST_CASE("stream hands over the head, then the body as it arrives", "[http][client]") {
  Setup setup;
  setup.handler = answer_raw(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
      "Content-Type: application/vnd.amazon.eventstream\r\n\r\n"
      "5\r\nhello\r\n6\r\n world\r\n0\r\nX-Amz-Trailer: dropped\r\n\r\n");
  Fixture<> f(setup);
  RecordingSink sink;

  const auto result = run(f.io, f.client.stream(f.to, get(f.to), seconds(5), sink));

  const auto response = expect_response(result);
  CHECK(response.status == 200);
  CHECK(response.body.empty());
  REQUIRE(sink.heads.size() == 1);
  CHECK(sink.heads[0].status == 200);
  CHECK(sink.heads[0].headers ==
        HeaderList{{"Transfer-Encoding", "chunked"}, {"Content-Type", "application/vnd.amazon.eventstream"}});
  std::string body;
  for (const auto& piece : sink.pieces) {
    CHECK_FALSE(piece.empty());
    body += piece;
  }
  CHECK(body == "hello world");
}

// stream() of a malformed response: Protocol, and the sink never sees a head.
TEST_CASE("stream of a malformed response is Protocol", "[http][client]") {
  Setup setup;
  setup.handler =
      answer_raw("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  Fixture<> f(setup);
  RecordingSink sink;

  const auto error = expect_error(run(f.io, f.client.stream(f.to, get(f.to), seconds(5), sink)));

  CHECK(error.kind == ClientErrorKind::Protocol);
  CHECK(sink.heads.empty());
}

// Bytes that are not HTTP: Protocol.
TEST_CASE("a response that is not HTTP is Protocol", "[http][client]") {
  Setup setup;
  setup.handler = answer_raw("SSH-2.0-OpenSSH_9.2\r\n\r\n");
  Fixture<> f(setup);

  const auto error = expect_error(f.get());

  CHECK(error.kind == ClientErrorKind::Protocol);
}

// A request serialised already (to_wire, as SignedCaller keeps Invoke heads) goes out as it is,
// on the same pooled connection as the requests before it.
TEST_CASE("send_wire sends a serialised request as it is", "[http][client]") {
  Setup setup;
  setup.handler = [](const LoopbackRequest& r) { return LoopbackReply::ok(r.message.body()); };
  Fixture<> f(setup);
  ClientRequest request;
  request.target = "/wire";
  request.headers = {{"Host", f.to.host_header()}, {"X-A", "1"}};
  request.body = "payload";
  for (int i = 0; i < 2; ++i) {
    auto wire = lambdagate::http::to_wire(request);
    REQUIRE(std::holds_alternative<lambdagate::http::WireRequest>(wire));
    const auto result =
        run(f.io, f.client.send_wire(f.to, std::get<lambdagate::http::WireRequest>(std::move(wire)),
                                     Deadline::after(f.clock, std::chrono::seconds(5))));
    CHECK(expect_response(result).body == "payload");
  }
  REQUIRE(f.server.requests().size() == 2);
  for (const auto& received : f.server.requests()) {
    CHECK(received.message.target() == "/wire");
    CHECK(received.message["X-A"] == "1");
    CHECK(received.message[bhttp::field::content_length] == "7");
  }
  CHECK(f.client.connections_opened() == 1);
}

// A header value with a line break could smuggle unsigned headers: refused before sending.
TEST_CASE("a header with a line break is refused", "[http][client]") {
  Fixture<> f;
  auto request = get(f.to);
  request.headers.emplace_back("X-Evil", "a\r\nX-Injected: 1");

  const auto error = expect_error(f.send(request));

  CHECK(error.kind == ClientErrorKind::Protocol);
  CHECK(f.client.connections_opened() == 0);
}

// Framing belongs to the client: a caller's own Content-Length or Transfer-Encoding could
// contradict the body actually sent, so it is refused before any connection is made.
TEST_CASE("a caller's Content-Length or Transfer-Encoding is refused", "[http][client]") {
  Fixture<> f;
  for (const char* name : {"Content-Length", "transfer-encoding"}) {
    auto request = get(f.to);
    request.headers.emplace_back(name, "5");

    const auto error = expect_error(f.send(request));

    CHECK(error.kind == ClientErrorKind::Protocol);
    CHECK_THAT(error.message, Catch::Contains(name));
  }
  CHECK(f.client.connections_opened() == 0);
}

// An empty POST still says "Content-Length: 0" (a server may otherwise wait for a body), and a
// method the client does not know goes out verbatim.
TEST_CASE("an empty POST carries Content-Length: 0; other methods go out as given", "[http][client]") {
  Setup setup;
  setup.handler = [](const LoopbackRequest& r) { return LoopbackReply::ok(std::string(r.message.method_string())); };
  Fixture<> f(setup);

  ClientRequest post;
  post.method = "POST";
  post.target = "/empty";
  post.headers = {{"Host", f.to.host_header()}};
  CHECK(expect_response(f.send(post)).body == "POST");
  ClientRequest custom = post;
  custom.method = "PROPFIND";

  CHECK(expect_response(f.send(custom)).body == "PROPFIND");
  REQUIRE(f.server.requests().size() == 2);
  CHECK(f.server.requests()[0].message[bhttp::field::content_length] == "0");
  CHECK(f.server.requests()[1].message.count(bhttp::field::content_length) == 0);
}

// A TRACE must not carry a body (RFC 9110 §9.3.8): refused before sending, not sent malformed.
TEST_CASE("a TRACE with a body is refused", "[http][client]") {
  Fixture<> f;
  auto request = get(f.to);
  request.method = "TRACE";
  request.body = "x";

  const auto error = expect_error(f.send(request));

  CHECK(error.kind == ClientErrorKind::Protocol);
  CHECK(f.client.connections_opened() == 0);
}

// TLS with the test CA as the extra bundle: the certificate verifies against the IP SAN, and
// keep-alive works over TLS too.
TEST_CASE("TLS with the CA bundle succeeds and reuses the connection", "[http][client][tls]") {
  Setup setup;
  setup.server_tls = tls_files("server");
  setup.client_tls = trust_test_ca();
  Fixture<> f(setup);

  for (int i = 0; i < 3; ++i) CHECK(expect_response(f.get()).body == "ok");

  CHECK(f.client.connections_opened() == 1);
  REQUIRE(f.server.server_names().size() == 1);
  CHECK(f.server.server_names()[0].empty());  // no SNI for an IP literal
}

// By host name: resolved through the system's resolver (then the cache), SNI sent, DNS SAN
// verified. Tagged [resolver]: "localhost" must resolve.
TEST_CASE("TLS to a host name sends SNI and verifies the name", "[http][client][tls][resolver]") {
  Setup setup;
  setup.server_tls = tls_files("server");
  setup.client_tls = trust_test_ca();
  setup.host = "localhost";
  Fixture<> f(setup);

  CHECK(expect_response(f.get(10)).status == 200);
  f.client.close_idle();
  CHECK(expect_response(f.get(10)).status == 200);

  CHECK(f.client.connections_opened() == 2);
  REQUIRE(f.server.server_names().size() == 2);
  CHECK(f.server.server_names()[0] == "localhost");
}

// A self-signed certificate no trusted CA vouches for: TlsFailed, saying why.
TEST_CASE("TLS to an untrusted certificate fails verification", "[http][client][tls]") {
  Setup setup;
  setup.server_tls = tls_files("untrusted");
  setup.client_tls = trust_test_ca();
  Fixture<> f(setup);

  const auto error = expect_error(f.get());

  CHECK(error.kind == ClientErrorKind::TlsFailed);
  CHECK_THAT(error.message, Catch::Contains("certificate verify failed"));
  CHECK_THAT(error.message, Catch::Contains("self-signed", Catch::CaseSensitive::No));
  CHECK(f.server.requests().empty());
}

// A certificate from the trusted CA, but for another IP: TlsFailed.
TEST_CASE("TLS to a certificate for another IP fails verification", "[http][client][tls]") {
  Setup setup;
  setup.server_tls = tls_files("wrong_host");
  setup.client_tls = trust_test_ca();
  Fixture<> f(setup);

  const auto error = expect_error(f.get());

  CHECK(error.kind == ClientErrorKind::TlsFailed);
  CHECK_THAT(error.message, Catch::Contains("IP address mismatch"));
  CHECK(f.server.requests().empty());
}

// A certificate from the trusted CA, but for another host name: TlsFailed. Tagged [resolver]:
// "localhost" must resolve.
TEST_CASE("TLS to a certificate for another host name fails verification", "[http][client][tls][resolver]") {
  Setup setup;
  setup.server_tls = tls_files("wrong_host");
  setup.client_tls = trust_test_ca();
  setup.host = "localhost";
  Fixture<> f(setup);

  const auto error = expect_error(f.get(10));

  CHECK(error.kind == ClientErrorKind::TlsFailed);
  CHECK_THAT(error.message, Catch::Contains("hostname mismatch"));
  CHECK(f.server.requests().empty());
}

// The test CA is not a system CA: without the bundle, the server's certificate is rejected.
TEST_CASE("TLS without the CA bundle rejects the test CA", "[http][client][tls]") {
  Setup setup;
  setup.server_tls = tls_files("server");  // and no CA bundle for the client
  Fixture<> f(setup);

  const auto error = expect_error(f.get());

  CHECK(error.kind == ClientErrorKind::TlsFailed);
}

// A CA bundle that cannot be loaded fails every https send with the reason; http still works.
TEST_CASE("an unreadable CA bundle fails https sends with a clear message", "[http][client][tls]") {
  asio::io_context io;
  SystemClock clock;
  LoopbackHttpServer plain(io, ok);
  PooledHttpClient client(io.get_executor(), clock, TlsOptions{kTls + "missing.pem", true, {}});

  const auto secure = endpoint("https", "127.0.0.1", 1);
  const auto error = expect_error(run(io, client.send(secure, get(secure), seconds(5))));
  CHECK(error.kind == ClientErrorKind::TlsFailed);
  CHECK_THAT(error.message, Catch::Contains("cannot load CA bundle") && Catch::Contains("missing.pem"));

  const auto insecure = endpoint("http", "127.0.0.1", plain.port());
  CHECK(expect_response(run(io, client.send(insecure, get(insecure), seconds(5)))).status == 200);
}

// The TLS layer's own paths (TlsClientStream): requests and responses of many records, a
// connection the server dropped (idle, or after reading the request, with no close_notify), a
// server that never answers, a body cut short, and streaming, each as the plain tests above
// expect of TCP.
namespace {

Setup tls_setup() {
  Setup setup;
  setup.server_tls = tls_files("server");
  setup.client_tls = trust_test_ca();
  return setup;
}

}  // namespace

TEST_CASE("TLS carries bodies of many records both ways, on one connection", "[http][client][tls]") {
  Setup setup = tls_setup();
  setup.handler = [](const LoopbackRequest& r) { return LoopbackReply::ok(r.message.body()); };
  Fixture<> f(setup);
  for (const std::size_t size : {std::size_t{1}, std::size_t{16 * 1024 + 1}, std::size_t{900 * 1024 + 7}}) {
    INFO("body of " << size << " bytes");
    ClientRequest request;
    request.target = "/echo";
    request.headers = {{"Host", f.to.host_header()}};
    request.body.resize(size);
    for (std::size_t i = 0; i < size; ++i) request.body[i] = static_cast<char>('a' + i % 26);
    const auto response =
        expect_response(f.send(request, Deadline::after(f.clock, std::chrono::seconds(20))));
    CHECK(response.body.size() == size);
    CHECK(response.body == request.body);
  }
  CHECK(f.client.connections_opened() == 1);
}

TEST_CASE("TLS: a connection the server closed while idle is replaced", "[http][client][tls]") {
  Setup setup = tls_setup();
  setup.handler = [](const LoopbackRequest&) {
    LoopbackReply reply = LoopbackReply::ok();
    reply.close_after = true;
    return reply;
  };
  Fixture<> f(setup);

  expect_response(f.get());
  f.io.run_for(std::chrono::milliseconds(20));
  CHECK(expect_response(f.get()).status == 200);
  CHECK(f.client.connections_opened() == 2);
}

TEST_CASE("TLS: a reused connection dropped before the response is retried once", "[http][client][tls]") {
  Setup setup = tls_setup();
  setup.handler = [](const LoopbackRequest& r) {
    if (r.connection == 1 && r.sequence == 2) return LoopbackReply::with(Action::CloseWithoutResponse);
    return LoopbackReply::ok("from connection " + std::to_string(r.connection));
  };
  Fixture<> f(setup);

  expect_response(f.get());
  CHECK(expect_response(f.get()).body == "from connection 2");
  CHECK(f.client.connections_opened() == 2);
}

TEST_CASE("TLS: a server that never answers times out, one that drops the request is Reset",
          "[http][client][tls]") {
  Setup setup = tls_setup();
  setup.handler = [](const LoopbackRequest& r) {
    return LoopbackReply::with(r.message.target() == "/hang" ? Action::Hang : Action::CloseWithoutResponse);
  };
  Fixture<> f(setup);

  const auto timeout =
      expect_error(f.send(get(f.to, "/hang"), Deadline::after(f.clock, std::chrono::milliseconds(300))));
  CHECK(timeout.kind == ClientErrorKind::Timeout);
  const auto reset = expect_error(f.send(get(f.to, "/drop")));
  CHECK(reset.kind == ClientErrorKind::Reset);
}

TEST_CASE("TLS: a body cut short by the close is Reset", "[http][client][tls]") {
  Setup setup = tls_setup();
  setup.handler = answer_raw("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort");
  Fixture<> f(setup);

  CHECK(expect_error(f.get()).kind == ClientErrorKind::Reset);
}

TEST_CASE("TLS: stream hands over the head, then the body as it arrives", "[http][client][tls]") {
  Setup setup = tls_setup();
  setup.handler = answer_raw(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  Fixture<> f(setup);
  RecordingSink sink;

  const auto response = expect_response(run(f.io, f.client.stream(f.to, get(f.to), seconds(5), sink)));
  CHECK(response.status == 200);
  REQUIRE(sink.heads.size() == 1);
  std::string body;
  for (const auto& piece : sink.pieces) body += piece;
  CHECK(body == "hello world");
}
