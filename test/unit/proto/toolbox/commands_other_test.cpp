// The comment, workspace, agent, attachment and repo commands, version, and
// the commands this build leaves out (agent-toolbox.md §5.3-§5.5,
// §5.12-§5.16, §7.1).
#include <catch2/catch.hpp>

#include "test/unit/proto/toolbox/harness.hpp"

using namespace multicad::test::toolbox;

namespace {

const char* const comment_json =
    R"({"id":"c1","issue_id":"i1","author_type":"agent","author_id":"agent-coder-001","content":"done","type":"comment",)"
    R"("parent_id":null,"created_at":"2026-04-12T09:30:05Z","updated_at":"2026-04-12T09:30:05Z","reactions":[],"attachments":[]})";

}  // namespace

TEST_CASE("comment list sends only the paging it was given and reports the total on stderr", "[toolbox][comment]") {
  scripted s;
  std::string long_text(81, 'y');
  s.reply("GET http://srv.test/api/issues/MUL-1/comments?limit=30&since=2026-04-01T00%3A00%3A00Z",
          std::string("[") + comment_json + R"(,{"id":"c2","parent_id":"c1","author_type":"member","author_id":"u","content":")" +
              long_text + R"(","type":"comment","created_at":"2026-04-12T10:00:00Z"}])",
          200, {{"X-Total-Count", "7"}});
  auto r = s.run({"issue", "comment", "list", "MUL-1", "--limit", "30", "--since", "2026-04-01T00:00:00Z"});
  CHECK(r.err == "Showing 2 of 7 comments.\n");
  CHECK(r.out ==
        "ID  PARENT  AUTHOR          TYPE     CONTENT" + std::string(75, ' ') + "CREATED\n"
        "c1  \xe2\x80\x94       agent:agent-co  comment  done" + std::string(78, ' ') + "2026-04-12T09:30\n"
        "c2  c1      member:u        comment  " + std::string(77, 'y') + "...  2026-04-12T10:00\n");
  s.reply("GET http://srv.test/api/issues/MUL-1/comments", "[]", 200, {{"X-Total-Count", "0"}});
  auto all = s.run({"issue", "comment", "list", "MUL-1", "--output", "json"});
  CHECK(all.err == "");  // no parameters: the count header is not read
  CHECK(all.out == "[]\n");
}

TEST_CASE("comment add takes its text from stdin minus one newline and posts it", "[toolbox][comment]") {
  scripted s;
  s.stdin_text = "line one\nline two\n\n";
  s.reply("POST http://srv.test/api/issues/MUL-1/comments", comment_json, 201);
  auto r = s.run({"issue", "comment", "add", "MUL-1", "--content-stdin", "--parent", "c0"});
  CHECK(r.code == 0);
  CHECK(r.requests[0].body == R"({"content":"line one\nline two\n","parent_id":"c0"})");
  CHECK(r.err == "Comment added to issue MUL-1.\n");
  CHECK(r.out.starts_with("{\n  \"attachments\": [],\n  \"author_id\": \"agent-coder-001\",\n"));
}

TEST_CASE("comment add refuses bad content before any request", "[toolbox][comment]") {
  scripted s;
  CHECK(s.run({"issue", "comment", "add", "X"}).err == "Error: --content or --content-stdin is required\n");
  CHECK(s.run({"issue", "comment", "add", "X", "--content", "a", "--content-stdin"}).err ==
        "Error: --content and --content-stdin are mutually exclusive\n");
  s.stdin_text = "\n";
  auto r = s.run({"issue", "comment", "add", "X", "--content-stdin"});
  CHECK(r.err == "Error: stdin content is empty\n");
  CHECK(r.requests.empty());
}

TEST_CASE("comment add uploads attachments first and sends their ids", "[toolbox][comment]") {
  scripted s;
  s.files["a.txt"] = "A";
  s.files["b.txt"] = "B";
  s.reply("POST http://srv.test/api/upload-file", R"({"id":"att-1"})");
  s.reply("POST http://srv.test/api/issues/MUL-1/comments", comment_json, 201);
  auto r = s.run({"issue", "comment", "add", "MUL-1", "--content", "see files", "--attachment", "a.txt,b.txt", "--output", "table"});
  REQUIRE(r.requests.size() == 3);
  CHECK(r.requests[0].body.find("name=\"issue_id\"\r\n\r\nMUL-1\r\n") != std::string::npos);
  CHECK(r.requests[2].body == R"({"attachment_ids":["att-1","att-1"],"content":"see files"})");
  CHECK(r.err == "Uploaded a.txt\nUploaded b.txt\nComment added to issue MUL-1.\n");
  CHECK(r.out == "");
  s.reply("POST http://srv.test/api/upload-file", "{\"error\":\"file too large\"}\n", 400);
  CHECK(s.run({"issue", "comment", "add", "MUL-1", "--content", "x", "--attachment", "a.txt"}).err ==
        "Error: upload attachment a.txt: upload file returned 400: {\"error\":\"file too large\"}\n");
}

