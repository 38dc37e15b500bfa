// `multicad run` against the fake Multica server and the fake codex: the
// task lifecycle the server sees, end to end through real processes.
#include <signal.h>

#include <cmath>

#include <catch2/catch.hpp>

#include "daemon/agent/process_tree.hpp"
#include "test/support/daemon_process.hpp"
#include "test/support/fake_server.hpp"

using namespace multicad::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr const char* token = "mul_0123456789abcdef0123456789abcdef01234567";

struct fixture {
  temp_dir dir;
  fake_server server;
  std::string workspace = server.workspace_with_token(token);

  std::unique_ptr<daemon_process> start(std::map<std::string, std::string> env = {}) {
    env.emplace("MULTICA_SERVER_URL", server.url());
    env.emplace("MULTICA_TOKEN", token);
    auto d = std::make_unique<daemon_process>(dir, env);
    daemon = d.get();
    INFO(d->log());
    REQUIRE(d->wait_ready());
    return d;
  }

  // A task of a new agent whose fake codex runs with `fake_env`; `custom_env` is the agent's setting.
  std::string task_with(const std::map<std::string, std::string>& fake_env, json extra = json::object(),
                        json custom_env = json::object()) {
    extra["agent"] = fake_codex_agent(dir, fake_env);
    extra["agent"]["custom_env"] = std::move(custom_env);
    return server.add_task(workspace, extra);
  }

  std::string status_of(const std::string& id) {
    auto t = server.task(id);
    return t.is_null() ? "gone" : t.at("status").get<std::string>();
  }

  bool wait_status(const std::string& id, const std::string& want, std::chrono::milliseconds limit = 20s) {
    bool ok = eventually([&] { return status_of(id) == want; }, limit);
    if (!ok && daemon) UNSCOPED_INFO("task " << id << " is " << status_of(id) << "; daemon log:\n" << daemon->log());
    return ok;
  }
  daemon_process* daemon = nullptr;

  std::vector<json> calls_to(const std::string& suffix, const std::string& task_id = "") {
    std::vector<json> out;
    for (const auto& c : server.calls()) {
      std::string path = c.at("path");
      if (path.size() >= suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0 &&
          (task_id.empty() || path.find(task_id) != std::string::npos))
        out.push_back(c);
    }
    return out;
  }
};

int marked_processes(const std::string& task_id) {
  return static_cast<int>(multicad::agent::find_processes_with_env("MULTICAD_TASK", task_id).size());
}

}  // namespace

TEST_CASE("the daemon registers a codex runtime and heartbeats it", "[integration][daemon]") {
  fixture f;
  auto d = f.start();
  auto runtimes = f.server.state().at("runtimes");
  REQUIRE(runtimes.size() == 1);
  CHECK(runtimes[0].at("provider") == "codex");
  CHECK(runtimes[0].at("version") == "codex-cli 0.171.0");
  CHECK_THAT(runtimes[0].at("name").get<std::string>(), Catch::StartsWith("Codex ("));
  CHECK(eventually([&] { return f.calls_to("/heartbeat").size() >= 2; }, 10s));
  auto h = d->health();
  CHECK(h.at("status") == "running");
  CHECK(h.at("agents") == json::array({"codex"}));
  CHECK(h.at("workspaces").at(0).at("id") == f.workspace);
  CHECK(h.at("active_task_count") == 0);
  CHECK(h.contains("pid"));
  CHECK(h.contains("uptime"));
}

