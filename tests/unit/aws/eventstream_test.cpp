// The event-stream decoder and the Lambda event classification as pure functions: the §4 self-test
// vectors of reference/aws-protocols.md, every header type, every split of the input, every framing
// error, and the InvokeWithResponseStream events.
#include "lambdagate/aws/eventstream.hpp"

#include <catch2/catch.hpp>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "lambdagate/core/crc32.hpp"

using namespace lambdagate::aws::eventstream;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xF]);
  }
  return out;
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

// A frame built by hand, so the lengths can lie; both CRCs are correct unless damaged afterwards.
std::string raw_frame(std::uint32_t total, std::uint32_t headers_len, std::string_view body) {
  std::string out;
  put_u32(out, total);
  put_u32(out, headers_len);
  put_u32(out, lambdagate::core::crc32(out));
  out += body;
  put_u32(out, lambdagate::core::crc32(out));
  return out;
}

// A frame whose prelude tells the truth about `headers` and `payload`.
std::string raw_frame(std::string_view headers, std::string_view payload) {
  return raw_frame(static_cast<std::uint32_t>(16 + headers.size() + payload.size()),
                   static_cast<std::uint32_t>(headers.size()), std::string(headers) + std::string(payload));
}

// A type-7 header as wire bytes.
std::string string_header_bytes(std::string_view name, std::string_view value) {
  std::string out;
  out.push_back(static_cast<char>(name.size()));
  out += name;
  out.push_back(7);
  out.push_back(static_cast<char>(value.size() >> 8));
  out.push_back(static_cast<char>(value.size() & 0xFF));
  out += value;
  return out;
}

Message event(std::string event_type, std::string payload) {
  return Message{{{":event-type", std::move(event_type)},
                  {":content-type", std::string("application/octet-stream")},
                  {":message-type", std::string("event")}},
                 std::move(payload)};
}

Message typed(std::string message_type, std::vector<std::pair<std::string, HeaderValue>> extra,
              std::string payload) {
  Message m{{{":message-type", std::move(message_type)}}, std::move(payload)};
  for (auto& h : extra) m.headers.push_back(std::move(h));
  return m;
}

struct Decoded {
  std::vector<Message> messages;
  bool failed = false;
  std::string error;
  bool partial = false;
};

// Feeds `bytes` in pieces cut at `cuts` (ascending offsets), draining after each piece.
Decoded decode(std::string_view bytes, const std::vector<std::size_t>& cuts = {}, Limits limits = {}) {
  Decoder decoder(limits);
  Decoded out;
  std::size_t from = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(bytes.size());
  for (const std::size_t end : ends) {
    decoder.feed(bytes.substr(from, end - from));
    from = end;
    while (auto m = decoder.next()) out.messages.push_back(std::move(*m));
  }
  out.failed = decoder.failed();
  out.error = decoder.error();
  out.partial = decoder.has_partial();
  return out;
}

}  // namespace

// The first self-test vector of aws-protocols.md §4: no headers, payload {"foo": "bar"}.
TEST_CASE("eventstream encodes the headerless self-test vector byte for byte", "[eventstream]") {
  const Message message{{}, R"({"foo": "bar"})"};
  const std::string wire = encode(message);
  CHECK(wire.size() == 30);
  CHECK(hex(wire.substr(0, 12)) == "0000001e00000000baf2f68a");
  CHECK(hex(wire.substr(wire.size() - 4)) == "ae7258e4");

  const Decoded decoded = decode(wire);
  REQUIRE_FALSE(decoded.failed);
  REQUIRE(decoded.messages.size() == 1);
  CHECK(decoded.messages[0] == message);
  CHECK_FALSE(decoded.partial);
}

// The second self-test vector: a PayloadChunk "hello" with its three string headers, 111 bytes.
TEST_CASE("eventstream encodes the PayloadChunk self-test vector byte for byte", "[eventstream]") {
  const Message message = event("PayloadChunk", "hello");
  const std::string wire = encode(message);
  CHECK(wire.size() == 111);
  CHECK(hex(wire.substr(0, 12)) == "0000006f0000005af5fe871f");
  CHECK(hex(wire.substr(wire.size() - 4)) == "29e71260");

  const Decoded decoded = decode(wire);
  REQUIRE_FALSE(decoded.failed);
  REQUIRE(decoded.messages.size() == 1);
  CHECK(decoded.messages[0] == message);
  CHECK(decoded.messages[0].string_header(":event-type") == "PayloadChunk");
  // A hand-built frame with the same headers is the same bytes.
  CHECK(wire == raw_frame(string_header_bytes(":event-type", "PayloadChunk") +
                              string_header_bytes(":content-type", "application/octet-stream") +
                              string_header_bytes(":message-type", "event"),
                          "hello"));
}

