// AWS event-stream framing and Lambda stream events (reference/aws-protocols.md §4).
// Only core::crc32 and nlohmann_json here: the fuzz target compiles this file on its own.
#include "lambdagate/aws/eventstream.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <unordered_set>

#include "lambdagate/core/crc32.hpp"

namespace lambdagate::aws::eventstream {

namespace {

constexpr std::size_t kPreludeBytes = 12;   // total_len, headers_len, prelude_crc
constexpr std::size_t kOverheadBytes = 16;  // prelude plus message_crc
// Below this many consumed bytes the buffer is not compacted, so tiny moves are not repeated; kept
// small enough that the fuzz target's inputs (4 KiB by default) reach the compaction path.
constexpr std::size_t kCompactThreshold = 1024;
// A drained buffer larger than this is released, so one large chunk does not pin its memory for
// the rest of a long stream.
constexpr std::size_t kKeptCapacity = 1024 * 1024;
// Header counts up to this are checked for duplicates pairwise; more go through a hash set, so a
// hostile 128 KiB of tiny headers stays linear.
constexpr std::size_t kPairwiseDuplicateCheck = 16;
// Error text copied from a stream exception's raw payload is capped: it ends up in logs.
constexpr std::size_t kMaxErrorText = 1024;
constexpr std::size_t kMaxQuotedName = 64;

std::uint8_t byte_at(std::string_view s, std::size_t i) { return static_cast<std::uint8_t>(s[i]); }

std::uint64_t read_be(std::string_view s, std::size_t pos, std::size_t width) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < width; ++i) v = (v << 8) | byte_at(s, pos + i);
  return v;
}

std::uint32_t read_u32(std::string_view s, std::size_t pos) {
  return static_cast<std::uint32_t>(read_be(s, pos, 4));
}

void append_be(std::string& out, std::uint64_t v, std::size_t width) {
  for (std::size_t i = width; i-- > 0;) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFFu));
}

std::string hex32(std::uint32_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "0x";
  for (int shift = 28; shift >= 0; shift -= 4) out.push_back(kDigits[(v >> shift) & 0xFu]);
  return out;
}

// A header name as it can safely appear in an error message (and so in a log line): printable ASCII
// kept, other bytes as \xNN, long names cut.
std::string printable_name(std::string_view name) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "'";
  for (std::size_t i = 0; i < name.size() && i < kMaxQuotedName; ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (c >= 0x20 && c < 0x7F && c != '\\' && c != '\'') {
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\x";
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 0xFu]);
    }
  }
  if (name.size() > kMaxQuotedName) out += "...";
  out.push_back('\'');
  return out;
}

// Parses the header block of one message into `headers`; returns an error text, empty on success.
std::string parse_headers(std::string_view block, std::vector<std::pair<std::string, HeaderValue>>& headers) {
  std::size_t pos = 0;
  while (pos < block.size()) {
    const std::size_t start = pos;
    const std::size_t name_len = byte_at(block, pos++);
    if (block.size() - pos < name_len + 1) {
      return "truncated header at byte " + std::to_string(start) + " of the " + std::to_string(block.size()) +
             "-byte header block: its name and type run past the end";
    }
    const std::string_view name = block.substr(pos, name_len);
    pos += name_len;
    const std::uint8_t type = byte_at(block, pos++);

    const auto truncated = [&] {
      return "truncated header " + printable_name(name) + ": its type " + std::to_string(type) +
             " value runs past the end of the header block";
    };
    const auto take = [&](std::size_t n) -> std::optional<std::string_view> {
      if (block.size() - pos < n) return std::nullopt;
      const std::string_view v = block.substr(pos, n);
      pos += n;
      return v;
    };
    const auto fixed = [&](std::size_t width) -> std::optional<std::uint64_t> {
      const auto v = take(width);
      if (!v) return std::nullopt;
      return read_be(*v, 0, width);
    };

    HeaderValue value;
    switch (type) {
      case 0:
        value = true;
        break;
      case 1:
        value = false;
        break;
      case 2:
      case 3:
      case 4:
      case 5: {
        const std::size_t width = std::size_t{1} << (type - 2);
        const auto raw = fixed(width);
        if (!raw) return truncated();
        // Two's complement on the wire; the unsigned-to-signed conversions are exact in C++20.
        if (type == 2) value = static_cast<std::int8_t>(*raw);
        if (type == 3) value = static_cast<std::int16_t>(*raw);
        if (type == 4) value = static_cast<std::int32_t>(*raw);
        if (type == 5) value = static_cast<std::int64_t>(*raw);
        break;
      }
      case 6:
      case 7: {
        const auto len = fixed(2);
        if (!len) return truncated();
        const auto data = take(static_cast<std::size_t>(*len));
        if (!data) return truncated();
        if (type == 6) {
          value = Bytes{std::string(*data)};
        } else {
          value = std::string(*data);
        }
        break;
      }
      case 8: {
        const auto raw = fixed(8);
        if (!raw) return truncated();
        value = Timestamp{static_cast<std::int64_t>(*raw)};
        break;
      }
      case 9: {
        const auto raw = take(16);
        if (!raw) return truncated();
        Uuid uuid;
        for (std::size_t i = 0; i < uuid.bytes.size(); ++i) uuid.bytes[i] = byte_at(*raw, i);
        value = uuid;
        break;
      }
      default:
        return "header value type " + std::to_string(type) + " is unknown (header " + printable_name(name) +
               ")";
    }
    headers.emplace_back(std::string(name), std::move(value));
  }
  return {};
}

