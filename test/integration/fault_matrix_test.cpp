// The fault matrix (issue "Prove it"): for each fault the daemon keeps
// running, loses no result, reports nothing twice, leaves no process of a
// task behind, and says in a WARN what happened.
#include <signal.h>

#include <catch2/catch.hpp>
#include <thread>

#include "test/support/server_daemon_fixture.hpp"
#include "test/support/http.hpp"

using namespace multicad::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr const char* token = fake_server_token;

struct matrix : server_daemon_fixture {
  void fault(json spec) { server.control("POST", "/_fake/faults", spec); }
  bool ends(const std::string& id, const std::string& want, std::chrono::milliseconds limit = 40s) {
    return wait_status(id, want, limit);
  }
  int posts(const std::string& suffix, const std::string& id) {
    int n = 0;
    for (const auto& c : server.calls())
      n += c.at("method") == "POST" && c.at("path").get<std::string>().find(id) != std::string::npos &&
           c.at("path").get<std::string>().ends_with(suffix) && c.at("status") == 200;
    return n;
  }
  bool alive() { return daemon && daemon->health().is_object(); }
  // No task left in the daemon: a task leaves its count only once it ended whole.
  bool idle() {
    return eventually([&] { auto h = daemon->health(); return h.is_object() && h.at("active_task_count") == 0; });
  }
};

// Descriptors of the daemon that are not sockets (pipes, files): sockets
// vary with the keep-alive pool, everything else must come back to its level.
int daemon_files(pid_t pid) {
  int n = 0;
  for (const auto& fd : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    std::error_code ec;
    auto target = std::filesystem::read_symlink(fd.path(), ec).string();
    n += target.find("socket:") == std::string::npos;
  }
  return n;
}

}  // namespace

TEST_CASE("server faults: 5xx bursts and slow answers leave tasks completing once", "[integration][matrix]") {
  matrix m;
  auto& d = m.start();
  m.fault({{"path", "/tasks/claim$"}, {"mode", "status"}, {"status", 500}, {"count", 5}});
  m.fault({{"path", "/heartbeat$"}, {"mode", "status"}, {"status", 502}, {"count", 3}});
  m.fault({{"path", "/messages$"}, {"mode", "delay"}, {"delay_ms", 1500}, {"count", 2}});
  m.fault({{"path", "/usage$"}, {"mode", "status"}, {"status", 503}, {"count", 2}});
  auto id = m.task({{"FAKE_CODEX_SCENARIO", "tools"}});
  REQUIRE(m.ends(id, "completed"));
  CHECK(m.posts("/complete", id) == 1);
  // Usage goes beside the complete (the server takes it in any state), so its retries may end after it.
  CHECK(eventually([&] { return m.posts("/usage", id) == 1; }));
  CHECK(d.wait_log("cannot claim tasks; will keep polling"));
  // The heartbeat's 502s were absorbed by its retries: seen by the server, no outage logged.
  int bad_beats = 0;
  for (const auto& c : m.server.calls()) bad_beats += c.at("path").get<std::string>().ends_with("/heartbeat") && c.at("status") == 502;
  CHECK(bad_beats == 3);
  CHECK(m.alive());
}

TEST_CASE("server faults: a slow answer to one task's report does not hold back another task's", "[integration][matrix]") {
  matrix m;
  m.start({{"MULTICA_DAEMON_MAX_CONCURRENT_TASKS", "2"}});
  m.fault({{"path", "/complete$"}, {"mode", "delay"}, {"delay_ms", 4000}, {"count", 2}});
  auto a = m.task(), b = m.task();
  REQUIRE(m.ends(a, "completed"));
  REQUIRE(m.ends(b, "completed"));
  std::vector<json> completes;
  for (const auto& c : m.server.calls())
    if (c.at("path").get<std::string>().ends_with("/complete")) completes.push_back(c);
  REQUIRE(completes.size() == 2);
  // One report at a time would send the second complete only after the first one's answer.
  CHECK(completes[1].at("at_ms").get<double>() < completes[0].at("done_ms").get<double>());
}

TEST_CASE("server faults: a task whose claim answer was lost is failed instead of stranded", "[integration][matrix]") {
  matrix m;
  auto& d = m.start();
  // The server dispatches the task, but its answer does not parse: the daemon never learns of it.
  m.fault({{"path", "/tasks/claim$"}, {"mode", "malformed"}, {"count", 1}});
  auto lost = m.task();
  REQUIRE(m.ends(lost, "failed", 30s));
  CHECK_THAT(m.server.task(lost).at("error").get<std::string>(), Catch::Contains("lost the server's answer to its claim"));
  CHECK(d.wait_log("a claim's answer was lost"));
  REQUIRE(m.ends(m.task(), "completed"));  // and work goes on
}

