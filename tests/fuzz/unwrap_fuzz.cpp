// libFuzzer target for response unwrapping (src/proxy/response_unwrap.cpp) and the streaming
// prelude parser (src/proxy/http_prelude.cpp): the bytes a function sends back.
//
// Input: [flags][cut1][cut2][output bytes]. The output goes to unwrap_api_gateway_v1/v2 and
// unwrap_alb, and to an HttpPreludeParser fed in three pieces cut at cut1 and cut2 (modulo the
// length). flags bit 0 selects a 48-byte prelude limit so the limit is reachable with short inputs.
//
// Checked, beyond "no crash, no sanitizer report":
// - a mapped response has a status in 100–599, token header names, no CR/LF/NUL in values and no
//   framing headers; an error has a non-empty, bounded reason;
// - 1.0 and ALB (same rules) agree;
// - the split feed and a single feed end in the same state with the same head, body and error;
// - when Ready, the body is exactly the bytes after the first 8-NUL run and the prelude before it
//   is within the limit; when NeedMore, no 8-NUL run has arrived and at most limit+7 bytes did.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "lambdagate/proxy/payload_mapping.hpp"

namespace proxy = lambdagate::proxy;

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool is_token(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) return false;
  }
  return true;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void check_headers(const proxy::HeaderPairs& headers) {
  for (const auto& [name, value] : headers) {
    check(is_token(name));
    check(value.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos);
    const std::string folded = lower(name);
    for (std::string_view framing :
         {"content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer"}) {
      check(folded != framing);
    }
  }
}

void check_result(const proxy::UnwrapResult& result) {
  if (const auto* response = std::get_if<proxy::MappedResponse>(&result)) {
    check(response->status >= 100 && response->status <= 599);
    check_headers(response->headers);
  } else {
    const auto& reason = std::get<proxy::UnwrapError>(result).reason;
    check(!reason.empty() && reason.size() <= 512);
  }
}

bool same(const proxy::UnwrapResult& a, const proxy::UnwrapResult& b) {
  if (a.index() != b.index()) return false;
  if (const auto* x = std::get_if<proxy::MappedResponse>(&a)) {
    const auto& y = std::get<proxy::MappedResponse>(b);
    return x->status == y.status && x->headers == y.headers && x->body == y.body;
  }
  return std::get<proxy::UnwrapError>(a).reason == std::get<proxy::UnwrapError>(b).reason;
}

struct Fed {
  proxy::HttpPreludeParser::State state;
  proxy::MappedResponse head;
  std::string body;
  std::string error;
};

Fed feed(std::string_view stream, std::size_t cut1, std::size_t cut2, std::size_t limit) {
  proxy::HttpPreludeParser parser(limit);
  Fed fed{};
  parser.feed(stream.substr(0, cut1), fed.body);
  parser.feed(stream.substr(cut1, cut2 - cut1), fed.body);
  fed.state = parser.feed(stream.substr(cut2), fed.body);
  check(fed.state == parser.state());
  fed.head = parser.head();
  fed.error = parser.error();
  return fed;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const bool small_limit = (data[0] & 0x01u) != 0;
  const std::string_view output(reinterpret_cast<const char*>(data) + 3, size - 3);
  std::size_t cut1 = data[1] % (output.size() + 1);
  std::size_t cut2 = data[2] % (output.size() + 1);
  if (cut1 > cut2) std::swap(cut1, cut2);

  const auto v1 = proxy::unwrap_api_gateway_v1(output);
  const auto v2 = proxy::unwrap_api_gateway_v2(output);
  const auto alb = proxy::unwrap_alb(output);
  check_result(v1);
  check_result(v2);
  check_result(alb);
  check(same(v1, alb));

  using State = proxy::HttpPreludeParser::State;
  const std::size_t limit = small_limit ? 48 : 64 * 1024;
  const Fed split = feed(output, cut1, cut2, limit);
  const Fed whole = feed(output, output.size(), output.size(), limit);
  check(split.state == whole.state);
  check(split.error == whole.error);
  check(split.body == whole.body);
  check(split.head.status == whole.head.status && split.head.headers == whole.head.headers);
  check((split.state == State::Failed) == !split.error.empty());

  const std::size_t delimiter = output.find(std::string_view("\0\0\0\0\0\0\0\0", 8));
  switch (split.state) {
    case State::Ready:
      check(delimiter != std::string_view::npos && delimiter <= limit);
      check(split.body == output.substr(delimiter + 8));
      check(split.head.status >= 100 && split.head.status <= 599);
      check(split.head.body.empty());
      check_headers(split.head.headers);
      break;
    case State::NeedMore:
      check(delimiter == std::string_view::npos && output.size() <= limit + 7);
      check(split.body.empty());
      break;
    case State::Failed:
      check(split.body.empty());
      break;
  }
  return 0;
}
