#include "execenv/artifacts.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace multicad::execenv {
namespace fs = std::filesystem;

namespace {

// Where artifacts are looked for; everything else in a task folder is only measured.
constexpr const char* work_folder = "workdir";
constexpr const char* scratch_folder = "tmp";

struct search {
  const std::vector<config::artifact_pattern>& patterns;
  inode_set& seen;
  folder_usage& out;
};

const config::artifact_pattern* matching(const std::vector<config::artifact_pattern>& patterns, int dir_fd,
                                         const char* name) {
  for (const auto& p : patterns) {
    if (p.name != name) continue;
    struct stat st{};
    if (p.marker.empty() || ::fstatat(dir_fd, p.marker.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) return &p;
  }
  return nullptr;
}

void add(folder_usage& out, const tree_size& t) {
  out.bytes += t.bytes;
  out.unreadable += t.unreadable;
}

// Looks for artifacts below the open directory `dir_fd` (at `path`), and
// measures everything it passes. Subfolders are entered only when they are
// real directories on the same file system; .git is measured, never searched.
void search_children(search& s, int dir_fd, const fs::path& path, dev_t dev, int depth) {
  dir_reader d(dir_fd);
  if (!d.ok()) { ++s.out.unreadable; return; }
  while (const char* name = d.next()) {
    struct stat st{};
    if (::fstatat(d.fd(), name, &st, AT_SYMLINK_NOFOLLOW) != 0) { ++s.out.unreadable; continue; }
    // Files, links and mount points count as themselves; .git is measured,
    // never searched; an artifact is measured as a whole.
    if (!S_ISDIR(st.st_mode) || st.st_dev != dev) {
      s.out.bytes += counted_bytes(st, s.seen);
      continue;
    }
    if (std::strcmp(name, ".git") == 0 || depth > 256) {
      add(s.out, measure_tree_at(d.fd(), name, s.seen));
      continue;
    }
    if (const auto* p = matching(s.patterns, d.fd(), name)) {
      auto t = measure_tree_at(d.fd(), name, s.seen);
      add(s.out, t);
      // A git checkout inside (a dependency installed from git, a nested
      // repository) may hold somebody's unpushed work: not regenerable.
      if (!t.holds_git) {
        s.out.artifacts.push_back({path / name, t.bytes, p->name});
        s.out.artifact_bytes += t.bytes;
      }
      continue;
    }
    s.out.bytes += counted_bytes(st, s.seen);
    int child = open_directory_at(d.fd(), name);
    if (child < 0) { ++s.out.unreadable; continue; }
    search_children(s, child, path / name, dev, depth + 1);
  }
}

// tmp/ is the agent's private TMPDIR: once the task ended, all of it is
// scratch. It counts as one artifact when it holds anything.
void scratch(search& s, int dir_fd, const fs::path& dir) {
  auto t = measure_tree_at(dir_fd, scratch_folder, s.seen);
  add(s.out, t);
  struct stat st{};
  if (t.entries <= 1 || ::fstatat(dir_fd, scratch_folder, &st, AT_SYMLINK_NOFOLLOW) != 0) return;
  auto own = static_cast<std::uint64_t>(st.st_blocks) * 512;
  if (t.bytes > own) {
    s.out.artifacts.push_back({dir / scratch_folder, t.bytes - own, scratch_folder});
    s.out.artifact_bytes += t.bytes - own;
  }
}

}  // namespace

folder_usage measure_task_folder(const fs::path& dir, const std::vector<config::artifact_pattern>& patterns,
                                 inode_set& seen, bool find_artifacts) {
  folder_usage out;
  if (!find_artifacts) {
    add(out, measure_tree(dir, seen));
    return out;
  }
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st{};
  if (fd < 0 || ::fstat(fd, &st) != 0) {
    if (fd >= 0) ::close(fd);
    ++out.unreadable;
    return out;
  }
  out.bytes += static_cast<std::uint64_t>(st.st_blocks) * 512;
  search s{patterns, seen, out};
  dir_reader d(fd);
  while (const char* name = d.next()) {
    struct stat child{};
    bool is_dir = ::fstatat(d.fd(), name, &child, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(child.st_mode) &&
                  child.st_dev == st.st_dev;
    if (is_dir && std::strcmp(name, scratch_folder) == 0) {
      scratch(s, d.fd(), dir);
    } else if (is_dir && std::strcmp(name, work_folder) == 0) {
      out.bytes += static_cast<std::uint64_t>(child.st_blocks) * 512;
      int w = open_directory_at(d.fd(), name);
      if (w < 0) { ++out.unreadable; continue; }
      search_children(s, w, dir / name, st.st_dev, 1);
    } else {
      add(out, measure_tree_at(d.fd(), name, seen));
    }
  }
  return out;
}

removal remove_artifacts(const fs::path& dir, const std::vector<artifact>& artifacts) {
  removal out;
  for (const auto& a : artifacts) {
    auto relative = a.path.lexically_relative(dir);
    auto r = relative == scratch_folder ? empty_below(dir, relative) : remove_below(dir, relative);
    out.freed += r.freed;
    out.removed += r.removed;
    if (out.ok() && !r.ok()) out.error = r.error;
  }
  return out;
}

}  // namespace multicad::execenv
