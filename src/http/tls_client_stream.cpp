// TlsClientStream (tls_client_stream.hpp).
#include "http/tls_client_stream.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <algorithm>
#include <climits>
#include <cstring>
#include <new>

namespace lambdagate::http::detail {

namespace {

namespace asio = boost::asio;

constexpr auto kTuple = asio::as_tuple(core::use_task);
// Room for one whole record (16 KiB of data and its header, padding and tag) in one read.
constexpr std::size_t kReceiveBytes = 17 * 1024;
// What an idle connection keeps of the buffer its last request was encrypted into.
constexpr std::size_t kKeptBytes = 64 * 1024;

// OpenSSL's error queue is per thread and read by SSL_get_error, so it must be empty before each
// call. Errors are taken off it where they are reported (failure()); this only clears what some
// other code on the thread left behind, which costs a look rather than a clear each time.
void clear_stale_errors() {
  if (ERR_peek_error() != 0) ERR_clear_error();
}

}  // namespace

BIO_METHOD* TlsClientStream::bio_method() {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "lambdagate TLS client");
    if (m == nullptr || BIO_meth_set_write(m, &TlsClientStream::bio_write) != 1 ||
        BIO_meth_set_read(m, &TlsClientStream::bio_read) != 1 ||
        BIO_meth_set_ctrl(m, &TlsClientStream::bio_ctrl) != 1) {
      throw std::bad_alloc();
    }
    return m;
  }();
  return method;
}

TlsClientStream::TlsClientStream(DeadlineStream::Socket socket, SSL_CTX* context) : tcp_(std::move(socket)) {
  ssl_ = SSL_new(context);
  BIO* bio = ssl_ ? BIO_new(bio_method()) : nullptr;
  if (bio == nullptr) {
    SSL_free(ssl_);
    throw std::bad_alloc();
  }
  BIO_set_data(bio, this);
  BIO_set_init(bio, 1);
  SSL_set_bio(ssl_, bio, bio);  // the SSL object owns the BIO from here
  SSL_set_connect_state(ssl_);
  // As asio::ssl::stream: OpenSSL's record buffers are given back while the connection is idle.
  SSL_set_mode(ssl_, SSL_MODE_RELEASE_BUFFERS);
}

TlsClientStream::~TlsClientStream() { SSL_free(ssl_); }

int TlsClientStream::bio_write(BIO* bio, const char* data, int size) {
  auto* self = static_cast<TlsClientStream*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  self->out_.append(data, static_cast<std::size_t>(size));
  return size;
}

int TlsClientStream::bio_read(BIO* bio, char* out, int size) {
  auto* self = static_cast<TlsClientStream*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  const std::size_t held = self->in_end_ - self->in_begin_;
  if (held == 0) {
    if (self->eof_) return 0;
    BIO_set_retry_read(bio);  // more is on its way: read_some or handshake fetches it
    return -1;
  }
  const std::size_t n = std::min(held, static_cast<std::size_t>(size));
  std::memcpy(out, self->in_.data() + self->in_begin_, n);
  self->in_begin_ += n;
  return static_cast<int>(n);
}

long TlsClientStream::bio_ctrl(BIO* bio, int command, long, void*) {
  auto* self = static_cast<TlsClientStream*>(BIO_get_data(bio));
  switch (command) {
    case BIO_CTRL_FLUSH:  // what is written goes out with the next send
      return 1;
    case BIO_CTRL_PENDING:
      return static_cast<long>(self->in_end_ - self->in_begin_);
    case BIO_CTRL_WPENDING:
      return static_cast<long>(self->out_.size() - self->out_sent_);
    case BIO_CTRL_EOF:
      return self->eof_ && self->in_end_ == self->in_begin_ ? 1 : 0;
    default:
      return 0;
  }
}

bool TlsClientStream::encrypt(const char* data, std::size_t size) {
  clear_stale_errors();
  std::size_t written = 0;
  // The BIO takes everything, so a write only fails for TLS's own reasons.
  return size == 0 || (SSL_write_ex(ssl_, data, size, &written) == 1 && written == size);
}

void TlsClientStream::sent_all() {
  out_sent_ = 0;
  // A large request's bytes are not kept by an idle pooled connection.
  if (out_.capacity() > kKeptBytes) {
    std::string().swap(out_);
  } else {
    out_.clear();
  }
}

void TlsClientStream::send_now() {
  if (out_sent_ == out_.size()) return;
  out_sent_ += tcp_.write_now(asio::buffer(out_.data() + out_sent_, out_.size() - out_sent_));
  if (out_sent_ == out_.size()) sent_all();
}

core::Task<std::tuple<TlsClientStream::error_code>> TlsClientStream::send_pending() {
  send_now();
  if (out_sent_ != out_.size()) {
    auto [ec, n] = co_await asio::async_write(
        tcp_, asio::buffer(out_.data() + out_sent_, out_.size() - out_sent_), kTuple);
    if (ec) co_return std::tuple{ec};
    (void)n;
    sent_all();
  }
  co_return std::tuple{error_code{}};
}

