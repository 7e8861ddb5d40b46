#pragma once
// Durations as Gloo YAML writes them: protobuf Duration strings ("15s", "0.5s") and Go durations
// ("100ms", "1h30m", "2m45.5s"), which the protobuf form is a case of. Internal to the config
// module.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace lambdagate::config::detail {

// A sequence of decimal numbers, each with an optional fraction and a unit (h, m, s, ms, us, µs,
// ns), as Go's time.ParseDuration; no "d". "0" and "0s" give zero (Gloo: a disabled timeout). A
// positive duration below a millisecond rounds up to 1ms so it never turns into "disabled". On
// failure returns nullopt and sets `error` to a reason that can follow "'x' must be a duration: ".
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text, std::string& error);

}  // namespace lambdagate::config::detail
