// The issue commands (agent-toolbox.md §5.1-§5.2, §5.6-§5.11, §5.16-§5.17):
// the requests they build and what they print, from the spec's example objects.
#include <catch2/catch.hpp>

#include "test/unit/proto/toolbox/harness.hpp"

using namespace multicad::test::toolbox;

namespace {

const char* const issue_json =
    R"({"id":"11111111-2222-3333-4444-555555555555","workspace_id":"ws-1","number":42,"identifier":"MUL-42",)"
    R"("title":"Fix <login> & co","description":"Steps","status":"todo","priority":"high","assignee_type":"agent",)"
    R"("assignee_id":"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee","creator_type":"member","creator_id":"u1",)"
    R"("parent_issue_id":null,"project_id":null,"position":1500000,"due_date":"2026-05-01T00:00:00Z",)"
    R"("created_at":"2026-04-12T09:30:05Z","updated_at":"2026-04-12T09:30:05Z"})";

const char* const members_json =
    R"([{"id":"m1","workspace_id":"ws-1","user_id":"user-alice-0001","role":"owner","name":"Alice Smith","email":"a@x"},)"
    R"({"id":"m2","workspace_id":"ws-1","user_id":"user-bob-000002","role":"member","name":"Bob","email":"b@x"}])";
const char* const agents_json = R"([{"id":"agent-coder-001","name":"Coder","status":"idle"},{"id":"agent-rev-0002","name":"Reviewer"}])";

scripted with_people() {
  scripted s;
  s.reply("GET http://srv.test/api/workspaces/ws-1/members", members_json);
  s.reply("GET http://srv.test/api/agents?workspace_id=ws-1", agents_json);
  return s;
}

}  // namespace

TEST_CASE("issue get sends the client headers and re-encodes the issue with sorted keys", "[toolbox][issue]") {
  scripted s;
  s.env["MULTICA_AGENT_ID"] = "agent-7";
  s.env["MULTICA_TASK_ID"] = "task-9";
  s.reply("GET http://srv.test/api/issues/MUL-42", issue_json);
  auto r = s.run({"issue", "get", "MUL-42"});
  CHECK(r.code == 0);
  REQUIRE(r.requests.size() == 1);
  const auto& q = r.requests[0];
  CHECK(header_of(q, "Authorization") == "Bearer mul_tok");
  CHECK(header_of(q, "X-Workspace-ID") == "ws-1");
  CHECK(header_of(q, "X-Agent-ID") == "agent-7");
  CHECK(header_of(q, "X-Task-ID") == "task-9");
  CHECK(header_of(q, "User-Agent") == "Go-http-client/1.1");
  CHECK_FALSE(has_header(q, "Content-Type"));
  CHECK(q.timeout_ms == 15000);
  CHECK(r.out.starts_with("{\n  \"assignee_id\": \"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\",\n  \"assignee_type\": \"agent\",\n"));
  CHECK(r.out.find("\"position\": 1500000,\n") != std::string::npos);
  CHECK(r.out.find("\"title\": \"Fix \\u003clogin\\u003e \\u0026 co\",\n") != std::string::npos);
  CHECK(r.err == "");
}

TEST_CASE("issue get prints a table only for output table", "[toolbox][issue]") {
  scripted s;
  s.reply("GET http://srv.test/api/issues/MUL-42", issue_json);
  auto r = s.run({"issue", "get", "MUL-42", "--output", "table"});
  CHECK(r.out ==
        "ID        TITLE             STATUS  PRIORITY  ASSIGNEE        DUE DATE    DESCRIPTION\n"
        "11111111  Fix <login> & co  todo    high      agent:aaaaaaaa  2026-05-01  Steps\n");
  CHECK(s.run({"issue", "get", "MUL-42", "--output", "yaml"}).out.starts_with("{\n"));
}

