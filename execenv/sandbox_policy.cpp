#include "execenv/sandbox_policy.hpp"

#include "execenv/semver.hpp"

namespace multicad::execenv {

platform host_platform() {
#if defined(__APPLE__)
  return platform::darwin;
#elif defined(_WIN32)
  return platform::windows;
#else
  return platform::linux;
#endif
}

std::string_view to_string(platform p) {
  switch (p) {
    case platform::linux: return "linux";
    case platform::darwin: return "darwin";
    case platform::windows: return "windows";
  }
  return "?";
}

std::string_view to_string(sandbox_mode m) {
  switch (m) {
    case sandbox_mode::read_only: return "read-only";
    case sandbox_mode::workspace_write: return "workspace-write";
    case sandbox_mode::danger_full_access: return "danger-full-access";
  }
  return "?";
}

namespace {

sandbox_policy forced_policy(const config::codex_settings& codex, platform on) {
  sandbox_policy p;
  p.forced = true;
  p.network_access = codex.network_access;
  p.reason = "forced by codex.sandbox = " + std::string(config::to_string(codex.sandbox));
  switch (codex.sandbox) {
    case config::sandbox_choice::read_only: p.mode = sandbox_mode::read_only; break;
    case config::sandbox_choice::danger_full_access: p.mode = sandbox_mode::danger_full_access; break;
    default:
      p.mode = sandbox_mode::workspace_write;
      if (on == platform::darwin && codex.network_access)
        p.reason += "; note: macOS Seatbelt ignores network_access in this mode, so commands have no network";
  }
  return p;
}

// Why macOS needs the fallback with this version, or empty when it does not.
std::string darwin_fallback_reason(std::string_view version_text, std::string_view threshold) {
  auto version = find_semver(version_text);
  std::string seen = version ? "codex " + version->to_string()
                     : version_text.empty() ? std::string("codex version unknown")
                                            : "codex version unknown (unparsable: \"" + std::string(version_text) + "\")";
  auto fixed = find_semver(threshold);
  if (!fixed)
    return seen + "; macOS Seatbelt ignores network_access in workspace-write mode and no Codex release fixes it yet";
  if (!version) return seen + "; cannot tell whether it has the macOS Seatbelt network fix of " + fixed->to_string();
  if (*version < *fixed)
    return seen + " is older than " + fixed->to_string() +
           ", the first release whose macOS Seatbelt sandbox honours network_access";
  return {};
}

}  // namespace

sandbox_policy choose_sandbox_policy(const config::codex_settings& codex, platform on, std::string_view codex_version,
                                     std::string_view darwin_threshold) {
  if (codex.sandbox != config::sandbox_choice::automatic) return forced_policy(codex, on);

  sandbox_policy p;
  p.mode = sandbox_mode::workspace_write;
  p.network_access = codex.network_access;
  const std::string net = codex.network_access ? "with network" : "without network (codex.network_access = false)";
  if (on != platform::darwin) {
    p.reason = std::string(to_string(on)) + ": workspace-write " + net + "; this platform's sandbox honours network_access";
    return p;
  }
  if (!codex.network_access) {
    // Seatbelt's lack of network is exactly what was asked for: no fallback.
    p.reason = "darwin: workspace-write without network (codex.network_access = false), which Seatbelt enforces";
    return p;
  }
  if (auto why = darwin_fallback_reason(codex_version, darwin_threshold); !why.empty()) {
    p.mode = sandbox_mode::danger_full_access;
    p.darwin_fallback = true;
    p.reason = "darwin: " + why + "; tasks need network, so the sandbox is off";
    return p;
  }
  p.reason = "darwin: workspace-write with network; this Codex honours network_access under Seatbelt";
  return p;
}

}  // namespace multicad::execenv
