#pragma once
// Server: the inbound HTTP/1.1 listener of one worker. Each worker owns one Server per listener
// on its own io_context, bound with SO_REUSEPORT, so connections spread across workers and a
// request never crosses threads. An HTTPS connection is one session coroutine running the
// session loop of session.hpp; a plain one runs a coroutine per request and waits for the next
// one without any (see start_plain). The connections belong to a TaskGroup, so shutdown can stop
// accepting, wait for them, and cancel what is left (see the shutdown steps below).
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "lambdagate/core/clock.hpp"
#include "lambdagate/core/error.hpp"
#include "lambdagate/core/task.hpp"
#include "lambdagate/http/client_address.hpp"
#include "lambdagate/http/connection_budget.hpp"
#include "lambdagate/http/deadline_stream.hpp"
#include "lambdagate/http/path_normalization.hpp"
#include "lambdagate/http/request.hpp"
#include "lambdagate/http/request_checks.hpp"
#include "lambdagate/http/task_group.hpp"

namespace lambdagate::http {

using Response = boost::beast::http::response<boost::beast::http::string_body>;

class ServerTlsContext;
struct ClientCertificate;

struct ConnectionInfo {
  std::string remote_address;
  uint16_t remote_port = 0;
  // The listener (Gateway) the connection came in on: its route table serves it. Empty = the
  // snapshot's table of every VirtualService.
  std::string listener;
  bool tls = false;  // HTTPS: the scheme the request events report
  // The certificate the client presented (mutual TLS), if any.
  std::shared_ptr<const ClientCertificate> client_certificate;
  uint16_t local_port = 0;  // the listener's port
  // What the request handler keeps for the life of this connection (per-connection rate-limit
  // buckets); opaque to the server, touched only by the connection's own thread.
  mutable std::shared_ptr<void> handler_state;
};

// An HTTPS listener's side of the accept path (tls_session.cpp): the TLS context in force for the
// next handshake (a reload may replace it; open connections keep theirs), and who hears how each
// handshake ended.
struct TlsAccept {
  enum class Result { Ok, Failed, TimedOut, ClientRejected };
  std::function<std::shared_ptr<const ServerTlsContext>()> context;
  std::function<void(Result)> on_handshake;  // optional
};

// Lets a handler send its response in pieces as they become available (Lambda response
// streaming): chunked transfer on HTTP/1.1, a body delimited by closing the connection on 1.0.
class ResponseWriter {
public:
  virtual ~ResponseWriter() = default;
  // Sends the status line and headers; any Content-Length in `head` is dropped. False when the
  // client is gone (every later call is then a no-op returning false).
  virtual core::Task<bool> begin(Response& head) = 0;
  // Sends one piece of body now; an empty piece sends nothing.
  virtual core::Task<bool> write(std::string_view data) = 0;
  // Ends the body properly (the last chunk); the connection may then carry another request.
  virtual core::Task<bool> finish() = 0;
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
  virtual core::Task<Response> handle(Request& request, const ConnectionInfo& connection,
                                      ResponseWriter& writer) = 0;
  // The answer to a request the server rejected before it was complete (400, 413, 431), so that
  // every error shares one format. `request` holds whatever headers were read, if any.
  virtual Response reject(core::ErrorKind kind, std::string message, const Request* request) = 0;
};

// Explicit, configurable limits (STYLE.md §10). The defaults are the safe ones for a gateway
// without a Gateway document (issue 12); a Gateway's httpConnectionManagerSettings replaces them
// (app/listener_settings.hpp).
struct ServerLimits {
  std::size_t max_body_bytes = 6 * 1024 * 1024;  // Lambda's synchronous payload limit
  // The request line and headers; chunk extensions (summed over the body) and trailers count
  // against it too, and the read buffer is bounded by it (read_buffer_limit).
  std::uint32_t max_header_bytes = 64 * 1024;
  std::chrono::milliseconds header_timeout{10'000};  // from the first byte of a request to its last header
  std::chrono::milliseconds body_timeout{60'000};    // to receive the whole body
  std::chrono::milliseconds idle_timeout{60'000};    // keep-alive connection with no request
  std::chrono::milliseconds write_timeout{60'000};
  std::uint32_t max_requests_per_connection = 0;  // 0 = unlimited
  // Gloo's maxConnectionDuration: once a connection is this old, the response in progress is its
  // last (Connection: close) and an idle connection is closed. 0 = none. Needs `clock`.
  std::chrono::milliseconds max_connection_duration{0};
  const core::Clock* clock = nullptr;
  // The process-wide cap on request bytes buffered at once (null: none); over it, 503 overloaded.
  std::shared_ptr<ByteBudget> bytes_in_flight;
  HeaderPolicy headers;
  PathOptions paths;
  // Gloo's httpGateway.options.healthCheck.path, answered by the listener itself: 200, or 503
  // once `draining` is set (from SIGTERM on, so a load balancer stops sending during the
  // shutdown delay). Empty: no health check; the path is routed like any other.
  std::string health_check_path;
  const std::atomic<bool>* draining = nullptr;
  // PROXY protocol v1/v2 before the first byte (Gateway useProxyProto / options.proxyProtocol):
  // the client address it carries replaces the connection's. Without a valid header the
  // connection is closed, unless allow_without and the bytes are plain traffic. The wait for it
  // is bounded by header_timeout.
  bool proxy_protocol = false;
  // Which address is the client's; X-Forwarded-For after this hop.
  ClientAddressPolicy client_address;
  bool allow_without_proxy_protocol = false;
  std::size_t max_connections = 10000;  // per Server, when no budget is shared
  // The process-wide cap over every listener (null: max_connections per Server).
  std::shared_ptr<ConnectionBudget> budget;
};

// The most bytes a session's read buffer may hold: a whole header (or trailer, or chunk-extension
// line) plus one read. Beast needs the header contiguous, so without this bound a header that
// never ends grows the buffer without limit.
inline std::size_t read_buffer_limit(const ServerLimits& limits) {
  return static_cast<std::size_t>(limits.max_header_bytes) + 16 * 1024;
}

class Server {
public:
 // Hears about an exception that escaped a session (on the io_context's thread), so none is
 // dropped; without one, it goes to stderr.
 using ErrorLog = std::function<void(std::string_view message)>;

 Server(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint, RequestHandler& handler,
        ServerLimits limits, bool reuse_port, ErrorLog on_error = {});
 // Destroy only after sessions_ended() completed (or before start()): sessions refer to it.
 ~Server();
 Server(const Server&) = delete;
 Server& operator=(const Server&) = delete;

 // Starts accepting (on the io_context's thread).
 void start();
 // Before start(): names the listener in every ConnectionInfo, and makes it an HTTPS listener.
 void set_listener_name(std::string name) { listener_ = std::move(name); }
 void serve_tls(TlsAccept tls) { tls_ = std::move(tls); }

 // The shutdown steps, in this order, each on the io_context's thread:
 // 1. Stops accepting: the listening socket closes (new connections are refused); sessions
 //    close after their current response; idle keep-alive connections are closed now.
 void stop_accepting();
 // 2. Completes when no session is left and the accept loop has ended. Cancellable (the
 //    runtime bounds it by the drain timeout).
 core::Task<void> sessions_ended();
 // 3. Cuts off every session still open (terminal cancellation, as the idle ones got in step 1):
 //    its pending operation, the Lambda call of a request included, ends with operation_aborted
 //    and it unwinds. Then wait for sessions_ended() again before destroying the Server.
 void cancel_sessions();

 // Safe to read from any thread (the admin thread reports them).
 std::size_t active_connections() const { return active_.load(std::memory_order_relaxed); }
 std::uint64_t connections_accepted() const { return accepted_.load(std::memory_order_relaxed); }
 boost::asio::ip::tcp::endpoint local_endpoint() const;

private:
 // A plain connection and what it keeps between requests (server.cpp).
 struct Connection;
 using ConnectionPtr = std::unique_ptr<Connection>;

 core::Task<void> accept_loop();
 // The plain accept path: no coroutine runs while a keep-alive connection waits for its next
 // request, only a small read with a plain completion handler (issue 14: memory per idle
 // connection, and no epoll re-registration per request). Each
 // request is served by a coroutine of its own (detail::serve_request), and next() decides what
 // follows: the next pipelined request, another idle wait, or the end.
 void start_plain(DeadlineStream::Socket socket);
 void next(ConnectionPtr connection);
 void park(ConnectionPtr connection);
 void serve(ConnectionPtr connection);
 // Closes the connection (a half-close first, so the client reads everything written before it
 // sees the end) and gives its place in the TaskGroup back.
 void end(ConnectionPtr connection);
 // The HTTPS accept path, beside the plain one (tls_session.cpp).
 core::Task<void> tls_session(DeadlineStream::Socket socket, TaskGroup::Member& member);
 void report(std::exception_ptr failure);
 // Out of descriptors: accepts one pending client with the reserve descriptor and closes it.
 void refuse_without_descriptors();
 core::Task<bool> read_proxy_header(DeadlineStream& stream, boost::beast::flat_buffer& buffer,
                                    ConnectionInfo& connection);
 // The start both accept paths share: who is connected, on which listener, and — when the
 // listener expects one — the PROXY header read (false: close the connection).
 ConnectionInfo describe(const DeadlineStream::Socket& socket) const;
 core::Task<bool> admit_proxied(DeadlineStream& stream, boost::beast::flat_buffer& buffer,
                                ConnectionInfo& connection, TaskGroup::Member& member);
 // Counts a connection for as long as its session runs, and gives its place in the connection
 // budget back at the end.
 class Tally {
  public:
   explicit Tally(Server& server);
   ~Tally();
   Tally(const Tally&) = delete;
   Tally& operator=(const Tally&) = delete;

  private:
   Server& server_;
 };

 boost::asio::io_context& io_;
 boost::asio::basic_socket_acceptor<boost::asio::ip::tcp, core::Executor> acceptor_;
 RequestHandler& handler_;
 ServerLimits limits_;
 ErrorLog on_error_;
 std::string listener_;
 std::optional<TlsAccept> tls_;
 bool stopping_ = false;
 bool cut_off_ = false;
 int reserve_fd_ = -1;
 std::uint64_t descriptor_refusals_ = 0;
 std::atomic<std::uint64_t> accepted_{0};
 std::atomic<std::size_t> active_{0};
 TaskGroup tasks_;  // the accept loop and the sessions
};

}  // namespace lambdagate::http
