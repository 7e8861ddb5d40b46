// libFuzzer target for the PROXY protocol parser (src/http/proxy_protocol.cpp): the first bytes
// of every connection on a listener with the PROXY protocol on, from anyone who can connect.
//
// Checked, beyond "no crash, no sanitizer report":
// - a Complete header has a length within the input and within kMaxProxyHeaderBytes, and the
//   input cut at that length parses to the same header (the parser looks at nothing after it);
// - every shorter prefix of a Complete header is NeedMore (bytes arriving one at a time never
//   get a different verdict);
// - NeedMore never happens past kMaxProxyHeaderBytes (the listener's buffer is bounded);
// - an Invalid verdict has a reason.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lambdagate/http/proxy_protocol.hpp"

namespace http = lambdagate::http;

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const http::ProxyParse parsed = http::parse_proxy_header(bytes);
  using Status = http::ProxyParse::Status;
  if (parsed.status == Status::NeedMore) check(size < http::kMaxProxyHeaderBytes);
  if (parsed.status == Status::Invalid) check(!parsed.error.empty());
  if (parsed.status == Status::Complete) {
    const std::size_t length = parsed.header.length;
    check(length > 0 && length <= size && length <= http::kMaxProxyHeaderBytes);
    const http::ProxyParse exact = http::parse_proxy_header(bytes.substr(0, length));
    check(exact.status == Status::Complete && exact.header.length == length &&
          exact.header.source_address == parsed.header.source_address &&
          exact.header.source_port == parsed.header.source_port);
    for (std::size_t n = 0; n < length; ++n) {
      check(http::parse_proxy_header(bytes.substr(0, n)).status == Status::NeedMore);
    }
  }
  return 0;
}
