// End to end with the REAL Codex CLI: the daemon claims a task from the
// fake server, Codex (pointed by the task's config at a mock Responses API
// on loopback) runs a shell command in its sandbox that writes a file in
// the workdir, and the server receives the tool use and result, usage and
// the final answer. A model that stalls is stopped by the liveness
// watchdogs with what Codex last did.
#include <catch2/catch.hpp>

#include "test/support/real_codex_fixture.hpp"

using namespace multicad::test;
using nlohmann::json;

using e2e = real_codex_fixture;

TEST_CASE("real codex runs a sandboxed command and the server gets messages and usage and the answer", "[e2e]") {
  e2e t;
  auto id = t.server.add_task(t.workspace);
  REQUIRE(t.wait_status(id, "completed"));
  auto task = t.server.task(id);
  CHECK(task.at("result").at("output") == "I wrote proof.txt");
  auto workdir = task.at("work_dir").get<std::string>();
  CHECK(read_file(std::filesystem::path(workdir) / "proof.txt") == "made-by-codex\n");

  auto messages = t.server.state().at("messages").at(id);
  json use, result;
  for (const auto& m : messages) {
    if (m.at("type") == "tool_use") use = m;
    if (m.at("type") == "tool_result") result = m;
  }
  INFO(messages.dump(1));
  REQUIRE(use.is_object());
  CHECK(use.at("tool") == "exec_command");
  CHECK_THAT(use.at("input").at("command").get<std::string>(), Catch::Contains("echo made-by-codex > proof.txt"));
  REQUIRE(result.is_object());
  CHECK_THAT(result.at("output").get<std::string>(), Catch::Contains("made-by-codex"));
  CHECK(messages.back().at("type") == "text");

  auto usage = t.server.state().at("usage").at(id);
  REQUIRE(usage.size() == 1);
  CHECK(usage[0].at("model") == "mock-model");
  CHECK(usage[0].at("input_tokens") == 240);   // two model rounds of 120 (the mock's default)
  CHECK(usage[0].at("output_tokens") == 60);

  // The sandbox Codex ran the command in is the one the managed block wrote.
  auto requests = t.model.requests();
  REQUIRE(requests.size() >= 2);
  auto meta = json::parse(requests[0].at("headers").at("x-codex-turn-metadata").get<std::string>());
  CHECK(meta.at("sandbox_mode") == "workspace-write");
}

TEST_CASE("real codex without credentials fails the task with a specific reason", "[e2e]") {
  e2e t;
  // The default OpenAI provider and no login: the task must fail fast and say so.
  write_file(t.dir / "codex-shared/config.toml", "model = \"gpt-5\"\n");
  auto id = t.server.add_task(t.workspace);
  REQUIRE(t.wait_status(id, "failed"));
  CHECK_THAT(t.server.task(id).at("error").get<std::string>(), Catch::Contains("codex has no credentials"));
}

TEST_CASE("a model error is reported with codex's own text", "[e2e]") {
  e2e t;
  t.model.script(json::array({{{"type", "http_error"}, {"status", 400},
                               {"body", {{"error", {{"message", "mock bad request detail"}, {"type", "invalid_request_error"}}}}}}}));
  auto id = t.server.add_task(t.workspace);
  REQUIRE(t.wait_status(id, "failed"));
  CHECK_THAT(t.server.task(id).at("error").get<std::string>(), Catch::Contains("mock bad request detail"));
}

TEST_CASE("a model that stalls mid-turn is stopped by the idle watchdog with what codex last did", "[e2e]") {
  // Only the idle watchdog, short: the mock answers response.created, then
  // holds the stream open; Codex has nothing more to say.
  e2e t({{"MULTICA_AGENT_IDLE_WATCHDOG", "3s"}, {"MULTICA_CODEX_SEMANTIC_INACTIVITY_TIMEOUT", "0"},
         {"MULTICA_CODEX_FIRST_TURN_TIMEOUT", "0"}});
  t.model.script(json::array({{{"type", "stall"}}}));
  auto id = t.server.add_task(t.workspace);
  REQUIRE(t.wait_status(id, "failed"));
  auto error = t.server.task(id).at("error").get<std::string>();
  INFO(error << "\n" << t.daemon->log());
  CHECK_THAT(error, Catch::Matches("codex sent nothing for 3s; last event: [^;]+ at "
                                   "20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"));
  CHECK_THAT(t.daemon->log(), Catch::Contains("liveness watchdog stopped the agent") && Catch::Contains("watchdog=idle"));
  CHECK(t.model.requests().size() == 1);  // the stalled request, never retried into an answer
}

TEST_CASE("a model that never answers trips the first-turn watchdog: the prompt's echo is not an item", "[e2e]") {
  e2e t(std::map<std::string, std::string>{{"MULTICA_CODEX_FIRST_TURN_TIMEOUT", "2s"}});
  t.model.script(json::array({{{"type", "stall"}}}));
  auto id = t.server.add_task(t.workspace);
  REQUIRE(t.wait_status(id, "failed"));
  auto error = t.server.task(id).at("error").get<std::string>();
  INFO(error);
  CHECK_THAT(error, Catch::StartsWith("codex started nothing in the 2s after the turn began at "));
}
