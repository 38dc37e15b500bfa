#include "daemon/toolbox/git_checkout.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include <fstream>
#include <stdexcept>
#include <sstream>

#include "execenv/repo_layout.hpp"

namespace multicad::toolbox {
namespace fs = std::filesystem;
using failure = checkout_error;

void throw_exception_from_error(const checkout_error& e, const boost::source_location&) {
  throw std::runtime_error(e.message);
}

namespace {

// Files the daemon writes into every workdir, kept out of the agent's commits.
const char* const excluded[] = {".agent_context", "AGENTS.md", "CLAUDE.md", ".claude", ".multicad_task.json"};

// Options on every git command: no ext:: transport (it runs commands), no hooks.
std::vector<std::string> git_argv(std::vector<std::string> args) {
  std::vector<std::string> argv{"git", "-c", "protocol.ext.allow=never", "-c", "core.hooksPath=/dev/null",
                                "-c", "advice.detachedHead=false"};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

failure explain(const std::string& what, const service::command_output& out) {
  if (out.not_found) return {what + ": git is not installed (install it: apt-get install git)"};
  if (out.timed_out) return {what + ": timed out"};
  return {what + ": " + trimmed(out.output) + " (exit status " + std::to_string(out.exit_status) + ")"};
}

// An exclusive flock on the cache's lock file, released on destruction.
class cache_lock {
 public:
  explicit cache_lock(const fs::path& file) : fd_(::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) {
    if (fd_ >= 0 && ::flock(fd_, LOCK_EX) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~cache_lock() {
    if (fd_ < 0) return;
    ::futimens(fd_, nullptr);  // "last used", for GC
    ::close(fd_);
  }
  bool held() const { return fd_ >= 0; }

 private:
  int fd_;
};

// The remote's default branch, as `ls-remote --symref` says ("refs/heads/main"), or "".
std::string remote_head(service::command_runner& git, const fs::path& cache) {
  auto out = git.run(git_argv({"-C", cache.string(), "ls-remote", "--symref", "origin", "HEAD"}));
  if (!out.ok() || !out.output.starts_with("ref: ")) return {};
  auto ref = out.output.substr(5, out.output.find('\t') - 5);
  return ref.starts_with("refs/heads/") ? ref : std::string();
}

// What refreshing a cache has to say: a failed fetch, for the log ("" when all went well).
struct refresh_note {
  std::string warning;
};

boost::system::result<refresh_note, failure> refresh_cache(service::command_runner& git, const std::string& url,
                                                          const fs::path& cache) {
  std::error_code ec;
  if (!fs::exists(cache / "HEAD", ec)) {
    fs::remove_all(cache, ec);  // a partial clone of an earlier attempt
    auto out = git.run(git_argv({"clone", "--bare", "--quiet", "--", url, cache.string()}));
    if (!out.ok()) {
      fs::remove_all(cache, ec);
      return explain("git clone --bare", out);
    }
    return refresh_note{};
  }
  auto out = git.run(git_argv({"-C", cache.string(), "fetch", "--quiet", "--prune", "--force", "origin",
                               "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"}));
  if (!out.ok()) return refresh_note{"git fetch: " + trimmed(out.output)};  // not fatal: the cache's copy is used
  if (auto head = remote_head(git, cache); !head.empty())
    git.run(git_argv({"-C", cache.string(), "symbolic-ref", "HEAD", head}));
  return refresh_note{};
}

// The commit the new branch starts from: the remote's default branch, else
// main, master, or the only branch; "" for a repository without commits.
std::string base_of(service::command_runner& git, const fs::path& clone) {
  for (const char* ref : {"refs/remotes/origin/HEAD", "refs/remotes/origin/main", "refs/remotes/origin/master"}) {
    auto out = git.run(git_argv({"-C", clone.string(), "rev-parse", "--verify", "--quiet", std::string(ref) + "^{commit}"}));
    if (out.ok()) return trimmed(out.output);
  }
  auto refs = git.run(git_argv({"-C", clone.string(), "for-each-ref", "--format=%(objectname)", "refs/remotes/origin/"}));
  std::istringstream lines(refs.output);
  std::vector<std::string> found;
  for (std::string l; std::getline(lines, l);)
    if (!l.empty()) found.push_back(l);
  return found.size() == 1 ? found[0] : std::string();
}

boost::system::result<void, failure> build_in_staging(service::command_runner& git, const checkout_request& r,
                                                      const fs::path& cache, const fs::path& staging) {
  auto clone = git.run(git_argv({"clone", "--quiet", "--no-hardlinks", "--no-checkout", "--", cache.string(), staging.string()}));
  if (!clone.ok()) return explain("git clone", clone);
  auto base = base_of(git, staging);
  auto co = base.empty() ? git.run(git_argv({"-C", staging.string(), "checkout", "--quiet", "--orphan", r.branch}))
                         : git.run(git_argv({"-C", staging.string(), "checkout", "--quiet", "-b", r.branch, base}));
  if (!co.ok()) return explain("git checkout", co);
  // origin is the real remote, so `git fetch`/`git push` in the sandbox go where the user's credentials work.
  auto remote = git.run(git_argv({"-C", staging.string(), "remote", "set-url", "--", "origin", r.url}));
  if (!remote.ok()) return explain("git remote set-url", remote);
  std::ofstream exclude(staging / ".git/info/exclude", std::ios::app);
  for (const char* pattern : excluded) exclude << "\n" << pattern << "\n";
  return {};
}

}  // namespace

std::string current_branch(const fs::path& checkout) {
  std::ifstream in(checkout / ".git/HEAD");
  std::string line;
  std::getline(in, line);
  return line.starts_with("ref: refs/heads/") ? trimmed(line.substr(16)) : std::string();
}

boost::system::result<checkout_result, failure> check_out(const checkout_request& r, service::command_runner& git) {
  auto paths = execenv::repo_cache_paths(r.workspaces_root, r.workspace_id, r.url);
  if (!paths) return failure{paths.error().to_string()};
  const auto target = r.workdir / execenv::repo_dir_name(r.url);
  std::error_code ec;
  if (fs::symlink_status(target, ec).type() != fs::file_type::not_found)
    return checkout_result{target, current_branch(target), true, {}};
  fs::create_directories(paths->cache.parent_path(), ec);
  if (ec) return failure{"cannot create the repository cache folder " + paths->cache.parent_path().string() + ": " + ec.message()};
  cache_lock lock(paths->lock);
  if (!lock.held()) return failure{"cannot lock the repository cache " + paths->lock.string()};
  // Again under the lock: a concurrent request of the same task may have just put it there.
  if (fs::symlink_status(target, ec).type() != fs::file_type::not_found)
    return checkout_result{target, current_branch(target), true, {}};
  auto refreshed = refresh_cache(git, r.url, paths->cache);
  if (!refreshed) return refreshed.error();
  const auto staging = r.staging / target.filename();
  fs::remove_all(staging, ec);
  fs::create_directories(r.staging, ec);
  if (auto built = build_in_staging(git, r, paths->cache, staging); !built) {
    fs::remove_all(staging, ec);
    return built.error();
  }
  // The last step, and the first the agent can see: nothing of the daemon's runs in the folder afterwards.
  // RENAME_NOREPLACE: whatever the agent put at the target meanwhile stays, and the checkout fails.
  if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) != 0) {
    auto why = std::error_code(errno, std::generic_category()).message();
    fs::remove_all(staging, ec);
    return failure{"cannot move the checkout into place at " + target.string() + ": " + why};
  }
  return checkout_result{target, r.branch, false, refreshed->warning};
}

}  // namespace multicad::toolbox
