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

execenv::folder_state classify(bool has_meta, const std::optional<issue_answer>& issue, bool held) {
  using fs_state = execenv::folder_state;
  if (held) return fs_state::running;
  if (!has_meta) return fs_state::orphan;
  if (!issue) return fs_state::issue_done;  // local mode: the task itself is what ended
  switch (issue->what) {
    case issue_answer::kind::unknown: return fs_state::orphan;
    case issue_answer::kind::error: return fs_state::issue_open;  // unsure: keep it as long as open ones
    case issue_answer::kind::known: break;
  }
  bool finished = issue->status == "done" || issue->status == "cancelled" || issue->status == "canceled";
  return finished ? fs_state::issue_done : fs_state::issue_open;
}

execenv::removal remove_task_dir(const fs::path& root, const fs::path& dir) {
  execenv::removal out;
  // (root / "").parent_path() drops a trailing separator, so "/ws/" and "/ws" compare equal.
  const auto base = (root / "").parent_path();
  auto relative = dir.lexically_relative(base);
  if (dir.parent_path().parent_path() != base || std::distance(relative.begin(), relative.end()) != 2) {
    out.error = dir.string() + ": not a task directory below the root";
    return out;
  }
  std::error_code ec;
  if (fs::symlink_status(dir, ec).type() != fs::file_type::directory) {
    out.error = dir.string() + ": not a task directory below the root";
    return out;
  }
  out = execenv::remove_below(base, relative);
  if (out.ok() && fs::is_empty(dir.parent_path(), ec) && !ec) fs::remove(dir.parent_path(), ec);
  return out;
}

}  // namespace multicad::core
