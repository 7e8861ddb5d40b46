// The upstream response parser (http/response_parser.hpp): framing by Content-Length, chunks and
// the end of the connection; keep-alive; interim responses; and every malformed or oversized form
// refused. Each response is parsed three ways — all at once, byte by byte, and in 7-byte pieces —
// and the three must agree, so no rule depends on where the reads happen to cut the bytes.
#include "lambdagate/http/response_parser.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace {

using lambdagate::http::HeaderList;
using lambdagate::http::ResponseParser;
using Error = ResponseParser::Error;

struct Options {
  bool eof = false;  // the peer closes after the bytes
  bool head_request = false;
  std::size_t header_limit = 64 * 1024;
  std::uint64_t body_limit = std::numeric_limits<std::uint64_t>::max();
};

struct Outcome {
  bool done = false;
  Error error = Error::None;
  unsigned status = 0;
  lambdagate::http::ResponseHeaders headers;
  std::string body;
  bool keep_alive = false;
  std::string leftover;  // bytes after the response, not consumed
};

// Feeds `raw` in pieces of `step` bytes the way the client does: unconsumed bytes stay at the
// front of a pending buffer and go in again with the next piece.
Outcome parse_in_steps(std::string_view raw, std::size_t step, const Options& options) {
  ResponseParser parser(options.header_limit, options.body_limit, options.head_request);
  std::string pending;
  std::size_t at = 0;
  while (at < raw.size() && !parser.done() && !parser.failed()) {
    pending.append(raw.substr(at, step));
    at += std::min(step, raw.size() - at);
    pending.erase(0, parser.feed(pending));
  }
  if (options.eof && at == raw.size()) parser.end_of_stream();
  Outcome out;
  out.done = parser.done();
  out.error = parser.error();
  if (out.done) {
    out.status = parser.response().status;
    out.headers = parser.response().headers;
    out.body = parser.response().body;
    out.keep_alive = parser.keep_alive();
    out.leftover = pending + std::string(raw.substr(at));
  }
  return out;
}

// The outcome of parsing `raw`, checked to be the same however the bytes are cut.
Outcome parse(std::string_view raw, const Options& options = {}) {
  const Outcome whole = parse_in_steps(raw, raw.size() == 0 ? 1 : raw.size(), options);
  for (const std::size_t step : {std::size_t{1}, std::size_t{7}}) {
    INFO("fed in pieces of " << step << " bytes");
    const Outcome pieces = parse_in_steps(raw, step, options);
    CHECK(pieces.done == whole.done);
    CHECK(pieces.error == whole.error);
    CHECK(pieces.status == whole.status);
    CHECK(pieces.headers == whole.headers);
    CHECK(pieces.body == whole.body);
    CHECK(pieces.keep_alive == whole.keep_alive);
    CHECK(pieces.leftover == whole.leftover);
  }
  return whole;
}

Error refusal(std::string_view raw, const Options& options = {}) {
  const Outcome out = parse(raw, options);
  CHECK_FALSE(out.done);
  return out.error;
}

}  // namespace

// A Content-Length response: status, headers in arrival order with their values trimmed, the
// body, and the connection reusable.
TEST_CASE("response parser: Content-Length framing", "[http][response_parser]") {
  const Outcome out = parse(
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Amz-Executed-Version:  $LATEST \r\n"
      "Content-Length: 5\r\nX-Empty:\r\n\r\nhello");
  REQUIRE(out.done);
  CHECK(out.status == 200);
  CHECK(out.headers == HeaderList{{"Content-Type", "application/json"},
                                  {"X-Amz-Executed-Version", "$LATEST"},
                                  {"Content-Length", "5"},
                                  {"X-Empty", ""}});
  CHECK(out.body == "hello");
  CHECK(out.keep_alive);
  CHECK(out.leftover.empty());
}

// Bytes after the response are left unconsumed (the client then does not reuse the connection).
TEST_CASE("response parser: bytes after the response are not consumed", "[http][response_parser]") {
  const Outcome out = parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n");
  REQUIRE(out.done);
  CHECK(out.body == "ok");
  CHECK(out.leftover == "HTTP/1.1 200 OK\r\n");
}

