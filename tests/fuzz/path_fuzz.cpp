// libFuzzer target for path normalisation (src/http/path_normalization.cpp): every request
// target, before route matching.
//
// Input: [options][target bytes]. Options bit 0: normalize; bit 1: merge slashes; bits 2-3: the
// escaped-slash action.
//
// Checked, beyond "no crash, no sanitizer report":
// - a normalised target starts with '/', keeps the query as it was, and (normalising) has no "."
//   or ".." segment and no unreserved character left %-encoded; merging, no "//";
// - normalising is idempotent: the result normalises to itself (so no second pass, anywhere,
//   could see another path than the one routes were matched against);
// - a refusal has a reason.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "lambdagate/http/path_normalization.hpp"

namespace http = lambdagate::http;

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool has_dot_segment(std::string_view path) {
  std::size_t start = 1;
  for (;;) {
    const std::size_t end = path.find('/', start);
    const std::string_view segment = path.substr(start, end == std::string_view::npos ? end : end - start);
    if (segment == "." || segment == "..") return true;
    if (end == std::string_view::npos) return false;
    start = end + 1;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  http::PathOptions options;
  options.normalize = data[0] & 1;
  options.merge_slashes = data[0] & 2;
  options.escaped_slashes = static_cast<http::EscapedSlashes>((data[0] >> 2) & 3);
  const std::string_view target(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto result = http::normalize_target(target, options);
  if (const auto* refusal = std::get_if<http::PathRefusal>(&result)) {
    check(!refusal->message.empty());
    return 0;
  }
  const std::string& out = std::get<http::NormalizedTarget>(result).target;
  check(!out.empty() && out.front() == '/');
  const std::size_t query_in = target.find('?');
  const std::size_t query_out = out.find('?');
  check((query_in == std::string_view::npos) == (query_out == std::string::npos));
  if (query_in != std::string_view::npos) check(target.substr(query_in) == std::string_view(out).substr(query_out));
  const std::string_view path = std::string_view(out).substr(0, query_out);
  if (options.normalize) {
    check(!has_dot_segment(path));
    for (std::size_t i = 0; i + 2 < path.size(); ++i) {
      if (path[i] != '%') continue;
      const std::string escape(path.substr(i, 3));
      check(escape != "%2E" && escape != "%7E" && escape != "%41" && escape != "%5F" && escape != "%2D");
    }
  }
  if (options.merge_slashes) check(path.find("//") == std::string_view::npos);
  if (options.escaped_slashes != http::EscapedSlashes::UnescapeAndRedirect) {
    const auto again = http::normalize_target(out, options);
    check(std::holds_alternative<http::NormalizedTarget>(again) &&
          std::get<http::NormalizedTarget>(again).target == out);
  }
  return 0;
}
