// `multicad env prepare ...`: prepares (or reuses) one task environment
// exactly as the daemon would and prints where everything went and which
// sandbox policy was written. Operators and support use it to hand-verify
// the sandbox block (docs/codex-sandbox.md); keep its output stable. With
// --json it also gives the prompt the daemon would send for the task (the
// benchmarks' baselines take it from here, so it cannot drift).
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "daemon/agent/discovery.hpp"
#include "daemon/agent/prompt.hpp"
#include "daemon/agent/task_mapping.hpp"
#include "daemon/cli/cli_context.hpp"
#include "daemon/toolbox/agent_bin.hpp"
#include "daemon/log/log.hpp"
#include "daemon/log/notices.hpp"
#include "execenv/atomic_file.hpp"
#include "execenv/environment.hpp"

namespace multicad::cli {
namespace fs = std::filesystem;

namespace {

struct env_options {
  std::string workspace_id, task_id, issue_id, provider = "codex", platform, codex_version, prior_workdir, task_json;
  bool codex_version_given = false;
  bool json = false;
};

std::optional<execenv::platform> parse_platform(const std::string& p) {
  if (p.empty()) return execenv::host_platform();
  if (p == "linux") return execenv::platform::linux;
  if (p == "darwin") return execenv::platform::darwin;
  if (p == "windows") return execenv::platform::windows;
  return std::nullopt;
}

fs::path shared_codex_home(const fs::path& home) {
  if (const char* h = std::getenv("CODEX_HOME"); h && *h) return fs::absolute(h);
  return home / ".codex";
}

// The task from --task-json, or a minimal one from the ids; `claimed` gets
// the task as the server's claim would deliver it (for its prompt).
std::optional<execenv::task_context> load_task(const env_options& o, proto::task& claimed) {
  execenv::task_context task;
  if (!o.task_json.empty()) {
    auto bytes = execenv::read_file(o.task_json);
    if (!bytes) {
      std::cerr << "multicad env prepare: --task-json: " << bytes.error().to_string() << "\n";
      return std::nullopt;
    }
    auto decoded = proto::decode_task(*bytes);
    if (!decoded) {
      std::cerr << "multicad env prepare: --task-json " << o.task_json << ": " << decoded.error().message << "\n";
      return std::nullopt;
    }
    if (!decoded->invalid.empty()) {
      // The daemon would fail such a task before preparing anything.
      std::cerr << "multicad env prepare: --task-json " << o.task_json << ": " << decoded->invalid
                << " (the server sends UUIDs; the daemon fails a task with any other id)\n";
      return std::nullopt;
    }
    claimed = *decoded;
    task = agent::to_task_context(*decoded);
  }
  if (!o.issue_id.empty()) claimed.issue_id = o.issue_id;
  // Explicit ids win over the file's, so one task file can be prepared under any ids.
  if (!o.workspace_id.empty()) task.workspace_id = o.workspace_id;
  if (!o.task_id.empty()) task.task_id = o.task_id;
  if (task.workspace_id.empty() || task.task_id.empty()) {
    std::cerr << "multicad env prepare: --workspace-id and --task-id are required (or a --task-json that has them)\n";
    return std::nullopt;
  }
  return task;
}

void print(const execenv::prepared_environment& env, const execenv::sandbox_policy& p, const std::string& version,
           const std::string& prompt, bool json) {
  std::string mode(execenv::to_string(p.mode));
  if (json) {
    nlohmann::json out{{"root", env.layout.root.string()},
                       {"workdir", env.layout.workdir.string()},
                       {"codex_home", env.layout.codex_home.string()},
                       {"config_path", env.codex_config.string()},
                       {"config_written", env.config_written},
                       {"reused", env.reused},
                       {"codex_version", version.empty() ? "unknown" : version},
                       {"policy", {{"mode", mode},
                                   {"network_access", p.mode == execenv::sandbox_mode::workspace_write && p.network_access},
                                   {"reason", p.reason},
                                   {"forced", p.forced}}},
                       {"prompt", prompt}};
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::cout << "root:           " << env.layout.root.string() << "\n"
            << "workdir:        " << env.layout.workdir.string() << "\n"
            << "codex_home:     " << env.layout.codex_home.string() << "\n"
            << "config:         " << env.codex_config.string() << (env.config_written ? " (written)" : " (unchanged)") << "\n"
            << "reused:         " << (env.reused ? "true" : "false") << "\n"
            << "codex_version:  " << (version.empty() ? "unknown" : version) << "\n"
            << "sandbox_mode:   " << mode << "\n"
            << "network_access: "
            << (p.mode == execenv::sandbox_mode::workspace_write ? (p.network_access ? "true" : "false") : "n/a") << "\n"
            << "reason:         " << p.reason << "\n";
}

int prepare(const cli_context& ctx, const env_options& o) {
  auto loaded = ctx.load_settings();
  if (!loaded) return exit_status::bad_usage;
  const auto& s = loaded->values;
  log::setup(s.log);
  auto on = parse_platform(o.platform);
  if (!on) {
    std::cerr << "multicad env prepare: --platform must be linux, darwin or windows (got \"" << o.platform << "\")\n";
    return exit_status::bad_usage;
  }
  proto::task claimed;
  auto task = load_task(o, claimed);
  if (!task) return exit_status::bad_usage;
  if (claimed.issue_id.empty() && claimed.chat_session_id.empty()) claimed.issue_id = task->task_id;

  std::string version = o.codex_version;
  if (!o.codex_version_given) {
    agent::version_cache cache;
    auto found = agent::discover_codex(s, cache);
    if (found.found && found.found->version) version = found.found->version->to_string();
  }
  auto policy = execenv::choose_sandbox_policy(s.codex, *on, version);
  if (policy.forced) log::info("codex sandbox: using the mode set by the operator", {{"mode", std::string(execenv::to_string(policy.mode))}, {"reason", policy.reason}});

  execenv::prepare_request req;
  req.workspaces_root = s.workspaces_root;
  req.provider = o.provider;
  req.shared_codex_home = shared_codex_home(config::process_inputs().home);
  req.policy = policy;
  req.codex_version = version;
  req.hygiene = {s.codex.multi_agent, s.codex.memory};
  req.task = std::move(*task);
  // As the daemon writes it for a claimed task, which always has its toolbox (toolbox/agent_bin.hpp).
  const auto multica = (s.state_dir / "bin" / toolbox::multica_command_name).string();
  req.task.toolbox = execenv::toolbox_access::available;
  req.task.multica_path = multica;
  if (!o.prior_workdir.empty()) req.prior_workdir = fs::absolute(o.prior_workdir);
  auto env = execenv::prepare_environment(req);
  if (!env) {
    std::cerr << "multicad env prepare: " << env.error().to_string() << "\n";
    return exit_status::failed;
  }
  log::write_notices(env->notices);
  print(*env, policy, version, agent::build_prompt(claimed, multica), o.json);
  return exit_status::ok;
}

}  // namespace

void add_env_command(CLI::App& app, cli_context& ctx) {
  auto* env_cmd = app.add_subcommand("env", "task environments");
  env_cmd->require_subcommand(1);
  auto* prep = env_cmd->add_subcommand(
      "prepare", "prepare (or reuse) one task environment exactly as the daemon would, and print it");
  auto o = std::make_shared<env_options>();
  prep->add_option("--workspace-id", o->workspace_id, "workspace id (directory under the workspaces root)");
  prep->add_option("--task-id", o->task_id, "task id (its first 8 characters name the task directory)");
  prep->add_option("--issue-id", o->issue_id, "issue the task is about, for the prompt in --json (default: the task id)");
  prep->add_option("--provider", o->provider, "agent provider")->check(CLI::IsMember({"codex"}));
  prep->add_option("--platform", o->platform, "diagnostic override of the host OS: linux, darwin or windows");
  auto* version = prep->add_option("--codex-version", o->codex_version,
                                   "use this Codex version instead of detecting it (empty: unknown)");
  prep->add_option("--prior-workdir", o->prior_workdir, "reuse this earlier task workdir when it exists");
  prep->add_option("--task-json", o->task_json, "a task object as the server's claim delivers it (skills, context)")
      ->type_name("FILE");
  prep->add_flag("--json", o->json, "print JSON");
  prep->callback([&ctx, o, version] {
    o->codex_version_given = version->count() > 0;
    ctx.status = prepare(ctx, *o);
  });
}

}  // namespace multicad::cli
