#pragma once
// The wire form of an outbound request (WireRequest, client.hpp): to_wire serialises a
// ClientRequest once, checked, and from_wire reads one back. PooledHttpClient sends what to_wire
// made; SignedCaller keeps the head of the last Invoke it signed to make the next one from it
// (its repeat path); HttpClients that take requests whole (the tests' fakes) read heads back.
#include <cstddef>
#include <optional>
#include <string>
#include <variant>

#include "lambdagate/http/client.hpp"

namespace lambdagate::http {

// The request as it goes on the wire: request line, the caller's headers in the caller's order (a
// signer signed them), Content-Length when the body or the method calls for one (always for
// POST), blank line; the body moved along. A ClientError (Protocol) when it cannot go as it is: an
// empty method, a line break or NUL in any part (one header could smuggle others in), a
// Content-Length or Transfer-Encoding of the caller's (the client frames the body), a TRACE with
// a body.
std::variant<WireRequest, ClientError> to_wire(ClientRequest request);

// The end of a head to_wire wrote for a body of `body_size` bytes, appended to `head`: the
// Content-Length line and the blank line ("Content-Length: 5\r\n\r\n"). For a caller that makes
// heads from one to_wire wrote before (SignedCaller::repeat).
void append_content_length(std::string& head, std::size_t body_size);

// The reverse, for an HttpClient that takes requests whole: method, target and headers as
// written, Content-Length left out (the client sets it from the body). nullopt when `wire.head`
// is not a head to_wire could have made.
std::optional<ClientRequest> from_wire(WireRequest wire);

}  // namespace lambdagate::http
