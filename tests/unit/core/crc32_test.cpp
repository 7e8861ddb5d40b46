// CRC-32 (zlib's) against its check values, a bitwise reference, and itself split anywhere.
#include "lambdagate/core/crc32.hpp"

#include <catch2/catch.hpp>
#include <string>

using lambdagate::core::crc32;

namespace {

// Bit-at-a-time CRC-32, the definition the sliced tables must agree with.
std::uint32_t reference_crc32(std::string_view bytes) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (const char c : bytes) {
    crc ^= static_cast<unsigned char>(c);
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1u) ? 0xEDB88320u : 0u);
  }
  return ~crc;
}

std::string pseudo_random_bytes(std::size_t n) {
  std::string out;
  std::uint32_t state = 12345;
  for (std::size_t i = 0; i < n; ++i) {
    state = state * 1103515245u + 12345u;
    out.push_back(static_cast<char>(state >> 24));
  }
  return out;
}

}  // namespace

// The published check values of CRC-32/ISO-HDLC (zlib's crc32).
TEST_CASE("crc32 matches the standard check values", "[crc32]") {
  struct Case {
    std::string input;
    std::uint32_t crc;
  };
  const Case cases[] = {
      {"", 0x00000000u},
      {"a", 0xE8B7BE43u},
      {"123456789", 0xCBF43926u},
      {"The quick brown fox jumps over the lazy dog", 0x414FA339u},
      {std::string(32, '\0'), 0x190A55ADu},
  };
  for (const auto& c : cases) {
    INFO(c.input);
    CHECK(crc32(c.input) == c.crc);
  }
}

// The 8-byte sliced loop and its byte-wise tail agree with the bitwise definition at every length.
TEST_CASE("crc32 agrees with the bitwise definition for every length up to 80", "[crc32]") {
  const std::string data = pseudo_random_bytes(80);
  for (std::size_t n = 0; n <= data.size(); ++n) {
    INFO("length " << n);
    CHECK(crc32(std::string_view(data).substr(0, n)) == reference_crc32(std::string_view(data).substr(0, n)));
  }
}

// Continuing from a previous CRC gives the CRC of the concatenation, whatever the split.
TEST_CASE("crc32 is incremental at every split point", "[crc32]") {
  const std::string data = pseudo_random_bytes(67);
  const std::uint32_t whole = crc32(data);
  for (std::size_t split = 0; split <= data.size(); ++split) {
    const std::string_view a = std::string_view(data).substr(0, split);
    const std::string_view b = std::string_view(data).substr(split);
    INFO("split " << split);
    CHECK(crc32(b, crc32(a)) == whole);
  }
  CHECK(crc32("", crc32("123456789")) == 0xCBF43926u);
  CHECK(crc32("56789", crc32("1234")) == 0xCBF43926u);
}
