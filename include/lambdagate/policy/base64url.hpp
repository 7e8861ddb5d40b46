#pragma once
// Base64url without padding (RFC 7515 §2, RFC 4648 §5): the encoding of every part of a compact
// JWS and of every JWK number. The decoder is strict so that one token has exactly one spelling:
// no '=' padding, no whitespace, no '+' or '/', no lone trailing symbol, and the unused bits of
// the last symbol zero. Anything else is not a token an issuer produced.
#include <optional>
#include <string>
#include <string_view>

namespace lambdagate::policy::base64url {

std::string encode(std::string_view bytes);

// nullopt when `text` is not the exact unpadded base64url spelling of some bytes.
std::optional<std::string> decode(std::string_view text);

// The same into `out` (replaced), without allocating when `out` has room: the request path
// decodes into buffers it reuses. False when `text` is malformed (`out` is then unspecified).
bool decode_into(std::string_view text, std::string& out);

}  // namespace lambdagate::policy::base64url
