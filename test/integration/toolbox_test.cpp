// The agent's toolbox through the real daemon: the capability a task's agent
// gets (read from the fake codex's log, where Codex would pass it to its
// commands) opens only the agent-facing calls of its own workspace while the
// task runs, and POST /repo/checkout clones listed repositories into the
// task's workdir. The fake server records what reached it, headers included.
#include <catch2/catch.hpp>

#include <fstream>
#include <future>
#include <sstream>

#include "test/support/http.hpp"
#include "test/support/server_daemon_fixture.hpp"

using namespace multicad::test;
using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

using header_list = std::vector<std::pair<std::string, std::string>>;

// The thread/start the fake codex received: its config holds the commands' environment.
json thread_start(const fs::path& log) {
  if (!fs::exists(log)) return nullptr;
  std::istringstream in(read_file(log));
  for (std::string l; std::getline(in, l);) {
    auto j = json::parse(l, nullptr, false);
    if (j.is_object() && j.value("method", "") == "thread/start") return j;
  }
  return nullptr;
}

// git by its path: run_command does not search PATH.
std::string run(std::vector<std::string> argv, const fs::path& cwd = {}) {
  if (argv[0] == "git") argv[0] = "/usr/bin/git";
  auto r = run_command({argv, {}, {}, cwd}, 60s);
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  return r.out;
}

struct toolbox_fixture : server_daemon_fixture {
  fs::path log = dir / "codex.log";
  std::string task_id, capability;
  int port = 0;

  // One task whose fake codex waits until cancelled; returns its capability.
  void start_hanging_task(std::map<std::string, std::string> env = {}) {
    auto& d = start(std::move(env));
    port = d.health_port();
    task_id = task({{"FAKE_CODEX_SCENARIO", "hang"}, {"FAKE_CODEX_LOG", log.string()}});
    REQUIRE(wait_status(task_id, "running"));
    REQUIRE(eventually([&] { return !thread_start(log).is_null(); }));
    capability = thread_start(log).at("params").at("config").at("shell_environment_policy.set.MULTICA_TOKEN");
  }

  http_reply call(const std::string& method, const std::string& target, const std::string& bearer,
                  const std::string& body = "") {
    header_list h{{"Host", "127.0.0.1:" + std::to_string(port)}};
    if (!bearer.empty()) h.emplace_back("Authorization", "Bearer " + bearer);
    if (!body.empty()) h.emplace_back("Content-Type", "application/json");
    return http_request_with_headers(port, method, target, h, body);
  }

  json last_user_call(const std::string& path) {
    json found;
    for (const auto& c : server.calls())
      if (c.at("path") == path) found = c;
    return found;
  }
};

}  // namespace

TEST_CASE("a task capability opens its workspace's agent calls and nothing else", "[integration][toolbox][security]") {
  toolbox_fixture f;
  f.start_hanging_task();
  const auto issue = f.server.task(f.task_id).at("issue_id").get<std::string>();
  CHECK(f.capability.starts_with("mct_"));
  CHECK(f.capability != fake_server_token);

  auto got = f.call("GET", "/api/issues/" + issue, f.capability);
  INFO(got.body);
  REQUIRE(got.status == 200);
  CHECK(json::parse(got.body).at("id") == issue);
  // Upstream it carries the owner's token and the task's identity, whatever the agent sent.
  auto seen = f.last_user_call("/api/issues/" + issue);
  REQUIRE(seen.is_object());
  CHECK(seen.at("headers").at("authorization") == std::string("Bearer ") + fake_server_token);
  CHECK(seen.at("headers").at("x-workspace-id") == f.workspace);
  CHECK(seen.at("headers").at("x-task-id") == f.task_id);

  auto comment = f.call("POST", "/api/issues/" + issue + "/comments", f.capability, R"({"content":"on it"})");
  CHECK(comment.status == 201);

  // Another workspace of the same owner, chosen any way the server would honour.
  auto other = f.server.control("POST", "/_fake/workspaces", {{"name", "other"}}).at("id").get<std::string>();
  f.server.control("POST", "/_fake/tokens", {{"token", fake_server_token}, {"workspace_ids", {f.workspace, other}}});
  CHECK(f.call("GET", "/api/workspaces/" + other, f.capability).status == 403);
  CHECK(f.call("GET", "/api/issues?workspace_id=" + other, f.capability).status == 403);
  CHECK(f.call("GET", "/api/issues?workspace_slug=other", f.capability).status == 403);
  CHECK(f.call("GET", "/api/workspaces/" + f.workspace, f.capability).status == 200);
  // Calls no multica command makes.
  CHECK(f.call("GET", "/api/workspaces", f.capability).status == 403);
  CHECK(f.call("POST", "/api/daemon/tasks/" + f.task_id + "/complete", f.capability, "{}").status == 403);
  CHECK(f.daemon->wait_log("agent API call refused"));
  // No capability, a wrong one, the owner's own token.
  CHECK(f.call("GET", "/api/issues/" + issue, "").status == 401);
  CHECK(f.call("GET", "/api/issues/" + issue, "mct_" + std::string(40, '0')).status == 401);
  CHECK(f.call("GET", "/api/issues/" + issue, fake_server_token).status == 401);

  // Once the task ends its capability opens nothing.
  f.server.control("POST", "/_fake/tasks/" + f.task_id + "/cancel");
  REQUIRE(eventually([&] { return task_processes(f.task_id) == 0; }));
  REQUIRE(f.daemon->wait_log("task stopped; nothing reported"));
  CHECK(f.call("GET", "/api/issues/" + issue, f.capability).status == 401);
  // The owner's token reached the agent nowhere: not in Codex's environment, not in what it was sent.
  CHECK(read_file(f.log).find(fake_server_token) == std::string::npos);
}