// Reports the first header, in wire order, whose name was already used.
std::string check_duplicates(const std::vector<std::pair<std::string, HeaderValue>>& headers) {
  const auto duplicate = [](const std::string& name) { return "duplicate header " + printable_name(name); };
  if (headers.size() <= kPairwiseDuplicateCheck) {
    for (std::size_t i = 1; i < headers.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (headers[i].first == headers[j].first) return duplicate(headers[i].first);
      }
    }
    return {};
  }
  std::unordered_set<std::string_view> seen;
  seen.reserve(headers.size());
  for (const auto& [name, value] : headers) {
    if (!seen.insert(name).second) return duplicate(name);
  }
  return {};
}

void encode_value(std::string& out, const HeaderValue& value) {
  struct Visitor {
    std::string& out;
    void string_like(std::uint8_t type, const std::string& data) {
      if (data.size() > 0xFFFF) {
        throw std::length_error("eventstream header value of " + std::to_string(data.size()) +
                                " bytes exceeds 65535");
      }
      out.push_back(static_cast<char>(type));
      append_be(out, data.size(), 2);
      out += data;
    }
    void operator()(bool v) { out.push_back(static_cast<char>(v ? 0 : 1)); }
    void operator()(std::int8_t v) { integer(2, static_cast<std::uint8_t>(v), 1); }
    void operator()(std::int16_t v) { integer(3, static_cast<std::uint16_t>(v), 2); }
    void operator()(std::int32_t v) { integer(4, static_cast<std::uint32_t>(v), 4); }
    void operator()(std::int64_t v) { integer(5, static_cast<std::uint64_t>(v), 8); }
    void operator()(const Bytes& v) { string_like(6, v.data); }
    void operator()(const std::string& v) { string_like(7, v); }
    void operator()(const Timestamp& v) { integer(8, static_cast<std::uint64_t>(v.ms), 8); }
    void operator()(const Uuid& v) {
      out.push_back(9);
      out.append(reinterpret_cast<const char*>(v.bytes.data()), v.bytes.size());
    }
    void integer(std::uint8_t type, std::uint64_t bits, std::size_t width) {
      out.push_back(static_cast<char>(type));
      append_be(out, bits, width);
    }
  };
  std::visit(Visitor{out}, value);
}

std::string cap(std::string_view text) { return std::string(text.substr(0, kMaxErrorText)); }

InvokeStreamEvent invoke_complete(const std::string& payload) {
  // An empty body is an empty structure, as botocore reads it.
  if (payload.empty()) return InvokeComplete{};
  const auto json = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return StreamError{"InvalidInvokeComplete", "InvokeComplete payload is not a JSON object"};
  }
  InvokeComplete complete;
  const std::pair<const char*, std::string*> fields[] = {
      {"ErrorCode", &complete.error_code},
      {"ErrorDetails", &complete.error_details},
      {"LogResult", &complete.log_result},
  };
  for (const auto& [key, target] : fields) {
    const auto it = json.find(key);
    if (it == json.end() || it->is_null()) continue;
    if (!it->is_string()) {
      return StreamError{"InvalidInvokeComplete",
                         std::string("InvokeComplete field ") + key + " is not a string"};
    }
    *target = it->get<std::string>();
  }
  return complete;
}

std::string exception_message(const std::string& payload) {
  const auto json = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!json.is_discarded() && json.is_object()) {
    for (const char* key : {"message", "Message"}) {
      const auto it = json.find(key);
      if (it != json.end() && it->is_string()) return cap(it->get_ref<const std::string&>());
    }
  }
  return cap(payload);
}

}  // namespace

std::optional<std::string_view> Message::string_header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key != name) continue;
    if (const auto* s = std::get_if<std::string>(&value)) return std::string_view(*s);
    return std::nullopt;
  }
  return std::nullopt;
}

Decoder::Decoder(Limits limits) : limits_(limits) {}

void Decoder::feed(std::string_view bytes) {
  if (failed_ || bytes.empty()) return;
  // Consumed bytes are dropped lazily: all at once when the buffer is drained, otherwise only when
  // they are at least half of it, so each byte is moved O(1) times however small the pieces are.
  if (offset_ == buffer_.size()) {
    if (buffer_.capacity() > kKeptCapacity) {
      std::string().swap(buffer_);
    } else {
      buffer_.clear();
    }
    offset_ = 0;
  } else if (offset_ >= kCompactThreshold && offset_ >= buffer_.size() / 2) {
    buffer_.erase(0, offset_);
    offset_ = 0;
  }
  buffer_.append(bytes);
  if (pending_total_ == 0 && buffer_.size() - offset_ >= kPreludeBytes) validate_prelude();
}