TEST_CASE("issue get turns HTTP and transport failures into the CLI's errors", "[toolbox][issue]") {
  scripted s;
  s.reply("GET http://srv.test/api/issues/nope", "{\"error\":\"issue not found\"}\n", 404);
  auto r = s.run({"issue", "get", "nope"});
  CHECK(r.code == 1);
  CHECK(r.out == "");
  CHECK(r.err == "Error: get issue: GET /api/issues/nope returned 404: {\"error\":\"issue not found\"}\n");

  s.responses["GET http://srv.test/api/issues/down"] = pt::http_response{0, {}, "", "dial tcp 127.0.0.1:9: connect: connection refused", ""};
  CHECK(s.run({"issue", "get", "down"}).err ==
        "Error: get issue: Get \"http://srv.test/api/issues/down\": dial tcp 127.0.0.1:9: connect: connection refused\n");

  s.reply("GET http://srv.test/api/issues/html", "<html>proxy</html>");
  CHECK(s.run({"issue", "get", "html"}).err == "Error: get issue: invalid character '<' looking for beginning of value\n");
  s.reply("GET http://srv.test/api/issues/list", "[]");
  CHECK(s.run({"issue", "get", "list"}).err ==
        "Error: get issue: json: cannot unmarshal array into Go value of type map[string]interface {}\n");
}

TEST_CASE("issue get without any server says so and exits 1 before any request", "[toolbox][issue]") {
  scripted s;
  s.env.clear();
  auto r = s.run({"issue", "get", "X"});
  CHECK(r.code == 1);
  CHECK(r.err == "No server configured. Run 'multica setup' first.\n");
  CHECK(r.requests.empty());
  s.config.server_url = "http://from-config.test/";
  s.reply("GET http://from-config.test/api/issues/X", issue_json);
  CHECK(s.run({"issue", "get", "X"}).code == 0);
}

TEST_CASE("issue get follows redirects and reports a relative base URL as Go does", "[toolbox][issue]") {
  scripted s;
  s.reply("GET http://srv.test/api/issues/X", "", 301, {{"Location", "https://other.test/api/issues/X"}});
  s.reply("GET https://other.test/api/issues/X", issue_json);
  auto r = s.run({"issue", "get", "X"});
  CHECK(r.code == 0);
  REQUIRE(r.requests.size() == 2);
  CHECK_FALSE(has_header(r.requests[1], "Authorization"));  // another host: Go drops the credentials
  s.reply("GET http://srv.test/api/issues/loop", "", 302, {{"Location", "/api/issues/loop"}});
  auto loop = s.run({"issue", "get", "loop"});
  CHECK(loop.requests.size() == 10);  // Go's client gives up when the 10th answer redirects again
  CHECK(loop.err == "Error: get issue: Get \"/api/issues/loop\": stopped after 10 redirects\n");
  s.env["MULTICA_SERVER_URL"] = "srv.test";
  CHECK(s.run({"issue", "get", "X"}).err == "Error: get issue: Get \"srv.test/api/issues/X\": unsupported protocol scheme \"\"\n");
  s.env["MULTICA_SERVER_URL"] = "127.0.0.1:8080";
  CHECK(s.run({"issue", "get", "X"}).err ==
        "Error: get issue: parse \"127.0.0.1:8080/api/issues/X\": first path segment in URL cannot contain colon\n");
}

TEST_CASE("issue list builds the query and wraps the page in the CLI's own JSON", "[toolbox][issue]") {
  scripted s = with_people();
  s.reply("GET http://srv.test/api/issues?assignee_id=user-alice-0001&limit=2&offset=1&priority=high&status=todo&workspace_id=ws-1",
          std::string(R"({"issues":[)") + issue_json + R"(],"total":3})");
  auto r = s.run({"issue", "list", "--status", "todo", "--priority", "high", "--assignee", "alice", "--limit", "2",
                  "--offset", "1", "--output", "json"});
  CHECK(r.code == 0);
  CHECK(r.requests.size() == 3);  // members, agents, issues
  CHECK(r.out.starts_with("{\n  \"has_more\": true,\n  \"issues\": [\n    {\n"));
  CHECK(r.out.ends_with("  ],\n  \"limit\": 2,\n  \"offset\": 1,\n  \"total\": 3\n}\n"));
}

TEST_CASE("issue list prints its table by default and needs a workspace", "[toolbox][issue]") {
  scripted s;
  s.reply("GET http://srv.test/api/issues?limit=50&workspace_id=ws-1", std::string(R"({"issues":[)") + issue_json + R"(,5],"total":1})");
  CHECK(s.run({"issue", "list"}).out ==
        "ID        TITLE             STATUS  PRIORITY  ASSIGNEE        DUE DATE\n"
        "11111111  Fix <login> & co  todo    high      agent:aaaaaaaa  2026-05-01\n");
  s.env.erase("MULTICA_WORKSPACE_ID");
  CHECK(s.run({"issue", "list"}).err ==
        "Error: workspace_id is required: use --workspace-id flag, set MULTICA_WORKSPACE_ID env, or run 'multica config "
        "set workspace_id <id>'\n");
}

