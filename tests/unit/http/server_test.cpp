// The plain accept path of http::Server over real loopback sockets: a keep-alive connection is
// served one request at a time (pipelined requests in order), waits for the next request without
// a session coroutine, and is closed by the idle timeout or by stop_accepting(); the listener's
// TaskGroup empties once the connections are gone. The server's io_context runs on its own
// thread; the client is a blocking socket with a receive timeout, so no test can hang.
#include "lambdagate/http/server.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using namespace lambdagate;

constexpr std::size_t kBigBody = 8 * 1024 * 1024;

// Answers every request 200 with the body "ok" (8 MiB and "ok" for /big); counts them.
class OkHandler final : public http::RequestHandler {
 public:
  std::atomic<int> requests{0};

  core::Task<http::Response> handle(http::Request& request, const http::ConnectionInfo&,
                                    http::ResponseWriter&) override {
    ++requests;
    http::Response response{bhttp::status::ok, request.version()};
    // /big: more than a socket takes at once, so the write has to wait for the client.
    response.body() = request.target() == "/big" ? std::string(kBigBody, 'b') + "ok" : "ok";
    co_return response;
  }
  http::Response reject(core::ErrorKind kind, std::string message, const http::Request*) override {
    http::Response response{static_cast<bhttp::status>(core::http_status(kind)), 11};
    response.body() = std::move(message);
    return response;
  }
};

// A Server on 127.0.0.1 with its io_context running on a thread of its own.
struct Listener {
  asio::io_context io{1};
  OkHandler handler;
  std::optional<http::Server> server;
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  std::thread thread;

  explicit Listener(http::ServerLimits limits) {
    server.emplace(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0), handler, limits, false);
    server->start();
    thread = std::thread([this] { io.run(); });
  }
  ~Listener() {
    // The Server may only go once its connections and accept loop have ended.
    stop();
    drained_within(5s);
    work.reset();
    io.stop();
    thread.join();
  }
  void stop() {
    std::promise<void> done;
    asio::post(io, [&] {
      server->stop_accepting();
      done.set_value();
    });
    done.get_future().wait();
  }
  // Whether sessions_ended() completes within `bound`.
  bool drained_within(std::chrono::milliseconds bound) {
    auto done = std::make_shared<std::promise<void>>();
    auto finished = done->get_future();
    asio::co_spawn(io, server->sessions_ended(), [done](std::exception_ptr) { done->set_value(); });
    return finished.wait_for(bound) == std::future_status::ready;
  }
  tcp::socket connect(asio::io_context& client_io) {
    tcp::socket socket(client_io);
    socket.connect(server->local_endpoint());
    // A read that gets nothing for 5 s fails instead of hanging the test.
    timeval timeout{5, 0};
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    return socket;
  }
};

int count_of(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Reads until `responses` whole "ok" responses arrived, or the connection ended or timed out.
std::string read_responses(tcp::socket& socket, int responses) {
  std::string text;
  char chunk[4096];
  while (count_of(text, "\r\n\r\nok") < responses) {
    boost::system::error_code ec;
    const std::size_t n = socket.read_some(asio::buffer(chunk), ec);
    if (ec) break;
    text.append(chunk, n);
  }
  return text;
}

// True when the server closed the connection (EOF) within the socket's receive timeout.
bool closed_by_server(tcp::socket& socket) {
  char byte;
  boost::system::error_code ec;
  socket.read_some(asio::buffer(&byte, 1), ec);
  return ec == asio::error::eof;
}

const std::string kGet = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";

}  // namespace

// Requests on one keep-alive connection are answered one after the other, two pipelined in one
// write in order; between them the connection stays open and counted while it waits, idle.
TEST_CASE("server: keep-alive and pipelined requests on a plain connection", "[http][server]") {
  Listener listener{http::ServerLimits{}};
  asio::io_context client_io;
  tcp::socket client = listener.connect(client_io);

  asio::write(client, asio::buffer(kGet));
  CHECK(count_of(read_responses(client, 1), "HTTP/1.1 200 OK\r\n") == 1);
  asio::write(client, asio::buffer(kGet + kGet));
  const std::string pipelined = read_responses(client, 2);
  CHECK(count_of(pipelined, "HTTP/1.1 200 OK\r\n") == 2);
  CHECK(listener.handler.requests == 3);
  CHECK(listener.server->active_connections() == 1);

  client.close();
  listener.stop();
  CHECK(listener.drained_within(5s));
  CHECK(listener.server->active_connections() == 0);
}

