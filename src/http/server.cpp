// Server: a listener, its accept loop and its sessions over plain TCP (see server.hpp); the
// session loop itself is session.hpp's.
#include "lambdagate/http/server.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/system/system_error.hpp>
#include <algorithm>
#include <cstdio>
#include <memory>

#include "lambdagate/core/task.hpp"
#include "lambdagate/http/proxy_protocol.hpp"
#include "lambdagate/http/session.hpp"

namespace lambdagate::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {
// What an idle keep-alive connection keeps to read its next request into: the read that
// Beast's parser would make first (a typical API request fits; a larger one is read on from
// there). The price of not re-registering the socket with epoll per request (see park).
constexpr std::size_t kIdleReadBytes = 512;
}  // namespace

namespace detail {

bool is_disconnect(const boost::system::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::operation_aborted || ec == beast::error::timeout || ec == asio::error::broken_pipe ||
         ec == bhttp::error::partial_message || ec == asio::ssl::error::stream_truncated;
}

bool expects_continue(const Request& header) {
  auto it = header.find(bhttp::field::expect);
  return it != header.end() && beast::iequals(it->value(), "100-continue");
}

bool is_health_check(std::string_view target, std::string_view path) {
  return target.substr(0, target.find('?')) == path;
}

}  // namespace detail