TEST_CASE("a claimed task runs to completion with ordered messages and usage", "[integration][daemon]") {
  fixture f;
  auto d = f.start();
  // Each model response reports 1000 input (100 of them cached), 200 output
  // and 30 reasoning tokens; the "tools" turn makes two responses.
  auto id = f.task_with({{"FAKE_CODEX_SCENARIO", "tools"}, {"FAKE_CODEX_ANSWER", "all done"},
                         {"FAKE_CODEX_USAGE", "1000,100,200,30"}});
  REQUIRE(f.wait_status(id, "completed"));
  auto t = f.server.task(id);
  CHECK(t.at("result").at("output") == "all done");
  CHECK_FALSE(t.at("session_id").get<std::string>().empty());
  CHECK_THAT(t.at("work_dir").get<std::string>(), Catch::EndsWith("/workdir"));
  auto messages = f.server.state().at("messages").at(id);
  REQUIRE(messages.size() >= 4);
  std::vector<std::string> types;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    CHECK(messages[i].at("seq") == static_cast<int>(i + 1));  // ordered, no gaps, no duplicates
    types.push_back(messages[i].at("type"));
  }
  CHECK(std::count(types.begin(), types.end(), "tool_use") >= 1);
  CHECK(std::count(types.begin(), types.end(), "tool_result") >= 1);
  CHECK(types.back() == "text");
  auto usage = f.server.state().at("usage").at(id);
  REQUIRE(usage.size() == 1);
  CHECK(usage[0].at("provider") == "codex");
  CHECK(usage[0].at("input_tokens") == 2000);
  CHECK(usage[0].at("output_tokens") == 400);
  CHECK(usage[0].at("cache_read_tokens") == 200);
  CHECK(usage[0].at("cache_write_tokens") == 0);
  auto progress = f.server.state().at("progress").at(id);
  CHECK(progress.at(0).at("step") == 1);
  CHECK(progress.back().at("summary") == "Finishing task");
  CHECK(f.calls_to("/messages", id).size() <= 3);  // batched, not one POST per event
  CHECK(marked_processes(id) == 0);
}

TEST_CASE("a task's end goes out in one round trip with no status look and usage beside complete", "[integration][daemon]") {
  fixture f;
  auto d = f.start();
  // Answers take 300 ms: sent one after another, each would arrive after the previous answer.
  f.server.control("POST", "/_fake/faults", {{"path", "/api/daemon/tasks/[^/]+/(messages|usage|complete|progress)$"},
                                              {"mode", "delay"}, {"delay_ms", 300}, {"count", -1}});
  auto exits = f.dir / "exits.jsonl";
  auto id = f.task_with({{"FAKE_CODEX_SCENARIO", "tools"}, {"FAKE_CODEX_USAGE", "1000,100,200,30"},
                         {"FAKE_CODEX_EXIT_LOG", exits.string()}});
  REQUIRE(f.wait_status(id, "completed"));
  double exit_ms = 0;
  std::istringstream in(read_file(exits));
  for (std::string l; std::getline(in, l);)
    if (auto j = json::parse(l); j.at("argv1") == "app-server") exit_ms = j.at("exit_ms");
  REQUIRE(exit_ms > 0);
  auto answered = [&](const std::string& suffix) {
    auto calls = f.calls_to(suffix, id);
    return calls.size() == 1 && calls[0].contains("done_ms");
  };
  REQUIRE(eventually([&] { return answered("/usage") && answered("/complete"); }));
  auto usage = f.calls_to("/usage", id).at(0), complete = f.calls_to("/complete", id).at(0);
  // Each arrived before the other was answered (at_ms is whole ms: compare ms with ms).
  CHECK(usage.at("at_ms").get<double>() < std::floor(complete.at("done_ms").get<double>()));
  CHECK(complete.at("at_ms").get<double>() < std::floor(usage.at("done_ms").get<double>()));
  for (const auto& c : f.calls_to("/status", id))  // the complete itself is the last look
    CHECK_FALSE((c.at("at_ms").get<double>() >= std::floor(exit_ms) && c.at("at_ms") <= complete.at("at_ms")));
}