TEST_CASE("comment delete calls DELETE and prints only on stderr", "[toolbox][comment]") {
  scripted s;
  s.reply("DELETE http://srv.test/api/comments/3b6b629d-4ca9", "", 204);
  auto r = s.run({"issue", "comment", "delete", "3b6b629d-4ca9"});
  CHECK(r.code == 0);
  CHECK(r.err == "Comment 3b6b629d deleted.\n");
  CHECK(r.out == "");
  s.reply("DELETE http://srv.test/api/comments/x", "{\"error\":\"only comment author or admin can delete\"}\n", 403);
  CHECK(s.run({"issue", "comment", "delete", "x"}).err ==
        "Error: delete comment: DELETE /api/comments/x returned 403: {\"error\":\"only comment author or admin can delete\"}\n");
}

TEST_CASE("workspace get and members take the argument or the resolved workspace", "[toolbox][workspace]") {
  scripted s;
  s.reply("GET http://srv.test/api/workspaces/ws-1",
          R"({"id":"ws-1","name":"Acme","slug":"acme","description":null,"context":null,"settings":{},"repos":[{"url":"u","description":""}],"issue_prefix":"ACM"})");
  auto r = s.run({"workspace", "get"});
  CHECK(r.out.find("\"repos\": [\n    {\n      \"description\": \"\",\n      \"url\": \"u\"\n    }\n  ],\n") != std::string::npos);
  s.reply("GET http://srv.test/api/workspaces/ws-2/members",
          R"([{"user_id":"user-alice-0001","name":"Alice","email":"a@x","role":"owner"}])");
  CHECK(s.run({"workspace", "members", "ws-2"}).out == "USER ID   NAME   EMAIL  ROLE\nuser-ali  Alice  a@x    owner\n");
  s.env.erase("MULTICA_WORKSPACE_ID");
  CHECK(s.run({"workspace", "get"}).err == "Error: workspace ID is required: pass as argument or set MULTICA_WORKSPACE_ID\n");
}

TEST_CASE("agent list and get shape the agents", "[toolbox][agent]") {
  scripted s;
  s.reply("GET http://srv.test/api/agents?include_archived=true&workspace_id=ws-1",
          R"([{"id":"a1","name":"Coder","status":"idle","runtime_mode":"local","archived_at":null},)"
          R"({"id":"a2","name":"Old","status":"idle","runtime_mode":"cloud","archived_at":"2026-01-01T00:00:00Z"}])");
  CHECK(s.run({"agent", "list", "--include-archived"}).out ==
        "ID  NAME   STATUS  RUNTIME  ARCHIVED\na1  Coder  idle    local    \na2  Old    idle    cloud    yes\n");
  s.reply("GET http://srv.test/api/agents/a1", R"({"id":"a1","name":"Coder","custom_env":{"K":"****"}})");
  CHECK(s.run({"agent", "get", "a1"}).out == "{\n  \"custom_env\": {\n    \"K\": \"****\"\n  },\n  \"id\": \"a1\",\n  \"name\": \"Coder\"\n}\n");
}

