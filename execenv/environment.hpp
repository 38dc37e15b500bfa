// Prepares, or reuses, the directory a task runs in (layout.hpp): the
// folders, the private Codex home seeded from the shared one, the managed
// sandbox block, skills and context files. This is the whole execenv
// contract the daemon calls; `multicad env prepare` calls it the same way.
// Blocking filesystem work: call from a worker thread in the daemon.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "execenv/codex_hygiene.hpp"
#include "execenv/layout.hpp"
#include "execenv/outcome.hpp"
#include "execenv/sandbox_policy.hpp"
#include "execenv/task_context.hpp"

namespace multicad::execenv {

struct prepare_request {
  std::filesystem::path workspaces_root;    // absolute
  std::string provider = "codex";           // only codex is supported
  std::filesystem::path shared_codex_home;  // $CODEX_HOME, else ~/.codex
  sandbox_policy policy;
  std::string codex_version;                // detected version text; empty when unknown
  hygiene_options hygiene;                  // what the task's config.toml switches off
  task_context task;                        // task.workspace_id and task.task_id name the directory
  std::optional<std::filesystem::path> prior_workdir;  // the server's prior_work_dir, if any
};

struct prepared_environment {
  task_layout layout;
  bool reused = false;
  std::filesystem::path codex_config;  // codex-home/config.toml
  bool config_written = false;         // false: the managed block was already exactly right
  std::vector<notice> notices;         // for the caller to log, in order
};

// Reuse when prior_workdir is <workspaces_root>/<this task's workspace>/<dir>/workdir,
// with no symbolic link on the way, and <dir> holds the marker Prepare wrote
// (refresh context files and redo the Codex home, so a changed policy or
// Codex version takes effect); otherwise Prepare: remove any stale directory
// of the same name, then build everything afresh (with an INFO notice saying
// why the prior one was not reused).
result<prepared_environment> prepare_environment(const prepare_request& request);

}  // namespace multicad::execenv
