#pragma once
// Percent-decoding, the one decoder of the project: %XX escapes; a malformed escape stays as
// written. SigV4 canonicalization and the request events keep '+' as '+' (RFC 3986); route
// matching on query parameters reads form encoding, where '+' is a space. Header-only, so the
// fuzz targets and benchmarks that compile single sources need nothing more.
#include <string>
#include <string_view>

namespace lambdagate::core {

constexpr int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// What '+' decodes to: itself (RFC 3986, the default), or a space (form encoding).
enum class PlusMeans { Plus, Space };

inline std::string percent_decode(std::string_view in, PlusMeans plus = PlusMeans::Plus) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size()) {
      const int hi = hex_value(in[i + 1]);
      const int lo = hex_value(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(in[i] == '+' && plus == PlusMeans::Space ? ' ' : in[i]);
  }
  return out;
}

}  // namespace lambdagate::core
