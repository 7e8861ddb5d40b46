// head_scan's sixteen-byte scans held to the portable ones: every byte value at every position of
// lines around sixteen bytes long, and a long run of pseudo-random lines drawn from the bytes a
// head holds (letters, digits, '-', ':', tchar's symbols, spaces, CR, LF, DEL, obs-text).
#include "lambdagate/http/head_scan.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <string_view>

using namespace lambdagate::http::head_scan;

namespace {

void check_same(std::string_view text) {
  CHECK(token_length(text) == token_length_portable(text));
  for (std::size_t from = 0; from <= text.size(); ++from) {
    CHECK(find_control_byte(text, from) == find_control_byte_portable(text, from));
  }
}

}  // namespace

TEST_CASE("head_scan: every byte value at every position", "[http][head_scan]") {
  for (int c = 0; c < 256; ++c) {
    for (const std::size_t length : {1u, 15u, 16u, 17u, 31u, 33u}) {
      for (std::size_t at = 0; at < length; ++at) {
        std::string text(length, 'a');
        text[at] = static_cast<char>(c);
        INFO("byte " << c << " at " << at << " of " << length);
        check_same(text);
        text.assign(length, '-');
        text[at] = static_cast<char>(c);
        check_same(text);
      }
    }
  }
}

TEST_CASE("head_scan: pseudo-random head lines", "[http][head_scan]") {
  constexpr std::string_view kAlphabet =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-----::  \t\r\n\x7f\x80\xff"
      "!#$%&'*+.^_`|~\"(),/;<=>?@[\\]{}\x01";
  std::uint64_t state = 0x9E3779B97F4A7C15ULL;
  const auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  for (int i = 0; i < 20000; ++i) {
    std::string text(next() % 80, ' ');
    // Mostly name-like bytes, so that long runs reach the sixteen-byte steps.
    for (auto& c : text) c = kAlphabet[next() % (next() % 4 == 0 ? kAlphabet.size() : 67)];
    INFO("line " << i);
    check_same(text);
  }
  check_same("");
  CHECK(token_length("X-Amzn-Trace-Id: root=1") == 15);
  CHECK(find_control_byte("X-Amzn-Trace-Id: root=1-67a1b2c3\r\n", 0) == 32);
}
