// Attacks on the daemon from outside the sandbox's front door, each as the
// security review reproduced it (docs/reliability.md, "Security"): a second
// daemon on one store, hostile ids from a server, a web page reaching the
// loopback endpoint, a store deleted under a running daemon, a permissive
// umask, and a working folder that is the whole machine.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "daemon/store/schema.hpp"
#include "test/support/http.hpp"
#include "test/support/server_daemon_fixture.hpp"

using namespace multicad::test;
using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

using header_list = std::vector<std::pair<std::string, std::string>>;

// The environment of a local-mode daemon and of the CLI talking to it.
std::map<std::string, std::string> local_env(const temp_dir& dir, int port) {
  return {{"HOME", (dir / "home").string()},          {"CODEX_HOME", (dir / "codex-shared").string()},
          {"XDG_CONFIG_HOME", (dir / "xdg").string()}, {"MULTICA_WORKSPACES_ROOT", (dir / "ws").string()},
          {"MULTICA_STATE_DIR", (dir / "state").string()}, {"MULTICA_DAEMON_HEALTH_PORT", std::to_string(port)},
          {"MULTICA_CODEX_PATH", fake_codex_path()}};
}

command_result cli(const temp_dir& dir, int port, std::vector<std::string> args, std::chrono::milliseconds limit = 60s) {
  args.insert(args.begin(), MULTICAD_BINARY);
  std::vector<std::string> unset;
  for (char** p = environ; *p; ++p) {
    std::string kv(*p);
    if (kv.starts_with("MULTICA_") || kv.starts_with("FAKE_CODEX_")) unset.push_back(kv.substr(0, kv.find('=')));
  }
  return run_command({args, local_env(dir, port), unset, {}}, limit);
}

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

std::string proc_umask(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.starts_with("Umask:")) return line.substr(line.find_first_not_of(" \t", 6));
  return {};
}

}  // namespace

TEST_CASE("a second daemon on the same state folder exits at once and touches nothing", "[integration][security]") {
  server_daemon_fixture f;
  auto& first = f.start();
  auto id = f.task({{"FAKE_CODEX_SCENARIO", "hang"}});
  REQUIRE(f.wait_status(id, "running"));
  REQUIRE(eventually([&] { return task_processes(id) > 0; }));
  // Another port, another log, the same state_dir: only the lock can stop it.
  daemon_process second(f.dir, {{"MULTICA_SERVER_URL", f.server.url()}, {"MULTICA_TOKEN", fake_server_token},
                                {"MULTICA_LOG_FILE", (f.dir / "second.log").string()}});
  auto status = second.wait(20s);
  REQUIRE(status.has_value());
  CHECK(*status == 1);
  auto log = read_file(f.dir / "second.log");
  CHECK_THAT(log, Catch::Contains("cannot start: the state folder is in use") &&
                      Catch::Contains("pid " + std::to_string(first.pid())));
  CHECK(log.find("recover") == std::string::npos);
  CHECK(task_processes(id) > 0);  // the first daemon's agent lives on
  CHECK(f.status_of(id) == "running");
  for (const auto& c : f.server.calls()) CHECK(c.at("path").get<std::string>().find("/fail") == std::string::npos);
}

TEST_CASE("a claimed task id that would inject a header is refused and never sent", "[integration][security]") {
  server_daemon_fixture f;
  f.start();
  json task = {{"id", "x HTTP/1.1\r\nX-Inj: 0"}, {"status", "dispatched"}, {"agent_id", "a"}};
  // The answer of both claim endpoints at once: the per-runtime one's
  // "task" and the batch one's "tasks" (the daemon asks whichever the server has).
  json hostile = {{"task", task}, {"tasks", json::array({task})}};
  f.server.control("POST", "/_fake/faults", {{"path", "/tasks/claim$"}, {"mode", "status"}, {"status", 200},
                                             {"body", hostile.dump()}, {"count", 1}});
  REQUIRE(f.daemon->wait_log(".id: not a UUID"));
  REQUIRE(f.wait_status(f.task(), "completed"));  // and work goes on
  for (const auto& c : f.server.calls()) {
    auto path = c.at("path").get<std::string>();
    CHECK(path.find("X-Inj") == std::string::npos);
    CHECK(path.find("HTTP") == std::string::npos);
  }
}

TEST_CASE("a task with a malformed id of its issue's comment is failed before it runs", "[integration][security]") {
  server_daemon_fixture f;
  f.start();
  auto id = f.server.add_task(f.workspace, {{"agent", fake_codex_agent(f.dir, {})},
                                            {"trigger_comment_id", "../../../etc"},
                                            {"trigger_comment_content", "hi"}});
  REQUIRE(f.wait_status(id, "failed"));
  CHECK_THAT(f.server.task(id).at("error").get<std::string>(),
             Catch::Contains("malformed id") && Catch::Contains("trigger_comment_id"));
  CHECK_FALSE(fs::exists(f.dir / "ws" / "etc"));
}

