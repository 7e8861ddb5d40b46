// PooledHttpClient: HTTP/1.1 over TCP or TLS with keep-alive connections pooled per endpoint.
//
// One instance per worker io_context and no locks: every member is touched only from coroutines
// and handlers running on that io_context. Each send is one coroutine: take an idle connection
// (or resolve, connect and handshake a new one), write the request, read the response, and hand
// the connection back to the pool if the response allows it. Every step is bounded by the
// request's Deadline through the stream's `expires_after`, the one timeout idiom of this layer
// (DeadlineStream: one timer per connection, not one per read and write as beast::tcp_stream).
// A send's coroutine uses the client, so the client (and the Clock given to it) must outlive
// every send in flight; DNS lookups and TLS closes that outlive it hold no reference to it.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/system/system_error.hpp>
#include <array>
#include <chrono>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "http/tls_client_stream.hpp"
#include "http/tls_context.hpp"
#include "lambdagate/core/ascii.hpp"
#include "lambdagate/core/task.hpp"
#include "lambdagate/http/client.hpp"
#include "lambdagate/http/deadline_stream.hpp"
#include "lambdagate/http/response_parser.hpp"
#include "lambdagate/http/wire_request.hpp"

namespace lambdagate::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using boost::system::error_code;
// DeadlineStream, as the server's connections: beast::tcp_stream armed and cancelled a timer around
// every read and write (two per request); this keeps one per connection and moves its deadline.
// On the worker's concrete executor, as the coroutines that use them (core::Task).
using TcpStream = DeadlineStream;
// TLS through a BIO of our own rather than asio::ssl's BIO pair (tls_client_stream.hpp).
using TlsStream = detail::TlsClientStream;
using Endpoints = std::vector<tcp::endpoint>;

// Expected failures come back as values (as_tuple), never as exceptions.
constexpr auto kTuple = asio::as_tuple(core::use_task);

// Cap on one step when the deadline is unlimited: a Lambda function may run for 15 minutes.
constexpr std::chrono::steady_clock::duration kStepCap = std::chrono::minutes{15};
// Limit on the response header block; AWS responses carry well under 2 KiB of headers.
constexpr std::uint32_t kHeaderLimit = 64 * 1024;
// Most bytes asked of one read: the response's head and a small body arrive in one.
constexpr std::size_t kReadSizeLimit = 64 * 1024;
// How long a discarded TLS connection may wait for the peer's close_notify.
constexpr std::chrono::seconds kTlsCloseTimeout{2};

ClientError make_error(ClientErrorKind kind, std::string message) {
  return ClientError{kind, std::move(message)};
}

// Maps a failed write or read to an error kind (the taxonomy of client.hpp). `expired`: the
// stream's deadline passed, which closed the socket under the operation.
ClientError io_error(const error_code& ec, bool expired, std::string_view step, const Endpoint& endpoint) {
  const std::string where = std::string(step) + " " + endpoint.to_string() + ": ";
  if (expired) return make_error(ClientErrorKind::Timeout, where + "deadline passed");
  if (ec == asio::error::operation_aborted) return make_error(ClientErrorKind::Timeout, where + "cancelled");
  // EOF, reset, broken pipe, and over TLS stream_truncated: the connection broke.
  return make_error(ClientErrorKind::Reset, where + ec.message());
}

// Maps a response the parser refused (or a connection that ended too soon) to an error kind.
ClientError response_error(const ResponseParser& parser, const Endpoint& endpoint, std::size_t body_limit) {
  const std::string where = "reading response from " + endpoint.to_string() + ": ";
  switch (parser.error()) {
    case ResponseParser::Error::BodyTooLarge:
      return make_error(ClientErrorKind::ResponseTooLarge,
                        where + "response body exceeds " + std::to_string(body_limit) + " bytes");
    case ResponseParser::Error::HeadersTooLarge:
      return make_error(ClientErrorKind::ResponseTooLarge,
                        where + "response headers exceed " + std::to_string(kHeaderLimit) + " bytes");
    case ResponseParser::Error::ClosedBeforeResponse:
      return make_error(ClientErrorKind::Reset, where + "connection closed before the response");
    case ResponseParser::Error::ClosedMidResponse:
      return make_error(ClientErrorKind::Reset, where + "connection closed mid-response");
    case ResponseParser::Error::None:
    case ResponseParser::Error::Malformed:
      break;
  }
  return make_error(ClientErrorKind::Protocol,
                    where + "invalid HTTP response: " + std::string(parser.reason()));
}

