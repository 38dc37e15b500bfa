// Disk with the real daemon: artifacts of finished tasks go after
// gc.artifact_ttl and their source stays; over gc.max_size the oldest
// finished folders go first (artifacts, done issues, open issues) and a
// running task's folder stays; with nothing left the WARN names what holds
// the space; `multicad disk-usage --json` agrees with `du` on the same tree
// and reads the running daemon's root.
// Trees the daemon must see whole are built beside the root and renamed in
// (one atomic step), so a GC pass never sees half of one.
#include <catch2/catch.hpp>

#include "test/support/http.hpp"
#include "test/support/server_daemon_fixture.hpp"

using namespace multicad::test;
using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t MiB = 1024 * 1024;
constexpr std::uint64_t unit = 4 * MiB;

struct disk_fixture : server_daemon_fixture {
  fs::path root() const { return dir / "ws"; }
  fs::path staging() const { return dir / "staging"; }

  // The task folder of a task this daemon ran or runs.
  fs::path folder_of(const std::string& task_id) const {
    std::string name;
    for (char c : task_id)
      if (c != '-' && name.size() < 8) name += c;
    return root() / workspace / name;
  }
  std::string issue_of(const std::string& task_id) { return server.task(task_id).at("issue_id"); }

  // Builds `relative` (a file of `bytes` real bytes) under staging and moves it to `target`.
  void place(const fs::path& target, std::uint64_t bytes) {
    auto tmp = staging() / target.filename();
    write_file(tmp, std::string(bytes, 'x'));
    fs::create_directories(target.parent_path());
    fs::rename(tmp, target);
  }

  command_result cli(std::vector<std::string> args, std::map<std::string, std::string> env = {}) const {
    args.insert(args.begin(), MULTICAD_BINARY);
    env.emplace("HOME", (dir / "home").string());
    env.emplace("XDG_CONFIG_HOME", (dir / "xdg").string());
    std::vector<std::string> unset;
    for (char** p = environ; *p; ++p) {
      std::string kv(*p);
      auto key = kv.substr(0, kv.find('='));
      if (key.starts_with("MULTICA_") && !env.count(key)) unset.push_back(key);
    }
    return run_command({args, env, unset, {}}, 90s);
  }
};

std::uint64_t du(const fs::path& p) {
  auto r = run_command({{"/usr/bin/du", "-sxB1", p.string()}, {}, {}, {}});
  REQUIRE(r.status == 0);
  return std::stoull(r.out);
}

std::string meta(const std::string& issue, const std::string& ws, const std::string& completed_at) {
  return json{{"issue_id", issue}, {"workspace_id", ws}, {"completed_at", completed_at}}.dump();
}

// RFC 3339 for "now minus h hours".
std::string hours_ago(int h) {
  auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() - std::chrono::hours(h));
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

}  // namespace

TEST_CASE("finished task folders lose node_modules after the artifact ttl and keep their source", "[integration][disk]") {
  disk_fixture f;
  auto& d = f.start({{"MULTICA_GC_INTERVAL", "1s"}, {"MULTICA_GC_ARTIFACT_TTL", "1s"}});
  auto id = f.task({});
  REQUIRE(f.wait_status(id, "completed"));
  auto task = f.folder_of(id);
  // Written right after the final report, so it may trail the server's "completed".
  REQUIRE(eventually([&] { return fs::exists(task / ".gc_meta.json"); }));
  // What the agent left: an install, a build cache, its source, a repository.
  write_file(f.staging() / "app/node_modules/react/index.js", std::string(300000, 'x'));
  write_file(f.staging() / "app/.next/cache/page", std::string(100000, 'n'));
  write_file(f.staging() / "app/src/index.js", "export default 1;\n");
  write_file(f.staging() / "app/.git/HEAD", "ref: refs/heads/main\n");
  write_file(f.staging() / "app/.git/node_modules/kept", "inside .git: never searched");
  fs::rename(f.staging() / "app", task / "workdir/app");

  CHECK(eventually([&] { return !fs::exists(task / "workdir/app/node_modules"); }, 30s));
  CHECK(eventually([&] { return !fs::exists(task / "workdir/app/.next"); }, 30s));
  CHECK(fs::exists(task / "workdir/app/src/index.js"));
  CHECK(fs::exists(task / "workdir/app/.git/HEAD"));
  CHECK(fs::exists(task / "workdir/app/.git/node_modules/kept"));
  CHECK(fs::exists(task / ".gc_meta.json"));  // the folder itself stays: the issue is open
  CHECK(d.wait_log("GC pass freed disk space"));
  CHECK(d.wait_log("artifact_folders=1"));
}

