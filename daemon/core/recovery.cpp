#include "daemon/core/recovery.hpp"

#include "daemon/agent/process_tree.hpp"
#include "daemon/log/log.hpp"
#include "daemon/store/journal.hpp"
#include "daemon/store/outbox.hpp"

namespace multicad::core {

namespace {

// Stops what is left of the task's agent. The group is signalled only when
// its leader is provably the agent we started; the marker scan needs no
// such proof (a process that reused the pid does not carry the marker).
void stop_leftovers(const store::running_task& t) {
  pid_t pgid = 0;
  if (t.agent_pgid > 0 && t.boot_id == agent::boot_id() &&
      agent::process_start_time(static_cast<pid_t>(t.agent_pgid)) == t.agent_start)
    pgid = static_cast<pid_t>(t.agent_pgid);
  else if (t.agent_pgid > 0)
    log::info("journaled agent pid is gone or belongs to another process now; leaving that pid alone",
              {{"task_id", t.task_id}, {"pid", std::to_string(t.agent_pgid)}});
  auto marked = agent::find_processes_with_env(agent::task_marker_variable, t.task_id);
  if (pgid == 0 && marked.empty()) return;
  auto survivors = agent::kill_task_processes(pgid, t.task_id);
  log::warn("stopped an agent left running by the previous daemon",
            {{"task_id", t.task_id}, {"pgid", std::to_string(pgid)}, {"marked", std::to_string(marked.size())},
             {"survivors", std::to_string(survivors.size())}});
}

}  // namespace

int recover_interrupted_tasks(store::database& db, task_channel& channel, const std::string& source) {
  store::journal journal(db);
  store::outbox outbox(db);
  auto rows = journal.list();
  if (!rows) {
    log::error("cannot read the task journal; interrupted tasks are not recovered",
               {{"error", rows.error().to_string()}, {"hint", "check state_dir"}});
    return 0;
  }
  int recovered = 0;
  for (const auto& t : *rows) {
    if (t.source != source) continue;
    stop_leftovers(t);
    auto final_queued = outbox.has_final(t.task_id);
    if (final_queued && *final_queued) {
      log::info("task's final report is already queued; delivering it instead of failing the task",
                {{"task_id", t.task_id}});
      channel.forget(t.task_id);
    } else {
      log::warn("task was running when the previous daemon stopped; reporting it failed",
                {{"task_id", t.task_id}, {"error", interrupted_by_restart}});
      channel.fail(t.task_id, interrupted_by_restart);
    }
    ++recovered;
  }
  return recovered;
}

}  // namespace multicad::core
