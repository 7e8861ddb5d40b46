#pragma once
// TlsClientStream: TLS over a DeadlineStream for the pooled HTTP client's upstream connections.
// OpenSSL reads and writes through a BIO of this class's own, which holds the connection's
// encrypted bytes: those received and not yet decrypted, and those encrypted and not yet sent.
// Private to the http module.
//
// Why not asio::ssl::stream (or beast::ssl_stream over it): its engine moves every record through
// an OpenSSL BIO pair, which copies each byte twice more than needed on the way in and on the
// way out; beast::ssl_stream copies a request once more to make one record of head and body; and
// the engine clears OpenSSL's error queue before each call. With a TLS upstream that was about a
// tenth of lambdagate's user-space time per request (issue 14).
//
// The client's contract, as DeadlineStream's: write_now encrypts a request whole and sends what
// the socket takes at once (the rest goes out before the next read), read_some reads, handshake
// and shutdown. Errors as asio::ssl reports them: asio::error::eof after the peer's close_notify,
// asio::ssl::error::stream_truncated when the connection ends without one, and an error in
// asio::error::get_ssl_category() carrying OpenSSL's reason for a TLS failure; the socket's own
// errors as they are (a passed deadline closes it: DeadlineStream::expired()). Not movable:
// OpenSSL's BIO points to it.
#include <openssl/ssl.h>

#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "lambdagate/core/task.hpp"
#include "lambdagate/http/deadline_stream.hpp"

namespace lambdagate::http::detail {

class TlsClientStream {
 public:
  using error_code = boost::system::error_code;

  // A client-side TLS connection made from `context` (its CAs and verification settings) over
  // `socket`, before the handshake. Throws std::bad_alloc when OpenSSL cannot make one.
  TlsClientStream(DeadlineStream::Socket socket, SSL_CTX* context);
  ~TlsClientStream();
  TlsClientStream(const TlsClientStream&) = delete;
  TlsClientStream& operator=(const TlsClientStream&) = delete;

  DeadlineStream& next_layer() { return tcp_; }
  SSL* native_handle() { return ssl_; }

  core::Task<std::tuple<error_code>> handshake();

  // Encrypts all of `buffers` (one record when they fit in one) and sends what the socket takes
  // now. Returns how many bytes of `buffers` it took: all of them, or none when TLS refused them
  // (write then says why).
  template <class ConstBufferSequence>
  std::size_t write_now(const ConstBufferSequence& buffers) {
    const std::size_t taken = encrypt(buffers);
    send_now();
    return taken;
  }
  // Encrypts what write_now did not take and sends everything that waits to be sent.
  template <class ConstBufferSequence>
  core::Task<std::tuple<error_code, std::size_t>> write(ConstBufferSequence buffers) {
    const std::size_t taken = encrypt(buffers);
    if (taken == 0 && boost::asio::buffer_size(buffers) != 0) {
      co_return std::tuple{failure(SSL_ERROR_SSL), std::size_t{0}};
    }
    auto [ec] = co_await send_pending();
    co_return std::tuple{ec, ec ? std::size_t{0} : taken};
  }

  // Decrypted bytes into `buffer`: as many as are there, at least one, once some are.
  core::Task<std::tuple<error_code, std::size_t>> read_some(boost::asio::mutable_buffer buffer);

  // Decrypted bytes into `buffer` from what has arrived by now, without waiting (as
  // DeadlineStream::read_now): the bytes; 0 with `ec` would_block when a whole record is not in
  // yet, eof or another error.
  std::size_t read_now(boost::asio::mutable_buffer buffer, error_code& ec);

  // Sends our close_notify; does not wait for the peer's (the connection is being dropped).
  core::Task<std::tuple<error_code>> shutdown();

 private:
  static int bio_write(BIO* bio, const char* data, int size);
  static int bio_read(BIO* bio, char* out, int size);
  static long bio_ctrl(BIO* bio, int command, long number, void* pointer);
  static BIO_METHOD* bio_method();

  // The request's parts encrypted into out_: put together first when they fit in one record, so
  // that a request and its small body go as one; else part by part. All their bytes, or 0 when TLS
  // refused them.
  template <class ConstBufferSequence>
  std::size_t encrypt(const ConstBufferSequence& buffers) {
    const std::size_t total = boost::asio::buffer_size(buffers);
    if (total <= kOneRecord) {
      plain_.clear();
      for (const auto& buffer : buffers)
        plain_.append(static_cast<const char*>(buffer.data()), buffer.size());
      return encrypt(plain_.data(), plain_.size()) ? total : 0;
    }
    for (const auto& buffer : buffers) {
      if (!encrypt(static_cast<const char*>(buffer.data()), buffer.size())) return 0;
    }
    return total;
  }
  bool encrypt(const char* data, std::size_t size);
  // Sends what the socket takes now of what waits to be sent.
  void send_now();
  // out_ is sent whole: emptied (and given back, when a large request made it large).
  void sent_all();
  // Sends all that waits to be sent, waiting for the socket as needed.
  core::Task<std::tuple<error_code>> send_pending();
  // Reads what the socket has into in_, waiting for it as needed. End of file is not an error
  // here: it is recorded (eof_), and OpenSSL then sees the BIO end.
  core::Task<std::tuple<error_code>> receive();
  // Room for one more record at the end of in_, what OpenSSL has not taken moved to the front.
  boost::asio::mutable_buffer receive_space();
  // One SSL_read_ex into `buffer`: the bytes decrypted (`ec` clear), or 0 with `ec` saying why
  // TLS failed; nullopt when OpenSSL wants more of a record than has arrived.
  std::optional<std::size_t> decrypt(boost::asio::mutable_buffer buffer, error_code& ec);
  // What a failed OpenSSL call (SSL_get_error's `reason`) means, as asio::ssl would say it.
  error_code failure(int reason);

  DeadlineStream tcp_;
  SSL* ssl_ = nullptr;
  std::vector<char> in_;  // received, from in_begin_ to in_end_ not yet taken by OpenSSL
  std::size_t in_begin_ = 0;
  std::size_t in_end_ = 0;
  bool eof_ = false;  // the peer closed the TCP connection
  std::string out_;   // encrypted, from out_sent_ on not yet sent
  std::size_t out_sent_ = 0;
  std::string plain_;  // a request's parts put together, for one record

  static constexpr std::size_t kOneRecord = 16 * 1024;  // TLS's largest record's data
};

}  // namespace lambdagate::http::detail