// Chunked bodies are joined; extensions are accepted and trailers dropped.
TEST_CASE("response parser: chunked framing, extensions and trailers", "[http][response_parser]") {
  const Outcome out = parse(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n"
      "5;name=value ; q=\"a \\\"b\\\"\"\r\nhello\r\nA\r\n world 123\r\n0;last\r\nX-Trailer: t\r\n\r\n");
  REQUIRE(out.done);
  CHECK(out.body == "hello world 123");
  CHECK(out.headers == HeaderList{{"Transfer-Encoding", "gzip, Chunked"}});
  CHECK(out.keep_alive);
}

// Without Content-Length or chunked, the body runs to the end of the connection, which is then
// not reusable; before the end, the response is not complete.
TEST_CASE("response parser: close-delimited bodies", "[http][response_parser]") {
  const std::string raw = "HTTP/1.1 200 OK\r\nX-Framing: none\r\n\r\nuntil close";
  CHECK_FALSE(parse(raw).done);
  const Outcome out = parse(raw, Options{.eof = true});
  REQUIRE(out.done);
  CHECK(out.body == "until close");
  CHECK_FALSE(out.keep_alive);
  // A transfer coding other than a final chunked frames nothing either.
  const Outcome gzip = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzz", Options{.eof = true});
  REQUIRE(gzip.done);
  CHECK(gzip.body == "zz");
  CHECK_FALSE(gzip.keep_alive);
}

// HEAD, 204 and 304 responses have no body whatever Content-Length says.
TEST_CASE("response parser: no body for HEAD, 204 and 304", "[http][response_parser]") {
  const Outcome head = parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", Options{.head_request = true});
  REQUIRE(head.done);
  CHECK(head.body.empty());
  CHECK(head.keep_alive);
  for (const char* status : {"204 No Content", "304 Not Modified"}) {
    const Outcome out = parse(std::string("HTTP/1.1 ") + status + "\r\nContent-Length: 3\r\n\r\nabc");
    REQUIRE(out.done);
    CHECK(out.body.empty());
    CHECK(out.leftover == "abc");
  }
}

// Interim responses are skipped, headers and all; 101 is refused.
TEST_CASE("response parser: 1xx interim responses", "[http][response_parser]") {
  const Outcome out = parse(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
      "HTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nx");
  REQUIRE(out.done);
  CHECK(out.status == 201);
  CHECK(out.headers == HeaderList{{"Content-Length", "1"}});
  CHECK(out.body == "x");
  CHECK(refusal("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n") == Error::Malformed);
}

// Keep-alive: HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with "Connection: keep-alive".
TEST_CASE("response parser: keep-alive", "[http][response_parser]") {
  const auto keep_alive = [](const std::string& head) {
    const Outcome out = parse(head + "Content-Length: 0\r\n\r\n");
    REQUIRE(out.done);
    return out.keep_alive;
  };
  CHECK(keep_alive("HTTP/1.1 200 OK\r\n"));
  CHECK_FALSE(keep_alive("HTTP/1.1 200 OK\r\nConnection: close\r\n"));
  CHECK_FALSE(keep_alive("HTTP/1.1 200 OK\r\nConnection: keep-alive, CLOSE\r\n"));
  CHECK_FALSE(keep_alive("HTTP/1.0 200 OK\r\n"));
  CHECK(keep_alive("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n"));
  CHECK(refusal("HTTP/1.1 200 OK\r\nConnection: close;x\r\n\r\n") == Error::Malformed);
}

// The status line must be `HTTP/1.0|1.1 SP 3DIGIT SP reason`, with no control bytes.
TEST_CASE("response parser: status line", "[http][response_parser]") {
  CHECK(parse("HTTP/1.1 502 \r\nContent-Length: 0\r\n\r\n").status == 502);  // empty reason
  for (const char* line :
       {"SSH-2.0-OpenSSH_9.2", "HTTP/2.0 200 OK", "HTTP/1.2 200 OK", "http/1.1 200 OK", "HTTP/1.1 20 OK",
        "HTTP/1.1 2000 OK", "HTTP/1.1 200", "HTTP/1.1 200OK", "HTTP/1.1  200 OK", "HTTP/1.1 099 Low",
        "HTTP/1.1 2x0 OK", "HTTP/1.1 200 O\x01K"}) {
    INFO(line);
    CHECK(refusal(std::string(line) + "\r\nContent-Length: 0\r\n\r\n") == Error::Malformed);
  }
}

