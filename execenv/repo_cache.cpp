#include "execenv/repo_cache.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace multicad::execenv {
namespace fs = std::filesystem;

namespace {

bool plain_directory(const fs::path& p) {
  std::error_code ec;
  return fs::symlink_status(p, ec).type() == fs::file_type::directory;
}

bool is_lock_file(const fs::path& p) { return p.extension() == ".lock"; }

}  // namespace

fs::path lock_file_of(const fs::path& cache_dir) {
  auto lock = cache_dir;
  lock += ".lock";
  return lock;
}

std::vector<repo_cache> list_repo_caches(const fs::path& root) {
  std::vector<repo_cache> out;
  std::error_code ec;
  const auto repos = root / repo_caches_folder;
  if (!plain_directory(repos)) return out;
  for (const auto& ws : fs::directory_iterator(repos, ec)) {
    if (!plain_directory(ws.path())) continue;
    std::error_code inner;
    for (const auto& entry : fs::directory_iterator(ws.path(), inner)) {
      const auto& dir = entry.path();
      if (is_lock_file(dir) || !plain_directory(dir)) continue;
      std::error_code head_ec;
      if (fs::symlink_status(dir / "HEAD", head_ec).type() != fs::file_type::regular) continue;
      auto used = modified_at(lock_file_of(dir));
      if (!used) used = modified_at(dir);
      out.push_back({dir, ws.path().filename().string(), dir.filename().string(),
                     used.value_or(std::chrono::system_clock::time_point{})});
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.dir < b.dir; });
  return out;
}

cache_removal remove_repo_cache(const fs::path& root, const fs::path& cache_dir) {
  cache_removal out;
  auto relative = cache_dir.lexically_relative(root);
  if (relative.empty() || *relative.begin() != repo_caches_folder || std::distance(relative.begin(), relative.end()) != 3) {
    out.detail.error = cache_dir.string() + ": not a repository cache below " + (root / repo_caches_folder).string();
    return out;
  }
  auto lock = lock_file_of(cache_dir);
  int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    out.detail.error = lock.string() + ": " + std::strerror(errno);
    return out;
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      out.outcome = cache_removal_outcome::busy;
    } else {
      out.detail.error = lock.string() + ": " + std::strerror(err);
    }
    return out;
  }
  out.detail = remove_below(root, relative);
  out.outcome = out.detail.ok() ? cache_removal_outcome::removed : cache_removal_outcome::failed;
  ::close(fd);  // releases the lock; the file stays for the checkout code
  return out;
}

}  // namespace multicad::execenv
