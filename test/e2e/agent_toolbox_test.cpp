// The agent's toolbox end to end with the REAL Codex: the mock model runs,
// in Codex's sandbox on this login-shell host, the commands AGENTS.md
// gives it (`multica` by its full path, since a login shell resets PATH
// here): it reads the issue, comments, moves it to in_review, checks out a
// workspace repository and commits in it. The server must record the
// comment (as the agent's) and the status change, the commit must be on the
// task's branch, and the owner's token must appear nowhere the agent could
// see it.
#include <catch2/catch.hpp>

#include "test/support/real_codex_fixture.hpp"

using namespace multicad::test;
using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

std::string git(std::vector<std::string> args) {
  args.insert(args.begin(), {"/usr/bin/git", "-c", "user.email=t@example", "-c", "user.name=T"});
  auto r = run_command({args, {}, {}, {}}, 60s);
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  return r.out;
}

}  // namespace

TEST_CASE("real codex uses multica to read comment move the issue and commit in a checkout", "[e2e][toolbox]") {
  real_codex_fixture t;
  // The workspace's repository: a bare repository on this machine.
  auto origin = t.dir / "origin.git";
  git({"init", "-q", "--bare", "-b", "main", origin.string()});
  git({"clone", "-q", origin.string(), (t.dir / "seed").string()});
  write_file(t.dir / "seed/README.md", "hello\n");
  git({"-C", (t.dir / "seed").string(), "add", "README.md"});
  git({"-C", (t.dir / "seed").string(), "commit", "-q", "-m", "readme"});
  git({"-C", (t.dir / "seed").string(), "push", "-q", "origin", "HEAD:main"});
  const auto url = "file://" + origin.string();
  t.server.control("POST", "/_fake/workspaces/" + t.workspace + "/repos", {{"repos", {{{"url", url}, {"description", "app"}}}}});

  // What AGENTS.md says: multica by its full path; the issue id from the task's context file.
  const auto multica = (t.dir / "state/bin/multica").string();
  const std::string script =
      "M='" + multica + "'; I=$(sed -n 's/^- Issue: //p' .agent_context/issue_context.md); "
      "grep -qF \"$M\" AGENTS.md && "
      "$M issue get \"$I\" --output json > issue.json && "
      "$M issue comment add \"$I\" --content 'Looking into it' && "
      "$M issue status \"$I\" in_review && "
      "$M repo checkout '" + url + "' && cd origin && echo change >> README.md && git add README.md && "
      "git -c user.email=agent@example -c user.name=Agent commit -q -m 'agent change' && "
      "cd .. && env > agent-env.txt && echo toolbox-done";
  t.model.script(json::array({{{"type", "exec"}, {"cmd", script}}, {{"type", "text"}, {"text", "done"}}}));
  auto id = t.server.add_task(t.workspace);
  REQUIRE(t.wait_status(id, "completed"));
  auto output = t.first_command_output(id);
  INFO(output);
  CHECK_THAT(output, Catch::Contains("toolbox-done") && Catch::Contains("Comment added to issue"));

  auto task = t.server.task(id);
  const auto issue = task.at("issue_id").get<std::string>();
  const fs::path workdir = task.at("work_dir").get<std::string>();
  CHECK(json::parse(read_file(workdir / "issue.json")).at("id") == issue);
  auto state = t.server.state();
  bool commented = false, reviewed = false;
  for (const auto& c : state.at("comments"))
    if (c.at("issue_id") == issue && c.at("content") == "Looking into it") commented = c.at("author_type") == "agent";
  for (const auto& s : state.at("status_changes"))
    if (s.at("issue_id") == issue && s.at("to") == "in_review") reviewed = s.at("actor_type") == "agent";
  CHECK(commented);  // attributed to the agent: X-Agent-ID and X-Task-ID came from the daemon
  CHECK(reviewed);
  auto branch = "agent/builder/" + id.substr(0, 8);
  CHECK(git({"-C", (workdir / "origin").string(), "log", "-1", "--format=%s", branch}) == "agent change\n");

  // The owner's token: not in the agent's environment, not in anything it printed or was sent.
  const std::string owner = real_codex_fixture::token;
  auto env = read_file(workdir / "agent-env.txt");
  CHECK(env.find(owner) == std::string::npos);
  CHECK_THAT(env, Catch::Contains("MULTICA_TOKEN=mct_"));
  CHECK(state.at("messages").at(id).dump().find(owner) == std::string::npos);
  CHECK(t.model.requests().dump().find(owner) == std::string::npos);
}