TEST_CASE("issue create sends only the flags given and uploads attachments after the issue exists", "[toolbox][issue]") {
  scripted s = with_people();
  s.files["shots/a.png"] = "PNG";
  s.reply("POST http://srv.test/api/issues", issue_json, 201);
  s.reply("POST http://srv.test/api/upload-file", R"({"id":"att-1","filename":"a.png"})");
  auto r = s.run({"issue", "create", "--title", "New", "--assignee", "Coder", "--parent", "MUL-1", "--due-date",
                  "2026-05-01T00:00:00Z", "--attachment", "shots/a.png", "--output", "table"});
  CHECK(r.code == 0);
  REQUIRE(r.requests.size() == 4);
  CHECK(r.requests[2].body ==
        R"({"assignee_id":"agent-coder-001","assignee_type":"agent","due_date":"2026-05-01T00:00:00Z","parent_issue_id":"MUL-1","title":"New"})");
  CHECK(header_of(r.requests[2], "Content-Type") == "application/json");
  const auto& up = r.requests[3];
  CHECK(header_of(up, "Content-Type") == "multipart/form-data; boundary=BOUNDARY");
  CHECK(up.body ==
        "--BOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: "
        "application/octet-stream\r\n\r\nPNG\r\n--BOUNDARY\r\nContent-Disposition: form-data; "
        "name=\"issue_id\"\r\n\r\n11111111-2222-3333-4444-555555555555\r\n--BOUNDARY--\r\n");
  CHECK(r.err == "Uploaded shots/a.png\n");
  CHECK(r.out == "ID        TITLE             STATUS  PRIORITY\n11111111  Fix <login> & co  todo    high\n");
}

TEST_CASE("issue create checks the title first and reports a missing attachment after creating", "[toolbox][issue]") {
  scripted s;
  auto r = s.run({"issue", "create", "--description", "x"});
  CHECK(r.err == "Error: --title is required\n");
  CHECK(r.requests.empty());
  s.reply("POST http://srv.test/api/issues", issue_json, 201);
  auto m = s.run({"issue", "create", "--title", "T", "--attachment", "missing.txt"});
  CHECK(m.requests.size() == 1);
  CHECK(m.err == "Error: read attachment missing.txt: open missing.txt: no such file or directory\n");
}

TEST_CASE("issue update sends the flags that were set and null for an empty parent", "[toolbox][issue]") {
  scripted s;
  s.reply("PUT http://srv.test/api/issues/MUL-42", issue_json);
  auto r = s.run({"issue", "update", "MUL-42", "--title", "", "--parent", "", "--status", "weird"});
  CHECK(r.code == 0);
  CHECK(r.requests[0].body == R"({"parent_issue_id":null,"status":"weird","title":""})");
  CHECK(s.run({"issue", "update", "MUL-42"}).err ==
        "Error: no fields to update; use flags like --title, --status, --priority, --assignee, etc.\n");
}

TEST_CASE("issue assign resolves names by substring and refuses ambiguity", "[toolbox][issue]") {
  scripted s = with_people();
  s.reply("PUT http://srv.test/api/issues/MUL-42", issue_json);
  auto r = s.run({"issue", "assign", "MUL-42", "--to", "BOB"});
  CHECK(r.requests.back().body == R"({"assignee_id":"user-bob-000002","assignee_type":"member"})");
  CHECK(r.err == "Issue MUL-42 assigned to BOB.\n");
  CHECK(r.out.starts_with("{\n"));
  auto amb = s.run({"issue", "assign", "MUL-42", "--to", "e"});
  CHECK(amb.err ==
        "Error: resolve assignee: ambiguous assignee \"e\"; matches:\n  member \"Alice Smith\" (user-ali)\n"
        "  agent \"Coder\" (agent-co)\n  agent \"Reviewer\" (agent-re)\n");
  CHECK(s.run({"issue", "assign", "MUL-42", "--to", "zed"}).err ==
        "Error: resolve assignee: no member or agent found matching \"zed\"\n");
  auto un = s.run({"issue", "assign", "MUL-42", "--unassign", "--output", "table"});
  CHECK(un.requests[0].body == R"({"assignee_id":null,"assignee_type":null})");
  CHECK(un.err == "Issue MUL-42 unassigned.\n");
  CHECK(un.out == "");
  CHECK(s.run({"issue", "assign", "X"}).err == "Error: provide --to <name> or --unassign\n");
  CHECK(s.run({"issue", "assign", "X", "--to", "a", "--unassign"}).err == "Error: --to and --unassign are mutually exclusive\n");
}

