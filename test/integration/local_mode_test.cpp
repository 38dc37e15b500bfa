// The embedded local mode: `multicad run` with no server, `multicad submit`
// and `multicad tasks` sharing its store.
#include <signal.h>

#include <catch2/catch.hpp>
#include <mutex>
#include <set>
#include <thread>

#include "daemon/agent/process_tree.hpp"
#include "daemon/store/database.hpp"
#include "daemon/store/schema.hpp"
#include "test/support/daemon_process.hpp"
#include "test/support/http.hpp"
#include "test/support/mock_model.hpp"

using namespace multicad::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

struct local_fixture {
  temp_dir dir;
  std::unique_ptr<daemon_process> daemon;
  int port = free_port();

  std::map<std::string, std::string> env(std::map<std::string, std::string> extra = {}) const {
    std::map<std::string, std::string> e{{"HOME", (dir / "home").string()},
                                         {"CODEX_HOME", (dir / "codex-shared").string()},
                                         {"XDG_CONFIG_HOME", (dir / "xdg").string()},
                                         {"MULTICA_WORKSPACES_ROOT", (dir / "ws").string()},
                                         {"MULTICA_STATE_DIR", (dir / "state").string()},
                                         {"MULTICA_DAEMON_HEALTH_PORT", std::to_string(port)},
                                         {"MULTICA_CODEX_PATH", fake_codex_path()}};
    for (auto& [k, v] : extra) e[k] = v;
    return e;
  }

  daemon_process& start(std::map<std::string, std::string> extra = {}) {
    daemon = std::make_unique<daemon_process>(dir, env(extra));
    INFO(daemon->log());
    REQUIRE(daemon->wait_ready());
    REQUIRE(daemon->health().at("mode") == "local");
    return *daemon;
  }

  command_result cli(std::vector<std::string> args, std::map<std::string, std::string> extra = {},
                     std::chrono::milliseconds limit = 60s) const {
    args.insert(args.begin(), MULTICAD_BINARY);
    std::vector<std::string> unset;
    for (char** p = environ; *p; ++p) {
      std::string kv(*p);
      if (kv.starts_with("MULTICA_") || kv.starts_with("FAKE_CODEX_")) unset.push_back(kv.substr(0, kv.find('=')));
    }
    return run_command({args, env(extra), unset, {}}, limit);
  }

  static std::string last_line(const std::string& out) {
    auto trimmed = out.substr(0, out.find_last_not_of('\n') + 1);
    return trimmed.substr(trimmed.find_last_of('\n') + 1);
  }

  json task(const std::string& id) const {
    auto r = cli({"tasks", "show", id, "--json"});
    return r.status == 0 ? json::parse(r.out) : json();
  }
};

int marked(const std::string& id) {
  return static_cast<int>(multicad::agent::find_processes_with_env("MULTICAD_TASK", id).size());
}

}  // namespace

TEST_CASE("submit --wait follows the task and exits with its status", "[integration][local]") {
  local_fixture f;
  // Local tasks have no per-task environment: the agent inherits the daemon's.
  f.start({{"FAKE_CODEX_SCENARIO", "tools"}, {"FAKE_CODEX_ANSWER", "hello!"}});
  auto r = f.cli({"submit", "Say hello", "--wait"});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  auto id = f.last_line(r.out);
  CHECK(id.size() == 36);
  CHECK_THAT(r.out, Catch::Contains("tool_use exec_command") && Catch::Contains("task completed") && Catch::Contains("hello!"));
  auto t = f.task(id);
  CHECK(t.at("status") == "completed");
  CHECK(t.at("output") == "hello!");
  CHECK(t.at("usage").size() == 1);
  auto logs = f.cli({"tasks", "logs", id, "--json"});
  REQUIRE(logs.status == 0);
  CHECK_THAT(logs.out, Catch::Contains("\"type\":\"tool_result\""));
}

TEST_CASE("a failing task makes submit --wait exit 1 with the reason", "[integration][local]") {
  local_fixture f;
  f.start({{"FAKE_CODEX_SCENARIO", "fail_turn"}, {"FAKE_CODEX_ERROR", "quota exceeded"}});
  auto r = f.cli({"submit", "Fail please", "--wait"});
  CHECK(r.status == 1);
  CHECK_THAT(r.out, Catch::Contains("task failed: quota exceeded"));
}

