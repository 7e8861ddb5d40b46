// DeadlineStream's reads over real loopback sockets (DrainedReadBuffer, drained_read.hpp): a
// read that has to wait for the peer makes no recv that fails first, and no byte is ever left
// unread in the socket while a read waits, whatever the order of the peer's writes, epoll's
// events and the reads. Everything runs on the test's thread; io_context::run_for bounds every
// wait, so no test can hang.
#include <dlfcn.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <optional>
#include <string>

#include "fakes/loopback_pair.hpp"
#include "lambdagate/http/deadline_stream.hpp"

namespace {
// Receives that failed because the socket was empty, counted in every recv of this executable:
// Asio's reactor calls ::recv, and a definition here comes before libc's.
std::atomic<int> empty_receives{0};
}  // namespace

extern "C" ssize_t recv(int fd, void* buffer, size_t size, int flags) {
  using Recv = ssize_t (*)(int, void*, size_t, int);
  static const auto next = reinterpret_cast<Recv>(dlsym(RTLD_NEXT, "recv"));
  const ssize_t result = next(fd, buffer, size, flags);
  if (result < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) ++empty_receives;
  return result;
}

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using lambdagate::http::DeadlineStream;

// A connected pair on loopback: the stream under test and the peer's plain blocking socket.
struct Pair : lambdagate::testing::LoopbackPair {
  void send(const std::string& bytes) { asio::write(peer, asio::buffer(bytes)); }

  // Starts a read of up to `size` bytes; `got` holds what it read once it completes.
  void start_read(std::size_t size, std::optional<std::string>& got) {
    buffer.assign(size, '\0');
    got.reset();
    stream->async_read_some(asio::buffer(buffer), [this, &got](boost::system::error_code ec, std::size_t n) {
      got = ec ? "error: " + ec.message() : buffer.substr(0, n);
    });
  }

  // The peer sends `bytes` and a read takes them all: a short read, so the socket is drained.
  // Returns what the read got.
  std::string receive(const std::string& bytes) {
    std::optional<std::string> got;
    send(bytes);
    start_read(512, got);
    run_until(got);
    return got.value_or("(nothing read)");
  }

  // Runs the io_context until the read completes, for at most a second.
  void run_until(const std::optional<std::string>& got) {
    const auto until = std::chrono::steady_clock::now() + 1s;
    while (!got && std::chrono::steady_clock::now() < until) {
      io.restart();
      io.run_for(10ms);
    }
  }

  std::string buffer;
};

}  // namespace

TEST_CASE("drained read: a read that waits for the peer makes no failed recv", "[http][drained_read]") {
  Pair pair;
  std::optional<std::string> got;
  REQUIRE(pair.receive("first") == "first");  // a short read: the socket is empty now

  // The next read waits for epoll; it does not try the empty socket first.
  const int before = empty_receives.load();
  pair.start_read(512, got);
  pair.io.restart();
  pair.io.run_for(20ms);
  CHECK_FALSE(got);
  pair.send("second");
  pair.run_until(got);
  CHECK(got == "second");
  CHECK(empty_receives.load() == before);

  // The control: Asio's own reads on the same socket. After one of them, the next tries the empty
  // socket first, and that recv fails.
  const auto stock_read = [&](const std::string& sent) {
    got.reset();
    pair.buffer.assign(512, '\0');
    pair.stream->socket().async_read_some(asio::buffer(pair.buffer),
                                          [&](boost::system::error_code ec, std::size_t n) {
                                            got = ec ? "error" : pair.buffer.substr(0, n);
                                          });
    pair.io.restart();
    pair.io.run_for(20ms);
    pair.send(sent);
    pair.run_until(got);
    CHECK(got == sent);
  };
  stock_read("third");
  const int stock_before = empty_receives.load();
  stock_read("fourth");
  CHECK(empty_receives.load() == stock_before + 1);
}

TEST_CASE("drained read: bytes that arrive between two reads are read", "[http][drained_read]") {
  Pair pair;
  std::optional<std::string> got;
  REQUIRE(pair.receive("one") == "one");

  SECTION("epoll reported them before the read began") {
    pair.send("two");
    pair.io.restart();
    pair.io.run_for(20ms);  // the reactor sees the edge with no read waiting
    pair.start_read(512, got);
    pair.run_until(got);
    CHECK(got == "two");
  }
  SECTION("the read began before epoll reported them") {
    pair.send("two");
    pair.start_read(512, got);
    pair.run_until(got);
    CHECK(got == "two");
  }
}

TEST_CASE("drained read: a full read leaves the rest to the next read at once", "[http][drained_read]") {
  Pair pair;
  std::optional<std::string> got;
  pair.send("abcdefghij");
  std::string all;
  for (int i = 0; i < 3; ++i) {
    pair.start_read(4, got);
    pair.run_until(got);
    REQUIRE(got);
    all += *got;
  }
  CHECK(all == "abcdefghij");
}

TEST_CASE("drained read: the peer's close ends a waiting read", "[http][drained_read]") {
  Pair pair;
  std::optional<std::string> got;
  REQUIRE(pair.receive("last") == "last");
  pair.start_read(512, got);
  pair.peer.close();
  pair.run_until(got);
  REQUIRE(got);
  CHECK(got->rfind("error: ", 0) == 0);
}

TEST_CASE("drained read: bytes behind TCP urgent data wait for the peer's next bytes", "[http][drained_read]") {
  // The documented exception (drained_read.hpp): a read stops short at the urgent mark, so the
  // bytes queued behind it are read once more bytes arrive (or the connection's timeout ends it).
  Pair pair;
  std::optional<std::string> got;
  pair.peer.set_option(tcp::no_delay(true));
  REQUIRE(pair.receive("one") == "one");  // the socket is drained, and epoll has no edge pending

  // A read waits; then the urgent byte 'X' and the bytes after it arrive, in one edge.
  pair.start_read(512, got);
  pair.peer.send(asio::buffer(std::string("abcX")), tcp::socket::message_out_of_band);
  pair.send("def");
  pair.run_until(got);
  REQUIRE(got == "abc");  // stopped at the mark: 'X' is out of band

  pair.start_read(512, got);
  pair.io.restart();
  pair.io.run_for(50ms);
  CHECK_FALSE(got);  // "def" is queued, but no new edge has come
  pair.send("g");
  pair.run_until(got);
  CHECK(got == "defg");
}
