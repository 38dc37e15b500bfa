#include "execenv/codex_config.hpp"

#include "execenv/atomic_file.hpp"
#include "execenv/managed_block.hpp"

namespace multicad::execenv {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view upgrade_hint =
    "upgrade Codex (npm install -g @openai/codex@latest, or brew upgrade codex) once a release fixes macOS "
    "network_access, or set codex.sandbox = \"workspace-write\" (no network) or codex.network_access = false "
    "to keep the sandbox on";

notice darwin_fallback_warning(const sandbox_policy& policy, std::string_view version, const fs::path& path) {
  return {severity::warn,
          "codex sandbox: falling back to danger-full-access on macOS",
          {{"reason", policy.reason},
           {"codex_version", version.empty() ? "unknown" : std::string(version)},
           {"hint", std::string(upgrade_hint)},
           {"config_path", path.string()}}};
}

// The user's file cannot carry the block: keep it beside, write the block alone.
result<config_write> replace_invalid(const fs::path& path, const std::string& original, const toml_problem& problem,
                                     const sandbox_policy& policy, std::string_view version) {
  config_write out;
  auto aside = fs::path(path.string() + ".invalid");
  if (auto ok = write_file_atomically(aside, original); !ok) return ok.error();
  auto block = render_managed_block(policy);
  if (auto ok = write_file_atomically(path, block); !ok) return ok.error();
  out.written = true;
  std::vector<std::pair<std::string, std::string>> fields;
  if (problem.line > 0) {
    fields.emplace_back("line", std::to_string(problem.line));
    fields.emplace_back("column", std::to_string(problem.column));
  }
  fields.emplace_back("error", problem.message);
  fields.emplace_back("config_path", path.string());
  fields.emplace_back("moved_to", aside.string());
  fields.emplace_back("hint", "fix the file in the shared Codex home (~/.codex/config.toml); this task runs with "
                              "Codex defaults plus the sandbox block");
  out.notices.push_back({severity::warn, "codex config: the user's config.toml is not valid TOML; moved aside",
                         std::move(fields)});
  if (policy.darwin_fallback) out.notices.push_back(darwin_fallback_warning(policy, version, path));
  return out;
}

}  // namespace

result<config_write> write_managed_config(const fs::path& path, const sandbox_policy& policy,
                                          std::string_view codex_version) {
  std::error_code ec;
  std::string original;
  if (fs::exists(path, ec)) {
    auto bytes = read_file(path);
    if (!bytes) return bytes.error();
    original = std::move(*bytes);
  }
  auto outcome = rewrite_managed_block(original, policy);
  if (!outcome.rewrite) return replace_invalid(path, original, outcome.problem, policy, codex_version);

  config_write out;
  const auto& rw = *outcome.rewrite;
  if (rw.text == original) return out;
  // Rewritten by every prepare from the seed and the policy; a lost write is simply redone.
  if (auto ok = write_file_atomically(path, rw.text, owner_read_write, durability::regenerated); !ok) return ok.error();
  out.written = true;
  if (!rw.migrated.empty()) {
    std::string what;
    for (const auto& m : rw.migrated) what += (what.empty() ? "" : "; ") + m;
    out.notices.push_back({severity::info, "codex config: removed sandbox settings written by an older daemon",
                           {{"removed", what}, {"config_path", path.string()}}});
  }
  if (policy.darwin_fallback) out.notices.push_back(darwin_fallback_warning(policy, codex_version, path));
  return out;
}

}  // namespace multicad::execenv
