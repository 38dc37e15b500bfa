// Writes an agent's skills where Codex discovers them natively:
// {codex_home}/skills/<sanitised name>/SKILL.md plus the skill's files.
// Skill folders written earlier for skills the agent no longer has are
// removed (listed in skills/.multica-skills); Codex's own skills/.system is
// never touched. Blocking filesystem work: call from a worker thread.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "execenv/outcome.hpp"
#include "execenv/task_context.hpp"

namespace multicad::execenv {

// Lower-case; every run of characters outside a-z0-9 becomes '-'; leading and
// trailing '-' trimmed; "skill" when nothing remains (spec/server-api.md §15).
std::string sanitize_skill_name(std::string_view name);

// The folder names the skills get, in order: sanitised, with "-2", "-3"...
// appended when two names sanitise alike.
std::vector<std::string> skill_dir_names(const std::vector<skill>& skills);

// Requires: codex_home exists. Validates every file path before writing
// anything; an unsafe path fails the whole call.
result<void> write_skills(const std::filesystem::path& codex_home, const std::vector<skill>& skills);

}  // namespace multicad::execenv
