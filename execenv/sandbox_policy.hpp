// Which Codex sandbox a task gets, and why. The automatic choice is a matrix
// of platform x detected Codex version, because macOS Seatbelt ignores
// network_access in workspace-write mode (docs/codex-sandbox.md). Pure; any thread.
#pragma once

#include <string>
#include <string_view>

#include "config/settings.hpp"

namespace multicad::execenv {

enum class platform { linux, darwin, windows };
enum class sandbox_mode { read_only, workspace_write, danger_full_access };

// The first Codex release whose macOS sandbox honours network_access in
// workspace-write mode. Empty: no such release exists yet, so every Codex on
// macOS falls back to danger-full-access when network is wanted.
inline constexpr std::string_view darwin_network_fixed_version = "";

struct sandbox_policy {
  sandbox_mode mode = sandbox_mode::workspace_write;
  bool network_access = true;  // written only for workspace-write
  std::string reason;          // for people: why this mode on this host
  bool forced = false;         // codex.sandbox named a mode explicitly
  bool darwin_fallback = false;  // the macOS danger-full-access fallback (WARN when written)
  bool operator==(const sandbox_policy&) const = default;
};

platform host_platform();
std::string_view to_string(platform p);
std::string_view to_string(sandbox_mode m);  // "workspace-write", as config.toml spells it

// Requires: codex_version is the raw detected version text, empty when unknown.
sandbox_policy choose_sandbox_policy(const config::codex_settings& codex, platform on, std::string_view codex_version,
                                     std::string_view darwin_threshold = darwin_network_fixed_version);

}  // namespace multicad::execenv
