#include "daemon/store/local_tasks.hpp"

#include <fstream>
#include <random>

namespace multicad::store {

namespace {
constexpr const char* task_columns =
    "id, prompt, workdir, provider, model, status, cancel_requested, created_at_ms, started_at_ms, completed_at_ms, "
    "output, error, session_id, work_dir, repo";

local_task task_of(const row& r) {
  return {r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.integer(6) != 0, r.integer(7),
          r.integer(8), r.integer(9), r.text(10), r.text(11), r.text(12), r.text(13), r.text(14)};
}

result<std::vector<local_task>> tasks_of(result<std::vector<row>> rows) {
  if (!rows) return rows.error();
  std::vector<local_task> out;
  for (const auto& r : *rows) out.push_back(task_of(r));
  return out;
}
}  // namespace

std::string new_task_id() {
  unsigned char b[16];
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  if (!urandom.read(reinterpret_cast<char*>(b), sizeof b)) {
    std::random_device rd;  // the fallback is still random, just slower
    for (auto& c : b) c = static_cast<unsigned char>(rd());
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += hex[b[i] >> 4];
    out += hex[b[i] & 15];
  }
  return out;
}

result<local_task> local_tasks::submit(const std::string& prompt, const std::string& workdir,
                                       const std::string& provider, const std::string& model, std::int64_t now_ms,
                                       const std::string& repo) {
  local_task t{new_task_id(), prompt, workdir, provider, model, "queued"};
  t.created_at_ms = now_ms;
  t.repo = repo;
  auto ok = db_.exec("INSERT INTO local_tasks (id, prompt, workdir, provider, model, status, created_at_ms, repo) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, 'queued', ?6, ?7)",
                     {t.id, prompt, workdir, provider, model, now_ms, repo});
  if (!ok) return ok.error();
  return t;
}

result<std::optional<local_task>> local_tasks::claim_next(std::int64_t now_ms) {
  // One statement: the row moves to running in the same write that picks it.
  auto rows = db_.query(std::string("UPDATE local_tasks SET status = 'running', started_at_ms = ?1 WHERE id = "
                                    "(SELECT id FROM local_tasks WHERE status = 'queued' ORDER BY created_at_ms, id "
                                    "LIMIT 1) RETURNING ") + task_columns,
                        {now_ms});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<local_task>{};
  return std::optional<local_task>{task_of(rows->at(0))};
}

result<std::optional<local_task>> local_tasks::find(const std::string& id) {
  auto exact = tasks_of(db_.query(std::string("SELECT ") + task_columns + " FROM local_tasks WHERE id = ?1", {id}));
  if (!exact) return exact.error();
  if (!exact->empty()) return std::optional<local_task>{exact->at(0)};
  if (id.size() < 4) return std::optional<local_task>{};
  auto prefixed = tasks_of(db_.query(std::string("SELECT ") + task_columns +
                                         " FROM local_tasks WHERE substr(id, 1, length(?1)) = ?1 LIMIT 2",
                                     {id}));
  if (!prefixed) return prefixed.error();
  if (prefixed->size() != 1) return std::optional<local_task>{};
  return std::optional<local_task>{prefixed->at(0)};
}

result<std::vector<local_task>> local_tasks::list(int limit) {
  return tasks_of(db_.query(std::string("SELECT ") + task_columns +
                                " FROM local_tasks ORDER BY created_at_ms DESC, id LIMIT ?1",
                            {static_cast<std::int64_t>(limit)}));
}

result<std::optional<local_task>> local_tasks::cancel(const std::string& id) {
  auto ok = db_.transaction([&]() -> result<void> {
    if (auto r = db_.exec("UPDATE local_tasks SET status = 'cancelled', error = 'cancelled before it started' "
                          "WHERE id = ?1 AND status = 'queued'", {id}); !r)
      return r;
    return db_.exec("UPDATE local_tasks SET cancel_requested = 1 WHERE id = ?1 AND status = 'running'", {id});
  });
  if (!ok) return ok.error();
  return find(id);
}

result<void> local_tasks::add_events(const std::string& task_id, const std::vector<local_event>& events) {
  return db_.transaction([&]() -> result<void> {
    for (const auto& e : events)
      if (auto r = db_.exec("INSERT OR REPLACE INTO local_events (task_id, seq, type, tool, content, input, output, "
                            "at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                            {task_id, e.seq, e.type, e.tool, e.content, e.input, e.output, e.at_ms});
          !r)
        return r;
    return {};
  });
}

result<std::vector<local_event>> local_tasks::events(const std::string& task_id, std::int64_t after_seq) {
  auto rows = db_.query("SELECT seq, type, tool, content, input, output, at_ms FROM local_events "
                        "WHERE task_id = ?1 AND seq > ?2 ORDER BY seq",
                        {task_id, after_seq});
  if (!rows) return rows.error();
  std::vector<local_event> out;
  for (const auto& r : *rows) out.push_back({r.integer(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.integer(6)});
  return out;
}

result<void> local_tasks::set_usage(const std::string& task_id, const std::vector<local_usage>& usage) {
  return db_.transaction([&]() -> result<void> {
    for (const auto& u : usage)
      if (auto r = db_.exec("INSERT OR REPLACE INTO local_usage VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                            {task_id, u.provider, u.model, u.input_tokens, u.output_tokens, u.cache_read, u.cache_write});
          !r)
        return r;
    return {};
  });
}

result<std::vector<local_usage>> local_tasks::usage(const std::string& task_id) {
  auto rows = db_.query("SELECT provider, model, input_tokens, output_tokens, cache_read, cache_write FROM local_usage "
                        "WHERE task_id = ?1 ORDER BY provider, model", {task_id});
  if (!rows) return rows.error();
  std::vector<local_usage> out;
  for (const auto& r : *rows) out.push_back({r.text(0), r.text(1), r.integer(2), r.integer(3), r.integer(4), r.integer(5)});
  return out;
}

result<void> local_tasks::finish(const std::string& task_id, const std::string& status, const std::string& output,
                                 const std::string& error, const std::string& session_id, const std::string& work_dir,
                                 std::int64_t now_ms) {
  return db_.exec("UPDATE local_tasks SET status = ?2, output = ?3, error = ?4, session_id = ?5, work_dir = ?6, "
                  "completed_at_ms = ?7 WHERE id = ?1 AND status NOT IN ('completed', 'failed', 'cancelled')",
                  {task_id, status, output, error, session_id, work_dir, now_ms});
}

}  // namespace multicad::store
