#pragma once
// Checks on field values that several parsers share. Internal to the config module.
#include <string>
#include <string_view>

#include "config/yaml_reader.hpp"

namespace lambdagate::config::detail {

// RFC 9110 token characters, which is all a header name may hold.
bool is_token(std::string_view name);

// Field values may hold tabs but no other control character; CR and LF would split a header.
bool has_control_character(std::string_view value);

// Compiles `pattern` with RE2 so a bad pattern is a load error, not a surprise on the first
// request; reports a located error and returns false when it does not compile.
bool check_regex(const Field& field, const std::string& pattern);

// A header name written in a policy (tokenSource, claimsToHeaders): a token, lower-cased. Reports
// a located error and gives an empty string when it is not one.
std::string header_name_of(const Field& field, const std::string& name);

}  // namespace lambdagate::config::detail
