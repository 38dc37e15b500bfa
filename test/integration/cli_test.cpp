// The multicad binary as operators use it: env prepare, config show, doctor.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "test/support/child_process.hpp"
#include "test/support/temp_dir.hpp"

using namespace multicad::test;
namespace fs = std::filesystem;

namespace {

struct cli {
  temp_dir dir;
  std::map<std::string, std::string> env{};

  command_result run(std::vector<std::string> args) {
    args.insert(args.begin(), MULTICAD_BINARY);
    std::map<std::string, std::string> e{{"HOME", (dir / "home").string()},
                                         {"CODEX_HOME", (dir / "shared").string()},
                                         {"PATH", "/usr/bin:/bin"}};
    for (const auto& [k, v] : env) e[k] = v;
    std::vector<std::string> unset{"XDG_CONFIG_HOME"};
    for (char** p = environ; *p; ++p) {
      std::string kv(*p);
      if (kv.starts_with("MULTICA_")) unset.push_back(kv.substr(0, kv.find('=')));
    }
    return run_command({args, e, unset, {}});
  }
};

}  // namespace

TEST_CASE("env prepare prints the environment and the chosen policy", "[integration][cli]") {
  cli c;
  auto r = c.run({"env", "prepare", "--workspaces-root", (c.dir / "ws").string(), "--workspace-id", "w1",
                  "--task-id", "7b0e6a0c-2f1d", "--platform", "linux", "--codex-version", "0.171.0"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("workdir:        " + (c.dir / "ws/w1/7b0e6a0c/workdir").string()));
  CHECK_THAT(r.out, Catch::Contains("sandbox_mode:   workspace-write"));
  CHECK_THAT(r.out, Catch::Contains("network_access: true"));
  CHECK_THAT(r.out, Catch::Contains("reused:         false"));
  CHECK_THAT(r.out, Catch::Contains("(written)"));
  CHECK(fs::exists(c.dir / "ws/w1/7b0e6a0c/codex-home/config.toml"));
}

TEST_CASE("env prepare on darwin warns about the fallback once and prints JSON when asked", "[integration][cli]") {
  cli c;
  std::vector<std::string> args{"env", "prepare", "--workspaces-root", (c.dir / "ws").string(), "--workspace-id",
                                "w1", "--task-id", "abcdef12", "--platform", "darwin", "--codex-version", "", "--json"};
  auto r = c.run(args);
  INFO(r.err);
  REQUIRE(r.status == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["policy"]["mode"] == "danger-full-access");
  CHECK(j["policy"]["network_access"] == false);
  CHECK(j["codex_version"] == "unknown");
  CHECK_THAT(r.err, Catch::Contains("WARN  codex sandbox: falling back to danger-full-access on macOS reason=") &&
                        Catch::Contains("codex_version=unknown") && Catch::Contains("hint=") &&
                        Catch::Contains("config_path=" + (c.dir / "ws/w1/abcdef12/codex-home/config.toml").string()));
  // Reusing with the same policy writes nothing and says nothing.
  args.push_back("--prior-workdir");
  args.push_back((c.dir / "ws/w1/abcdef12/workdir").string());
  auto again = c.run(args);
  REQUIRE(again.status == 0);
  CHECK(nlohmann::json::parse(again.out)["reused"] == true);
  CHECK(nlohmann::json::parse(again.out)["config_written"] == false);
  CHECK(again.err.find("falling back") == std::string::npos);
}

TEST_CASE("env prepare takes a claimed task for skills and context", "[integration][cli]") {
  cli c;
  write_file(c.dir / "task.json", R"({"id":"7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11","workspace_id":"0f1e2d3c-0000-4000-8000-000000000009",
    "issue_id":"9c8d7e6f-0000-4000-8000-000000000042",
    "agent":{"id":"1a2b3c4d-0000-4000-8000-000000000001","name":"Builder","instructions":"Be careful.","skills":[{"name":"Deploy","content":"# Deploy"}]}})");
  auto r = c.run({"env", "prepare", "--workspaces-root", (c.dir / "ws").string(), "--task-json",
                  (c.dir / "task.json").string(), "--codex-version", "0.171.0"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  auto root = c.dir / "ws/0f1e2d3c-0000-4000-8000-000000000009/7b0e6a0c";
  CHECK(fs::exists(root / "codex-home/skills/deploy/SKILL.md"));
  CHECK_THAT(read_file(root / "workdir/.agent_context/issue_context.md"), Catch::Contains("9c8d7e6f-0000-4000-8000-000000000042"));
  CHECK_THAT(read_file(root / "workdir/AGENTS.md"), Catch::Contains("Be careful."));
}

TEST_CASE("env prepare refuses ids that escape the root with a clear message", "[integration][cli]") {
  cli c;
  auto r = c.run({"env", "prepare", "--workspaces-root", (c.dir / "ws").string(), "--workspace-id", "../../etc",
                  "--task-id", "abcdef12", "--codex-version", "0.171.0"});
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Contains("workspace id \"../../etc\" is not usable as a directory name"));
  CHECK_FALSE(fs::exists(c.dir / "ws"));

  write_file(c.dir / "bad.json", R"({"id":"7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11","agent":{"skills":[{"name":"x","files":[{"path":"../../../../evil","content":"x"}]}]}})");
  r = c.run({"env", "prepare", "--workspaces-root", (c.dir / "ws").string(), "--workspace-id", "w", "--task-json",
             (c.dir / "bad.json").string(), "--codex-version", "0.171.0"});
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Contains("not a safe relative path"));
  CHECK_FALSE(fs::exists(c.dir / "evil"));

  write_file(c.dir / "garbage.json", "{\"id\": [");
  r = c.run({"env", "prepare", "--workspaces-root", (c.dir / "ws").string(), "--task-json",
             (c.dir / "garbage.json").string()});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("not valid JSON"));

  r = c.run({"env", "prepare", "--workspace-id", "w", "--task-id", "t", "--platform", "solaris"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("--platform must be linux, darwin or windows"));
}

