// The session loop (http/session.hpp) over an in-memory connection (beast::test::stream through
// FakeStream): what it answers, the limits it enforces, the timeout it arms before each step,
// pipelining, how injected I/O failures (fail_count) end it, and how shutdown's cancellations and
// the stopping flag end it. No sockets, no wall clock.
#include "lambdagate/http/session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/_experimental/test/fail_count.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <catch2/catch.hpp>
#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fakes/fake_clock.hpp"
#include "fakes/fake_stream.hpp"
#include "lambdagate/core/task.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using namespace std::chrono_literals;
using namespace lambdagate;
using testing::FakeStream;

// A RequestHandler that answers each request with its body echoed (200), or as `answer` says;
// `hold` makes it wait (on a timer only cancellation or release() ends) before answering.
class EchoHandler final : public http::RequestHandler {
 public:
  std::function<http::Response(const http::Request&)> answer;
  bool hold = false;
  std::vector<http::Request> requests;
  std::vector<std::string> rejections;  // the error codes of reject()
  bool cancelled = false;               // a held request was cancelled

  lambdagate::core::Task<http::Response> handle(http::Request& request, const http::ConnectionInfo&,
                                         http::ResponseWriter&) override {
    requests.push_back(request);
    if (hold) {
      const auto executor = co_await asio::this_coro::executor;
      asio::steady_timer gate(executor, asio::steady_timer::time_point::max());
      gate_ = &gate;
      auto [ec] = co_await gate.async_wait(asio::as_tuple(lambdagate::core::use_task));
      gate_ = nullptr;
      if (ec && !released_) cancelled = true;
    }
    if (answer) co_return answer(request);
    http::Response response{bhttp::status::ok, request.version()};
    response.body() = request.body();
    co_return response;
  }

  http::Response reject(core::ErrorKind kind, std::string message, const http::Request*) override {
    rejections.emplace_back(core::to_string(kind));
    http::Response response{static_cast<bhttp::status>(core::http_status(kind)), 11};
    response.body() = std::move(message);
    return response;
  }

  bool holding() const { return gate_ != nullptr; }
  void release() {
    released_ = true;
    if (gate_) gate_->cancel();
  }

 private:
  asio::steady_timer* gate_ = nullptr;
  bool released_ = false;
};

// One session over a FakeStream, with the client's end of the connection.
struct Connection {
  asio::io_context io;
  beast::test::fail_count failures;
  FakeStream server;
  beast::test::stream client{io};
  EchoHandler handler;
  http::ServerLimits limits;
  bool stopping = false;
  http::TaskGroup::Member member;
  beast::flat_buffer buffer;
  std::optional<http::SessionContext> context;
  bool ended = false;
  std::exception_ptr failure;

  // `fail_at`: the server end's Nth operation fails (beast::test::fail_count).
  explicit Connection(std::optional<std::size_t> fail_at = std::nullopt)
      : failures(fail_at.value_or(1000000)), server(io, failures) {
    client.connect(server.inner());
  }

  void start() {
    context.emplace(http::SessionContext{handler, limits, {.remote_address = "192.0.2.1", .remote_port = 1234}, stopping, member});
    asio::co_spawn(io, http::run_session(server, buffer, *context),
                   asio::bind_cancellation_slot(member.signal.slot(), [this](std::exception_ptr e) {
                     ended = true;
                     failure = e;
                   }));
  }
  void send(const std::string& bytes) { client.write_some(asio::buffer(bytes)); }
  // Runs handlers until none is ready (the session waits for something).
  void settle() {
    io.restart();
    io.poll();
  }
  std::string received() {
    const auto text = client.str();
    return std::string(text.data(), text.size());
  }
};

int count_of(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

const std::string kGet = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";

}  // namespace

