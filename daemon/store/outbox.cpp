#include "daemon/store/outbox.hpp"

namespace multicad::store {

namespace {
constexpr const char* columns =
    "id, task_id, kind, payload, created_at_ms, attempts, next_attempt_ms, last_error";

// The items that may be in flight: each task's head, and once the task has
// stored its final report, the oldest item of each kind up to that report.
constexpr const char* sendable =
    "(o.id = (SELECT min(id) FROM outbox WHERE task_id = o.task_id) "
    "OR (o.id <= (SELECT min(id) FROM outbox WHERE task_id = o.task_id AND kind IN ('complete', 'fail')) "
    "AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.task_id = o.task_id AND p.kind = o.kind AND p.id < o.id)))";

outbox_item item_of(const row& r) {
  return {r.integer(0), r.text(1), r.text(2), r.text(3), r.integer(4), r.integer(5), r.integer(6), r.text(7)};
}
}  // namespace

result<std::int64_t> outbox::enqueue(const std::string& task_id, const std::string& kind, const std::string& payload,
                                     std::int64_t now_ms) {
  auto ok = db_.exec("INSERT INTO outbox (task_id, kind, payload, created_at_ms) VALUES (?1, ?2, ?3, ?4)",
                     {task_id, kind, payload, now_ms});
  if (!ok) return ok.error();
  return db_.last_insert_id();
}

result<std::vector<outbox_item>> outbox::due(std::int64_t now_ms, std::int64_t limit) {
  auto rows = db_.query(std::string("SELECT ") + columns + " FROM outbox o WHERE " + sendable +
                            " AND o.next_attempt_ms <= ?1 ORDER BY o.id LIMIT ?2",
                        {now_ms, limit});
  if (!rows) return rows.error();
  std::vector<outbox_item> out;
  for (const auto& r : *rows) out.push_back(item_of(r));
  return out;
}

result<std::optional<std::int64_t>> outbox::next_due(std::int64_t after_ms) {
  auto rows = db_.query(std::string("SELECT min(o.next_attempt_ms) FROM outbox o WHERE ") + sendable +
                            " AND o.next_attempt_ms > ?1",
                        {after_ms});
  if (!rows) return rows.error();
  if (rows->empty() || rows->at(0).is_null(0)) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>{rows->at(0).integer(0)};
}

result<void> outbox::delivered(std::int64_t id) { return db_.exec("DELETE FROM outbox WHERE id = ?1", {id}); }

result<void> outbox::retry_later(std::int64_t id, std::int64_t next_attempt_ms, const std::string& error) {
  return db_.exec("UPDATE outbox SET attempts = attempts + 1, next_attempt_ms = ?2, last_error = ?3 WHERE id = ?1",
                  {id, next_attempt_ms, error});
}

result<bool> outbox::has_final(const std::string& task_id) {
  auto rows = db_.query("SELECT count(*) FROM outbox WHERE task_id = ?1 AND kind IN ('complete', 'fail')", {task_id});
  if (!rows) return rows.error();
  return rows->at(0).integer(0) > 0;
}

result<outbox_depth> outbox::depth() {
  auto count = db_.query("SELECT count(*) FROM outbox");
  if (!count) return count.error();
  outbox_depth d;
  d.items = count->at(0).integer(0);
  auto oldest = db_.query(std::string("SELECT ") + columns + " FROM outbox ORDER BY id LIMIT 1");
  if (!oldest) return oldest.error();
  if (!oldest->empty()) d.oldest = item_of(oldest->at(0));
  return d;
}

}  // namespace multicad::store
