#pragma once
// DrainedReadBuffer: a receive buffer whose short read tells Asio the socket is drained, so the
// next read waits for epoll instead of trying the socket first (issue 14).
//
// Why: Asio's epoll reactor is edge-triggered. Before it queues a read, it tries the socket at
// once ("speculative" read) unless it knows the socket is empty, and for a receive it knows
// that only after end of file. So every read that has to wait made a recv that failed with
// EAGAIN first: the wait for a keep-alive client's next request, and the wait for each upstream
// answer. Under load that was 2 failed syscalls per request, at about 1.2 µs each on these VMs.
// A read that got fewer bytes than it asked for has emptied the socket's receive queue, and any
// byte that arrives after it raises a new edge, which makes Asio try the socket again; nginx
// relies on the same rule (it clears a connection's `ready` flag after a short read). Asio does
// apply it to sends (a short send means the socket is full), not to receives. One exception in
// TCP: a read stops short at the mark of urgent (out-of-band) data with bytes still queued, and
// the rest is read only once the peer sends more, or the connection's timeout closes it. No HTTP
// client sends urgent data; one that does only holds up its own connection, as a slow one would.
//
// How: Asio builds a receive operation on `reactive_socket_recv_op_base<Buffers>`. For this
// buffer type (a mutable_buffer under another name, so nothing else in the program changes) the
// specialisation below reads as Asio's does and reports a short read as "done and exhausted",
// the status a short send gets. It mirrors Boost 1.81's class (Debian 12); with another Boost
// the specialisation is left out and reads behave as Asio's own.
#include <boost/asio/buffer.hpp>
#include <boost/version.hpp>

namespace lambdagate::http {

struct DrainedReadBuffer : boost::asio::mutable_buffer {
  explicit DrainedReadBuffer(const boost::asio::mutable_buffer& buffer) noexcept
      : boost::asio::mutable_buffer(buffer) {}
};

}  // namespace lambdagate::http

#if BOOST_VERSION == 108100 && !defined(BOOST_ASIO_HAS_IO_URING_AS_DEFAULT)
#include <boost/asio/detail/reactive_socket_recv_op.hpp>

namespace boost::asio::detail {

template <>
class reactive_socket_recv_op_base<lambdagate::http::DrainedReadBuffer> : public reactor_op {
 public:
  reactive_socket_recv_op_base(const boost::system::error_code& success_ec, socket_type socket,
                               socket_ops::state_type state, const lambdagate::http::DrainedReadBuffer& buffer,
                               socket_base::message_flags flags, func_type complete_func)
      : reactor_op(success_ec, &reactive_socket_recv_op_base::do_perform, complete_func),
        socket_(socket),
        state_(state),
        buffer_(buffer),
        flags_(flags) {}

  static status do_perform(reactor_op* base) {
    auto* o = static_cast<reactive_socket_recv_op_base*>(base);
    const bool stream = (o->state_ & socket_ops::stream_oriented) != 0;
    if (!socket_ops::non_blocking_recv1(o->socket_, o->buffer_.data(), o->buffer_.size(), o->flags_, stream,
                                        o->ec_, o->bytes_transferred_)) {
      return not_done;  // nothing there yet: wait for epoll
    }
    // End of file (Asio's own rule), or fewer bytes than asked for: the socket is empty now.
    if (stream && o->bytes_transferred_ < o->buffer_.size()) return done_and_exhausted;
    return done;
  }

 private:
  socket_type socket_;
  socket_ops::state_type state_;
  boost::asio::mutable_buffer buffer_;
  socket_base::message_flags flags_;
};

}  // namespace boost::asio::detail
#endif