TEST_CASE("server faults: a start the server refuses runs nothing and leaves its folder to GC", "[integration][matrix]") {
  matrix m;
  auto& d = m.start();
  m.fault({{"path", "/start$"}, {"mode", "status"}, {"status", 400},
           {"body", "{\"error\":\"start task: no rows in result set\"}\n"}, {"count", 1}});
  auto id = m.task();
  REQUIRE(d.wait_log("task could not be started; the server refused it"));
  // The folder was prepared while the start call was in flight; it carries GC metadata.
  REQUIRE(eventually([&] {
    for (const auto& e : std::filesystem::recursive_directory_iterator(m.dir / "ws"))
      if (e.path().filename() == ".gc_meta.json") return true;
    return false;
  }));
  CHECK(m.posts("/fail", id) + m.posts("/complete", id) == 0);
  CHECK(task_processes(id) == 0);
  CHECK(m.alive());
}

namespace {
std::vector<json> json_lines(const std::filesystem::path& file) {
  std::vector<json> out;
  std::istringstream in(read_file(file));
  for (std::string l; std::getline(in, l);) out.push_back(json::parse(l));
  return out;
}
}  // namespace

TEST_CASE("server faults: Codex boots while a slow start call is answered", "[integration][matrix]") {
  matrix m;
  m.start();
  m.fault({{"path", "/start$"}, {"mode", "delay"}, {"delay_ms", 2000}, {"count", 1}});
  auto log = m.dir / "codex.log";
  auto id = m.task({{"FAKE_CODEX_LOG", log.string()}});
  REQUIRE(m.ends(id, "completed"));
  double start_answered = 0;
  for (const auto& c : m.server.calls())
    if (c.at("path").get<std::string>().ends_with("/start")) start_answered = c.at("done_ms").get<double>();
  auto lines = json_lines(log);
  REQUIRE_FALSE(lines.empty());
  // Spawned while the start call waited for its answer; one after the other would spawn after it.
  CHECK(lines.front().at("time_origin_ms").get<double>() < start_answered);
}

TEST_CASE("server faults: a start refused after a slow answer stops Codex which was sent nothing", "[integration][matrix]") {
  matrix m;
  auto& d = m.start();
  m.fault({{"path", "/start$"}, {"mode", "delay"}, {"delay_ms", 2000}, {"count", 1}});
  auto log = m.dir / "codex.log";
  auto id = m.task({{"FAKE_CODEX_LOG", log.string()}});
  REQUIRE(eventually([&] { return std::filesystem::exists(log); }));
  // Cancelled while the start call waits: the delayed start then finds no dispatched task.
  m.server.control("POST", "/_fake/tasks/" + id + "/cancel");
  REQUIRE(d.wait_log("task could not be started; the server refused it"));
  REQUIRE(eventually([&] { return task_processes(id) == 0; }));
  auto lines = json_lines(log);
  CHECK(lines.size() == 1);  // the start record only: no initialize, no turn
  CHECK(m.posts("/fail", id) + m.posts("/complete", id) == 0);
  CHECK(m.status_of(id) == "cancelled");
  REQUIRE(m.ends(m.task(), "completed"));
}

TEST_CASE("server faults: a hanging server is cut off by server_timeout", "[integration][matrix]") {
  matrix m;
  auto& d = m.start({{"MULTICA_SERVER_TIMEOUT", "1s"}});
  m.fault({{"path", "/complete$"}, {"mode", "hang"}, {"count", 2}});
  auto id = m.task();
  REQUIRE(m.ends(id, "completed"));
  CHECK(d.wait_log("timed out after 1s"));
  CHECK(m.posts("/complete", id) == 1);
}

TEST_CASE("server faults: 401 mid-run is survived and named", "[integration][matrix]") {
  matrix m;
  auto& d = m.start();
  m.fault({{"path", "/heartbeat$|/claim$"}, {"mode", "status"}, {"status", 401},
           {"body", "{\"error\":\"invalid token\"}"}, {"count", -1}});
  CHECK(d.wait_log("heartbeat failed"));
  CHECK(d.wait_log("cannot claim tasks"));
  m.server.control("DELETE", "/_fake/faults");
  auto id = m.task();
  REQUIRE(m.ends(id, "completed"));
  CHECK(m.alive());
}

TEST_CASE("server faults: a 404 workspace not found at registration is named and retried", "[integration][matrix]") {
  matrix m;
  m.fault({{"path", "/register$"}, {"mode", "status"}, {"status", 404},
           {"body", "{\"error\":\"workspace not found\"}\n"}, {"count", 1}});
  auto& d = m.start();
  REQUIRE(d.wait_log("cannot register runtimes in a workspace; will retry"));
  CHECK_THAT(d.log(), Catch::Contains("the token's user is not a member of this workspace"));
  CHECK(m.alive());
  // The workspace sync (every 30 s) registers it again; then its tasks run.
  REQUIRE(eventually([&] { return m.server.state().at("runtimes").size() == 1; }, 45s));
  CHECK(d.wait_log("runtime registered"));
  auto id = m.task();
  REQUIRE(m.ends(id, "completed"));
  CHECK(m.posts("/complete", id) == 1);
}

