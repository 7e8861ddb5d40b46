// HttpPreludeParser: the JSON prelude, 8-NUL delimiter and body of an HTTP-integration response
// stream, at every split point, with its size limit and failure modes.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "lambdagate/proxy/payload_mapping.hpp"

namespace lambdagate::proxy {
namespace {

using State = HttpPreludeParser::State;

const std::string kDelimiter(8, '\0');

const std::string kPrelude =
    R"({"statusCode":201,"headers":{"Content-Type":"text/event-stream","Content-Length":"5"},)"
    R"("multiValueHeaders":{"X-M":["1","2"]},"cookies":["a=1","b=2"]})";

const HeaderPairs kHead = {{"Content-Type", "text/event-stream"},
                           {"X-M", "1"},
                           {"X-M", "2"},
                           {"Set-Cookie", "a=1"},
                           {"Set-Cookie", "b=2"}};

// A body that itself holds NUL runs, including one of 8+, which must pass through untouched.
const std::string kBody =
    std::string("data: 1\n\n") + std::string(3, '\0') + "x" + std::string(9, '\0') + "end";

struct Fed {
  State state;
  std::string body;
};

// Feeds `stream` cut at `cuts` (ascending offsets) and returns the final state and body.
Fed feed_in_pieces(HttpPreludeParser& parser, const std::string& stream,
                   const std::vector<std::size_t>& cuts) {
  Fed fed{State::NeedMore, {}};
  std::size_t start = 0;
  for (std::size_t cut : cuts) {
    fed.state = parser.feed(std::string_view(stream).substr(start, cut - start), fed.body);
    start = cut;
  }
  fed.state = parser.feed(std::string_view(stream).substr(start), fed.body);
  return fed;
}

// One cut anywhere (inside the prelude, inside the delimiter, inside the body) gives the same
// head and body as feeding everything at once.
TEST_CASE("prelude parser handles every single split point", "[prelude]") {
  const std::string stream = kPrelude + kDelimiter + kBody;
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    INFO("cut at " << cut);
    HttpPreludeParser parser;
    const Fed fed = feed_in_pieces(parser, stream, {cut});
    REQUIRE(fed.state == State::Ready);
    CHECK(parser.head().status == 201);
    CHECK(parser.head().headers == kHead);
    CHECK(parser.head().body.empty());
    CHECK(fed.body == kBody);
    CHECK(parser.error().empty());
  }
}

// Two cuts at every pair of offsets, so the delimiter is also split three ways.
TEST_CASE("prelude parser handles every pair of split points", "[prelude]") {
  const std::string stream = R"({"statusCode":202})" + kDelimiter + std::string("b\0dy", 4);
  for (std::size_t first = 0; first <= stream.size(); ++first) {
    for (std::size_t second = first; second <= stream.size(); ++second) {
      INFO("cuts at " << first << ", " << second);
      HttpPreludeParser parser;
      const Fed fed = feed_in_pieces(parser, stream, {first, second});
      REQUIRE(fed.state == State::Ready);
      CHECK(parser.head().status == 202);
      CHECK(fed.body == std::string("b\0dy", 4));
    }
  }
}

// One byte per feed: NeedMore until the eighth NUL, Ready after, and the body arrives byte by byte.
TEST_CASE("prelude parser reports NeedMore until the delimiter completes", "[prelude]") {
  const std::string prelude = R"({"headers":{"X":"y"}})";
  const std::string stream = prelude + kDelimiter + "hello";
  HttpPreludeParser parser;
  std::string body;
  for (std::size_t i = 0; i < stream.size(); ++i) {
    INFO("byte " << i);
    const State state = parser.feed(std::string_view(stream).substr(i, 1), body);
    CHECK(state == (i + 1 < prelude.size() + kDelimiter.size() ? State::NeedMore : State::Ready));
    CHECK(parser.state() == state);
  }
  CHECK(parser.head().status == 200);  // default
  CHECK(parser.head().headers == HeaderPairs{{"X", "y"}});
  CHECK(body == "hello");
  // Empty feeds change nothing.
  CHECK(parser.feed("", body) == State::Ready);
  CHECK(body == "hello");
}

// The first run of 8 NULs ends the prelude: a 9th NUL is the body's first byte, and an empty body
// is fine.
TEST_CASE("the first 8-NUL run is the delimiter", "[prelude]") {
  struct Case {
    std::string name;
    std::string stream;
    std::string body;
  };
  const std::vector<Case> cases = {
      {"nine NULs", "{}" + std::string(9, '\0') + "x", std::string("\0x", 2)},
      {"sixteen NULs", "{}" + std::string(16, '\0'), std::string(8, '\0')},
      {"empty body", "{}" + kDelimiter, ""},
      {"whitespace around the JSON", " {}\n" + kDelimiter + "b", "b"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    HttpPreludeParser parser;
    std::string body;
    CHECK(parser.feed(c.stream, body) == State::Ready);
    CHECK(parser.head().status == 200);
    CHECK(parser.head().headers.empty());
    CHECK(body == c.body);
  }
}

// Preludes that are not a valid JSON object, or whose fields break the header rules, fail with a
// reason; later feeds are ignored and add nothing to the body.
TEST_CASE("a malformed prelude fails", "[prelude]") {
  struct Case {
    std::string name;
    std::string prelude;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"not JSON", "hello", "not valid JSON"},
      {"truncated", R"({"statusCode":200)", "not valid JSON"},
      {"empty", "", "is empty"},
      {"fewer than 8 NULs inside", std::string("{}\0\0\0x", 6), "raw NUL byte at offset 2"},
      {"an array", "[1]", "must be a JSON object"},
      {"statusCode a string", R"({"statusCode":"200"})", "must be an integer"},
      {"statusCode out of range", R"({"statusCode":42})", "between 100 and 599"},
      {"bad header name", R"({"headers":{"a b":"c"}})", "not an RFC 7230 token"},
      {"CRLF in a cookie", R"({"cookies":["a=1\r\nX: y"]})", "has a value with CR"},
      {"cookies not an array", R"({"cookies":"a=1"})", "'cookies' must be an array"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    HttpPreludeParser parser;
    std::string body;
    CHECK(parser.feed(c.prelude + kDelimiter + "body", body) == State::Failed);
    CHECK(parser.state() == State::Failed);
    CHECK_THAT(parser.error(), Catch::Contains(c.reason));
    CHECK(body.empty());
    CHECK(parser.feed("more", body) == State::Failed);
    CHECK(body.empty());
  }
}

// The prelude's own fields map with the shared header rules: framing headers dropped, statusCode
// null means 200, other fields (a body) ignored.
TEST_CASE("prelude fields map like an unwrapped response", "[prelude]") {
  const auto result = unwrap_http_prelude(
      R"({"statusCode":null,"headers":{"Transfer-Encoding":"chunked","X-A":1},"body":"ignored","isBase64Encoded":true})");
  REQUIRE(std::holds_alternative<MappedResponse>(result));
  const auto& head = std::get<MappedResponse>(result);
  CHECK(head.status == 200);
  CHECK(head.headers == HeaderPairs{{"X-A", "1"}});
  CHECK(head.body.empty());
}

// The size limit counts prelude bytes only: exactly the limit passes, one more fails as soon as
// that byte arrives, before any delimiter, without holding the rest.
TEST_CASE("the prelude size is limited", "[prelude]") {
  const std::size_t limit = 64;
  auto prelude_of = [](std::size_t size) {
    std::string prelude = R"({"x":")";
    prelude += std::string(size - prelude.size() - 2, 'a');
    prelude += "\"}";
    return prelude;
  };
  {
    const std::string at_limit = prelude_of(limit);
    REQUIRE(at_limit.size() == limit);
    HttpPreludeParser parser(limit);
    std::string body;
    CHECK(parser.feed(at_limit + kDelimiter + "b", body) == State::Ready);
    CHECK(body == "b");
  }
  {
    const std::string over = prelude_of(limit + 1);
    HttpPreludeParser parser(limit);
    std::string body;
    CHECK(parser.feed(std::string_view(over).substr(0, limit), body) == State::NeedMore);
    CHECK(parser.feed(std::string_view(over).substr(limit, 1), body) == State::Failed);
    CHECK_THAT(parser.error(), Catch::Contains("exceeds 64 bytes without the 8-NUL delimiter"));
    CHECK(body.empty());
  }
  {
    // A stream that never sends a delimiter fails once it passes the limit, mid-feed.
    HttpPreludeParser parser(limit);
    std::string body;
    CHECK(parser.feed(std::string(1000, 'x'), body) == State::Failed);
  }
  {
    // Trailing NULs that may begin the delimiter are held beyond the limit, not counted.
    HttpPreludeParser parser(limit);
    std::string body;
    const std::string at_limit = prelude_of(limit);
    CHECK(parser.feed(at_limit + std::string(7, '\0'), body) == State::NeedMore);
    CHECK(parser.feed(std::string(1, '\0') + "z", body) == State::Ready);
    CHECK(body == "z");
  }
  {
    // ...but NULs followed by more prelude bytes are prelude, and count.
    HttpPreludeParser parser(limit);
    std::string body;
    CHECK(parser.feed(prelude_of(limit) + std::string(3, '\0') + "x", body) == State::Failed);
  }
}

// After Ready every fed byte goes to the body unchanged, however it is chunked.
TEST_CASE("after the prelude all bytes are body", "[prelude]") {
  HttpPreludeParser parser;
  std::string body;
  CHECK(parser.feed(std::string("{}") + kDelimiter, body) == State::Ready);
  std::string expected;
  for (int i = 0; i < 256; ++i) {
    const std::string chunk(static_cast<std::size_t>(i % 17), static_cast<char>(i));
    expected += chunk;
    CHECK(parser.feed(chunk, body) == State::Ready);
  }
  CHECK(body == expected);
}

}  // namespace
}  // namespace lambdagate::proxy
