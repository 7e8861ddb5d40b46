// Path normalisation before route matching (see path_normalization.hpp).
#include "lambdagate/http/path_normalization.hpp"

#include <vector>

namespace lambdagate::http {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

void append_escape(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out += '%';
  out += kHex[c >> 4];
  out += kHex[c & 0xF];
}

// RFC 3986 §5.2.4 over whole segments: "." goes, ".." removes the segment before it (never above
// the root), and a path ending in either keeps its trailing slash.
std::string remove_dot_segments(std::string_view path) {
  std::vector<std::string_view> out;
  bool trailing_slash = false;
  std::size_t start = 1;  // path[0] == '/'
  for (;;) {
    const std::size_t end = path.find('/', start);
    const std::string_view segment =
        path.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (segment == ".") {
      trailing_slash = true;
    } else if (segment == "..") {
      if (!out.empty()) out.pop_back();
      trailing_slash = true;
    } else {
      out.push_back(segment);
      trailing_slash = false;
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  std::string result;
  for (const auto segment : out) {
    result += '/';
    result += segment;
  }
  if (result.empty() || (trailing_slash && result.back() != '/')) result += '/';
  return result;
}

// Whether the path is in normal form already, for every option: nothing to decode or refuse (no
// '%', no control byte), no backslash, and no empty, "." or ".." segment (a '/' followed by '/'
// or '.'). The usual request; normalising it would copy it twice to the same bytes.
bool already_normal(std::string_view path) {
  char previous = 0;
  for (const char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F || c == '%' || c == '\\') return false;
    if (previous == '/' && (c == '/' || c == '.')) return false;
    previous = ch;
  }
  return true;
}

}  // namespace

std::variant<NormalizedTarget, PathRefusal> normalize_target(std::string_view target, const PathOptions& options) {
  if (target.empty() || target.front() != '/') {
    return PathRefusal{"the request target must be a path starting with '/'"};
  }
  const std::size_t query_at = target.find('?');
  const std::string_view path = target.substr(0, query_at);
  const std::string_view query = query_at == std::string_view::npos ? std::string_view{} : target.substr(query_at);
  if (target.find('#') != std::string_view::npos) return PathRefusal{"the request target must not contain '#'"};
  if (already_normal(path)) return NormalizedTarget{std::string(target), false};

  std::string decoded;
  decoded.reserve(path.size());
  bool unescaped_slash = false;
  for (std::size_t i = 0; i < path.size(); ++i) {
    const auto c = static_cast<unsigned char>(path[i]);
    if (c < 0x20 || c == 0x7F) return PathRefusal{"the request path contains a control character"};
    if (c != '%') {
      // Backslashes separate segments for some backends; normalised they cannot hide a "..".
      decoded += (c == '\\' && options.normalize) ? '/' : static_cast<char>(c);
      continue;
    }
    const int hi = i + 2 < path.size() ? hex_value(path[i + 1]) : -1;
    const int lo = i + 2 < path.size() ? hex_value(path[i + 2]) : -1;
    if (hi < 0 || lo < 0) return PathRefusal{"the request path contains a malformed %-escape"};
    const auto value = static_cast<unsigned char>(hi * 16 + lo);
    i += 2;
    if (value == 0) return PathRefusal{"the request path contains an encoded NUL byte"};
    if (value == '/' || value == '\\') {
      switch (options.escaped_slashes) {
        case EscapedSlashes::Reject:
          return PathRefusal{"the request path contains an escaped slash (%2F or %5C)"};
        case EscapedSlashes::UnescapeAndForward:
        case EscapedSlashes::UnescapeAndRedirect:
          decoded += (value == '\\' && options.normalize) ? '/' : static_cast<char>(value);
          unescaped_slash = true;
          continue;
        case EscapedSlashes::Keep:
          append_escape(decoded, value);
          continue;
      }
    }
    if (options.normalize && unreserved(value)) {
      decoded += static_cast<char>(value);
    } else if (options.normalize) {
      append_escape(decoded, value);
    } else {
      decoded.append(path.substr(i - 2, 3));
    }
  }

  if (options.merge_slashes) {
    std::string merged;
    merged.reserve(decoded.size());
    for (char c : decoded) {
      if (c == '/' && !merged.empty() && merged.back() == '/') continue;
      merged += c;
    }
    decoded = std::move(merged);
  }
  NormalizedTarget result;
  result.target = options.normalize ? remove_dot_segments(decoded) : std::move(decoded);
  result.target.append(query);
  result.redirect = unescaped_slash && options.escaped_slashes == EscapedSlashes::UnescapeAndRedirect;
  return result;
}

}  // namespace lambdagate::http
