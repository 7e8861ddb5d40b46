#include "lambdagate/http/server.hpp"

#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/write.hpp>
#include <tuple>
#include <boost/system/system_error.hpp>
#include <optional>

namespace lambdagate::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// Errors that just mean "the peer went away" or "we stopped": close quietly.
bool is_disconnect(const boost::system::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::operation_aborted || ec == beast::error::timeout || ec == asio::error::broken_pipe ||
         ec == bhttp::error::partial_message;
}

bool expects_continue(const Request& header) {
  auto it = header.find(bhttp::field::expect);
  return it != header.end() && beast::iequals(it->value(), "100-continue");
}

// The ResponseWriter of one request on one session.
class SessionWriter final : public ResponseWriter {
public:
  SessionWriter(beast::tcp_stream& stream, std::chrono::seconds write_timeout, unsigned version)
      : stream_(stream), write_timeout_(write_timeout), chunked_(version >= 11) {}

  asio::awaitable<bool> begin(Response& head) override {
    if (started_) co_return !failed_;
    started_ = true;
    bhttp::response<bhttp::empty_body> message{std::move(head.base())};
    message.erase(bhttp::field::content_length);
    if (chunked_) {
      message.chunked(true);
    } else {
      message.erase(bhttp::field::transfer_encoding);
      message.keep_alive(false);  // HTTP/1.0: the end of the body is the end of the connection
    }
    keep_alive_ = message.keep_alive();
    bhttp::response_serializer<bhttp::empty_body> serializer{message};
    stream_.expires_after(write_timeout_);
    auto [ec, n] = co_await bhttp::async_write_header(stream_, serializer, kTuple);
    (void)n;
    failed_ = static_cast<bool>(ec);
    co_return !failed_;
  }

  asio::awaitable<bool> write(std::string_view data) override {
    if (!started_ || failed_ || finished_) co_return false;
    if (data.empty()) co_return true;
    stream_.expires_after(write_timeout_);
    boost::system::error_code ec;
    if (chunked_) {
      auto chunk = bhttp::make_chunk(asio::const_buffer(data.data(), data.size()));
      std::tie(ec, std::ignore) = co_await asio::async_write(stream_, chunk, kTuple);
    } else {
      auto buffer = asio::const_buffer(data.data(), data.size());
      std::tie(ec, std::ignore) = co_await asio::async_write(stream_, buffer, kTuple);
    }
    failed_ = static_cast<bool>(ec);
    co_return !failed_;
  }

  asio::awaitable<bool> finish() override {
    if (!started_ || failed_ || finished_) co_return false;
    finished_ = true;
    if (!chunked_) co_return true;
    stream_.expires_after(write_timeout_);
    auto last = bhttp::make_chunk_last();
    auto [ec, n] = co_await asio::async_write(stream_, last, kTuple);
    (void)n;
    failed_ = static_cast<bool>(ec);
    co_return !failed_;
  }

  void abort() override { aborted_ = true; }
  bool started() const override { return started_; }

  // Whether the connection can carry another request after this response.
  bool reusable() const { return started_ && finished_ && !failed_ && !aborted_ && keep_alive_; }

private:
  beast::tcp_stream& stream_;
  std::chrono::seconds write_timeout_;
  bool chunked_;
  bool started_ = false;
  bool finished_ = false;
  bool failed_ = false;
  bool aborted_ = false;
  bool keep_alive_ = true;
};

}  // namespace

Server::Server(asio::io_context& io, const tcp::endpoint& endpoint, RequestHandler& handler, ServerLimits limits,
               bool reuse_port)
    : io_(io), acceptor_(io), handler_(handler), limits_(limits) {
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
}

Server::~Server() = default;

tcp::endpoint Server::local_endpoint() const { return acceptor_.local_endpoint(); }

void Server::start() { asio::co_spawn(io_, accept_loop(), asio::detached); }

void Server::stop() {
  if (stopping_) return;
  stopping_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  // Idle keep-alive connections are closed now; busy ones close after their response.
  for (auto& s : sessions_) {
    if (!s.busy && s.stream) s.stream->cancel();
  }
}

