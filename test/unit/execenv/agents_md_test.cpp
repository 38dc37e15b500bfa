#include <catch2/catch.hpp>

#include "execenv/context_files.hpp"

using namespace multicad::execenv;
using Catch::Contains;

namespace {
task_context server_task() {
  task_context t;
  t.task_id = "7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11";
  t.issue_id = "9c8d7e6f-0000-4000-8000-000000000003";
  t.agent_name = "Builder";
  t.agent_instructions = "You fix bugs.";
  t.toolbox = toolbox_access::available;
  t.multica_path = "/home/u/.local/state/multicad/bin/multica";
  t.repos = {{"https://github.com/org/app.git", "main app"}, {"git@github.com:org/lib", ""}};
  return t;
}
}  // namespace

TEST_CASE("an assignment's AGENTS.md gives the commands and the workflow and the repositories", "[execenv][agents_md]") {
  auto md = render_agents_md(server_task());
  CHECK_THAT(md, Contains("- Name: Builder") && Contains("You fix bugs."));
  CHECK_THAT(md, Contains("`/home/u/.local/state/multicad/bin/multica`"));  // for a login shell that lost PATH
  CHECK_THAT(md, Contains("multica issue status 9c8d7e6f-0000-4000-8000-000000000003 in_progress") &&
                     Contains("multica issue status 9c8d7e6f-0000-4000-8000-000000000003 in_review") &&
                     Contains("blocked"));
  CHECK_THAT(md, Contains("| https://github.com/org/app.git | main app |") && Contains("| git@github.com:org/lib | — |"));
  CHECK_THAT(md, Contains("multica repo checkout <url>") && Contains("attachment download") && Contains("MUL-12"));
  CHECK_THAT(md, Contains("do not call\nMultica URLs with curl or wget"));
}

TEST_CASE("a comment reply's AGENTS.md answers the triggering comment with --parent", "[execenv][agents_md]") {
  auto t = server_task();
  t.trigger_comment_id = "aa11bb22-0000-4000-8000-000000000005";
  auto md = render_agents_md(t);
  CHECK_THAT(md, Contains("multica issue comment list 9c8d7e6f-0000-4000-8000-000000000003 --output json") &&
                     Contains("--parent aa11bb22-0000-4000-8000-000000000005"));
  CHECK_THAT(md, !Contains("in_progress`."));
}

TEST_CASE("AGENTS.md names no multica command where there is none to use", "[execenv][agents_md]") {
  auto local = server_task();
  local.toolbox = toolbox_access::none;
  CHECK_THAT(render_agents_md(local), !Contains("multica ") && Contains("local task"));
  auto offline = server_task();
  offline.toolbox = toolbox_access::unreachable;
  auto md = render_agents_md(offline);
  CHECK_THAT(md, !Contains("`multica ") && Contains("no network"));
  CHECK_THAT(render_issue_context(offline), !Contains("multica"));
  auto none = server_task();
  none.repos.clear();
  CHECK_THAT(render_agents_md(none), Contains("None are configured for this workspace."));
}
