// Decoders: the spec's example bodies, null-vs-omitted leniency, and errors
// that name the field path.
#include <catch2/catch.hpp>

#include "proto/server/codec.hpp"

using namespace multicad::proto::server;
using Catch::Contains;

TEST_CASE("the workspace list decodes id name and slug and ignores the rest", "[proto][server]") {
  auto w = decode_workspaces(R"([{"id":"0f1e2d3c-0000-4000-8000-000000000004","name":"Acme","slug":"acme",
    "description":null,"context":null,"settings":{},"repos":[],"issue_prefix":"ACM",
    "created_at":"2026-04-12T09:30:05Z","updated_at":"2026-04-12T09:30:05Z"},{"id":"0f1e2d3c-0000-4000-8000-000000000005","name":"B"}])"
                             "\n");
  REQUIRE(w.has_value());
  REQUIRE(w->size() == 2);
  CHECK((*w)[0].id == "0f1e2d3c-0000-4000-8000-000000000004");
  CHECK((*w)[0].name == "Acme");
  CHECK((*w)[0].slug == "acme");
  CHECK((*w)[1].slug.empty());
  CHECK(decode_workspaces("[]")->empty());
  CHECK(decode_workspaces("null")->empty());
}

TEST_CASE("a workspace list of the wrong shape names the bad element", "[proto][server]") {
  CHECK(decode_workspaces(R"({"id":"w"})").error().message == "workspaces: expected an array, got object");
  CHECK(decode_workspaces(R"([{"id":"0f1e2d3c-0000-4000-8000-000000000004"},"x"])").error().message == "workspaces[1]: expected an object, got string");
  CHECK(decode_workspaces(R"([{"name":"no id"}])").error().message == "workspaces[0].id: missing or empty");
  CHECK(decode_workspaces(R"([{"id":"0f1e2d3c-0000-4000-8000-000000000004","name":7}])").error().message ==
        "workspaces[0].name: expected a string, got integer");
}

TEST_CASE("a register response decodes runtimes repos and version", "[proto][server]") {
  auto r = decode_register(R"j({"runtimes":[{"id":"5e6f7a8b-0000-4000-8000-000000000002","workspace_id":"w1",
    "daemon_id":"host-a","name":"Codex (My Mac)","runtime_mode":"local","provider":"codex","status":"online",
    "device_info":"My Mac · codex-cli 0.171.0","metadata":{"version":"0.171.0"},"owner_id":null,
    "last_seen_at":"2026-04-12T09:30:05Z","created_at":"2026-04-12T09:30:05Z","updated_at":"2026-04-12T09:30:05Z"}],
    "repos":[{"url":"https://github.com/org/app.git","description":"main app"}],
    "repos_version":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"})j");
  REQUIRE(r.has_value());
  REQUIRE(r->runtimes.size() == 1);
  CHECK(r->runtimes[0].id == "5e6f7a8b-0000-4000-8000-000000000002");
  CHECK(r->runtimes[0].provider == "codex");
  CHECK(r->runtimes[0].status == "online");
  REQUIRE(r->repos.size() == 1);
  CHECK(r->repos[0].url == "https://github.com/org/app.git");
  CHECK(r->repos_version.size() == 64);
}

TEST_CASE("a register response without runtimes is an error", "[proto][server]") {
  CHECK_THAT(decode_register(R"({"runtimes":[],"repos":[],"repos_version":"x"})").error().message,
             Contains("register.runtimes: missing or empty"));
  CHECK_THAT(decode_register(R"({"repos":[]})").error().message, Contains("register.runtimes: missing or empty"));
  CHECK_THAT(decode_register(R"({"runtimes":null})").error().message, Contains("register.runtimes: missing or empty"));
}

TEST_CASE("a register response with a wrong type names the field path", "[proto][server]") {
  CHECK(decode_register(R"({"runtimes":[{"id":1}]})").error().message ==
        "register.runtimes[0].id: expected a string, got integer");
  CHECK(decode_register(R"({"runtimes":[{"id":"5e6f7a8b-0000-4000-8000-000000000002"},{"id":""}]})").error().message ==
        "register.runtimes[1].id: missing or empty");
  CHECK(decode_register(R"({"runtimes":{"id":"r"}})").error().message ==
        "register.runtimes: expected an array, got object");
  CHECK(decode_register(R"({"runtimes":[{"id":"5e6f7a8b-0000-4000-8000-000000000002"}],"repos":[{"url":true}]})").error().message ==
        "register.repos[0].url: expected a string, got boolean");
  CHECK(decode_register(R"({"runtimes":[{"id":"5e6f7a8b-0000-4000-8000-000000000002"}],"repos_version":1.5})").error().message ==
        "register.repos_version: expected a string, got number");
  CHECK(decode_register("[]").error().message == "register: expected an object, got array");
}