// Hands the parser what the read buffer holds and drops what it consumed; the rest (a partial
// line) stays at the front of the buffer for the next read to complete.
void feed_buffered(ResponseParser& parser, beast::flat_buffer& buffer) {
  const auto data = buffer.data();
  buffer.consume(parser.feed(std::string_view(static_cast<const char*>(data.data()), data.size())));
}

// What one send writes: the serialised head (to_wire) and the caller's body, sent together in one
// gather write.
std::array<asio::const_buffer, 2> buffers(const WireRequest& request) {
  return {asio::buffer(request.head), asio::buffer(request.body)};
}

// What of the request an asynchronous write still has to send. The request usually goes out at
// once (DeadlineStream::write_now; over TLS, TlsClientStream::write_now encrypts it whole); an
// asynchronous write posts its completion through the scheduler even when it waited for nothing.
using Unsent = beast::buffers_suffix<std::array<asio::const_buffer, 2>>;
template <class Stream>
Unsent unsent(Stream& stream, const WireRequest& request) {
  Unsent rest(buffers(request));
  rest.consume(stream.write_now(buffers(request)));
  return rest;
}

// The two streams' ways to write the rest of a request and to read: Asio's operations over TCP,
// TlsClientStream's own over TLS. Each returns the awaitable itself, so no frame sits between.
auto write_rest(TcpStream& stream, const Unsent& rest) { return asio::async_write(stream, rest, kTuple); }
auto write_rest(TlsStream& stream, const Unsent& rest) { return stream.write(rest); }
auto read_some(TcpStream& stream, asio::mutable_buffer space) { return stream.async_read_some(space, kTuple); }
auto read_some(TlsStream& stream, asio::mutable_buffer space) { return stream.read_some(space); }
std::size_t read_now(TcpStream& stream, asio::mutable_buffer space, error_code& ec) {
  return stream.read_now(space, ec);
}
std::size_t read_now(TlsStream& stream, asio::mutable_buffer space, error_code& ec) {
  return stream.read_now(space, ec);
}

// One read's outcome, as the streams' operations report it.
struct ReadResult {
  error_code ec;
  std::size_t size = 0;
};

// After a read that brought part of the response, the rest may be in already with the
// connection's end right behind it, and a wait would be for an edge that has come and gone: it
// is taken now (read_now). nullopt when nothing was read yet or nothing more is there: the
// caller waits for it then.
template <class Stream>
std::optional<ReadResult> read_ready(Stream& stream, asio::mutable_buffer space,
                                     const ResponseParser& parser) {
  if (!parser.got_some()) return std::nullopt;
  ReadResult result;
  result.size = read_now(stream, space, result.ec);
  if (result.ec == asio::error::would_block) return std::nullopt;
  return result;
}

// One TCP (or TLS over TCP) connection and the read buffer that belongs to it.
struct Connection {
  explicit Connection(const core::Executor& executor)
      : stream(std::in_place_index<0>, DeadlineStream::Socket(executor)) {}
  Connection(const core::Executor& executor, asio::ssl::context& context)
      : stream(std::in_place_index<1>, DeadlineStream::Socket(executor), context.native_handle()) {}

  TcpStream& tcp() {
    if (auto* secure = tls()) return secure->next_layer();
    return std::get<0>(stream);
  }
  TcpStream& plain() { return std::get<0>(stream); }
  TlsStream* tls() { return std::get_if<1>(&stream); }

  std::variant<TcpStream, TlsStream> stream;
  beast::flat_buffer buffer;
  core::SteadyTime idle_since{};
};