TEST_CASE("over the size quota the oldest finished folders go first and the running task's folder stays", "[integration][disk]") {
  disk_fixture f;
  // Everything below comes to 17 units; 11 allowed: about 6 units must go.
  auto& d = f.start({{"MULTICA_GC_INTERVAL", "1s"}, {"MULTICA_GC_MAX_SIZE", std::to_string(11 * unit)}});
  std::vector<std::string> done_tasks;
  for (int i = 0; i < 4; ++i) {
    done_tasks.push_back(f.task({}));
    REQUIRE(f.wait_status(done_tasks.back(), "completed"));
  }
  auto running = f.task({{"FAKE_CODEX_SCENARIO", "hang"}});
  REQUIRE(f.wait_status(running, "running"));
  auto r = f.folder_of(running);
  REQUIRE(eventually([&] { return fs::is_directory(r / "workdir"); }));
  f.place(r / "workdir/build-output.bin", 8 * unit);  // the biggest, and without metadata: first in line if unguarded

  // Four finished folders of the same issues, ended hours ago (oldest first):
  // A (open, with a 2-unit install), B (done), C (open, 4 units), D (open).
  auto A = f.issue_of(done_tasks[0]), B = f.issue_of(done_tasks[1]), C = f.issue_of(done_tasks[2]),
       D = f.issue_of(done_tasks[3]);
  f.server.control("POST", "/_fake/issues/" + B, {{"status", "done"}});  // updated now: gc.ttl is far away
  auto seeded = f.staging() / "seeded";
  auto folder = [&](const std::string& name, const std::string& issue, int age_h, std::uint64_t units) {
    write_file(seeded / name / ".gc_meta.json", meta(issue, "seeded", hours_ago(age_h)));
    write_file(seeded / name / "workdir/src/blob", std::string(units * unit, 's'));
  };
  folder("aaaaaaaa", A, 10, 1);
  write_file(seeded / "aaaaaaaa/workdir/node_modules/dep/blob", std::string(2 * unit, 'n'));
  folder("bbbbbbbb", B, 9, 1);
  folder("cccccccc", C, 8, 4);
  folder("dddddddd", D, 7, 1);
  fs::rename(seeded, f.root() / "seeded");

  // A's install, then B (done), then A and C (open, oldest first): 8 units.
  // Taking the running folder instead would have covered the need at once.
  CHECK(eventually([&] { return !fs::exists(f.root() / "seeded/cccccccc"); }, 60s));
  CHECK(d.wait_log("GC pass freed disk space"));
  CHECK_FALSE(fs::exists(f.root() / "seeded/aaaaaaaa"));
  CHECK_FALSE(fs::exists(f.root() / "seeded/bbbbbbbb"));
  CHECK(fs::exists(f.root() / "seeded/dddddddd/workdir/src/blob"));
  CHECK(fs::exists(r / "workdir/build-output.bin"));
  CHECK(f.status_of(running) == "running");
  for (int i : {0, 2, 3}) CHECK(fs::exists(f.folder_of(done_tasks[i])));  // newer open folders stay
  CHECK(du(f.root()) <= 11 * unit);
  auto h = d.health();
  CHECK(h.at("disk").at("reclaimed_bytes_total").get<std::uint64_t>() >= 6 * unit);
  CHECK(h.at("disk").at("over_quota") == false);
}

