#include "daemon/core/gc.hpp"

namespace multicad::core {
namespace fs = std::filesystem;

gc_verdict decide(const gc_candidate& c, const std::optional<issue_answer>& issue, const config::settings& s,
                  std::chrono::system_clock::time_point now, fs::file_time_type now_file) {
  auto orphan = [&] {
    return now_file - c.mtime > std::chrono::duration_cast<fs::file_time_type::duration>(s.gc.orphan_ttl)
               ? gc_verdict::remove_orphan
               : gc_verdict::keep;
  };
  if (!c.meta) return orphan();
  if (s.keep_env_after_task) return gc_verdict::keep;  // only orphans go
  if (!issue) {
    // No one to ask (local mode): the task itself is what ended.
    return now - c.meta->completed_at > s.gc.ttl ? gc_verdict::remove_done : gc_verdict::keep;
  }
  switch (issue->what) {
    case issue_answer::kind::unknown: return orphan();
    case issue_answer::kind::error: return gc_verdict::keep;  // ask again next time
    case issue_answer::kind::known: break;
  }
  // The schema spells it "cancelled"; the reference daemon tested "canceled". Accept both.
  bool finished = issue->status == "done" || issue->status == "cancelled" || issue->status == "canceled";
  if (!finished) return gc_verdict::keep;
  auto since = issue->updated_at.value_or(c.meta->completed_at);
  return now - since > s.gc.ttl ? gc_verdict::remove_done : gc_verdict::keep;
}

namespace {
bool plain_dir(const fs::directory_entry& e) {
  std::error_code ec;
  return e.is_directory(ec) && !e.is_symlink(ec);
}
bool hidden(const fs::path& p) { return p.filename().string().starts_with("."); }
}  // namespace

std::vector<gc_candidate> scan(const fs::path& root, const std::set<fs::path>& running) {
  std::vector<gc_candidate> out;
  std::error_code ec;
  for (const auto& ws : fs::directory_iterator(root, ec)) {
    if (!plain_dir(ws) || hidden(ws.path())) continue;
    std::error_code inner;
    for (const auto& task : fs::directory_iterator(ws.path(), inner)) {
      if (!plain_dir(task) || hidden(task.path()) || running.count(task.path())) continue;
      gc_candidate c{task.path(), task.last_write_time(inner), std::nullopt};
      if (auto m = execenv::read_gc_meta(task.path())) c.meta = *m;
      out.push_back(std::move(c));
    }
  }
  return out;
}

bool remove_task_dir(const fs::path& root, const fs::path& dir, std::string& error) {
  std::error_code ec;
  auto st = fs::symlink_status(dir, ec);
  // (root / "").parent_path() drops a trailing separator, so "/ws/" and "/ws" compare equal.
  if (ec || !fs::is_directory(st) || dir.parent_path().parent_path() != (root / "").parent_path()) {
    error = "not a task directory below the root";
    return false;
  }
  fs::remove_all(dir, ec);  // does not follow symlinks inside
  if (ec) {
    error = ec.message();
    return false;
  }
  if (fs::is_empty(dir.parent_path(), ec) && !ec) fs::remove(dir.parent_path(), ec);
  return true;
}

}  // namespace multicad::core