// Closes a TLS connection politely, detached from any request.
core::Task<void> close_tls(std::unique_ptr<Connection> connection,
                           std::shared_ptr<detail::TlsContext> keep_alive) {
  (void)keep_alive;  // the SSL object must not outlive the context it was made from
  connection->tcp().expires_after(kTlsCloseTimeout);
  auto [ec] = co_await connection->tls()->shutdown();
  // Our close_notify is sent, and the peer's is not waited for: every response on this connection
  // was complete, delimited by Content-Length or chunked framing, before it was retired. (A
  // response delimited by EOF that ends without close_notify, ssl::error::stream_truncated, is
  // not tolerated: that read fails as Reset.) An error means the connection is gone already,
  // which is what we wanted.
  (void)ec;
}

}  // namespace

struct PooledHttpClient::Impl {
  Impl(core::Executor executor, const core::Clock& clock, const TlsOptions& tls, PoolOptions pool)
      : executor_(std::move(executor)),
        clock_(clock),
        tls_(std::make_shared<detail::TlsContext>(tls)),
        options_(pool),
        dns_(std::make_shared<DnsCache>()) {}

  // `sink` null: read the whole response; else hand it over piece by piece.
  // `prepared`: what to_wire made of the request (the error it found, answered as it is).
  core::Task<ClientResult> send(const Endpoint& endpoint, std::variant<WireRequest, ClientError> prepared,
                                core::Deadline deadline, ResponseSink* sink);
  void close_idle();

  // Resolved addresses per "host:port", kept for dns_ttl. Shared with in-flight lookups, which
  // may complete after the request that started them gave up (or after the client is gone).
  struct DnsEntry {
    std::shared_ptr<const Endpoints> endpoints;
    core::SteadyTime expires{};
    bool refreshing = false;
  };
  struct DnsCache {
    std::unordered_map<std::string, DnsEntry> entries;
  };
  struct Lookup {
    explicit Lookup(const core::Executor& executor) : resolver(executor), done(executor) {}
    tcp::resolver resolver;
    asio::steady_timer done;  // the waiting request's deadline; cancelled when the lookup ends
    bool finished = false;
    error_code ec;
    std::shared_ptr<const Endpoints> endpoints;
  };
  struct Resolved {
    std::shared_ptr<const Endpoints> endpoints;
    ClientError error;
  };
  struct Opened {
    std::unique_ptr<Connection> connection;
    ClientError error;
  };
  struct Exchange {
    std::optional<ClientResponse> response;
    ClientError error;
    bool reusable = false;          // the connection may carry another request
    bool nothing_received = false;  // failed before any response byte arrived
  };

  std::optional<ClientError> arm(TcpStream& stream, const core::Deadline& deadline,
                                 std::string_view step, const Endpoint& endpoint) const;
  core::Task<Resolved> resolve(const Endpoint& endpoint, const core::Deadline& deadline);
  std::shared_ptr<Lookup> start_lookup(const Endpoint& endpoint, const std::string& key);
  core::Task<Opened> open(const Endpoint& endpoint, const core::Deadline& deadline);
  core::Task<Exchange> exchange(Connection& connection, const WireRequest& request,
                                const core::Deadline& deadline, const Endpoint& endpoint, ResponseSink* sink);
  // A failed write of the request as the error (nothing of a response has been read then).
  std::optional<ClientError> write_failure(const error_code& ec, bool expired, const Endpoint& endpoint) const;
  // Hands what a read brought to the parser. True when the exchange ends with an error: `out`
  // then says which, and whether nothing of a response arrived. Not a coroutine, so sharing it
  // costs exchange_on and stream_on no frame.
  bool failed_after_read(ResponseParser& parser, Connection& connection, const error_code& read_ec,
                         std::size_t read, const Endpoint& endpoint, Exchange& out) const;
  template <class Stream>
  core::Task<Exchange> exchange_on(Stream& stream, Connection& connection, const WireRequest& request,
                                   const core::Deadline& deadline, const Endpoint& endpoint);
  template <class Stream>
  core::Task<Exchange> stream_on(Stream& stream, Connection& connection, const WireRequest& request,
                                 const core::Deadline& deadline, const Endpoint& endpoint,
                                 ResponseSink& sink);
  using IdleList = std::vector<std::unique_ptr<Connection>>;
  IdleList& idle_list(const Endpoint& endpoint);
  std::unique_ptr<Connection> take_idle(const Endpoint& endpoint);
  void release(const Endpoint& endpoint, std::unique_ptr<Connection> connection);
  void retire(std::unique_ptr<Connection> connection);

