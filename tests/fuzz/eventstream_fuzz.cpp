// libFuzzer target for the event-stream decoder (src/aws/eventstream.cpp).
//
// Input: [control][k piece sizes][stream bytes]. control bits 0-2 give k (0-7); bit 3 selects small
// limits so the limit checks are reachable with short inputs; bit 4 makes the target rewrite both
// CRCs of every frame it can delimit before decoding, so mutations of lengths and headers get past
// the checksums instead of stopping there. The stream is fed in pieces of size+1 bytes, cycling
// through the k sizes (one piece when k is 0).
//
// Checked, beyond "no crash, no sanitizer report":
// - the split feed and a single feed decode the same messages and end in the same state;
// - each decoded message re-encodes to exactly the bytes it was decoded from, and those bytes
//   decode back to the same message;
// - has_partial() is true exactly when undecoded bytes remain (when no error);
// - classify() of a PayloadChunk keeps the payload; a StreamError's text stays capped.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "lambdagate/aws/eventstream.hpp"
#include "lambdagate/core/crc32.hpp"

namespace es = lambdagate::aws::eventstream;

namespace {

struct Outcome {
  std::vector<es::Message> messages;
  bool failed = false;
  std::string error;
  bool partial = false;
};

Outcome decode(std::string_view stream, const std::vector<std::size_t>& piece_sizes, es::Limits limits) {
  es::Decoder decoder(limits);
  Outcome out;
  std::size_t pos = 0;
  std::size_t piece = 0;
  while (pos < stream.size()) {
    const std::size_t n = piece_sizes.empty() ? stream.size() : piece_sizes[piece++ % piece_sizes.size()];
    decoder.feed(stream.substr(pos, n));
    pos += std::min(n, stream.size() - pos);
    while (auto message = decoder.next()) out.messages.push_back(std::move(*message));
  }
  out.failed = decoder.failed();
  out.error = decoder.error();
  out.partial = decoder.has_partial();
  return out;
}

std::uint32_t read_u32(const std::string& s, std::size_t pos) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(s[pos + i]);
  return v;
}

void write_u32(std::string& s, std::size_t pos, std::uint32_t v) {
  for (std::size_t i = 0; i < 4; ++i) s[pos + i] = static_cast<char>(v >> (24 - 8 * i));
}

// The stream with correct CRCs in every frame that the length fields delimit.
std::string with_fixed_crcs(std::string_view stream) {
  std::string out(stream);
  std::size_t pos = 0;
  while (out.size() - pos >= 12) {
    write_u32(out, pos + 8, lambdagate::core::crc32(std::string_view(out).substr(pos, 8)));
    const std::size_t total = read_u32(out, pos);
    if (total < 16 || total > out.size() - pos) break;
    write_u32(out, pos + total - 4, lambdagate::core::crc32(std::string_view(out).substr(pos, total - 4)));
    pos += total;
  }
  return out;
}

void check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t control = data[0];
  const std::size_t k = control & 0x07u;
  if (size < 1 + k) return 0;
  std::vector<std::size_t> piece_sizes;
  for (std::size_t i = 0; i < k; ++i) piece_sizes.push_back(std::size_t{data[1 + i]} + 1);
  const es::Limits limits = (control & 0x08u) ? es::Limits{512, 128} : es::Limits{};
  std::string_view stream(reinterpret_cast<const char*>(data) + 1 + k, size - 1 - k);
  std::string fixed;
  if (control & 0x10u) {
    fixed = with_fixed_crcs(stream);
    stream = fixed;
  }

  const Outcome split = decode(stream, piece_sizes, limits);
  const Outcome whole = decode(stream, {}, limits);
  check(split.messages == whole.messages);
  check(split.failed == whole.failed);
  check(split.error == whole.error);
  check(split.partial == whole.partial);
  check(split.failed == !split.error.empty());

  std::size_t consumed = 0;
  for (const es::Message& message : split.messages) {
    const std::string wire = es::encode(message);
    check(stream.substr(consumed, wire.size()) == wire);
    consumed += wire.size();

    es::Decoder again;
    again.feed(wire);
    const auto decoded = again.next();
    check(decoded.has_value() && *decoded == message);
    check(!again.failed() && !again.has_partial() && !again.next());

    const es::InvokeStreamEvent event = es::classify(message);
    if (const auto* chunk = std::get_if<es::PayloadChunk>(&event)) check(chunk->bytes == message.payload);
    if (const auto* error = std::get_if<es::StreamError>(&event)) check(error->message.size() <= 1024);
  }
  if (!split.failed) check(split.partial == (consumed < stream.size()));
  if (split.failed) check(!split.partial);
  return 0;
}
