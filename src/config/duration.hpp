#pragma once
// Protobuf Duration strings as Gloo YAML writes them ("15s", "0.5s"), plus "ms" and "m" for
// convenience. Internal to the config module.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace lambdagate::config::detail {

// "0" and "0s" give zero (Gloo: a disabled timeout). A positive duration below a millisecond
// rounds up to 1ms so it never turns into "disabled". On failure returns nullopt and sets
// `error` to a reason that can follow "'x' must be a duration: ".
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text, std::string& error);

}  // namespace lambdagate::config::detail
