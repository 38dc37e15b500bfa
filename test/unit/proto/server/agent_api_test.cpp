#include <catch2/catch.hpp>

#include "proto/server/agent_api.hpp"

using namespace multicad::proto::server;

namespace {
agent_call_kind kind(const char* method, const char* target) { return classify_agent_call(method, target).kind; }
}  // namespace

TEST_CASE("every call of the agent-facing multica commands is open", "[proto][agent_api]") {
  const std::pair<const char*, const char*> open[] = {
      {"GET", "/api/issues/9c8d7e6f-0000-4000-8000-000000000003"},
      {"GET", "/api/issues/MUL-12"},
      {"PUT", "/api/issues/MUL-12"},
      {"GET", "/api/issues?assignee_id=a&limit=50&workspace_id=w"},
      {"POST", "/api/issues"},
      {"GET", "/api/issues/search?q=crash&limit=20"},
      {"GET", "/api/issues/MUL-12/comments?limit=30&since=2026-01-01T00%3A00%3A00Z"},
      {"POST", "/api/issues/MUL-12/comments"},
      {"DELETE", "/api/comments/aa11bb22-0000-4000-8000-000000000005"},
      {"GET", "/api/issues/MUL-12/task-runs"},
      {"GET", "/api/agents?workspace_id=w&include_archived=true"},
      {"GET", "/api/agents/1a2b3c4d-0000-4000-8000-000000000001"},
      {"GET", "/api/attachments/3f1c0000-0000-4000-8000-000000000001"},
      {"POST", "/api/upload-file"},
  };
  for (const auto& [m, t] : open) {
    INFO(m << " " << t);
    CHECK(kind(m, t) == agent_call_kind::workspace_scoped);
  }
  auto ws = classify_agent_call("GET", "/api/workspaces/w1/members");
  CHECK(ws.kind == agent_call_kind::workspace_path);
  CHECK(ws.named_workspaces == std::vector<std::string>{"w1"});
  auto msgs = classify_agent_call("GET", "/api/daemon/tasks/t1/messages?since=4");
  CHECK(msgs.kind == agent_call_kind::run_messages);
  CHECK(msgs.task_id == "t1");
  CHECK(classify_agent_call("GET", "/api/issues?workspace_id=w2").named_workspaces == std::vector<std::string>{"w2"});
}

TEST_CASE("everything else the owner's token could do is refused", "[proto][agent_api][security]") {
  const std::pair<const char*, const char*> refused[] = {
      {"GET", "/api/workspaces"},                           // every workspace of the owner
      {"POST", "/api/tokens"},                              // mint a token
      {"POST", "/api/tokens/current/renew"},
      {"POST", "/api/daemon/register"},                      // the daemon API
      {"POST", "/api/daemon/tasks/t1/complete"},
      {"PUT", "/api/agents/a1"},                             // change an agent's settings
      {"DELETE", "/api/issues/MUL-12"},
      {"PATCH", "/api/issues/MUL-12"},
      {"GET", "/api/issues/MUL-12/../../tokens"},
      {"GET", "/api/issues/..%2F..%2Ftokens"},
      {"GET", "/api/issues//comments"},
      {"GET", "/api/issues?workspace_slug=other"},            // the server prefers a slug over X-Workspace-ID
      {"GET", "/api/issues?workspace%5Fslug=other"},
      {"GET", "/health"},
      {"GET", "/api/me"},
  };
  for (const auto& [m, t] : refused) {
    INFO(m << " " << t);
    auto call = classify_agent_call(m, t);
    CHECK(call.kind == agent_call_kind::refused);
    CHECK_FALSE(call.refusal.empty());
  }
}
