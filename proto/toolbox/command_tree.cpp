// Every command and flag of the SEED `multica` CLI that an agent can meet
// (agent-toolbox.md §5), with the CLI's own help texts, plus the commands this
// build answers with "not implemented". Order does not matter: cobra sorts
// commands and flags by name when it prints them.
#include "proto/toolbox/command_line.hpp"

namespace multicad::proto::toolbox {

namespace {

flag_spec str(std::string name, std::string def, std::string usage) {
  return {std::move(name), 0, flag_kind::string, std::move(def), std::move(usage)};
}
flag_spec boolean(std::string name, std::string usage) {
  return {std::move(name), 0, flag_kind::boolean, "false", std::move(usage)};
}
flag_spec integer(std::string name, long long def, std::string usage) {
  return {std::move(name), 0, flag_kind::integer, std::to_string(def), std::move(usage)};
}
flag_spec attachments() {
  return {"attachment", 0, flag_kind::string_slice, "[]", "File path(s) to attach (can be specified multiple times)"};
}
flag_spec output(std::string def) { return str("output", std::move(def), "Output format: table or json"); }

command_spec leaf(std::string use, std::string short_help, command_id id, arg_rule rule, int n,
                  std::vector<flag_spec> flags) {
  command_spec c;
  c.use = std::move(use);
  c.short_help = std::move(short_help);
  c.id = id;
  c.args = rule;
  c.arg_count = n;
  c.flags = std::move(flags);
  return c;
}

command_spec group(std::string use, std::string short_help, std::vector<command_spec> children) {
  command_spec c;
  c.use = std::move(use);
  c.short_help = std::move(short_help);
  c.children = std::move(children);
  return c;
}

// A SEED command this build does not provide: it takes any arguments and
// says so (daemon/toolbox prints the message).
command_spec absent(std::string name, std::string short_help) {
  command_spec c;
  c.use = std::move(name);
  c.short_help = std::move(short_help) + " (not available in this build)";
  c.id = command_id::not_implemented;
  return c;
}

command_spec comment_group() {
  return group("comment", "Work with issue comments", {
      leaf("list <issue-id>", "List comments on an issue", command_id::comment_list, arg_rule::exact, 1,
           {output("table"), integer("limit", 0, "Maximum number of comments to return (0 = all)"),
            integer("offset", 0, "Number of comments to skip"),
            str("since", "", "Only return comments created after this timestamp (RFC3339)")}),
      leaf("add <issue-id>", "Add a comment to an issue", command_id::comment_add, arg_rule::exact, 1,
           {str("content", "", "Comment content (required unless --content-stdin)"),
            boolean("content-stdin", "Read comment content from stdin (avoids shell escaping issues)"),
            str("parent", "", "Parent comment ID (reply to a specific comment)"), attachments(), output("json")}),
      leaf("delete <comment-id>", "Delete a comment", command_id::comment_delete, arg_rule::exact, 1, {}),
  });
}

command_spec issue_group() {
  return group("issue", "Work with issues", {
      leaf("list", "List issues in the workspace", command_id::issue_list, arg_rule::legacy, 0,
           {output("table"), str("status", "", "Filter by status"), str("priority", "", "Filter by priority"),
            str("assignee", "", "Filter by assignee name"), str("project", "", "Filter by project ID"),
            integer("limit", 50, "Maximum number of issues to return"),
            integer("offset", 0, "Number of issues to skip (for pagination)")}),
      leaf("get <id>", "Get issue details", command_id::issue_get, arg_rule::exact, 1, {output("json")}),
      leaf("create", "Create a new issue", command_id::issue_create, arg_rule::legacy, 0,
           {str("title", "", "Issue title (required)"), str("description", "", "Issue description"),
            str("status", "", "Issue status"), str("priority", "", "Issue priority"),
            str("assignee", "", "Assignee name (member or agent)"), str("parent", "", "Parent issue ID"),
            str("project", "", "Project ID"), str("due-date", "", "Due date (RFC3339 format)"), output("json"),
            attachments()}),
      leaf("update <id>", "Update an issue", command_id::issue_update, arg_rule::exact, 1,
           {str("title", "", "New title"), str("description", "", "New description"),
            str("status", "", "New status"), str("priority", "", "New priority"),
            str("assignee", "", "New assignee name (member or agent)"), str("project", "", "Project ID"),
            str("due-date", "", "New due date (RFC3339 format)"),
            str("parent", "", "Parent issue ID (use --parent \"\" to clear)"), output("json")}),
      leaf("assign <id>", "Assign an issue to a member or agent", command_id::issue_assign, arg_rule::exact, 1,
           {str("to", "", "Assignee name (member or agent)"), boolean("unassign", "Remove current assignee"),
            output("json")}),
      leaf("status <id> <status>", "Change issue status", command_id::issue_status, arg_rule::exact, 2,
           {output("table")}),
      comment_group(),
      leaf("runs <issue-id>", "List execution history for an issue", command_id::issue_runs, arg_rule::exact, 1,
           {output("table")}),
      leaf("run-messages <task-id>", "List messages for an execution", command_id::issue_run_messages,
           arg_rule::exact, 1,
           {output("json"), integer("since", 0, "Only return messages after this sequence number")}),
      leaf("search <query>", "Search issues by title or description", command_id::issue_search,
           arg_rule::cobra_exact, 1,
           {integer("limit", 20, "Maximum number of results to return"),
            boolean("include-closed", "Include done and cancelled issues"), output("table")}),
  });
}

command_spec attachment_group() {
  auto download = leaf("download <attachment-id>", "Download an attachment to a local file",
                       command_id::attachment_download, arg_rule::exact, 1,
                       {{"output-dir", 'o', flag_kind::string, ".", "Directory to save the downloaded file"}});
  download.long_help = "Download an attachment by its ID to a local file.";
  download.example =
      "  # Download an image attachment to the current directory\n"
      "  $ multica attachment download abc123\n\n"
      "  # Download to a specific directory\n"
      "  $ multica attachment download abc123 -o /tmp/images";
  return group("attachment", "Work with attachments", {download});
}

command_spec build_tree() {
  command_spec root;
  root.use = "multica";
  root.short_help = "Multica CLI — local agent runtime and management tool";
  root.long_help = "Work seamlessly with Multica from the command line.";
  root.flags = {str("server-url", "", "Multica server URL (env: MULTICA_SERVER_URL)"),
                str("workspace-id", "", "Workspace ID (env: MULTICA_WORKSPACE_ID)"),
                str("profile", "", "Configuration profile name (e.g. dev) — isolates config, daemon state, and workspaces")};

  auto checkout = leaf("checkout <url>", "Check out a repository into the working directory",
                       command_id::repo_checkout, arg_rule::exact, 1, {});
  checkout.long_help = "Creates a git worktree from the daemon's bare clone cache. Used by agents to check out repos on demand.";
  auto agent = group("agent", "Work with agents", {
      leaf("list", "List agents in the workspace", command_id::agent_list, arg_rule::legacy, 0,
           {output("table"), boolean("include-archived", "Include archived agents")}),
      leaf("get <id>", "Get agent details", command_id::agent_get, arg_rule::exact, 1, {output("json")}),
      absent("tasks", "List tasks for an agent"),
      absent("skills", "Manage agent skill assignments"),
  });
  auto workspace = group("workspace", "Work with workspaces", {
      leaf("get [workspace-id]", "Get workspace details", command_id::workspace_get, arg_rule::at_most, 1,
           {output("json")}),
      leaf("members [workspace-id]", "List workspace members", command_id::workspace_members, arg_rule::at_most, 1,
           {output("table")}),
  });
  auto version = leaf("version", "Print version information", command_id::version, arg_rule::legacy, 0, {});
  struct placed { command_spec c; const char* group; };
  std::vector<placed> top = {
      {issue_group(), "core"}, {absent("project", "Work with projects"), "core"}, {agent, "core"},
      {workspace, "core"}, {group("repo", "Work with repositories", {checkout}), "core"},
      {absent("skill", "Work with skills"), "core"},
      {absent("daemon", "Manage the local agent runtime daemon"), "runtime"},
      {absent("runtime", "Work with runtimes"), "runtime"},
      {absent("auth", "Manage authentication"), "additional"},
      {absent("login", "Authenticate and set up workspaces"), "additional"},
      {absent("setup", "Configure the CLI, log in, and start the daemon"), "additional"},
      {attachment_group(), "additional"}, {absent("config", "Manage CLI configuration"), "additional"},
      {absent("update", "Update multica to the latest version"), "additional"}, {version, "additional"},
  };
  for (auto& p : top) {
    p.c.group = p.group;
    root.children.push_back(std::move(p.c));
  }
  auto help = leaf("help [command]", "Help about any command", command_id::help, arg_rule::legacy, 0, {});
  help.long_help = "Help provides help for any command in the application.\nSimply type multica help [path to command] for full details.";
  root.children.push_back(std::move(help));
  auto completion = absent("completion", "Generate the autocompletion script for the specified shell");
  completion.hidden = true;
  root.children.push_back(std::move(completion));
  return root;
}

}  // namespace

const command_spec& command_tree() {
  static const command_spec root = build_tree();
  return root;
}

}  // namespace multicad::proto::toolbox
