#include <algorithm>
#include <charconv>

#include "lambdagate/core/ascii.hpp"
#include "lambdagate/http/client.hpp"

namespace lambdagate::http {

namespace {

// IPv6 literals are bracketed in URLs and Host headers.
std::string bracketed(const std::string& host) {
  if (host.find(':') == std::string::npos) return host;
  std::string out;
  out.reserve(host.size() + 2);
  out.push_back('[');
  out.append(host);
  out.push_back(']');
  return out;
}

}  // namespace

std::string Endpoint::host_header() const {
  const bool default_port = (tls() && port == 443) || (!tls() && port == 80);
  std::string h = bracketed(host);
  if (!default_port) {
    h.push_back(':');
    h.append(std::to_string(port));
  }
  return h;
}

std::string Endpoint::to_string() const {
  std::string out = scheme;
  out.append("://").append(bracketed(host)).append(":").append(std::to_string(port)).append(base_path);
  return out;
}

std::optional<Endpoint> parse_endpoint(std::string_view url, std::string* error) {
  auto fail = [&](std::string message) -> std::optional<Endpoint> {
    if (error) *error = std::move(message);
    return std::nullopt;
  };
  Endpoint ep;
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return fail("missing scheme (expected http:// or https://)");
  ep.scheme = core::to_lower_ascii(url.substr(0, scheme_end));
  if (ep.scheme != "http" && ep.scheme != "https") return fail("unsupported scheme '" + ep.scheme + "'");
  ep.port = ep.tls() ? 443 : 80;
  std::string_view rest = url.substr(scheme_end + 3);
  const auto path_start = rest.find('/');
  std::string_view authority = rest.substr(0, path_start);
  if (path_start != std::string_view::npos) {
    std::string_view path = rest.substr(path_start);
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    ep.base_path = std::string(path);
  }
  if (authority.find('@') != std::string_view::npos) return fail("credentials in the URL are not allowed");
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return fail("unterminated IPv6 literal");
    ep.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("unexpected text after IPv6 literal");
      port_text = after.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      authority = authority.substr(0, colon);
    }
    ep.host = std::string(authority);
  }
  if (ep.host.empty()) return fail("missing host");
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc{} || p != port_text.data() + port_text.size() || value == 0 || value > 65535) {
      return fail("invalid port '" + std::string(port_text) + "'");
    }
    ep.port = static_cast<uint16_t>(value);
  }
  return ep;
}

std::optional<std::string_view> ClientResponse::header(std::string_view name) const {
  return headers.find(name);
}

std::string_view to_string(ClientErrorKind kind) {
  switch (kind) {
    case ClientErrorKind::ConnectFailed: return "connect_failed";
    case ClientErrorKind::Timeout: return "timeout";
    case ClientErrorKind::Reset: return "reset";
    case ClientErrorKind::TlsFailed: return "tls_failed";
    case ClientErrorKind::Protocol: return "protocol_error";
    case ClientErrorKind::ResponseTooLarge: return "response_too_large";
  }
  return "unknown";
}

}  // namespace lambdagate::http
