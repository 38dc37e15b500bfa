// workdir/AGENTS.md: who the agent is, what `multica` lets it do, how each
// kind of task is worked, and the workspace's repositories. It carries what
// the reference daemon's carries (spec/server-api.md §15, agent-toolbox.md
// §1), in our words, and names only commands that exist for this task: none
// in local mode, and a plain warning when the sandbox cannot reach the daemon.
#include "execenv/context_files.hpp"

namespace multicad::execenv {

namespace {

// `multica` as the agent should type it: the bare name (on PATH in most
// shells) and, where a login shell resets PATH, the absolute path below.
const char* const read_commands[] = {
    "multica issue get <issue-id> --output json",
    "multica issue comment list <issue-id> [--since <RFC3339 time>] --output json",
    "multica issue list [--status <status>] [--assignee <name>] [--limit N] --output json",
    "multica issue runs <issue-id> --output json",
    "multica issue run-messages <task-id> --output json",
    "multica workspace get --output json",
    "multica workspace members --output json",
    "multica agent list --output json",
    "multica attachment download <attachment-id> [-o <dir>]",
};

const char* const write_commands[] = {
    "multica issue comment add <issue-id> --content \"...\" [--parent <comment-id>]",
    "multica issue status <issue-id> <backlog|todo|in_progress|in_review|done|blocked|cancelled>",
    "multica issue update <issue-id> [--title \"...\"] [--description \"...\"] [--priority <urgent|high|medium|low|none>]",
    "multica issue create --title \"...\" [--description \"...\"] [--assignee <name>] [--parent <issue-id>]",
    "multica issue assign <issue-id> --to <name>",
    "multica repo checkout <url>",
};

std::string list(const char* const* begin, const char* const* end) {
  std::string out;
  for (auto it = begin; it != end; ++it) out += "- `" + std::string(*it) + "`\n";
  return out;
}

std::string identity(const task_context& t) {
  std::string out = "## Identity\n\n- Name: " + (t.agent_name.empty() ? std::string("agent") : t.agent_name) + "\n";
  if (!t.agent_id.empty()) out += "- Agent id: " + t.agent_id + "\n";
  if (!t.agent_instructions.empty()) out += "\n" + t.agent_instructions + "\n";
  return out;
}

std::string toolbox(const task_context& t) {
  std::string out =
      "\n## The multica command\n\n"
      "`multica` is already signed in for this task only; do not look for other credentials, and do not call\n"
      "Multica URLs with curl or wget. If your shell says `multica: command not found` (a login shell can reset\n"
      "PATH), run it by its full path: `" + t.multica_path + "`.\n\n"
      "Read:\n\n" + list(std::begin(read_commands), std::end(read_commands)) +
      "\nWrite:\n\n" + list(std::begin(write_commands), std::end(write_commands)) +
      "\nFor a long comment, pipe it in: `multica issue comment add <issue-id> --content-stdin < reply.md`.\n"
      "Mention an issue by its key (MUL-12) in a comment and the server links it. Issues and comments list\n"
      "their `attachments`; fetch one with `multica attachment download <attachment-id>`.\n";
  return out;
}

std::string workflow(const task_context& t) {
  std::string out = "\n## How to work this task\n\n";
  if (!t.chat_session_id.empty()) {
    out += "This is a chat message. Answer it directly; your final answer is what the user reads. Use the tools\n"
           "when the answer needs them.\n";
  } else if (!t.trigger_comment_id.empty()) {
    out += "A comment asked for you (comment " + t.trigger_comment_id + "):\n\n"
           "1. Read the issue and the discussion: `multica issue get " + t.issue_id + " --output json` and\n"
           "   `multica issue comment list " + t.issue_id + " --output json`.\n"
           "2. Do what that comment asks, not what earlier comments asked.\n"
           "3. Reply to it: `multica issue comment add " + t.issue_id + " --parent " + t.trigger_comment_id +
           " --content \"...\"`.\n";
  } else if (!t.issue_id.empty()) {
    out += "This issue was assigned to you:\n\n"
           "1. Read it: `multica issue get " + t.issue_id + " --output json`.\n"
           "2. Say you started: `multica issue status " + t.issue_id + " in_progress`.\n"
           "3. Do the work. Check out the repositories you need (below) and commit on your branch.\n"
           "4. Post what you did as a comment: `multica issue comment add " + t.issue_id + " --content \"...\"`.\n"
           "5. Hand it over: `multica issue status " + t.issue_id + " in_review`; or, when you cannot go on,\n"
           "   `multica issue status " + t.issue_id + " blocked` with a comment saying what you need.\n";
  } else {
    out += "Do what the prompt asks and end with a short summary of what you did.\n";
  }
  return out;
}

std::string repositories(const task_context& t) {
  std::string out = "\n## Repositories\n\n";
  if (t.repos.empty()) return out + "None are configured for this workspace.\n";
  out += "| URL | Description |\n| --- | --- |\n";
  for (const auto& r : t.repos) out += "| " + r.url + " | " + (r.description.empty() ? "—" : r.description) + " |\n";
  out += "\n`multica repo checkout <url>` clones one into this folder, on a branch of your own\n"
         "(agent/<your name>/<task>), with `origin` pointing at the URL above. Commit there; push only when\n"
         "the issue asks for it.\n";
  return out;
}

}  // namespace

std::string render_agents_md(const task_context& t) {
  std::string out =
      "# Multica agent\n\n"
      "You are an agent of the Multica platform, running on a user's machine. People assign you issues and\n"
      "talk to you in comments.\n\n" + identity(t);
  switch (t.toolbox) {
    case toolbox_access::none:
      return out + "\n## This task\n\nThis is a local task, run without a Multica server: there are no issues or "
                   "comments to\nread or write. Work in this folder, and end with a short summary of what you did.\n";
    case toolbox_access::unreachable:
      return out + "\n## This task\n\nYour sandbox has no network, so the `multica` command cannot reach Multica in "
                   "this task,\nand repositories cannot be checked out. Do the work in this folder; your final answer "
                   "is posted on\nthe issue for you.\n";
    case toolbox_access::available:
      break;
  }
  return out + toolbox(t) + workflow(t) + repositories(t) +
         "\n## Finishing\n\nEnd with a short summary of what you did. Task details are in "
         "`.agent_context/issue_context.md`.\n";
}

}  // namespace multicad::execenv
