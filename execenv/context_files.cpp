#include "execenv/context_files.hpp"

#include "execenv/atomic_file.hpp"
#include "execenv/skills.hpp"

namespace multicad::execenv {
namespace fs = std::filesystem;

namespace {

std::string trigger_line(const task_context& t) {
  if (!t.chat_session_id.empty()) return "chat message (session " + t.chat_session_id + ")";
  if (!t.trigger_comment_id.empty()) return "reply to comment " + t.trigger_comment_id;
  if (!t.issue_id.empty()) return "new assignment";
  return "direct run (no issue)";
}


}  // namespace

std::string render_issue_context(const task_context& t) {
  std::string out = "# Task context\n\n";
  out += "- Task: " + t.task_id + "\n";
  if (!t.issue_id.empty()) out += "- Issue: " + t.issue_id + "\n";
  out += "- Trigger: " + trigger_line(t) + "\n";
  if (!t.issue_id.empty() && t.toolbox == toolbox_access::available)
    out += "- Quick start: `multica issue get " + t.issue_id + " --output json`\n";
  out += "\n## Skills\n\n";
  if (t.skills.empty()) out += "None.\n";
  auto dirs = skill_dir_names(t.skills);
  for (std::size_t i = 0; i < t.skills.size(); ++i)
    out += "- " + t.skills[i].name + " (`$CODEX_HOME/skills/" + dirs[i] + "/SKILL.md`)\n";
  return out;
}

result<void> write_context_files(const fs::path& workdir, const task_context& task) {
  std::error_code ec;
  auto ctx_dir = workdir / ".agent_context";
  fs::create_directories(ctx_dir, ec);
  if (ec) return error{"cannot create the context folder: " + ec.message(), ctx_dir.string()};
  if (auto ok = write_file_atomically(ctx_dir / "issue_context.md", render_issue_context(task), owner_read_write,
                                     durability::regenerated);
      !ok)
    return ok;
  return write_file_atomically(workdir / "AGENTS.md", render_agents_md(task), owner_read_write, durability::regenerated);
}

}  // namespace multicad::execenv
