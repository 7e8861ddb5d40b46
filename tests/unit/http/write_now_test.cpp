// DeadlineStream::write_now over real loopback sockets: parts that come to at most
// kJoinedWriteBytes go out joined, with one send() and no sendmsg(); more go out as they are,
// with sendmsg(). Either way the peer gets the parts' bytes in order, and a socket that takes
// only some of them reports how many, so the caller writes the rest from the right byte.
#include <dlfcn.h>
#include <sys/socket.h>

#include <array>
#include <atomic>
#include <boost/asio/buffer.hpp>
#include <boost/asio/read.hpp>
#include <catch2/catch.hpp>
#include <string>

#include "fakes/loopback_pair.hpp"
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
using lambdagate::http::DeadlineStream;

struct Pair : lambdagate::testing::LoopbackPair {
  Pair() { stream->socket().non_blocking(true); }

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

// Writes a head of `head_size` bytes and a body of `body_size` with write_now on a fresh pair:
// all of it is taken, with `sends` send() calls and `gathered` sendmsg() calls, and the peer
// reads the head and then the body.
void check_write(std::size_t head_size, std::size_t body_size, int expected_sends, int expected_gathered) {
  INFO("parts of " << head_size << " and " << body_size << " bytes");
  Pair pair;
  const std::string head = pattern(head_size, 'a');
  const std::string body = pattern(body_size, 'A');
  const std::array<asio::const_buffer, 2> parts{asio::buffer(head), asio::buffer(body)};
  sends = 0;
  gathered_sends = 0;
  CHECK(pair.stream->write_now(parts) == head.size() + body.size());
  CHECK(sends == expected_sends);
  CHECK(gathered_sends == expected_gathered);
  CHECK(pair.receive(head.size() + body.size()) == head + body);
}

}  // namespace

TEST_CASE("write_now joins small parts into one send and keeps their order", "[http][write_now]") {
  constexpr std::size_t kJoined = DeadlineStream::kJoinedWriteBytes;
  check_write(120, 5, 1, 0);
  check_write(1563, 0, 1, 0);
  check_write(0, 7, 1, 0);
  check_write(kJoined - 100, 100, 1, 0);
  check_write(2000, 2000, 1, 0);
}

TEST_CASE("write_now sends larger parts as they are", "[http][write_now]") {
  check_write(DeadlineStream::kJoinedWriteBytes, 1, 0, 1);
}

TEST_CASE("write_now reports how much of joined parts a full socket took", "[http][write_now]") {
  Pair pair;
  // The peer reads nothing until the end: the socket fills, and a write takes part of its parts,
  // then nothing.
  std::string sent;
  std::size_t last = 1;
  bool partial = false;  // a write that took some of its parts but not all
  for (int i = 0; i < 100000 && last != 0; ++i) {
    const std::string head = pattern(1000, static_cast<char>('a' + i % 3));
    const std::string body = pattern(500, static_cast<char>('A' + i % 5));
    const std::array<asio::const_buffer, 2> parts{asio::buffer(head), asio::buffer(body)};
    last = pair.stream->write_now(parts);
    partial = partial || (last != 0 && last != head.size() + body.size());
    sent += (head + body).substr(0, last);
  }
  REQUIRE(last == 0);
  CHECK(partial);
  // Each write's count was right: the peer has exactly the bytes counted, in order.
  CHECK(pair.receive(sent.size()) == sent);
}
