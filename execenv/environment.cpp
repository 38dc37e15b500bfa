#include "execenv/environment.hpp"

#include <nlohmann/json.hpp>

#include "execenv/atomic_file.hpp"
#include "execenv/codex_config.hpp"
#include "execenv/codex_home.hpp"
#include "execenv/context_files.hpp"
#include "execenv/gc_meta.hpp"
#include "execenv/path_guard.hpp"
#include "execenv/skills.hpp"

namespace multicad::execenv {
namespace fs = std::filesystem;

namespace {

void append(std::vector<notice>& to, std::vector<notice> from) {
  for (auto& n : from) to.push_back(std::move(n));
}

// The reason a prior work dir cannot be reused, or empty when it can. It
// comes from the server, and Reuse writes into it and takes its Codex home
// as the task's own, so only an unlinked <root>/<workspace>/<dir>/workdir of
// this task's workspace, whose directory multicad prepared itself, will do:
// an agent can build `x/workdir` plus `x/codex-home/config.toml` inside its
// own workdir, but not at that depth, and not with the marker beside it.
std::string not_reusable(const fs::path& root, const fs::path& prior, std::string_view workspace_id) {
  if (!prior.is_absolute() || prior.lexically_normal() != prior) return "not an absolute, normalised path";
  auto rel = prior.lexically_relative(root);
  std::vector<std::string> parts;
  for (const auto& p : rel) parts.push_back(p.string());
  if (parts.size() != 3 || parts[2] != "workdir" || parts[0] != workspace_id)
    return "not <workspaces_root>/<this task's workspace>/<task>/workdir";
  if (!check_component("task directory", parts[1])) return "not a task directory name";
  std::error_code ec;
  for (const auto& d : {root / parts[0], root / parts[0] / parts[1], prior})
    if (fs::symlink_status(d, ec).type() != fs::file_type::directory) return "missing, or a symbolic link on the way";
  auto marker = layout_at(prior.parent_path()).owner_marker;
  if (fs::symlink_status(marker, ec).type() != fs::file_type::regular) return "no multicad marker beside it";
  auto text = read_file(marker);
  auto j = text ? nlohmann::json::parse(*text, nullptr, false) : nlohmann::json();
  if (!j.is_object() || j.value("workspace_id", "") != workspace_id) return "the multicad marker beside it is not this workspace's";
  return {};
}

bool reusable(const prepare_request& r, const fs::path& prior, std::vector<notice>& notices) {
  auto why = not_reusable(r.workspaces_root, prior, r.task.workspace_id);
  if (why.empty()) return true;
  notices.push_back({severity::info, "execenv: prior work dir not reused; preparing a fresh one",
                     {{"prior_work_dir", prior.string()}, {"reason", why}, {"workspaces_root", r.workspaces_root.string()},
                      {"hint", "normal after workspaces_root changed or the folder was collected; nothing is lost"}}});
  return false;
}

result<void> write_owner_marker(const task_layout& l, const task_context& task) {
  nlohmann::json j{{"workspace_id", task.workspace_id}, {"task_id", task.task_id},
                   {"prepared_at", format_rfc3339_utc(std::chrono::system_clock::now())}};
  return write_file_atomically(l.owner_marker, j.dump() + "\n", owner_read_write, durability::regenerated);
}

result<void> make_dirs(const task_layout& l) {
  std::error_code ec;
  for (const auto& d : {l.workdir, l.output, l.logs, l.tmp, l.multica_config}) {
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
  auto written = write_managed_config(env.codex_config, r.policy, r.codex_version, r.hygiene);
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
  if (r.prior_workdir && reusable(r, *r.prior_workdir, env.notices)) {
    env.layout = layout_at(r.prior_workdir->parent_path());
    env.reused = true;
  } else {
    env.layout = *fresh;
    fs::remove_all(env.layout.root, ec);
    if (ec) return error{"cannot remove the stale task directory: " + ec.message(), env.layout.root.string()};
  }
  if (auto ok = make_dirs(env.layout); !ok) return ok.error();
  if (!env.reused)
    if (auto ok = write_owner_marker(env.layout, r.task); !ok) return ok.error();
  if (auto ok = prepare_codex_home(r, env); !ok) return ok.error();
  if (auto ok = write_context_files(env.layout.workdir, r.task); !ok) return ok.error();
  return env;
}

}  // namespace multicad::execenv
