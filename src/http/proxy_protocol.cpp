// The PROXY protocol v1 and v2 parser (see proxy_protocol.hpp).
#include "lambdagate/http/proxy_protocol.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace lambdagate::http {

namespace {

constexpr std::string_view kV1Prefix = "PROXY ";
constexpr std::size_t kV1MaxLength = 107;  // the spec's bound, CRLF included
constexpr char kV2Signature[12] = {'\r', '\n', '\r', '\n', '\0', '\r', '\n', 'Q', 'U', 'I', 'T', '\n'};
const std::string_view kV2SignatureView(kV2Signature, sizeof kV2Signature);

ProxyParse invalid(std::string error) {
  ProxyParse result;
  result.status = ProxyParse::Status::Invalid;
  result.error = std::move(error);
  return result;
}

bool is_prefix_of(std::string_view bytes, std::string_view whole) {
  const std::size_t n = std::min(bytes.size(), whole.size());
  return bytes.substr(0, n) == whole.substr(0, n);
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  if (text.empty() || text.size() > 5 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

// An address in its family's text form, re-printed canonically (inet_pton refuses the rest).
std::optional<std::string> parse_address(std::string_view text, int family) {
  if (text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char buffer[INET6_ADDRSTRLEN] = {};
  std::memcpy(buffer, text.data(), text.size());
  unsigned char binary[16];
  if (::inet_pton(family, buffer, binary) != 1) return std::nullopt;
  char out[INET6_ADDRSTRLEN];
  if (!::inet_ntop(family, binary, out, sizeof out)) return std::nullopt;
  return std::string(out);
}

ProxyParse parse_v1(std::string_view bytes) {
  const std::size_t end = bytes.find("\r\n");
  // Printable ASCII up to the CRLF (a lone CR may be the last byte so far): judged on the bytes
  // seen, so a header arriving byte by byte gets the verdict the whole one gets.
  const std::size_t scanned = end == std::string_view::npos ? bytes.size() : end;
  for (std::size_t i = 0; i < scanned; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c == '\r' && i + 1 == bytes.size()) continue;
    if (c < 0x20 || c > 0x7E) return invalid("PROXY v1 header has a byte that is not printable ASCII");
  }
  if (end == std::string_view::npos) {
    if (bytes.size() >= kV1MaxLength) return invalid("PROXY v1 header longer than 107 bytes");
    return {};
  }
  if (end + 2 > kV1MaxLength) return invalid("PROXY v1 header longer than 107 bytes");
  std::string_view line = bytes.substr(kV1Prefix.size(), end - kV1Prefix.size());
  std::string_view fields[5];
  std::size_t count = 0;
  while (!line.empty() && count < 5) {
    const std::size_t space = line.find(' ');
    fields[count++] = line.substr(0, space);
    line = space == std::string_view::npos ? std::string_view{} : line.substr(space + 1);
  }
  ProxyParse result;
  result.status = ProxyParse::Status::Complete;
  result.header.length = end + 2;
  if (count >= 1 && fields[0] == "UNKNOWN") return result;  // the rest of the line is ignored
  if (count != 5 || !line.empty()) return invalid("PROXY v1 header: expected 'PROXY TCP4|TCP6 src dst sport dport'");
  int family = 0;
  if (fields[0] == "TCP4") {
    family = AF_INET;
  } else if (fields[0] == "TCP6") {
    family = AF_INET6;
  } else {
    return invalid("PROXY v1 header: unknown protocol");
  }
  auto source = parse_address(fields[1], family);
  auto destination = parse_address(fields[2], family);
  auto source_port = parse_port(fields[3]);
  auto destination_port = parse_port(fields[4]);
  if (!source || !destination || !source_port || !destination_port)
    return invalid("PROXY v1 header: malformed address or port");
  result.header.source_address = std::move(source);
  result.header.source_port = *source_port;
  return result;
}

ProxyParse parse_v2(std::string_view bytes) {
  if (bytes.size() < 16) return {};
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
  const unsigned version = byte(12) >> 4;
  const unsigned command = byte(12) & 0x0F;
  if (version != 2) return invalid("PROXY v2 header: unsupported version");
  if (command > 1) return invalid("PROXY v2 header: unknown command");
  const std::size_t length = (static_cast<std::size_t>(byte(14)) << 8) | byte(15);
  if (16 + length > kMaxProxyHeaderBytes) return invalid("PROXY v2 header too long");
  if (bytes.size() < 16 + length) return {};
  ProxyParse result;
  result.status = ProxyParse::Status::Complete;
  result.header.length = 16 + length;
  if (command == 0) return result;  // LOCAL: the proxy's own connection (a health check)
  const unsigned family = byte(13) >> 4;
  const unsigned transport = byte(13) & 0x0F;
  if (family == 0 || transport == 0) return result;  // UNSPEC: keep the connection's address
  if (transport > 2) return invalid("PROXY v2 header: unknown transport");
  const char* addresses = bytes.data() + 16;
  char text[INET6_ADDRSTRLEN];
  if (family == 1) {  // AF_INET: src(4) dst(4) sport(2) dport(2)
    if (length < 12) return invalid("PROXY v2 header: address block too short for IPv4");
    if (!::inet_ntop(AF_INET, addresses, text, sizeof text)) return invalid("PROXY v2 header: bad IPv4 address");
    result.header.source_port = static_cast<std::uint16_t>((byte(16 + 8) << 8) | byte(16 + 9));
  } else if (family == 2) {  // AF_INET6: src(16) dst(16) sport(2) dport(2)
    if (length < 36) return invalid("PROXY v2 header: address block too short for IPv6");
    if (!::inet_ntop(AF_INET6, addresses, text, sizeof text)) return invalid("PROXY v2 header: bad IPv6 address");
    result.header.source_port = static_cast<std::uint16_t>((byte(16 + 32) << 8) | byte(16 + 33));
  } else if (family == 3) {  // AF_UNIX: no address worth reporting
    return result;
  } else {
    return invalid("PROXY v2 header: unknown address family");
  }
  result.header.source_address = std::string(text);
  return result;
}

}  // namespace

bool starts_like_proxy_header(std::string_view bytes) {
  return is_prefix_of(bytes, kV1Prefix) || is_prefix_of(bytes, kV2SignatureView);
}

ProxyParse parse_proxy_header(std::string_view bytes) {
  if (bytes.empty()) return {};
  if (is_prefix_of(bytes, kV2SignatureView)) {
    if (bytes.size() < kV2SignatureView.size()) return {};
    return parse_v2(bytes);
  }
  if (is_prefix_of(bytes, kV1Prefix)) {
    if (bytes.size() < kV1Prefix.size()) return {};
    return parse_v1(bytes);
  }
  return invalid("the connection does not start with a PROXY protocol header");
}

}  // namespace lambdagate::http
