// A task's checkout of a workspace repository (spec agent-toolbox.md §7.4-8):
// a bare cache per URL and workspace under <workspaces_root>/.repos, fetched
// when used, and an independent clone of it in the task's workdir on a new
// branch from the remote's default branch, with its .git inside the workdir
// so `git add`/`git commit` work in the sandbox (the reference daemon's
// linked worktrees kept their metadata in the cache, read-only there).
//
// Two rules keep the agent from reaching outside its sandbox through git:
// - the daemon never runs git in a repository the agent can write (its hooks,
//   filters or config would run as the daemon's user, unsandboxed): the clone
//   is made in a staging folder of the task directory, which the sandbox
//   cannot write, and renamed into the workdir as the last step; a checkout
//   that already exists there is handed back as it is;
// - objects are copied, not hard-linked, so an agent rewriting an object
//   file in its checkout cannot change the cache other tasks clone from.
// Concurrent checkouts of one cache (in this process or another) wait on an
// flock of <cache>.lock, whose mtime is the cache's "last used".
// Blocking (git runs to completion): call on a worker thread. Any thread.
#pragma once

#include <boost/system/result.hpp>

#include <filesystem>
#include <string>

#include "daemon/service/command_runner.hpp"

namespace multicad::toolbox {

struct checkout_request {
  std::filesystem::path workspaces_root;
  std::string workspace_id;
  std::string url;                 // as listed for the workspace
  std::filesystem::path workdir;   // the task's; the checkout goes to workdir/<repo name>
  std::filesystem::path staging;   // a folder of the task directory outside the workdir
  std::string branch;              // agent/<slug>/<short>
};

struct checkout_result {
  std::filesystem::path path;
  std::string branch;
  bool existed = false;       // the folder was already there (a reused workdir): handed back untouched
  std::string fetch_warning;  // a failed fetch of an existing cache (the checkout is then of what the cache had)
};

// Why a checkout failed, for the caller's 500 body ("git clone --bare: <git's words>").
struct checkout_error {
  std::string message;
};
[[noreturn]] void throw_exception_from_error(const checkout_error& e, const boost::source_location& loc);

boost::system::result<checkout_result, checkout_error> check_out(const checkout_request& r, service::command_runner& git);

// The branch a checkout's HEAD names, read from .git/HEAD without running git; "" when detached or unreadable.
std::string current_branch(const std::filesystem::path& checkout);

}  // namespace multicad::toolbox
