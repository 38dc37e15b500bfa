#include "execenv/disk_walk.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace multicad::execenv {
namespace fs = std::filesystem;

namespace {

// Deeper than any real tree (node_modules nests tens of levels); bounds the
// descriptors one walk holds open (one per level).
constexpr int max_depth = 512;

std::uint64_t blocks_of(const struct stat& st) { return static_cast<std::uint64_t>(st.st_blocks) * 512; }


void count(const struct stat& st, inode_set& seen, tree_size& out) {
  out.bytes += counted_bytes(st, seen);
  ++out.entries;
}

void measure_children(int dir_fd, dev_t dev, inode_set& seen, tree_size& out, int depth) {
  dir_reader d(dir_fd);
  if (!d.ok()) { ++out.unreadable; return; }
  while (const char* name = d.next()) {
    if (std::strcmp(name, ".git") == 0) out.holds_git = true;
    struct stat st{};
    if (::fstatat(d.fd(), name, &st, AT_SYMLINK_NOFOLLOW) != 0) { ++out.unreadable; continue; }
    count(st, seen, out);
    // Like `du -x`: a mount point's own inode counts, what is mounted does not.
    if (!S_ISDIR(st.st_mode) || st.st_dev != dev) continue;
    if (depth >= max_depth) { ++out.unreadable; continue; }
    int child = open_directory_at(d.fd(), name);
    if (child < 0) { ++out.unreadable; continue; }
    measure_children(child, dev, seen, out, depth + 1);
  }
}

std::string describe(const std::string& where, int err) { return where + ": " + std::strerror(err); }

void remove_children(int dir_fd, dev_t dev, const std::string& where, removal& out, int depth);

// Removes `name` (inside `parent_fd`, on file system `dev`), stat-ing it just
// before the unlink so `freed` counts an inode only when its last link goes.
void remove_entry(int parent_fd, const char* name, dev_t dev, const std::string& where, removal& out, int depth) {
  struct stat st{};
  if (::fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno != ENOENT && out.ok()) out.error = describe(where, errno);
    return;
  }
  if (!S_ISDIR(st.st_mode)) {
    if (::unlinkat(parent_fd, name, 0) != 0) {
      if (errno != ENOENT && out.ok()) out.error = describe(where, errno);
      return;
    }
    if (st.st_nlink <= 1) out.freed += blocks_of(st);
    ++out.removed;
    return;
  }
  if (st.st_dev != dev) {
    if (out.ok()) out.error = where + ": a mount point; unmount it, GC does not cross file systems";
    return;
  }
  if (depth >= max_depth) {
    if (out.ok()) out.error = where + ": nested deeper than " + std::to_string(max_depth) + " levels";
    return;
  }
  // Two rounds: a file system may skip an entry when its directory changes
  // during readdir (gnulib's fts re-reads for the same reason); a second
  // round catches it, and what is still there after that is an error.
  int err = 0;
  for (int round = 0; round < 2; ++round) {
    int child = open_directory_at(parent_fd, name);
    if (child < 0) {
      err = errno;
      break;
    }
    remove_children(child, dev, where, out, depth + 1);
    err = ::unlinkat(parent_fd, name, AT_REMOVEDIR) == 0 ? 0 : errno;
    if (err != ENOTEMPTY || !out.ok()) break;
  }
  if (err != 0) {
    if (err != ENOENT && out.ok()) out.error = describe(where, err);
    return;
  }
  out.freed += blocks_of(st);
  ++out.removed;
}

void remove_children(int dir_fd, dev_t dev, const std::string& where, removal& out, int depth) {
  dir_reader d(dir_fd);
  if (!d.ok()) {
    if (out.ok()) out.error = describe(where, errno);
    return;
  }
  // Unlinking while reading is allowed for readdir: entries not yet returned
  // are either returned once or not at all, and removed ones never reappear.
  while (const char* name = d.next()) remove_entry(d.fd(), name, dev, where + "/" + name, out, depth);
}

// Opens `base` and then each component of `relative` but the last with
// O_NOFOLLOW; returns the descriptor of the last one's parent, or -1 with
// `error` set (a missing component sets nothing: there is nothing to remove).
int open_parent_below(const fs::path& base, const fs::path& relative, std::string& error) {
  int fd = ::open(base.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT) error = describe(base.string(), errno);
    return -1;
  }
  fs::path at = base;
  for (auto it = relative.begin(); it != relative.end() && std::next(it) != relative.end(); ++it) {
    at /= *it;
    int next = open_directory_at(fd, it->c_str());
    int err = errno;
    ::close(fd);
    if (next < 0) {
      if (err != ENOENT) error = describe(at.string(), err == ELOOP || err == ENOTDIR ? ENOTDIR : err);
      return -1;
    }
    fd = next;
  }
  return fd;
}

