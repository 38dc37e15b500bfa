// The daemon's log: a message first, then key=value fields, as text lines
// ("2026-11-26T17:29:05.123Z WARN  message key=value key=\"two words\"") or
// JSON objects, one per line. main() calls setup() once; every other unit
// calls write()/warn()/... Safe from any thread (spdlog's sinks lock).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/settings.hpp"

namespace multicad::log {

enum class level { trace, debug, info, warn, error };

using fields = std::vector<std::pair<std::string, std::string>>;

// Configures the process-wide sink from log settings: standard error, or
// log.file (rotated past log.max_size, keeping log.max_files). When standard
// error is the journal's stream (no log.file) lines carry a syslog priority
// prefix ("<4>" for WARN) and no timestamp of their own; so do lines written
// before setup(). Returns an error message, or empty on success; on error the
// previous sink stays.
std::string setup(const config::log_settings& settings);
// SIGHUP: reopen the file (after an external rotation) and apply the level
// and format again. Same contract as setup().
std::string reopen(const config::log_settings& settings);

// Changes the least severe level written.
void set_level(level l);
bool enabled(level l);

void write(level l, std::string_view message, const fields& f = {});
inline void debug(std::string_view m, const fields& f = {}) { write(level::debug, m, f); }
inline void info(std::string_view m, const fields& f = {}) { write(level::info, m, f); }
inline void warn(std::string_view m, const fields& f = {}) { write(level::warn, m, f); }
inline void error(std::string_view m, const fields& f = {}) { write(level::error, m, f); }

// The line as the text format renders it, without time and level: exposed
// for tests and for commands that print the same shape to people.
std::string format_text(std::string_view message, const fields& f);
std::string format_json(std::string_view time, level l, std::string_view message, const fields& f);
// A whole line as write() renders it.
std::string format_line(std::string_view time, level l, std::string_view message, const fields& f, bool journal,
                        bool json);

level parse_level(std::string_view name);  // unknown names mean info

// Whether JOURNAL_STREAM (`value`, "DEVICE:INODE" in decimal) names the file
// with this device and inode. systemd sets it for the service's own stderr;
// a process that inherited the variable but writes elsewhere (a terminal
// opened from a `systemd --user` session) must not prefix priorities, so
// sd-daemon(3) says to compare it with fstat() of stderr.
bool journal_stream_matches(std::string_view value, unsigned long long device, unsigned long long inode);

}  // namespace multicad::log
