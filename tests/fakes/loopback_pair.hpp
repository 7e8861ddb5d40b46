#pragma once
// A connected TCP pair on loopback for tests of DeadlineStream over real sockets: the stream under
// test, on its own io_context, and the peer's plain blocking socket.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <optional>
#include <utility>

#include "lambdagate/http/deadline_stream.hpp"

namespace lambdagate::testing {

struct LoopbackPair {
  boost::asio::io_context io{1};
  std::optional<http::DeadlineStream> stream;
  boost::asio::ip::tcp::socket peer{io};

  LoopbackPair() {
    using boost::asio::ip::tcp;
    tcp::acceptor acceptor(io, tcp::endpoint(boost::asio::ip::address_v4::loopback(), 0));
    http::DeadlineStream::Socket socket(io.get_executor());
    socket.connect(acceptor.local_endpoint());
    peer = acceptor.accept();
    stream.emplace(std::move(socket));
  }
};

}  // namespace lambdagate::testing
