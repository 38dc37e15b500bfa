#include <catch2/catch.hpp>

#include "execenv/codex_hygiene.hpp"
#include "execenv/environment.hpp"
#include "execenv/layout.hpp"
#include "execenv/managed_block.hpp"
#include "execenv/skills.hpp"
#include "test/support/temp_dir.hpp"

using namespace multicad::execenv;
using multicad::test::read_file;
using multicad::test::temp_dir;
using multicad::test::write_file;
namespace fs = std::filesystem;

namespace {

// The switches every task's config.toml carries after the sandbox block
// (their exact text is codex_hygiene_test.cpp's business).
std::string daemon_switches() { return apply_codex_hygiene("", {.agents_table = true}).rewrite->text; }

struct fixture {
  temp_dir dir;
  fs::path root = dir / "workspaces";
  fs::path shared = dir / "dot-codex";

  prepare_request request(std::string task_id = "7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11") {
    prepare_request r;
    r.workspaces_root = root;
    r.shared_codex_home = shared;
    r.policy.reason = "test";
    r.task.workspace_id = "0f1e2d3c-0000-4000-8000-000000000004";
    r.task.task_id = std::move(task_id);
    r.task.issue_id = "9c8d7e6f-0000-4000-8000-000000000003";
    r.task.agent_name = "Builder";
    r.task.agent_instructions = "You fix bugs.";
    r.task.toolbox = toolbox_access::available;
    r.task.multica_path = "/state/bin/multica";
    return r;
  }

  prepared_environment prepare(const prepare_request& r) {
    auto env = prepare_environment(r);
    INFO((env ? std::string() : env.error().to_string()));
    REQUIRE(env.has_value());
    return *env;
  }

  // Everything below the temp dir except the workspaces root and the shared home.
  std::vector<fs::path> strays() {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir.path()))
      if (e.path() != root && e.path() != shared) out.push_back(e.path());
    return out;
  }
};

fs::perms perms_of(const fs::path& p) { return fs::status(p).permissions() & fs::perms::all; }

}  // namespace

TEST_CASE("prepare lays out the task directory", "[execenv][environment]") {
  fixture f;
  auto env = f.prepare(f.request());
  auto root = f.root / "0f1e2d3c-0000-4000-8000-000000000004" / "7b0e6a0c";
  CHECK(env.layout.root == root);
  CHECK_FALSE(env.reused);
  for (const auto& d : {"workdir", "output", "logs", "codex-home"}) CHECK(fs::is_directory(root / d));
  CHECK(perms_of(root / "codex-home") == fs::perms::owner_all);
  CHECK(env.codex_config == root / "codex-home/config.toml");
  CHECK(read_file(env.codex_config) == render_managed_block(f.request().policy) + "\n" + daemon_switches());
  CHECK_THAT(read_file(root / "workdir/.agent_context/issue_context.md"),
             Catch::Contains("9c8d7e6f-0000-4000-8000-000000000003") && Catch::Contains("new assignment") &&
                 Catch::Contains("multica issue get 9c8d7e6f-0000-4000-8000-000000000003 --output json"));
  CHECK_THAT(read_file(root / "workdir/AGENTS.md"), Catch::Contains("Builder") && Catch::Contains("You fix bugs."));
}

TEST_CASE("prepare removes a stale directory of the same name first", "[execenv][environment]") {
  fixture f;
  auto env = f.prepare(f.request());
  write_file(env.layout.workdir / "leftover.txt", "old");
  auto again = f.prepare(f.request());
  CHECK_FALSE(fs::exists(again.layout.workdir / "leftover.txt"));
}

