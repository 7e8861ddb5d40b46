// DeadlineStream::write_now over real loopback sockets: parts that come to at most
// kJoinedWriteBytes go out joined, with one send() and no sendmsg(); more go out as they are,
// with sendmsg(). Either way the peer gets the parts' bytes in order, and a socket that takes
// only some of them reports how many, so the caller writes the rest from the right byte.
#include <dlfcn.h>
#include <sys/socket.h>

#include <array>
#include <atomic>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <catch2/catch.hpp>
#include <optional>
#include <string>

#include "lambdagate/http/deadline_stream.hpp"

namespace {
// Calls of each, counted in this executable: Asio calls ::send for one buffer and ::sendmsg for
// several, and a definition here comes before libc's.
std::atomic<int> sends{0};
std::atomic<int> gathered_sends{0};
}  // namespace

extern "C" ssize_t send(int fd, const void* buffer, size_t size, int flags) {
  using Send = ssize_t (*)(int, const void*, size_t, int);
  static const auto next = reinterpret_cast<Send>(dlsym(RTLD_NEXT, "send"));
  ++sends;
  return next(fd, buffer, size, flags);
}

extern "C" ssize_t sendmsg(int fd, const struct msghdr* message, int flags) {
  using SendMsg = ssize_t (*)(int, const struct msghdr*, int);
  static const auto next = reinterpret_cast<SendMsg>(dlsym(RTLD_NEXT, "sendmsg"));
  ++gathered_sends;
  return next(fd, message, flags);
}

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using lambdagate::http::DeadlineStream;

struct Pair {
  asio::io_context io{1};
  std::optional<DeadlineStream> stream;
  tcp::socket peer{io};

  Pair() {
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    DeadlineStream::Socket socket(io.get_executor());
    socket.connect(acceptor.local_endpoint());
    peer = acceptor.accept();
    socket.non_blocking(true);
    stream.emplace(std::move(socket));
  }

  std::string receive(std::size_t size) {
    std::string got(size, '\0');
    asio::read(peer, asio::buffer(got));
    return got;
  }
};

std::string pattern(std::size_t size, char first) {
  std::string text(size, ' ');
  for (std::size_t i = 0; i < size; ++i) text[i] = static_cast<char>(first + static_cast<char>(i % 23));
  return text;
}

}  // namespace

TEST_CASE("write_now joins small parts into one send and keeps their order", "[http][write_now]") {
  constexpr std::size_t kJoined = DeadlineStream::kJoinedWriteBytes;
  for (const auto& [head_size, body_size] : std::array<std::pair<std::size_t, std::size_t>, 5>{
           {{120, 5}, {1563, 0}, {0, 7}, {kJoined - 100, 100}, {2000, 2000}}}) {
    INFO("parts of " << head_size << " and " << body_size << " bytes");
    Pair pair;
    const std::string head = pattern(head_size, 'a');
    const std::string body = pattern(body_size, 'A');
    const std::array<asio::const_buffer, 2> parts{asio::buffer(head), asio::buffer(body)};
    sends = 0;
    gathered_sends = 0;
    CHECK(pair.stream->write_now(parts) == head.size() + body.size());
    CHECK(sends == 1);
    CHECK(gathered_sends == 0);
    CHECK(pair.receive(head.size() + body.size()) == head + body);
  }
}

TEST_CASE("write_now sends larger parts as they are", "[http][write_now]") {
  Pair pair;
  const std::string head = pattern(DeadlineStream::kJoinedWriteBytes, 'a');
  const std::string body = pattern(1, 'A');
  const std::array<asio::const_buffer, 2> parts{asio::buffer(head), asio::buffer(body)};
  sends = 0;
  gathered_sends = 0;
  CHECK(pair.stream->write_now(parts) == head.size() + body.size());
  CHECK(sends == 0);
  CHECK(gathered_sends == 1);
  CHECK(pair.receive(head.size() + body.size()) == head + body);
}

TEST_CASE("write_now reports how much of joined parts a full socket took", "[http][write_now]") {
  Pair pair;
  // The peer reads nothing until the end: the socket fills, and a write takes part of its parts,
  // then nothing.
  std::string sent;
  std::size_t last = 1;
  for (int i = 0; i < 100000 && last != 0; ++i) {
    const std::string head = pattern(1000, static_cast<char>('a' + i % 3));
    const std::string body = pattern(500, static_cast<char>('A' + i % 5));
    const std::array<asio::const_buffer, 2> parts{asio::buffer(head), asio::buffer(body)};
    last = pair.stream->write_now(parts);
    sent += (head + body).substr(0, last);
    if (last != 0 && last != head.size() + body.size()) {
      // A partial write: what the caller goes on with is the rest of these same parts.
      CHECK(last < head.size() + body.size());
    }
  }
  REQUIRE(last == 0);
  CHECK(pair.receive(sent.size()) == sent);
}