TEST_CASE("the loopback endpoint answers only loopback host names", "[integration][security]") {
  server_daemon_fixture f;
  auto& d = f.start();
  const auto port = d.health_port();
  const auto p = std::to_string(port);
  // A DNS-rebinding page sends its own host name.
  for (const std::string& host : std::vector<std::string>{"evil.example:" + p, "evil.example", "127.0.0.1.evil.example:" + p, "127.0.0.1:1"}) {
    INFO(host);
    auto r = http_request_with_headers(port, "GET", "/health", header_list{{"Host", host}});
    CHECK(r.status == 421);
    CHECK(r.body.find("\"pid\"") == std::string::npos);
  }
  for (const std::string& host : std::vector<std::string>{"127.0.0.1:" + p, "localhost:" + p, "LOCALHOST", "[::1]:" + p}) {
    INFO(host);
    CHECK(http_request_with_headers(port, "GET", "/health", header_list{{"Host", host}}).status == 200);
  }
  CHECK(http_request_with_headers(port, "GET", "/health", header_list{}).status != 200);  // no Host at all
}

TEST_CASE("the local wake-up refuses what a web page could send", "[integration][security]") {
  temp_dir dir;
  const int port = free_port();
  daemon_process d(dir, local_env(dir, port));
  REQUIRE(d.wait_ready());
  const auto host = "127.0.0.1:" + std::to_string(port);
  // A form or a no-cors fetch: no JSON content type, or another origin.
  CHECK(http_request_with_headers(port, "POST", "/local/wake", header_list{{"Host", host}, {"Content-Type", "text/plain"}}, "{}").status == 403);
  CHECK(http_request_with_headers(port, "POST", "/local/wake", header_list{{"Host", host}}, "").status == 403);
  CHECK(http_request_with_headers(port, "POST", "/local/wake",
                                  header_list{{"Host", host}, {"Content-Type", "application/json"}, {"Origin", "http://evil.example"}},
                                  "{}").status == 403);
  CHECK(http_request_with_headers(port, "POST", "/local/wake",
                                  header_list{{"Host", host}, {"Content-Type", "application/json"}, {"Sec-Fetch-Site", "cross-site"}},
                                  "{}").status == 403);
  CHECK(http_request_with_headers(port, "POST", "/local/wake", header_list{{"Host", host}, {"Content-Type", "application/json"}}, "{}")
            .status == 200);
  CHECK(http_request_with_headers(port, "GET", "/local/wake", header_list{{"Host", host}}).status == 405);
}

TEST_CASE("a store deleted under a running daemon is reported and submit does not hang", "[integration][security]") {
  temp_dir dir;
  const int port = free_port();
  daemon_process d(dir, local_env(dir, port));
  REQUIRE(d.wait_ready());
  for (const auto& e : fs::directory_iterator(dir / "state"))
    if (e.path().filename().string().starts_with(std::string(multicad::store::store_file_name))) fs::remove(e.path());
  REQUIRE(d.wait_log("the store is gone or unusable"));
  auto health = d.health();
  CHECK(health.at("status") == "degraded");
  CHECK_THAT(health.at("last_error").get<std::string>(), Catch::Contains("was deleted while the daemon ran"));
  auto r = cli(dir, port, {"submit", "hello", "--wait"}, 30s);
  INFO(r.out << r.err);
  CHECK(r.status == 4);
  CHECK_THAT(r.err, Catch::Contains("lost its task store") && Catch::Contains("restart it"));
}

TEST_CASE("everything the daemon creates is private whatever the umask", "[integration][security]") {
  temp_dir dir;
  const int port = free_port();
  auto old_mask = ::umask(022);  // the CLI and the daemon inherit a permissive umask
  std::unique_ptr<daemon_process> d;
  command_result r;
  {
    auto env = local_env(dir, port);
    env["MULTICA_LOG_FILE"] = (dir / "logs/daemon.log").string();
    env["MULTICA_KEEP_ENV_AFTER_TASK"] = "true";
    d = std::make_unique<daemon_process>(dir, env);
    if (d->wait_ready()) r = cli(dir, port, {"submit", "write something", "--wait"});
  }
  ::umask(old_mask);
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(proc_umask(d->pid()) == "0077");
  CHECK(mode_of(dir / "state") == 0700);
  for (const auto& e : fs::directory_iterator(dir / "state"))
    if (e.is_regular_file()) CHECK(mode_of(e.path()) == 0600);
  CHECK(mode_of(dir / "logs/daemon.log") == 0600);
  for (const auto& e : fs::recursive_directory_iterator(dir / "ws")) {
    if (e.is_symlink()) continue;  // the shared auth file is linked, never copied
    INFO(e.path());
    CHECK((mode_of(e.path()) & 077) == 0);
  }
}

TEST_CASE("submit refuses the root and the home folder as a working folder", "[integration][security]") {
  temp_dir dir;
  const int port = free_port();
  fs::create_directories(dir / "home/project");
  fs::create_directory_symlink("/", dir / "home/root-link");
  for (const std::string& broad : std::vector<std::string>{"/", (dir / "home").string(), (dir / "home/root-link").string(), dir.path().string()}) {
    INFO(broad);
    auto r = cli(dir, port, {"submit", "tidy up", "--workdir", broad});
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Catch::Contains("--allow-broad-workdir"));
  }
  CHECK(cli(dir, port, {"submit", "tidy up", "--workdir", (dir / "home/project").string()}).status == 0);
  CHECK(cli(dir, port, {"submit", "tidy up", "--workdir", (dir / "home").string(), "--allow-broad-workdir"}).status == 0);
}