TEST_CASE("reuse keeps the workdir and redoes the Codex home with the current policy", "[execenv][environment]") {
  fixture f;
  auto first = f.prepare(f.request());
  write_file(first.layout.workdir / "repo/file.txt", "work in progress");
  auto r = f.request("11111111-2222-3333-4444-555555555555");
  r.prior_workdir = first.layout.workdir;
  r.policy.mode = sandbox_mode::danger_full_access;
  r.task.trigger_comment_id = "aa11bb22-0000-4000-8000-000000000005";
  auto second = f.prepare(r);
  CHECK(second.reused);
  CHECK(second.layout.root == first.layout.root);
  CHECK(read_file(second.layout.workdir / "repo/file.txt") == "work in progress");
  CHECK(second.config_written);
  CHECK_THAT(read_file(second.codex_config), Catch::Contains("sandbox_mode = \"danger-full-access\""));
  CHECK_THAT(read_file(second.layout.workdir / ".agent_context/issue_context.md"),
             Catch::Contains("reply to comment aa11bb22-0000-4000-8000-000000000005"));
  CHECK_FALSE(fs::exists(f.root / "0f1e2d3c-0000-4000-8000-000000000004" / "11111111"));
}

TEST_CASE("a prior workdir that no longer exists falls back to prepare", "[execenv][environment]") {
  fixture f;
  auto r = f.request();
  r.prior_workdir = f.root / "0f1e2d3c-0000-4000-8000-000000000004/abcdef12/workdir";
  auto env = f.prepare(r);
  CHECK_FALSE(env.reused);
  REQUIRE(env.notices.size() == 1);
  CHECK(env.notices[0].level == severity::info);
  CHECK(fs::is_directory(env.layout.workdir));
}

TEST_CASE("a prior workdir outside the workspaces root is never written to", "[execenv][environment]") {
  fixture f;
  fs::create_directories(f.dir / "elsewhere/workdir");
  auto r = f.request();
  r.prior_workdir = f.dir / "elsewhere/workdir";
  auto env = f.prepare(r);
  CHECK_FALSE(env.reused);
  REQUIRE(env.notices.size() == 1);
  CHECK(env.notices[0].level == severity::info);
  CHECK(fs::is_empty(f.dir / "elsewhere/workdir"));
  // A symlink inside the root that points out of it is outside too.
  fs::create_directories(f.root / "0f1e2d3c-0000-4000-8000-000000000004/linked");
  fs::create_directory_symlink(f.dir / "elsewhere/workdir", f.root / "0f1e2d3c-0000-4000-8000-000000000004/linked/workdir");
  write_file(f.root / "0f1e2d3c-0000-4000-8000-000000000004/linked/.multicad_task.json",
             R"({"workspace_id":"0f1e2d3c-0000-4000-8000-000000000004"})");
  r.prior_workdir = f.root / "0f1e2d3c-0000-4000-8000-000000000004/linked/workdir";
  CHECK_FALSE(f.prepare(r).reused);
  CHECK(fs::is_empty(f.dir / "elsewhere/workdir"));
}

// The attack of the security review: an agent builds x/workdir and
// x/codex-home/config.toml (with an MCP server) inside its own workdir, and a
// server names x/workdir as the next task's prior_work_dir.
TEST_CASE("a workdir planted inside a task's workdir never becomes the next task's home", "[execenv][environment]") {
  fixture f;
  auto first = f.prepare(f.request());
  auto planted = first.layout.workdir / "x";
  write_file(planted / "codex-home/config.toml", "[mcp_servers.evil]\ncommand = \"/bin/sh\"\n");
  write_file(planted / ".multicad_task.json", R"({"workspace_id":"0f1e2d3c-0000-4000-8000-000000000004"})");
  fs::create_directories(planted / "workdir");
  auto r = f.request("11111111-2222-3333-4444-555555555555");
  r.prior_workdir = planted / "workdir";
  auto second = f.prepare(r);
  CHECK_FALSE(second.reused);
  CHECK(second.layout.root == f.root / "0f1e2d3c-0000-4000-8000-000000000004" / "11111111");
  CHECK_THAT(read_file(second.codex_config), !Catch::Contains("mcp_servers"));
  REQUIRE(second.notices.size() >= 1);
  CHECK(second.notices[0].level == severity::info);
}

