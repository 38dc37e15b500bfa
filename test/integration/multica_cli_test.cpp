// The real multicad binary run as `multica` (a symlink, as the daemon puts it
// on the agent's PATH) against the fake Multica server's user API: every
// command's happy path and its main failures, checked on stdout, stderr, the
// exit code and the requests the fake recorded (/_fake/calls, /_fake/state).
// `repo checkout` talks to a one-shot loopback listener standing in for the
// daemon's endpoint.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "test/integration/multica_world.hpp"
#include "test/support/http.hpp"

using namespace multicad::test;
using namespace multicad::test::multica;
using nlohmann::json;
namespace fs = std::filesystem;

TEST_CASE("multica issue get prints the server's issue re-encoded and sends the task context", "[integration][multica]") {
  world w;
  auto agent = w.agent("Coder");
  auto created = w.issue({{"description", "Steps to reproduce"}});
  auto before = w.server.calls().size();
  auto r = w.run({"issue", "get", created.at("identifier")}, "", {{"MULTICA_AGENT_ID", agent.at("id")}, {"MULTICA_TASK_ID", "task-1"}});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.err == "");
  auto printed = json::parse(r.out);
  CHECK(printed.at("id") == created.at("id"));
  CHECK(printed.at("title") == "Fix the <login> & signup");
  CHECK_THAT(r.out, Catch::StartsWith("{\n  \"assignee_id\": null,\n  \"assignee_type\": null,\n  \"created_at\": "));
  CHECK_THAT(r.out, Catch::Contains("\"title\": \"Fix the \\u003clogin\\u003e \\u0026 signup\",\n"));
  auto calls = w.calls_after(before);
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].at("method") == "GET");
  CHECK(calls[0].at("path") == "/api/issues/" + created.at("identifier").get<std::string>());
  const auto& h = calls[0].at("headers");
  CHECK(h.at("authorization") == "Bearer " + owner_token);
  CHECK(h.at("x-workspace-id") == w.ws);
  CHECK(h.at("x-agent-id") == agent.at("id"));
  CHECK(h.at("x-task-id") == "task-1");
  CHECK(h.at("user-agent") == "Go-http-client/1.1");

  auto table = w.run({"issue", "get", created.at("identifier"), "--output", "table"});
  CHECK_THAT(table.out, Catch::StartsWith("ID        TITLE                     STATUS  PRIORITY  ASSIGNEE  DUE DATE  DESCRIPTION\n"));
}