// Every header value type, with its edge values, survives encode then decode and uses its wire type.
TEST_CASE("eventstream round-trips every header value type", "[eventstream]") {
  Uuid uuid;
  for (std::size_t i = 0; i < uuid.bytes.size(); ++i) uuid.bytes[i] = static_cast<std::uint8_t>(0xF0 + i);
  struct Case {
    HeaderValue value;
    int wire_type;
    std::size_t value_bytes;  // after the type byte
  };
  const Case cases[] = {
      {true, 0, 0},
      {false, 1, 0},
      {std::int8_t{-128}, 2, 1},
      {std::int8_t{127}, 2, 1},
      {std::int16_t{-32768}, 3, 2},
      {std::int16_t{0x1234}, 3, 2},
      {std::numeric_limits<std::int32_t>::min(), 4, 4},
      {std::int32_t{-1}, 4, 4},
      {std::numeric_limits<std::int64_t>::min(), 5, 8},
      {std::numeric_limits<std::int64_t>::max(), 5, 8},
      {Bytes{}, 6, 2},
      {Bytes{std::string("a\0b\xff", 4)}, 6, 6},
      {std::string(), 7, 2},
      {std::string("héllo"), 7, 2 + 6},
      {std::string(65535, 'x'), 7, 2 + 65535},
      {Timestamp{-1}, 8, 8},
      {Timestamp{1700000000123}, 8, 8},
      {uuid, 9, 16},
  };
  Message all;
  for (std::size_t i = 0; i < std::size(cases); ++i) {
    const auto& c = cases[i];
    INFO("case " << i);
    const Message message{{{"h", c.value}}, "p"};
    const std::string wire = encode(message);
    // prelude, name length, "h", type byte, value, payload "p", CRC
    CHECK(wire.size() == 12 + 1 + 1 + 1 + c.value_bytes + 1 + 4);
    CHECK(static_cast<int>(static_cast<unsigned char>(wire[14])) == c.wire_type);
    const Decoded decoded = decode(wire);
    REQUIRE_FALSE(decoded.failed);
    REQUIRE(decoded.messages.size() == 1);
    CHECK(decoded.messages[0] == message);
    CHECK(decoded.messages[0].headers[0].second.index() == c.value.index());
    if (c.value_bytes < 1000) all.headers.emplace_back("h" + std::to_string(i), c.value);
  }
  all.payload = std::string("\0\x01\x02", 3);
  const Decoded decoded = decode(encode(all));
  REQUIRE(decoded.messages.size() == 1);
  CHECK(decoded.messages[0] == all);
  CHECK(encode(decoded.messages[0]) == encode(all));
}

// A two-message stream decodes the same whatever one or two split points cut it, byte by byte too.
TEST_CASE("eventstream decodes a two-message stream at every split", "[eventstream]") {
  const Message first = event("PayloadChunk", "hello, ");
  const Message second = event("InvokeComplete", "{}");
  const std::string stream = encode(first) + encode(second);
  const std::size_t n = stream.size();

  for (std::size_t split = 0; split <= n; ++split) {
    INFO("split " << split);
    const Decoded decoded = decode(stream, {split});
    REQUIRE_FALSE(decoded.failed);
    REQUIRE(decoded.messages.size() == 2);
    CHECK(decoded.messages[0] == first);
    CHECK(decoded.messages[1] == second);
    CHECK_FALSE(decoded.partial);
  }

  std::size_t checked = 0;
  for (std::size_t a = 0; a <= n; ++a) {
    for (std::size_t b = a; b <= n; ++b) {
      const Decoded decoded = decode(stream, {a, b});
      if (decoded.failed || decoded.messages.size() != 2 || !(decoded.messages[1] == second)) {
        FAIL("splits " << a << " and " << b << ": " << decoded.error);
      }
      ++checked;
    }
  }
  CHECK(checked == (n + 1) * (n + 2) / 2);

  std::vector<std::size_t> every_byte;
  for (std::size_t i = 1; i < n; ++i) every_byte.push_back(i);
  const Decoded decoded = decode(stream, every_byte);
  REQUIRE(decoded.messages.size() == 2);
  CHECK(decoded.messages[0] == first);
  CHECK(decoded.messages[1] == second);
}

