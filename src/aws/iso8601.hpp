#pragma once
// ISO-8601 / RFC 3339 timestamps as AWS sends them in credential responses (STS XML
// `Expiration`, container credentials JSON `Expiration`). Private to the aws module.
#include <optional>
#include <string_view>

#include "lambdagate/core/clock.hpp"

namespace lambdagate::aws {

// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (a UTC offset is applied; 't'/'z' accepted
// in lower case too). Returns nullopt for anything else, including out-of-range fields, so a
// malformed expiry is reported as an error rather than guessed.
std::optional<core::SystemTime> parse_iso8601(std::string_view text);

}  // namespace lambdagate::aws