std::optional<Message> Decoder::next() {
  if (failed_) return std::nullopt;
  if (pending_total_ == 0) {
    if (buffer_.size() - offset_ < kPreludeBytes || !validate_prelude()) return std::nullopt;
  }
  const std::size_t total = pending_total_;
  if (buffer_.size() - offset_ < total) return std::nullopt;

  const std::string_view frame = std::string_view(buffer_).substr(offset_, total);
  const std::uint32_t stored_crc = read_u32(frame, total - 4);
  const std::uint32_t computed_crc = core::crc32(frame.substr(0, total - 4));
  if (stored_crc != computed_crc) {
    fail("message CRC mismatch: stored " + hex32(stored_crc) + ", computed " + hex32(computed_crc));
    return std::nullopt;
  }

  const std::size_t headers_len = read_u32(frame, 4);
  Message message;
  if (std::string error = parse_headers(frame.substr(kPreludeBytes, headers_len), message.headers);
      !error.empty()) {
    fail(std::move(error));
    return std::nullopt;
  }
  if (std::string error = check_duplicates(message.headers); !error.empty()) {
    fail(std::move(error));
    return std::nullopt;
  }
  message.payload =
      std::string(frame.substr(kPreludeBytes + headers_len, total - kOverheadBytes - headers_len));

  offset_ += total;
  pending_total_ = 0;
  // Check the following prelude now, so a hostile length is refused before its bytes are buffered.
  if (buffer_.size() - offset_ >= kPreludeBytes) validate_prelude();
  return message;
}

bool Decoder::validate_prelude() {
  const std::string_view prelude = std::string_view(buffer_).substr(offset_, kPreludeBytes);
  const std::uint32_t total = read_u32(prelude, 0);
  const std::uint32_t headers_len = read_u32(prelude, 4);
  const std::uint32_t stored_crc = read_u32(prelude, 8);
  // The CRC first: a prelude damaged in transit reads as damage, not as a strange length.
  const std::uint32_t computed_crc = core::crc32(prelude.substr(0, 8));
  if (stored_crc != computed_crc) {
    fail("prelude CRC mismatch: stored " + hex32(stored_crc) + ", computed " + hex32(computed_crc));
    return false;
  }
  if (total < kOverheadBytes) {
    fail("total length " + std::to_string(total) + " is below the 16-byte minimum");
    return false;
  }
  if (total > limits_.max_message_bytes) {
    fail("total length " + std::to_string(total) + " exceeds the limit of " +
         std::to_string(limits_.max_message_bytes) + " bytes");
    return false;
  }
  if (headers_len > total - kOverheadBytes) {
    fail("headers length " + std::to_string(headers_len) + " exceeds total length " + std::to_string(total) +
         " minus the 16-byte overhead");
    return false;
  }
  if (headers_len > limits_.max_headers_bytes) {
    fail("headers length " + std::to_string(headers_len) + " exceeds the limit of " +
         std::to_string(limits_.max_headers_bytes) + " bytes");
    return false;
  }
  pending_total_ = total;
  return true;
}

void Decoder::fail(std::string message) {
  failed_ = true;
  error_ = std::move(message);
  std::string().swap(buffer_);
  offset_ = 0;
  pending_total_ = 0;
}

std::string encode(const Message& message) {
  std::string headers;
  for (const auto& [name, value] : message.headers) {
    if (name.size() > 0xFF) {
      throw std::length_error("eventstream header name of " + std::to_string(name.size()) +
                              " bytes exceeds 255");
    }
    headers.push_back(static_cast<char>(name.size()));
    headers += name;
    encode_value(headers, value);
  }
  const std::uint64_t total = std::uint64_t{kOverheadBytes} + headers.size() + message.payload.size();
  if (total > 0xFFFFFFFFu) {
    throw std::length_error("eventstream message of " + std::to_string(total) + " bytes exceeds 4 GiB");
  }

  std::string out;
  out.reserve(static_cast<std::size_t>(total));
  append_be(out, total, 4);
  append_be(out, headers.size(), 4);
  append_be(out, core::crc32(out), 4);
  out += headers;
  out += message.payload;
  append_be(out, core::crc32(out), 4);
  return out;
}

InvokeStreamEvent classify(Message message) {
  const auto message_type = message.string_header(":message-type");
  if (message_type == "exception") {
    return StreamError{std::string(message.string_header(":exception-type").value_or("")),
                       exception_message(message.payload)};
  }
  if (message_type == "error") {
    return StreamError{std::string(message.string_header(":error-code").value_or("")),
                       cap(message.string_header(":error-message").value_or(""))};
  }
  const std::string_view event_type = message.string_header(":event-type").value_or("");
  if (event_type == "PayloadChunk") return PayloadChunk{std::move(message.payload)};
  if (event_type == "InvokeComplete") return invoke_complete(message.payload);
  return UnknownEvent{std::string(event_type)};
}

}  // namespace lambdagate::aws::eventstream