asio::awaitable<void> Server::accept_loop() {
  while (!stopping_) {
    auto [ec, socket] = co_await acceptor_.async_accept(kTuple);
    if (ec) {
      if (stopping_ || ec == asio::error::operation_aborted) break;
      // Out of file descriptors or a transient error: pause instead of spinning.
      asio::steady_timer pause(io_, std::chrono::milliseconds(50));
      co_await pause.async_wait(kTuple);
      continue;
    }
    if (sessions_.size() >= limits_.max_connections) {
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    accepted_.fetch_add(1, std::memory_order_relaxed);
    asio::co_spawn(io_, session(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> Server::session(tcp::socket socket) {
  ConnectionInfo connection;
  {
    boost::system::error_code ec;
    auto remote = socket.remote_endpoint(ec);
    if (!ec) {
      connection.remote_address = remote.address().to_string();
      connection.remote_port = remote.port();
    }
  }
  beast::tcp_stream stream(std::move(socket));
  sessions_.push_back(SessionState{&stream, false});
  active_.fetch_add(1, std::memory_order_relaxed);
  auto self = std::prev(sessions_.end());
  struct Unregister {
    Server& server;
    std::list<SessionState>::iterator it;
    ~Unregister() {
      server.sessions_.erase(it);
      server.active_.fetch_sub(1, std::memory_order_relaxed);
    }
  } unregister{*this, self};

  beast::flat_buffer buffer;

  // GCC 12 mishandles temporaries with destructors inside co_await expressions (they can be
  // destroyed twice), so every co_await below takes named objects only.
  auto send = [&](Response& response) -> asio::awaitable<bool> {
    response.prepare_payload();
    stream.expires_after(limits_.write_timeout);
    auto [ec, n] = co_await bhttp::async_write(stream, response, kTuple);
    (void)n;
    co_return !ec;
  };
  auto rejection = [&](core::ErrorKind kind, std::string message, const Request* request) {
    Response response = handler_.reject(kind, std::move(message), request);
    response.keep_alive(false);
    return response;
  };
  const std::string too_large = "request body exceeds the limit of " + std::to_string(limits_.max_body_bytes) + " bytes";

  while (!stopping_) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(limits_.max_body_bytes);
    parser.header_limit(limits_.max_header_bytes);
    std::optional<Response> reject;  // set when the request is refused; the connection then closes

    stream.expires_after(buffer.size() > 0 ? limits_.header_timeout : limits_.idle_timeout);
    auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, kTuple);
    (void)n;
    if (ec) {
      if (ec == bhttp::error::header_limit) {
        reject = rejection(core::ErrorKind::HeadersTooLarge, "request headers exceed the limit", nullptr);
      } else if (ec == bhttp::error::body_limit) {
        // The parser refuses a Content-Length over the limit while reading the header.
        reject = rejection(core::ErrorKind::PayloadTooLarge, too_large, &parser.get());
      } else if (!is_disconnect(ec)) {
        reject = rejection(core::ErrorKind::BadRequest, "malformed HTTP request: " + ec.message(), nullptr);
      }
      if (reject) co_await send(*reject);
      break;
    }
    self->busy = true;

    if (expects_continue(parser.get()) && !parser.is_done()) {
      Response interim{bhttp::status::continue_, parser.get().version()};
      stream.expires_after(limits_.write_timeout);
      auto [wec, wn] = co_await bhttp::async_write(stream, interim, kTuple);
      (void)wn;
      if (wec) break;
    }
    if (!parser.is_done()) {
      stream.expires_after(limits_.body_timeout);
      auto [bec, bn] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
      (void)bn;
      if (bec) {
        if (bec == bhttp::error::body_limit) {
          reject = rejection(core::ErrorKind::PayloadTooLarge, too_large, &parser.get());
        } else if (!is_disconnect(bec)) {
          reject = rejection(core::ErrorKind::BadRequest, "malformed HTTP request body: " + bec.message(),
                             &parser.get());
        }
        if (reject) co_await send(*reject);
        break;
      }
    }

    Request request = parser.release();
    // The handler bounds its own work with the route's deadline.
    stream.expires_never();
    Response response;
    SessionWriter writer(stream, limits_.write_timeout, request.version());
    try {
      response = co_await handler_.handle(request, connection, writer);
    } catch (const std::exception& e) {
      if (writer.started()) writer.abort();
      response = handler_.reject(core::ErrorKind::Internal, "internal error", &request);
    }
    if (writer.started()) {
      // Streamed: the response is on the wire already. An unfinished stream closes the connection.
      self->busy = false;
      if (!writer.reusable() || stopping_ || !request.keep_alive()) break;
      continue;
    }
    response.version(request.version());
    response.keep_alive(request.keep_alive() && !stopping_ && response.keep_alive());
    const bool keep_alive = response.keep_alive();
    const bool written = co_await send(response);
    self->busy = false;
    if (!written || !keep_alive) break;
  }

  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace lambdagate::http
