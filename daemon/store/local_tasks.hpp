// The embedded local mode's task queue in the store: `multicad submit`
// inserts, the daemon claims (queued -> running, atomically, so two daemons
// or a racing CLI never take one task twice), events and usage accumulate,
// `multicad tasks` reads and cancels. Each process opens its own database;
// SQLite's WAL lets them share it. Use one local_tasks per thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/store/database.hpp"

namespace multicad::store {

struct local_task {
  std::string id;
  std::string prompt;
  std::string workdir;
  std::string provider = "codex";
  std::string model;
  std::string status;  // queued, running, completed, failed, cancelled
  bool cancel_requested = false;
  std::int64_t created_at_ms = 0, started_at_ms = 0, completed_at_ms = 0;
  std::string output, error, session_id, work_dir;
  std::string repo;  // a repository path or URL to check out and run in; empty: workdir
  bool terminal() const { return status == "completed" || status == "failed" || status == "cancelled"; }
};

struct local_event {
  std::int64_t seq = 0;
  std::string type, tool, content, input, output;
  std::int64_t at_ms = 0;
};

struct local_usage {
  std::string provider, model;
  std::int64_t input_tokens = 0, output_tokens = 0, cache_read = 0, cache_write = 0;
};

class local_tasks {
 public:
  // Requires: `db` outlives this object.
  explicit local_tasks(database& db) : db_(db) {}

  result<local_task> submit(const std::string& prompt, const std::string& workdir, const std::string& provider,
                            const std::string& model, std::int64_t now_ms, const std::string& repo = {});
  // The oldest queued task, now running; nullopt when none is queued.
  result<std::optional<local_task>> claim_next(std::int64_t now_ms);
  // By full id or by an unambiguous prefix (at least 4 characters).
  result<std::optional<local_task>> find(const std::string& id_or_prefix);
  result<std::vector<local_task>> list(int limit);
  // Queued: cancelled at once. Running: flagged for the daemon. Returns the task after the change.
  result<std::optional<local_task>> cancel(const std::string& id);
  result<void> add_events(const std::string& task_id, const std::vector<local_event>& events);
  result<std::vector<local_event>> events(const std::string& task_id, std::int64_t after_seq);
  result<void> set_usage(const std::string& task_id, const std::vector<local_usage>& usage);
  result<std::vector<local_usage>> usage(const std::string& task_id);
  // Ends a task (status completed, failed or cancelled) unless it already ended.
  result<void> finish(const std::string& task_id, const std::string& status, const std::string& output,
                      const std::string& error, const std::string& session_id, const std::string& work_dir,
                      std::int64_t now_ms);

 private:
  database& db_;
};

// A random RFC 4122 version-4 UUID.
std::string new_task_id();

}  // namespace multicad::store
