// What operators use: /metrics, `multicad status`, `multicad doctor`
// against a server, the log formats (JSON, journald), rotation, SIGHUP, and
// that no secret ever reaches a log line.
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include <catch2/catch.hpp>

#include "daemon/service/command_runner.hpp"
#include "test/support/http.hpp"
#include "test/support/server_daemon_fixture.hpp"

using namespace multicad::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr const char* token = fake_server_token;
constexpr const char* secret_value = "s3cr3t-custom-env-value-8842";

struct ops_fixture : server_daemon_fixture {
  command_result cli(std::vector<std::string> args, std::map<std::string, std::string> env) const {
    args.insert(args.begin(), MULTICAD_BINARY);
    env.emplace("HOME", (dir / "home").string());
    env.emplace("XDG_CONFIG_HOME", (dir / "xdg").string());
    env.emplace("MULTICA_STATE_DIR", (dir / "cli-state").string());
    std::vector<std::string> unset;
    for (char** p = environ; *p; ++p) {
      std::string kv(*p);
      if (kv.starts_with("MULTICA_") && !env.count(kv.substr(0, kv.find('=')))) unset.push_back(kv.substr(0, kv.find('=')));
    }
    return run_command({args, env, unset, {}}, 90s);
  }
  bool completed(const std::string& id) { return wait_status(id, "completed", 20s); }

  // `multicad ARGS` with JOURNAL_STREAM naming its real stderr (a pipe), as
  // systemd sets it for a service: stat(1) reads the pipe's device and inode
  // just before the exec.
  command_result under_journal(std::vector<std::string> args, std::map<std::string, std::string> env) const {
    args.insert(args.begin(), {"/bin/sh", "-c",
                               "JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2) exec \"$0\" \"$@\"", MULTICAD_BINARY});
    env.emplace("HOME", (dir / "home").string());
    env.emplace("XDG_CONFIG_HOME", (dir / "xdg").string());
    env.emplace("MULTICA_STATE_DIR", (dir / "cli-state").string());
    std::vector<std::string> unset{"JOURNAL_STREAM"};
    for (char** p = environ; *p; ++p) {
      std::string kv(*p);
      if (kv.starts_with("MULTICA_") && !env.count(kv.substr(0, kv.find('=')))) unset.push_back(kv.substr(0, kv.find('=')));
    }
    return run_command({args, env, unset, {}}, 90s);
  }
};

// A stream line as journald reads it (sd-daemon(3)): a leading <N> is its
// priority, a line without one gets the stream's default, 6 (info).
struct journal_line {
  int priority = 6;
  std::string text;
};

std::vector<journal_line> journal_lines(const std::string& stream) {
  std::vector<journal_line> out;
  std::istringstream in(stream);
  for (std::string line; std::getline(in, line);) {
    journal_line l{6, line};
    if (line.size() > 3 && line[0] == '<' && line[1] >= '0' && line[1] <= '7' && line[2] == '>')
      l = {line[1] - '0', line.substr(3)};
    out.push_back(l);
  }
  return out;
}

// Whether every line carries its own priority (none falls back to info).
bool every_line_has_priority(const std::string& stream) {
  std::istringstream in(stream);
  for (std::string line; std::getline(in, line);)
    if (!(line.size() > 3 && line[0] == '<' && line[2] == '>')) return false;
  return !stream.empty();
}

// What `journalctl -p warning` would show of that stream.
std::string at_warning_or_worse(const std::string& stream) {
  std::string shown;
  for (const auto& l : journal_lines(stream))
    if (l.priority <= 4) shown += l.text + "\n";
  return shown;
}

// Runs promtool (from the Debian package prometheus: on PATH, or unpacked by
// scripts/setup.sh --for-tests into .deps/prometheus); missing, the test fails.
command_result promtool_check(const std::filesystem::path& metrics_file) {
  const char* path = std::getenv("PATH");
  auto exe = multicad::service::find_executable(
      "promtool", std::string(path ? path : "/usr/bin:/bin") + ":" + MULTICAD_SOURCE_DIR + "/.deps/prometheus/usr/bin");
  if (!exe) FAIL("promtool not found: scripts/setup.sh --for-tests unpacks it (Debian package prometheus)");
  return run_command({{"/bin/sh", "-c", "\"$0\" check metrics < \"$1\"", exe->string(), metrics_file.string()}, {}, {}, {}},
                     60s);
}

}  // namespace

