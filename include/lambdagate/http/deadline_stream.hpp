#pragma once
// DeadlineStream: a TCP connection (accepted by the server, or opened by the pooled HTTP client)
// with one deadline for the I/O step under way — the timeout interface of beast::tcp_stream
// (expires_after / expires_never), kept by one timer per connection instead of a timer armed and
// cancelled around every read and write.
//
// Why: beast::tcp_stream starts a timer wait (timer queue insert, cancellation slot, a
// timeout_handler) for each operation and cancels it when the operation completes; a keep-alive
// request took several of those (issue 14). Here setting a deadline only stores it. The timer is
// re-armed only when a deadline comes earlier than the one it waits for; when it fires early
// (the deadline moved on since), it re-arms for the current one, so under load it wakes about
// once per header timeout, not once per request.
//
// When the deadline passes the socket is closed, as beast::tcp_stream does: the pending
// operation ends with operation_aborted, and any later one fails at once. expired() tells a
// timeout from other ends. Movable; the timer's handler shares the state, so it never outlives
// what it touches.
#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <type_traits>
#include <utility>

#include "lambdagate/core/clock.hpp"
#include "lambdagate/core/task.hpp"
#include "lambdagate/http/drained_read.hpp"

namespace lambdagate::http {

class DeadlineStream {
 public:
  // On the worker's concrete executor, as the coroutines that use it (core::Task): an I/O object
  // with a type-erased executor copies and work-tracks it on every operation.
  using executor_type = core::Executor;
  using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, executor_type>;
  using clock = std::chrono::steady_clock;

  explicit DeadlineStream(Socket socket)
      : state_(std::make_shared<State>(std::move(socket))) {}
  DeadlineStream(DeadlineStream&&) noexcept = default;
  DeadlineStream& operator=(DeadlineStream&&) = delete;
  DeadlineStream(const DeadlineStream&) = delete;
  DeadlineStream& operator=(const DeadlineStream&) = delete;
  // Closes the connection now; a timer wait still pending is cancelled (its handler then only
  // drops its share of the state).
  ~DeadlineStream() {
    if (!state_) return;  // moved from
    boost::system::error_code ignored;
    state_->timer.cancel();
    state_->socket.close(ignored);
  }

  executor_type get_executor() noexcept { return state_->socket.get_executor(); }
  Socket& socket() noexcept { return state_->socket; }
  // asio::ssl::stream reaches the socket through these.
  using lowest_layer_type = Socket;
  lowest_layer_type& lowest_layer() noexcept { return state_->socket; }
  const lowest_layer_type& lowest_layer() const noexcept { return state_->socket; }

  // The current step must end within `d` from now: from the coarse now (core/clock.hpp), so the
  // step may be cut up to one tick early, which no timeout here is fine enough to notice.
  void expires_after(clock::duration d) { set_deadline(core::coarse_steady_now() + d); }
  // No deadline (the request handler bounds its own work). A timer wait already pending stays
  // until it fires and then ends quietly (cancelling it would cost a handler and a re-arm per
  // request); it counts as work for the io_context until then, so a connection put aside with
  // one (an idle upstream connection in the pool) must be closed at shutdown.
  void expires_never() { state_->deadline = clock::time_point::max(); }
  // Whether a deadline passed (the socket was closed for it).
  bool expired() const noexcept { return state_->expired; }

