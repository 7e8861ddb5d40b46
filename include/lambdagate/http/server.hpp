#pragma once
// Server: the inbound HTTP/1.1 listener of one worker. Each worker owns one Server per listener
// on its own io_context, bound with SO_REUSEPORT, so connections spread across workers and a
// request never crosses threads. A session is one coroutine with one loop (Beast's awaitable
// examples): read a request, let the RequestHandler answer it, write, repeat while keep-alive.
// Pipelined requests sit in the read buffer and are answered in order.
#include <chrono>
#include <cstdint>
#include <atomic>
#include <list>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "lambdagate/core/error.hpp"

namespace lambdagate::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

struct ConnectionInfo {
  std::string remote_address;
  uint16_t remote_port = 0;
};

// Lets a handler send its response in pieces as they become available (Lambda response
// streaming): chunked transfer on HTTP/1.1, a body delimited by closing the connection on 1.0.
class ResponseWriter {
public:
  virtual ~ResponseWriter() = default;
  // Sends the status line and headers; any Content-Length in `head` is dropped. False when the
  // client is gone (every later call is then a no-op returning false).
  virtual boost::asio::awaitable<bool> begin(Response& head) = 0;
  // Sends one piece of body now; an empty piece sends nothing.
  virtual boost::asio::awaitable<bool> write(std::string_view data) = 0;
  // Ends the body properly (the last chunk); the connection may then carry another request.
  virtual boost::asio::awaitable<bool> finish() = 0;
  // Ends the response without its proper end, so the client cannot take a truncated body for a
  // complete one: the connection is closed with the last chunk never sent.
  virtual void abort() = 0;
  // True once begin() was called: the handler's returned Response is then ignored.
  virtual bool started() const = 0;
};

class RequestHandler {
public:
  virtual ~RequestHandler() = default;
  // Answers one request, either by returning the whole response or by streaming it through
  // `writer` (then the returned value is ignored). Must not throw for bad input: errors are
  // responses.
  virtual boost::asio::awaitable<Response> handle(Request& request, const ConnectionInfo& connection,
                                                  ResponseWriter& writer) = 0;
  // The answer to a request the server rejected before it was complete (400, 413, 431), so that
  // every error shares one format. `request` holds whatever headers were read, if any.
  virtual Response reject(core::ErrorKind kind, std::string message, const Request* request) = 0;
};

// Explicit, configurable limits (STYLE.md §10).
struct ServerLimits {
  std::size_t max_body_bytes = 6 * 1024 * 1024;  // Lambda's synchronous payload limit
  std::uint32_t max_header_bytes = 64 * 1024;
  std::chrono::seconds header_timeout{30};  // from the first byte of a request to its last header
  std::chrono::seconds body_timeout{60};    // to receive the whole body
  std::chrono::seconds idle_timeout{60};    // keep-alive connection with no request
  std::chrono::seconds write_timeout{60};
  std::size_t max_connections = 10000;      // per worker
};

class Server {
public:
  Server(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint, RequestHandler& handler,
         ServerLimits limits, bool reuse_port);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Starts accepting (on the io_context's thread).
  void start();
  // Stops accepting; open keep-alive connections are told to close after their current request,
  // idle ones are closed now. Call on the io_context's thread.
  void stop();

  // Safe to read from any thread (the runtime watches it while draining).
  std::size_t active_connections() const { return active_.load(std::memory_order_relaxed); }
  std::uint64_t connections_accepted() const { return accepted_.load(std::memory_order_relaxed); }
  boost::asio::ip::tcp::endpoint local_endpoint() const;

private:
  struct SessionState {
    boost::beast::tcp_stream* stream = nullptr;
    bool busy = false;  // between reading a request and writing its response
  };

  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> session(boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  RequestHandler& handler_;
  ServerLimits limits_;
  bool stopping_ = false;
  std::atomic<std::uint64_t> accepted_{0};  // read by the admin thread
  std::list<SessionState> sessions_;  // only touched on the io_context's thread
  std::atomic<std::size_t> active_{0};
};

}  // namespace lambdagate::http
