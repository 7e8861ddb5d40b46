#pragma once
// The session loop of one inbound connection, over any stream (Beast's awaitable server): read a
// request, let the RequestHandler answer it (whole, or streamed through a ResponseWriter), write,
// and repeat while keep-alive; pipelined requests sit in the read buffer and are answered in
// order. One timeout idiom: expires_after on the stream's lowest layer before every I/O step.
//
// A template over the stream, so the same loop serves TLS (ssl::stream over DeadlineStream,
// tls_session.cpp) and tests (an in-memory beast::test::stream, tests/fakes/fake_stream.hpp).
// What a Stream needs: Beast's AsyncReadStream and AsyncWriteStream, a lowest layer with
// expires_after(duration) and expires_never() (DeadlineStream and beast::tcp_stream have them),
// and per-operation cancellation. Establishing the connection (a TLS handshake, a PROXY protocol
// prefix, which may leave bytes in `buffer`) and ending it (a TCP half-close, a TLS close_notify)
// belong to the caller, before and after run_session.
//
// Plain TCP connections (server.cpp) do not run this loop: they call detail::serve_request once
// per request and wait for the next one without a coroutine (issue 14: an idle connection keeps
// no coroutine frame).
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <variant>
#include <boost/system/system_error.hpp>
#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <chrono>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>

#include "lambdagate/core/ascii.hpp"
#include "lambdagate/core/task.hpp"
#include "lambdagate/http/client_address.hpp"
#include "lambdagate/http/path_normalization.hpp"
#include "lambdagate/http/request_checks.hpp"
#include "lambdagate/http/request_parser_setup.hpp"
#include "lambdagate/http/response_head.hpp"
#include "lambdagate/http/server.hpp"
#include "lambdagate/http/task_group.hpp"

namespace lambdagate::http {

// What a session shares with its listener.
struct SessionContext {
  RequestHandler& handler;
  const ServerLimits& limits;
  ConnectionInfo connection;
  // Set when the listener stops accepting: the session closes after its current response.
  const bool& stopping;
  // The session's place in the listener's TaskGroup: idle while it waits for a request.
  TaskGroup::Member& member;
};

namespace detail {

inline constexpr auto kSessionTuple = boost::asio::as_tuple(core::use_task);
// How many bytes the first read of a request may take: a typical request header at once.
inline constexpr std::size_t kFirstReadBytes = 4096;

// Errors that just mean "the peer went away", "we stopped" or "time is up": close quietly.
bool is_disconnect(const boost::system::error_code& ec);
bool expects_continue(const Request& header);
// Whether a (normalised) target asks for the listener's health check path; the query is ignored.
bool is_health_check(std::string_view target, std::string_view path);

template <class Stream>
void expires_after(Stream& stream, std::chrono::steady_clock::duration d) {
  boost::beast::get_lowest_layer(stream).expires_after(d);
}

// Why the two functions below: an asynchronous read or write that needs no waiting still posts
// its completion through the scheduler (Beast's read operations do when the buffer holds the
// bytes already; Asio's write does when the socket took everything at once). On a plain
// keep-alive connection that was two or three round trips through the scheduler per request
// that did nothing (issue 14).

// Parses what `buffer` holds already, with no read operation: after the idle read a typical
// request is whole in the buffer. `header_only`: stop after the header, as async_read_header does.
// True when the parser got as far as asked, or refused the bytes (`ec` set); false when more
// bytes must be read: a read operation then goes on from where this stopped.
template <class Parser>
bool parse_buffered(Parser& parser, boost::beast::flat_buffer& buffer, bool header_only,
                    boost::system::error_code& ec) {
  const auto far_enough = [&] { return header_only ? parser.is_header_done() : parser.is_done(); };
  parser.eager(!header_only);
  while (!far_enough() && buffer.size() != 0) {
    const std::size_t used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec == boost::beast::http::error::need_more) {
      ec = {};
      return false;
    }
    if (ec) return true;
    if (used == 0) return false;
  }
  return far_enough();
}

// Writes what the stream takes now without waiting (a plain connection, see
// DeadlineStream::write_now); other streams (TLS, the tests' in-memory stream) take nothing here.
// Returns how many bytes were written.
template <class Stream, class Buffers>
std::size_t write_now(Stream& stream, const Buffers& buffers) {
  if constexpr (requires { stream.write_now(buffers); }) {
    return stream.write_now(buffers);
  } else {
    return 0;
  }
}

// The ResponseWriter of one request on one session: chunked on HTTP/1.1; on HTTP/1.0 the body
// ends with the connection.
template <class Stream>
class SessionWriter final : public ResponseWriter {
 public:
  // `head_only`: the request was HEAD, so the body is never sent (RFC 9110 §9.3.2).
  SessionWriter(Stream& stream, std::chrono::milliseconds write_timeout, unsigned version, bool head_only)
      : stream_(stream), write_timeout_(write_timeout), chunked_(version >= 11), head_only_(head_only) {}