// Header names are tokens followed straight by ':'; no obs-fold; no CR, LF or NUL in values;
// every line ends with CRLF.
TEST_CASE("response parser: header field syntax", "[http][response_parser]") {
  for (const std::string& field :
       std::vector<std::string>{"Name : v", ": v", "Na(me: v", "Name v", " Name: v", "\tName: v",
                                std::string("Name: a\0b", 9), "Name: a\rb", "Name: caf\x7f"}) {
    INFO(field);
    CHECK(refusal("HTTP/1.1 200 OK\r\n" + field + "\r\nContent-Length: 0\r\n\r\n") == Error::Malformed);
  }
  // obs-fold: a continuation line.
  CHECK(refusal("HTTP/1.1 200 OK\r\nX-A: one\r\n two\r\nContent-Length: 0\r\n\r\n") == Error::Malformed);
  // Bare LF, in the status line, a field, or as the blank line.
  CHECK(refusal("HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n") == Error::Malformed);
  CHECK(refusal("HTTP/1.1 200 OK\r\nContent-Length: 0\n\r\n") == Error::Malformed);
  CHECK(refusal("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\n") == Error::Malformed);
  // obs-text and HTAB in a value are allowed, as Beast allowed them; the line scan looks at eight
  // bytes at a time, so these come at several offsets and next to bytes with the top bit set.
  const Outcome text = parse(
      "HTTP/1.1 200 OK\r\nX-Name: caf\xc3\xa9\r\nX-Tab: a\tb\t\xff\x80\x9f\xa0 \x7e\x20\t\tz\r\n"
      "Content-Length: 0\r\n\r\n");
  REQUIRE(text.done);
  CHECK(text.headers[1].second == "a\tb\t\xff\x80\x9f\xa0 \x7e\x20\t\tz");
  for (std::size_t at = 0; at < 24; ++at) {
    for (const char bad : {'\0', '\r', '\n', '\x7f', '\x1f', '\x01'}) {
      std::string value(24, '\xa0');
      value[at] = bad;
      INFO("byte " << static_cast<int>(bad) << " at " << at);
      CHECK(refusal("HTTP/1.1 200 OK\r\nX-Long-Header-Name: " + value + "\r\nContent-Length: 0\r\n\r\n") ==
            Error::Malformed);
    }
  }
}

