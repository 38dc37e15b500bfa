// Every `multica …` command the daemon's AGENTS.md names must exist and
// work: each one the file spells out (placeholders filled with real ids of the
// fake server's world, optional flags included) is run through the multica
// the daemon gives the agent, against the fake server's user API.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "execenv/context_files.hpp"
#include "test/integration/multica_world.hpp"
#include "test/support/http.hpp"

using namespace multicad::test;
using namespace multicad::test::multica;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// The `multica …` spans of a Markdown text.
std::set<std::string> named_commands(const std::string& md) {
  std::set<std::string> out;
  std::regex span("`(multica [^`]+)`");
  for (std::sregex_iterator it(md.begin(), md.end(), span), end; it != end; ++it) out.insert((*it)[1]);
  return out;
}

std::string replaced(std::string s, const std::map<std::string, std::string>& with) {
  for (const auto& [from, to] : with)
    for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) s.replace(pos, from.size(), to);
  return s;
}

// Shell-like words: spaces separate, double quotes group.
std::vector<std::string> words(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false, any = false;
  for (char c : s) {
    if (c == '"') { quoted = !quoted; any = true; continue; }
    if (c == ' ' && !quoted) {
      if (any || !cur.empty()) out.push_back(cur);
      cur.clear();
      any = false;
      continue;
    }
    cur += c;
  }
  if (any || !cur.empty()) out.push_back(cur);
  return out;
}

}  // namespace

TEST_CASE("every multica command AGENTS.md names runs against the server", "[integration][toolbox][agents_md]") {
  world w;
  auto builder = w.agent("Builder");
  auto issue = w.issue();
  const std::string issue_id = issue.at("id");
  // A runtime, so the issue can have a task whose messages can be read.
  auto reg = http_request_with_headers(
      w.server.port(), "POST", "/api/daemon/register",
      {{"Host", "127.0.0.1:" + std::to_string(w.server.port())}, {"Authorization", "Bearer " + owner_token},
       {"Content-Type", "application/json"}},
      json{{"workspace_id", w.ws}, {"daemon_id", "d"}, {"device_name", "d"}, {"cli_version", "0"},
           {"runtimes", {{{"type", "codex"}, {"name", "Codex"}, {"version", "0.171.0"}, {"status", "online"}}}}}.dump());
  REQUIRE(reg.status == 200);
  auto task = w.server.control("POST", "/_fake/tasks", {{"workspace_id", w.ws}, {"agent_id", builder.at("id")}, {"issue_id", issue_id}});
  auto comment = w.server.control("POST", "/_fake/comments", {{"issue_id", issue_id}, {"content", "please look"}});
  auto attachment = w.server.control("POST", "/_fake/attachments", {{"issue_id", issue_id}, {"filename", "log.txt"}, {"content", "log"}});
  one_shot_server daemon(200, R"({"path":"/w/app","branch_name":"agent/builder/7b0e6a0c"})" "\n");

  multicad::execenv::task_context t;
  t.task_id = task.at("task_id");
  t.issue_id = issue_id;
  t.agent_name = "Builder";
  t.toolbox = multicad::execenv::toolbox_access::available;
  t.multica_path = w.multica.string();
  t.repos = {{"https://example.invalid/org/app.git", ""}};
  auto commands = named_commands(multicad::execenv::render_agents_md(t));
  t.trigger_comment_id = comment.at("id");
  for (const auto& c : named_commands(multicad::execenv::render_agents_md(t))) commands.insert(c);
  REQUIRE(commands.size() > 15);

  fs::create_directories(w.dir / "work/downloads");
  write_file(w.dir / "work/reply.md", "a long reply\n");
  const std::map<std::string, std::string> values{
      {"<issue-id>", issue_id}, {"<task-id>", task.at("task_id")}, {"<comment-id>", comment.at("id")},
      {"<attachment-id>", attachment.at("id")}, {"<RFC3339 time>", "2026-01-01T00:00:00Z"}, {"<status>", "todo"},
      {"<name>", "Builder"}, {"--limit N", "--limit 5"}, {"<dir>", "downloads"}, {"\"...\"", "\"text\""},
      {"<backlog|todo|in_progress|in_review|done|blocked|cancelled>", "in_review"},
      {"<urgent|high|medium|low|none>", "high"}, {"<url>", "https://example.invalid/org/app.git"},
      {"[", ""}, {"]", ""}};
  for (const auto& command : commands) {
    auto line = replaced(command, values);
    std::string input;
    if (auto redirect = line.find(" < "); redirect != std::string::npos) {
      input = read_file(w.dir / "work" / line.substr(redirect + 3));
      line.resize(redirect);
    }
    auto argv = words(line);
    REQUIRE(argv.at(0) == "multica");
    argv.erase(argv.begin());
    auto r = w.run(argv, input, {{"MULTICA_DAEMON_PORT", std::to_string(daemon.port())}, {"MULTICA_TASK_ID", t.task_id}});
    INFO(command << "\n  ran: " << line << "\n  stdout: " << r.out << "\n  stderr: " << r.err);
    CHECK(r.status == 0);
  }
}
