#pragma once
// LoopbackHttpServer: a small HTTP/1.1 server on 127.0.0.1 (port 0), plain or TLS, for tests of
// HTTP clients. A handler decides every reply, including the misbehaviour a client must survive:
// close without answering, never answer, answer and then close, or send raw bytes. It runs on
// the test's io_context, one Beast coroutine per connection, and records what it received.
#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>
#include "lambdagate/core/task.hpp"

namespace lambdagate::testing {

// What the server does with one request.
struct LoopbackReply {
  enum class Action {
    Respond,               // write `response` (Content-Length is set from its body)
    CloseWithoutResponse,  // close the connection after reading the request
    Hang,                  // never answer
    Raw,                   // write `raw` as is, then close
  };
  Action action = Action::Respond;
  boost::beast::http::response<boost::beast::http::string_body> response{boost::beast::http::status::ok, 11};
  bool close_after = false;  // close after responding, even though the response says keep-alive
  std::string raw;

  static LoopbackReply ok(std::string body = "ok") {
    LoopbackReply reply;
    reply.response.body() = std::move(body);
    return reply;
  }
  static LoopbackReply with(Action action) {
    LoopbackReply reply;
    reply.action = action;
    return reply;
  }
};

struct LoopbackRequest {
  boost::beast::http::request<boost::beast::http::string_body> message;
  std::size_t connection = 0;  // which accepted connection carried it, from 1
  std::size_t sequence = 0;    // its place on that connection, from 1
};

class LoopbackHttpServer {
 public:
  using Handler = std::function<LoopbackReply(const LoopbackRequest&)>;
  struct TlsFiles {
    std::string certificate_chain;  // PEM
    std::string private_key;        // PEM
  };

  LoopbackHttpServer(boost::asio::io_context& io, Handler handler, std::optional<TlsFiles> tls = std::nullopt)
      : state_(std::make_shared<State>(io, std::move(handler))) {
    if (tls) {
      state_->tls.emplace(boost::asio::ssl::context::tls_server);
      state_->tls->use_certificate_chain_file(tls->certificate_chain);
      state_->tls->use_private_key_file(tls->private_key, boost::asio::ssl::context::pem);
    }
    boost::asio::co_spawn(io, accept_loop(state_), boost::asio::detached);
  }
  ~LoopbackHttpServer() {
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
  }
  LoopbackHttpServer(const LoopbackHttpServer&) = delete;
  LoopbackHttpServer& operator=(const LoopbackHttpServer&) = delete;

  uint16_t port() const { return state_->acceptor.local_endpoint().port(); }
  std::size_t connections_accepted() const { return state_->accepted; }
  const std::vector<LoopbackRequest>& requests() const { return state_->requests; }
  // The TLS server name each TLS connection asked for ("" when none), in accept order.
  const std::vector<std::string>& server_names() const { return state_->server_names; }

 private:
  using tcp = boost::asio::ip::tcp;

  // Shared with the coroutines, which may outlive the server object until the io_context goes.
  struct State {
    State(boost::asio::io_context& io, Handler h)
        : acceptor(io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)), handler(std::move(h)) {}
    tcp::acceptor acceptor;
    Handler handler;
    std::optional<boost::asio::ssl::context> tls;
    std::size_t accepted = 0;
    std::vector<LoopbackRequest> requests;
    std::vector<std::string> server_names;
  };

  static constexpr auto kTuple = boost::asio::as_tuple(lambdagate::core::use_task);

  static lambdagate::core::Task<void> accept_loop(std::shared_ptr<State> state) {
    const auto executor = co_await boost::asio::this_coro::executor;
    for (;;) {
      auto [ec, socket] = co_await state->acceptor.async_accept(kTuple);
      if (ec) co_return;  // closed by the destructor
      const std::size_t index = ++state->accepted;
      boost::asio::co_spawn(executor, session(state, std::move(socket), index), boost::asio::detached);
    }
  }

  static lambdagate::core::Task<void> session(std::shared_ptr<State> state, tcp::socket socket,
                                              std::size_t index) {
    if (!state->tls) {
      boost::beast::tcp_stream stream(std::move(socket));
      co_await serve(*state, stream, stream, index);
      co_return;
    }
    boost::beast::ssl_stream<boost::beast::tcp_stream> stream(std::move(socket), *state->tls);
    stream.next_layer().expires_after(std::chrono::seconds(10));
    auto [ec] = co_await stream.async_handshake(boost::asio::ssl::stream_base::server, kTuple);
    const char* name = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name);
    state->server_names.push_back(name != nullptr ? name : "");
    if (ec) co_return;  // e.g. the client rejected our certificate
    stream.next_layer().expires_never();
    co_await serve(*state, stream, stream.next_layer(), index);
  }

  // Takes State by reference: session() keeps it alive, and GCC 12 can destroy a by-value
  // temporary (such as a shared_ptr copy) twice inside a co_await expression.
  template <class Stream>
  static lambdagate::core::Task<void> serve(State& state, Stream& stream, boost::beast::tcp_stream& tcp,
                                            std::size_t index) {
    namespace http = boost::beast::http;
    boost::beast::flat_buffer buffer;
    for (std::size_t sequence = 1;; ++sequence) {
      http::request<http::string_body> request;
      auto [read_ec, read] = co_await http::async_read(stream, buffer, request, kTuple);
      if (read_ec) co_return;
      state.requests.push_back(LoopbackRequest{std::move(request), index, sequence});
      LoopbackReply reply = state.handler(state.requests.back());
      switch (reply.action) {
        case LoopbackReply::Action::CloseWithoutResponse:
          close(tcp);
          co_return;
        case LoopbackReply::Action::Hang: {
          boost::asio::steady_timer forever(tcp.get_executor(), std::chrono::hours(1));
          co_await forever.async_wait(kTuple);
          co_return;
        }
        case LoopbackReply::Action::Raw: {
          co_await boost::asio::async_write(stream, boost::asio::buffer(reply.raw), kTuple);
          close(tcp);
          co_return;
        }
        case LoopbackReply::Action::Respond:
          break;
      }
      reply.response.prepare_payload();
      const bool keep_alive = reply.response.keep_alive() && !reply.close_after;
      auto [write_ec, written] = co_await http::async_write(stream, reply.response, kTuple);
      if (write_ec || !keep_alive) {
        close(tcp);
        co_return;
      }
    }
  }

  // An abrupt close (no TLS close_notify), as a server or load balancer dropping a connection.
  static void close(boost::beast::tcp_stream& tcp) {
    boost::system::error_code ignored;
    tcp.socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcp.socket().close(ignored);
  }

  std::shared_ptr<State> state_;
};

}  // namespace lambdagate::testing