TEST_CASE("repo checkout clones a listed repository into the task's workdir on its own branch", "[integration][toolbox]") {
  toolbox_fixture f;
  // A bare repository with one commit on main, as a workspace lists it.
  auto origin = f.dir / "origin.git";
  auto seed = f.dir / "seed";
  run({"git", "init", "-q", "--bare", "-b", "main", origin.string()});
  run({"git", "clone", "-q", origin.string(), seed.string()});
  write_file(seed / "README.md", "hello\n");
  run({"git", "-C", seed.string(), "add", "README.md"});
  run({"git", "-C", seed.string(), "-c", "user.email=t@example", "-c", "user.name=T", "commit", "-q", "-m", "readme"});
  run({"git", "-C", seed.string(), "push", "-q", "origin", "HEAD:main"});
  const auto url = "file://" + origin.string();

  f.start_hanging_task();
  auto workdir = thread_start(f.log).at("params").at("cwd").get<std::string>();
  auto body = [&](const std::string& u, const std::string& wd, const std::string& ws) {
    return json{{"url", u}, {"workspace_id", ws}, {"workdir", wd}, {"agent_name", "Builder"}, {"task_id", f.task_id}}.dump();
  };
  // Not listed yet, even after the daemon asked the server again.
  auto refused = f.call("POST", "/repo/checkout", f.capability, body(url, workdir, f.workspace));
  CHECK(refused.status == 400);
  CHECK(refused.body == "repo is not configured for this workspace\n");
  f.server.control("POST", "/_fake/workspaces/" + f.workspace + "/repos", {{"repos", {{{"url", url}, {"description", "the app"}}}}});

  CHECK(f.call("POST", "/repo/checkout", "", body(url, workdir, f.workspace)).status == 401);
  CHECK(f.call("POST", "/repo/checkout", f.capability, body(url, "/tmp", f.workspace)).status == 403);
  CHECK(f.call("POST", "/repo/checkout", f.capability, body(url, workdir, "0f1e2d3c-0000-4000-8000-000000000009")).status == 403);

  // Two checkouts of one repository at once (this task's, and a subfolder's request) share the cache safely.
  auto first = std::async(std::launch::async, [&] { return f.call("POST", "/repo/checkout", f.capability, body(url, workdir, f.workspace)); });
  auto second = std::async(std::launch::async, [&] { return f.call("POST", "/repo/checkout", f.capability, body(url, workdir, f.workspace)); });
  auto a = first.get(), b = second.get();
  INFO(a.body << b.body);
  REQUIRE(a.status == 200);
  REQUIRE(b.status == 200);
  auto out = json::parse(a.body);
  const fs::path checkout = out.at("path").get<std::string>();
  CHECK(checkout == fs::path(workdir) / "origin");
  CHECK(json::parse(b.body).at("path") == out.at("path"));
  const auto branch = out.at("branch_name").get<std::string>();
  CHECK(branch.starts_with("agent/builder-"));
  CHECK(branch.ends_with(f.task_id.substr(0, 8)));
  CHECK(read_file(checkout / "README.md") == "hello\n");
  CHECK(fs::is_directory(checkout / ".git"));  // its own git folder, inside the workdir
  CHECK(run({"git", "-C", checkout.string(), "rev-parse", "--abbrev-ref", "HEAD"}) == branch + "\n");
  CHECK(run({"git", "-C", checkout.string(), "remote", "get-url", "origin"}) == url + "\n");
  CHECK_THAT(read_file(checkout / ".git/info/exclude"), Catch::Contains("AGENTS.md"));
  // A commit needs nothing outside the checkout.
  write_file(checkout / "CHANGE.md", "change\n");
  run({"git", "-C", checkout.string(), "add", "CHANGE.md"});
  run({"git", "-C", checkout.string(), "-c", "user.email=a@example", "-c", "user.name=A", "commit", "-q", "-m", "agent change"});
  CHECK(run({"git", "-C", checkout.string(), "log", "-1", "--format=%s", branch}) == "agent change\n");
  // The cache is the workspace's, named for the URL, and its lock file records use.
  auto cache_dir = f.dir / "ws/.repos" / f.workspace;
  REQUIRE(fs::is_directory(cache_dir));
  int caches = 0;
  for (const auto& e : fs::directory_iterator(cache_dir)) caches += e.path().extension() == ".git";
  CHECK(caches == 1);
  CHECK(f.daemon->wait_log("repository checked out"));
}

