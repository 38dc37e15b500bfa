#include <catch2/catch.hpp>

#include "proto/task.hpp"

using multicad::proto::decode_task;

TEST_CASE("a claimed task decodes with its agent and skills and prior session", "[proto][task]") {
  auto t = decode_task(R"({"id":"7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11","agent_id":"a1","runtime_id":"r1",
    "issue_id":"i1","workspace_id":"w1","status":"dispatched","priority":3,"dispatched_at":"2026-04-12T09:30:05Z",
    "started_at":null,"completed_at":null,"result":null,"error":null,
    "agent":{"id":"a1","name":"Builder","instructions":"You fix bugs.",
      "skills":[{"name":"deploy","content":"# Deploy","files":[{"path":"scripts/run.sh","content":"echo hi"}]}],
      "custom_env":{"ANTHROPIC_BASE_URL":"https://proxy.example"},"custom_args":["--max-turns","50"]},
    "repos":[{"url":"https://github.com/org/app.git","description":"main app"}],
    "created_at":"2026-04-12T09:29:58Z","prior_session_id":"s1","prior_work_dir":"/w/workdir",
    "trigger_comment_id":"c1","trigger_comment_content":"Please also update the README.","unknown_key":{"x":1}})");
  REQUIRE(t.has_value());
  CHECK(t->id == "7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11");
  CHECK(t->priority == 3);
  REQUIRE(t->agent.has_value());
  CHECK(t->agent->skills.at(0).files.at(0).path == "scripts/run.sh");
  CHECK(t->agent->custom_env.at("ANTHROPIC_BASE_URL") == "https://proxy.example");
  CHECK(t->agent->custom_args == std::vector<std::string>{"--max-turns", "50"});
  CHECK(t->repos.at(0).description == "main app");
  CHECK(t->prior_session_id == "s1");
  CHECK(t->trigger_comment_content == "Please also update the README.");
}

TEST_CASE("absent and null optional fields take their defaults", "[proto][task]") {
  auto t = decode_task(R"({"id":"7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11","agent_id":"","runtime_id":"","issue_id":"","workspace_id":"","status":"dispatched",
    "priority":0,"agent":null})");
  REQUIRE(t.has_value());
  CHECK_FALSE(t->agent.has_value());
  CHECK(t->repos.empty());
  CHECK(t->chat_session_id.empty());
}

TEST_CASE("malformed task JSON is an error naming the field", "[proto][task]") {
  CHECK_THAT(decode_task("{\"id\": ").error().message, Catch::Contains("not valid JSON"));
  CHECK_THAT(decode_task("[1,2]").error().message, Catch::Contains("task: expected an object"));
  CHECK_THAT(decode_task(R"({"id":"t","priority":"high"})").error().message,
             Catch::Contains("task.priority: expected an integer, got string"));
  CHECK_THAT(decode_task(R"({"id":"t","agent":{"skills":[{"name":1}]}})").error().message,
             Catch::Contains("task.agent.skills[0].name: expected a string, got integer"));
  CHECK_THAT(decode_task(R"({"id":"t","agent":{"custom_env":{"A":1}}})").error().message,
             Catch::Contains("task.agent.custom_env.A"));
  CHECK_THAT(decode_task(R"({"agent_id":"a"})").error().message, Catch::Contains("task.id: missing"));
}
