#include "execenv/environment.hpp"

#include "execenv/codex_config.hpp"
#include "execenv/codex_home.hpp"
#include "execenv/context_files.hpp"
#include "execenv/path_guard.hpp"
#include "execenv/skills.hpp"

namespace multicad::execenv {
namespace fs = std::filesystem;

namespace {

void append(std::vector<notice>& to, std::vector<notice> from) {
  for (auto& n : from) to.push_back(std::move(n));
}

// A prior work dir is only trusted when it is a task workdir below the root:
// it comes from the server, and Reuse writes into it.
bool reusable(const fs::path& root, const fs::path& prior, std::vector<notice>& notices) {
  std::error_code ec;
  if (!fs::is_directory(prior, ec)) return false;
  if (prior.filename() == "workdir" && is_within(root, prior) && !fs::equivalent(root, prior.parent_path(), ec))
    return true;
  notices.push_back({severity::warn, "execenv: prior work dir is not a task directory below the workspaces root; preparing a fresh one",
                     {{"prior_work_dir", prior.string()}, {"workspaces_root", root.string()},
                      {"hint", "this happens when workspaces_root changed since the earlier task; nothing is lost"}}});
  return false;
}

result<void> make_dirs(const task_layout& l) {
  std::error_code ec;
  for (const auto& d : {l.workdir, l.output, l.logs, l.tmp}) {
    fs::create_directories(d, ec);
    if (ec) return error{"cannot create the task directory: " + ec.message(), d.string()};
  }
  return {};
}

// Seeding, managed block and skills: run on Prepare and again on every Reuse.
result<void> prepare_codex_home(const prepare_request& r, prepared_environment& env) {
  auto seeded = seed_codex_home(env.layout.codex_home, r.shared_codex_home);
  if (!seeded) return seeded.error();
  append(env.notices, std::move(*seeded));
  env.codex_config = env.layout.codex_home / "config.toml";
  auto written = write_managed_config(env.codex_config, r.policy, r.codex_version);
  if (!written) return written.error();
  env.config_written = written->written;
  append(env.notices, std::move(written->notices));
  return write_skills(env.layout.codex_home, r.task.skills);
}

}  // namespace

result<prepared_environment> prepare_environment(const prepare_request& r) {
  if (r.provider != "codex")
    return error{"provider \"" + r.provider + "\" is not supported by this daemon; only codex is", ""};
  if (!r.shared_codex_home.is_absolute())
    return error{"the shared Codex home must be an absolute path", r.shared_codex_home.string()};
  auto fresh = layout_for(r.workspaces_root, r.task.workspace_id, r.task.task_id);
  if (!fresh) return fresh.error();

  prepared_environment env;
  std::error_code ec;
  if (r.prior_workdir && reusable(r.workspaces_root, *r.prior_workdir, env.notices)) {
    env.layout = layout_at(fs::weakly_canonical(*r.prior_workdir, ec).parent_path());
    env.reused = true;
  } else {
    env.layout = *fresh;
    fs::remove_all(env.layout.root, ec);
    if (ec) return error{"cannot remove the stale task directory: " + ec.message(), env.layout.root.string()};
  }
  if (auto ok = make_dirs(env.layout); !ok) return ok.error();
  if (auto ok = prepare_codex_home(r, env); !ok) return ok.error();
  if (auto ok = write_context_files(env.layout.workdir, r.task); !ok) return ok.error();
  return env;
}

}  // namespace multicad::execenv