// has_partial tells a stream that stopped mid-message from one that stopped between messages.
TEST_CASE("eventstream has_partial reports bytes that are not yet a message", "[eventstream]") {
  const std::string wire = encode(event("PayloadChunk", "abc"));
  Decoder decoder;
  CHECK_FALSE(decoder.has_partial());

  decoder.feed(wire.substr(0, 5));  // inside the prelude
  CHECK_FALSE(decoder.next());
  CHECK(decoder.has_partial());

  decoder.feed(wire.substr(5, 20));  // prelude complete, body not
  CHECK_FALSE(decoder.next());
  CHECK(decoder.has_partial());
  CHECK_FALSE(decoder.failed());

  decoder.feed(wire.substr(25));
  CHECK(decoder.has_partial());  // complete but not yet taken
  REQUIRE(decoder.next());
  CHECK_FALSE(decoder.has_partial());
  CHECK_FALSE(decoder.next());

  decoder.feed(wire + wire.substr(0, 3));
  REQUIRE(decoder.next());
  CHECK_FALSE(decoder.next());
  CHECK(decoder.has_partial());
  CHECK_FALSE(decoder.failed());
}

// Each framing error fails the decoder with its own message, and the failure is sticky.
TEST_CASE("eventstream refuses malformed frames with a clear error", "[eventstream]") {
  const std::string good_headers = string_header_bytes(":event-type", "PayloadChunk");
  std::string bad_prelude_crc = encode(event("PayloadChunk", "x"));
  bad_prelude_crc[9] ^= 0x01;
  std::string bad_message_crc = encode(event("PayloadChunk", "x"));
  bad_message_crc.back() ^= 0x80;
  std::string unknown_type = string_header_bytes("x", "y");
  unknown_type[2] = 12;

  struct Case {
    const char* what;
    std::string bytes;
    std::string error;
    Limits limits = {};
  };
  const Case cases[] = {
      {"prelude CRC", bad_prelude_crc, "prelude CRC mismatch"},
      {"message CRC", bad_message_crc, "message CRC mismatch"},
      {"short total", raw_frame(10, 0, ""), "total length 10 is below the 16-byte minimum"},
      {"zero total", raw_frame(0, 0, ""), "total length 0 is below the 16-byte minimum"},
      {"headers longer than the message", raw_frame(30, 15, "12345678901234"),
       "headers length 15 exceeds total length 30 minus the 16-byte overhead"},
      {"unknown value type", raw_frame(unknown_type, ""), "header value type 12 is unknown (header 'x')"},
      {"duplicate",
       raw_frame(good_headers + string_header_bytes(":message-type", "event") + good_headers, ""),
       "duplicate header ':event-type'"},
      {"name past the block", raw_frame(std::string("\x05:even", 6), ""), "truncated header at byte 0"},
      {"type byte missing", raw_frame(good_headers + std::string("\x01z", 2), "payload"),
       "truncated header at byte 27"},
      {"string past the block", raw_frame(good_headers.substr(0, good_headers.size() - 1), ""),
       "truncated header ':event-type': its type 7 value"},
      {"i64 past the block", raw_frame(std::string("\x01t\x05\x00\x00", 5), ""), "truncated header 't'"},
      {"uuid past the block", raw_frame(std::string("\x01u\x09", 3) + std::string(15, 'u'), ""),
       "truncated header 'u'"},
      {"total over the limit", raw_frame(0xFFFFFFF0u, 0, "").substr(0, 12),
       "total length 4294967280 exceeds"},
      {"total over a custom limit", raw_frame(good_headers, "0123456789"),
       "total length 53 exceeds the limit of 40 bytes", Limits{40, 1024}},
      {"headers over a custom limit", raw_frame(good_headers, ""),
       "headers length 27 exceeds the limit of 26 bytes", Limits{1024, 26}},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    Decoder decoder(c.limits);
    decoder.feed(c.bytes);
    CHECK_FALSE(decoder.next());
    REQUIRE(decoder.failed());
    CHECK_THAT(decoder.error(), StartsWith(c.error));
    CHECK_FALSE(decoder.has_partial());
    // Sticky: valid bytes afterwards change nothing.
    decoder.feed(encode(event("PayloadChunk", "later")));
    CHECK_FALSE(decoder.next());
    CHECK_THAT(decoder.error(), StartsWith(c.error));
  }
}