TEST_CASE("a task submitted to a running daemon starts at once through the wake", "[integration][local]") {
  local_fixture f;
  f.start({{"FAKE_CODEX_SCENARIO", "hang"}});
  const auto submitted_at = f.daemon->log().size();
  auto r = f.cli({"submit", "hang here"});
  REQUIRE(r.status == 0);
  auto id = f.last_line(r.out);
  REQUIRE(eventually([&] { return marked(id) > 0; }, 10s));
  // Without the wake only the fallback check (every 5 s) starts it, and that
  // check logs a line: none between the submit and the start proves the wake
  // did it. (Pickup latency itself is measured in bench/, not asserted here.)
  auto log = f.daemon->log();
  auto claimed = log.find("task claimed task_id=" + id);
  REQUIRE(claimed != std::string::npos);
  REQUIRE(claimed > submitted_at);
  CHECK(log.substr(submitted_at, claimed - submitted_at).find("local queue checked without a wake-up") == std::string::npos);
  auto c = f.cli({"tasks", "cancel", id.substr(0, 8)});
  CHECK(c.status == 0);
  CHECK_THAT(c.out, Catch::Contains("cancelling"));
  REQUIRE(eventually([&] { return marked(id) == 0; }, 10s));
  REQUIRE(eventually([&] { return f.task(id).value("status", "") == "cancelled"; }));
  // The user cancelled it, not a server (there is none in local mode).
  CHECK(f.daemon->wait_log("reason=\"cancelled by the user (multicad tasks cancel)\""));
  CHECK(f.daemon->log().find("cancelled by the server") == std::string::npos);
}

TEST_CASE("the CLI finds a daemon started on another port through its record in state_dir", "[integration][local]") {
  local_fixture f;
  auto& d = f.start({{"FAKE_CODEX_SCENARIO", "hang"}});
  auto record = json::parse(read_file(f.dir / "state/daemon.json"));
  CHECK(record.at("pid") == d.pid());
  CHECK(record.at("port") == f.port);
  CHECK((std::filesystem::status(f.dir / "state/daemon.json").permissions() & std::filesystem::perms::all) ==
        std::filesystem::perms(0600));
  // The CLI's own settings name another port, as after `multicad run --health-port N`.
  const std::map<std::string, std::string> elsewhere{{"MULTICA_DAEMON_HEALTH_PORT", std::to_string(free_port())}};
  auto st = f.cli({"status", "--json"}, elsewhere);
  INFO(st.out << st.err);
  CHECK(st.status == 0);
  CHECK(json::parse(st.out).at("pid") == d.pid());
  auto r = f.cli({"submit", "hang here"}, elsewhere);
  REQUIRE(r.status == 0);
  CHECK(r.err.find("no daemon answers") == std::string::npos);  // the wake reached it: no 5 s fallback
  auto id = f.last_line(r.out);
  REQUIRE(eventually([&] { return marked(id) > 0; }, 10s));
  auto c = f.cli({"tasks", "cancel", id}, elsewhere);
  CHECK(c.status == 0);
  CHECK(c.err.find("no daemon answers") == std::string::npos);
  REQUIRE(eventually([&] { return f.task(id).value("status", "") == "cancelled"; }));

  // A daemon that could not remove its record (SIGKILL): the pid is gone, the record is ignored.
  d.signal(SIGKILL);
  REQUIRE(d.wait(10s).has_value());
  REQUIRE(std::filesystem::exists(f.dir / "state/daemon.json"));
  auto none = f.cli({"status"}, elsewhere);
  CHECK(none.status == 3);
  CHECK_THAT(none.err, Catch::Contains("no daemon is running on 127.0.0.1:" + elsewhere.at("MULTICA_DAEMON_HEALTH_PORT") +
                                       " (from health_port)"));
}

TEST_CASE("a daemon that stops cleanly removes its record", "[integration][local]") {
  local_fixture f;
  auto& d = f.start();
  REQUIRE(std::filesystem::exists(f.dir / "state/daemon.json"));
  d.signal(SIGTERM);
  REQUIRE(d.wait(30s) == 0);
  CHECK_FALSE(std::filesystem::exists(f.dir / "state/daemon.json"));
}