namespace {
std::string squeeze_spaces(const std::string& s) {
  std::string out;
  for (char ch : s)
    if (!(ch == ' ' && !out.empty() && out.back() == ' ')) out += ch;
  return out;
}
}  // namespace

TEST_CASE("config show lists every value with its source and never the token", "[integration][cli]") {
  cli c;
  write_file(c.dir / "c.toml", "token = \"mul_supersecret\"\npoll_interval = \"5s\"\n");
  c.env["MULTICA_GC_TTL"] = "48h";
  auto r = c.run({"--config", (c.dir / "c.toml").string(), "config", "show", "--agent-timeout", "1h"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("supersecret") == std::string::npos);
  // Values are aligned in a column as wide as the longest key; compare with the padding squeezed.
  auto out = squeeze_spaces(r.out);
  CHECK_THAT(out, Catch::Contains("# token = (set, redacted)"));
  CHECK_THAT(out, Catch::Contains("poll_interval = \"5s\" # file " + (c.dir / "c.toml").string() + ":2"));
  CHECK_THAT(out, Catch::Contains("gc.ttl = \"48h0m0s\" # env MULTICA_GC_TTL"));
  CHECK_THAT(out, Catch::Contains("agent_timeout = \"1h0m0s\" # flag --agent-timeout"));
  auto j = c.run({"--config", (c.dir / "c.toml").string(), "config", "show", "--json"});
  REQUIRE(j.status == 0);
  CHECK(j.out.find("supersecret") == std::string::npos);
  CHECK(nlohmann::json::parse(j.out)["settings"]["poll_interval"]["value"] == "5s");
}

TEST_CASE("config errors exit 2 naming the source", "[integration][cli]") {
  cli c;
  c.env["MULTICA_DAEMON_POLL_INTERVAL"] = "soon";
  auto r = c.run({"config", "show"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("MULTICA_DAEMON_POLL_INTERVAL: poll_interval = \"soon\": not a duration"));
  c.env.clear();
  write_file(c.dir / "home/.config/multicad/config.toml", "[gc]\nttl = 5\n");
  r = c.run({"config", "show"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("config.toml:2: gc.ttl: expected a quoted duration"));
}

TEST_CASE("doctor reports each check and exits by the worst", "[integration][cli]") {
  cli c;
  c.env["MULTICA_WORKSPACES_ROOT"] = (c.dir / "ws").string();
  c.env["MULTICA_CODEX_PATH"] = (c.dir / "no-codex").string();
  c.env["MULTICA_DAEMON_HEALTH_PORT"] = "1";  // binding a privileged port fails or is free; either is a verdict
  auto r = c.run({"doctor", "--json"});
  INFO(r.out << r.err);
  CHECK(r.status == 2);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["status"] == "FAIL");
  std::map<std::string, std::string> status;
  for (const auto& check : j["checks"]) status[check["check"]] = check["status"];
  CHECK(status["codex"] == "FAIL");
  CHECK(status["config"] == "PASS");
  CHECK(status["workspaces"] == "PASS");
  CHECK(status.count("sandbox") == 1);
  CHECK(status.count("health port") == 1);
}

TEST_CASE("doctor warns when free disk space is below gc.min_free", "[integration][cli]") {
  cli c;
  c.env["MULTICA_WORKSPACES_ROOT"] = (c.dir / "ws").string();
  c.env["MULTICA_CODEX_PATH"] = (c.dir / "no-codex").string();
  c.env["MULTICA_DAEMON_HEALTH_PORT"] = "1";
  auto disk = [&] {
    auto j = nlohmann::json::parse(c.run({"doctor", "--json"}).out);
    for (const auto& check : j["checks"])
      if (check["check"] == "disk") return check;
    return nlohmann::json();
  };
  c.env["MULTICA_GC_MIN_FREE"] = "99.9%";  // no test machine has that much free
  auto low = disk();
  CHECK(low["status"] == "WARN");
  CHECK_THAT(low["found"].get<std::string>(), Catch::Contains("gc.min_free 99.9%"));
  CHECK_THAT(low["action"].get<std::string>(), Catch::Contains("multicad disk-usage"));
  c.env["MULTICA_GC_MIN_FREE"] = "1MB";
  CHECK(disk()["status"] == "PASS");
}