Server::Server(asio::io_context& io, const tcp::endpoint& endpoint, RequestHandler& handler,
               ServerLimits limits, bool reuse_port, ErrorLog on_error)
    : io_(io),
      acceptor_(io.get_executor()),
      handler_(handler),
      limits_(limits),
      on_error_(std::move(on_error)),
      tasks_(io.get_executor(), [this](std::exception_ptr failure) { report(failure); }) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  if (reuse_port) {
    // Every worker binds its own socket to the same port; the kernel spreads connections.
    int one = 1;
    if (::setsockopt(acceptor_.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
      throw boost::system::system_error(errno, boost::system::system_category(), "setsockopt(SO_REUSEPORT)");
    }
  }
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  // Kept free for the moment descriptors run out (refuse_without_descriptors).
  reserve_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

Server::~Server() {
  if (reserve_fd_ >= 0) ::close(reserve_fd_);
}

void Server::refuse_without_descriptors() {
  if (reserve_fd_ >= 0) {
    ::close(reserve_fd_);
    reserve_fd_ = -1;
  }
  const int client = ::accept4(acceptor_.native_handle(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (client >= 0) ::close(client);
  reserve_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ++descriptor_refusals_;
  if (descriptor_refusals_ == 1 || descriptor_refusals_ % 1000 == 0) {
    const std::string message = "out of file descriptors (RLIMIT_NOFILE): closed a new connection at once (" +
                                std::to_string(descriptor_refusals_) +
                                " so far); lower spec.lambdagate.listener.maxConnections or raise the limit";
    if (on_error_) {
      on_error_(message);
    } else {
      std::fprintf(stderr, "%s\n", message.c_str());
    }
  }
}

tcp::endpoint Server::local_endpoint() const { return acceptor_.local_endpoint(); }

void Server::start() {
  tasks_.spawn([this](TaskGroup::Member& member) {
    member.idle = true;  // cancelling the accept loop loses nothing
    return accept_loop();
  });
}

void Server::stop_accepting() {
  if (stopping_) return;
  stopping_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  // Idle keep-alive connections are closed now (cancelling one loses nothing); busy ones close
  // after their response. Terminal cancellation, because Beast's composed HTTP operations (Boost
  // 1.81) pass on no other kind.
  tasks_.cancel(asio::cancellation_type::terminal, /*idle_only=*/true);
}

core::Task<void> Server::sessions_ended() { co_await tasks_.wait_empty(); }

void Server::cancel_sessions() {
  stop_accepting();
  cut_off_ = true;
  tasks_.cancel(asio::cancellation_type::terminal);
}

void Server::report(std::exception_ptr failure) {
  std::string message;
  try {
    std::rethrow_exception(failure);
  } catch (const boost::system::system_error& e) {
    // A session cut off by cancel_sessions() unwinds with operation_aborted: that is the point.
    if ((stopping_ || cut_off_) && e.code() == asio::error::operation_aborted) return;
    message = e.what();
  } catch (const std::exception& e) {
    message = e.what();
  } catch (...) {
    message = "an exception that is not a std::exception";
  }
  message = "a session ended with an exception: " + message;
  if (on_error_) {
    on_error_(message);
  } else {
    std::fprintf(stderr, "%s\n", message.c_str());
  }
}

core::Task<void> Server::accept_loop() {
  constexpr auto kTuple = asio::as_tuple(core::use_task);
  while (!stopping_) {
    auto [ec, socket] = co_await acceptor_.async_accept(kTuple);
    if (ec) {
      if (stopping_ || ec == asio::error::operation_aborted) break;
      if (ec == asio::error::no_descriptors || ec.value() == ENFILE) {
        // Out of descriptors: the client would wait in the backlog until it gives up. Free the
        // reserve descriptor, take the client and close it at once, then take the reserve back.
        refuse_without_descriptors();
        continue;
      }
      // A transient error: pause instead of spinning.
      asio::steady_timer pause(io_, std::chrono::milliseconds(50));
      co_await pause.async_wait(kTuple);
      continue;
    }
    const bool admitted =
        limits_.budget ? limits_.budget->try_acquire() : active_connections() < limits_.max_connections;
    if (!admitted) {
      // Over the cap: closed at once, so the client knows now instead of hanging.
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    accepted_.fetch_add(1, std::memory_order_relaxed);
    if (tls_) {
      tasks_.spawn([this, &socket](TaskGroup::Member& member) { return tls_session(std::move(socket), member); });
      continue;
    }
    start_plain(std::move(socket));
  }
}

// Reads the PROXY protocol header at the start of a connection into `buffer`, consumes it and
// puts the client address it carries into `connection`. False: the connection must be closed
// (an invalid or missing header, the header timeout, the peer gone). With
// allow_without_proxy_protocol, plain traffic stays in `buffer` for the session.
core::Task<bool> Server::read_proxy_header(DeadlineStream& stream, beast::flat_buffer& buffer,
                                           ConnectionInfo& connection) {
  constexpr auto kTuple = asio::as_tuple(core::use_task);
  stream.expires_after(limits_.header_timeout);
  for (;;) {
    const std::string_view bytes(static_cast<const char*>(buffer.data().data()), buffer.size());
    const ProxyParse parsed = parse_proxy_header(bytes);
    if (parsed.status == ProxyParse::Status::Complete) {
      buffer.consume(parsed.header.length);
      if (parsed.header.source_address) {
        connection.remote_address = *parsed.header.source_address;
        connection.remote_port = parsed.header.source_port;
      }
      co_return true;
    }
    if (parsed.status == ProxyParse::Status::Invalid) {
      if (limits_.allow_without_proxy_protocol && !starts_like_proxy_header(bytes)) co_return true;
      co_return false;
    }
    auto space = buffer.prepare(kMaxProxyHeaderBytes - std::min(buffer.size(), kMaxProxyHeaderBytes) + 1);
    auto [ec, n] = co_await stream.async_read_some(space, kTuple);
    buffer.commit(n);
    if (ec) co_return false;
  }
}

Server::Tally::Tally(Server& server) : server_(server) {
  server_.active_.fetch_add(1, std::memory_order_relaxed);
}

Server::Tally::~Tally() {
  server_.active_.fetch_sub(1, std::memory_order_relaxed);
  if (server_.limits_.budget) server_.limits_.budget->release();
}

ConnectionInfo Server::describe(const DeadlineStream::Socket& socket) const {
  ConnectionInfo connection;
  boost::system::error_code ec;
  auto remote = socket.remote_endpoint(ec);
  if (!ec) {
    connection.remote_address = remote.address().to_string();
    connection.remote_port = remote.port();
  }
  connection.listener = listener_;
  // Which listener: a Gateway's access log sinks follow its port.
  if (auto local = socket.local_endpoint(ec); !ec) connection.local_port = local.port();
  return connection;
}

core::Task<bool> Server::admit_proxied(DeadlineStream& stream, beast::flat_buffer& buffer,
                                       ConnectionInfo& connection, TaskGroup::Member& member) {
  if (!limits_.proxy_protocol) co_return true;
  member.idle = true;  // nothing is lost by cancelling the wait for the header
  const bool accepted = co_await read_proxy_header(stream, buffer, connection);
  member.idle = false;
  co_return accepted;
}

// What a plain connection keeps between requests: no coroutine frame, a 512-byte read buffer, no
// parser; the one copy of its ConnectionInfo is in `context`.
struct Server::Connection {
  Connection(Server& server, DeadlineStream::Socket socket, TaskGroup::MemberHandle place)
      : tally(server),
        member(place),
        stream(std::move(socket)),
        context{server.handler_, server.limits_, server.describe(stream.socket()), server.stopping_, *place},
        lifetime(server.limits_) {}

  Tally tally;
  TaskGroup::MemberHandle member;
  DeadlineStream stream;
  beast::flat_buffer buffer;
  SessionContext context;
  const detail::Lifetime lifetime;
  std::uint32_t served = 0;  // requests so far (maxRequestsPerConnection)
};

void Server::start_plain(DeadlineStream::Socket socket) {
  auto connection = std::make_unique<Connection>(*this, std::move(socket), tasks_.join());
  // Non-blocking for our own calls too: a response is written at once when the socket takes it
  // (detail::write_now). Asio sets the descriptor non-blocking for its operations anyway.
  boost::system::error_code ignored;
  connection->stream.socket().non_blocking(true, ignored);
  if (!limits_.proxy_protocol) {
    connection->buffer.max_size(read_buffer_limit(limits_));
    next(std::move(connection));
    return;
  }
  // The PROXY header first; bytes of the first request read with it stay in the buffer.
  Connection& c = *connection;
  auto admit = admit_proxied(c.stream, c.buffer, c.context.connection, *c.member);
  auto slot = c.member->signal.slot();
  asio::co_spawn(
      io_, std::move(admit),
      asio::bind_cancellation_slot(slot, [this, connection = std::move(connection)](
                                             std::exception_ptr failure, bool admitted) mutable {
        if (failure) report(failure);
        if (failure || !admitted) {
          end(std::move(connection));
          return;
        }
        // A bounded read buffer: a header, trailer or chunk-extension line that never
        // ends fails the read (431) instead of growing the buffer (issue 12).
        connection->buffer.max_size(std::max(read_buffer_limit(limits_), connection->buffer.size()));
        next(std::move(connection));
      }));
}

void Server::next(ConnectionPtr connection) {
  if (stopping_ || connection->lifetime.over()) {
    end(std::move(connection));
    return;
  }
  // Pipelined bytes are served at once; otherwise the connection waits, idle.
  if (connection->buffer.size() != 0) {
    serve(std::move(connection));
    return;
  }
  park(std::move(connection));
}

void Server::park(ConnectionPtr connection) {
  Connection& c = *connection;
  // Idle until the first bytes of a request are here; the header timeout runs from then, so a
  // client sending its header a byte at a time is cut at the header timeout (slowloris). An
  // idle connection is closed when its lifetime ends, even before the idle timeout.
  std::chrono::steady_clock::duration idle_limit = limits_.idle_timeout;
  if (const auto remaining = c.lifetime.remaining()) idle_limit = std::min(idle_limit, *remaining);
  c.member->idle = true;  // cancelling the wait loses nothing
  c.stream.expires_after(idle_limit);
  // The wait is a small read, not a readiness wait: Asio re-registers the socket with epoll (one
  // epoll_ctl call) for every async_wait, while a read waits on the registration the socket has
  // had since it was accepted, and the request that ends it is already in the buffer. A buffer
  // that grew for a large request is given back first; an idle connection keeps kIdleReadBytes.
  if (c.buffer.capacity() > kIdleReadBytes) c.buffer.shrink_to_fit();
  const auto room = c.buffer.prepare(std::min(kIdleReadBytes, c.buffer.max_size()));
  auto slot = c.member->signal.slot();
  c.stream.async_read_some(
      room, asio::bind_cancellation_slot(slot, [this, connection = std::move(connection)](
                                                   const boost::system::error_code& ec, std::size_t n) mutable {
        connection->member->idle = false;
        connection->buffer.commit(n);
        // The peer left, the idle limit passed (the stream closed the socket), or we stopped.
        if (ec) {
          end(std::move(connection));
          return;
        }
        serve(std::move(connection));
      }));
}

void Server::serve(ConnectionPtr connection) {
  Connection& c = *connection;
  ++c.served;
  auto request = detail::serve_request(c.stream, c.buffer, c.context, c.lifetime, c.served);
  auto slot = c.member->signal.slot();
  asio::co_spawn(io_, std::move(request),
                 asio::bind_cancellation_slot(slot, [this, connection = std::move(connection)](
                                                        std::exception_ptr failure, bool again) mutable {
                   // A handler's exception was answered 500 inside serve_request; what escapes is
                   // the cut-off at shutdown (operation_aborted), which report() expects.
                   if (failure) report(failure);
                   if (failure || !again) {
                     end(std::move(connection));
                     return;
                   }
                   next(std::move(connection));
                 }));
}

void Server::end(ConnectionPtr connection) {
  const TaskGroup::MemberHandle member = connection->member;
  boost::system::error_code ignored;
  connection->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  connection.reset();
  tasks_.leave(member);
}

}  // namespace lambdagate::http
