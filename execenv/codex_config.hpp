// Puts the managed sandbox block (managed_block.hpp) into a task's
// config.toml on disk, after taking out what unattended runs must not use
// (codex_hygiene.hpp), and proves the result: the file is rewritten only when
// its bytes change, atomically, and re-parsed to check that the root sandbox
// keys equal the policy. A user file that is not valid TOML is moved aside to
// config.toml.invalid and replaced by the block alone, with a WARN. Blocking
// filesystem work: call from a worker thread in the daemon.
#pragma once

#include <filesystem>
#include <string_view>

#include "execenv/codex_hygiene.hpp"
#include "execenv/outcome.hpp"
#include "execenv/sandbox_policy.hpp"

namespace multicad::execenv {

struct config_write {
  bool written = false;  // false: the file already held exactly this block
  std::vector<notice> notices;
};

// Requires: the folder of `config_path` exists. `codex_version` is the
// detected version text (empty when unknown), used in the macOS fallback WARN.
result<config_write> write_managed_config(const std::filesystem::path& config_path, const sandbox_policy& policy,
                                          std::string_view codex_version, const hygiene_options& hygiene = {});

}  // namespace multicad::execenv
