#pragma once
// Base64 (RFC 4648 §4, the standard alphabet with '=' padding). Two decoders because the inputs
// differ: a Lambda response's `isBase64Encoded` body must be exactly what an encoder produced
// (anything else is a malformed response), while a Kubernetes Secret's `data` may be wrapped over
// YAML lines and written without padding.
#include <optional>
#include <string>
#include <string_view>

namespace lambdagate::core::base64 {

// Padded output, no line breaks.
std::string encode(std::string_view bytes);

// Strict: length a multiple of 4, '=' only as the last one or two symbols, no whitespace, and the
// unused bits of the last symbol zero (RFC 4648 §3.5), so every input has exactly one encoding.
// "" decodes to "".
std::optional<std::string> decode(std::string_view text);

// Lenient, as Kubernetes data needs: spaces, tabs and line breaks anywhere are skipped and
// padding may be left out. Still rejected: other characters, data after padding, more than two
// '=', a lone trailing symbol, padding that does not complete a quantum, and non-zero unused bits.
std::optional<std::string> decode_lenient(std::string_view text);

}  // namespace lambdagate::core::base64
