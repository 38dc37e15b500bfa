#include "proto/codex/sandbox_check.hpp"

#include <optional>

#include "proto/codex/session_impl.hpp"
#include "proto/codex/wire.hpp"

namespace multicad::proto::codex {
namespace {

// How far a sandbox lets commands reach.
struct access {
  int writes = 0;  // 0 nowhere, 1 the workspace (and /tmp), 2 everywhere
  bool network = false;
};

std::string describe(const access& a) {
  if (a.writes == 2) return "danger-full-access";
  std::string base = a.writes == 1 ? "workspace-write" : "read-only";
  // read-only without network is what `read-only` means; say only the odd case.
  if (a.writes == 0) return a.network ? base + " with network" : base;
  return base + (a.network ? " with network" : " without network");
}

access intended_access(const sandbox_intent& intent) {
  if (intent.mode == "workspace-write") return {1, intent.network_access};
  if (intent.mode == "danger-full-access") return {2, true};
  // read-only, and any unknown mode: Codex rejects an unknown mode at
  // thread/start, and counting it as the strictest keeps the check closed.
  return {0, false};
}

// The reported policy, or nullopt for a shape this daemon does not know.
// A missing networkAccess reads as false because that is Codex's own default
// for both readOnly and workspaceWrite (serde default), not a guess.
std::optional<access> effective_access(const nlohmann::json& sandbox) {
  if (!sandbox.is_object()) return std::nullopt;
  auto type = sandbox.find("type");
  if (type == sandbox.end() || !type->is_string()) return std::nullopt;
  auto network = sandbox.find("networkAccess");
  bool net = network != sandbox.end() && network->is_boolean() && network->get<bool>();
  if (*type == "readOnly") return access{0, net};
  if (*type == "workspaceWrite") return access{1, net};
  if (*type == "dangerFullAccess") return access{2, true};
  return std::nullopt;
}

}  // namespace

sandbox_comparison compare_sandbox(const sandbox_intent& intent, const nlohmann::json& effective) {
  access want = intended_access(intent);
  sandbox_comparison out;
  out.intended = describe(want);
  auto got = effective_access(effective);
  if (!got) {
    out.verdict = sandbox_verdict::looser;
    out.effective = effective.is_null() ? "none reported" : "unknown sandbox " + wire::dump(effective);
    return out;
  }
  out.effective = describe(*got);
  if (got->writes > want.writes || (got->network && !want.network)) {
    out.verdict = sandbox_verdict::looser;
  } else if (got->writes < want.writes || (!got->network && want.network)) {
    out.verdict = sandbox_verdict::stricter;
  } else {
    out.verdict = sandbox_verdict::same;
  }
  return out;
}

bool session::impl::accept_sandbox(const nlohmann::json& effective) {
  sandbox_comparison c = compare_sandbox(config_.sandbox, effective);
  if (c.verdict == sandbox_verdict::same) return true;
  bool looser = c.verdict == sandbox_verdict::looser;
  // multicad passes the sandbox explicitly, so a mismatch means something
  // outranked that: a repository config, or a Codex that changed its rules.
  std::string hint = looser ? "look for a .codex/config.toml in the task's repository and check whether the Codex "
                              "version changed; multicad refused to run the turn. Please report this as a bug"
                            : "commands that need the intended access will fail; look for a .codex/config.toml in the "
                              "task's repository and check whether the Codex version changed, then report this as a bug";
  note(log_note::level::warn,
       std::string("codex sandbox: effective sandbox is ") + (looser ? "looser" : "stricter") +
           " than the managed block",
       {{"intended", c.intended}, {"effective", c.effective}, {"config_path", config_.sandbox.config_path},
        {"hint", std::move(hint)}});
  if (!looser) return true;
  finish(outcome::status::sandbox_violation, "codex reported a looser sandbox (" + c.effective +
                                                 ") than the managed block sets (" + c.intended +
                                                 "); the turn was not started");
  return false;
}

}  // namespace multicad::proto::codex