TEST_CASE("the agent runs with the task environment and explicit sandbox settings", "[integration][daemon]") {
  fixture f;
  auto d = f.start();
  auto log = f.dir / "codex.log";
  auto id = f.task_with({{"FAKE_CODEX_LOG", log.string()}}, json::object(),
                        {{"PATH", "/evil"}, {"MULTICA_SERVER_URL", "http://evil"}, {"CUSTOM_GREETING", "hi there"},
                         {"LD_PRELOAD", "/tmp/evil.so"}, {"NODE_OPTIONS", "--max-old-space-size=64"}});
  REQUIRE(f.wait_status(id, "completed"));
  std::vector<json> lines;
  std::istringstream in(read_file(log));
  for (std::string l; std::getline(in, l);) lines.push_back(json::parse(l));
  json start, thread;
  for (const auto& l : lines) {
    if (l.contains("argv")) start = l;
    if (l.value("method", "") == "thread/start") thread = l;
  }
  REQUIRE(start.is_object());
  CHECK(start.at("argv") == json::array({"app-server", "--listen", "stdio://"}));
  CHECK(start.at("env").at("MULTICA_TASK_ID") == id);
  // The agent talks to the daemon's endpoint with a capability of its own, never to the server with the owner's token.
  const auto endpoint = "http://127.0.0.1:" + std::to_string(d->health_port());
  CHECK(start.at("env").at("MULTICA_SERVER_URL") == endpoint);
  CHECK(start.at("env").at("MULTICA_TOKEN_SET") == true);
  CHECK_THAT(start.at("env").at("CODEX_HOME").get<std::string>(), Catch::EndsWith("/codex-home"));
  CHECK(start.at("env").at("PATH").get<std::string>().find("/evil") == std::string::npos);
  CHECK_THAT(start.at("cwd").get<std::string>(), Catch::EndsWith("/workdir"));
  CHECK(start.at("pgid") == start.at("pid"));  // its own process group
  REQUIRE(thread.is_object());
  CHECK(thread.at("params").at("sandbox") == "workspace-write");
  CHECK(thread.at("params").at("approvalPolicy") == "never");
  const auto& config = thread.at("params").at("config");
  CHECK(config.at("sandbox_workspace_write").at("network_access") == true);
  // custom_env goes to the commands Codex runs, never to Codex or its launcher.
  CHECK(config.at("shell_environment_policy.set.CUSTOM_GREETING") == "hi there");
  CHECK(config.at("shell_environment_policy.set.NODE_OPTIONS") == "--max-old-space-size=64");
  CHECK_FALSE(start.at("env").contains("CUSTOM_GREETING"));
  for (const char* refused : {"PATH", "MULTICA_SERVER_URL", "LD_PRELOAD"}) {
    INFO(refused);
    CHECK(d->log().find(std::string("key=") + refused) != std::string::npos);
  }
  CHECK_FALSE(config.contains("shell_environment_policy.set.PATH"));
  CHECK_FALSE(config.contains("shell_environment_policy.set.LD_PRELOAD"));
  // The daemon's own MULTICA_* reach the commands too (Codex drops *TOKEN* names by default).
  CHECK(config.at("shell_environment_policy.set.MULTICA_SERVER_URL") == endpoint);
  CHECK(config.at("shell_environment_policy.set.MULTICA_TOKEN").get<std::string>().starts_with("mct_"));
  CHECK(d->wait_log("agent custom_env key refused"));
  CHECK(d->log().find("/tmp/evil.so") == std::string::npos);  // a refused value is never logged
}

TEST_CASE("a failed turn is reported with codex's own error text", "[integration][daemon]") {
  fixture f;
  auto d = f.start();
  auto failed = f.task_with({{"FAKE_CODEX_SCENARIO", "fail_turn"}, {"FAKE_CODEX_ERROR", "unexpected status 401 Unauthorized: bad key"}});
  REQUIRE(f.wait_status(failed, "failed"));
  CHECK(f.server.task(failed).at("error") == "unexpected status 401 Unauthorized: bad key");
  auto empty = f.task_with({{"FAKE_CODEX_SCENARIO", "empty_answer"}});
  REQUIRE(f.wait_status(empty, "failed"));
  CHECK(f.server.task(empty).at("error") == "codex returned an empty answer");
}

TEST_CASE("a codex that crashes or exits early fails the task clearly", "[integration][daemon]") {
  fixture f;
  auto d = f.start();
  auto crash = f.task_with({{"FAKE_CODEX_SCENARIO", "crash"}});
  auto early = f.task_with({{"FAKE_CODEX_SCENARIO", "exit_before_init"}});
  REQUIRE(f.wait_status(crash, "failed"));
  REQUIRE(f.wait_status(early, "failed"));
  CHECK_THAT(f.server.task(crash).at("error").get<std::string>(), Catch::Contains("codex exited (status 1) before the turn finished"));
  CHECK_THAT(f.server.task(early).at("error").get<std::string>(), Catch::Contains("codex exited (status 3) before it started"));
}

TEST_CASE("a looser sandbox than written fails the task with a WARN", "[integration][daemon]") {
  fixture f;
  auto d = f.start();
  auto id = f.task_with({{"FAKE_CODEX_SCENARIO", "looser_sandbox"}});
  REQUIRE(f.wait_status(id, "failed"));
  CHECK_THAT(f.server.task(id).at("error").get<std::string>(), Catch::Contains("looser"));
  CHECK(d->wait_log("WARN  codex sandbox: effective sandbox is looser than the managed block"));
}