  core::Task<bool> begin(Response& head) override {
    namespace bhttp = boost::beast::http;
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
    std::string bytes;
    write_response_head(message.base(), bytes);
    expires_after(stream_, write_timeout_);
    auto buffer = boost::asio::buffer(bytes);
    auto [ec, n] = co_await boost::asio::async_write(stream_, buffer, kSessionTuple);
    (void)n;
    failed_ = static_cast<bool>(ec);
    co_return !failed_;
  }

  core::Task<bool> write(std::string_view data) override {
    if (!started_ || failed_ || finished_) co_return false;
    if (data.empty() || head_only_) co_return true;
    expires_after(stream_, write_timeout_);
    boost::system::error_code ec;
    if (chunked_) {
      auto chunk = boost::beast::http::make_chunk(boost::asio::const_buffer(data.data(), data.size()));
      std::tie(ec, std::ignore) = co_await boost::asio::async_write(stream_, chunk, kSessionTuple);
    } else {
      auto buffer = boost::asio::const_buffer(data.data(), data.size());
      std::tie(ec, std::ignore) = co_await boost::asio::async_write(stream_, buffer, kSessionTuple);
    }
    failed_ = static_cast<bool>(ec);
    co_return !failed_;
  }

  core::Task<bool> finish() override {
    if (!started_ || failed_ || finished_) co_return false;
    finished_ = true;
    if (!chunked_ || head_only_) co_return true;
    expires_after(stream_, write_timeout_);
    auto last = boost::beast::http::make_chunk_last();
    auto [ec, n] = co_await boost::asio::async_write(stream_, last, kSessionTuple);
    (void)n;
    failed_ = static_cast<bool>(ec);
    co_return !failed_;
  }

  void abort() override { aborted_ = true; }
  bool started() const override { return started_; }

  // Whether the connection can carry another request after this response.
  bool reusable() const { return started_ && finished_ && !failed_ && !aborted_ && keep_alive_; }

 private:
  Stream& stream_;
  std::chrono::milliseconds write_timeout_;
  bool chunked_;
  bool head_only_;
  bool started_ = false;
  bool finished_ = false;
  bool failed_ = false;
  bool aborted_ = false;
  bool keep_alive_ = true;
};

// A whole response as one gather write: its head, written into `head`, and its body; to a HEAD
// request the head only (with the Content-Length the body would have had), so a pipelined next
// response is not taken for a body.
inline std::array<boost::asio::const_buffer, 2> prepare_response(Response& response, std::string& head,
                                                                bool head_only) {
  prepare_payload_once(response);
  write_response_head(response.base(), head);
  return response_buffers(head, response, head_only);
}

// Writes `buffers` past their first `written` bytes (what write_now took), within the write
// timeout. False when the write failed.
template <class Stream, class Buffers>
core::Task<bool> write_rest(Stream& stream, const Buffers& buffers, std::size_t written,
                            std::chrono::milliseconds write_timeout) {
  boost::beast::buffers_suffix<Buffers> rest(buffers);
  rest.consume(written);
  expires_after(stream, write_timeout);
  auto [ec, n] = co_await boost::asio::async_write(stream, rest, kSessionTuple);
  (void)n;
  co_return !ec;
}

// A whole response (see prepare_response), within the write timeout. False when the write failed.
template <class Stream>
core::Task<bool> send_response(Stream& stream, Response& response,
                               std::chrono::milliseconds write_timeout, bool head_only = false) {
  std::string head;
  const auto buffers = prepare_response(response, head, head_only);
  const std::size_t written = write_now(stream, buffers);
  if (written == boost::asio::buffer_size(buffers)) co_return true;
  co_return co_await write_rest(stream, buffers, written, write_timeout);
}

// The answer to a request refused before it was complete; the connection closes after it.
inline Response rejection(SessionContext& context, core::ErrorKind kind, std::string message,
                          const Request* request) {
  Response response = context.handler.reject(kind, std::move(message), request);
  response.keep_alive(false);
  return response;
}

// The answer when the request bytes in flight over the whole process would pass their cap.
inline Response overloaded(SessionContext& context, const Request* request) {
  return rejection(context, core::ErrorKind::Overloaded,
                   "too many request bytes in flight in the gateway (spec.lambdagate.listener.maxBytesInFlight); "
                   "retry later",
                   request);
}

// The refusal for a failed header or body read, if the failure deserves one (a peer that went
// away does not).
inline std::optional<Response> read_failure(SessionContext& context, const boost::system::error_code& ec,
                                            const Request* partial, bool reading_body) {
  namespace bhttp = boost::beast::http;
  const std::string too_large =
      "request body exceeds the limit of " + std::to_string(context.limits.max_body_bytes) + " bytes";
  // Chunk extensions and trailers count against the header limit; the read buffer is bounded by
  // it too (buffer_overflow: a header, trailer or extension line that does not end).
  if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
    return rejection(context, core::ErrorKind::HeadersTooLarge,
                     "request headers, chunk extensions or trailers exceed the limit of " +
                         std::to_string(context.limits.max_header_bytes) + " bytes",
                     reading_body ? partial : nullptr);
  }
  // The parser refuses a Content-Length over the limit while reading the header already.
  if (ec == bhttp::error::body_limit)
    return rejection(context, core::ErrorKind::PayloadTooLarge, too_large, partial);
  if (is_disconnect(ec)) return std::nullopt;
  if (reading_body) {
    return rejection(context, core::ErrorKind::BadRequest, "malformed HTTP request body: " + ec.message(),
                     partial);
  }
  return rejection(context, core::ErrorKind::BadRequest, "malformed HTTP request: " + ec.message(), nullptr);
}