TEST_CASE("issue assign reports both failed lookups and needs a workspace to resolve", "[toolbox][issue]") {
  scripted s;
  s.reply("GET http://srv.test/api/workspaces/ws-1/members", "{\"error\":\"workspace not found\"}", 404);
  s.reply("GET http://srv.test/api/agents?workspace_id=ws-1", "boom", 500);
  CHECK(s.run({"issue", "assign", "X", "--to", "a"}).err ==
        "Error: resolve assignee: failed to resolve assignee: fetch members: GET /api/workspaces/ws-1/members returned "
        "404: {\"error\":\"workspace not found\"}; fetch agents: GET /api/agents?workspace_id=ws-1 returned 500: boom\n");
  s.env.erase("MULTICA_WORKSPACE_ID");
  CHECK(s.run({"issue", "assign", "X", "--to", "a"}).err ==
        "Error: resolve assignee: workspace ID is required to resolve assignees; use --workspace-id or set "
        "MULTICA_WORKSPACE_ID\n");
}

TEST_CASE("issue status validates locally and prints JSON only when asked", "[toolbox][issue]") {
  scripted s;
  s.reply("PUT http://srv.test/api/issues/11111111-2222-3333-4444-555555555555", issue_json);
  auto r = s.run({"issue", "status", "11111111-2222-3333-4444-555555555555", "in_review"});
  CHECK(r.requests[0].body == R"({"status":"in_review"})");
  CHECK(r.err == "Issue 11111111 status changed to in_review.\n");
  CHECK(r.out == "");
  CHECK(s.run({"issue", "status", "11111111-2222-3333-4444-555555555555", "done", "--output", "json"}).out.starts_with("{\n"));
  auto bad = s.run({"issue", "status", "X", "finished"});
  CHECK(bad.err == "Error: invalid status \"finished\"; valid values: backlog, todo, in_progress, in_review, done, blocked, cancelled\n");
  CHECK(bad.requests.empty());
}

TEST_CASE("issue runs and run-messages shape their tables", "[toolbox][issue]") {
  scripted s;
  s.reply("GET http://srv.test/api/issues/MUL-1/task-runs",
          R"([{"id":"task-0001-xyz","agent_id":"agent-coder-001","status":"failed","started_at":"2026-04-12T09:30:05Z",)"
          R"("completed_at":null,"error":"a very long error message that goes on and on past fifty runes"}])");
  CHECK(s.run({"issue", "runs", "MUL-1"}).out ==
        "ID        AGENT     STATUS  STARTED           COMPLETED  ERROR\n"
        "task-000  agent-co  failed  2026-04-12T09:30             a very long error message that goes on and on p...\n");
  s.reply("GET http://srv.test/api/daemon/tasks/T1/messages?since=3",
          R"([{"task_id":"T1","seq":4,"type":"tool_result","tool":"exec","output":"ok"},{"seq":1234567,"type":"text","content":"hi"}])");
  auto r = s.run({"issue", "run-messages", "T1", "--since", "3", "--output", "table"});
  CHECK(r.out == "SEQ           TYPE         TOOL  CONTENT\n4             tool_result  exec  ok\n1.234567e+06  text               hi\n");
  s.reply("GET http://srv.test/api/daemon/tasks/T1/messages", "[]");
  CHECK(s.run({"issue", "run-messages", "T1"}).out == "[]\n");
}

TEST_CASE("issue search passes the query and prints matches", "[toolbox][issue]") {
  scripted s;
  s.reply("GET http://srv.test/api/issues/search?include_closed=true&limit=20&q=login+bug",
          std::string(R"({"issues":[)") + R"({"id":"11111111-2","identifier":"MUL-42","title":"T","status":"done","match_source":"comment","matched_snippet":"the login bug"}],"total":1})");
  CHECK(s.run({"issue", "search", "login bug", "--include-closed"}).out ==
        "ID        IDENTIFIER  TITLE  STATUS  MATCH\n11111111  MUL-42      T      done    comment: the login bug\n");
}
