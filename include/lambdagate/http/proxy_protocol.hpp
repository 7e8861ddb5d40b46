#pragma once
// The PROXY protocol (HAProxy's spec, versions 1 and 2), as an AWS NLB or another proxy sends it
// before the first byte of the connection: the client's address as the proxy saw it. Pure: bytes
// in, a verdict out; the listener reads (server.cpp) and calls this until it is no longer
// NeedMore.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lambdagate::http {

struct ProxyHeader {
  std::size_t length = 0;  // bytes of the header: the request starts after them
  // The client's address and port; unset for LOCAL (v2) and UNKNOWN (v1) connections — a health
  // check by the proxy itself — where the connection's own address stands.
  std::optional<std::string> source_address;
  std::uint16_t source_port = 0;
};

struct ProxyParse {
  enum class Status { Complete, NeedMore, Invalid };
  Status status = Status::NeedMore;
  ProxyHeader header;  // Complete
  std::string error;   // Invalid: why, safe to log
};

// The longest header accepted: v1's 107 bytes, v2's 16 + 216 address bytes + TLVs (bounded here
// so a peer cannot make the listener buffer without limit).
inline constexpr std::size_t kMaxProxyHeaderBytes = 16 + 2048;

// Parses the start of a connection. NeedMore until enough bytes are there to decide; Invalid as
// soon as the bytes cannot begin a valid header (so a client speaking HTTP directly is told at
// its first bytes, when the PROXY protocol is optional: see starts_like_proxy_header).
ProxyParse parse_proxy_header(std::string_view bytes);

// Whether `bytes` could still be the start of a PROXY header (v1 "PROXY " or the v2 signature):
// false means plain traffic, which allowRequestsWithoutProxyProtocol lets through.
bool starts_like_proxy_header(std::string_view bytes);

}  // namespace lambdagate::http
