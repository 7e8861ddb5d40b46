#pragma once
// A bound on JSON nesting, checked before parsing: nlohmann's parser keeps a stack as deep as
// the document, so a hostile `[[[[...` must be refused before it is handed over (JWT and JWKS
// documents, and a function's response before it is unwrapped).
#include <cstddef>
#include <string_view>

namespace lambdagate::core {

// True when no array or object in `text` nests deeper than `max_depth`. Strings are skipped,
// escapes included; the text need not be valid JSON (the parser judges that afterwards).
inline bool json_depth_within(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > max_depth) return false;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
  }
  return true;
}

}  // namespace lambdagate::core
