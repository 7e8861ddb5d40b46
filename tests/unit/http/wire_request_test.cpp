// to_wire and from_wire: the exact bytes of a serialised request, its refusals, and the head read
// back as the tests' fakes read it. (PooledHttpClient's own tests send both forms over sockets.)
#include "lambdagate/http/wire_request.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <variant>
#include <vector>

using lambdagate::http::ClientError;
using lambdagate::http::ClientErrorKind;
using lambdagate::http::ClientRequest;
using lambdagate::http::from_wire;
using lambdagate::http::to_wire;
using lambdagate::http::WireRequest;

namespace {

ClientRequest post() {
  ClientRequest request;
  request.method = "POST";
  request.target = "/2015-03-31/functions/f/invocations?Qualifier=prod";
  request.headers = {{"host", "lambda.us-east-1.amazonaws.com"},
                     {"Content-Type", "application/json"},
                     {"x-repeated", "1"},
                     {"x-repeated", "2"},
                     {"x-empty", ""}};
  request.body = R"({"a":1})";
  return request;
}

WireRequest wire_of(ClientRequest request) {
  auto wire = to_wire(std::move(request));
  if (auto* error = std::get_if<ClientError>(&wire)) FAIL("refused: " << error->message);
  return std::get<WireRequest>(std::move(wire));
}

ClientError refusal_of(ClientRequest request) {
  auto wire = to_wire(std::move(request));
  if (std::holds_alternative<WireRequest>(wire)) FAIL("not refused");
  return std::get<ClientError>(std::move(wire));
}

}  // namespace

// The caller's headers in the caller's order, then Content-Length, then the blank line.
TEST_CASE("to_wire writes the request line, the headers in order and Content-Length", "[http][wire]") {
  const WireRequest wire = wire_of(post());
  CHECK(wire.head ==
        "POST /2015-03-31/functions/f/invocations?Qualifier=prod HTTP/1.1\r\n"
        "host: lambda.us-east-1.amazonaws.com\r\n"
        "Content-Type: application/json\r\n"
        "x-repeated: 1\r\n"
        "x-repeated: 2\r\n"
        "x-empty: \r\n"
        "Content-Length: 7\r\n"
        "\r\n");
  CHECK(wire.body == R"({"a":1})");
  CHECK_FALSE(wire.head_method);

  // An empty POST says "Content-Length: 0"; a GET without a body says nothing.
  ClientRequest empty = post();
  empty.body.clear();
  CHECK(wire_of(empty).head.ends_with("x-empty: \r\nContent-Length: 0\r\n\r\n"));
  ClientRequest get = post();
  get.method = "GET";
  get.body.clear();
  CHECK(wire_of(get).head.ends_with("x-empty: \r\n\r\n"));
  ClientRequest head = get;
  head.method = "HEAD";
  CHECK(wire_of(head).head_method);
}

TEST_CASE("to_wire refuses what would change the request's meaning on the wire", "[http][wire]") {
  ClientRequest request = post();
  request.headers.emplace_back("X-Evil", "a\r\nX-Injected: 1");
  ClientError error = refusal_of(request);
  CHECK(error.kind == ClientErrorKind::Protocol);
  CHECK(error.message == "request header 'X-Evil' has an invalid name or value");

  for (const std::string& bad : std::vector<std::string>{"a\nb", std::string("a\0b", 3), "a\rb"}) {
    request = post();
    request.headers.emplace_back("x-bad", bad);
    CHECK(refusal_of(request).kind == ClientErrorKind::Protocol);
    request = post();
    request.target = "/" + bad;
    CHECK(refusal_of(request).message == "request method or target is empty or contains a line break");
  }
  request = post();
  request.headers.emplace_back("Transfer-Encoding", "chunked");
  CHECK(refusal_of(request).message ==
        "request header 'Transfer-Encoding' is set by the client from the body");
  request = post();
  request.method.clear();
  CHECK(refusal_of(request).kind == ClientErrorKind::Protocol);
  request = post();
  request.method = "TRACE";
  CHECK(refusal_of(request).message == "cannot send request: a TRACE request has no body");
}

// What a fake records: the request as it was before to_wire, less the Content-Length it added.
TEST_CASE("from_wire reads back what to_wire wrote", "[http][wire]") {
  for (ClientRequest request : {post(), ClientRequest{"GET", "/", {{"Host", "h"}}, ""}}) {
    const ClientRequest expected = request;
    const auto back = from_wire(wire_of(std::move(request)));
    REQUIRE(back);
    CHECK(back->method == expected.method);
    CHECK(back->target == expected.target);
    CHECK(back->headers == expected.headers);
    CHECK(back->body == expected.body);
  }
}

TEST_CASE("from_wire refuses a head to_wire could not have written", "[http][wire]") {
  for (const char* head : {"", "POST / HTTP/1.1\r\n", "POST / HTTP/1.1\r\nhost: h\r\n", "POST /\r\n\r\n",
                           "POST / HTTP/1.0\r\n\r\n", "POST / HTTP/1.1\r\nno colon\r\n\r\n",
                           "POST / HTTP/1.1\r\n: empty name\r\n\r\n"}) {
    INFO(head);
    CHECK_FALSE(from_wire(WireRequest{head, "", false}));
  }
}