// Reads one request into `parser` (header, the 100 Continue it asks for, body), its bytes taken
// from the in-flight budget into `reservation`; its first bytes have arrived already (see
// await_request). False when the connection is done: the peer left, or a refusal was sent.
template <class Stream>
core::Task<bool> read_request(
    Stream& stream, boost::beast::flat_buffer& buffer,
    RequestParser& parser, SessionContext& context, ByteReservation& reservation) {
  namespace bhttp = boost::beast::http;
  const ServerLimits& limits = context.limits;
  boost::system::error_code ec;
  if (!parse_buffered(parser, buffer, true, ec)) {
    // The header goes on beyond what the idle read took (a plain connection waits with a small
    // buffer): the next read takes up to a typical header at once, not in 512-byte steps.
    if (buffer.capacity() < kFirstReadBytes) {
      buffer.reserve(std::min<std::size_t>(kFirstReadBytes, buffer.max_size()));
    }
    expires_after(stream, limits.header_timeout);
    auto [read_ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, kSessionTuple);
    (void)n;
    ec = read_ec;
  }
  if (ec) {
    std::optional<Response> refusal = read_failure(context, ec, &parser.get(), false);
    if (refusal) co_await send_response(stream, *refusal, limits.write_timeout);
    co_return false;
  }
  if (auto refusal = check_request_head(parser.get(), limits.headers)) {
    Response response = rejection(context, refusal->kind, std::move(refusal->message), &parser.get());
    co_await send_response(stream, response, limits.write_timeout);
    co_return false;
  }
  // The body's bytes come out of the process-wide budget before they are read (a declared
  // length) or once read (chunked); over it, 503 overloaded and the connection closed.
  const auto declared = parser.content_length();
  if (declared && !reservation.reserve(*declared)) {
    Response response = overloaded(context, &parser.get());
    co_await send_response(stream, response, limits.write_timeout);
    co_return false;
  }
  // HTTP/1.0 knows no interim responses.
  if (parser.get().version() >= 11 && expects_continue(parser.get()) && !parser.is_done()) {
    Response interim{bhttp::status::continue_, parser.get().version()};
    expires_after(stream, limits.write_timeout);
    auto [wec, wn] = co_await bhttp::async_write(stream, interim, kSessionTuple);
    (void)wn;
    if (wec) co_return false;
  }
  if (!parser.is_done()) {
    // A chunked body's trailer adds fields to the header: they are dropped once it is read.
    const HeaderFieldIds header_fields = parser.chunked() ? header_field_ids(parser.get()) : HeaderFieldIds{};
    boost::system::error_code bec;
    if (!parse_buffered(parser, buffer, false, bec)) {
      expires_after(stream, limits.body_timeout);
      auto [read_ec, bn] = co_await bhttp::async_read(stream, buffer, parser, kSessionTuple);
      (void)bn;
      bec = read_ec;
    }
    if (bec) {
      std::optional<Response> refusal = read_failure(context, bec, &parser.get(), true);
      if (refusal) co_await send_response(stream, *refusal, limits.write_timeout);
      co_return false;
    }
    if (parser.chunked()) drop_trailer_fields(parser.get(), header_fields);
    if (!reservation.reserve(parser.get().body().size())) {
      Response response = overloaded(context, &parser.get());
      co_await send_response(stream, response, limits.write_timeout);
      co_return false;
    }
  }
  co_return true;
}