  core::Executor executor_;
  const core::Clock& clock_;
  std::shared_ptr<detail::TlsContext> tls_;
  PoolOptions options_;
  std::shared_ptr<DnsCache> dns_;
  // Idle connections per "scheme://host:port", oldest first; reuse takes from the back (LIFO),
  // so the connections that stay idle are the ones that expire.
  std::unordered_map<std::string, IdleList> idle_;
  // The endpoint whose idle list idle_list() found last, and that list. A worker sends nearly
  // every request to one endpoint (its region's Lambda), so comparing three fields spares building
  // and hashing the pool key per request. Elements of an unordered_map keep their address until
  // erased; only close_idle() erases, and it clears this. Never held across a co_await.
  std::string last_scheme_;
  std::string last_host_;
  std::uint16_t last_port_ = 0;
  IdleList* last_idle_ = nullptr;
  std::size_t connections_opened_ = 0;
};

namespace {

// "scheme://host:port", built in one string sized up front when the endpoint changes.
std::string pool_key(const Endpoint& endpoint) {
  std::string key;
  key.reserve(endpoint.scheme.size() + 3 + endpoint.host.size() + 1 + 5);
  key.append(endpoint.scheme).append("://").append(endpoint.host).push_back(':');
  key.append(std::to_string(endpoint.port));
  return key;
}

}  // namespace

std::optional<ClientError> PooledHttpClient::Impl::arm(TcpStream& stream,
                                                       const core::Deadline& deadline, std::string_view step,
                                                       const Endpoint& endpoint) const {
  // Coarse readings (core/clock.hpp), here and in the stream's expires_after.
  const auto left = deadline.remaining_at(clock_.steady_coarse(), kStepCap);
  if (left <= std::chrono::steady_clock::duration::zero()) {
    return make_error(ClientErrorKind::Timeout,
                      std::string(step) + " " + endpoint.to_string() + ": deadline passed");
  }
  // The stream closes the socket when this passes, so the pending step fails (expired() says why).
  stream.expires_after(left);
  return std::nullopt;
}

core::Task<ClientResult> PooledHttpClient::Impl::send(const Endpoint& endpoint,
                                                      std::variant<WireRequest, ClientError> prepared,
                                                      core::Deadline deadline, ResponseSink* sink) {
  try {
    if (auto* invalid = std::get_if<ClientError>(&prepared)) co_return std::move(*invalid);
    if (endpoint.tls() && !tls_->error().empty()) {
      co_return make_error(ClientErrorKind::TlsFailed, endpoint.to_string() + ": " + tls_->error());
    }
    const WireRequest& message = std::get<WireRequest>(prepared);

    // A reused connection that breaks before any response byte arrives was most likely closed
    // by the server while it sat idle (the keep-alive race): the server processed nothing, so
    // the request is sent once more on a fresh connection. A fresh connection failing is final.
    for (bool may_reuse = true;; may_reuse = false) {
      std::unique_ptr<Connection> connection = may_reuse ? take_idle(endpoint) : nullptr;
      const bool reused = connection != nullptr;
      if (!reused) {
        Opened opened = co_await open(endpoint, deadline);
        if (!opened.connection) co_return std::move(opened.error);
        connection = std::move(opened.connection);
      }
      Exchange result = co_await exchange(*connection, message, deadline, endpoint, sink);
      if (result.response) {
        if (result.reusable) {
          release(endpoint, std::move(connection));
        } else {
          retire(std::move(connection));
        }
        co_return std::move(*result.response);
      }
      const bool keep_alive_race =
          reused && result.nothing_received && result.error.kind == ClientErrorKind::Reset;
      if (!keep_alive_race) co_return std::move(result.error);
    }
  } catch (const boost::system::system_error& e) {
    // Thrown only by co_await after the caller cancelled this coroutine (throw_if_cancelled).
    co_return make_error(
        e.code() == asio::error::operation_aborted ? ClientErrorKind::Timeout : ClientErrorKind::Reset,
        endpoint.to_string() + ": " + e.code().message());
  } catch (const std::exception& e) {
    // E.g. allocation failure.
    co_return make_error(ClientErrorKind::Protocol,
                         endpoint.to_string() + ": cannot send request: " + e.what());
  }
}