TEST_CASE("cancelling a task on the server stops the agent and reports nothing", "[integration][daemon]") {
  fixture f;
  auto d = f.start();
  auto id = f.task_with({{"FAKE_CODEX_SCENARIO", "hang"}});
  REQUIRE(f.wait_status(id, "running"));
  REQUIRE(eventually([&] { return marked_processes(id) > 0; }));
  // The agent inherits nothing of the daemon's: no listening socket, no
  // store, no connection (Boost 1.81 leaked some; see process_group.hpp).
  for (pid_t pid : multicad::agent::find_processes_with_env("MULTICAD_TASK", id))
    for (const auto& fd : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
      std::error_code ec;
      auto target = std::filesystem::read_symlink(fd.path(), ec).string();
      INFO("pid " << pid << " fd " << fd.path().filename().string() << " -> " << target);
      CHECK(target.find("socket:") == std::string::npos);
      CHECK(target.find("sqlite") == std::string::npos);
    }
  f.server.control("POST", "/_fake/tasks/" + id + "/cancel");
  CHECK(eventually([&] { return marked_processes(id) == 0; }, 15s));
  CHECK(d->wait_log("task stopped; nothing reported"));
  CHECK(f.calls_to("/complete", id).empty());
  CHECK(f.calls_to("/fail", id).empty());
  CHECK(f.status_of(id) == "cancelled");
}

TEST_CASE("a timed-out agent is killed with its whole tree and the task fails", "[integration][daemon]") {
  fixture f;
  auto d = f.start({{"MULTICA_AGENT_TIMEOUT", "2s"}});
  auto id = f.task_with({{"FAKE_CODEX_SCENARIO", "ignore_sigterm"}});
  auto tree = f.task_with({{"FAKE_CODEX_SCENARIO", "setsid_child"}});
  REQUIRE(f.wait_status(id, "failed", 30s));
  REQUIRE(f.wait_status(tree, "failed", 30s));
  CHECK(f.server.task(id).at("error") == "codex timed out after 2s");
  CHECK(marked_processes(id) == 0);
  CHECK(marked_processes(tree) == 0);  // the setsid() child is found by its marker
}

TEST_CASE("a grandchild holding stdout open does not keep the task alive", "[integration][daemon]") {
  fixture f;
  auto d = f.start({{"MULTICA_AGENT_TIMEOUT", "2s"}});
  auto id = f.task_with({{"FAKE_CODEX_SCENARIO", "grandchild_stdout"}});
  REQUIRE(f.wait_status(id, "failed", 30s));
  CHECK(marked_processes(id) == 0);
}

TEST_CASE("max_concurrent_tasks tasks really run at once and no more", "[integration][daemon]") {
  fixture f;
  auto d = f.start({{"MULTICA_DAEMON_MAX_CONCURRENT_TASKS", "2"}});
  // Two agents that hang until cancelled, then one that would finish at once.
  auto a = f.task_with({{"FAKE_CODEX_SCENARIO", "hang"}});
  auto b = f.task_with({{"FAKE_CODEX_SCENARIO", "hang"}});
  auto c = f.task_with({});
  // Overlap, counted where the cap applies: both agents alive on this machine
  // at the same moment (they hang, so no sample can miss it).
  REQUIRE(eventually([&] { return marked_processes(a) > 0 && marked_processes(b) > 0; }, 30s));
  // The cap: the daemon polls for work every 100 ms and heartbeats every 1 s;
  // two heartbeats later it would have claimed the third task were it free to.
  auto beats = f.calls_to("/heartbeat").size();
  REQUIRE(eventually([&] { return f.calls_to("/heartbeat").size() >= beats + 2; }));
  CHECK(f.status_of(c) == "queued");
  CHECK(marked_processes(c) == 0);
  CHECK(d->health().at("active_task_count") == 2);
  // Slots free (both at once: each cancel is seen at a task's next status poll): the third task runs.
  f.server.control("POST", "/_fake/tasks/" + a + "/cancel");
  f.server.control("POST", "/_fake/tasks/" + b + "/cancel");
  REQUIRE(f.wait_status(c, "completed"));
  CHECK(eventually([&] { return marked_processes(a) == 0 && marked_processes(b) == 0; }));
}

