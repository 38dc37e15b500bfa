// The running-task journal: which tasks this daemon has claimed and not yet
// finished reporting, and which agent process group runs each. Written
// before a task starts, so a daemon killed at any moment can, at its next
// start, stop the orphaned agent and report the task (durable delivery).
// Use on one thread (the daemon's io_context).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "daemon/store/database.hpp"

namespace multicad::store {

struct running_task {
  std::string task_id;
  std::string source = "server";  // server | local
  std::string runtime_id;
  std::string workspace_id;
  std::string env_root;
  std::int64_t agent_pgid = 0;   // 0: no agent started yet
  std::int64_t agent_start = 0;  // the agent leader's start time (clock ticks since boot)
  std::string boot_id;           // the boot that start time belongs to
  std::int64_t claimed_at_ms = 0;
};

class journal {
 public:
  // Requires: `db` outlives the journal.
  explicit journal(database& db) : db_(db) {}

  result<void> record(const running_task& t);
  result<void> set_env_root(const std::string& task_id, const std::string& env_root);
  result<void> set_agent(const std::string& task_id, std::int64_t pgid, std::int64_t start, const std::string& boot_id);
  result<void> clear_agent(const std::string& task_id);
  result<void> remove(const std::string& task_id);
  result<std::vector<running_task>> list();

 private:
  database& db_;
};

}  // namespace multicad::store