core::Task<PooledHttpClient::Impl::Resolved> PooledHttpClient::Impl::resolve(
    const Endpoint& endpoint, const core::Deadline& deadline) {
  error_code not_ip;
  const auto address = asio::ip::make_address(endpoint.host, not_ip);
  if (!not_ip)
    co_return Resolved{std::make_shared<const Endpoints>(1, tcp::endpoint(address, endpoint.port)), {}};

  const std::string key = endpoint.host + ":" + std::to_string(endpoint.port);
  if (auto it = dns_->entries.find(key); it != dns_->entries.end()) {
    // Past its TTL the entry is still used while one lookup refreshes it in the background, so
    // no request waits on DNS for a host it has reached before.
    if (clock_.steady_now() >= it->second.expires && !it->second.refreshing) {
      it->second.refreshing = true;
      start_lookup(endpoint, key);
    }
    co_return Resolved{it->second.endpoints, {}};
  }

  const auto left = deadline.remaining(clock_, kStepCap);
  if (left <= std::chrono::steady_clock::duration::zero()) {
    co_return Resolved{
        nullptr, make_error(ClientErrorKind::Timeout, "resolving " + endpoint.host + ": deadline passed")};
  }
  // getaddrinfo runs on Asio's resolver thread and cannot be interrupted, so the request waits
  // on a timer that the lookup cancels when it ends; on timeout the lookup carries on and still
  // fills the cache for the next request.
  auto lookup = start_lookup(endpoint, key);
  lookup->done.expires_after(left);
  co_await lookup->done.async_wait(kTuple);
  if (!lookup->finished) {
    co_return Resolved{
        nullptr, make_error(ClientErrorKind::Timeout, "resolving " + endpoint.host + ": deadline passed")};
  }
  if (lookup->ec || !lookup->endpoints) {
    const std::string reason = lookup->ec ? lookup->ec.message() : "no addresses";
    co_return Resolved{nullptr, make_error(ClientErrorKind::ConnectFailed,
                                           "cannot resolve " + endpoint.host + ": " + reason)};
  }
  co_return Resolved{lookup->endpoints, {}};
}

std::shared_ptr<PooledHttpClient::Impl::Lookup> PooledHttpClient::Impl::start_lookup(const Endpoint& endpoint,
                                                                                     const std::string& key) {
  auto lookup = std::make_shared<Lookup>(executor_);
  lookup->done.expires_after(kStepCap);
  // The handler holds the cache weakly: it may run after the client is gone. While the cache
  // lives, so does the client and therefore the clock it was given.
  lookup->resolver.async_resolve(
      endpoint.host, std::to_string(endpoint.port), tcp::resolver::numeric_service,
      [lookup, cache = std::weak_ptr<DnsCache>(dns_), clock = &clock_, ttl = options_.dns_ttl, key](
          const error_code& ec, const tcp::resolver::results_type& results) {
        lookup->finished = true;
        lookup->ec = ec;
        if (!ec && !results.empty()) {
          auto endpoints = std::make_shared<Endpoints>();
          for (const auto& entry : results) endpoints->push_back(entry.endpoint());
          lookup->endpoints = std::move(endpoints);
        }
        if (auto entries = cache.lock()) {
          if (lookup->endpoints) {
            entries->entries[key] = DnsEntry{lookup->endpoints, clock->steady_now() + ttl, false};
          } else if (auto it = entries->entries.find(key); it != entries->entries.end()) {
            // A failed refresh keeps the last good addresses; the next use tries again.
            it->second.refreshing = false;
          }
        }
        lookup->done.cancel();
      });
  return lookup;
}