TEST_CASE("over the quota with nothing left the WARN names the running task and status says so", "[integration][disk]") {
  disk_fixture f;
  auto& d = f.start({{"MULTICA_GC_INTERVAL", "1s"}, {"MULTICA_GC_MAX_SIZE", "1MB"}});
  auto running = f.task({{"FAKE_CODEX_SCENARIO", "hang"}});
  REQUIRE(f.wait_status(running, "running"));
  auto r = f.folder_of(running);
  REQUIRE(eventually([&] { return fs::is_directory(r / "workdir"); }));
  f.place(r / "workdir/big.bin", 2 * MiB);
  REQUIRE(d.wait_log("running_tasks=1", 30s));
  CHECK_THAT(d.log(), Catch::Contains("over the disk quota with nothing left to reclaim"));
  CHECK(fs::exists(r / "workdir/big.bin"));
  REQUIRE(eventually([&] { return d.health().at("disk").at("over_quota") == true; }));
  auto status = f.cli({"status"}, {{"MULTICA_DAEMON_HEALTH_PORT", std::to_string(d.health_port())}});
  CHECK_THAT(status.out, Catch::Contains("OVER QUOTA"));
  auto m = http_request(d.health_port(), "GET", "/metrics");
  CHECK_THAT(m.body, Catch::Contains("multicad_disk_used_bytes ") && Catch::Contains("multicad_disk_free_bytes ") &&
                         Catch::Contains("multicad_disk_reclaimed_bytes_total "));
  // disk-usage shows the running folder as running, with nothing reclaimable.
  auto u = f.cli({"disk-usage", "--json", "--port", std::to_string(d.health_port())});
  REQUIRE(u.status == 0);
  auto j = json::parse(u.out);
  bool seen = false;
  for (const auto& t : j.at("tasks"))
    if (t.at("path") == r.string()) {
      seen = true;
      CHECK(t.at("state") == "running");
      CHECK(t.at("artifact_bytes") == 0);
    }
  CHECK(seen);
}

TEST_CASE("disk-usage agrees with du and reads the running daemon's root", "[integration][disk]") {
  disk_fixture f;
  auto& d = f.start({{"MULTICA_GC_ENABLED", "false"}});
  auto a = f.task({}), b = f.task({});
  REQUIRE(f.wait_status(a, "completed"));
  REQUIRE(f.wait_status(b, "completed"));
  // The server hears "completed" before the daemon writes the folder's GC
  // metadata; until then the folder reads as unfinished, with no artifacts.
  for (const auto& id : {a, b}) REQUIRE(eventually([&] { return fs::exists(f.folder_of(id) / ".gc_meta.json"); }));
  write_file(f.folder_of(a) / "workdir/web/node_modules/x/index.js", std::string(200000, 'x'));
  write_file(f.folder_of(a) / "workdir/web/package.json", "{}");
  write_file(f.root() / ".repos" / f.workspace / "web.git/HEAD", "ref: refs/heads/main\n");
  write_file(f.root() / ".repos" / f.workspace / "web.git/objects/pack/p.pack", std::string(150000, 'p'));
  write_file(f.root() / ".repos" / f.workspace / "web.git.lock", "");

  // No MULTICA_WORKSPACES_ROOT: the settings would say ~/multica_workspaces;
  // the daemon on this port says where it really works.
  auto port = std::to_string(d.health_port());
  auto r = f.cli({"disk-usage", "--json", "--port", port});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  auto j = json::parse(r.out);
  CHECK(j.at("root_source") == "daemon");
  CHECK(j.at("workspaces_root") == f.root().string());
  CHECK(j.at("total_bytes").get<std::uint64_t>() == du(f.root()));
  REQUIRE(j.at("tasks").size() == 2);
  for (const auto& t : j.at("tasks")) CHECK(t.at("bytes").get<std::uint64_t>() == du(t.at("path").get<std::string>()));
  CHECK(j.at("tasks").at(0).at("path") == f.folder_of(a).string());  // largest first
  CHECK(j.at("tasks").at(0).at("artifact_bytes").get<std::uint64_t>() >= 200000);
  REQUIRE(j.at("repo_caches").size() == 1);
  CHECK(j.at("repo_caches").at(0).at("bytes").get<std::uint64_t>() == du(f.root() / ".repos" / f.workspace / "web.git"));

  auto text = f.cli({"disk-usage", "--by-workspace", "--port", port});
  CHECK_THAT(text.out, Catch::Contains("from the running daemon on 127.0.0.1:" + port) && Catch::Contains(f.workspace));

  // Without a daemon the settings decide, and the output says so.
  f.daemon.reset();
  auto fallback = f.cli({"disk-usage", "--json", "--port", port}, {{"MULTICA_WORKSPACES_ROOT", f.root().string()}});
  auto k = json::parse(fallback.out);
  CHECK(k.at("root_source") == "settings");
  CHECK_THAT(k.at("root_source_detail").get<std::string>(), Catch::Contains("MULTICA_WORKSPACES_ROOT"));
  CHECK(k.at("total_bytes").get<std::uint64_t>() == du(f.root()));
}