// What read_buffered_request found.
struct BufferedRead {
  enum class Outcome {
    Complete,  // the request is read, as read_request would have read it
    Pending,   // read_request must go on: bytes to read or an interim response to send
    Refused,   // the request is refused: `refusal` (when there is one) goes out, then the close
  };
  Outcome outcome = Outcome::Pending;
  std::optional<Response> refusal;
};

// read_request's work for a request whose header and body (of a declared length) the buffer
// holds whole, as a typical request is after the idle read, without a coroutine frame: the
// same checks and reservations in the same order, and the same refusals. Pending hands the
// request to read_request with nothing done that it would do twice: its header parse goes on
// from where this one stopped (or finds the header parsed), the head checks are pure, and the
// body is parsed here only once it is known to be in the buffer and no 100 Continue is due,
// after nothing but the reservations, which are then made here and not left to read_request.
inline BufferedRead read_buffered_request(RequestParser& parser, boost::beast::flat_buffer& buffer,
                                          SessionContext& context, ByteReservation& reservation) {
  using Outcome = BufferedRead::Outcome;
  boost::system::error_code ec;
  if (!parse_buffered(parser, buffer, true, ec)) return {};
  if (ec) return {Outcome::Refused, read_failure(context, ec, &parser.get(), false)};
  if (auto refusal = check_request_head(parser.get(), context.limits.headers)) {
    return {Outcome::Refused, rejection(context, refusal->kind, std::move(refusal->message), &parser.get())};
  }
  const auto declared = parser.content_length();
  if (!parser.is_done()) {
    if (parser.chunked() || !declared || buffer.size() < *declared) return {};
    if (parser.get().version() >= 11 && expects_continue(parser.get())) return {};
  }
  if (declared && !reservation.reserve(*declared)) return {Outcome::Refused, overloaded(context, &parser.get())};
  if (!parser.is_done()) {
    boost::system::error_code bec;
    parse_buffered(parser, buffer, false, bec);
    if (bec) return {Outcome::Refused, read_failure(context, bec, &parser.get(), true)};
    // The whole body was in the buffer, so the parser is done; if it were not, the request is
    // refused rather than handed on with its reservation made.
    if (!parser.is_done()) {
      return {Outcome::Refused, rejection(context, core::ErrorKind::BadRequest, "malformed HTTP request body",
                                          &parser.get())};
    }
    if (!reservation.reserve(parser.get().body().size())) {
      return {Outcome::Refused, overloaded(context, &parser.get())};
    }
  }
  return {Outcome::Complete, std::nullopt};
}

// Waits for the first bytes of the next request on an idle connection, within `idle_limit`,
// by reading them (the TLS layer may hold decrypted bytes already, so a TLS connection cannot
// wait for the socket alone). Only this small frame lives meanwhile: the per-request state
// (parser, request, response) lives in serve_request, which has ended.
// False: the peer left, the idle limit passed, or we are stopping.
template <class Stream>
core::Task<bool> await_request(Stream& stream, boost::beast::flat_buffer& buffer,
                               std::chrono::steady_clock::duration idle_limit) {
  expires_after(stream, idle_limit);
  auto space = buffer.prepare(std::min<std::size_t>(kFirstReadBytes, buffer.max_size()));
  auto [ec, n] = co_await stream.async_read_some(space, kSessionTuple);
  buffer.commit(n);
  co_return !ec;
}

// How long a connection may still live (maxConnectionDuration).
class Lifetime {
 public:
  explicit Lifetime(const ServerLimits& limits)
      : limits_(limits), opened_(limits.clock ? limits.clock->steady_now() : core::SteadyTime{}) {}
  // None without a limit.
  std::optional<std::chrono::steady_clock::duration> remaining() const {
    if (limits_.max_connection_duration.count() == 0 || !limits_.clock) return std::nullopt;
    return opened_ + limits_.max_connection_duration - limits_.clock->steady_now();
  }
  bool over() const {
    const auto left = remaining();
    return left && left->count() <= 0;
  }