core::Task<PooledHttpClient::Impl::Opened> PooledHttpClient::Impl::open(const Endpoint& endpoint,
                                                                        const core::Deadline& deadline) {
  Resolved resolved = co_await resolve(endpoint, deadline);
  if (!resolved.endpoints) co_return Opened{nullptr, std::move(resolved.error)};

  auto connection = endpoint.tls() ? std::make_unique<Connection>(executor_, tls_->native())
                                   : std::make_unique<Connection>(executor_);
  if (auto late = arm(connection->tcp(), deadline, "connecting to", endpoint))
    co_return Opened{nullptr, std::move(*late)};
  // Tries every address in turn until one accepts.
  auto [connect_ec, peer] = co_await asio::async_connect(connection->tcp().socket(), *resolved.endpoints, kTuple);
  (void)peer;
  if (connect_ec) {
    const auto kind = (connection->tcp().expired() || connect_ec == asio::error::operation_aborted)
                          ? ClientErrorKind::Timeout
                          : ClientErrorKind::ConnectFailed;
    co_return Opened{nullptr,
                     make_error(kind, "connecting to " + endpoint.to_string() + ": " + connect_ec.message())};
  }
  ++connections_opened_;
  error_code ignored;
  // Requests are written whole, so Nagle's algorithm would only delay them.
  connection->tcp().socket().set_option(tcp::no_delay(true), ignored);
  // Non-blocking for our own calls too: a request is written at once when the socket takes it
  // (write_plain). Asio sets the descriptor non-blocking for its operations anyway.
  connection->tcp().socket().non_blocking(true, ignored);

  if (auto* secure = connection->tls()) {
    const std::string setup_error = tls_->prepare(secure->native_handle(), endpoint.host);
    if (!setup_error.empty()) {
      co_return Opened{nullptr,
                       make_error(ClientErrorKind::TlsFailed, endpoint.to_string() + ": " + setup_error)};
    }
    if (auto late = arm(connection->tcp(), deadline, "TLS handshake with", endpoint)) {
      co_return Opened{nullptr, std::move(*late)};
    }
    auto [handshake_ec] = co_await secure->handshake();
    if (handshake_ec) {
      const std::string where = "TLS handshake with " + endpoint.to_string() + ": ";
      if (connection->tcp().expired() || handshake_ec == asio::error::operation_aborted) {
        co_return Opened{nullptr, make_error(ClientErrorKind::Timeout, where + "deadline passed")};
      }
      co_return Opened{nullptr, make_error(ClientErrorKind::TlsFailed,
                                           where + detail::TlsContext::describe_failure(
                                                       secure->native_handle(), handshake_ec))};
    }
  }
  co_return Opened{std::move(connection), {}};
}

// Not a coroutine: it picks the one that does the exchange, so that no frame of its own sits
// between send() and the socket.
core::Task<PooledHttpClient::Impl::Exchange> PooledHttpClient::Impl::exchange(
    Connection& connection, const WireRequest& request, const core::Deadline& deadline,
    const Endpoint& endpoint, ResponseSink* sink) {
  if (auto* secure = connection.tls()) {
    if (!sink) return exchange_on(*secure, connection, request, deadline, endpoint);
    return stream_on(*secure, connection, request, deadline, endpoint, *sink);
  }
  if (!sink) return exchange_on(connection.plain(), connection, request, deadline, endpoint);
  return stream_on(connection.plain(), connection, request, deadline, endpoint, *sink);
}

std::optional<ClientError> PooledHttpClient::Impl::write_failure(const error_code& ec, bool expired,
                                                                 const Endpoint& endpoint) const {
  if (!ec) return std::nullopt;
  return io_error(ec, expired, "sending request to", endpoint);
}

bool PooledHttpClient::Impl::failed_after_read(ResponseParser& parser, Connection& connection,
                                               const error_code& read_ec, std::size_t read,
                                               const Endpoint& endpoint, Exchange& out) const {
  connection.buffer.commit(read);
  feed_buffered(parser, connection.buffer);
  if (read_ec == asio::error::eof) {
    parser.end_of_stream();
  } else if (read_ec) {
    out.error = io_error(read_ec, connection.tcp().expired(), "reading response from", endpoint);
    out.nothing_received = !parser.got_some() && connection.buffer.size() == 0;
    return true;
  }
  if (parser.failed()) {
    out.error = response_error(parser, endpoint, options_.max_response_bytes);
    out.nothing_received = parser.error() == ResponseParser::Error::ClosedBeforeResponse;
    return true;
  }
  return false;
}