TEST_CASE("a prompt too big for one argument goes in through a file or standard input", "[integration][local]") {
  // The kernel caps one argument at 128 KiB; a file has no such limit.
  local_fixture f;
  std::string big(10 * 1024 * 1024, 'x');
  for (std::size_t i = 0; i < big.size(); i += 100) big[i] = '\n';
  write_file(f.dir / "prompt.txt", big);
  auto r = f.cli({"submit", "--prompt-file", (f.dir / "prompt.txt").string()});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(f.task(f.last_line(r.out)).at("prompt") == big);

  std::vector<std::string> unset;
  for (char** p = environ; *p; ++p)
    if (std::string kv(*p); kv.starts_with("MULTICA_")) unset.push_back(kv.substr(0, kv.find('=')));
  auto piped = run_command({{"/bin/sh", "-c", "exec \"$0\" submit - < \"$1\"", MULTICAD_BINARY, (f.dir / "prompt.txt").string()},
                            f.env(), unset, {}}, 60s);
  INFO(piped.err);
  REQUIRE(piped.status == 0);
  CHECK(f.task(f.last_line(piped.out)).at("prompt") == big);

  auto both = f.cli({"submit", "x", "--prompt-file", (f.dir / "prompt.txt").string()});
  CHECK(both.status == 2);
  auto none = f.cli({"submit"});
  CHECK(none.status == 2);
  CHECK_THAT(none.err, Catch::Contains("no prompt; give it as an argument, as - (standard input) or with --prompt-file"));
  auto unreadable = f.cli({"submit", "--prompt-file", (f.dir / "nope.txt").string()});
  CHECK(unreadable.status == 2);
  CHECK_THAT(unreadable.err, Catch::Contains("cannot read --prompt-file " + (f.dir / "nope.txt").string()));
}

TEST_CASE("tasks cancel prints JSON and says a finished task had already ended", "[integration][local]") {
  local_fixture f;
  f.start();
  auto done = f.last_line(f.cli({"submit", "finish", "--wait"}).out);
  REQUIRE(f.task(done).at("status") == "completed");
  f.daemon.reset();  // stopped: no daemon answers any more
  auto c = f.cli({"tasks", "cancel", done, "--json"});
  CHECK(c.status == 1);
  auto j = json::parse(c.out);
  CHECK(j.at("id") == done);
  CHECK(j.at("status") == "completed");
  CHECK(c.err.find("stays queued") == std::string::npos);
  CHECK(c.err.find("no daemon answers") == std::string::npos);
  auto text = f.cli({"tasks", "cancel", done});
  CHECK_THAT(text.err, Catch::Contains("had already ended (completed); nothing to cancel"));

  auto queued = f.last_line(f.cli({"submit", "never run"}).out);
  auto q = f.cli({"tasks", "cancel", queued, "--json"});
  CHECK(q.status == 0);
  CHECK(json::parse(q.out) == json{{"id", queued}, {"status", "cancelled"}, {"was", "queued"}});
}

TEST_CASE("a queued task is cancelled without ever starting", "[integration][local]") {
  local_fixture f;
  auto r = f.cli({"submit", "never run"});  // no daemon yet
  REQUIRE(r.status == 0);
  CHECK_THAT(r.err, Catch::Contains("no daemon answers"));
  auto id = f.last_line(r.out);
  CHECK(f.task(id).at("status") == "queued");
  CHECK(f.cli({"tasks", "cancel", id}).status == 0);
  CHECK(f.task(id).at("status") == "cancelled");
  f.start();
  // The queue is taken in order: once a later task has run, the daemon has
  // passed the cancelled one, and it did not start it.
  auto later = f.last_line(f.cli({"submit", "after the cancelled one"}).out);
  REQUIRE(eventually([&] { return f.task(later).value("status", "") == "completed"; }));
  CHECK(f.task(id).at("status") == "cancelled");
  CHECK(f.daemon->log().find("task claimed task_id=" + id) == std::string::npos);
}

TEST_CASE("a task queued while no daemon ran is picked up when one starts", "[integration][local]") {
  local_fixture f;
  auto id = f.last_line(f.cli({"submit", "later"}).out);
  f.start();
  CHECK(eventually([&] { return f.task(id).value("status", "") == "completed"; }));
}

TEST_CASE("several submitters at once share the store safely", "[integration][local]") {
  local_fixture f;
  f.start({{"MULTICA_DAEMON_MAX_CONCURRENT_TASKS", "4"}});
  std::vector<std::thread> submitters;
  std::mutex m;
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i)
    submitters.emplace_back([&, i] {
      for (int k = 0; k < 5; ++k) {
        auto r = f.cli({"submit", "task " + std::to_string(i) + "-" + std::to_string(k)});
        std::lock_guard lock(m);
        if (r.status == 0) ids.push_back(f.last_line(r.out));
      }
    });
  for (auto& t : submitters) t.join();
  REQUIRE(ids.size() == 20);
  std::set<std::string> unique(ids.begin(), ids.end());
  CHECK(unique.size() == 20);
  REQUIRE(eventually([&] {
    auto list = json::parse(f.cli({"tasks", "list", "--json", "--limit", "50"}).out);
    int done = 0;
    for (const auto& t : list) done += t.at("status") == "completed";
    return done == 20;
  }, 180s));  // the sanitizer build at -O0 needs over a minute for twenty tasks
}