  // A read into one buffer (every read here: Beast's, the TLS layer's, the server's and the
  // client's) goes through DrainedReadBuffer: after a short read, the next read waits for epoll
  // instead of first trying a socket that is empty (drained_read.hpp).
  template <class MutableBufferSequence, class ReadToken>
  auto async_read_some(const MutableBufferSequence& buffers, ReadToken&& token) {
    if constexpr (std::is_convertible_v<const MutableBufferSequence&, boost::asio::mutable_buffer>) {
      const DrainedReadBuffer buffer{boost::asio::mutable_buffer(buffers)};
      return state_->socket.async_read_some(buffer, std::forward<ReadToken>(token));
    } else {
      return state_->socket.async_read_some(buffers, std::forward<ReadToken>(token));
    }
  }
  template <class ConstBufferSequence, class WriteToken>
  auto async_write_some(const ConstBufferSequence& buffers, WriteToken&& token) {
    return state_->socket.async_write_some(buffers, std::forward<WriteToken>(token));
  }
  // Reads what the socket holds now, without waiting, on a socket put in non-blocking mode: the
  // bytes read; 0 with `ec` eof at its end, or would_block when nothing is there yet. For a read
  // right after one that brought part of a message: the rest may be in already with the
  // connection's end behind it, and an asynchronous read would then wait for an edge that has
  // come and gone (drained_read.hpp).
  std::size_t read_now(const boost::asio::mutable_buffer& buffer, boost::system::error_code& ec) {
    return state_->socket.read_some(buffer, ec);
  }
  // Writes what the socket takes now, without waiting, on a socket put in non-blocking mode (the
  // plain server does, at accept); 0 otherwise, or when the socket takes nothing or failed (an
  // asynchronous write of the rest then waits, or reports the error).
  // Parts that come to at most kJoinedWriteBytes (a response head and a short body; a signed
  // Invoke and its payload) are copied into one buffer first: a single buffer goes out with
  // send(), several with sendmsg(), which makes the kernel copy in and check an iovec array
  // first; that costs more than copying a few KB here (issue 14).
  template <class ConstBufferSequence>
  std::size_t write_now(const ConstBufferSequence& buffers) {
    if (!state_->socket.non_blocking()) return 0;
    boost::system::error_code ec;
    std::size_t written = 0;
    const std::size_t total = boost::asio::buffer_size(buffers);
    if (total <= kJoinedWriteBytes && std::distance(boost::asio::buffer_sequence_begin(buffers),
                                                    boost::asio::buffer_sequence_end(buffers)) > 1) {
      std::array<char, kJoinedWriteBytes> joined;
      boost::asio::buffer_copy(boost::asio::buffer(joined), buffers);
      written = state_->socket.write_some(boost::asio::buffer(joined.data(), total), ec);
    } else {
      written = state_->socket.write_some(buffers, ec);
    }
    return ec ? 0 : written;
  }
  static constexpr std::size_t kJoinedWriteBytes = 4096;

 private:
  struct State {
    explicit State(Socket s) : socket(std::move(s)), timer(socket.get_executor()) {}
    Socket socket;
    boost::asio::basic_waitable_timer<clock, boost::asio::wait_traits<clock>, executor_type> timer;
    clock::time_point deadline = clock::time_point::max();
    // Which timer wait is the live one: a re-arm cancels the previous wait, whose handler then
    // finds an older number and does nothing.
    std::uint64_t generation = 0;
    bool armed = false;  // a live timer wait is pending
    bool expired = false;
  };

  void set_deadline(clock::time_point deadline) {
    state_->deadline = deadline;
    // A live wait that ends no later than this deadline re-arms itself for it when it fires.
    if (state_->armed && state_->timer.expiry() <= deadline) return;
    arm(state_, deadline);
  }

  static void arm(const std::shared_ptr<State>& state, clock::time_point when) {
    const std::uint64_t generation = ++state->generation;
    state->timer.expires_at(when);  // cancels the previous wait, if any
    state->armed = true;
    state->timer.async_wait([state, generation](const boost::system::error_code& ec) {
      if (generation != state->generation) return;  // superseded by a later arm
      state->armed = false;
      if (ec) return;  // cancelled: the stream is closing
      if (state->deadline == clock::time_point::max()) return;
      if (clock::now() < state->deadline) {
        arm(state, state->deadline);  // the deadline moved on since this wait began
        return;
      }
      state->expired = true;
      boost::system::error_code ignored;
      state->socket.close(ignored);
    });
  }

  std::shared_ptr<State> state_;
};

}  // namespace lambdagate::http