TEST_CASE("server faults: a deleted runtime is registered again", "[integration][matrix]") {
  matrix m;
  auto& d = m.start();
  auto old_runtime = m.server.state().at("runtimes").at(0).at("id").get<std::string>();
  m.server.control("DELETE", "/_fake/runtimes/" + old_runtime);
  REQUIRE(d.wait_log("the server no longer knows this runtime; registering again"));
  REQUIRE(eventually([&] { return m.server.state().at("runtimes").size() == 1; }));
  auto id = m.task();
  REQUIRE(m.ends(id, "completed"));
}

TEST_CASE("server faults: a server that is down at start is waited for", "[integration][matrix]") {
  temp_dir dir;
  auto port = free_port();
  daemon_process d(dir, {{"MULTICA_SERVER_URL", "http://127.0.0.1:" + std::to_string(port)}, {"MULTICA_TOKEN", token}});
  REQUIRE(d.wait_log("cannot reach the server to list workspaces; retrying"));
  CHECK(d.health().at("status") == "starting");
}

TEST_CASE("daemon killed before the task started: reported failed once after restart", "[integration][matrix]") {
  matrix m;
  auto& d = m.start();
  m.fault({{"path", "/start$"}, {"mode", "delay"}, {"delay_ms", 3000}, {"count", 1}});
  auto id = m.task();
  REQUIRE(eventually([&] { return d.log().find("task claimed") != std::string::npos; }));
  d.signal(SIGKILL);
  REQUIRE(d.wait(10s).has_value());
  m.start();
  REQUIRE(m.ends(id, "failed"));
  CHECK(m.server.task(id).at("error") == "interrupted: daemon restarted while the task was running");
  // A second report would come from recovery or the outbox, both ahead of new
  // work: once a later task has completed and been reported, it would have come.
  REQUIRE(m.ends(m.task(), "completed"));
  CHECK(m.posts("/fail", id) == 1);
  CHECK(m.posts("/complete", id) == 0);
}

TEST_CASE("agent faults end as one clear failure and leave no process and no descriptor", "[integration][matrix]") {
  matrix m;
  auto& d = m.start({{"MULTICA_AGENT_TIMEOUT", "3s"}, {"MULTICA_DAEMON_MAX_CONCURRENT_TASKS", "4"}});
  REQUIRE(m.ends(m.task(), "completed"));  // warm up: the pools and the store are open
  REQUIRE(m.idle());  // its agent reaped, its pipes closed
  const int files_before = daemon_files(d.pid());
  const std::vector<std::string> scenarios{"crash", "hang", "hang_before_init", "exit_before_init", "ignore_sigterm",
                                           "grandchild_stdout", "setsid_child", "garbage", "long_line"};
  std::map<std::string, std::string> ids;
  for (const auto& s : scenarios) ids[s] = m.task({{"FAKE_CODEX_SCENARIO", s}});
  for (const auto& entry : ids) {
    const std::string& id = entry.second;  // a named variable, not a structured binding: lambdas capture it
    INFO(entry.first);
    REQUIRE(eventually([&] { auto st = m.status_of(id); return st == "failed" || st == "completed"; }, 60s));
    CHECK(task_processes(id) == 0);
    CHECK(m.posts("/fail", id) + m.posts("/complete", id) == 1);
  }
  CHECK(m.status_of(ids["hang"]) == "failed");
  CHECK(m.server.task(ids["hang"]).at("error") == "codex timed out after 3s");
  CHECK(m.status_of(ids["garbage"]) == "completed");
  REQUIRE(m.idle());
  // A GC pass may hold a directory open for a moment; a leak stays.
  CHECK(eventually([&] { return daemon_files(d.pid()) == files_before; }, 10s));
  CHECK(m.alive());
}

TEST_CASE("disk faults: an unwritable or full workspaces root fails the task and the daemon lives", "[integration][matrix]") {
  SECTION("unwritable") {
    matrix m;
    auto& d = m.start({{"MULTICA_WORKSPACES_ROOT", "/proc/multicad-no-such-dir"}});
    auto id = m.task();
    REQUIRE(m.ends(id, "failed"));
    CHECK_THAT(m.server.task(id).at("error").get<std::string>(), Catch::StartsWith("environment preparation failed:"));
    CHECK(d.wait_log("ERROR task failed before the agent started"));
    CHECK(m.alive());
  }
  SECTION("full") {
    matrix m;
    auto full = m.dir / "full";
    std::filesystem::create_directories(full);
    // A 4 KiB tmpfs: directories fit, the files of a task environment do not.
    REQUIRE(std::system(("mount -t tmpfs -o size=4k tmpfs " + full.string()).c_str()) == 0);
    struct unmount {
      std::filesystem::path p;
      ~unmount() {
        if (std::system(("umount -l " + p.string()).c_str()) != 0) {}  // best effort; the temp dir goes anyway
      }
    } cleanup{full};
    auto& d = m.start({{"MULTICA_WORKSPACES_ROOT", full.string()}});
    auto id = m.task();
    REQUIRE(m.ends(id, "failed"));
    CHECK_THAT(m.server.task(id).at("error").get<std::string>(), Catch::Contains("No space left on device"));
    CHECK(m.alive());
    auto again = m.task();
    REQUIRE(m.ends(again, "failed"));  // still handled, still alive
    (void)d;
  }
}