TEST_CASE("multica issue list filters by assignee name and wraps the page", "[integration][multica]") {
  world w;
  auto coder = w.agent("Coder");
  w.issue({{"title", "mine"}, {"assignee_type", "agent"}, {"assignee_id", coder.at("id")}});
  w.issue({{"title", "not mine"}});
  auto before = w.server.calls().size();
  auto r = w.run({"issue", "list", "--assignee", "cod", "--output", "json"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  auto page = json::parse(r.out);
  CHECK(page.at("total") == 1);
  CHECK(page.at("has_more") == false);
  CHECK(page.at("limit") == 50);
  CHECK(page.at("issues").at(0).at("title") == "mine");
  auto calls = w.calls_after(before);
  REQUIRE(calls.size() == 3);
  CHECK(calls[0].at("path") == "/api/workspaces/" + w.ws + "/members");
  CHECK(calls[1].at("path") == "/api/agents");
  CHECK(calls[2].at("path") == "/api/issues");
  CHECK(calls[2].at("query") == "assignee_id=" + coder.at("id").get<std::string>() + "&limit=50&workspace_id=" + w.ws);

  auto table = w.run({"issue", "list"});
  CHECK_THAT(table.out, Catch::StartsWith("ID        TITLE     STATUS  PRIORITY  ASSIGNEE        DUE DATE\n"));
}

TEST_CASE("multica issue create assigns by name and uploads its attachment to the new issue", "[integration][multica]") {
  world w;
  auto coder = w.agent("Coder");
  write_file(w.dir / "work" / "notes.txt", "attached notes\n");
  auto r = w.run({"issue", "create", "--title", "From the agent", "--description", "Body", "--assignee", "Coder",
                  "--attachment", "notes.txt", "--output", "table"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.err == "Uploaded notes.txt\n");
  CHECK_THAT(r.out, Catch::StartsWith("ID        TITLE           STATUS  PRIORITY\n"));
  auto state = w.server.state();
  REQUIRE(state.at("created_issues").size() == 1);
  const auto& issue = state.at("created_issues")[0];
  CHECK(issue.at("title") == "From the agent");
  CHECK(issue.at("assignee_id") == coder.at("id"));
  REQUIRE(state.at("attachments").size() == 1);
  CHECK(state.at("attachments")[0].at("issue_id") == issue.at("id"));
  CHECK(state.at("attachments")[0].at("filename") == "notes.txt");

  auto missing = w.run({"issue", "create"});
  CHECK(missing.status == 1);
  CHECK(missing.err == "Error: --title is required\n");
}

TEST_CASE("multica issue update assign and status change what the server records", "[integration][multica]") {
  world w;
  auto coder = w.agent("Coder");
  auto created = w.issue();
  const std::string key = created.at("identifier");
  auto up = w.run({"issue", "update", key, "--title", "Renamed", "--priority", "high"});
  INFO(up.err);
  REQUIRE(up.status == 0);
  CHECK(json::parse(up.out).at("title") == "Renamed");

  auto assign = w.run({"issue", "assign", key, "--to", "coder"});
  INFO(assign.err);
  REQUIRE(assign.status == 0);
  CHECK(assign.err == "Issue " + key + " assigned to coder.\n");
  CHECK(json::parse(assign.out).at("assignee_id") == coder.at("id"));

  auto status = w.run({"issue", "status", key, "in_review"});
  REQUIRE(status.status == 0);
  CHECK(status.out == "");
  CHECK(status.err == "Issue " + key + " status changed to in_review.\n");
  auto changes = w.server.state().at("status_changes");
  REQUIRE_FALSE(changes.empty());
  CHECK(changes.back().at("to") == "in_review");
  CHECK(changes.back().at("via") == "api");

  auto bad = w.run({"issue", "status", key, "finished"});
  CHECK(bad.status == 1);
  CHECK_THAT(bad.err, Catch::StartsWith("Error: invalid status \"finished\"; valid values: backlog, todo,"));
  auto none = w.run({"issue", "update", key});
  CHECK(none.err == "Error: no fields to update; use flags like --title, --status, --priority, --assignee, etc.\n");
}

TEST_CASE("multica issue comment add reads stdin and is attributed to the agent of the task", "[integration][multica]") {
  world w;
  auto created = w.issue();
  const std::string key = created.at("identifier"), id = created.at("id");
  auto agent = w.agent("Coder");
  auto r = w.run({"issue", "comment", "add", id, "--content-stdin"}, "Done: see the <diff>\n",
                 {{"MULTICA_AGENT_ID", agent.at("id")}});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.err == "Comment added to issue " + id.substr(0, 8) + ".\n");
  auto comment = json::parse(r.out);
  CHECK(comment.at("content") == "Done: see the <diff>");
  CHECK(comment.at("author_type") == "agent");

  auto reply = w.run({"issue", "comment", "add", id, "--content", "a reply", "--parent", comment.at("id")});
  REQUIRE(reply.status == 0);
  auto listed = w.run({"issue", "comment", "list", key, "--limit", "1"});
  INFO(listed.err);
  REQUIRE(listed.status == 0);
  CHECK(listed.err == "Showing 1 of 2 comments.\n");  // the oldest page, the total of all
  CHECK_THAT(listed.out, Catch::Contains("agent:" + agent.at("id").get<std::string>().substr(0, 8)));
  CHECK_THAT(listed.out, Catch::Contains("Done: see the <diff>"));

  auto gone = w.run({"issue", "comment", "delete", comment.at("id")});
  REQUIRE(gone.status == 0);
  CHECK(gone.err == "Comment " + comment.at("id").get<std::string>().substr(0, 8) + " deleted.\n");
  CHECK(w.server.state().at("deleted_comments").size() == 1);

  auto empty = w.run({"issue", "comment", "add", key, "--content-stdin"}, "\n");
  CHECK(empty.status == 1);
  CHECK(empty.err == "Error: stdin content is empty\n");
}

TEST_CASE("multica issue runs and run-messages show a task's history", "[integration][multica]") {
  world w;
  const std::vector<std::pair<std::string, std::string>> daemon_headers{
      {"Host", "127.0.0.1"}, {"Content-Type", "application/json"}, {"Authorization", "Bearer " + owner_token}};
  auto reg = http_request_with_headers(
      w.server.port(), "POST", "/api/daemon/register", daemon_headers,
      json{{"workspace_id", w.ws}, {"daemon_id", "host"}, {"device_name", "box"}, {"cli_version", "dev"},
           {"runtimes", {{{"type", "codex"}, {"name", "Codex"}, {"version", "0.171.0"}, {"status", "online"}}}}}.dump());
  REQUIRE(reg.status == 200);
  auto created = w.issue();
  auto task = w.server.add_task(w.ws, {{"issue_id", created.at("id")}});
  auto posted = http_request_with_headers(
      w.server.port(), "POST", "/api/daemon/tasks/" + task + "/messages", daemon_headers,
      json{{"messages", {{{"seq", 1}, {"type", "text"}, {"content", "thinking about it"}},
                         {{"seq", 2}, {"type", "tool_use"}, {"tool", "exec_command"}, {"input", {{"cmd", "ls"}}}}}}}.dump());
  REQUIRE(posted.status == 200);

  auto runs = w.run({"issue", "runs", created.at("identifier")});
  INFO(runs.err);
  REQUIRE(runs.status == 0);
  CHECK_THAT(runs.out, Catch::StartsWith("ID        AGENT     STATUS  STARTED  COMPLETED  ERROR\n" + task.substr(0, 8)));
  auto messages = w.run({"issue", "run-messages", task, "--since", "1"});
  INFO(messages.err);
  REQUIRE(messages.status == 0);
  auto list = json::parse(messages.out);
  REQUIRE(list.size() == 1);
  CHECK(list[0].at("tool") == "exec_command");
  auto table = w.run({"issue", "run-messages", task, "--output", "table"});
  CHECK(table.out == "SEQ  TYPE      TOOL          CONTENT\n1    text                    thinking about it\n2    tool_use  exec_command  \n");
}

TEST_CASE("multica issue search and the workspace and agent commands answer from the server", "[integration][multica]") {
  world w;
  w.issue({{"title", "Unique needle title"}});
  w.agent("Reviewer");
  auto search = w.run({"issue", "search", "needle", "--output", "json"});
  INFO(search.err);
  REQUIRE(search.status == 0);
  CHECK(json::parse(search.out).at("issues").at(0).at("match_source") == "title");

  auto ws = w.run({"workspace", "get"});
  REQUIRE(ws.status == 0);
  CHECK(json::parse(ws.out).at("slug") == "multica");
  auto members = w.run({"workspace", "members", w.ws});
  CHECK(members.out == "USER ID   NAME          EMAIL                ROLE\n" + w.owner_id.substr(0, 8) +
                           "  Olivia Owner  olivia@example.test  owner\n");
  auto agents = w.run({"agent", "list", "--output", "json"});
  REQUIRE(agents.status == 0);
  auto list = json::parse(agents.out);
  REQUIRE(list.size() == 1);
  auto one = w.run({"agent", "get", list[0].at("id")});
  CHECK(json::parse(one.out).at("name") == "Reviewer");
}

TEST_CASE("multica attachment download saves the file and fetches it without credentials", "[integration][multica]") {
  world w;
  auto created = w.issue();
  // Uploaded through the CLI: the fake serves it at the origin the upload named.
  write_file(w.dir / "work" / "report.txt", "the report");
  auto up = w.run({"issue", "comment", "add", created.at("id"), "--content", "attached", "--attachment", "report.txt"});
  INFO(up.err);
  REQUIRE(up.status == 0);
  auto att = w.server.state().at("attachments").at(0);
  fs::create_directories(w.dir / "work" / "downloads");
  auto before = w.server.calls().size();
  auto r = w.run({"attachment", "download", att.at("id"), "-o", "downloads"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto saved = w.dir / "work" / "downloads" / "report.txt";
  CHECK(read_file(saved) == "the report");
  CHECK(r.err == "Downloaded: " + fs::canonical(saved).string() + "\n");
  auto out = json::parse(r.out);
  CHECK(out.at("path") == fs::canonical(saved).string());
  CHECK(out.at("size") == "10");
  auto calls = w.calls_after(before);
  REQUIRE(calls.size() == 2);
  CHECK(calls[1].at("path").get<std::string>().starts_with("/uploads/"));
  CHECK(calls[1].at("auth") == false);
  CHECK_FALSE(calls[1].at("headers").contains("x-workspace-id"));

  auto bad = w.run({"attachment", "download", att.at("id"), "--output", "json"});
  CHECK(bad.status == 1);
  CHECK(bad.err == "Error: unknown flag: --output\n");
}

TEST_CASE("multica reports server and usage errors with the Go CLI's texts and exit 1", "[integration][multica]") {
  world w;
  auto missing = w.run({"issue", "get", "MUL-999"});
  CHECK(missing.status == 1);
  CHECK(missing.err == "Error: get issue: GET /api/issues/MUL-999 returned 404: {\"error\":\"issue not found\"}\n");
  auto bad_token = w.run({"issue", "get", "MUL-1"}, "", {{"MULTICA_TOKEN", "mul_wrong"}});
  CHECK(bad_token.err == "Error: get issue: GET /api/issues/MUL-1 returned 401: {\"error\":\"invalid token\"}\n");
  int closed = free_port();
  auto refused = w.run({"issue", "get", "X"}, "", {{"MULTICA_SERVER_URL", "http://127.0.0.1:" + std::to_string(closed)}});
  CHECK(refused.err == "Error: get issue: Get \"http://127.0.0.1:" + std::to_string(closed) +
                           "/api/issues/X\": dial tcp 127.0.0.1:" + std::to_string(closed) + ": connect: connection refused\n");
  auto no_server = w.run({"issue", "get", "X"}, "", {{"MULTICA_SERVER_URL", ""}});
  CHECK(no_server.status == 1);
  CHECK(no_server.err == "No server configured. Run 'multica setup' first.\n");
  auto no_arg = w.run({"issue", "get"});
  CHECK(no_arg.status == 1);
  CHECK(no_arg.err == "Error: accepts 1 arg, received 0\n\n");
  CHECK_THAT(no_arg.out, Catch::StartsWith("Get issue details\n"));
  auto unknown = w.run({"isue", "list"});
  CHECK(unknown.err == "Error: unknown command \"isue\" for \"multica\"\n\nDid you mean this?\n\tissue\n\n");
  auto daemon = w.run({"daemon", "status"});
  CHECK(daemon.status == 1);
  CHECK_THAT(daemon.err, Catch::StartsWith("Error: \"multica daemon\" is not implemented by this build of multica"));
  auto help = w.run({"--help"});
  CHECK(help.status == 0);
  CHECK_THAT(help.out, Catch::StartsWith("Work seamlessly with Multica from the command line.\n"));
}

TEST_CASE("multica falls back to the Multica CLI config file and its profiles", "[integration][multica]") {
  world w;
  auto created = w.issue();
  write_file(w.dir / "home/.multica/profiles/dev/config.json",
             json{{"server_url", w.server.url()}, {"token", owner_token}, {"workspace_id", w.ws}}.dump());
  w.env.clear();
  auto r = w.run({"--profile", "dev", "issue", "get", created.at("identifier")});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(json::parse(r.out).at("id") == created.at("id"));
  CHECK(w.run({"issue", "get", "X"}).err == "No server configured. Run 'multica setup' first.\n");
}

TEST_CASE("multica repo checkout posts the task's request to the daemon port and prints the path", "[integration][multica]") {
  world w;
  one_shot_server daemon(200, "{\"path\":\"/tasks/t1/workdir/app\",\"branch_name\":\"agent/coder/abcd1234\"}\n");
  auto r = w.run({"repo", "checkout", "https://github.com/acme/app.git"}, "",
                 {{"MULTICA_DAEMON_PORT", std::to_string(daemon.port())}, {"MULTICA_AGENT_NAME", "Coder"},
                  {"MULTICA_TASK_ID", "abcd1234-0000"}, {"MULTICA_TOKEN", "cap-secret"}, {"PWD", (w.dir / "work").string()}});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out == "/tasks/t1/workdir/app\n");
  CHECK(r.err == "Checked out https://github.com/acme/app.git \xe2\x86\x92 /tasks/t1/workdir/app (branch: agent/coder/abcd1234)\n");
  const std::string& req = daemon.request();
  CHECK_THAT(req, Catch::StartsWith("POST /repo/checkout HTTP/1.1\r\n"));
  CHECK_THAT(req, Catch::Contains("\r\nAuthorization: Bearer cap-secret\r\n"));
  CHECK_THAT(req, Catch::Contains("\r\nContent-Type: application/json\r\n"));
  auto body = json::parse(req.substr(req.find("\r\n\r\n") + 4));
  CHECK(body == json{{"agent_name", "Coder"}, {"task_id", "abcd1234-0000"}, {"url", "https://github.com/acme/app.git"},
                     {"workdir", (w.dir / "work").string()}, {"workspace_id", w.ws}});
}

TEST_CASE("multica repo checkout prints the daemon's refusal with its newline", "[integration][multica]") {
  world w;
  one_shot_server daemon(400, "repo is not configured for this workspace\n");
  auto r = w.run({"repo", "checkout", "https://example.test/x.git"}, "", {{"MULTICA_DAEMON_PORT", std::to_string(daemon.port())}});
  CHECK(r.status == 1);
  CHECK(r.err == "Error: checkout failed: repo is not configured for this workspace\n\n");
  CHECK(r.out == "");
  auto unset = w.run({"repo", "checkout", "u"});
  CHECK(unset.err == "Error: MULTICA_DAEMON_PORT not set (this command is intended to be run by an agent inside a daemon task)\n");
}
