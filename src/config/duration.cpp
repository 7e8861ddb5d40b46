#include "config/duration.hpp"

#include <cctype>
#include <cstdint>

namespace lambdagate::config::detail {

namespace {

// google.protobuf.Duration's own limit (about 10,000 years).
constexpr int64_t kMaxMilliseconds = 315'576'000'000LL * 1000;
// Enough digits for the limit in any unit, few enough that whole * 60000 cannot overflow.
constexpr std::size_t kMaxWholeDigits = 13;
constexpr std::size_t kMaxFractionDigits = 9;  // nanoseconds, as in protobuf

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text, std::string& error) {
  const std::string_view expected =
      "expected a number with a unit such as \"15s\", \"0.5s\", \"500ms\" or \"2m\"";
  if (text.empty()) {
    error = "it is empty; " + std::string(expected);
    return std::nullopt;
  }
  if (text.front() == '-') {
    error = "it must not be negative";
    return std::nullopt;
  }
  if (text == "0") return std::chrono::milliseconds(0);

  std::size_t pos = 0;
  std::string_view whole;
  std::string_view fraction;
  while (pos < text.size() && is_digit(text[pos])) ++pos;
  whole = text.substr(0, pos);
  if (pos < text.size() && text[pos] == '.') {
    std::size_t start = ++pos;
    while (pos < text.size() && is_digit(text[pos])) ++pos;
    fraction = text.substr(start, pos - start);
  }
  std::string_view unit = text.substr(pos);
  if (whole.empty() && fraction.empty()) {
    error = expected;
    return std::nullopt;
  }

  int64_t unit_ms = 0;
  if (unit == "s") {
    unit_ms = 1000;
  } else if (unit == "ms") {
    unit_ms = 1;
  } else if (unit == "m") {
    unit_ms = 60'000;
  } else {
    error = unit.empty() ? "the unit is missing; " + std::string(expected)
                         : "unknown unit '" + std::string(unit) + "'; " + std::string(expected);
    return std::nullopt;
  }
  if (whole.size() > kMaxWholeDigits || fraction.size() > kMaxFractionDigits) {
    error = whole.size() > kMaxWholeDigits ? "it is too large" : "at most 9 fractional digits are allowed";
    return std::nullopt;
  }

  int64_t whole_value = 0;
  for (char c : whole) whole_value = whole_value * 10 + (c - '0');
  int64_t fraction_value = 0;
  int64_t fraction_scale = 1;
  for (char c : fraction) {
    fraction_value = fraction_value * 10 + (c - '0');
    fraction_scale *= 10;
  }
  // Round the fractional part up to whole milliseconds: a timeout is never shortened to zero.
  int64_t fraction_ms = (fraction_value * unit_ms + fraction_scale - 1) / fraction_scale;
  int64_t total = whole_value * unit_ms + fraction_ms;
  if (total > kMaxMilliseconds) {
    error = "it is too large";
    return std::nullopt;
  }
  return std::chrono::milliseconds(total);
}

}  // namespace lambdagate::config::detail
