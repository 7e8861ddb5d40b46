#pragma once
// ASCII case folding for `caseSensitive: false` paths. One definition, shared by CompiledMatcher and
// the path indexes, so that a key the index files under its folded form is exactly a key the matcher
// accepts; std::tolower would follow the process locale and could let the two disagree.
#include <string>
#include <string_view>

namespace lambdagate::routing {

constexpr char fold_ascii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string fold_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = fold_ascii(c);
  return out;
}

}  // namespace lambdagate::routing
