#include "execenv/disk_survey.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

namespace multicad::execenv {
namespace fs = std::filesystem;

namespace {

std::uint64_t own_blocks(const fs::path& p, inode_set& seen) {
  struct stat st{};
  if (::fstatat(AT_FDCWD, p.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return 0;
  return counted_bytes(st, seen);
}

bool plain_directory(const fs::directory_entry& e) {
  std::error_code ec;
  return e.symlink_status(ec).type() == fs::file_type::directory;
}

std::vector<fs::directory_entry> sorted_entries(const fs::path& dir, std::uint64_t& unreadable) {
  std::vector<fs::directory_entry> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) out.push_back(*it);
  if (ec) ++unreadable;
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.path() < b.path(); });
  return out;
}

// The .repos folder: each cache measured as a whole; lock files, the
// folders themselves and anything else count as "other".
void survey_caches(root_survey& s, const fs::path& repos, inode_set& seen) {
  auto caches = list_repo_caches(s.root);
  std::set<fs::path> cache_dirs;
  for (auto& c : caches) {
    auto t = measure_tree(c.dir, seen);
    s.unreadable += t.unreadable;
    cache_dirs.insert(c.dir);
    s.caches.push_back({std::move(c), t.bytes});
  }
  s.other_bytes += own_blocks(repos, seen);
  for (const auto& ws : sorted_entries(repos, s.unreadable)) {
    if (!plain_directory(ws)) {
      s.other_bytes += measure_tree(ws.path(), seen).bytes;
      continue;
    }
    s.other_bytes += own_blocks(ws.path(), seen);
    for (const auto& e : sorted_entries(ws.path(), s.unreadable))
      if (!cache_dirs.count(e.path())) s.other_bytes += measure_tree(e.path(), seen).bytes;
  }
}

void survey_workspace(root_survey& s, const fs::directory_entry& ws, const survey_options& o, inode_set& seen) {
  s.other_bytes += own_blocks(ws.path(), seen);
  for (const auto& e : sorted_entries(ws.path(), s.unreadable)) {
    auto name = e.path().filename().string();
    if (!plain_directory(e) || name.starts_with(".")) {
      s.other_bytes += measure_tree(e.path(), seen).bytes;
      continue;
    }
    task_folder t;
    t.dir = e.path();
    t.workspace_id = ws.path().filename().string();
    t.name = name;
    if (auto m = read_gc_meta(t.dir)) t.meta = *m;
    t.modified = modified_at(t.dir).value_or(std::chrono::system_clock::time_point{});
    t.running = o.running.count(t.dir) > 0;
    t.usage = measure_task_folder(t.dir, o.patterns, seen, o.find_artifacts && !t.running);
    s.unreadable += t.usage.unreadable;
    s.tasks.push_back(std::move(t));
  }
}

}  // namespace

root_survey survey_root(const fs::path& root, const survey_options& o) {
  root_survey s;
  s.root = root;
  std::error_code ec;
  s.root_exists = fs::is_directory(root, ec);
  if (!s.root_exists) return s;
  inode_set seen;
  s.other_bytes += own_blocks(root, seen);
  auto entries = sorted_entries(root, s.unreadable);
  for (const auto& e : entries)
    if (e.path().filename() == repo_caches_folder && plain_directory(e)) survey_caches(s, e.path(), seen);
  for (const auto& e : entries) {
    auto name = e.path().filename().string();
    if (name == repo_caches_folder && plain_directory(e)) continue;
    // Dot-folders are the daemon's own or somebody else's, never a workspace.
    if (!plain_directory(e) || name.starts_with(".")) s.other_bytes += measure_tree(e.path(), seen).bytes;
    else survey_workspace(s, e, o, seen);
  }
  s.total_bytes = s.other_bytes;
  for (const auto& t : s.tasks) s.total_bytes += t.usage.bytes;
  for (const auto& c : s.caches) s.total_bytes += c.bytes;
  return s;
}

}  // namespace multicad::execenv
