// Go-style durations ("3s", "1h30m", "1.5h", "250ms"), the syntax of the
// MULTICA_* variables (spec/server-api.md §10). Pure functions; any thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace multicad::config {

using duration = std::chrono::nanoseconds;

// Parses Go's time.ParseDuration syntax: an optional sign, then one or more
// decimal numbers (fractions allowed) each followed by a unit ns, us, µs, ms,
// s, m or h; "0" alone is zero. Returns nullopt on any syntax error or when
// the value does not fit in 64-bit nanoseconds.
std::optional<duration> parse_duration(std::string_view text);

// Formats like Go's Duration.String(): "2h0m0s", "1m30s", "1.5s", "250ms", "0s".
std::string format_duration(duration d);

}  // namespace multicad::config