template <class Stream>
core::Task<PooledHttpClient::Impl::Exchange> PooledHttpClient::Impl::exchange_on(
    Stream& stream, Connection& connection, const WireRequest& request, const core::Deadline& deadline,
    const Endpoint& endpoint) {
  Exchange out;
  // The write is awaited here rather than in a helper coroutine: each nested coroutine is a frame
  // allocated and resumed per request. Over TLS, the two buffers go into one record.
  std::optional<ClientError> failed = arm(connection.tcp(), deadline, "sending request to", endpoint);
  if (!failed) {
    const auto rest = unsent(stream, request);
    if (beast::buffer_bytes(rest) != 0) {
      auto [write_ec, written] = co_await write_rest(stream, rest);
      (void)written;
      failed = write_failure(write_ec, connection.tcp().expired(), endpoint);
    }
  }
  if (failed) {
    out.error = std::move(*failed);
    out.nothing_received = true;
    co_return out;
  }

  ResponseParser parser(kHeaderLimit, options_.max_response_bytes, request.head_method);
  // The deadline armed for the write bounds the response too: it is one point in time for the
  // whole exchange, so arming it again would only read the clock twice more.
  while (!parser.done()) {
    const auto space = connection.buffer.prepare(beast::read_size(connection.buffer, kReadSizeLimit));
    std::optional<ReadResult> read = read_ready(stream, space, parser);
    if (!read) {
      auto [read_ec, size] = co_await read_some(stream, space);
      read = ReadResult{read_ec, size};
    }
    if (failed_after_read(parser, connection, read->ec, read->size, endpoint, out)) co_return out;
  }

  // Bytes beyond the response mean the peer is out of step with us.
  out.reusable = parser.keep_alive() && connection.buffer.size() == 0;
  out.response = std::move(parser.response());
  co_return out;
}

// As exchange_on, but the body goes to `sink` piece by piece as it is read, never held whole.
template <class Stream>
core::Task<PooledHttpClient::Impl::Exchange> PooledHttpClient::Impl::stream_on(
    Stream& stream, Connection& connection, const WireRequest& request, const core::Deadline& deadline,
    const Endpoint& endpoint, ResponseSink& sink) {
  Exchange out;
  std::optional<ClientError> failed = arm(connection.tcp(), deadline, "sending request to", endpoint);
  if (!failed) {
    const auto rest = unsent(stream, request);
    if (beast::buffer_bytes(rest) != 0) {
      auto [write_ec, written] = co_await write_rest(stream, rest);
      (void)written;
      failed = write_failure(write_ec, connection.tcp().expired(), endpoint);
    }
  }
  if (failed) {
    out.error = std::move(*failed);
    out.nothing_received = true;
    co_return out;
  }

  ResponseParser parser(kHeaderLimit, std::numeric_limits<std::uint64_t>::max(), request.head_method);
  ClientResponse head;
  std::string piece;
  bool head_sent = false;
  // Each turn reads once, then hands over the head (once it is complete) and the body read so far.
  while (true) {
    if (auto late = arm(connection.tcp(), deadline, "reading response from", endpoint)) {
      out.error = std::move(*late);
      co_return out;
    }
    const auto space = connection.buffer.prepare(beast::read_size(connection.buffer, kReadSizeLimit));
    std::optional<ReadResult> read = read_ready(stream, space, parser);
    if (!read) {
      auto [read_ec, size] = co_await read_some(stream, space);
      read = ReadResult{read_ec, size};
    }
    if (failed_after_read(parser, connection, read->ec, read->size, endpoint, out)) co_return out;
    if (!parser.head_done()) continue;
    if (!head_sent) {
      head.status = parser.response().status;
      head.headers = std::move(parser.response().headers);
      co_await sink.on_head(head);
      head_sent = true;
    }
    auto& body = parser.response().body;
    if (!body.empty()) {
      piece.swap(body);
      body.clear();
      const bool more = co_await sink.on_body(piece);
      piece.clear();
      if (!more) {
        out.response = std::move(head);  // the sink stopped: the rest is unread, so the connection goes
        co_return out;
      }
    }
    if (parser.done()) break;
  }
  out.reusable = parser.keep_alive() && connection.buffer.size() == 0;
  out.response = std::move(head);
  co_return out;
}