TEST_CASE("GET /metrics reports tasks and claims and requests and the outbox in Prometheus text", "[integration][ops]") {
  ops_fixture f;
  auto& d = f.start();
  REQUIRE(f.completed(f.server.add_task(f.workspace)));
  REQUIRE(eventually([&] {
    auto m = http_request(d.health_port(), "GET", "/metrics");
    return m.body.find("multicad_tasks_finished_total{state=\"completed\"} 1") != std::string::npos;
  }));
  auto m = http_request(d.health_port(), "GET", "/metrics");
  CHECK(m.status == 200);
  for (const char* expected : {"# TYPE multicad_tasks_finished_total counter", "multicad_tasks_started_total 1",
                               "# TYPE multicad_build_info gauge", "multicad_build_info{version=\"",
                               "multicad_tasks_running 0", "multicad_claims_total{outcome=\"task\"} 1",
                               "multicad_claim_duration_seconds_bucket{le=\"+Inf\"}",
                               "multicad_server_requests_total{method=\"POST\",path=\"/api/daemon/tasks/{id}/complete\",outcome=\"ok\"} 1",
                               "multicad_codex_start_duration_seconds_count 1", "multicad_version_detections_total 1",
                               "multicad_outbox_depth 0", "multicad_heartbeat_failures_total 0"}) {
    INFO(expected << "\n" << m.body);
    CHECK(m.body.find(expected) != std::string::npos);
  }
  CHECK(m.body.find(f.workspace) == std::string::npos);  // ids never become labels

  // The exposition format as Prometheus itself parses and lints it.
  write_file(f.dir / "metrics.txt", m.body);
  auto check = promtool_check(f.dir / "metrics.txt");
  INFO(m.body << "\npromtool: " << check.out << check.err);
  CHECK(check.status == 0);
  CHECK(check.out + check.err == "");
}

TEST_CASE("metrics.listen serves GET /metrics and nothing else on its own address", "[integration][ops]") {
  ops_fixture f;
  auto port = free_port();
  auto& d = f.start({{"MULTICA_METRICS_LISTEN", "127.0.0.1:" + std::to_string(port)}});
  auto m = http_request(port, "GET", "/metrics");
  CHECK(m.status == 200);
  CHECK_THAT(m.body, Catch::Contains("\nmulticad_tasks_started_total 0\n"));
  CHECK(http_request(port, "GET", "/metrics?x=1").status == 200);
  CHECK(http_request(port, "POST", "/metrics").status == 405);
  for (const char* other : {"/health", "/status", "/local/wake", "/"}) {
    INFO(other);
    CHECK(http_request(port, "GET", other).status == 404);
    CHECK(http_request(port, "POST", other).status == 404);
  }
  CHECK(http_request(d.health_port(), "GET", "/health").status == 200);  // the loopback endpoint is unchanged
  CHECK(d.wait_log("serving /metrics on metrics.listen"));
  auto record = json::parse(read_file(f.dir / "state/daemon.json"));
  CHECK(record.at("metrics_listen") == "127.0.0.1:" + std::to_string(port));
}

TEST_CASE("metrics.listen that cannot listen stops the start with a reason", "[integration][ops]") {
  ops_fixture f;
  auto taken = free_port();
  std::map<std::string, std::string> env{{"MULTICA_METRICS_LISTEN", "127.0.0.1:" + std::to_string(taken)},
                                         {"MULTICA_DAEMON_HEALTH_PORT", std::to_string(taken)},
                                         {"MULTICA_CODEX_PATH", fake_codex_path()}};
  auto r = f.cli({"run"}, env);  // the health endpoint takes the port first
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Contains("ERROR cannot start: metrics.listen cannot listen") &&
                        Catch::Contains("127.0.0.1 port " + std::to_string(taken)));
}