// A hostile total length fails as soon as the prelude is fed, before any body is buffered.
TEST_CASE("eventstream refuses an oversized length from the prelude alone", "[eventstream]") {
  const std::string prelude = raw_frame(0x7FFFFFFFu, 0, "").substr(0, 12);
  Decoder decoder;
  decoder.feed(prelude.substr(0, 11));
  CHECK_FALSE(decoder.failed());
  decoder.feed(prelude.substr(11));
  CHECK(decoder.failed());
  CHECK_THAT(decoder.error(), Contains("2147483647") && Contains("exceeds the limit"));

  // A message exactly at a custom limit passes; one byte more does not.
  const std::string wire = encode(Message{{}, std::string(100, 'p')});
  CHECK(decode(wire, {}, Limits{wire.size(), 0}).messages.size() == 1);
  CHECK(decode(wire, {}, Limits{wire.size() - 1, 0}).failed);
}

// Any single-bit flip is caught: in the prelude by the prelude CRC, elsewhere by the message CRC.
TEST_CASE("eventstream detects a flipped bit anywhere in a message", "[eventstream]") {
  const std::string wire = encode(event("PayloadChunk", "some payload bytes"));
  for (std::size_t i = 0; i < wire.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = wire;
      damaged[i] = static_cast<char>(damaged[i] ^ (1 << bit));
      const Decoded decoded = decode(damaged);
      INFO("byte " << i << " bit " << bit);
      REQUIRE(decoded.failed);
      CHECK(decoded.messages.empty());
      CHECK_THAT(decoded.error, StartsWith(i < 12 ? "prelude CRC mismatch" : "message CRC mismatch"));
    }
  }
}

// Messages before an error are delivered; the error stops the stream at the bad message.
TEST_CASE("eventstream delivers the messages before a bad one", "[eventstream]") {
  std::string bad = encode(event("PayloadChunk", "two"));
  bad[bad.size() - 6] ^= 0x20;  // in the payload
  const std::string stream =
      encode(event("PayloadChunk", "one")) + bad + encode(event("PayloadChunk", "three"));
  const Decoded decoded = decode(stream, {7, 150});
  REQUIRE(decoded.messages.size() == 1);
  CHECK(decoded.messages[0].payload == "one");
  CHECK(decoded.failed);
  CHECK_THAT(decoded.error, StartsWith("message CRC mismatch"));
}

// Thousands of messages fed in small odd pieces all arrive, through the buffer's compaction.
TEST_CASE("eventstream decodes a long stream fed in small pieces", "[eventstream]") {
  std::string stream;
  const int count = 5000;
  for (int i = 0; i < count; ++i) stream += encode(event("PayloadChunk", "chunk " + std::to_string(i)));
  Decoder decoder;
  int seen = 0;
  bool in_order = true;
  for (std::size_t pos = 0; pos < stream.size(); pos += 7) {
    decoder.feed(std::string_view(stream).substr(pos, 7));
    while (auto m = decoder.next()) in_order = in_order && m->payload == "chunk " + std::to_string(seen++);
  }
  CHECK(seen == count);
  CHECK(in_order);
  CHECK_FALSE(decoder.failed());
  CHECK_FALSE(decoder.has_partial());
}

// string_header answers for type-7 headers only.
TEST_CASE("eventstream string_header returns string headers only", "[eventstream]") {
  const Message m{{{":event-type", std::string("PayloadChunk")}, {"n", std::int32_t{7}}, {"b", Bytes{"raw"}}},
                  ""};
  CHECK(m.string_header(":event-type") == "PayloadChunk");
  CHECK_FALSE(m.string_header("n"));
  CHECK_FALSE(m.string_header("b"));
  CHECK_FALSE(m.string_header("missing"));
}

// encode refuses what the framing cannot express.
TEST_CASE("eventstream encode refuses oversized names and values", "[eventstream]") {
  CHECK_THROWS_AS(encode(Message{{{std::string(256, 'n'), true}}, ""}), std::length_error);
  CHECK_THROWS_AS(encode(Message{{{"s", std::string(65536, 'v')}}, ""}), std::length_error);
  CHECK_THROWS_AS(encode(Message{{{"b", Bytes{std::string(65536, 'v')}}}, ""}), std::length_error);
  CHECK_NOTHROW(encode(Message{{{std::string(255, 'n'), Bytes{std::string(65535, 'v')}}}, ""}));
}

