#pragma once
// The two byte scans ResponseParser runs over every line of an upstream response's head: where a
// line's first control byte is (its end, when the line is valid) and how long the token at its
// start is (a field name). Sixteen bytes a step with SSE2, which every x86-64 has; elsewhere the
// portable forms, which are also the reference the tests hold the fast ones to.
#include <cstddef>
#include <string_view>

namespace lambdagate::http::head_scan {

// The position of the first byte of `bytes`, from `from` on, that is a control byte (below 0x20,
// HTAB included) or DEL (0x7F); bytes.size() if there is none.
std::size_t find_control_byte(std::string_view bytes, std::size_t from);
// How many bytes at the start of `text` are tchar (RFC 9110 §5.6.2), the bytes of a token.
std::size_t token_length(std::string_view text);

// The same without SSE2: eight bytes a step, and one byte a step.
std::size_t find_control_byte_portable(std::string_view bytes, std::size_t from);
std::size_t token_length_portable(std::string_view text);

}  // namespace lambdagate::http::head_scan
