#include "config/duration.hpp"

#include <cstdint>

namespace lambdagate::config::detail {

namespace {

// google.protobuf.Duration's own limit (about 10,000 years), in nanoseconds it would overflow
// int64, so the sum is kept in nanoseconds only up to this many milliseconds.
constexpr int64_t kMaxMilliseconds = 315'576'000'000LL * 1000;
constexpr std::size_t kMaxWholeDigits = 13;    // enough for the limit in any unit, no overflow below
constexpr std::size_t kMaxFractionDigits = 9;  // nanoseconds, as in protobuf

struct Unit {
  std::string_view name;
  int64_t nanoseconds;
};

// Longest names first, so "ms" is not read as "m" followed by "s".
constexpr Unit kUnits[] = {
    {"ms", 1'000'000},        {"us", 1'000},         {"\xC2\xB5s", 1'000}, {"ns", 1},
    {"h", 3'600'000'000'000}, {"m", 60'000'000'000}, {"s", 1'000'000'000},
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

constexpr std::string_view kExpected =
    "expected a number with a unit such as \"15s\", \"0.5s\", \"500ms\", \"2m\" or \"1h30m\"";

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text, std::string& error) {
  if (text.empty()) {
    error = "it is empty; " + std::string(kExpected);
    return std::nullopt;
  }
  if (text.front() == '-') {
    error = "it must not be negative";
    return std::nullopt;
  }
  if (text.front() == '+') text.remove_prefix(1);
  if (text == "0") return std::chrono::milliseconds(0);

  // Whole milliseconds and the nanoseconds left over, so "1h" and "1.5ns" are both exact.
  int64_t total_ms = 0;
  int64_t rest_ns = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t start = pos;
    while (pos < text.size() && is_digit(text[pos])) ++pos;
    std::string_view whole = text.substr(start, pos - start);
    std::string_view fraction;
    if (pos < text.size() && text[pos] == '.') {
      std::size_t fraction_start = ++pos;
      while (pos < text.size() && is_digit(text[pos])) ++pos;
      fraction = text.substr(fraction_start, pos - fraction_start);
    }
    if (whole.empty() && fraction.empty()) {
      error = std::string(kExpected);
      return std::nullopt;
    }
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (text.substr(pos).starts_with(u.name)) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr) {
      std::size_t unit_end = pos;
      while (unit_end < text.size() && !is_digit(text[unit_end]) && text[unit_end] != '.') ++unit_end;
      std::string_view name = text.substr(pos, unit_end - pos);
      error = name.empty() ? "the unit is missing; " + std::string(kExpected)
                           : "unknown unit '" + std::string(name) + "'; " + std::string(kExpected);
      return std::nullopt;
    }
    pos += unit->name.size();
    if (whole.size() > kMaxWholeDigits || fraction.size() > kMaxFractionDigits) {
      error = whole.size() > kMaxWholeDigits ? "it is too large" : "at most 9 fractional digits are allowed";
      return std::nullopt;
    }
    int64_t whole_value = 0;
    for (char c : whole) whole_value = whole_value * 10 + (c - '0');
    // whole × unit, split into milliseconds and nanoseconds without overflowing.
    const int64_t unit_ms = unit->nanoseconds / 1'000'000;
    const int64_t unit_ns = unit->nanoseconds % 1'000'000;
    if (unit_ms > 0 && whole_value > (kMaxMilliseconds - total_ms) / unit_ms) {
      error = "it is too large";
      return std::nullopt;
    }
    total_ms += whole_value * unit_ms;
    rest_ns += (whole_value % 1'000'000) * unit_ns;
    total_ms += (whole_value / 1'000'000) * unit_ns;
    // fraction × unit in nanoseconds, rounded up: a timeout is never shortened to zero.
    int64_t fraction_value = 0;
    int64_t fraction_scale = 1;
    for (char c : fraction) {
      fraction_value = fraction_value * 10 + (c - '0');
      fraction_scale *= 10;
    }
    if (fraction_value > 0) {
      // unit->nanoseconds ≤ 3.6e12 and fraction_value < 1e9: split to stay inside int64.
      const int64_t per_scale_ms = unit->nanoseconds / fraction_scale / 1'000'000;
      const int64_t per_scale_ns = unit->nanoseconds / fraction_scale % 1'000'000;
      const int64_t remainder = unit->nanoseconds % fraction_scale;
      total_ms += fraction_value * per_scale_ms;
      rest_ns +=
          fraction_value * per_scale_ns + (fraction_value * remainder + fraction_scale - 1) / fraction_scale;
    }
    total_ms += rest_ns / 1'000'000;
    rest_ns %= 1'000'000;
    if (total_ms > kMaxMilliseconds) {
      error = "it is too large";
      return std::nullopt;
    }
  }
  if (rest_ns > 0) ++total_ms;  // round up to whole milliseconds
  return std::chrono::milliseconds(total_ms);
}

}  // namespace lambdagate::config::detail