 private:
  const ServerLimits& limits_;
  core::SteadyTime opened_;
};

// Serves one request whose first bytes are in `buffer` or on their way: reads it, answers it
// (the handler's response, a refusal, a redirect, the health check) and says whether the
// connection may carry another. `served`: requests on this connection so far, this one included.
// Everything a request needs lives in this frame, which ends with the request, so an idle
// connection does not keep it.
template <class Stream>
core::Task<bool> serve_request(Stream& stream, boost::beast::flat_buffer& buffer,
                               SessionContext& context, const Lifetime& lifetime,
                               std::uint32_t served) {
  namespace bhttp = boost::beast::http;
  const ServerLimits& limits = context.limits;
  // The request's fields are allocated from it (request.hpp): it lives as long as the parser and
  // the request released from it, which are declared after it.
  RequestArena arena;
  RequestParser parser = request_parser_over(arena);
  // Beast keeps a reference to it: it lives as long as the parser.
  ChunkExtensionBudget extensions;
  configure_request_parser(parser, limits.max_body_bytes, limits.max_header_bytes, extensions);
  // Held until this request is answered (the end of this call).
  ByteReservation reservation(limits.bytes_in_flight.get());
  // Most requests are whole in the buffer: then no frame is made for read_request.
  BufferedRead buffered = read_buffered_request(parser, buffer, context, reservation);
  if (buffered.outcome == BufferedRead::Outcome::Refused) {
    if (buffered.refusal) co_await send_response(stream, *buffered.refusal, limits.write_timeout);
    co_return false;
  }
  if (buffered.outcome == BufferedRead::Outcome::Pending &&
      !co_await read_request(stream, buffer, parser, context, reservation)) {
    co_return false;
  }

  Request request = parser.release();
  const bool head_only = request.method() == bhttp::verb::head;
  if (limits.headers.underscores == UnderscoreHeaders::Drop) drop_underscore_headers(request);
  // Routes are matched against the normalised path, and the function sees that one too.
  auto normalized = normalize_target(request.target(), limits.paths);
  if (auto* refusal = std::get_if<PathRefusal>(&normalized)) {
    Response response =
        rejection(context, core::ErrorKind::BadRequest, std::move(refusal->message), &request);
    co_await send_response(stream, response, limits.write_timeout, head_only);
    co_return false;
  }
  auto& target = std::get<NormalizedTarget>(normalized);
  if (target.redirect) {
    Response response{bhttp::status::temporary_redirect, request.version()};
    response.set(bhttp::field::location, target.target);
    response.keep_alive(false);
    co_await send_response(stream, response, limits.write_timeout, head_only);
    co_return false;
  }
  // Most targets are normal already: setting one anyway would allocate the start line again.
  if (std::string_view(request.target().data(), request.target().size()) != target.target) {
    request.target(target.target);
  }
  if (!limits.health_check_path.empty() && is_health_check(target.target, limits.health_check_path)) {
    const bool draining = limits.draining && limits.draining->load(std::memory_order_relaxed);
    Response response{draining ? bhttp::status::service_unavailable : bhttp::status::ok, request.version()};
    response.set(bhttp::field::content_type, "application/json");
    response.body() = draining ? R"({"status":"draining"})" : R"({"status":"ok"})";
    response.keep_alive(request.keep_alive() && !context.stopping && !lifetime.over());
    const bool keep_alive = response.keep_alive();
    const bool written = co_await send_response(stream, response, limits.write_timeout, head_only);
    co_return written && keep_alive;
  }
  // The handler bounds its own work with the route's deadline.
  boost::beast::get_lowest_layer(stream).expires_never();
  Response response;
  // The client's address for this request (logged, sourceIp in events) and X-Forwarded-For.
  // Usually the connection's own: then the handler sees the connection's info itself, and only
  // an address taken from X-Forwarded-For costs a copy of it for this request.
  std::optional<ConnectionInfo> forwarded_client;
  {
    // Its fields in order, as equal_range gives them, by a walk over the request's few fields:
    // equal_range maps the name to a field code and searches a tree, which costs more.
    constexpr std::string_view kForwardedFor = "x-forwarded-for";
    std::string xff;
    for (const auto& field : request) {
      const std::string_view name(field.name_string().data(), field.name_string().size());
      if (!core::iequals_ascii(name, kForwardedFor)) continue;
      if (!xff.empty()) xff += ", ";
      xff.append(field.value());
    }
    ClientAddress resolved = client_address(context.connection.remote_address, xff, limits.client_address);
    if (resolved.address != context.connection.remote_address) {
      forwarded_client.emplace(context.connection);
      forwarded_client->remote_address = std::move(resolved.address);
      forwarded_client->remote_port = 0;
    }
    if (resolved.forwarded_for) request.set("X-Forwarded-For", *resolved.forwarded_for);
  }
  const ConnectionInfo& client = forwarded_client ? *forwarded_client : context.connection;
  SessionWriter<Stream> writer(stream, limits.write_timeout, request.version(), head_only);
  const bool last_allowed =
      limits.max_requests_per_connection != 0 && served >= limits.max_requests_per_connection;
  bool failed = false;
  try {
    response = co_await context.handler.handle(request, client, writer);
  } catch (const boost::system::system_error& e) {
    // Cut off by shutdown (terminal cancellation): nothing is answered; the session ends.
    if (e.code() == boost::asio::error::operation_aborted) throw;
    failed = true;
  } catch (const std::exception&) {
    failed = true;
  }
  // What the handler keeps per connection (per-connection rate-limit buckets) must outlive the
  // request: from this request's copy, it goes back to the connection's own info.
  if (forwarded_client) context.connection.handler_state = std::move(forwarded_client->handler_state);
  if (failed) {
    if (writer.started()) writer.abort();
    response = context.handler.reject(core::ErrorKind::Internal, "internal error", &request);
  }
  if (writer.started()) {
    // Streamed: the response is on the wire already. An unfinished stream closes the connection.
    co_return writer.reusable() && !context.stopping && keep_alive_of(request) && !last_allowed && !lifetime.over();
  }
  response.version(request.version());
  const bool keep_alive = keep_alive_of(request) && !context.stopping && keep_alive_of(response) &&
                          !last_allowed && !lifetime.over();
  set_keep_alive(response, keep_alive);
  // As send_response, in this frame: a plain socket usually takes the whole response at once, and
  // then no other frame is made for it.
  std::string head;
  const auto buffers = prepare_response(response, head, head_only);
  const std::size_t written = write_now(stream, buffers);
  const bool sent = written == boost::asio::buffer_size(buffers) ||
                    co_await write_rest(stream, buffers, written, limits.write_timeout);
  co_return sent && keep_alive;
}

}  // namespace detail

