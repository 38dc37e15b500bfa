#include "daemon/store/journal.hpp"

namespace multicad::store {

result<void> journal::record(const running_task& t) {
  return db_.exec(
      "INSERT OR REPLACE INTO running_tasks (task_id, source, runtime_id, workspace_id, env_root, agent_pgid, "
      "agent_start, boot_id, claimed_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
      {t.task_id, t.source, t.runtime_id, t.workspace_id, t.env_root, t.agent_pgid, t.agent_start, t.boot_id,
       t.claimed_at_ms});
}

result<void> journal::set_env_root(const std::string& task_id, const std::string& env_root) {
  return db_.exec("UPDATE running_tasks SET env_root = ?2 WHERE task_id = ?1", {task_id, env_root});
}

result<void> journal::set_agent(const std::string& task_id, std::int64_t pgid, std::int64_t start,
                                const std::string& boot_id) {
  return db_.exec("UPDATE running_tasks SET agent_pgid = ?2, agent_start = ?3, boot_id = ?4 WHERE task_id = ?1",
                  {task_id, pgid, start, boot_id});
}

result<void> journal::clear_agent(const std::string& task_id) {
  return db_.exec("UPDATE running_tasks SET agent_pgid = 0, agent_start = 0 WHERE task_id = ?1", {task_id});
}

result<void> journal::remove(const std::string& task_id) {
  return db_.exec("DELETE FROM running_tasks WHERE task_id = ?1", {task_id});
}

result<std::vector<running_task>> journal::list() {
  auto rows = db_.query(
      "SELECT task_id, source, runtime_id, workspace_id, env_root, agent_pgid, agent_start, boot_id, claimed_at_ms "
      "FROM running_tasks ORDER BY claimed_at_ms");
  if (!rows) return rows.error();
  std::vector<running_task> out;
  for (const auto& r : *rows)
    out.push_back({r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.integer(5), r.integer(6), r.text(7),
                   r.integer(8)});
  return out;
}

}  // namespace multicad::store
