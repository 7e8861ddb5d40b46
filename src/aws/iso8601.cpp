// ISO-8601 timestamps in credential responses (see iso8601.hpp).
#include "iso8601.hpp"

#include <chrono>

namespace lambdagate::aws {

namespace {

// Reads exactly `digits` decimal digits at `pos`, advancing it.
std::optional<int> read_number(std::string_view text, std::size_t& pos, std::size_t digits) {
  if (pos + digits > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += digits;
  return value;
}

bool expect(std::string_view text, std::size_t& pos, char wanted) {
  if (pos >= text.size() || text[pos] != wanted) return false;
  ++pos;
  return true;
}

}  // namespace

std::optional<core::SystemTime> parse_iso8601(std::string_view text) {
  using namespace std::chrono;
  std::size_t pos = 0;
  const auto y = read_number(text, pos, 4);
  if (!y || !expect(text, pos, '-')) return std::nullopt;
  const auto mo = read_number(text, pos, 2);
  if (!mo || !expect(text, pos, '-')) return std::nullopt;
  const auto d = read_number(text, pos, 2);
  if (!d) return std::nullopt;
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != 't')) return std::nullopt;
  ++pos;
  const auto h = read_number(text, pos, 2);
  if (!h || !expect(text, pos, ':')) return std::nullopt;
  const auto mi = read_number(text, pos, 2);
  if (!mi || !expect(text, pos, ':')) return std::nullopt;
  const auto s = read_number(text, pos, 2);
  if (!s) return std::nullopt;

  const year_month_day date{year{*y}, month{static_cast<unsigned>(*mo)}, day{static_cast<unsigned>(*d)}};
  // A leap second (":60") is not accepted: no AWS service sends one and it has no system_clock value.
  if (!date.ok() || *h > 23 || *mi > 59 || *s > 59) return std::nullopt;

  nanoseconds fraction{0};
  if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
    ++pos;
    std::size_t digits = 0;
    long long value = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      // Digits past nanoseconds are dropped: truncation errs towards an earlier expiry.
      if (digits < 9) {
        value = value * 10 + (text[pos] - '0');
        ++digits;
      }
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (std::size_t i = digits; i < 9; ++i) value *= 10;
    fraction = nanoseconds{value};
  }

  minutes offset{0};
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const bool negative = text[pos] == '-';
    ++pos;
    const auto oh = read_number(text, pos, 2);
    if (!oh || !expect(text, pos, ':')) return std::nullopt;
    const auto om = read_number(text, pos, 2);
    if (!om || *oh > 23 || *om > 59) return std::nullopt;
    offset = hours{*oh} + minutes{*om};
    if (negative) offset = -offset;
  } else {
    // No zone: local time is meaningless for an expiry, so refuse rather than assume UTC.
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;

  // Local time = UTC + offset, so UTC = local time - offset.
  const auto local = sys_days{date} + hours{*h} + minutes{*mi} + seconds{*s} - offset;
  // SystemTime counts nanoseconds in 64 bits: years past 2262 (or before 1677) do not fit, and
  // converting them would overflow (found by tests/fuzz/sts_xml_fuzz.cpp under UBSan).
  constexpr auto kLimit = duration_cast<seconds>(core::SystemTime::duration::max()) - seconds{1};
  if (local.time_since_epoch() > kLimit || local.time_since_epoch() < -kLimit) return std::nullopt;
  return time_point_cast<core::SystemTime::duration>(local) +
         duration_cast<core::SystemTime::duration>(fraction);
}

}  // namespace lambdagate::aws