// Serves requests on `stream` until the peer leaves, a response ends the connection, a limit or
// timeout is hit, or the listener stops (see SessionContext::stopping). A handler that throws
// gets its request answered 500 internal_error (or its started stream cut short), except when the
// session was cut off by shutdown: then the operation_aborted goes on to the listener.
template <class Stream>
core::Task<void> run_session(Stream& stream, boost::beast::flat_buffer& buffer,
                             SessionContext& context) {
  // GCC 12 mishandles temporaries with destructors inside co_await expressions (they can be
  // destroyed twice), so every co_await below (and in detail::) takes named objects only. This
  // frame stays alive while the connection is idle: it holds only what is needed between
  // requests.
  const ServerLimits& limits = context.limits;
  // A bounded read buffer: a header, trailer or chunk-extension line that never ends fails the
  // read (431) instead of growing the buffer (issue 12: 64 MiB sent grew RSS by 66 MiB).
  buffer.max_size(std::max(read_buffer_limit(limits), buffer.size()));
  const detail::Lifetime lifetime(limits);
  std::uint32_t served = 0;
  while (!context.stopping && !lifetime.over()) {
    // Idle until the first byte of a request is here (pipelined bytes may be in the buffer
    // already); the header timeout runs from then, so a client sending its header a byte at a
    // time is cut at the header timeout (slowloris).
    if (buffer.size() == 0) {
      // An idle connection is closed when its lifetime ends, even before the idle timeout.
      std::chrono::steady_clock::duration idle_limit = limits.idle_timeout;
      if (const auto remaining = lifetime.remaining()) idle_limit = std::min(idle_limit, *remaining);
      context.member.idle = true;
      const bool arrived = co_await detail::await_request(stream, buffer, idle_limit);
      context.member.idle = false;
      if (!arrived) break;
    }
    ++served;
    const bool again = co_await detail::serve_request(stream, buffer, context, lifetime, served);
    if (!again) break;
  }
}

}  // namespace lambdagate::http
