#pragma once
// Checks on a request's header before anything acts on it (issue 12): framing that could
// desync the connection, Host, and the HCM header limits. Pure: a parsed header in, a refusal
// or nothing out. Beast has already refused what its parser knows is broken (a bad chunk size,
// Content-Length with chunked, differing duplicate Content-Lengths).
#include <cstdint>
#include <optional>
#include <string>

#include "lambdagate/core/error.hpp"
#include "lambdagate/http/request.hpp"

namespace lambdagate::http {

enum class UnderscoreHeaders { Allow, Reject, Drop };

struct HeaderPolicy {
  std::uint32_t max_headers_count = 100;  // Envoy's default
  UnderscoreHeaders underscores = UnderscoreHeaders::Allow;
};

struct HeadRefusal {
  core::ErrorKind kind = core::ErrorKind::BadRequest;
  std::string message;
};

// Refuses: a Transfer-Encoding other than exactly one "chunked" (gzip, "chunked, identity", two
// fields: a body the parser would not frame as chunked would be read as the next request); an
// HTTP/1.1 request without exactly one non-empty Host; more header fields than
// max_headers_count; a header name with '_' when underscores is Reject.
std::optional<HeadRefusal> check_request_head(const Request& request, const HeaderPolicy& policy);

// With underscores == Drop, removes every header whose name has '_' (Envoy's DROP_HEADER).
void drop_underscore_headers(Request& request);

}  // namespace lambdagate::http
