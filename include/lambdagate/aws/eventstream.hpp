#pragma once
// The AWS event-stream framing (application/vnd.amazon.eventstream) that InvokeWithResponseStream
// answers with, and the Lambda events carried in it (reference/aws-protocols.md §4).
//
// Pure values in, values out: no I/O, no logging, and no lambdagate dependency other than
// core::crc32, so the decoder builds alone into the fuzz target.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace lambdagate::aws::eventstream {

// Header value type 6: opaque bytes (a distinct type so it is not confused with a type-7 string).
struct Bytes {
  std::string data;
  bool operator==(const Bytes&) const = default;
};

// Header value type 8: milliseconds since the Unix epoch.
struct Timestamp {
  std::int64_t ms = 0;
  bool operator==(const Timestamp&) const = default;
};

// Header value type 9: the 16 bytes of a UUID, in wire order.
struct Uuid {
  std::array<std::uint8_t, 16> bytes{};
  bool operator==(const Uuid&) const = default;
};

// One alternative per wire type. Wire types 0 (true) and 1 (false) both map to bool; for every
// other alternative the wire type is the variant index plus one: i8=2, i16=3, i32=4, i64=5,
// Bytes=6, std::string=7 (UTF-8 by contract; the bytes are kept as received, not validated),
// Timestamp=8, Uuid=9.
using HeaderValue = std::variant<bool, std::int8_t, std::int16_t, std::int32_t, std::int64_t, Bytes,
                                 std::string, Timestamp, Uuid>;

// One decoded message. Headers keep their wire order, so encode(decode(frame)) == frame.
struct Message {
  std::vector<std::pair<std::string, HeaderValue>> headers;
  std::string payload;

  // The value of the header `name` when it is a type-7 string header; nullopt when it is absent or
  // has another type. The view points into this message.
  std::optional<std::string_view> string_header(std::string_view name) const;

  bool operator==(const Message&) const = default;
};

// Upper bounds checked against the prelude before a message is buffered. The defaults are botocore's
// limits (24 MiB payload, 128 KiB headers) plus the 16-byte framing overhead.
struct Limits {
  std::size_t max_message_bytes = 24 * 1024 * 1024 + 128 * 1024 + 16;
  std::size_t max_headers_bytes = 128 * 1024;
};

// Incremental decoder: feed() the body bytes as they arrive, in any split, then drain next() until
// it returns nullopt. Both CRCs are verified. The first framing error is sticky: failed() turns
// true, error() says why, buffered bytes are dropped and everything fed afterwards is ignored.
class Decoder {
 public:
  explicit Decoder(Limits limits = {});

  // Appends bytes. A prelude that is complete after this call is validated at once, so a hostile
  // length fails here rather than after buffering up to it. Drain next() after each feed().
  void feed(std::string_view bytes);

  // The next complete, valid message; nullopt when more bytes are needed or after an error.
  std::optional<Message> next();

  bool failed() const { return failed_; }
  const std::string& error() const { return error_; }

  // True while bytes are buffered that next() has not returned as a message. Once next() has
  // returned nullopt and failed() is false, this means the stream so far ends mid-message; at the end
  // of the body that is a truncated stream. False after an error (the bytes are dropped).
  bool has_partial() const { return buffer_.size() > offset_; }

 private:
  bool validate_prelude();
  void fail(std::string message);

  Limits limits_;
  std::string buffer_;
  std::size_t offset_ = 0;         // start of the first message not yet returned
  std::size_t pending_total_ = 0;  // total_len of that message once its prelude is validated; 0 before
  bool failed_ = false;
  std::string error_;
};

// The framing of `message`, with both CRCs. Throws std::length_error for what the format cannot
// carry: a header name over 255 bytes, a Bytes or string value over 65535, a message over 4 GiB.
std::string encode(const Message& message);

// Lambda InvokeWithResponseStream events.

// A piece of the function's output (raw bytes; boundaries are not the function's writes).
struct PayloadChunk {
  std::string bytes;
};

// The last event. A non-empty error_code means the function failed after the HTTP 200 was sent.
struct InvokeComplete {
  std::string error_code;
  std::string error_details;
  std::string log_result;  // base64 of the log tail, when Tail was requested
};

// A stream-level failure: `:message-type` exception (code from `:exception-type`, message from the
// JSON payload's "message"/"Message" or else the raw payload) or error (`:error-code`,
// `:error-message`); a missing header leaves its field empty, and message is cut at 1 KiB since it
// comes from the wire and goes to logs. Also code "InvalidInvokeComplete" when that event's payload
// is not a JSON object of optional strings.
struct StreamError {
  std::string code;
  std::string message;
};

// An event type this gateway does not know; callers skip it, for forward compatibility.
struct UnknownEvent {
  std::string event_type;
};

using InvokeStreamEvent = std::variant<PayloadChunk, InvokeComplete, StreamError, UnknownEvent>;

// Reads a decoded message as a Lambda event. As in botocore, a `:message-type` other than exception or
// error (or none) is read as an event, and an event without a known `:event-type` is UnknownEvent.
InvokeStreamEvent classify(Message message);

}  // namespace lambdagate::aws::eventstream