PooledHttpClient::Impl::IdleList& PooledHttpClient::Impl::idle_list(const Endpoint& endpoint) {
  if (last_idle_ != nullptr && endpoint.port == last_port_ && endpoint.host == last_host_ &&
      endpoint.scheme == last_scheme_) {
    return *last_idle_;
  }
  IdleList& idle = idle_[pool_key(endpoint)];
  last_scheme_ = endpoint.scheme;
  last_host_ = endpoint.host;
  last_port_ = endpoint.port;
  last_idle_ = &idle;
  return idle;
}

std::unique_ptr<Connection> PooledHttpClient::Impl::take_idle(const Endpoint& endpoint) {
  IdleList& idle = idle_list(endpoint);
  if (idle.empty()) return nullptr;
  const auto now = clock_.steady_coarse();
  while (!idle.empty()) {
    std::unique_ptr<Connection> connection = std::move(idle.back());
    idle.pop_back();
    if (now - connection->idle_since >= options_.idle_timeout) {
      // The newest has expired, so all the older ones have too.
      retire(std::move(connection));
      for (auto& older : idle) retire(std::move(older));
      idle.clear();
      return nullptr;
    }
    // No liveness probe here (it cost a recvfrom per request): a connection the server closed
    // while idle fails its write or read with nothing received, and send() then retries once on a
    // fresh connection, as Envoy and nginx do.
    if (connection->tcp().socket().is_open()) return connection;
  }
  return nullptr;
}

void PooledHttpClient::Impl::release(const Endpoint& endpoint, std::unique_ptr<Connection> connection) {
  if (options_.max_idle_per_endpoint == 0) {
    retire(std::move(connection));
    return;
  }
  // Idle time is judged by idle_timeout, not by a timer. The stream's timer wait may still be
  // pending until the last request's deadline: close_idle() at shutdown ends it.
  connection->tcp().expires_never();
  const auto now = clock_.steady_coarse();
  connection->idle_since = now;
  IdleList& idle = idle_list(endpoint);
  std::size_t expired = 0;
  while (expired < idle.size() && now - idle[expired]->idle_since >= options_.idle_timeout) ++expired;
  // Over the limit, the oldest go: LIFO reuse would leave them to expire anyway.
  const std::size_t kept = idle.size() - expired + 1;
  const std::size_t excess =
      kept > options_.max_idle_per_endpoint ? kept - options_.max_idle_per_endpoint : 0;
  const std::size_t drop = expired + excess;
  for (std::size_t i = 0; i < drop; ++i) retire(std::move(idle[i]));
  idle.erase(idle.begin(), idle.begin() + static_cast<std::ptrdiff_t>(drop));
  idle.push_back(std::move(connection));
}

void PooledHttpClient::Impl::retire(std::unique_ptr<Connection> connection) {
  if (connection->tls() == nullptr) return;  // the destructor closes the socket
  asio::co_spawn(executor_, close_tls(std::move(connection), tls_), asio::detached);
}

void PooledHttpClient::Impl::close_idle() {
  for (auto& [key, idle] : idle_) {
    for (auto& connection : idle) retire(std::move(connection));
  }
  idle_.clear();
  last_idle_ = nullptr;
}

PooledHttpClient::PooledHttpClient(core::Executor executor, const core::Clock& clock,
                                   TlsOptions tls, PoolOptions pool)
    : impl_(std::make_unique<Impl>(std::move(executor), clock, tls, pool)) {}

PooledHttpClient::~PooledHttpClient() = default;

core::Task<ClientResult> PooledHttpClient::send(const Endpoint& endpoint, ClientRequest request,
                                                core::Deadline deadline) {
  return impl_->send(endpoint, to_wire(std::move(request)), deadline, nullptr);
}

core::Task<ClientResult> PooledHttpClient::send_wire(const Endpoint& endpoint, WireRequest request,
                                                     core::Deadline deadline) {
  return impl_->send(endpoint, std::move(request), deadline, nullptr);
}

core::Task<ClientResult> PooledHttpClient::stream(const Endpoint& endpoint, ClientRequest request,
                                                  core::Deadline deadline, ResponseSink& sink) {
  return impl_->send(endpoint, to_wire(std::move(request)), deadline, &sink);
}

std::size_t PooledHttpClient::connections_opened() const { return impl_->connections_opened_; }

void PooledHttpClient::close_idle() { impl_->close_idle(); }

}  // namespace lambdagate::http
