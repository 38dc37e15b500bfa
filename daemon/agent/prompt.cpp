#include "daemon/agent/prompt.hpp"

namespace multicad::agent {

std::string build_prompt(const proto::task& t) {
  if (!t.chat_session_id.empty()) {
    return "You are acting as a chat assistant for this Multica workspace. Answer the user's message below; "
           "use the tools available to you when the answer needs them.\n\nUser message:\n" +
           t.chat_message;
  }
  std::string out = "You are a local coding agent working for this Multica workspace. Your task concerns issue " +
                    t.issue_id + ".\n\n";
  if (!t.trigger_comment_id.empty()) {
    if (!t.trigger_comment_content.empty()) {
      std::string quoted = "> ";
      for (char c : t.trigger_comment_content) quoted += c == '\n' ? std::string("\n> ") : std::string(1, c);
      out += "A new comment on the issue asks for your attention. Respond to this comment (not to earlier ones):\n\n" +
             quoted + "\n\n";
    }
    out += "Start by reading the issue and its discussion: `multica issue get " + t.issue_id +
           " --output json`. Then do what the comment asks and reply on the issue.";
    return out;
  }
  out += "Start by reading the issue: `multica issue get " + t.issue_id +
         " --output json`. Then complete the task it describes, and post your result as a comment on the issue.";
  return out;
}

}  // namespace multicad::agent
