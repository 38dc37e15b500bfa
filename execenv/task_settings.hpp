// What an agent's settings may change on this machine. `custom_args` become
// Codex command-line arguments and `custom_env` the environment of the
// commands the agent runs; both are edited by workspace members, who are not
// necessarily this machine's owner, so both are checked here before Codex
// starts (docs/codex-sandbox.md, "Trust boundary"). Pure; any thread.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace multicad::execenv {

// ---- custom_args ----

// The `-c key=value` overrides a task may pass without operator consent: model
// and reasoning settings, which change what the model does, never where it
// runs or what it may touch. Everything else (other keys, --enable/--disable,
// --profile, positional words, --dangerously-*) is refused.
struct allowed_config_key {
  std::string_view key;
  std::string_view values;  // "a|b|c" for a choice; "model", "int" or "bool" for a kind
};
const std::vector<allowed_config_key>& allowed_config_keys();

struct refused_argument {
  std::string argument;  // as the task gave it
  std::string reason;    // why, for the task's failure text
};

struct checked_args {
  // What to append after `codex app-server --listen stdio://`: each accepted
  // override re-emitted canonically as `-c key="value"`, so Codex parses
  // exactly what was checked.
  std::vector<std::string> args;
  std::vector<refused_argument> refused;  // non-empty: the task must not start
  // With allow_all: --listen/--stdio (and --listen's value) are dropped, not
  // refused; they would only break the protocol, not the sandbox.
  std::vector<std::string> dropped;
};

// allow_all (codex.allow_task_config = true): pass every argument through
// except the transport flags, as the reference daemon does.
checked_args check_custom_args(const std::vector<std::string>& custom_args, bool allow_all);

// "custom_args \"-c\" \"mcp_servers.x.command=sh\" refused: ...; an operator can allow ..."
std::string refusal_text(const std::vector<refused_argument>& refused);

// ---- custom_env ----

enum class env_refusal {
  bad_name,      // not a portable variable name ([A-Za-z_][A-Za-z0-9_]*, at most 128 bytes) or the value holds NUL
  daemon_owned,  // MULTICA_*, HOME, PATH, CODEX_HOME, TMPDIR, ...: the daemon sets them
  loads_code,    // read by the dynamic loader or libc of the sandbox helper before the sandbox applies
  codex_config,  // CODEX_*: Codex's own settings
};

struct refused_variable {
  std::string name;
  env_refusal why;
};

struct checked_env {
  std::map<std::string, std::string> accepted;  // for the commands the agent runs
  std::vector<refused_variable> refused;        // to WARN about, by name only
};

// Accepted variables reach only the commands Codex runs for the agent
// (shell_environment_policy.set), never the Codex process or its launcher.
checked_env check_custom_env(const std::map<std::string, std::string>& custom_env);

// Why a variable was refused, for the WARN's hint.
std::string_view describe(env_refusal why);

}  // namespace multicad::execenv
