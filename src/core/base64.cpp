#include "lambdagate/core/base64.hpp"

#include <array>
#include <cstdint>

namespace lambdagate::core::base64 {

namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::int8_t kInvalid = -1;

constexpr std::array<std::int8_t, 256> make_table() {
  std::array<std::int8_t, 256> table{};
  for (auto& entry : table) entry = kInvalid;
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
  }
  return table;
}

constexpr std::array<std::int8_t, 256> kValues = make_table();

int value_of(char c) { return kValues[static_cast<unsigned char>(c)]; }

bool is_skippable_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// Bit accumulator shared by both decoders; `finish` applies the checks they have in common.
class Decoder {
 public:
  explicit Decoder(std::size_t expected) { out_.reserve(expected); }

  void push(int value) {
    buffer_ = (buffer_ << 6) | static_cast<std::uint32_t>(value);
    bits_ += 6;
    ++symbols_;
    if (bits_ >= 8) {
      bits_ -= 8;
      out_.push_back(static_cast<char>((buffer_ >> bits_) & 0xffu));
    }
  }

  std::optional<std::string> finish(std::size_t padding) {
    if (symbols_ % 4 == 1 || padding > 2) return std::nullopt;
    if (padding > 0 && (symbols_ + padding) % 4 != 0) return std::nullopt;
    // Leftover bits must be zero, or the text was not produced by an encoder.
    if ((buffer_ & ((1u << bits_) - 1)) != 0) return std::nullopt;
    return std::move(out_);
  }

 private:
  std::string out_;
  std::uint32_t buffer_ = 0;
  int bits_ = 0;
  std::size_t symbols_ = 0;
};

}  // namespace

std::string encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t n = (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16) |
                            (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8) |
                            static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 2]));
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
    out.push_back(kAlphabet[n & 63]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (rest == 2) n |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(rest == 2 ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::optional<std::string> decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::size_t padding = 0;
  while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
  const std::string_view symbols = text.substr(0, text.size() - padding);
  Decoder decoder(symbols.size() / 4 * 3 + 2);
  for (char c : symbols) {
    const int value = value_of(c);
    if (value < 0) return std::nullopt;  // a bad symbol, whitespace, or a third '='
    decoder.push(value);
  }
  return decoder.finish(padding);
}

std::optional<std::string> decode_lenient(std::string_view text) {
  Decoder decoder(text.size() / 4 * 3 + 2);
  std::size_t padding = 0;
  for (char c : text) {
    if (is_skippable_space(c)) continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    const int value = value_of(c);
    if (value < 0 || padding > 0) return std::nullopt;  // bad symbol, or data after padding
    decoder.push(value);
  }
  return decoder.finish(padding);
}

}  // namespace lambdagate::core::base64
