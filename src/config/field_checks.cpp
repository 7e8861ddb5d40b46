#include "config/field_checks.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>

#include "lambdagate/core/ascii.hpp"

namespace lambdagate::config::detail {

bool is_token(std::string_view name) {
  constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::all_of(name.begin(), name.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || kSymbols.find(c) != std::string_view::npos;
  });
}

bool has_control_character(std::string_view value) {
  return std::any_of(value.begin(), value.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && u != '\t') || u == 0x7f;
  });
}

bool check_regex(const Field& field, const std::string& pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  RE2 re(pattern, options);
  if (re.ok()) return true;
  field.error("'" + field.path + "' is not a valid RE2 regular expression: " + re.error());
  return false;
}

std::string header_name_of(const Field& field, const std::string& name) {
  if (!is_token(name)) {
    field.error("'" + field.path + "' " + quote_value(name) + " is not a valid header name");
    return {};
  }
  return core::to_lower_ascii(name);
}

}  // namespace lambdagate::config::detail
