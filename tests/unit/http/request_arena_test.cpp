// RequestArena and ArenaAllocator (http/request.hpp): a request parsed with an arena has its
// fields there while they fit and on the heap past that; a copy of it is on the heap and outlives
// the arena; a request made without one is on the heap.
#include <boost/beast/http/parser.hpp>
#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <string>

#include "lambdagate/http/request.hpp"
#include "lambdagate/http/request_parser_setup.hpp"

namespace {

namespace bhttp = boost::beast::http;
using lambdagate::http::Request;
using lambdagate::http::RequestArena;
using lambdagate::http::RequestParser;

// Parses `raw` whole with a parser whose fields come from `arena`.
std::unique_ptr<RequestParser> parse(RequestArena& arena, const std::string& raw) {
  std::unique_ptr<RequestParser> parser(new RequestParser(lambdagate::http::request_parser_over(arena)));
  parser->eager(true);
  boost::system::error_code ec;
  parser->put(boost::asio::buffer(raw), ec);
  REQUIRE_FALSE(ec);
  REQUIRE(parser->is_done());
  return parser;
}

std::string request_with(int fields, std::size_t value_size) {
  std::string raw = "POST /lambda?x=1 HTTP/1.1\r\nHost: api.example.com\r\n";
  for (int i = 0; i < fields; ++i) {
    raw += "X-Field-" + std::to_string(i) + ": " + std::string(value_size, static_cast<char>('a' + i % 26)) +
           "\r\n";
  }
  raw += "Content-Length: 3\r\n\r\nabc";
  return raw;
}

}  // namespace

TEST_CASE("the arena hands out its block in order, aligned, then the heap", "[http][request_arena]") {
  RequestArena arena;
  void* first = arena.allocate(3, 1);
  void* second = arena.allocate(16, 8);
  CHECK(arena.owns(first));
  CHECK(arena.owns(second));
  CHECK(reinterpret_cast<std::uintptr_t>(second) % 8 == 0);
  CHECK(static_cast<char*>(second) >= static_cast<char*>(first) + 3);
  CHECK(arena.used() == 24);
  void* too_big = arena.allocate(RequestArena::kBytes, 1);  // does not fit what is left
  CHECK_FALSE(arena.owns(too_big));
  arena.deallocate(too_big);  // back to the heap (ASan would report a leak or a bad free)
  arena.deallocate(first);    // nothing happens: the block is given back with the arena
  CHECK(arena.used() == 24);
}

TEST_CASE("a parsed request's fields are in the arena while they fit", "[http][request_arena]") {
  RequestArena arena;
  auto parser = parse(arena, request_with(3, 10));
  const Request& request = parser->get();
  CHECK(request.target() == "/lambda?x=1");
  CHECK(request[bhttp::field::host] == "api.example.com");
  CHECK(request["X-Field-2"] == "cccccccccc");
  for (const auto& field : request) CHECK(arena.owns(&field));
  CHECK(arena.used() > 0);
  CHECK(arena.used() <= RequestArena::kBytes);
}

TEST_CASE("fields past the arena's block go to the heap and read the same", "[http][request_arena]") {
  RequestArena arena;
  auto parser = parse(arena, request_with(40, 100));  // about 5 KB of fields
  Request& request = parser->get();
  int in_arena = 0;
  int on_heap = 0;
  for (const auto& field : request) (arena.owns(&field) ? in_arena : on_heap)++;
  CHECK(in_arena > 0);
  CHECK(on_heap > 0);
  CHECK(request["X-Field-39"] == std::string(100, 'n'));
  // Replacing and erasing fields frees heap ones and leaves arena ones (ASan checks the frees).
  request.set("X-Field-39", "short");
  request.erase("X-Field-0");
  CHECK(request["X-Field-39"] == "short");
  CHECK(request.count("X-Field-0") == 0);
}

TEST_CASE("a copy of an arena request is on the heap and outlives the arena", "[http][request_arena]") {
  std::optional<Request> copy;
  {
    RequestArena arena;
    auto parser = parse(arena, request_with(3, 10));
    copy.emplace(parser->get());
    CHECK(copy->base().get_allocator().arena() == nullptr);
    for (const auto& field : *copy) CHECK_FALSE(arena.owns(&field));
  }
  CHECK(copy->target() == "/lambda?x=1");
  CHECK((*copy)["X-Field-1"] == "bbbbbbbbbb");
  CHECK(copy->body() == "abc");
}

TEST_CASE("a request made without an arena is on the heap", "[http][request_arena]") {
  Request request{bhttp::verb::get, "/x", 11};
  request.set(bhttp::field::host, "h");
  CHECK(request.base().get_allocator().arena() == nullptr);
  Request assigned{bhttp::verb::post, "/y", 11};
  assigned = request;
  CHECK(assigned.target() == "/x");
  CHECK(assigned[bhttp::field::host] == "h");
}