TEST_CASE("only a folder multicad prepared in the task's own workspace is reused", "[execenv][environment]") {
  fixture f;
  // Made by hand at the right depth: no marker.
  fs::create_directories(f.root / "0f1e2d3c-0000-4000-8000-000000000004/deadbeef/workdir");
  auto r = f.request("11111111-2222-3333-4444-555555555555");
  r.prior_workdir = f.root / "0f1e2d3c-0000-4000-8000-000000000004/deadbeef/workdir";
  CHECK_FALSE(f.prepare(r).reused);
  // Prepared by multicad, but for another workspace.
  auto other = f.request();
  other.task.workspace_id = "99999999-0000-4000-8000-000000000009";
  auto elsewhere = f.prepare(other);
  r.prior_workdir = elsewhere.layout.workdir;
  CHECK_FALSE(f.prepare(r).reused);
  // With dots in the path.
  auto mine = f.prepare(f.request());
  r.prior_workdir = mine.layout.workdir / "../workdir";
  CHECK_FALSE(f.prepare(r).reused);
  r.prior_workdir = mine.layout.workdir;
  CHECK(f.prepare(r).reused);
}

TEST_CASE("the Codex home is seeded from the shared home", "[execenv][environment]") {
  fixture f;
  write_file(f.shared / "auth.json", "{\"token\":\"secret\"}");
  write_file(f.shared / "config.toml", "model = \"o3\"\n[profiles.fast]\nmodel = \"mini\"\n");
  write_file(f.shared / "instructions.md", "Be brief.");
  write_file(f.shared / "config.json", "{}");
  auto env = f.prepare(f.request());
  auto home = env.layout.codex_home;
  CHECK(fs::is_symlink(home / "sessions"));
  CHECK(fs::read_symlink(home / "sessions") == f.shared / "sessions");
  CHECK(fs::is_directory(f.shared / "sessions"));
  CHECK(fs::is_symlink(home / "auth.json"));
  CHECK(fs::read_symlink(home / "auth.json") == f.shared / "auth.json");
  CHECK(read_file(home / "instructions.md") == "Be brief.");
  CHECK(read_file(home / "config.json") == "{}");
  CHECK(read_file(home / "config.toml") ==
        render_managed_block(f.request().policy) + "\n" + daemon_switches() +
            "model = \"o3\"\n[profiles.fast]\nmodel = \"mini\"\n");
  CHECK(read_file(f.shared / "config.toml") == "model = \"o3\"\n[profiles.fast]\nmodel = \"mini\"\n");
}

TEST_CASE("without a shared auth.json no link is made", "[execenv][environment]") {
  fixture f;
  auto env = f.prepare(f.request());
  CHECK_FALSE(fs::exists(fs::symlink_status(env.layout.codex_home / "auth.json")));
  CHECK(fs::is_symlink(env.layout.codex_home / "sessions"));
}

TEST_CASE("a wrong symlink is replaced and a regular file is left alone", "[execenv][environment]") {
  fixture f;
  write_file(f.shared / "auth.json", "{}");
  auto first = f.prepare(f.request());
  auto home = first.layout.codex_home;
  fs::remove(home / "auth.json");
  fs::create_symlink(f.dir / "somewhere-else.json", home / "auth.json");
  fs::remove(home / "sessions");
  write_file(home / "sessions", "a regular file");
  auto r = f.request("00000000-aaaa");
  r.prior_workdir = first.layout.workdir;
  f.prepare(r);
  CHECK(fs::read_symlink(home / "auth.json") == f.shared / "auth.json");
  CHECK_FALSE(fs::is_symlink(home / "sessions"));
  CHECK(read_file(home / "sessions") == "a regular file");
}

TEST_CASE("skills are written where Codex finds them", "[execenv][environment]") {
  fixture f;
  auto r = f.request();
  r.task.skills = {{"Deploy to Prod!", "# Deploy\nShip it.", {{"scripts/run.sh", "echo hi"}}},
                   {"deploy-to-prod", "---\nname: x\ndescription: y\n---\nbody", {}},
                   {"***", "Nameless.", {}}};
  auto env = f.prepare(r);
  auto skills = env.layout.codex_home / "skills";
  CHECK_THAT(read_file(skills / "deploy-to-prod/SKILL.md"),
             Catch::StartsWith("---\nname: \"Deploy to Prod!\"\ndescription: \"Deploy\"\n---\n\n# Deploy\nShip it."));
  CHECK(read_file(skills / "deploy-to-prod/scripts/run.sh") == "echo hi");
  CHECK(read_file(skills / "deploy-to-prod-2/SKILL.md") == "---\nname: x\ndescription: y\n---\nbody");
  CHECK(fs::exists(skills / "skill/SKILL.md"));
  CHECK_THAT(read_file(env.layout.workdir / ".agent_context/issue_context.md"),
             Catch::Contains("Deploy to Prod! (`$CODEX_HOME/skills/deploy-to-prod/SKILL.md`)"));
}