TEST_CASE("attachment download fetches the file without credentials and prints where it went", "[toolbox][attachment]") {
  scripted s;
  s.reply("GET http://srv.test/api/attachments/att-1",
          R"({"id":"att-1","filename":"../evil/report.pdf","download_url":"https://cdn.test/f?sig=1","size_bytes":1500000})");
  s.reply("GET https://cdn.test/f?sig=1", "%PDF");
  auto r = s.run({"attachment", "download", "att-1", "-o", "out"});
  CHECK(r.code == 0);
  REQUIRE(r.requests.size() == 2);
  CHECK_FALSE(has_header(r.requests[1], "Authorization"));
  CHECK_FALSE(has_header(r.requests[1], "X-Workspace-ID"));
  CHECK(r.requests[1].max_body_bytes == 100u << 20);
  CHECK(r.written == std::map<std::string, std::string>{{"out/report.pdf", "%PDF"}});
  CHECK(r.err == "Downloaded: /work/task/out/report.pdf\n");
  CHECK(r.out == "{\n  \"filename\": \"report.pdf\",\n  \"id\": \"att-1\",\n  \"path\": \"/work/task/out/report.pdf\",\n"
                 "  \"size\": \"1.5e+06\"\n}\n");
}

TEST_CASE("attachment download reports each failure as the CLI does", "[toolbox][attachment]") {
  scripted s;
  s.reply("GET http://srv.test/api/attachments/a", R"({"id":"a","filename":"","download_url":""})");
  CHECK(s.run({"attachment", "download", "a"}).err == "Error: attachment has no download URL\n");
  s.reply("GET http://srv.test/api/attachments/b", R"({"id":"b","filename":"","download_url":"/uploads/x"})");
  CHECK(s.run({"attachment", "download", "b"}).err == "Error: download file: Get \"/uploads/x\": unsupported protocol scheme \"\"\n");
  s.reply("GET http://srv.test/api/attachments/c", R"({"id":"c","filename":"","download_url":"http://cdn.test/c"})");
  s.reply("GET http://cdn.test/c", "gone", 410);
  CHECK(s.run({"attachment", "download", "c"}).err == "Error: download file: download returned 410: gone\n");
  s.responses["GET http://cdn.test/c"] = pt::http_response{200, {}, "par", "", "unexpected EOF"};
  CHECK(s.run({"attachment", "download", "c"}).err == "Error: download file: unexpected EOF\n");
  s.reply("GET http://cdn.test/c", "bytes");
  auto named_by_id = s.run({"attachment", "download", "c"});
  CHECK(named_by_id.written.count("c") == 1);  // no file name: the attachment id
  s.file_errors["c"] = "open c: permission denied";
  CHECK(s.run({"attachment", "download", "c"}).err == "Error: write file: open c: permission denied\n");
}

TEST_CASE("repo checkout posts to the daemon with the task credential and prints the path", "[toolbox][repo]") {
  scripted s;
  s.env = {{"MULTICA_DAEMON_PORT", "19514"}, {"MULTICA_WORKSPACE_ID", "ws-1"}, {"MULTICA_AGENT_NAME", "Coder"},
           {"MULTICA_TASK_ID", "task-1"}, {"MULTICA_TOKEN", "cap-123"}};
  s.reply("POST http://127.0.0.1:19514/repo/checkout", "{\"path\":\"/work/task/app\",\"branch_name\":\"agent/coder/task1\"}\n");
  auto r = s.run({"repo", "checkout", "https://github.com/a/app.git"});
  CHECK(r.code == 0);
  REQUIRE(r.requests.size() == 1);
  CHECK(r.requests[0].body ==
        R"({"agent_name":"Coder","task_id":"task-1","url":"https://github.com/a/app.git","workdir":"/work/task","workspace_id":"ws-1"})");
  CHECK(header_of(r.requests[0], "Authorization") == "Bearer cap-123");
  CHECK(header_of(r.requests[0], "Content-Type") == "application/json");
  CHECK(r.requests[0].timeout_ms == 0);
  CHECK(r.out == "/work/task/app\n");
  CHECK(r.err == "Checked out https://github.com/a/app.git \xe2\x86\x92 /work/task/app (branch: agent/coder/task1)\n");
}

TEST_CASE("repo checkout fails plainly without a daemon port or when the daemon refuses", "[toolbox][repo]") {
  scripted s;
  s.env = {};
  CHECK(s.run({"repo", "checkout", "u"}).err ==
        "Error: MULTICA_DAEMON_PORT not set (this command is intended to be run by an agent inside a daemon task)\n");
  s.env = {{"MULTICA_DAEMON_PORT", "1"}};
  s.reply("POST http://127.0.0.1:1/repo/checkout", "repo is not configured for this workspace\n", 400);
  auto r = s.run({"repo", "checkout", "u"});
  CHECK(r.err == "Error: checkout failed: repo is not configured for this workspace\n\n");  // the body keeps its newline
  CHECK_FALSE(has_header(r.requests[0], "Authorization"));
  s.responses["POST http://127.0.0.1:1/repo/checkout"] = pt::http_response{0, {}, "", "dial tcp 127.0.0.1:1: connect: connection refused", ""};
  CHECK(s.run({"repo", "checkout", "u"}).err ==
        "Error: connect to daemon: Post \"http://127.0.0.1:1/repo/checkout\": dial tcp 127.0.0.1:1: connect: connection refused\n");
  s.reply("POST http://127.0.0.1:1/repo/checkout", "{\"path\":5}");
  CHECK(s.run({"repo", "checkout", "u"}).err == "Error: parse response: json: cannot unmarshal number into Go struct field .path of type string\n");
}

TEST_CASE("version prints and commands this build leaves out say so and exit 1", "[toolbox][other]") {
  scripted s;
  CHECK(s.run({"version"}).out == "multica 1.2.3 (test)\n");
  auto d = s.run({"daemon", "start"});
  CHECK(d.code == 1);
  CHECK(d.err ==
        "Error: \"multica daemon\" is not implemented by this build of multica (provided by multicad for agents); the "
        "daemon on this machine is multicad (see `multicad status`)\n");
  auto a = s.run({"agent", "skills", "list", "A", "--output", "json"});
  CHECK(a.code == 1);
  CHECK(a.err.starts_with("Error: \"multica agent skills\" is not implemented by this build of multica"));
  CHECK(a.requests.empty());
}