TEST_CASE("a failed resume falls back to a new thread", "[integration][daemon]") {
  fixture f;
  auto d = f.start();
  auto first = f.task_with({});
  REQUIRE(f.wait_status(first, "completed"));
  auto prior = f.server.task(first);
  auto again = f.task_with({{"FAKE_CODEX_SCENARIO", "resume_fails"}},
                           {{"prior_session_id", prior.at("session_id")}, {"prior_work_dir", prior.at("work_dir")}});
  REQUIRE(f.wait_status(again, "completed"));
  CHECK(d->wait_log("codex thread/resume failed; starting a new thread"));
  CHECK(f.server.task(again).at("work_dir") == prior.at("work_dir"));  // the workdir was reused
}

TEST_CASE("a second daemon on the same port refuses to start", "[integration][daemon]") {
  fixture f;
  auto d = f.start();
  temp_dir other;
  auto r = run_command({{MULTICAD_BINARY, "run"},
                        {{"MULTICA_SERVER_URL", f.server.url()}, {"MULTICA_TOKEN", token},
                         {"MULTICA_DAEMON_HEALTH_PORT", std::to_string(d->health_port())},
                         {"MULTICA_CODEX_PATH", fake_codex_path()}, {"MULTICA_STATE_DIR", (other / "state").string()},
                         {"HOME", (other / "home").string()}},
                        {},
                        {}},
                       20s);
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Contains("another daemon is already running on 127.0.0.1:" + std::to_string(d->health_port())));
}

TEST_CASE("SIGTERM lets a running task finish within the grace and then deregisters", "[integration][daemon]") {
  fixture f;
  auto d = f.start({{"MULTICA_SHUTDOWN_GRACE", "10s"}});
  auto id = f.task_with({{"FAKE_CODEX_SCENARIO", "slow"}, {"FAKE_CODEX_DELAY_MS", "1500"}});
  REQUIRE(f.wait_status(id, "running"));
  d->signal(SIGTERM);
  CHECK(d->wait(30s) == 0);
  CHECK(f.status_of(id) == "completed");
  CHECK(f.calls_to("/deregister").size() == 1);
  CHECK(f.server.state().at("runtimes").at(0).at("status") == "offline");
}

TEST_CASE("past the shutdown grace a running task is stopped and failed", "[integration][daemon]") {
  fixture f;
  auto d = f.start({{"MULTICA_SHUTDOWN_GRACE", "1s"}});
  auto id = f.task_with({{"FAKE_CODEX_SCENARIO", "hang"}});
  REQUIRE(f.wait_status(id, "running"));
  d->signal(SIGTERM);
  CHECK(d->wait(30s) == 0);
  CHECK(f.status_of(id) == "failed");
  CHECK(f.server.task(id).at("error") == "daemon shutting down");
  CHECK(marked_processes(id) == 0);
}

TEST_CASE("a ping runs the agent and reports the answer", "[integration][daemon]") {
  fixture f;
  auto d = f.start();
  auto runtime = f.server.state().at("runtimes").at(0).at("id").get<std::string>();
  auto ping = f.server.control("POST", "/_fake/pings", {{"runtime_id", runtime}}).at("id").get<std::string>();
  REQUIRE(eventually([&] {
    auto pings = f.server.state().at("pings");
    for (const auto& p : pings)
      if (p.at("id") == ping && p.at("status") == "completed") return true;
    return false;
  }));
  auto update = f.server.control("POST", "/_fake/updates", {{"runtime_id", runtime}, {"target_version", "v9"}});
  REQUIRE(eventually([&] {
    auto updates = f.server.state().at("updates");
    for (const auto& u : updates)
      if (u.at("id") == update.at("id") && u.at("status") == "failed")
        return u.at("error").get<std::string>().find("package manager") != std::string::npos;
    return false;
  }));
}