TEST_CASE("skills the agent no longer has are removed on reuse while Codex's own are kept", "[execenv][environment]") {
  fixture f;
  auto r = f.request();
  r.task.skills = {{"old", "x", {}}, {"kept", "y", {}}};
  auto first = f.prepare(r);
  auto skills = first.layout.codex_home / "skills";
  write_file(skills / ".system/builtin/SKILL.md", "codex's");
  r.task.skills = {{"kept", "y2", {}}};
  r.prior_workdir = first.layout.workdir;
  f.prepare(r);
  CHECK_FALSE(fs::exists(skills / "old"));
  CHECK_THAT(read_file(skills / "kept/SKILL.md"), Catch::EndsWith("y2"));
  CHECK(fs::exists(skills / ".system/builtin/SKILL.md"));
}

TEST_CASE("sanitize_skill_name follows the spec", "[execenv][skills]") {
  CHECK(sanitize_skill_name("Deploy") == "deploy");
  CHECK(sanitize_skill_name("  Run -- Tests!! ") == "run-tests");
  CHECK(sanitize_skill_name("../../etc") == "etc");
  CHECK(sanitize_skill_name("日本") == "skill");
}

TEST_CASE("ids that would escape the workspaces root are rejected", "[execenv][environment]") {
  fixture f;
  const std::pair<std::string, std::string> bad_ids[] = {
      {"..", "7b0e6a0c"}, {"../escape", "7b0e6a0c"}, {"/abs", "7b0e6a0c"}, {"a/b", "7b0e6a0c"},
      {std::string("nul\0x", 5), "7b0e6a0c"}, {"", "7b0e6a0c"}, {"ws", ".."}, {"ws", "../../x"},
      {"ws", "/etc/passwd"}, {"ws", ""}, {"ws\\x", "7b0e6a0c"}};
  for (const auto& [ws, task] : bad_ids) {
    INFO("workspace=" << ws << " task=" << task);
    auto r = f.request(task);
    r.task.workspace_id = ws;
    auto env = prepare_environment(r);
    REQUIRE_FALSE(env.has_value());
    CHECK_THAT(env.error().message, Catch::Contains("not usable as a directory name"));
  }
  CHECK(f.strays().empty());
  CHECK_FALSE(fs::exists(f.root));
}

TEST_CASE("skill file paths that would escape the skill folder are rejected", "[execenv][environment]") {
  fixture f;
  for (const char* path : {"../../../../outside.txt", "/etc/x", "a/../../b", "a//b", "a\\b", ""}) {
    INFO(path);
    auto r = f.request();
    r.task.skills = {{"s", "x", {{path, "pwned"}}}};
    auto env = prepare_environment(r);
    REQUIRE_FALSE(env.has_value());
    CHECK_THAT(env.error().message, Catch::Contains("skill \"s\" file path"));
  }
  CHECK(f.strays().empty());
}

TEST_CASE("a relative workspaces root or shared home is refused", "[execenv][environment]") {
  fixture f;
  auto r = f.request();
  r.workspaces_root = "relative/root";
  CHECK_THAT(prepare_environment(r).error().message, Catch::Contains("absolute"));
  r = f.request();
  r.shared_codex_home = "relative";
  CHECK_THAT(prepare_environment(r).error().message, Catch::Contains("absolute"));
  r = f.request();
  r.provider = "claude";
  CHECK_THAT(prepare_environment(r).error().message, Catch::Contains("only codex"));
}

TEST_CASE("task directory names take eight characters and never cut one", "[execenv][layout][security]") {
  CHECK(task_dir_name("7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11") == "7b0e6a0c");
  CHECK(task_dir_name("ab-cd") == "abcd");
  CHECK(task_dir_name("\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9") == "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9");
  CHECK(task_dir_name("abcdefg\u20acxyz") == "abcdefg\u20ac");
}
