// head_scan (head_scan.hpp): a response head's line ends and field names, found sixteen bytes
// at a time. Together they were about a third of ResponseParser's instructions per response, one
// or two bytes at a time over ten lines of Lambda's answer (issue 14).
#include "lambdagate/http/head_scan.hpp"

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace lambdagate::http::head_scan {

namespace {

// tchar (RFC 9110 §5.6.2): the bytes of a token, such as a field name.
constexpr std::array<bool, 256> make_token_table() {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (const char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
  return table;
}
constexpr std::array<bool, 256> kToken = make_token_table();

std::size_t token_length_from(std::string_view text, std::size_t n) {
  while (n < text.size() && kToken[static_cast<unsigned char>(text[n])]) ++n;
  return n;
}

#if defined(__SSE2__)
__m128i load16(const char* at) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(at)); }

// 0xFF in each lane whose byte, unsigned, is at most `limit`.
__m128i at_most(__m128i bytes, char limit) {
  return _mm_cmpeq_epi8(_mm_min_epu8(bytes, _mm_set1_epi8(limit)), bytes);
}
#endif

}  // namespace

// A line of the head holds text only: VCHAR, SP, HTAB and obs-text (RFC 9110 §5.5), so no
// control byte but HTAB (no CR, LF or NUL) and no DEL. In a valid line the first control byte
// (HTAB aside, which the caller steps over) is the CR of its CRLF, so one scan both finds the
// line's end and proves the line is text.
std::size_t find_control_byte(std::string_view bytes, std::size_t from) {
#if defined(__SSE2__)
  std::size_t at = from;
  for (; at + 16 <= bytes.size(); at += 16) {
    const __m128i chunk = load16(bytes.data() + at);
    const __m128i hits = _mm_or_si128(at_most(chunk, 0x1F), _mm_cmpeq_epi8(chunk, _mm_set1_epi8(0x7F)));
    const auto mask = static_cast<unsigned>(_mm_movemask_epi8(hits));
    if (mask != 0) return at + static_cast<std::size_t>(std::countr_zero(mask));
  }
  return find_control_byte_portable(bytes, at);
#else
  return find_control_byte_portable(bytes, from);
#endif
}

// Eight bytes at a time: a byte below 0x20 or equal to 0x7F sets its top bit in `hits` (the bit
// tricks of "Bit Twiddling Hacks": hasless and haszero); bytes above the first hit may be set by
// the borrow, but the lowest set bit is always a true hit.
std::size_t find_control_byte_portable(std::string_view bytes, std::size_t from) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
  std::size_t at = from;
  if constexpr (std::endian::native == std::endian::little) {
    for (; at + 8 <= bytes.size(); at += 8) {
      std::uint64_t word = 0;
      std::memcpy(&word, bytes.data() + at, 8);
      const std::uint64_t below_space = (word - kOnes * 0x20) & ~word & kHighBits;
      const std::uint64_t del = word ^ (kOnes * 0x7F);
      const std::uint64_t hits = below_space | ((del - kOnes) & ~del & kHighBits);
      if (hits != 0) return at + static_cast<std::size_t>(std::countr_zero(hits)) / 8;
    }
  }
  for (; at < bytes.size(); ++at) {
    const auto c = static_cast<unsigned char>(bytes[at]);
    if (c < 0x20 || c == 0x7F) return at;
  }
  return at;
}

// Field names are letters, digits and '-' nearly always: runs of those are stepped over sixteen
// bytes at a time, and the table decides from the first other byte on (the ':' after a name, or
// one of tchar's other symbols).
std::size_t token_length(std::string_view text) {
  std::size_t n = 0;
#if defined(__SSE2__)
  for (; n + 16 <= text.size(); n += 16) {
    const __m128i chunk = load16(text.data() + n);
    // ORing in 0x20 maps A-Z onto a-z and nothing else onto a-z.
    const __m128i letter =
        at_most(_mm_sub_epi8(_mm_or_si128(chunk, _mm_set1_epi8(0x20)), _mm_set1_epi8('a')), 'z' - 'a');
    const __m128i digit = at_most(_mm_sub_epi8(chunk, _mm_set1_epi8('0')), '9' - '0');
    const __m128i dash = _mm_cmpeq_epi8(chunk, _mm_set1_epi8('-'));
    const auto mask =
        static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(letter, digit), dash)));
    if (mask != 0xFFFF) {
      n += static_cast<std::size_t>(std::countr_one(mask));
      break;
    }
  }
#endif
  return token_length_from(text, n);
}

std::size_t token_length_portable(std::string_view text) { return token_length_from(text, 0); }

}  // namespace lambdagate::http::head_scan