TEST_CASE("the Multica CLI's daemon status and stop work against multicad", "[integration][toolbox]") {
  toolbox_fixture f;
  auto& d = f.start({{"MULTICA_LAUNCHED_BY", "desktop"}, {"MULTICA_PROFILE", "dev"},
                     {"MULTICA_DAEMON_HEALTH_PORT", std::to_string(free_port())}});
  f.port = d.health_port();
  // What `multica daemon status` reads (spec server-api.md §11.1, agent-toolbox.md §9.4).
  auto health = d.health();
  CHECK(health.at("status") == "running");
  CHECK(health.at("pid") == d.pid());
  CHECK(health.at("profile") == "dev");
  CHECK(health.at("launched_by") == "desktop");
  CHECK(health.at("os") == "linux");
  json registered;
  for (const auto& c : f.server.calls())
    if (c.at("path") == "/api/daemon/register") registered = c.at("body");
  CHECK(registered.at("launched_by") == "desktop");
  // `multica daemon stop` (newer CLI): POST /shutdown, no body. A page cannot send it.
  auto host = header_list{{"Host", "127.0.0.1:" + std::to_string(f.port)}};
  auto page = host;
  page.emplace_back("Origin", "https://evil.example");
  CHECK(http_request_with_headers(f.port, "POST", "/shutdown", page).status == 403);
  CHECK(http_request_with_headers(f.port, "GET", "/shutdown", host).status == 405);
  auto stop = http_request_with_headers(f.port, "POST", "/shutdown", host);
  CHECK(stop.status == 200);
  CHECK(stop.body == "{\"status\":\"shutting down\"}\n");
  auto status = d.wait(30s);
  REQUIRE(status.has_value());
  CHECK(*status == 0);
  CHECK(d.log().find("stop requested on the local endpoint") != std::string::npos);
  bool deregistered = false;
  for (const auto& c : f.server.calls()) deregistered = deregistered || c.at("path") == "/api/daemon/deregister";
  CHECK(deregistered);
}

TEST_CASE("doctor names the agents' multica and sees the daemon forward", "[integration][toolbox]") {
  toolbox_fixture f;
  auto& d = f.start();
  std::map<std::string, std::string> env{{"HOME", (f.dir / "home").string()}, {"MULTICA_STATE_DIR", (f.dir / "state").string()},
                                         {"MULTICA_SERVER_URL", f.server.url()}, {"MULTICA_TOKEN", fake_server_token},
                                         {"MULTICA_DAEMON_HEALTH_PORT", std::to_string(d.health_port())},
                                         {"MULTICA_WORKSPACES_ROOT", (f.dir / "ws").string()}, {"MULTICA_CODEX_PATH", fake_codex_path()}};
  auto doctor = [&](std::map<std::string, std::string> more) {
    for (auto& [k, v] : more) env[k] = v;
    auto r = run_command({{MULTICAD_BINARY, "doctor", "--json"}, env, {}, {}}, 60s);
    UNSCOPED_INFO(r.out << r.err);
    auto report = json::parse(r.out);  // kept: a range-for over a temporary's member would dangle
    for (const auto& c : report.at("checks"))
      if (c.at("check") == "agent toolbox") return c;
    return json();
  };
  auto c = doctor({});
  INFO(c.dump());
  CHECK(c.at("status") == "PASS");
  CHECK_THAT(c.at("found").get<std::string>(),
             Catch::Contains((f.dir / "state/bin/multica").string()) && Catch::Contains("forwards agent calls"));
  auto offline = doctor({{"MULTICA_CODEX_NETWORK_ACCESS", "false"}});
  CHECK(offline.at("status") == "WARN");
  CHECK_THAT(offline.at("found").get<std::string>(), Catch::Contains("no network"));
}

