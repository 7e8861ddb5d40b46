// The HTTPS accept path of a Server (server.hpp), beside the plain one in server.cpp: the TLS
// handshake within a timeout, the client checks mutual TLS asks for, then the same session loop
// (session.hpp) over the TLS stream, and a TLS close at the end.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "lambdagate/core/task.hpp"
#include "lambdagate/http/server.hpp"
#include "lambdagate/http/session.hpp"
#include "lambdagate/http/tls_server_context.hpp"

namespace lambdagate::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

// How long a TLS close waits for the client's close_notify before the socket just closes.
constexpr std::chrono::seconds kCloseTimeout{3};

}  // namespace

core::Task<void> Server::tls_session(DeadlineStream::Socket socket, TaskGroup::Member& member) {
  Tally tally(*this);
  auto report = [this](TlsAccept::Result result) {
    if (tls_->on_handshake) tls_->on_handshake(result);
  };
  constexpr auto kTuple = asio::as_tuple(core::use_task);

  ConnectionInfo connection = describe(socket);
  connection.tls = true;
  // The context in force now; the connection keeps it alive whatever a reload publishes later.
  std::shared_ptr<const ServerTlsContext> context = tls_->context();
  if (!context) co_return;

  DeadlineStream tcp(std::move(socket));
  beast::flat_buffer buffer;
  // Behind an NLB with proxy protocol v2 the PROXY header comes before the ClientHello; bytes of
  // the ClientHello read with it stay in `buffer` and are handed to the handshake below.
  const bool admitted = co_await admit_proxied(tcp, buffer, connection, member);
  if (!admitted) co_return;
  asio::ssl::stream<DeadlineStream> stream(std::move(tcp), context->base());
  // Cancelling a handshake loses nothing: shutdown may end it at once. The header timeout bounds
  // it, as it bounds the first request's header on a plain connection.
  member.idle = true;
  beast::get_lowest_layer(stream).expires_after(limits_.header_timeout);
  const auto already_read = buffer.data();
  auto [handshake_ec, used] =
      co_await stream.async_handshake(asio::ssl::stream_base::server, already_read, kTuple);
  buffer.consume(used);
  member.idle = false;
  if (handshake_ec) {
    // Plain HTTP sent to this port, a protocol version or cipher refused, no client certificate
    // where mutual TLS needs one, an SNI no certificate serves: the connection just ends.
    const bool timed_out = beast::get_lowest_layer(stream).expired();
    report(timed_out ? TlsAccept::Result::TimedOut : TlsAccept::Result::Failed);
    co_return;
  }
  if (!context->check_client(stream.native_handle()).empty()) {
    report(TlsAccept::Result::ClientRejected);
    beast::get_lowest_layer(stream).expires_after(kCloseTimeout);
    auto [close_ec] = co_await stream.async_shutdown(kTuple);
    (void)close_ec;
    co_return;
  }
  report(TlsAccept::Result::Ok);
  if (auto certificate = ServerTlsContext::client_certificate(stream.native_handle())) {
    connection.client_certificate = std::make_shared<const ClientCertificate>(std::move(*certificate));
  }

  SessionContext session_context{handler_, limits_, std::move(connection), stopping_, member};
  co_await run_session(stream, buffer, session_context);
  // A TLS close (close_notify), so the client can tell the end from a truncation.
  beast::get_lowest_layer(stream).expires_after(kCloseTimeout);
  auto [close_ec] = co_await stream.async_shutdown(kTuple);
  (void)close_ec;
}

}  // namespace lambdagate::http
