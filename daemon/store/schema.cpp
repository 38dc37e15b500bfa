#include "daemon/store/schema.hpp"

#include <array>

namespace multicad::store {

namespace {

// v1. running_tasks: one row per task between claim and its final report,
// with the agent's process group and start time so a restarted daemon can
// stop exactly that agent (not a process that reused the pid).
// outbox: every report that ends or describes a task, delivered in id order
// per task until the server acknowledges it.
constexpr std::string_view v1 = R"sql(
CREATE TABLE running_tasks (
  task_id       TEXT PRIMARY KEY,
  source        TEXT NOT NULL,            -- 'server' or 'local'
  runtime_id    TEXT NOT NULL DEFAULT '',
  workspace_id  TEXT NOT NULL DEFAULT '',
  env_root      TEXT NOT NULL DEFAULT '',
  agent_pgid    INTEGER NOT NULL DEFAULT 0,
  agent_start   INTEGER NOT NULL DEFAULT 0, -- /proc/<pid>/stat starttime, clock ticks since boot
  boot_id       TEXT NOT NULL DEFAULT '',   -- /proc/sys/kernel/random/boot_id when the agent started
  claimed_at_ms INTEGER NOT NULL
);
CREATE TABLE outbox (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id          TEXT NOT NULL,
  kind             TEXT NOT NULL,           -- messages, usage, complete, fail
  payload          TEXT NOT NULL,           -- the request body, JSON
  created_at_ms    INTEGER NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms  INTEGER NOT NULL DEFAULT 0,
  last_error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_by_task ON outbox (task_id, id);
)sql";

// v2. The embedded local mode's queue: tasks submitted with `multicad
// submit`, their events (task messages) and usage, read by `multicad tasks`.
constexpr std::string_view v2 = R"sql(
CREATE TABLE local_tasks (
  id               TEXT PRIMARY KEY,
  prompt           TEXT NOT NULL,
  workdir          TEXT NOT NULL DEFAULT '',  -- where the agent works; '' = the task's own workdir
  provider         TEXT NOT NULL DEFAULT 'codex',
  model            TEXT NOT NULL DEFAULT '',
  status           TEXT NOT NULL,             -- queued, running, completed, failed, cancelled
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  created_at_ms    INTEGER NOT NULL,
  started_at_ms    INTEGER NOT NULL DEFAULT 0,
  completed_at_ms  INTEGER NOT NULL DEFAULT 0,
  output           TEXT NOT NULL DEFAULT '',
  error            TEXT NOT NULL DEFAULT '',
  session_id       TEXT NOT NULL DEFAULT '',
  work_dir         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX local_tasks_queue ON local_tasks (status, created_at_ms);
CREATE TABLE local_events (
  task_id  TEXT NOT NULL REFERENCES local_tasks(id) ON DELETE CASCADE,
  seq      INTEGER NOT NULL,
  type     TEXT NOT NULL,
  tool     TEXT NOT NULL DEFAULT '',
  content  TEXT NOT NULL DEFAULT '',
  input    TEXT NOT NULL DEFAULT '',
  output   TEXT NOT NULL DEFAULT '',
  at_ms    INTEGER NOT NULL,
  PRIMARY KEY (task_id, seq)
);
CREATE TABLE local_usage (
  task_id        TEXT NOT NULL REFERENCES local_tasks(id) ON DELETE CASCADE,
  provider       TEXT NOT NULL,
  model          TEXT NOT NULL,
  input_tokens   INTEGER NOT NULL,
  output_tokens  INTEGER NOT NULL,
  cache_read     INTEGER NOT NULL,
  cache_write    INTEGER NOT NULL,
  PRIMARY KEY (task_id, provider, model)
);
)sql";

// v3: a local task may run in a fresh checkout of a repository (`submit --repo`).
constexpr std::string_view v3 = R"sql(
ALTER TABLE local_tasks ADD COLUMN repo TEXT NOT NULL DEFAULT '';
)sql";

constexpr std::array<std::string_view, 3> all{v1, v2, v3};

}  // namespace

std::span<const std::string_view> migrations() { return all; }

}  // namespace multicad::store