TEST_CASE("a heartbeat response carries pending ping and update only when present", "[proto][server]") {
  auto plain = decode_heartbeat("{\"status\":\"ok\"}\n");
  REQUIRE(plain.has_value());
  CHECK_FALSE(plain->pending_ping_id.has_value());
  CHECK_FALSE(plain->pending_update.has_value());

  auto both = decode_heartbeat(R"({"status":"ok","pending_ping":{"id":"9f2c0000000000000000000000000001"},
    "pending_update":{"id":"41ab0000000000000000000000000002","target_version":"v0.1.31"}})");
  REQUIRE(both.has_value());
  CHECK(both->pending_ping_id == "9f2c0000000000000000000000000001");
  REQUIRE(both->pending_update.has_value());
  CHECK(both->pending_update->id == "41ab0000000000000000000000000002");
  CHECK(both->pending_update->target_version == "v0.1.31");

  auto nulls = decode_heartbeat(R"({"status":"ok","pending_ping":null,"pending_update":null})");
  REQUIRE(nulls.has_value());
  CHECK_FALSE(nulls->pending_ping_id.has_value());
}

TEST_CASE("a malformed pending item in a heartbeat names the field", "[proto][server]") {
  CHECK(decode_heartbeat(R"({"pending_ping":"abc"})").error().message ==
        "heartbeat.pending_ping: expected an object, got string");
  CHECK(decode_heartbeat(R"({"pending_ping":{}})").error().message == "heartbeat.pending_ping.id: missing or empty");
  CHECK(decode_heartbeat(R"({"pending_update":{"id":"41ab0000000000000000000000000002","target_version":3}})").error().message ==
        "heartbeat.pending_update.target_version: expected a string, got integer");
}

TEST_CASE("the spec's example claim response decodes to a task", "[proto][server]") {
  auto c = decode_claim(R"({"task": {
    "id": "7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11", "agent_id": "1a2b3c4d-0000-4000-8000-000000000001",
    "runtime_id": "5e6f7a8b-0000-4000-8000-000000000002", "issue_id": "9c8d7e6f-0000-4000-8000-000000000003",
    "workspace_id": "0f1e2d3c-0000-4000-8000-000000000004", "status": "dispatched", "priority": 3,
    "dispatched_at": "2026-04-12T09:30:05Z", "started_at": null, "completed_at": null, "result": null, "error": null,
    "agent": {"id": "1a2b3c4d-0000-4000-8000-000000000001", "name": "Builder", "instructions": "You fix bugs.",
              "skills": [{"name": "deploy", "content": "# Deploy\n…", "files": [{"path": "scripts/run.sh", "content": "echo hi"}]}],
              "custom_env": {"ANTHROPIC_BASE_URL": "https://proxy.example"}, "custom_args": ["--max-turns", "50"]},
    "repos": [{"url": "https://github.com/org/app.git", "description": "main app"}],
    "created_at": "2026-04-12T09:29:58Z", "prior_session_id": "3f1c", "prior_work_dir": "/home/u/w/workdir",
    "trigger_comment_id": "aa11bb22-0000-4000-8000-000000000005", "trigger_comment_content": "Please also update the README."
  }})");
  REQUIRE(c.has_value());
  REQUIRE(c->claimed.has_value());
  CHECK(c->claimed->id == "7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11");
  CHECK(c->claimed->priority == 3);
  REQUIRE(c->claimed->agent.has_value());
  CHECK(c->claimed->agent->custom_args.size() == 2);
  CHECK(c->claimed->trigger_comment_content == "Please also update the README.");
}

TEST_CASE("a claim with a null or absent task means nothing to do", "[proto][server]") {
  CHECK_FALSE(decode_claim("{\"task\":null}\n")->claimed.has_value());
  CHECK_FALSE(decode_claim("{}")->claimed.has_value());
}

TEST_CASE("a malformed claimed task names the path below claim.task", "[proto][server]") {
  CHECK(decode_claim(R"({"task":"t1"})").error().message == "claim.task: expected an object, got string");
  CHECK(decode_claim(R"({"task":{"id":"t","priority":"high"}})").error().message ==
        "claim.task.priority: expected an integer, got string");
  CHECK(decode_claim(R"({"task":{"agent_id":"a"}})").error().message == "claim.task.id: missing or empty");
  CHECK(decode_claim("null").error().message == "claim: expected an object, got null");
}

