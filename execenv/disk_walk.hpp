// Measuring and removing directory trees the way GC must: every entry is
// opened relative to its parent's descriptor with O_NOFOLLOW, so a symlink
// (even one swapped in mid-walk) is counted or removed as a link and never
// followed; neither operation crosses into another file system. Sizes are
// what the disk holds (st_blocks * 512, what `du -B1` prints), and a file
// with several hard links counts once per inode_set.
// Blocking; any thread. An inode_set belongs to one walk at a time.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <unordered_set>

namespace multicad::execenv {

// (st_dev, st_ino) of the multiply-linked files a walk has counted.
class inode_set {
 public:
  // True the first time (dev, ino) is offered.
  bool first_time(dev_t dev, ino_t ino);
  std::size_t size() const { return seen_.size(); }

 private:
  struct hash {
    std::size_t operator()(const std::pair<dev_t, ino_t>& k) const { return k.first * 1000003u ^ k.second; }
  };
  std::unordered_set<std::pair<dev_t, ino_t>, hash> seen_;
};

// The bytes one entry adds to a walk: its blocks, or 0 for a hard-linked
// file `seen` has counted before (directories are never deduplicated).
std::uint64_t counted_bytes(const struct stat& st, inode_set& seen);

struct tree_size {
  std::uint64_t bytes = 0;       // blocks of every entry counted, the top one included
  std::uint64_t entries = 0;     // files, links and directories counted
  std::uint64_t unreadable = 0;  // entries that could not be examined (counted as 0 bytes)
  bool holds_git = false;        // some entry below the top is called .git
};

// The size of `path` (a file, a symlink or a whole tree; 0 bytes if absent).
tree_size measure_tree(const std::filesystem::path& path, inode_set& seen);
// The same for `name` inside the open directory `parent_fd`.
tree_size measure_tree_at(int parent_fd, const char* name, inode_set& seen);

struct removal {
  std::uint64_t freed = 0;    // blocks of the inodes whose last link went
  std::uint64_t removed = 0;  // entries unlinked
  std::string error;          // the first failure ("<path>: <reason>"); empty on success
  bool ok() const { return error.empty(); }
};

// Removes `base`/`relative` and everything below it (a missing path is
// success). `base` is opened as given (an operator's root may be a symlink);
// every component of `relative` is opened with O_NOFOLLOW, so a symlink
// swapped in anywhere below `base` fails the removal instead of redirecting
// it. Symlinks inside the tree are unlinked, never followed; a directory on
// another file system (a mount point) is refused, and so is everything above it.
// Requires: `relative` is relative, non-empty and has no "..".
removal remove_below(const std::filesystem::path& base, const std::filesystem::path& relative);
// The same, but keeps the directory `base`/`relative` itself (emptied).
removal empty_below(const std::filesystem::path& base, const std::filesystem::path& relative);
// remove_below(path's parent, path's name).
removal remove_tree(const std::filesystem::path& path);

// A directory's entries without "." and "..", read from a descriptor it owns
// (closed at destruction). For walks built on this file's rules.
class dir_reader {
 public:
  explicit dir_reader(int fd);
  ~dir_reader();
  dir_reader(const dir_reader&) = delete;
  dir_reader& operator=(const dir_reader&) = delete;
  bool ok() const { return d_ != nullptr; }
  int fd() const;
  const char* next();  // nullptr at the end

 private:
  void* d_ = nullptr;  // DIR*, kept out of this header
};
// `name` inside `parent_fd` opened as a directory without following a final
// symlink (O_NOATIME when allowed); -1 with errno set otherwise.
int open_directory_at(int parent_fd, const char* name);

struct filesystem_space {
  std::uint64_t free = 0;   // available to unprivileged users (f_bavail)
  std::uint64_t total = 0;  // the file system's size
};
// statvfs of the nearest existing ancestor of `path`; nullopt when none can be read.
std::optional<filesystem_space> space_of(const std::filesystem::path& path);

// st_mtime of `path` without following a final symlink; nullopt if it cannot be read.
std::optional<std::chrono::system_clock::time_point> modified_at(const std::filesystem::path& path);

}  // namespace multicad::execenv
