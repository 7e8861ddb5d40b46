#pragma once
// 'text' in single quotes, for error messages naming a function or a file. Built by appending:
// GCC 12 flags `"'" + std::string(...)` with a false -Wrestrict.
#include <string>
#include <string_view>

namespace lambdagate::aws {

inline std::string in_quotes(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('\'');
  out.append(text);
  out.push_back('\'');
  return out;
}

}  // namespace lambdagate::aws