TEST_CASE("multicad status describes the running daemon and says when none runs", "[integration][ops]") {
  ops_fixture f;
  auto& d = f.start();
  auto id = f.server.add_task(f.workspace, {{"agent", fake_codex_agent(f.dir, {{"FAKE_CODEX_SCENARIO", "hang"}})}});
  REQUIRE(eventually([&] { return d.health().at("active_task_count") == 1; }));
  auto port = std::to_string(d.health_port());
  auto r = f.cli({"status", "--port", port}, {});
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("mode:        server -> " + f.server.url()) && Catch::Contains("1 running") &&
                        Catch::Contains(id) && Catch::Contains("outbox:      0 report(s) waiting") &&
                        Catch::Contains("dispatch:    poll since "));
  auto j = f.cli({"status", "--port", port, "--json"}, {});
  CHECK(json::parse(j.out).at("running_tasks").at(0).at("task_id") == id);

  // Once the turn runs: the hard cap and the watch nearest to firing, each
  // with its time left (the fake codex went silent after turn/start, so the
  // first-turn watch, 3m, is nearest).
  REQUIRE(eventually([&] { return d.health().at("running_tasks").at(0).at("idle_watchdog").is_object(); }));
  auto task = d.health().at("running_tasks").at(0);
  INFO(task.dump());
  CHECK(task.at("hard_cap") == "2h0m0s");
  CHECK_THAT(task.at("hard_cap_left").get<std::string>(), Catch::StartsWith("1h59m"));
  CHECK(task.at("idle_watchdog").at("kind") == "first turn");
  CHECK(task.at("idle_watchdog").at("limit") == "3m0s");
  CHECK_THAT(task.at("idle_watchdog").at("left").get<std::string>(), Catch::Matches("2m[0-9]+s"));
  r = f.cli({"status", "--port", port}, {});
  CHECK_THAT(r.out, Catch::Contains("  cap 2h0m0s (1h59m") && Catch::Contains("  first turn 3m0s (2m"));
  d.signal(SIGTERM);
  auto exited = d.wait(30s);
  INFO(d.log());
  REQUIRE(exited.has_value());
  auto none = f.cli({"status", "--port", port}, {});
  CHECK(none.status == 3);
  CHECK(none.out == "");  // a diagnosis, not output: stderr
  CHECK_THAT(none.err, Catch::Contains("no daemon is running on 127.0.0.1:" + port));
  auto none_json = f.cli({"status", "--port", port, "--json"}, {});
  CHECK(none_json.status == 3);
  CHECK(json::parse(none_json.out).at("running") == false);
}

TEST_CASE("doctor checks the server and the token", "[integration][ops]") {
  ops_fixture f;
  std::map<std::string, std::string> env{{"MULTICA_SERVER_URL", f.server.url()}, {"MULTICA_CODEX_PATH", fake_codex_path()}};
  env["MULTICA_TOKEN"] = token;
  auto ok = json::parse(f.cli({"doctor", "--json"}, env).out);
  std::map<std::string, json> by_name;
  for (const auto& c : ok.at("checks")) by_name[c.at("check")] = c;
  CHECK(by_name.at("server").at("status") == "PASS");
  CHECK(by_name.at("token").at("status") == "PASS");
  CHECK_THAT(by_name.at("token").at("found").get<std::string>(), Catch::Contains("1 workspace(s)"));
  env["MULTICA_TOKEN"] = "mul_ffffffffffffffffffffffffffffffffffffffff";
  auto bad = f.cli({"doctor", "--json"}, env);
  CHECK(bad.status == 2);
  CHECK_THAT(bad.out, Catch::Contains("rejected (from MULTICA_TOKEN)"));
  CHECK(bad.out.find("mul_ffff") == std::string::npos);
}

TEST_CASE("doctor names the process that holds the health port", "[integration][ops]") {
  ops_fixture f;
  auto& d = f.start();
  auto r = f.cli({"doctor", "--json"}, {{"MULTICA_DAEMON_HEALTH_PORT", std::to_string(d.health_port())},
                                        {"MULTICA_CODEX_PATH", fake_codex_path()}});
  CHECK_THAT(r.out, Catch::Contains("in use by pid " + std::to_string(d.pid())) && Catch::Contains("multicad status"));
}

TEST_CASE("JSON logs are one object per line", "[integration][ops]") {
  ops_fixture f;
  auto& d = f.start({{"MULTICA_LOG_FORMAT", "json"}});
  REQUIRE(f.completed(f.server.add_task(f.workspace)));
  REQUIRE(d.wait_log("task completed"));
  std::istringstream lines(d.log());
  int n = 0;
  for (std::string line; std::getline(lines, line);) {
    INFO(line);
    auto j = json::parse(line, nullptr, false);
    REQUIRE_FALSE(j.is_discarded());
    CHECK(j.contains("time"));
    CHECK(j.contains("level"));
    CHECK(j.contains("msg"));
    ++n;
  }
  CHECK(n > 3);
}

