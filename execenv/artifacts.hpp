// What artifact clean-up may remove from a finished task's folder, and how
// big the folder is. Artifacts are (1) directories below workdir/ that match
// an artifact pattern (config/disk_values.hpp), found without following
// symlinks and without entering .git, and never one that itself holds a .git
// (a dependency checked out from git is somebody's source); (2) the task's
// private tmp/, when it holds anything. codex-home/ (the agent's sessions),
// output/, logs/ and everything else are never artifacts.
// Blocking; any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "config/disk_values.hpp"
#include "execenv/disk_walk.hpp"
#include "execenv/outcome.hpp"

namespace multicad::execenv {

struct artifact {
  std::filesystem::path path;
  std::uint64_t bytes = 0;  // what removing it should free (hard links counted where first seen)
  std::string pattern;      // the pattern's name, or "tmp"
};

struct folder_usage {
  std::uint64_t bytes = 0;           // the whole folder, like `du -s`
  std::uint64_t artifact_bytes = 0;  // the sum over `artifacts`
  std::vector<artifact> artifacts;
  std::uint64_t unreadable = 0;      // entries that could not be examined
};

// Measures the task folder `dir`; with `find_artifacts` also lists its
// artifacts (a running task's folder is only measured).
folder_usage measure_task_folder(const std::filesystem::path& dir, const std::vector<config::artifact_pattern>& patterns,
                                 inode_set& seen, bool find_artifacts);

// Removes the artifacts `measure_task_folder` listed for `dir`: each path is
// re-opened below `dir` component by component without following symlinks
// (disk_walk.hpp remove_below), so a folder changed since cannot redirect
// the removal. tmp/ is emptied and kept. The first failure is in `error`;
// the other artifacts are still removed.
// Requires: every artifact path lies below `dir`.
removal remove_artifacts(const std::filesystem::path& dir, const std::vector<artifact>& artifacts);

}  // namespace multicad::execenv