TEST_CASE("status and gc-check responses decode their strings", "[proto][server]") {
  CHECK(decode_status("{\"status\":\"cancelled\"}\n")->status == "cancelled");
  auto gc = decode_gc_check(R"({"status":"done","updated_at":"2026-04-12T09:30:05.123456Z"})");
  REQUIRE(gc.has_value());
  CHECK(gc->status == "done");
  CHECK(gc->updated_at == "2026-04-12T09:30:05.123456Z");
  CHECK(decode_status("{}").error().message == "status.status: missing or empty");
  CHECK(decode_status(R"({"status":1})").error().message == "status.status: expected a string, got integer");
  CHECK(decode_gc_check(R"({"status":"done","updated_at":false})").error().message ==
        "gc_check.updated_at: expected a string, got boolean");
}

TEST_CASE("the pending list decodes task records and names a bad element", "[proto][server]") {
  auto p = decode_pending(R"([{"id":"7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11","agent_id":"a","runtime_id":"r","issue_id":"i","workspace_id":"",
    "status":"queued","priority":2,"dispatched_at":null,"started_at":null,"completed_at":null,"result":null,
    "error":null,"created_at":"2026-04-12T09:29:58Z"},{"id":"7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a12","status":"dispatched"}])");
  REQUIRE(p.has_value());
  REQUIRE(p->size() == 2);
  CHECK((*p)[0].status == "queued");
  CHECK_FALSE((*p)[0].agent.has_value());
  CHECK((*p)[1].id == "7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a12");
  CHECK(decode_pending("[]")->empty());
  CHECK(decode_pending(R"([{"id":"7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11"},{"id":2}])").error().message == "pending[1].id: expected a string, got integer");
}

TEST_CASE("a body that is not JSON is a decode error quoting its start", "[proto][server]") {
  CHECK(decode_status("<html>bad gateway</html>").error().message ==
        "status: not valid JSON (starts with \"<html>bad gateway</html>\")");
  CHECK(decode_claim("{\"task\": ").error().message == "claim: not valid JSON (starts with \"{\"task\": \")");
  CHECK(decode_heartbeat("").error().message == "heartbeat: empty body, expected JSON");
  CHECK_THAT(decode_register(std::string(1000, 'x')).error().message, Contains("starts with \"" + std::string(64, 'x') + "\")"));
}

TEST_CASE("ids that are not UUID-shaped are refused where they are decoded", "[proto][server][security]") {
  // The security review's attack: an id that would add a header to the request line.
  CHECK_THAT(decode_claim(R"({"task":{"id":"x HTTP/1.1\r\nX-Inj: 0"}})").error().message,
             Contains("claim.task.id: not a UUID (\"x HTTP/1.1??X-Inj: 0\")"));
  CHECK_THAT(decode_claim(R"({"task":{"id":")" + std::string(100'000, 'a') + R"("}})").error().message,
             Contains("not a UUID") && Contains("\"..."));
  CHECK(decode_register(R"({"runtimes":[{"id":"../../x"}]})").error().message == "register.runtimes[0].id: not a UUID");
  CHECK(decode_workspaces(R"([{"id":"w/../x"}])").error().message == "workspaces[0].id: not a UUID");
  CHECK(decode_heartbeat(R"({"pending_ping":{"id":"p1/../../x"}})").error().message ==
        "heartbeat.pending_ping.id: not 32 hexadecimal digits");
  CHECK(decode_heartbeat(R"({"pending_update":{"id":"41AB0000000000000000000000000002"}})").has_value());
}

TEST_CASE("a task whose other ids are malformed decodes cleared and marked so it can be failed", "[proto][server][security]") {
  auto c = decode_claim(R"({"task":{"id":"7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11","issue_id":"i/../../x",
    "workspace_id":"0f1e2d3c-0000-4000-8000-000000000004","agent":{"id":"bad id","name":"B"}}})");
  REQUIRE(c.has_value());
  REQUIRE(c->claimed.has_value());
  CHECK(c->claimed->invalid == "claim.task.issue_id: not a UUID (\"i/../../x\")");
  CHECK(c->claimed->issue_id.empty());
  CHECK(c->claimed->workspace_id == "0f1e2d3c-0000-4000-8000-000000000004");
  CHECK(c->claimed->agent->id.empty());
  auto ok = decode_claim(R"({"task":{"id":"7B0E6A0C-2F1D-4C1E-9A55-0D8C1F3E2A11","issue_id":""}})");
  REQUIRE(ok.has_value());
  CHECK(ok->claimed->invalid.empty());
}