TEST_CASE("submit --repo runs a local task in a fresh checkout and leaves the user's clone alone", "[integration][toolbox]") {
  temp_dir dir;
  // The user's own clone, with work of their own in progress.
  auto mine = dir / "src/app";
  run({"git", "init", "-q", "-b", "main", mine.string()});
  write_file(mine / "README.md", "mine\n");
  run({"git", "-C", mine.string(), "add", "README.md"});
  run({"git", "-C", mine.string(), "-c", "user.email=u@example", "-c", "user.name=U", "commit", "-q", "-m", "mine"});
  write_file(mine / "DRAFT.md", "uncommitted\n");
  const int port = free_port();
  auto log = dir / "codex.log";
  std::map<std::string, std::string> env{{"HOME", (dir / "home").string()}, {"MULTICA_STATE_DIR", (dir / "state").string()},
                                         {"MULTICA_WORKSPACES_ROOT", (dir / "ws").string()},
                                         {"MULTICA_DAEMON_HEALTH_PORT", std::to_string(port)},
                                         {"MULTICA_CODEX_PATH", fake_codex_path()}};
  auto daemon_env = env;
  daemon_env["FAKE_CODEX_LOG"] = log.string();
  daemon_process d(dir, daemon_env);
  REQUIRE(d.wait_ready());
  std::vector<std::string> unset;
  for (char** p = environ; *p; ++p)
    if (std::string kv(*p); kv.starts_with("MULTICA_") || kv.starts_with("FAKE_CODEX_")) unset.push_back(kv.substr(0, kv.find('=')));
  auto r = run_command({{MULTICAD_BINARY, "submit", "tidy the readme", "--repo", mine.string(), "--wait", "--json"}, env, unset, {}}, 60s);
  INFO(r.out << r.err << d.log());
  REQUIRE(r.status == 0);
  json start;
  std::istringstream in(read_file(log));
  for (std::string l; std::getline(in, l);)
    if (auto j = json::parse(l, nullptr, false); j.is_object() && j.contains("argv") && j.at("argv").size() > 1) start = j;
  REQUIRE(start.is_object());
  const fs::path cwd = start.at("cwd").get<std::string>();
  CHECK(cwd.filename() == "app");
  CHECK(cwd.parent_path().filename() == "workdir");  // inside the task's own folder
  CHECK(read_file(cwd / "README.md") == "mine\n");
  CHECK_FALSE(fs::exists(cwd / "DRAFT.md"));  // a checkout of what is committed
  CHECK(run({"git", "-C", cwd.string(), "rev-parse", "--abbrev-ref", "HEAD"}).starts_with("agent/local/"));
  CHECK(read_file(mine / "DRAFT.md") == "uncommitted\n");  // the user's clone is untouched
  CHECK(run({"git", "-C", mine.string(), "rev-parse", "--abbrev-ref", "HEAD"}) == "main\n");
  auto both = run_command({{MULTICAD_BINARY, "submit", "x", "--repo", mine.string(), "--workdir", mine.string()}, env, unset, {}}, 60s);
  CHECK(both.status == 2);
}

TEST_CASE("GC removes a repository cache no checkout used for gc.repo_cache_ttl", "[integration][toolbox][gc]") {
  temp_dir dir;
  auto caches = dir / "ws/.repos/0f1e2d3c-0000-4000-8000-000000000004";
  run({"git", "init", "-q", "--bare", (caches / "old.git").string()});
  run({"git", "init", "-q", "--bare", (caches / "new.git").string()});
  write_file(caches / "old.git.lock", "");
  write_file(caches / "new.git.lock", "");
  fs::last_write_time(caches / "old.git.lock", fs::file_time_type::clock::now() - std::chrono::hours(24 * 40));
  daemon_process d(dir, {{"MULTICA_GC_INTERVAL", "1s"}, {"MULTICA_GC_REPO_CACHE_TTL", "720h"}});
  REQUIRE(d.wait_ready());
  REQUIRE(eventually([&] { return !fs::exists(caches / "old.git"); }));
  CHECK(fs::exists(caches / "new.git/HEAD"));
  CHECK(fs::exists(caches / "old.git.lock"));  // the lock stays, so a checkout waiting on it is safe
  CHECK(d.wait_log("GC pass freed disk space"));
}