// Content-Length is digits only; repeats of one value are one length, different values refused.
TEST_CASE("response parser: Content-Length values", "[http][response_parser]") {
  CHECK(parse("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok").body == "ok");
  CHECK(parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nok").body == "ok");
  for (const char* value : {"abc", "-1", "+2", "2 2", "0x2", "", ",", "2, 3", "99999999999999999999999"}) {
    INFO(value);
    CHECK(refusal(std::string("HTTP/1.1 200 OK\r\nContent-Length: ") + value + "\r\n\r\nok") ==
          Error::Malformed);
  }
  CHECK(refusal("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok") == Error::Malformed);
}

// Transfer-Encoding with Content-Length is refused in either order; chunked must be the last
// coding, once.
TEST_CASE("response parser: Transfer-Encoding rules", "[http][response_parser]") {
  CHECK(refusal("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") ==
        Error::Malformed);
  CHECK(refusal("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n") ==
        Error::Malformed);
  CHECK(refusal("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n") == Error::Malformed);
  CHECK(refusal("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n") ==
        Error::Malformed);
  CHECK(refusal("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked;x=1\r\n\r\n0\r\n\r\n") == Error::Malformed);
  CHECK(refusal("HTTP/1.1 200 OK\r\nTransfer-Encoding: ,\r\n\r\n") == Error::Malformed);
}

// Chunk sizes are hex without overflow; extensions follow their grammar and a bound; chunk data
// ends with CRLF.
TEST_CASE("response parser: chunk syntax", "[http][response_parser]") {
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  CHECK(parse(head + "fFfF\r\n" + std::string(0xffff, 'x') + "\r\n0\r\n\r\n").body.size() == 0xffff);
  for (const std::string& body :
       std::vector<std::string>{"zz\r\n", ";x\r\n", "5;\r\nhello\r\n0\r\n\r\n", "5;=x\r\nhello\r\n0\r\n\r\n",
                                "5;a=\"x\r\nhello\r\n0\r\n\r\n", "5 x\r\nhello\r\n0\r\n\r\n",
                                "10000000000000000\r\n", "5\r\nhelloXX0\r\n\r\n", "5\nhello\r\n0\r\n\r\n"}) {
    INFO(body);
    CHECK(refusal(head + body) == Error::Malformed);
  }
  CHECK(refusal(head + "5;" + std::string(5000, 'a') + "\r\nhello\r\n0\r\n\r\n") == Error::Malformed);
  CHECK(refusal(head + "0\r\nBad Trailer: x\r\n\r\n") == Error::Malformed);
}

// A body over the limit is BodyTooLarge, however it is framed.
TEST_CASE("response parser: body limit", "[http][response_parser]") {
  Options limit{.body_limit = 10};
  CHECK(parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789", limit).done);
  CHECK(refusal("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n0123456789x", limit) == Error::BodyTooLarge);
  CHECK(refusal("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n012345\r\n5\r\n01234\r\n0\r\n\r\n",
                limit) == Error::BodyTooLarge);
  limit.eof = true;
  CHECK(refusal("HTTP/1.1 200 OK\r\n\r\n0123456789x", limit) == Error::BodyTooLarge);
  CHECK(parse("HTTP/1.1 200 OK\r\n\r\n0123456789", limit).done);
}

// The header block, and the trailers, are bounded by the header limit.
TEST_CASE("response parser: header limit", "[http][response_parser]") {
  const Options limit{.header_limit = 100};
  const std::string fits =
      "HTTP/1.1 200 OK\r\nX-Pad: " + std::string(40, 'p') + "\r\nContent-Length: 0\r\n\r\n";
  CHECK(parse(fits, limit).done);
  CHECK(refusal("HTTP/1.1 200 OK\r\nX-Pad: " + std::string(100, 'p') + "\r\n\r\n", limit) ==
        Error::HeadersTooLarge);
  // Many short lines add up.
  std::string many = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 20; ++i) many += "X: y\r\n";
  CHECK(refusal(many + "\r\n", limit) == Error::HeadersTooLarge);
  std::string trailers = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n";
  for (int i = 0; i < 20; ++i) trailers += "T: y\r\n";
  CHECK(refusal(trailers + "\r\n", limit) == Error::HeadersTooLarge);
}

// The end of the connection before a byte, inside the head, or inside a framed body.
TEST_CASE("response parser: end of stream", "[http][response_parser]") {
  const Options eof{.eof = true};
  CHECK(refusal("", eof) == Error::ClosedBeforeResponse);
  CHECK(refusal("HTTP/1.1 200 OK\r\nContent-Le", eof) == Error::ClosedMidResponse);
  CHECK(refusal("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", eof) == Error::ClosedMidResponse);
  CHECK(refusal("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", eof) ==
        Error::ClosedMidResponse);
  CHECK(refusal("HTTP/1.1 100 Continue\r\n\r\n", eof) == Error::ClosedMidResponse);
}

// Once done, the parser consumes nothing more; got_some tells "no byte yet" from "some bytes".
TEST_CASE("response parser: after the response", "[http][response_parser]") {
  ResponseParser parser(1024, 1024, false);
  CHECK_FALSE(parser.got_some());
  const std::string raw = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  CHECK(parser.feed(raw) == raw.size());
  CHECK(parser.got_some());
  CHECK(parser.done());
  CHECK(parser.feed("HTTP/1.1") == 0);
  parser.end_of_stream();
  CHECK(parser.done());
}

// A Content-Length far beyond memory with no body limit (a streamed response): the body's room
// reserved up front is capped, so the peer's number sizes no allocation, and reading goes on.
TEST_CASE("response parser: a huge Content-Length reserves bounded room", "[http][response_parser]") {
  ResponseParser parser(1024, std::numeric_limits<std::uint64_t>::max(), false);
  const std::string raw = "HTTP/1.1 200 OK\r\nContent-Length: 4611686018427387904\r\n\r\nabc";
  CHECK(parser.feed(raw) == raw.size());
  CHECK_FALSE(parser.done());
  CHECK_FALSE(parser.failed());
  CHECK(parser.response().body == "abc");
  CHECK(parser.response().body.capacity() <= 8 * 1024 * 1024);
}
