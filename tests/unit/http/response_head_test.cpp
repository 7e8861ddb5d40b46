// The response head written by hand for one gather write (http/response_head.hpp): byte for byte
// what Beast's serializer writes, so replacing it changes nothing on the wire.
#include "lambdagate/http/response_head.hpp"

#include <boost/asio/buffers_iterator.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <catch2/catch.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace lambdagate;
namespace bhttp = boost::beast::http;

// Beast's own bytes for the head of `response` (its serializer, header only).
std::string beast_head(http::Response response) {
  bhttp::response_serializer<bhttp::string_body> serializer{response};
  serializer.split(true);
  std::string out;
  boost::system::error_code ec;
  while (!serializer.is_header_done()) {
    serializer.next(ec, [&](boost::system::error_code&, const auto& buffers) {
      out += boost::beast::buffers_to_string(buffers);
      serializer.consume(boost::asio::buffer_size(buffers));
    });
    REQUIRE(!ec);
  }
  return out;
}

std::string ours(const http::Response& response) {
  std::string out = "left over from the previous response";
  http::write_response_head(response.base(), out);
  return out;
}

}  // namespace

// The usual response: status line, the fields in their order (duplicates kept), the framing
// prepare_payload and keep_alive set, and the blank line.
TEST_CASE("response head: the bytes Beast writes for a typical response", "[http][response_head]") {
  http::Response response{bhttp::status::ok, 11};
  response.set(bhttp::field::content_type, "application/json");
  response.insert("X-Amz-Executed-Version", "$LATEST");
  response.insert("Set-Cookie", "a=1");
  response.insert("Set-Cookie", "b=2");
  response.body() = R"("ABC")";
  response.prepare_payload();
  response.keep_alive(false);
  CHECK(ours(response) == beast_head(response));
  CHECK(ours(response) ==
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Amz-Executed-Version: $LATEST\r\n"
        "Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 5\r\nConnection: close\r\n\r\n");
}

// HTTP/1.0, a reason phrase of the handler's own, a status Beast knows no reason for, no fields.
TEST_CASE("response head: version, own reason, unknown status, no fields", "[http][response_head]") {
  http::Response old{bhttp::status::not_found, 10};
  old.keep_alive(true);
  CHECK(ours(old) == beast_head(old));
  CHECK(ours(old).starts_with("HTTP/1.0 404 Not Found\r\n"));

  http::Response reason{bhttp::status::bad_gateway, 11};
  reason.reason("Upstream Gone");
  CHECK(ours(reason) == beast_head(reason));
  CHECK(ours(reason) == "HTTP/1.1 502 Upstream Gone\r\n\r\n");

  http::Response unknown{static_cast<bhttp::status>(599), 11};
  CHECK(ours(unknown) == beast_head(unknown));
}

// A HEAD answer is the head alone, with the Content-Length the body would have had; otherwise
// the body follows the head in the same write.
TEST_CASE("response head: the buffers of a whole response and of a HEAD answer", "[http][response_head]") {
  http::Response response{bhttp::status::ok, 11};
  response.body() = "hello";
  response.prepare_payload();
  std::string head;
  http::write_response_head(response.base(), head);
  auto whole = http::response_buffers(head, response, false);
  CHECK(boost::beast::buffers_to_string(whole) == head + "hello");
  auto head_only = http::response_buffers(head, response, true);
  CHECK(boost::beast::buffers_to_string(head_only) == head);
  CHECK_THAT(head, Catch::Contains("Content-Length: 5\r\n"));
}

// keep_alive_of and set_keep_alive skip Beast's Connection search only where it finds nothing:
// for every version and Connection field, they answer and write exactly as Beast's keep_alive.
TEST_CASE("keep_alive_of and set_keep_alive agree with Beast's keep_alive", "[http][response_head]") {
  const std::vector<std::optional<std::string>> connections = {
      std::nullopt, "close", "keep-alive", "Keep-Alive", "upgrade", "close, upgrade", "foo, keep-alive", ""};
  for (const unsigned version : {10u, 11u}) {
    for (const auto& connection : connections) {
      INFO("HTTP/" << version / 10 << "." << version % 10 << ", Connection: " << connection.value_or("(none)"));
      http::Request request{bhttp::verb::post, "/lambda", version};
      request.set(bhttp::field::host, "example.com");
      if (connection) request.set(bhttp::field::connection, *connection);
      CHECK(http::keep_alive_of(request) == request.keep_alive());

      for (const bool keep_alive : {true, false}) {
        INFO("keep_alive " << keep_alive);
        http::Response theirs{bhttp::status::ok, version};
        theirs.set(bhttp::field::content_type, "application/json");
        if (connection) theirs.set(bhttp::field::connection, *connection);
        http::Response mine = theirs;
        CHECK(http::keep_alive_of(mine) == theirs.keep_alive());
        theirs.keep_alive(keep_alive);
        http::set_keep_alive(mine, keep_alive);
        CHECK(ours(mine) == ours(theirs));
        CHECK(http::keep_alive_of(mine) == theirs.keep_alive());
      }
    }
  }
}