bool acceptable(const fs::path& relative) {
  if (relative.empty() || relative.is_absolute()) return false;
  for (const auto& part : relative)
    if (part == ".." || part == "." || part.empty()) return false;
  return true;
}

}  // namespace

bool inode_set::first_time(dev_t dev, ino_t ino) { return seen_.emplace(dev, ino).second; }

std::uint64_t counted_bytes(const struct stat& st, inode_set& seen) {
  // A directory never has other hard links; a file with several counts once.
  if (!S_ISDIR(st.st_mode) && st.st_nlink > 1 && !seen.first_time(st.st_dev, st.st_ino)) return 0;
  return blocks_of(st);
}

dir_reader::dir_reader(int fd) : d_(fd >= 0 ? ::fdopendir(fd) : nullptr) {
  if (!d_ && fd >= 0) ::close(fd);
}
dir_reader::~dir_reader() {
  if (d_) ::closedir(static_cast<DIR*>(d_));
}
int dir_reader::fd() const { return ::dirfd(static_cast<DIR*>(d_)); }
const char* dir_reader::next() {
  while (dirent* e = ::readdir(static_cast<DIR*>(d_)))
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) return e->d_name;
  return nullptr;
}

// O_NOATIME keeps a GC pass from dirtying every inode it reads; only the
// owner (or root) may ask for it, so fall back without it.
int open_directory_at(int parent_fd, const char* name) {
  int fd = ::openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOATIME);
  if (fd < 0 && errno == EPERM) fd = ::openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  return fd;
}

tree_size measure_tree_at(int parent_fd, const char* name, inode_set& seen) {
  tree_size out;
  struct stat st{};
  if (::fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno != ENOENT) ++out.unreadable;
    return out;
  }
  count(st, seen, out);
  if (!S_ISDIR(st.st_mode)) return out;
  int fd = open_directory_at(parent_fd, name);
  if (fd < 0) { ++out.unreadable; return out; }
  measure_children(fd, st.st_dev, seen, out, 1);
  return out;
}

tree_size measure_tree(const fs::path& path, inode_set& seen) {
  auto dir = path.parent_path();
  int parent = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (parent < 0) {
    tree_size none;
    if (errno != ENOENT) none.unreadable = 1;
    return none;
  }
  auto out = measure_tree_at(parent, path.filename().c_str(), seen);
  ::close(parent);
  return out;
}

removal remove_below(const fs::path& base, const fs::path& relative) {
  removal out;
  if (!acceptable(relative)) {
    out.error = (base / relative).string() + ": not a plain relative path below " + base.string();
    return out;
  }
  int parent = open_parent_below(base, relative, out.error);
  if (parent < 0) return out;
  struct stat pst{};
  if (::fstat(parent, &pst) == 0)
    remove_entry(parent, relative.filename().c_str(), pst.st_dev, (base / relative).string(), out, 1);
  else
    out.error = describe(base.string(), errno);
  ::close(parent);
  return out;
}

removal empty_below(const fs::path& base, const fs::path& relative) {
  removal out;
  if (!acceptable(relative)) {
    out.error = (base / relative).string() + ": not a plain relative path below " + base.string();
    return out;
  }
  int parent = open_parent_below(base, relative, out.error);
  if (parent < 0) return out;
  int fd = open_directory_at(parent, relative.filename().c_str());
  int err = errno;
  ::close(parent);
  if (fd < 0) {
    if (err != ENOENT) out.error = describe((base / relative).string(), err);
    return out;
  }
  struct stat st{};
  if (::fstat(fd, &st) != 0) {
    out.error = describe((base / relative).string(), errno);
    ::close(fd);
    return out;
  }
  remove_children(fd, st.st_dev, (base / relative).string(), out, 1);  // closes fd
  return out;
}

removal remove_tree(const fs::path& path) { return remove_below(path.parent_path(), path.filename()); }

std::optional<filesystem_space> space_of(const fs::path& path) {
  fs::path probe = path;
  std::error_code ec;
  while (!probe.empty() && !fs::exists(probe, ec)) {
    if (probe == probe.parent_path()) break;
    probe = probe.parent_path();
  }
  struct statvfs v{};
  if (probe.empty() || ::statvfs(probe.c_str(), &v) != 0) return std::nullopt;
  return filesystem_space{static_cast<std::uint64_t>(v.f_bavail) * v.f_frsize,
                          static_cast<std::uint64_t>(v.f_blocks) * v.f_frsize};
}

std::optional<std::chrono::system_clock::time_point> modified_at(const fs::path& path) {
  struct stat st{};
  if (::fstatat(AT_FDCWD, path.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return std::nullopt;
  using namespace std::chrono;
  return system_clock::time_point(duration_cast<system_clock::duration>(seconds(st.st_mtim.tv_sec) +
                                                                        nanoseconds(st.st_mtim.tv_nsec)));
}

}  // namespace multicad::execenv