// Lambda events: chunks, completion with and without a function error, stream errors, unknown events.
TEST_CASE("eventstream classifies Lambda stream messages", "[eventstream]") {
  SECTION("PayloadChunk carries the raw bytes") {
    const auto e = classify(event("PayloadChunk", std::string("\0raw\xff", 5)));
    REQUIRE(std::holds_alternative<PayloadChunk>(e));
    CHECK(std::get<PayloadChunk>(e).bytes == std::string("\0raw\xff", 5));
  }
  SECTION("InvokeComplete without an error") {
    for (const char* payload : {"{}", "", R"({"ErrorCode":null})"}) {
      INFO(payload);
      const auto e = classify(event("InvokeComplete", payload));
      REQUIRE(std::holds_alternative<InvokeComplete>(e));
      CHECK(std::get<InvokeComplete>(e).error_code.empty());
    }
    const auto e = classify(event("InvokeComplete", R"({"LogResult":"U1RBUlQ="})"));
    REQUIRE(std::holds_alternative<InvokeComplete>(e));
    CHECK(std::get<InvokeComplete>(e).error_code.empty());
    CHECK(std::get<InvokeComplete>(e).log_result == "U1RBUlQ=");
  }
  SECTION("InvokeComplete with a function error") {
    const auto e = classify(
        event("InvokeComplete",
              R"({"ErrorCode":"Unhandled","ErrorDetails":"boom after 3 chunks","LogResult":"TE9H"})"));
    REQUIRE(std::holds_alternative<InvokeComplete>(e));
    const auto& complete = std::get<InvokeComplete>(e);
    CHECK(complete.error_code == "Unhandled");
    CHECK(complete.error_details == "boom after 3 chunks");
    CHECK(complete.log_result == "TE9H");
  }
  SECTION("malformed InvokeComplete payloads") {
    for (const char* payload :
         {"not json", "[]", R"("text")", R"({"ErrorCode":5})", R"({"LogResult":{}})", "{"}) {
      INFO(payload);
      const auto e = classify(event("InvokeComplete", payload));
      REQUIRE(std::holds_alternative<StreamError>(e));
      CHECK(std::get<StreamError>(e).code == "InvalidInvokeComplete");
      CHECK_FALSE(std::get<StreamError>(e).message.empty());
    }
  }
  SECTION("exception messages") {
    struct Case {
      std::string payload;
      std::string message;
    };
    const Case cases[] = {
        {R"({"message":"Rate exceeded"})", "Rate exceeded"},
        {R"({"Message":"Upper case"})", "Upper case"},
        {"plain text", "plain text"},
        {std::string(5000, 'x'), std::string(1024, 'x')},
    };
    for (const auto& c : cases) {
      const auto e =
          classify(typed("exception", {{":exception-type", std::string("ServiceException")}}, c.payload));
      REQUIRE(std::holds_alternative<StreamError>(e));
      CHECK(std::get<StreamError>(e).code == "ServiceException");
      CHECK(std::get<StreamError>(e).message == c.message);
    }
  }
  SECTION("error messages") {
    const auto e = classify(typed("error",
                                  {{":error-code", std::string("InternalFailure")},
                                   {":error-message", std::string("An internal error occurred")}},
                                  ""));
    REQUIRE(std::holds_alternative<StreamError>(e));
    CHECK(std::get<StreamError>(e).code == "InternalFailure");
    CHECK(std::get<StreamError>(e).message == "An internal error occurred");
  }
  SECTION("unknown events are named, not failed") {
    const auto e = classify(event("SomethingNew", "{}"));
    REQUIRE(std::holds_alternative<UnknownEvent>(e));
    CHECK(std::get<UnknownEvent>(e).event_type == "SomethingNew");
    const auto bare = classify(Message{{}, "x"});
    REQUIRE(std::holds_alternative<UnknownEvent>(bare));
    CHECK(std::get<UnknownEvent>(bare).event_type.empty());
    // A non-string :event-type is not an event type.
    const auto odd = classify(Message{{{":event-type", std::int32_t{1}}}, ""});
    REQUIRE(std::holds_alternative<UnknownEvent>(odd));
  }
}
