// HttpPreludeParser: the prelude/body split of an HTTP-integration response stream
// (aws-protocols.md §4). The prelude's JSON is mapped by unwrap_http_prelude.
#include <algorithm>

#include "lambdagate/proxy/payload_mapping.hpp"

namespace lambdagate::proxy {

namespace {
constexpr std::size_t kDelimiterLength = 8;  // 8 NUL bytes, as AWS's runtime writes them
}  // namespace

HttpPreludeParser::HttpPreludeParser(std::size_t max_prelude_bytes) : max_prelude_bytes_(max_prelude_bytes) {}

HttpPreludeParser::State HttpPreludeParser::fail(std::string reason) {
  error_ = std::move(reason);
  held_.clear();
  held_.shrink_to_fit();
  state_ = State::Failed;
  return state_;
}

HttpPreludeParser::State HttpPreludeParser::feed(std::string_view bytes, std::string& body_out) {
  if (state_ == State::Ready) {
    body_out.append(bytes);
    return state_;
  }
  if (state_ == State::Failed) return state_;

  // One pass over the new bytes, counting the run of zeros; the run may have begun in an earlier
  // feed. Bytes before the run are prelude, so the limit is checked against them as they come.
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] != '\0') {
      zero_run_ = 0;
      if (held_.size() + i + 1 > max_prelude_bytes_) {
        return fail("response stream prelude exceeds " + std::to_string(max_prelude_bytes_) +
                    " bytes without the 8-NUL delimiter");
      }
      continue;
    }
    if (++zero_run_ < kDelimiterLength) continue;

    held_.append(bytes.substr(0, i + 1));
    held_.resize(held_.size() - kDelimiterLength);
    auto result = unwrap_http_prelude(held_);
    held_.clear();
    held_.shrink_to_fit();
    if (auto* failure = std::get_if<UnwrapError>(&result)) return fail(std::move(failure->reason));
    head_ = std::move(std::get<MappedResponse>(result));
    state_ = State::Ready;
    body_out.append(bytes.substr(i + 1));
    return state_;
  }
  held_.append(bytes);
  return state_;
}

}  // namespace lambdagate::proxy
