#include "execenv/codex_config.hpp"

#include "execenv/atomic_file.hpp"
#include "execenv/codex_hygiene.hpp"
#include "execenv/managed_block.hpp"

namespace multicad::execenv {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view invalid_headline = "codex config: the user's config.toml is not valid TOML; moved aside";
constexpr std::string_view unsafe_headline =
    "codex config: the user's config.toml cannot be made safe for unattended runs; moved aside";

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

// What a task's config.toml holds when nothing of the user's can stay: the
// sandbox block and the switches hygiene writes into an empty file.
std::string daemon_only_config(const sandbox_policy& policy, const hygiene_options& hygiene) {
  auto clean = apply_codex_hygiene("", hygiene);
  auto rewritten = rewrite_managed_block(clean.rewrite ? clean.rewrite->text : std::string(), policy);
  return rewritten.rewrite ? rewritten.rewrite->text : render_managed_block(policy);
}

// The user's file cannot carry the block: keep it beside, write the block alone.
result<config_write> replace_invalid(const fs::path& path, const std::string& original, const toml_problem& problem,
                                     const sandbox_policy& policy, std::string_view version,
                                     const hygiene_options& hygiene, std::string_view headline) {
  config_write out;
  auto aside = fs::path(path.string() + ".invalid");
  if (auto ok = write_file_atomically(aside, original); !ok) return ok.error();
  if (auto ok = write_file_atomically(path, daemon_only_config(policy, hygiene)); !ok) return ok.error();
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
  out.notices.push_back({severity::warn, std::string(headline), std::move(fields)});
  if (policy.darwin_fallback) out.notices.push_back(darwin_fallback_warning(policy, version, path));
  return out;
}

}  // namespace

result<config_write> write_managed_config(const fs::path& path, const sandbox_policy& policy,
                                          std::string_view codex_version, const hygiene_options& requested) {
  hygiene_options hygiene = requested;
  hygiene.agents_table = codex_reads_agents_enabled(codex_version);
  std::error_code ec;
  std::string original;
  if (fs::exists(path, ec)) {
    auto bytes = read_file(path);
    if (!bytes) return bytes.error();
    original = std::move(*bytes);
  }
  // The sandbox block first: it also repairs a broken earlier block and
  // names the user's line when their TOML is invalid. Hygiene then works on
  // valid TOML, and the sandbox block is hoisted back above its blocks.
  auto outcome = rewrite_managed_block(original, policy);
  if (!outcome.rewrite)
    return replace_invalid(path, original, outcome.problem, policy, codex_version, hygiene, invalid_headline);
  auto clean = apply_codex_hygiene(outcome.rewrite->text, hygiene);
  if (!clean.rewrite)
    return replace_invalid(path, original, clean.problem, policy, codex_version, hygiene,
                           clean.parses ? unsafe_headline : invalid_headline);
  auto migrated = std::move(outcome.rewrite->migrated);
  outcome = rewrite_managed_block(clean.rewrite->text, policy);
  if (!outcome.rewrite)
    return replace_invalid(path, original, outcome.problem, policy, codex_version, hygiene, unsafe_headline);

  config_write out;
  const auto& rw = *outcome.rewrite;
  if (rw.text == original) return out;
  // Rewritten by every prepare from the seed and the policy; a lost write is simply redone.
  if (auto ok = write_file_atomically(path, rw.text, owner_read_write, durability::regenerated); !ok) return ok.error();
  out.written = true;
  if (!clean.rewrite->removed.empty()) {
    std::string what;
    for (const auto& m : clean.rewrite->removed) what += (what.empty() ? "" : "; ") + m;
    out.notices.push_back({severity::info, "codex config: removed settings that unattended runs must not use",
                           {{"removed", what}, {"config_path", path.string()},
                            {"hint", "skills.config entries, multi-agent (features.multi_agent, features.multi_agent_v2, "
                                     "agents.enabled) and memory settings of the shared Codex home do not apply to "
                                     "tasks; codex.multi_agent and codex.memory allow the last two"}}});
  }
  if (!migrated.empty()) {
    std::string what;
    for (const auto& m : migrated) what += (what.empty() ? "" : "; ") + m;
    out.notices.push_back({severity::info, "codex config: removed sandbox settings written by an older daemon",
                           {{"removed", what}, {"config_path", path.string()}}});
  }
  if (policy.darwin_fallback) out.notices.push_back(darwin_fallback_warning(policy, codex_version, path));
  return out;
}

}  // namespace multicad::execenv