TEST_CASE("an event after a quiet spell reaches the server at once instead of at the next flush", "[integration][daemon]") {
  fixture f;
  auto d = f.start();
  // One agent item a second: each comes after a quiet spell longer than the 500 ms flush interval.
  auto id = f.task_with({{"FAKE_CODEX_SCENARIO", "flood"}, {"FAKE_CODEX_EVENTS", "10"}, {"FAKE_CODEX_RATE", "1"},
                         {"FAKE_CODEX_EVENT_TIMESTAMPS", "1"}});
  REQUIRE(f.wait_status(id, "completed", 30s));
  std::vector<std::int64_t> waits;
  for (const auto& call : f.calls_to("/messages", id)) {
    for (const auto& m : call.at("body").at("messages")) {
      if (m.value("type", "") != "text") continue;
      auto text = m.value("content", "");
      auto at = text.rfind(" @");
      if (text.find("flood message") == std::string::npos || at == std::string::npos) continue;
      waits.push_back(call.at("at_ms").get<std::int64_t>() - std::stoll(text.substr(at + 2)));
    }
  }
  REQUIRE(waits.size() == 5);
  // A fixed 500 ms tick would hold each for 0-500 ms (all five under 250 ms: a 3 % chance).
  for (auto w : waits) CHECK(w < 250);
}

TEST_CASE("a codex that goes silent in its turn is stopped by the idle watchdog and the task says why", "[integration][daemon]") {
  fixture f;
  auto d = f.start({{"MULTICA_AGENT_IDLE_WATCHDOG", "1s"}, {"MULTICA_CODEX_FIRST_TURN_TIMEOUT", "0"},
                    {"MULTICA_CODEX_SEMANTIC_INACTIVITY_TIMEOUT", "0"}});
  auto id = f.task_with({{"FAKE_CODEX_SCENARIO", "hang"}});  // turn/start answered, then silence
  REQUIRE(f.wait_status(id, "failed"));
  auto error = f.server.task(id).at("error").get<std::string>();
  INFO(error);
  CHECK_THAT(error, Catch::Matches("codex sent nothing for 1s; last event: item/completed userMessage at "
                                   "20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"));
  CHECK(eventually([&] { return d->log().find("liveness watchdog stopped the agent") != std::string::npos; }));
  CHECK(marked_processes(id) == 0);  // the stop ran its whole ladder
}

TEST_CASE("codex's stop hook after the turn runs to its end before the task is reported", "[integration][daemon]") {
  fixture f;
  auto d = f.start();  // codex.turn_end_grace: 30s
  auto log = f.dir / "codex.log";
  // Longer than the stop ladder's 2s step, which is all it had before the grace.
  auto id = f.task_with({{"FAKE_CODEX_LOG", log.string()}, {"FAKE_CODEX_STOP_HOOK_MS", "3000"}});
  REQUIRE(f.wait_status(id, "completed"));
  // The report came after codex's exit, so the hook's end is already logged.
  auto text = read_file(log);
  CHECK_THAT(text, Catch::Contains(R"({"stopHook":"done"})"));
  CHECK_THAT(text, !Catch::Contains(R"({"stopHook":"cut"})"));
}

TEST_CASE("a stop hook longer than the turn-end grace is cut by SIGTERM and the task still completes", "[integration][daemon]") {
  fixture f;
  auto d = f.start({{"MULTICA_CODEX_TURN_END_GRACE", "500ms"}});
  auto log = f.dir / "codex.log";
  auto id = f.task_with({{"FAKE_CODEX_LOG", log.string()}, {"FAKE_CODEX_STOP_HOOK_MS", "60000"}});
  REQUIRE(f.wait_status(id, "completed"));
  auto text = read_file(log);
  CHECK_THAT(text, Catch::Contains(R"({"stopHook":"cut"})"));
  CHECK(marked_processes(id) == 0);
}

TEST_CASE("a codex that keeps talking is never stopped by an idle window shorter than its turn", "[integration][daemon]") {
  // 40 items at 10/s: 4s of turn, never 2s of silence. Every item re-arms
  // the idle timer to a later deadline; a timer that fired at an earlier
  // one would fail the task at 2s.
  fixture f;
  auto d = f.start({{"MULTICA_AGENT_IDLE_WATCHDOG", "2s"}});
  auto id = f.task_with({{"FAKE_CODEX_SCENARIO", "flood"}, {"FAKE_CODEX_EVENTS", "40"}, {"FAKE_CODEX_RATE", "10"}});
  REQUIRE(f.wait_status(id, "completed"));
  CHECK(d->log().find("liveness watchdog stopped the agent") == std::string::npos);
}
