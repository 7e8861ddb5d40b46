#pragma once
// What a client is told when the call to a function fails. The errors built on the way to Lambda
// (aws::, destination_resolver) say everything an operator needs: the function's ARN with its
// account id, the Upstream, the endpoint, the TLS reason. None of that is the client's business
// (issue 12): the client's message names the route and the function's logical name only, and
// the detailed one goes to the log (Gateway, rate-limited).
#include <string_view>

#include "lambdagate/core/error.hpp"

namespace lambdagate::proxy {

// The same kind, upstream status, transport failure and Retry-After as `detailed`, with a
// message naming only `route` and `logical_name` (either may be empty) — for the kinds whose
// detailed message can carry internals. Other kinds (function errors, which name the logical
// function already, bad requests, policies) are returned as they are.
core::Error client_facing(const core::Error& detailed, std::string_view route, std::string_view logical_name);

// True when client_facing() replaces the message of an error of this kind.
bool has_internal_detail(core::ErrorKind kind);

}  // namespace lambdagate::proxy
