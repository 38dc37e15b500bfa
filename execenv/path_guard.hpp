// Ids and names that become path components (workspace id, task id, skill
// name, skill file path) come from the server; nothing they name may land
// outside the workspaces root. These checks reject anything that could.
// Pure; any thread.
#pragma once

#include <filesystem>
#include <string_view>

#include "execenv/outcome.hpp"

namespace multicad::execenv {

// One path component: non-empty, at most 255 bytes, not "." or "..", and
// without '/', '\\', NUL or control characters. `what` names it in the error
// ("workspace id").
result<void> check_component(std::string_view what, std::string_view value);

// A relative path of checked components separated by '/', e.g. a skill file
// "scripts/run.sh". Rejects absolute paths, "..", empty components, NUL and '\\'.
result<std::filesystem::path> check_relative_path(std::string_view what, std::string_view value);

// True when `inner` is `outer` or below it, after resolving symlinks of the
// parts that exist (a link pointing out of the root counts as outside).
bool is_within(const std::filesystem::path& outer, const std::filesystem::path& inner);

}  // namespace multicad::execenv
