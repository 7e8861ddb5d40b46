#pragma once
// FakeStream: the server end of an in-memory connection for tests of the session loop
// (http/session.hpp). It is a beast::test::stream — connect() a client test::stream to it, and
// give it a beast::test::fail_count to make its Nth operation fail — with what the session loop
// asks of beast::tcp_stream besides: the timeout interface (expires_after / expires_never) and
// per-operation cancellation of a pending read.
//
// Timeouts are the test's to fire, not a wall clock's: each expires_after is recorded, and
// fire_timeout() ends the pending operation as an expiring tcp_stream timer would (the stream is
// closed; the peer sees the end of the connection).
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <chrono>
#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

namespace lambdagate::testing {

class FakeStream {
 public:
  using executor_type = boost::beast::test::stream::executor_type;

  explicit FakeStream(boost::asio::io_context& io) : stream_(io) {}
  FakeStream(boost::asio::io_context& io, boost::beast::test::fail_count& failures) : stream_(io, failures) {}

  executor_type get_executor() noexcept { return stream_.get_executor(); }

  // The in-memory stream itself: connect the client end to it, read what was written.
  boost::beast::test::stream& inner() { return stream_; }

  template <class MutableBufferSequence, class ReadHandler>
  auto async_read_some(const MutableBufferSequence& buffers, ReadHandler&& handler) {
    return boost::asio::async_initiate<ReadHandler, void(boost::system::error_code, std::size_t)>(
        [this](auto&& h, const MutableBufferSequence& b) {
          // Cancelling the read closes the stream, as cancelling a socket read ends the session.
          auto slot = boost::asio::get_associated_cancellation_slot(h);
          if (slot.is_connected()) {
            slot.assign([this](boost::asio::cancellation_type) { stream_.close(); });
          }
          stream_.async_read_some(b, std::forward<decltype(h)>(h));
        },
        handler, buffers);
  }

  template <class ConstBufferSequence, class WriteHandler>
  auto async_write_some(const ConstBufferSequence& buffers, WriteHandler&& handler) {
    return stream_.async_write_some(buffers, std::forward<WriteHandler>(handler));
  }

  // beast::tcp_stream's timeout interface.
  void expires_after(std::chrono::steady_clock::duration d) {
    timeouts.push_back(d);
    armed_ = d;
  }
  void expires_never() { armed_.reset(); }

  // The timeout in force now (none after expires_never).
  std::optional<std::chrono::steady_clock::duration> armed() const { return armed_; }
  // Expires the armed timeout now.
  void fire_timeout() {
    armed_.reset();
    stream_.close();
  }

  // Every timeout armed so far, in order.
  std::vector<std::chrono::steady_clock::duration> timeouts;

 private:
  boost::beast::test::stream stream_;
  std::optional<std::chrono::steady_clock::duration> armed_;
};

}  // namespace lambdagate::testing
