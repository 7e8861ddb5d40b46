// The PROXY protocol parser (http/proxy_protocol.hpp): v1 and v2 headers as an NLB sends them,
// split anywhere (NeedMore until decidable), LOCAL/UNKNOWN connections, and every malformed form
// refused rather than guessed.
#include "lambdagate/http/proxy_protocol.hpp"

#include <catch2/catch.hpp>
#include <string>

namespace {

using namespace lambdagate::http;
using Status = ProxyParse::Status;

std::string v2(unsigned char command, unsigned char family, const std::string& addresses) {
  std::string out("\r\n\r\n\0\r\nQUIT\n", 12);
  out += static_cast<char>(0x20 | command);
  out += static_cast<char>(family);
  out += static_cast<char>(addresses.size() >> 8);
  out += static_cast<char>(addresses.size() & 0xFF);
  return out + addresses;
}

std::string v2_ipv4() {
  // 203.0.113.7:51000 -> 10.0.0.1:8080, then a TLV (type 0x04, length 2).
  return v2(1, 0x11, std::string("\xCB\x00\x71\x07\x0A\x00\x00\x01\xC7\x38\x1F\x90\x04\x00\x02xy", 17));
}

}  // namespace

// v1 over TCP4 and TCP6: the client address and port, and where the request starts.
TEST_CASE("proxy protocol: v1", "[http][proxy-protocol]") {
  const std::string header = "PROXY TCP4 198.51.100.22 10.0.0.1 35646 8080\r\n";
  auto parsed = parse_proxy_header(header + "GET / HTTP/1.1\r\n");
  REQUIRE(parsed.status == Status::Complete);
  CHECK(parsed.header.length == header.size());
  CHECK(parsed.header.source_address == "198.51.100.22");
  CHECK(parsed.header.source_port == 35646);

  parsed = parse_proxy_header("PROXY TCP6 2001:db8::1 2001:db8::2 443 8080\r\n");
  REQUIRE(parsed.status == Status::Complete);
  CHECK(parsed.header.source_address == "2001:db8::1");

  parsed = parse_proxy_header("PROXY UNKNOWN ffff::1 whatever\r\n");
  REQUIRE(parsed.status == Status::Complete);
  CHECK_FALSE(parsed.header.source_address);

  // Split anywhere: more bytes are needed, never a wrong verdict.
  for (std::size_t n = 1; n < header.size(); ++n) {
    INFO(n);
    CHECK(parse_proxy_header(header.substr(0, n)).status == Status::NeedMore);
  }
}

// v2 PROXY over IPv4 and IPv6 (TLVs skipped), LOCAL (the NLB's health check), split anywhere.
TEST_CASE("proxy protocol: v2", "[http][proxy-protocol]") {
  const std::string header = v2_ipv4();
  auto parsed = parse_proxy_header(header + "GET / HTTP/1.1\r\n");
  REQUIRE(parsed.status == Status::Complete);
  CHECK(parsed.header.length == header.size());
  CHECK(parsed.header.source_address == "203.0.113.7");
  CHECK(parsed.header.source_port == 51000);
  for (std::size_t n = 1; n < header.size(); ++n) {
    INFO(n);
    CHECK(parse_proxy_header(header.substr(0, n)).status == Status::NeedMore);
  }

  std::string six(36, '\0');
  six[15] = 1;         // ::1
  six[16 + 15] = 2;    // ::2
  six[32] = '\x01';    // port 256 + 187
  six[33] = '\xBB';
  parsed = parse_proxy_header(v2(1, 0x21, six));
  REQUIRE(parsed.status == Status::Complete);
  CHECK(parsed.header.source_address == "::1");
  CHECK(parsed.header.source_port == 443);

  parsed = parse_proxy_header(v2(0, 0x00, ""));
  REQUIRE(parsed.status == Status::Complete);
  CHECK_FALSE(parsed.header.source_address);
}

// Malformed headers and plain traffic are Invalid; starts_like_proxy_header tells plain HTTP
// (allowed with allowRequestsWithoutProxyProtocol) from a broken header (never allowed).
TEST_CASE("proxy protocol: refused", "[http][proxy-protocol]") {
  for (const std::string& bytes : {
           std::string("GET / HTTP/1.1\r\n"),
           std::string("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n"),
           std::string("PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n"),
           std::string("PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n"),
           std::string("PROXY TCP4 ::1 ::2 1 2\r\n"),
           std::string("PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n"),
           std::string("PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n"),
           std::string("PROXY ") + std::string(200, 'a'),
           std::string("PROXY TCP4\n"),
           v2(2, 0x11, std::string(12, '\0')),
           v2(1, 0x11, std::string(8, '\0')),
           v2(1, 0x51, std::string(12, '\0')),
       }) {
    INFO(bytes);
    CHECK(parse_proxy_header(bytes).status == Status::Invalid);
  }
  std::string too_long = v2(1, 0x11, "");
  too_long[14] = '\x7F';
  CHECK(parse_proxy_header(too_long).status == Status::Invalid);
  std::string v3 = v2_ipv4();
  v3[12] = '\x31';
  CHECK(parse_proxy_header(v3).status == Status::Invalid);

  CHECK_FALSE(starts_like_proxy_header("GET / HTTP/1.1"));
  CHECK_FALSE(starts_like_proxy_header("PROPFIND /"));
  CHECK(starts_like_proxy_header("PROXY TCP4 bad"));
  CHECK(starts_like_proxy_header(std::string("\r\n\r\n\0", 5)));
}