// A response the socket cannot take at once is written in part straight away and the rest as the
// client reads, whole and in order; a request whose header and body arrive in pieces, and a
// header longer than the idle read's buffer, are read on from the buffer; the connection serves
// each request after the other.
TEST_CASE("server: a large response and a request in pieces on one plain connection", "[http][server]") {
  Listener listener{http::ServerLimits{}};
  asio::io_context client_io;
  tcp::socket client = listener.connect(client_io);

  asio::write(client, asio::buffer(std::string("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")));
  std::this_thread::sleep_for(100ms);  // the server's socket buffer fills meanwhile
  std::string big;
  std::size_t body_at = std::string::npos;
  while (body_at == std::string::npos || big.size() < body_at + 4 + kBigBody + 2) {
    char chunk[65536];
    boost::system::error_code ec;
    const std::size_t n = client.read_some(asio::buffer(chunk), ec);
    if (ec) break;
    big.append(chunk, n);
    body_at = big.find("\r\n\r\n");
  }
  REQUIRE(body_at != std::string::npos);
  CHECK(big.size() - body_at - 4 == kBigBody + 2);
  CHECK(big.find_first_not_of('b', body_at + 4) == big.size() - 2);

  asio::write(client, asio::buffer(std::string("POST /a HTTP/1.1\r\nHost: x\r\nCont")));
  std::this_thread::sleep_for(20ms);
  asio::write(client, asio::buffer(std::string("ent-Length: 4\r\n\r\nab")));
  std::this_thread::sleep_for(20ms);
  asio::write(client, asio::buffer(std::string("cd") + kGet));
  CHECK(count_of(read_responses(client, 2), "HTTP/1.1 200 OK\r\n") == 2);
  // A header longer than the idle read's buffer (a bearer token, say) is read on and served.
  asio::write(client, asio::buffer("GET /a HTTP/1.1\r\nHost: x\r\nX-Token: " + std::string(3000, 't') + "\r\n\r\n"));
  CHECK(count_of(read_responses(client, 1), "HTTP/1.1 200 OK\r\n") == 1);
  CHECK(listener.handler.requests == 4);

  client.close();
  listener.stop();
  CHECK(listener.drained_within(5s));
}

// A keep-alive connection that sends nothing more is closed once the idle timeout passes, and
// it no longer counts; one that sends a request before then is served.
TEST_CASE("server: the idle timeout closes a waiting plain connection", "[http][server]") {
  http::ServerLimits limits;
  limits.idle_timeout = 200ms;
  Listener listener{limits};
  asio::io_context client_io;
  tcp::socket client = listener.connect(client_io);

  asio::write(client, asio::buffer(kGet));
  CHECK(count_of(read_responses(client, 1), "HTTP/1.1 200 OK\r\n") == 1);
  CHECK(closed_by_server(client));
  for (int i = 0; i < 100 && listener.server->active_connections() != 0; ++i)
    std::this_thread::sleep_for(10ms);
  CHECK(listener.server->active_connections() == 0);
  CHECK(listener.handler.requests == 1);
}

// stop_accepting() closes the keep-alive connections waiting for a request at once (nothing is
// lost), and then the listener's connections are all gone.
TEST_CASE("server: stop_accepting closes idle plain connections at once", "[http][server]") {
  Listener listener{http::ServerLimits{}};
  asio::io_context client_io;
  tcp::socket first = listener.connect(client_io);
  tcp::socket second = listener.connect(client_io);
  asio::write(first, asio::buffer(kGet));
  CHECK(count_of(read_responses(first, 1), "HTTP/1.1 200 OK\r\n") == 1);
  asio::write(second, asio::buffer(kGet));
  CHECK(count_of(read_responses(second, 1), "HTTP/1.1 200 OK\r\n") == 1);
  CHECK(listener.server->active_connections() == 2);

  listener.stop();
  CHECK(closed_by_server(first));
  CHECK(closed_by_server(second));
  CHECK(listener.drained_within(5s));
  CHECK(listener.server->active_connections() == 0);
}