boost::asio::mutable_buffer TlsClientStream::receive_space() {
  if (in_begin_ == in_end_) in_begin_ = in_end_ = 0;
  if (in_.size() - in_end_ < kReceiveBytes) {
    // What OpenSSL has not taken yet moves to the front; the buffer grows only past one record.
    if (in_begin_ != 0) {
      std::memmove(in_.data(), in_.data() + in_begin_, in_end_ - in_begin_);
      in_end_ -= in_begin_;
      in_begin_ = 0;
    }
    if (in_.size() - in_end_ < kReceiveBytes) in_.resize(in_end_ + kReceiveBytes);
  }
  return asio::buffer(in_.data() + in_end_, in_.size() - in_end_);
}

core::Task<std::tuple<TlsClientStream::error_code>> TlsClientStream::receive() {
  auto [ec, n] = co_await tcp_.async_read_some(receive_space(), kTuple);
  in_end_ += n;
  if (ec == asio::error::eof) {
    eof_ = true;
    co_return std::tuple{error_code{}};
  }
  co_return std::tuple{ec};
}

TlsClientStream::error_code TlsClientStream::failure(int reason) {
  if (reason == SSL_ERROR_ZERO_RETURN) return asio::error::eof;  // the peer's close_notify
  const unsigned long error = ERR_get_error();
  ERR_clear_error();
  if (error != 0) {
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
    if (ERR_GET_LIB(error) == ERR_LIB_SSL && ERR_GET_REASON(error) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
      return asio::ssl::error::stream_truncated;
    }
#endif
    return error_code(static_cast<int>(error), asio::error::get_ssl_category());
  }
  if (eof_) return asio::ssl::error::stream_truncated;
  return asio::error::connection_reset;
}

core::Task<std::tuple<TlsClientStream::error_code>> TlsClientStream::handshake() {
  while (true) {
    clear_stale_errors();
    const int result = SSL_do_handshake(ssl_);
    const int reason = result == 1 ? SSL_ERROR_NONE : SSL_get_error(ssl_, result);
    // Why it failed is taken now, before anything else can touch OpenSSL's error queue.
    error_code failed;
    if (result != 1 && (reason != SSL_ERROR_WANT_READ || eof_)) failed = failure(reason);
    // What the handshake wrote goes out (the ClientHello, the Finished message, or the alert
    // that tells the server why we stop); a failure to send it matters only when nothing failed.
    auto [sent] = co_await send_pending();
    if (failed) co_return std::tuple{failed};
    if (sent) co_return std::tuple{sent};
    if (result == 1) co_return std::tuple{error_code{}};
    auto [received] = co_await receive();
    if (received) co_return std::tuple{received};
  }
}

std::optional<std::size_t> TlsClientStream::decrypt(boost::asio::mutable_buffer buffer, error_code& ec) {
  clear_stale_errors();
  std::size_t got = 0;
  const int result = SSL_read_ex(ssl_, buffer.data(), buffer.size(), &got);
  if (result == 1) {
    ec = {};
    return got;
  }
  const int reason = SSL_get_error(ssl_, result);
  if (reason == SSL_ERROR_WANT_READ && !eof_) return std::nullopt;
  ec = failure(reason);
  return 0;
}

core::Task<std::tuple<TlsClientStream::error_code, std::size_t>> TlsClientStream::read_some(
    boost::asio::mutable_buffer buffer) {
  // What write_now could not send yet goes first: the answer waits for it.
  if (out_sent_ != out_.size()) {
    auto [ec] = co_await send_pending();
    if (ec) co_return std::tuple{ec, std::size_t{0}};
  }
  while (true) {
    error_code failed;
    if (const std::optional<std::size_t> got = decrypt(buffer, failed)) {
      if (!failed) send_now();  // a reply TLS itself owes the peer (a key update), if any
      co_return std::tuple{failed, *got};
    }
    if (out_sent_ != out_.size()) {
      auto [ec] = co_await send_pending();
      if (ec) co_return std::tuple{ec, std::size_t{0}};
    }
    auto [ec] = co_await receive();
    if (ec) co_return std::tuple{ec, std::size_t{0}};
  }
}

std::size_t TlsClientStream::read_now(boost::asio::mutable_buffer buffer, error_code& ec) {
  send_now();
  while (true) {
    if (const std::optional<std::size_t> got = decrypt(buffer, ec)) return *got;
    // Until the socket is empty or ends: a part of a record with the end behind it would
    // otherwise leave that end unseen.
    error_code socket_ec;
    in_end_ += tcp_.read_now(receive_space(), socket_ec);
    if (socket_ec == asio::error::eof) {
      eof_ = true;
    } else if (socket_ec) {
      ec = socket_ec;  // would_block: nothing more yet
      return 0;
    }
  }
}

core::Task<std::tuple<TlsClientStream::error_code>> TlsClientStream::shutdown() {
  clear_stale_errors();
  const int result = SSL_shutdown(ssl_);
  if (result < 0) {
    const int reason = SSL_get_error(ssl_, result);
    if (reason != SSL_ERROR_WANT_READ) co_return std::tuple{failure(reason)};
  }
  co_return co_await send_pending();
}

}  // namespace lambdagate::http::detail
