// What the daemon does when its peers misbehave: a flooding, garbage-writing
// or over-long-line codex, approval requests, and a server that fails,
// drops answers or goes away — no result is lost or reported twice.
#include <signal.h>

#include <catch2/catch.hpp>

#include "test/support/server_daemon_fixture.hpp"

using namespace multicad::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr const char* token = fake_server_token;

struct fixture : server_daemon_fixture {
  int calls(const std::string& method, const std::string& suffix, const std::string& id) {
    int n = 0;
    for (const auto& c : server.calls()) {
      std::string path = c.at("path");
      n += c.at("method") == method && path.find(id) != std::string::npos && path.ends_with(suffix);
    }
    return n;
  }
  json messages(const std::string& id) {
    auto s = server.state();
    return s.at("messages").contains(id) ? s.at("messages").at(id) : json::array();
  }
};

bool has_message(const json& messages, const std::string& type, const std::string& text) {
  for (const auto& m : messages)
    if (m.at("type") == type && m.value("content", "").find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("an event flood is forwarded in bounded batches and the task completes", "[integration][faults]") {
  fixture f;
  f.start();
  auto id = f.task({{"FAKE_CODEX_SCENARIO", "flood"}, {"FAKE_CODEX_EVENTS", "20000"}});
  REQUIRE(f.wait_status(id, "completed", 60s));
  auto m = f.messages(id);
  CHECK(m.size() > 100);
  for (std::size_t i = 0; i < m.size(); ++i) CHECK(m[i].at("seq") == static_cast<int>(i + 1));
  // Bounded batches, not a POST per event: the number of POSTs depends on how long the flood
  // lasts (a flush per interval), so it is compared with the messages, not a fixed count.
  auto posts = f.calls("POST", "/messages", id);
  INFO(posts << " POSTs for " << m.size() << " messages");
  CHECK(posts * 50 < static_cast<int>(m.size()));
}

TEST_CASE("a 100 MB line is dropped with an error event instead of exhausting memory", "[integration][faults]") {
  fixture f;
  f.start();
  auto id = f.task({{"FAKE_CODEX_SCENARIO", "long_line"}});
  REQUIRE(f.wait_status(id, "completed", 60s));
  CHECK(has_message(f.messages(id), "error", "104857"));  // the line's size is reported
}

TEST_CASE("garbage on stdout becomes an error event and the turn goes on", "[integration][faults]") {
  fixture f;
  auto& d = f.start();
  auto id = f.task({{"FAKE_CODEX_SCENARIO", "garbage"}});
  REQUIRE(f.wait_status(id, "completed"));
  CHECK(has_message(f.messages(id), "error", "not JSON"));
  CHECK(d.wait_log("WARN  codex wrote a line that is not JSON"));
}

TEST_CASE("approval requests are declined by default and accepted with a WARN under auto-accept", "[integration][faults]") {
  SECTION("never") {
    fixture f;
    f.start();
    auto id = f.task({{"FAKE_CODEX_SCENARIO", "approval"}});
    REQUIRE(f.wait_status(id, "completed"));
    CHECK(f.server.task(id).at("result").at("output") == "decision: decline");
  }
  SECTION("auto-accept") {
    fixture f;
    auto& d = f.start({{"MULTICA_CODEX_APPROVALS", "auto-accept"}});
    auto id = f.task({{"FAKE_CODEX_SCENARIO", "approval"}, {"FAKE_CODEX_COMMAND", "touch /var/tmp/escape"}});
    REQUIRE(f.wait_status(id, "completed"));
    CHECK(f.server.task(id).at("result").at("output") == "decision: accept");
    CHECK(d.wait_log("WARN  codex approval: accepted an escalation outside the sandbox"));
    CHECK(d.log().find("touch /var/tmp/escape") != std::string::npos);
  }
}

TEST_CASE("an unknown server request gets a refusal instead of a hang", "[integration][faults]") {
  fixture f;
  f.start();
  auto id = f.task({{"FAKE_CODEX_SCENARIO", "unknown_request"}});
  REQUIRE(f.wait_status(id, "completed"));
  CHECK(f.server.task(id).at("result").at("output") == "got error reply");
}

TEST_CASE("a codex that never answers initialize is stopped by the timeout", "[integration][faults]") {
  fixture f;
  f.start({{"MULTICA_AGENT_TIMEOUT", "2s"}});
  auto id = f.task({{"FAKE_CODEX_SCENARIO", "hang_before_init"}});
  REQUIRE(f.wait_status(id, "failed"));
  CHECK(f.server.task(id).at("error") == "codex timed out after 2s");
  CHECK(task_processes(id) == 0);
}

TEST_CASE("completion during a server outage is delivered once the server is back", "[integration][faults]") {
  fixture f;
  auto& d = f.start();
  f.server.control("POST", "/_fake/faults",
                   {{"path", "/api/daemon/tasks/.*/(messages|usage|complete|fail)$"}, {"mode", "status"},
                    {"status", 503}, {"count", -1}});
  auto id = f.task({{"FAKE_CODEX_SCENARIO", "tools"}, {"FAKE_CODEX_ANSWER", "made it"}});
  REQUIRE(eventually([&] { return d.log().find("reports are kept and retried") != std::string::npos; }));
  CHECK(f.status_of(id) == "running");
  f.server.control("DELETE", "/_fake/faults");
  REQUIRE(f.wait_status(id, "completed"));
  CHECK(f.server.task(id).at("result").at("output") == "made it");
  // The complete may land before the backlog of batches drains (the server
  // takes messages in any state); the batches still arrive in order, once.
  REQUIRE(eventually([&] { return d.health().at("outbox").at("depth") == 0; }));
  auto m = f.messages(id);
  for (std::size_t i = 0; i < m.size(); ++i) CHECK(m[i].at("seq") == static_cast<int>(i + 1));  // in order, once
  CHECK(f.server.state().at("usage").at(id).size() == 1);
}

TEST_CASE("a complete whose answer was lost is acknowledged through the task status", "[integration][faults]") {
  fixture f;
  auto& d = f.start();
  // The server applies the first complete but the daemon never sees the answer.
  f.server.control("POST", "/_fake/faults", {{"path", "/complete$"}, {"mode", "truncate"}, {"count", 1}});
  auto id = f.task({});
  REQUIRE(f.wait_status(id, "completed"));
  CHECK(d.wait_log("final report already applied by the server"));
  CHECK(f.calls("POST", "/complete", id) == 2);
  CHECK(f.calls("POST", "/fail", id) == 0);  // never turned into a failure
}

TEST_CASE("a daemon killed mid-task stops the orphaned agent at restart and fails the task once", "[integration][faults]") {
  fixture f;
  auto& d = f.start();
  // An agent that ignores stdin EOF and SIGTERM: a real Codex exits when its
  // daemon dies (stdin closes), this one stays, as a wedged agent would.
  auto id = f.task({{"FAKE_CODEX_SCENARIO", "ignore_sigterm"}});
  REQUIRE(f.wait_status(id, "running"));
  REQUIRE(eventually([&] { return task_processes(id) > 0; }));
  d.signal(SIGKILL);
  REQUIRE(d.wait(10s).has_value());
  CHECK(task_processes(id) > 0);  // the agent outlived its daemon: an orphan
  auto& again = f.start();
  REQUIRE(f.wait_status(id, "failed"));
  CHECK(f.server.task(id).at("error") == "interrupted: daemon restarted while the task was running");
  CHECK(task_processes(id) == 0);
  CHECK(f.calls("POST", "/fail", id) == 1);
  INFO(again.log());
  CHECK(again.log().find("stopped an agent left running by the previous daemon") != std::string::npos);
}

TEST_CASE("a daemon killed with a report still queued delivers it once after restart", "[integration][faults]") {
  fixture f;
  auto& d = f.start();
  f.server.control("POST", "/_fake/faults", {{"path", "/complete$"}, {"mode", "status"}, {"status", 503}, {"count", -1}});
  auto id = f.task({{"FAKE_CODEX_ANSWER", "survived"}});
  REQUIRE(eventually([&] { return d.log().find("reports are kept and retried") != std::string::npos; }));
  d.signal(SIGKILL);
  REQUIRE(d.wait(10s).has_value());
  f.server.control("DELETE", "/_fake/faults");
  f.start();
  REQUIRE(f.wait_status(id, "completed"));
  CHECK(f.server.task(id).at("result").at("output") == "survived");
  CHECK(f.calls("POST", "/fail", id) == 0);  // not failed as "interrupted": its report was owed
  // The report was stored (and the task's journal entry ended) in one
  // transaction, so the new daemon has nothing to recover: it delivers.
  CHECK(f.daemon->wait_log("report delivered after retries"));
  CHECK(f.daemon->log().find("task was running when the previous daemon stopped") == std::string::npos);
}

TEST_CASE("GC removes the directory of a done issue and keeps the others", "[integration][gc]") {
  fixture f;
  auto& d = f.start({{"MULTICA_GC_INTERVAL", "1s"}, {"MULTICA_GC_TTL", "1s"}});
  auto done = f.task({});
  auto open = f.task({});
  REQUIRE(f.wait_status(done, "completed"));
  REQUIRE(f.wait_status(open, "completed"));
  auto done_dir = std::filesystem::path(f.server.task(done).at("work_dir").get<std::string>()).parent_path();
  auto open_dir = std::filesystem::path(f.server.task(open).at("work_dir").get<std::string>()).parent_path();
  f.server.control("POST", "/_fake/issues/" + f.server.task(done).at("issue_id").get<std::string>(),
                   {{"status", "done"}, {"updated_at", "2026-01-01T00:00:00Z"}});
  CHECK(eventually([&] { return !std::filesystem::exists(done_dir); }, 15s));
  CHECK(std::filesystem::exists(open_dir));
  CHECK(d.wait_log("GC removed a task directory"));
}

TEST_CASE("a codex answering outside the protocol fails the task at once naming its version", "[integration][daemon]") {
  fixture f;
  auto& d = f.start();
  // The fake says `codex-cli 0.171.0`; the daemon detects that and names it.
  auto no_thread = f.task({{"FAKE_CODEX_SCENARIO", "thread_without_id"}});
  auto odd_status = f.task({{"FAKE_CODEX_SCENARIO", "unknown_turn_status"}});
  REQUIRE(f.wait_status(no_thread, "failed"));
  REQUIRE(f.wait_status(odd_status, "failed"));
  CHECK(f.server.task(no_thread).at("error") ==
        "codex 0.171.0: thread/start answered without thread.id; supported: 0.100.0\u20130.171.0");
  CHECK(f.server.task(odd_status).at("error") ==
        "codex 0.171.0: turn/completed with an unknown status \"paused\"; supported: 0.100.0\u20130.171.0");
  CHECK(d.wait_log("codex answered outside the protocol; the task fails"));
  // The other drift scenarios of the fake, each failing at once with its own reason.
  const std::pair<const char*, const char*> others[] = {
      {"init_without_user_agent", "codex 0.171.0: initialize answered without userAgent"},
      {"turn_without_id", "codex 0.171.0: turn/start answered without turn.id"},
      {"malformed_turn_completed", "codex 0.171.0: turn/completed in a shape multicad cannot read"},
      {"thread_start_unknown", "codex 0.171.0: thread/start is unknown to it"}};
  for (const auto& [scenario, reason] : others) {
    auto id = f.task({{"FAKE_CODEX_SCENARIO", scenario}});
    REQUIRE(f.wait_status(id, "failed"));
    INFO(scenario);
    CHECK_THAT(f.server.task(id).at("error").get<std::string>(), Catch::StartsWith(reason));
  }
}

TEST_CASE("an agent setting the codex release does not accept fails the task before codex starts", "[integration][daemon]") {
  fixture f;
  auto& d = f.start({{"FAKE_CODEX_VERSION", "0.100.0"}});  // the minimum: no serviceTier yet
  auto agent = fake_codex_agent(f.dir, {});
  agent["service_tier"] = "fast";
  auto tier = f.server.add_task(f.workspace, {{"agent", agent}});
  auto bad_effort = fake_codex_agent(f.dir, {}, "Thinker");
  bad_effort["thinking_level"] = "turbo";
  auto effort = f.server.add_task(f.workspace, {{"agent", bad_effort}});
  REQUIRE(f.wait_status(tier, "failed"));
  REQUIRE(f.wait_status(effort, "failed"));
  CHECK_THAT(f.server.task(tier).at("error").get<std::string>(),
             Catch::Contains("agent.service_tier \"fast\" needs codex 0.110.0 or later (codex 0.100.0)"));
  CHECK_THAT(f.server.task(effort).at("error").get<std::string>(),
             Catch::Contains("agent.thinking_level \"turbo\" is not one of none, minimal, low, medium, high, xhigh"));
}
