#include "daemon/agent/prompt.hpp"

namespace multicad::agent {

namespace {

std::string where(const std::string& multica_path) {
  return " (`multica` is at `" + multica_path + "` if your shell does not find it; AGENTS.md lists its commands)";
}

std::string quoted(const std::string& text) {
  std::string out = "> ";
  for (char c : text) out += c == '\n' ? std::string("\n> ") : std::string(1, c);
  return out;
}

}  // namespace

std::string build_prompt(const proto::task& t, const std::string& multica_path) {
  if (!t.chat_session_id.empty()) {
    return "You are acting as a chat assistant for this Multica workspace. Answer the user's message below; "
           "use the tools available to you when the answer needs them.\n\nUser message:\n" +
           t.chat_message;
  }
  std::string out = "You are a local coding agent working for this Multica workspace. Your task concerns issue " +
                    t.issue_id + ".\n\n";
  if (!t.trigger_comment_id.empty() && !t.trigger_comment_content.empty())
    out += "A new comment on the issue asks for your attention. Respond to this comment (not to earlier ones):\n\n" +
           quoted(t.trigger_comment_content) + "\n\n";
  if (multica_path.empty())
    return out + "Your sandbox cannot reach Multica in this task: do the work, and say what you did in your final "
                 "answer, which is posted on the issue.";
  if (!t.trigger_comment_id.empty())
    return out + "Start by reading the issue and its discussion: `multica issue get " + t.issue_id +
           " --output json`" + where(multica_path) + ". Then do what the comment asks and reply on the issue.";
  return out + "Start by reading the issue: `multica issue get " + t.issue_id + " --output json`" + where(multica_path) +
         ". Then complete the task it describes, and post your result as a comment on the issue.";
}

}  // namespace multicad::agent