// A request gets its response and the keep-alive connection waits for the next one, idle, under
// the idle timeout; the client leaving ends the session.
TEST_CASE("session: a request, its response, then an idle keep-alive wait", "[http][session]") {
  Connection c;
  c.start();
  c.send("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
  c.settle();
  REQUIRE(c.handler.requests.size() == 1);
  CHECK(c.handler.requests[0].body() == "hello");
  CHECK(c.received().starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK(c.received().ends_with("\r\n\r\nhello"));
  CHECK_FALSE(c.ended);
  CHECK(c.member.idle);
  CHECK(c.server.armed() == std::chrono::steady_clock::duration(c.limits.idle_timeout));

  c.client.close();
  c.settle();
  CHECK(c.ended);
  CHECK_FALSE(c.failure);
}

// Pipelined requests in one write are answered in order, one response each.
TEST_CASE("session: pipelined requests are answered in order", "[http][session]") {
  Connection c;
  c.start();
  c.send(
      "POST /1 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\none"
      "POST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\ntwo"
      "GET /3 HTTP/1.1\r\nHost: x\r\n\r\n");
  c.settle();
  REQUIRE(c.handler.requests.size() == 3);
  CHECK(c.handler.requests[0].target() == "/1");
  CHECK(c.handler.requests[1].target() == "/2");
  CHECK(c.handler.requests[2].target() == "/3");
  const std::string out = c.received();
  CHECK(count_of(out, "HTTP/1.1 200 OK") == 3);
  CHECK(out.find("one") < out.find("two"));
  CHECK_FALSE(c.ended);
}

// Requests over the limits are refused before the handler sees them, with the shared error
// format (the handler's reject) and the connection closed.
TEST_CASE("session: limits refuse the request and close the connection", "[http][session]") {
  struct Case {
    const char* name;
    std::string bytes;
    const char* code;
    const char* status_line;
  };
  const std::vector<Case> cases = {
      {"headers over max_header_bytes",
       "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(300, 'a') + "\r\n\r\n", "headers_too_large",
       "HTTP/1.1 431"},
      {"Content-Length over max_body_bytes", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 65\r\n\r\n",
       "payload_too_large", "HTTP/1.1 413"},
      {"chunked body over max_body_bytes",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n50\r\n" + std::string(80, 'b') +
           "\r\n0\r\n\r\n",
       "payload_too_large", "HTTP/1.1 413"},
      {"a malformed request line", "GET\r\n\r\n", "bad_request", "HTTP/1.1 400"},
      {"a malformed chunk size", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
       "bad_request", "HTTP/1.1 400"},
  };
  const auto test = GENERATE_COPY(from_range(cases));
  INFO(test.name);
  Connection c;
  c.limits.max_header_bytes = 256;
  c.limits.max_body_bytes = 64;
  c.start();
  c.send(test.bytes);
  c.settle();
  CHECK(c.handler.requests.empty());
  REQUIRE(c.handler.rejections.size() == 1);
  CHECK(c.handler.rejections[0] == test.code);
  CHECK(c.received().starts_with(test.status_line));
  CHECK_THAT(c.received(), Catch::Contains("Connection: close"));
  CHECK(c.ended);
}

// Each step that waits arms its own timeout on the stream (Beast's idiom): the idle wait for a
// first byte, the rest of the header from then on (so a slow header is cut at the header
// timeout), the body, the response; the handler's own work is not timed by the stream. An
// expiring timeout ends the session without a response.
TEST_CASE("session: each step arms its own timeout, and expiry ends the session", "[http][session]") {
  Connection c;
  c.limits.idle_timeout = 61s;
  c.limits.header_timeout = 31s;
  c.limits.body_timeout = 62s;
  c.limits.write_timeout = 63s;
  c.handler.hold = true;
  c.start();
  c.settle();
  CHECK(c.server.timeouts == std::vector<std::chrono::steady_clock::duration>{61s});

  // Header and half the body arrive: the body step is armed.
  c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345");
  c.settle();
  CHECK(c.server.armed() == std::chrono::steady_clock::duration(62s));
  c.send("67890");
  c.settle();
  // The handler runs with no stream timeout (its deadline is the route's).
  REQUIRE(c.handler.holding());
  CHECK_FALSE(c.server.armed());
  c.handler.release();
  c.settle();
  // The header came whole with the first bytes, so it was parsed from the buffer with no wait
  // and no header timeout armed (a header still arriving gets one: the pipelined case below).
  CHECK(c.server.timeouts == std::vector<std::chrono::steady_clock::duration>{61s, 62s, 63s, 61s});

  // A request that starts in the buffer (pipelined bytes) gets the header timeout, not the idle one.
  c.handler.hold = false;
  c.send(kGet + "GET /b HTTP/1.1\r\nHo");
  c.settle();
  CHECK(c.server.armed() == std::chrono::steady_clock::duration(31s));

  const std::size_t before = c.received().size();
  c.server.fire_timeout();
  c.settle();
  CHECK(c.ended);
  CHECK(c.received().size() == before);  // no response to the half-read request
  CHECK(c.handler.requests.size() == 2);
}

// An idle connection whose timeout expires ends quietly: no response, no handler call.
TEST_CASE("session: the idle timeout closes a connection that sends nothing", "[http][session]") {
  Connection c;
  c.start();
  c.settle();
  c.server.fire_timeout();
  c.settle();
  CHECK(c.ended);
  CHECK_FALSE(c.failure);
  CHECK(c.received().empty());
  CHECK(c.handler.requests.empty());
}

// Expect: 100-continue gets its interim response before the body is read.
TEST_CASE("session: 100-continue", "[http][session]") {
  Connection c;
  c.start();
  c.send("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
  c.settle();
  CHECK(c.received() == "HTTP/1.1 100 Continue\r\n\r\n");
  c.send("ok");
  c.settle();
  REQUIRE(c.handler.requests.size() == 1);
  CHECK(c.handler.requests[0].body() == "ok");
}

// A handler that throws: the client gets a 500 from reject(), the connection stays usable.
TEST_CASE("session: a throwing handler is answered 500 internal_error", "[http][session]") {
  Connection c;
  c.handler.answer = [](const http::Request&) -> http::Response { throw std::runtime_error("boom"); };
  c.start();
  c.send(kGet);
  c.settle();
  CHECK(c.received().starts_with("HTTP/1.1 500"));
  REQUIRE(c.handler.rejections.size() == 1);
  CHECK(c.handler.rejections[0] == "internal_error");
  CHECK_FALSE(c.ended);
}

// An I/O failure at any step (the Nth operation on the stream fails) ends the session cleanly:
// no exception escapes, nothing hangs, and the handler never sees a partial request.
TEST_CASE("session: an I/O failure at any step ends the session", "[http][session]") {
  const std::size_t fail_at = GENERATE(range<std::size_t>(1, 8));
  INFO("operation " << fail_at << " fails");
  Connection c(fail_at);
  c.start();
  c.send("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
  c.settle();
  c.send(kGet);
  c.settle();
  c.client.close();
  c.settle();
  CHECK(c.ended);
  CHECK_FALSE(c.failure);
  for (const auto& request : c.handler.requests) {
    if (request.method() == bhttp::verb::post) CHECK(request.body() == "hello");
  }
}

// Shutdown, step 1: a session waiting for a request is cancelled at once (an idle keep-alive
// connection); a busy one finishes its response, with Connection: close, and then ends.
TEST_CASE("session: stopping closes idle sessions now and busy ones after their response",
          "[http][session]") {
  SECTION("idle") {
    Connection c;
    c.start();
    c.send(kGet);
    c.settle();
    REQUIRE(c.member.idle);
    c.stopping = true;
    c.member.signal.emit(asio::cancellation_type::terminal);  // what Server::stop_accepting emits
    c.settle();
    CHECK(c.ended);
    CHECK_FALSE(c.failure);
  }
  SECTION("busy") {
    Connection c;
    c.handler.hold = true;
    c.start();
    c.send(kGet);
    c.settle();
    REQUIRE(c.handler.holding());
    CHECK_FALSE(c.member.idle);  // not cancelled by the listener's stop
    c.stopping = true;
    c.handler.release();
    c.settle();
    CHECK(c.received().starts_with("HTTP/1.1 200 OK"));
    CHECK_THAT(c.received(), Catch::Contains("Connection: close"));
    CHECK(c.ended);
  }
}

// Shutdown, step 3: terminal cancellation cuts a busy session off (the handler's pending
// operation is cancelled too) and the session unwinds without answering.
TEST_CASE("session: terminal cancellation cuts a busy session off", "[http][session]") {
  Connection c;
  c.handler.hold = true;
  c.start();
  c.send(kGet);
  c.settle();
  REQUIRE(c.handler.holding());
  c.member.signal.emit(asio::cancellation_type::terminal);
  c.settle();
  CHECK(c.handler.cancelled);
  CHECK(c.ended);
  CHECK(c.received().empty());
}

// A streamed response is chunked on HTTP/1.1, and the connection carries the next request.
TEST_CASE("session: a streamed response is chunked and keeps the connection", "[http][session]") {
  class Streaming final : public http::RequestHandler {
   public:
    lambdagate::core::Task<http::Response> handle(http::Request& request, const http::ConnectionInfo&,
                                           http::ResponseWriter& writer) override {
      http::Response head{bhttp::status::ok, request.version()};
      co_await writer.begin(head);
      const std::string first = "hello, ";
      const std::string second = "world";
      co_await writer.write(first);
      co_await writer.write(second);
      co_await writer.finish();
      co_return http::Response{};
    }
    http::Response reject(core::ErrorKind, std::string, const http::Request*) override { return {}; }
  } streaming;
  asio::io_context io;
  FakeStream server(io);
  beast::test::stream client(io);
  client.connect(server.inner());
  http::ServerLimits limits;
  bool stopping = false;
  http::TaskGroup::Member member;
  beast::flat_buffer buffer;
  http::SessionContext context{streaming, limits, {}, stopping, member};
  bool ended = false;
  asio::co_spawn(io, http::run_session(server, buffer, context), [&](std::exception_ptr) { ended = true; });
  client.write_some(asio::buffer(kGet + kGet));
  io.poll();
  const auto text = client.str();
  const std::string out(text.data(), text.size());
  CHECK(count_of(out, "Transfer-Encoding: chunked") == 2);
  CHECK(count_of(out, "7\r\nhello, \r\n5\r\nworld\r\n0\r\n\r\n") == 2);
  CHECK_FALSE(ended);
}

// Issue 12, item 3: a Transfer-Encoding that does not frame the body as chunked is refused and
// the connection closed, so the body is never read as a second request and never routed.
TEST_CASE("session: Transfer-Encoding other than chunked cannot smuggle a request", "[http][session][edge]") {
  for (const char* coding : {"gzip", "chunked, identity", "identity"}) {
    INFO(coding);
    Connection c;
    c.start();
    c.send(std::string("POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ") + coding +
           "\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n");
    c.settle();
    CHECK(c.handler.requests.empty());
    CHECK(c.received().starts_with("HTTP/1.1 400"));
    CHECK(count_of(c.received(), "HTTP/1.1") == 1);
    CHECK(c.ended);
  }
  // Content-Length with Transfer-Encoding, and differing Content-Lengths: 400 and closed.
  for (const char* head : {"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n",
                           "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n",
                           "Content-Length: 3\r\nContent-Length: 4\r\n"}) {
    INFO(head);
    Connection c;
    c.start();
    c.send(std::string("POST /a HTTP/1.1\r\nHost: x\r\n") + head + "\r\n0\r\n\r\n");
    c.settle();
    CHECK(c.handler.requests.empty());
    CHECK(c.received().starts_with("HTTP/1.1 400"));
    CHECK(c.ended);
  }
}

// Issue 12, item 9: HTTP/1.1 without Host, or with two, is refused 400.
TEST_CASE("session: HTTP/1.1 needs exactly one Host", "[http][session][edge]") {
  for (const char* bytes : {"GET / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"}) {
    INFO(bytes);
    Connection c;
    c.start();
    c.send(bytes);
    c.settle();
    CHECK(c.handler.requests.empty());
    CHECK(c.received().starts_with("HTTP/1.1 400"));
    CHECK(c.ended);
  }
}

// Found by tests/fuzz/http_request_fuzz.cpp: Beast adds a chunked body's trailer fields to the
// header after check_request_head ran, so a trailer could add a second Host (routed on the first,
// the function seeing the last), or a header with '_' past REJECT_REQUEST (a Transfer-Encoding
// there Beast refuses itself). The trailer is dropped, as Envoy does: the handler gets the header
// that was checked.
TEST_CASE("session: a trailer cannot add header fields", "[http][session][edge]") {
  Connection c;
  c.limits.headers.underscores = http::UnderscoreHeaders::Reject;
  c.start();
  c.send(
      "POST /t HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n"
      "Host: evil\r\nX_Under: 1\r\nX-Trailer: t\r\n\r\n" +
      kGet);
  c.settle();
  REQUIRE(c.handler.requests.size() == 2);
  const http::Request& request = c.handler.requests[0];
  CHECK(request.body() == "hello");
  CHECK(request.count(bhttp::field::host) == 1);
  CHECK(request[bhttp::field::host] == "x");
  CHECK(request.count("X_Under") == 0);
  CHECK(request.count("X-Trailer") == 0);
  CHECK(request[bhttp::field::transfer_encoding] == "chunked");
  CHECK(count_of(c.received(), "HTTP/1.1 200") == 2);
}

// Issue 12, item 9: a HEAD answer carries the header only (its Content-Length says what a GET
// would get), so the next pipelined response is read as a response, not as a body; a streamed
// HEAD answer sends no chunks.
TEST_CASE("session: HEAD gets headers only, and pipelining still works", "[http][session][edge]") {
  Connection c;
  c.handler.answer = [](const http::Request& request) {
    http::Response response{bhttp::status::ok, request.version()};
    response.body() = "a body of 17 byte";
    return response;
  };
  c.start();
  c.send("HEAD /a HTTP/1.1\r\nHost: x\r\n\r\n" + kGet);
  c.settle();
  REQUIRE(c.handler.requests.size() == 2);
  const std::string out = c.received();
  CHECK(out.starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK_THAT(out, Catch::Contains("Content-Length: 17\r\n"));
  CHECK(count_of(out, "a body of 17 byte") == 1);
  CHECK(out.find("\r\n\r\nHTTP/1.1 200 OK\r\n") != std::string::npos);
  CHECK_FALSE(c.ended);
}

// Issue 12, item 9: an HTTP/1.0 client never gets "100 Continue" (it does not know interim
// responses); its body is read all the same.
TEST_CASE("session: no 100 Continue to HTTP/1.0", "[http][session][edge]") {
  Connection c;
  c.start();
  c.send("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
  c.settle();
  CHECK(c.received().empty());
  c.send("ok");
  c.settle();
  REQUIRE(c.handler.requests.size() == 1);
  CHECK(c.handler.requests[0].body() == "ok");
  CHECK_THAT(c.received(), !Catch::Contains("100 Continue"));
}

// Issue 12, item 1: a chunk extension or a trailer that never ends is cut at the header limit
// (431) instead of growing the read buffer: after more than the limit is sent, the session has
// answered and the buffer stayed within its bound.
TEST_CASE("session: endless chunk extensions and trailers are bounded", "[http][session][edge]") {
  const std::string head = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  struct Case {
    const char* name;
    std::string start;
    std::string filler;
  };
  const std::vector<Case> cases = {
      {"one endless extension", head + "5;ext=", std::string(4096, 'a')},
      {"one endless trailer", head + "5\r\nhello\r\n0\r\nX-Trailer: ", std::string(4096, 'b')},
      {"many chunks with extensions", head, "1;" + std::string(1000, 'c') + "\r\nz\r\n"},
  };
  const auto test = GENERATE_COPY(from_range(cases));
  INFO(test.name);
  Connection c;
  c.limits.max_header_bytes = 8 * 1024;
  c.start();
  c.send(test.start);
  std::size_t sent = test.start.size();
  while (!c.ended && sent < 4 * 1024 * 1024) {
    c.send(test.filler);
    sent += test.filler.size();
    c.settle();
    CHECK(c.buffer.size() <= http::read_buffer_limit(c.limits));
  }
  CHECK(c.ended);
  CHECK(sent < 256 * 1024);
  CHECK(c.handler.requests.empty());
  CHECK(c.received().starts_with("HTTP/1.1 431"));
}

// The handler sees the normalised target (issue 12, item 4); a target that is not a path is
// refused 400.
TEST_CASE("session: the target is normalised before the handler sees it", "[http][session][edge]") {
  Connection c;
  c.start();
  c.send("GET /api/x/../%73ecret//a?q=/../ HTTP/1.1\r\nHost: x\r\n\r\n");
  c.settle();
  REQUIRE(c.handler.requests.size() == 1);
  CHECK(c.handler.requests[0].target() == "/api/secret/a?q=/../");

  Connection bad;
  bad.start();
  bad.send("GET http://example.com/a HTTP/1.1\r\nHost: x\r\n\r\n");
  bad.settle();
  CHECK(bad.handler.requests.empty());
  CHECK(bad.received().starts_with("HTTP/1.1 400"));
}

// maxRequestsPerConnection: the last allowed response says Connection: close and the session ends.
TEST_CASE("session: max requests per connection", "[http][session][edge]") {
  Connection c;
  c.limits.max_requests_per_connection = 2;
  c.start();
  c.send(kGet + kGet + kGet);
  c.settle();
  CHECK(c.handler.requests.size() == 2);
  CHECK(count_of(c.received(), "Connection: close") == 1);
  CHECK(c.ended);
}

// Gloo's healthCheck.path is answered by the listener itself: 200 while serving, 503 once
// draining, without reaching the handler; other paths are routed as usual.
TEST_CASE("session: the listener's health check path", "[http][session][edge]") {
  Connection c;
  std::atomic<bool> draining{false};
  c.limits.health_check_path = "/healthz";
  c.limits.draining = &draining;
  c.start();
  c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  c.settle();
  CHECK(c.received().starts_with("HTTP/1.1 200 OK\r\n"));
  draining = true;
  c.send("GET /./healthz?probe=1 HTTP/1.1\r\nHost: x\r\n\r\n");
  c.settle();
  CHECK(count_of(c.received(), "HTTP/1.1 503") == 1);
  c.send("GET /healthzx HTTP/1.1\r\nHost: x\r\n\r\n");
  c.settle();
  REQUIRE(c.handler.requests.size() == 1);
  CHECK(c.handler.requests[0].target() == "/healthzx");
}

// What the handler keeps per connection (api's per-connection rate-limit buckets, in
// ConnectionInfo::handler_state) lives as long as the connection, not one request, even though
// each request gets its own copy of the connection's info (the client address may differ per
// request); a new connection starts without it.
TEST_CASE("session: the handler's per-connection state outlives each request", "[http][session][edge]") {
  class Counting final : public http::RequestHandler {
   public:
    lambdagate::core::Task<http::Response> handle(http::Request& request, const http::ConnectionInfo& connection,
                                           http::ResponseWriter&) override {
      auto count = std::static_pointer_cast<int>(connection.handler_state);
      if (!count) {
        count = std::make_shared<int>(0);
        connection.handler_state = count;
      }
      seen.push_back(++*count);
      co_return http::Response{bhttp::status::ok, request.version()};
    }
    http::Response reject(core::ErrorKind, std::string, const http::Request*) override { return {}; }
    std::vector<int> seen;
  } counting;
  asio::io_context io;
  http::ServerLimits limits;
  bool stopping = false;
  auto serve = [&](FakeStream& server, http::TaskGroup::Member& member, beast::flat_buffer& buffer,
                   std::optional<http::SessionContext>& context) {
    context.emplace(http::SessionContext{counting, limits, {.remote_address = "192.0.2.1", .remote_port = 1234}, stopping, member});
    asio::co_spawn(io, http::run_session(server, buffer, *context), asio::detached);
  };
  FakeStream first(io);
  beast::test::stream first_client(io);
  first_client.connect(first.inner());
  http::TaskGroup::Member first_member;
  beast::flat_buffer first_buffer;
  std::optional<http::SessionContext> first_context;
  serve(first, first_member, first_buffer, first_context);
  first_client.write_some(asio::buffer(kGet + kGet + kGet));
  io.poll();
  CHECK(counting.seen == std::vector<int>{1, 2, 3});

  FakeStream second(io);
  beast::test::stream second_client(io);
  second_client.connect(second.inner());
  http::TaskGroup::Member second_member;
  beast::flat_buffer second_buffer;
  std::optional<http::SessionContext> second_context;
  serve(second, second_member, second_buffer, second_context);
  second_client.write_some(asio::buffer(kGet));
  io.restart();
  io.poll();
  CHECK(counting.seen == std::vector<int>{1, 2, 3, 1});
  first_client.close();
  second_client.close();
  io.restart();
  io.poll();
}

// Gloo's maxConnectionDuration: the idle wait is cut to what is left of the connection's life,
// and once it has passed, the response in progress says Connection: close and ends the session.
TEST_CASE("session: max connection duration", "[http][session][edge]") {
  testing::FakeClock clock;
  Connection c;
  c.limits.clock = &clock;
  c.limits.max_connection_duration = std::chrono::seconds(30);
  c.start();
  c.send(kGet);
  c.settle();
  CHECK(count_of(c.received(), "Connection: close") == 0);
  CHECK(c.server.armed() == std::chrono::steady_clock::duration(std::chrono::seconds(30)));
  clock.advance(std::chrono::seconds(20));
  c.send(kGet);
  c.settle();
  CHECK(c.server.armed() == std::chrono::steady_clock::duration(std::chrono::seconds(10)));
  CHECK_FALSE(c.ended);
  clock.advance(std::chrono::seconds(11));
  c.send(kGet + kGet);
  c.settle();
  CHECK(c.handler.requests.size() == 3);
  CHECK(count_of(c.received(), "Connection: close") == 1);
  CHECK(c.ended);
}

// The process-wide cap on request bytes in flight: a declared body that does not fit is refused
// 503 overloaded before it is read (the handler never sees it); one that fits is served, and its
// bytes are given back once it is answered.
TEST_CASE("session: the bytes-in-flight cap answers 503 overloaded", "[http][session][edge]") {
  auto budget = std::make_shared<http::ByteBudget>(10);
  {
    Connection c;
    c.limits.bytes_in_flight = budget;
    c.handler.hold = true;
    c.start();
    c.send("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\n12345678");
    c.settle();
    CHECK(c.handler.holding());
    CHECK(budget->used() == 8);

    Connection other;
    other.limits.bytes_in_flight = budget;
    other.start();
    other.send("POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n12345");
    other.settle();
    CHECK(other.received().starts_with("HTTP/1.1 503"));
    CHECK(other.handler.rejections == std::vector<std::string>{"overloaded"});
    CHECK(other.handler.requests.empty());
    CHECK(other.ended);
    // Chunked bodies are counted once read.
    Connection chunked;
    chunked.limits.bytes_in_flight = budget;
    chunked.start();
    chunked.send("POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n12345\r\n0\r\n\r\n");
    chunked.settle();
    CHECK(chunked.received().starts_with("HTTP/1.1 503"));
    CHECK(chunked.handler.requests.empty());

    c.handler.release();
    c.settle();
    CHECK(c.received().starts_with("HTTP/1.1 200"));
    CHECK(budget->used() == 0);
    c.client.close();
    c.settle();
  }
  CHECK(budget->used() == 0);
}

// read_buffered_request reads a request whole in the buffer with no coroutine, and hands
// anything that needs I/O (more bytes, a 100 Continue, a chunked body) to read_request before
// reserving anything or parsing the body; it refuses what read_request refuses.
TEST_CASE("session: a request whole in the buffer is read without read_request", "[http][session]") {
  using Outcome = http::detail::BufferedRead::Outcome;
  auto budget = std::make_shared<http::ByteBudget>(100);
  struct Case {
    const char* what;
    std::string bytes;
    Outcome outcome;
    std::size_t reserved;     // bytes of the budget held after the call
    std::string body;         // Complete: the body read
    std::string refused_as;   // Refused: the rejection's error code
  };
  const std::vector<Case> cases = {
      {"a GET", kGet, Outcome::Complete, 0, "", ""},
      {"a POST with its body", "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n12345", Outcome::Complete, 5,
       "12345", ""},
      {"a header cut short", "POST /a HTTP/1.1\r\nHost: x\r\nContent-Le", Outcome::Pending, 0, "", ""},
      {"a body cut short", "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n123", Outcome::Pending, 0, "", ""},
      {"a chunked body", "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n12345\r\n0\r\n\r\n",
       Outcome::Pending, 0, "", ""},
      {"Expect: 100-continue", "POST /a HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n12345",
       Outcome::Pending, 0, "", ""},
      {"a malformed header", "POST /a HTTP/1.1\r\nHost x\r\n\r\n", Outcome::Refused, 0, "", "bad_request"},
      {"no Host", "GET /a HTTP/1.1\r\n\r\n", Outcome::Refused, 0, "", "bad_request"},
      {"over the bytes in flight", "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n" + std::string(101, 'b'),
       Outcome::Refused, 0, "", "overloaded"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    Connection connection;
    connection.limits.bytes_in_flight = budget;
    connection.context.emplace(http::SessionContext{connection.handler, connection.limits, {}, connection.stopping,
                                                    connection.member});
    http::RequestParser parser;
    http::ChunkExtensionBudget extensions;
    http::configure_request_parser(parser, connection.limits.max_body_bytes, connection.limits.max_header_bytes,
                                   extensions);
    beast::flat_buffer buffer;
    const auto room = buffer.prepare(c.bytes.size());
    std::memcpy(room.data(), c.bytes.data(), c.bytes.size());
    buffer.commit(c.bytes.size());
    {
      http::ByteReservation reservation(budget.get());
      const http::detail::BufferedRead read = http::detail::read_buffered_request(parser, buffer, *connection.context, reservation);
      CHECK(read.outcome == c.outcome);
      CHECK(budget->used() == c.reserved);
      if (c.outcome == Outcome::Complete) {
        CHECK(parser.is_done());
        CHECK(parser.get().body() == c.body);
        CHECK(buffer.size() == 0);
      }
      if (c.outcome == Outcome::Pending) CHECK(parser.get().body().empty());
      CHECK(read.refusal.has_value() == !c.refused_as.empty());
      if (!c.refused_as.empty()) CHECK(connection.handler.rejections == std::vector<std::string>{c.refused_as});
    }
    CHECK(budget->used() == 0);
  }
}
