// The multicad binary as operators use it: env prepare, config show, doctor.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <regex>

#include "test/support/child_process.hpp"
#include "test/support/daemon_process.hpp"
#include "test/support/http.hpp"
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
  auto settings = nlohmann::json::parse(j.out)["settings"];
  CHECK(settings["poll_interval"]["value"] == "5s");
  CHECK(settings["poll_interval"]["type"] == "duration");
}

TEST_CASE("config show --json types each value as the TOML file does", "[integration][cli]") {
  cli c;
  write_file(c.dir / "c.toml", "max_concurrent_tasks = 7\nkeep_env_after_task = true\n");
  auto r = c.run({"--config", (c.dir / "c.toml").string(), "config", "show", "--json"});
  REQUIRE(r.status == 0);
  auto j = nlohmann::json::parse(r.out);
  auto s = j["settings"];
  CHECK(s["max_concurrent_tasks"]["value"] == 7);
  CHECK(s["health_port"]["value"] == 19514);
  CHECK(s["keep_env_after_task"]["value"] == true);
  CHECK(s["gc.enabled"]["value"] == true);
  CHECK(s["log.max_size"]["value"] == "20MB");
  CHECK(s["log.max_size"]["type"] == "size");
  CHECK(s["server_url"]["value"] == "");
  CHECK(s["metrics.listen"]["value"] == "");
  for (auto& [name, entry] : s.items()) {
    INFO(name);
    auto type = entry["type"].get<std::string>();
    if (type == "integer") CHECK(entry["value"].is_number_integer());
    else if (type == "boolean") CHECK(entry["value"].is_boolean());
    else CHECK(entry["value"].is_string());
  }
  auto none = c.run({"config", "show", "--json"});
  REQUIRE(none.status == 0);
  CHECK(nlohmann::json::parse(none.out)["config_file"].is_null());
}

TEST_CASE("an unknown command or option is named", "[integration][cli]") {
  cli c;
  auto bogus = c.run({"bogus"});
  CHECK(bogus.status == 2);
  CHECK(bogus.err == "multicad: unknown command bogus; see `multicad --help`\n");
  auto v = c.run({"-V"});
  CHECK(v.status == 2);
  CHECK(v.err == "multicad: unknown option -V; see `multicad --help`\n");
  auto nested = c.run({"config", "bogus"});
  CHECK(nested.status == 2);
  CHECK(nested.err == "multicad config: unknown command bogus; see `multicad config --help`\n");
  auto extra = c.run({"run", "now"});
  CHECK(extra.status == 2);
  CHECK_THAT(extra.err, Catch::Contains("multicad run: unexpected argument now"));
  auto none = c.run({});
  CHECK(none.status == 2);  // nothing unknown, just nothing asked: CLI11's own message
  CHECK_THAT(none.err, Catch::Contains("subcommand is required"));
}

TEST_CASE("version prints the version and the commit and the build type", "[integration][cli]") {
  cli c;
  auto r = c.run({"--version"});
  CHECK(r.status == 0);
  CHECK(std::regex_match(r.out, std::regex(R"(multicad \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}(-dirty)?|unknown), (RelWithDebInfo|Release|Debug|MinSizeRel|unknown)\)\n)")));
}

TEST_CASE("env prepare --json gives the prompt the daemon builds for the task", "[integration][cli]") {
  cli c;
  auto r = c.run({"env", "prepare", "--workspaces-root", (c.dir / "ws").string(), "--workspace-id", "w1",
                  "--task-id", "7b0e6a0c-2f1d", "--issue-id", "ISS-9", "--codex-version", "0.171.0", "--json"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  auto prompt = nlohmann::json::parse(r.out).at("prompt").get<std::string>();
  CHECK_THAT(prompt, Catch::StartsWith("You are a local coding agent working for this Multica workspace. Your task "
                                       "concerns issue ISS-9.") &&
                         Catch::Contains("`multica issue get ISS-9 --output json`"));
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
  CHECK(status["workspaces"] == "WARN");  // under /tmp, where Codex will not make its helper links
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

TEST_CASE("doctor under a temporary folder names Codex's refusal and not bubblewrap", "[integration][cli]") {
  REQUIRE(std::filesystem::exists(MULTICAD_TEST_CODEX));
  cli c;  // its folder is under /tmp, as when trying multicad out there
  REQUIRE(std::string(c.dir.path()).starts_with(std::filesystem::temp_directory_path().string()));
  c.env["MULTICA_STATE_DIR"] = (c.dir / "state").string();
  c.env["MULTICA_WORKSPACES_ROOT"] = (c.dir / "ws").string();
  c.env["MULTICA_CODEX_PATH"] = MULTICAD_TEST_CODEX;
  c.env["MULTICA_DAEMON_HEALTH_PORT"] = std::to_string(multicad::test::free_port());
  auto r = c.run({"doctor", "--json"});
  INFO(r.out << r.err);
  auto j = nlohmann::json::parse(r.out);
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& check : j["checks"]) by_name[check["check"]] = check;
  auto sandbox = by_name.at("sandbox runs");
  CHECK(sandbox["status"] == "FAIL");
  CHECK_THAT(sandbox["found"].get<std::string>(), Catch::Contains("refused to create its helper links under a temporary folder"));
  CHECK_THAT(sandbox["action"].get<std::string>(), Catch::Contains("out of /tmp"));
  CHECK(sandbox["action"].get<std::string>().find("bubblewrap") == std::string::npos);
  CHECK(by_name.at("workspaces")["status"] == "WARN");
}

TEST_CASE("doctor warns when codex is newer than the newest tested release", "[integration][cli]") {
  cli c;
  c.env["MULTICA_WORKSPACES_ROOT"] = (c.dir / "ws").string();
  c.env["MULTICA_CODEX_PATH"] = fake_codex_path();
  c.env["MULTICA_DAEMON_HEALTH_PORT"] = "1";
  auto codex = [&] {
    auto j = nlohmann::json::parse(c.run({"doctor", "--json"}).out);
    for (const auto& check : j["checks"])
      if (check["check"] == "codex") return check;
    return nlohmann::json();
  };
  c.env["FAKE_CODEX_VERSION"] = "0.172.0";
  auto newer = codex();
  INFO(newer.dump());
  CHECK(newer["status"] == "WARN");
  CHECK_THAT(newer["found"].get<std::string>(), Catch::Contains("0.172.0 is newer than the newest tested 0.171.0"));
  CHECK_THAT(newer["action"].get<std::string>(), Catch::Contains("npm install -g @openai/codex@0.171.0"));
  c.env["FAKE_CODEX_VERSION"] = "0.171.0";
  CHECK(codex()["status"] == "PASS");
}