TEST_CASE("under systemd the log carries syslog priorities and no timestamp", "[integration][ops]") {
  ops_fixture f;
  auto port = free_port();
  std::map<std::string, std::string> env{{"MULTICA_DAEMON_HEALTH_PORT", std::to_string(port)},
                                         {"MULTICA_CODEX_PATH", "/nonexistent/codex"}};
  auto r = f.under_journal({"run"}, env);  // exits at once: no codex
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Contains("<6>INFO multicad starting") && Catch::Contains("<4>WARN agent CLI not found") &&
                        Catch::Contains("<3>ERROR cannot start: no usable agent CLI"));
  CHECK(r.err.find("Z INFO") == std::string::npos);
  CHECK(every_line_has_priority(r.err));
}

TEST_CASE("a JOURNAL_STREAM that is not stderr is ignored", "[integration][ops]") {
  // E.g. a terminal opened from a `systemd --user` session inherits the variable.
  ops_fixture f;
  std::map<std::string, std::string> env{{"JOURNAL_STREAM", "8:12345"}, {"MULTICA_DAEMON_HEALTH_PORT", std::to_string(free_port())},
                                         {"MULTICA_CODEX_PATH", "/nonexistent/codex"}};
  auto r = f.cli({"run"}, env);
  CHECK(r.status == 1);
  CHECK(r.err.find("<6>") == std::string::npos);
  CHECK(r.err.find("<3>") == std::string::npos);
  CHECK_THAT(r.err, Catch::Contains("Z INFO  multicad starting") && Catch::Contains("Z ERROR cannot start: no usable agent CLI"));
}

TEST_CASE("fatal start-up errors go through the log with their priority", "[integration][ops]") {
  ops_fixture f;
  // An invalid configuration: exit 2, and `journalctl -p warning` shows why.
  auto bad_config = f.under_journal({"run"}, {{"MULTICA_DAEMON_POLL_INTERVAL", "soon"}});
  INFO(bad_config.err);
  CHECK(bad_config.status == 2);
  CHECK_THAT(at_warning_or_worse(bad_config.err),
             Catch::Contains("ERROR cannot start: invalid configuration error=\"MULTICA_DAEMON_POLL_INTERVAL: poll_interval = "));
  CHECK(every_line_has_priority(bad_config.err));
  CHECK(bad_config.err.find("\nmulticad: ") == std::string::npos);

  // A log file that cannot be opened (its folder is a file): exit 2, and the
  // reason reaches the journal at error priority, since the file cannot.
  write_file(f.dir / "not-a-folder", "");
  auto bad_log = f.under_journal({"run"}, {{"MULTICA_LOG_FILE", (f.dir / "not-a-folder/daemon.log").string()},
                                           {"MULTICA_DAEMON_HEALTH_PORT", std::to_string(free_port())}});
  INFO(bad_log.err);
  CHECK(bad_log.status == 2);
  CHECK_THAT(at_warning_or_worse(bad_log.err), Catch::Contains("ERROR cannot start: cannot open the log file error=") &&
                                                   Catch::Contains("not-a-folder/daemon.log"));
  CHECK(every_line_has_priority(bad_log.err));
}

TEST_CASE("a SIGHUP reload that fails says why in log.file", "[integration][ops]") {
  ops_fixture f;
  auto& d = f.start();
  write_file(f.dir / "xdg/multicad/config.toml", "poll_interval = \"soon\"\n");
  d.signal(SIGHUP);
  REQUIRE(d.wait_log("configuration reload failed; keeping the current settings"));
  CHECK_THAT(d.log(), Catch::Contains("WARN  configuration reload failed; keeping the current settings error=\"") &&
                          Catch::Contains("config.toml:1: poll_interval = \\\"soon\\\": not a duration"));
  CHECK(http_request(d.health_port(), "GET", "/health").status == 200);  // still running, old settings
}

