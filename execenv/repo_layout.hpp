// Where repository checkouts and their caches live, and what they are named
// (spec agent-toolbox.md §7.4-7.5):
//   {workspaces_root}/.repos/{workspace_id}/{cache name}        a bare clone per URL
//   {workspaces_root}/.repos/{workspace_id}/{cache name}.lock   flock(2) held while it is used
//   {task workdir}/{repo name}/                                  the task's checkout, .git inside
// The cache name is the newer upstream's (host + path segments joined by
// '+', so two owners' `app` repositories never share a cache); the branch is
// agent/{agent slug}/{first 8 hex digits of the task id}, as the reference
// daemon names it. URLs come from the workspace's settings, so every name
// made from one is checked to be a single safe path component. Pure; any thread.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "execenv/outcome.hpp"

namespace multicad::execenv {

struct repo_paths {
  std::filesystem::path cache;  // the bare clone
  std::filesystem::path lock;   // beside it
};

// "https://github.com/org/app.git" -> "github.com+org+app.git"; scp-like
// "git@github.com:org/app" -> "github.com+org+app.git"; "file:///srv/git/app"
// -> "srv+git+app.git". Bytes outside [A-Za-z0-9._+-] become %XX. An error
// when nothing usable remains.
result<std::string> cache_dir_name(std::string_view url);

// Requires: workspaces_root is absolute. Validates the workspace id.
result<repo_paths> repo_cache_paths(const std::filesystem::path& workspaces_root, std::string_view workspace_id,
                                    std::string_view url);

// The checkout folder's name: the last path segment without ".git" ("app"),
// "repo" when nothing usable remains.
std::string repo_dir_name(std::string_view url);

// agent/<slug>/<8 hex>: slug = the agent name lower-cased, runs outside
// [a-z0-9] as '-', trimmed, at most 30 bytes, "agent" when empty.
std::string checkout_branch(std::string_view agent_name, std::string_view task_id);

}  // namespace multicad::execenv