TEST_CASE("bad submissions are refused with a clear error", "[integration][local]") {
  local_fixture f;
  auto empty = f.cli({"submit", "   "});
  CHECK(empty.status == 2);
  CHECK_THAT(empty.err, Catch::Contains("the prompt is empty"));
  auto missing = f.cli({"submit", "x", "--workdir", (f.dir / "nope").string()});
  CHECK(missing.status == 2);
  CHECK_THAT(missing.err, Catch::Contains("is not an existing directory"));
  auto provider = f.cli({"submit", "x", "--provider", "claude"});
  CHECK(provider.status == 2);
  CHECK_THAT(provider.err, Catch::Contains("only codex"));
  auto unknown = f.cli({"tasks", "show", "ffffffff"});
  CHECK(unknown.status == 1);
  CHECK_THAT(unknown.err, Catch::Contains("no task ffffffff"));
}

TEST_CASE("the workdir option runs the agent in the user's folder", "[integration][local]") {
  local_fixture f;
  auto log = f.dir / "codex.log";
  f.start({{"FAKE_CODEX_LOG", log.string()}});
  std::filesystem::create_directories(f.dir / "project");
  auto r = f.cli({"submit", "work here", "--workdir", (f.dir / "project").string(), "--wait"});
  REQUIRE(r.status == 0);
  CHECK_THAT(read_file(log), Catch::Contains("\"cwd\":\"" + (f.dir / "project").string() + "\""));
}

TEST_CASE("a store from an older multicad is migrated and keeps its data", "[integration][local]") {
  local_fixture f;
  {
    // Schema version 1: what a multicad before the local queue wrote.
    auto v1 = multicad::store::migrations().subspan(0, 1);
    auto db = multicad::store::database::open(f.dir / "state" / multicad::store::store_file_name, v1);
    REQUIRE(db.has_value());
    REQUIRE(db->schema_version() == 1);
    REQUIRE(db->exec("INSERT INTO outbox (task_id, kind, payload, created_at_ms) VALUES ('t', 'fail', '{}', 1)").has_value());
  }
  auto r = f.cli({"submit", "after upgrade"});
  REQUIRE(r.status == 0);
  auto db = multicad::store::database::open(f.dir / "state" / multicad::store::store_file_name, multicad::store::migrations());
  REQUIRE(db.has_value());
  CHECK(db->schema_version() == static_cast<int>(multicad::store::migrations().size()));
  CHECK(db->query("SELECT count(*) FROM outbox")->at(0).integer(0) == 1);
  CHECK(db->query("SELECT count(*) FROM local_tasks")->at(0).integer(0) == 1);
}

TEST_CASE("a local daemon killed mid-task reports the task failed at its next start", "[integration][local]") {
  local_fixture f;
  auto& d = f.start({{"FAKE_CODEX_SCENARIO", "ignore_sigterm"}});
  auto id = f.last_line(f.cli({"submit", "wedge"}).out);
  REQUIRE(eventually([&] { return marked(id) > 0; }));
  d.signal(SIGKILL);
  REQUIRE(d.wait(10s).has_value());
  f.start();
  REQUIRE(eventually([&] { return f.task(id).value("status", "") == "failed"; }));
  CHECK(f.task(id).at("error") == "interrupted: daemon restarted while the task was running");
  CHECK(marked(id) == 0);
}

TEST_CASE("real codex in local mode: submit runs a sandboxed command", "[integration][local][e2e]") {
  REQUIRE(std::filesystem::exists(MULTICAD_TEST_CODEX));
  local_fixture f;
  mock_model model;
  write_file(f.dir / "codex-shared/config.toml", model.codex_config());
  f.start({{"MULTICA_CODEX_PATH", MULTICAD_TEST_CODEX}});
  auto r = f.cli({"submit", "write proof.txt", "--wait"}, {{"MULTICA_CODEX_PATH", MULTICAD_TEST_CODEX}}, 120s);
  INFO(r.out << r.err << f.daemon->log());
  REQUIRE(r.status == 0);
  auto t = f.task(f.last_line(r.out));
  CHECK(t.at("output") == "I wrote proof.txt");
  CHECK(read_file(std::filesystem::path(t.at("workdir").get<std::string>()) / "proof.txt") == "made-by-codex\n");
}