TEST_CASE("the log file rotates at log.max_size and SIGHUP reopens it with the new level", "[integration][ops]") {
  ops_fixture f;
  auto& d = f.start({{"MULTICA_LOG_MAX_SIZE", "1KB"}, {"MULTICA_LOG_MAX_FILES", "2"}});
  for (int i = 0; i < 3; ++i) REQUIRE(f.completed(f.server.add_task(f.workspace)));  // each task logs a few lines
  CHECK(std::filesystem::exists(f.dir / "daemon.1.log"));
  CHECK(std::filesystem::file_size(f.dir / "daemon.log") <= 1024);
  CHECK_FALSE(std::filesystem::exists(f.dir / "daemon.3.log"));  // log.max_files = 2
  // An external rotation moves the file away; SIGHUP makes the daemon write a new one.
  write_file(f.dir / "xdg/multicad/config.toml", "[log]\nlevel = \"warn\"\n");
  std::filesystem::rename(f.dir / "daemon.log", f.dir / "moved.log");
  d.signal(SIGHUP);
  REQUIRE(eventually([&] { return std::filesystem::exists(f.dir / "daemon.log"); }));
  CHECK(d.wait_log("SIGHUP: log reopened and settings reloaded"));
  CHECK_THAT(d.log(), Catch::Contains("log_level=debug"));  // the environment still says debug: env > file
}

TEST_CASE("SIGHUP applies a new log level from the configuration file", "[integration][ops]") {
  ops_fixture f;
  write_file(f.dir / "xdg/multicad/config.toml", "[log]\nlevel = \"info\"\n");
  // The level comes from the file alone; a GC pass every second logs at DEBUG.
  auto& d = f.start({{"MULTICA_LOG_LEVEL", daemon_process::unset}, {"MULTICA_GC_INTERVAL", "1s"}});
  auto beats = [&] {
    int n = 0;
    for (const auto& c : f.server.calls()) n += c.at("path").get<std::string>().ends_with("/heartbeat");
    return n;
  };
  // Heartbeats come every second: three of them span GC passes that logged nothing at info.
  const int before = beats();
  REQUIRE(eventually([&] { return beats() >= before + 3; }));
  CHECK(d.log().find(" DEBUG ") == std::string::npos);
  write_file(f.dir / "xdg/multicad/config.toml", "[log]\nlevel = \"debug\"\n");
  d.signal(SIGHUP);
  REQUIRE(d.wait_log("SIGHUP: log reopened and settings reloaded"));
  CHECK(d.wait_log(" DEBUG GC pass"));
}

TEST_CASE("no secret reaches a log line", "[integration][ops]") {
  ops_fixture f;
  auto& d = f.start();
  auto id = f.server.add_task(f.workspace, {{"agent", {{"name", "B"}, {"custom_env", {{"API_SECRET", secret_value},
                                           {"MULTICA_TOKEN", secret_value}}}}}});
  REQUIRE(f.completed(id));
  // A 401 mid-run puts error bodies and request failures in the log too.
  f.server.control("POST", "/_fake/faults", {{"path", "/heartbeat$"}, {"mode", "status"}, {"status", 401}, {"count", 2}});
  REQUIRE(d.wait_log("heartbeat failed"));
  d.signal(SIGTERM);
  REQUIRE(d.wait(30s).has_value());
  auto log = d.log();
  CHECK(log.find(token) == std::string::npos);
  CHECK(log.find(std::string(token).substr(4, 20)) == std::string::npos);
  CHECK(log.find(secret_value) == std::string::npos);
  CHECK(log.find("Bearer") == std::string::npos);
  CHECK(log.find("key=MULTICA_TOKEN") != std::string::npos);  // the refused key is named, its value is not
}

TEST_CASE("under systemd the daemon reports READY and STATUS and WATCHDOG and STOPPING", "[integration][ops]") {
  ops_fixture f;
  auto socket_path = f.dir / "notify.sock";
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_path.c_str(), sizeof addr.sun_path - 1);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  auto& d = f.start({{"NOTIFY_SOCKET", socket_path.string()}, {"WATCHDOG_USEC", "1000000"}});
  std::string all;
  auto receive_until = [&](const std::string& want) {
    return eventually([&] {
      char buf[4096];
      pollfd p{fd, POLLIN, 0};
      while (::poll(&p, 1, 50) == 1) {
        auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n > 0) all.append(buf, static_cast<std::size_t>(n)).append("\n");
      }
      return all.find(want) != std::string::npos;
    }, 15s);
  };
  CHECK(receive_until("READY=1"));
  CHECK(receive_until("STATUS=server mode: registered in 1 workspace(s)"));
  CHECK(receive_until("WATCHDOG=1"));
  d.signal(SIGTERM);
  CHECK(receive_until("STOPPING=1"));
  ::close(fd);
}
