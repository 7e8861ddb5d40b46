#pragma once
// ISO-8601 UTC text for times shown to operators (logs, /upstreams, /config_dump).
#include <string>

#include "lambdagate/core/clock.hpp"

namespace lambdagate::core {

// "2015-08-30T12:36:00Z", or "2015-08-30T12:36:00.123Z" with milliseconds.
std::string format_iso8601(SystemTime t, bool with_millis);

}  // namespace lambdagate::core
