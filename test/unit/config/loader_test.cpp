#include <catch2/catch.hpp>

#include "config/keys.hpp"
#include "config/loader.hpp"
#include "test/support/temp_dir.hpp"

using namespace multicad::config;
using multicad::test::temp_dir;
using multicad::test::write_file;
namespace fs = std::filesystem;

namespace {

struct fixture {
  temp_dir dir;
  std::map<std::string, std::string> env;
  load_inputs inputs() {
    load_inputs in;
    in.getenv = [this](const std::string& k) -> std::optional<std::string> {
      auto it = env.find(k);
      if (it == env.end()) return std::nullopt;
      return it->second;
    };
    in.hostname = "box";
    in.home = dir / "home";
    in.cwd = dir / "cwd";
    in.system_config_dir = dir / "etc";
    return in;
  }
};

error load_error(const load_inputs& in) {
  auto r = load(in);
  REQUIRE_FALSE(r.has_value());
  return r.error();
}

}  // namespace

TEST_CASE("defaults apply when nothing is configured", "[config][loader]") {
  fixture f;
  auto r = load(f.inputs());
  REQUIRE(r.has_value());
  const auto& s = r->values;
  CHECK(s.server_url.empty());
  CHECK(s.daemon_id == "box");
  CHECK(s.device_name == "box");
  CHECK(s.workspaces_root == f.dir / "home" / "multica_workspaces");
  CHECK(s.poll_interval == 3s);
  CHECK(s.heartbeat_interval == 15s);
  CHECK(s.agent_timeout == 2h);
  CHECK(s.max_concurrent_tasks == 20);
  CHECK(s.health_port == 19514);
  CHECK(s.codex.sandbox == sandbox_choice::automatic);
  CHECK(s.codex.approvals == approvals_choice::never);
  CHECK_FALSE(r->file.has_value());
  for (const auto& k : all_keys()) CHECK(r->origins.at(std::string(k.name)).kind == origin_kind::built_in);
}

TEST_CASE("file < environment < flags and each value remembers its source", "[config][loader]") {
  fixture f;
  write_file(f.dir / "home/.config/multicad/config.toml",
             "poll_interval = \"5s\"\nheartbeat_interval = \"10s\"\nagent_timeout = \"1h\"\n[gc]\nttl = \"48h\"\n");
  f.env["MULTICA_DAEMON_HEARTBEAT_INTERVAL"] = "7s";
  f.env["MULTICA_AGENT_TIMEOUT"] = "30m";
  auto in = f.inputs();
  in.flags.push_back({"agent-timeout", "45m"});
  auto r = load(in);
  REQUIRE(r.has_value());
  CHECK(r->values.poll_interval == 5s);
  CHECK(r->values.heartbeat_interval == 7s);
  CHECK(r->values.agent_timeout == 45min);
  CHECK(r->values.gc.ttl == 48h);
  auto file = (f.dir / "home/.config/multicad/config.toml").string();
  CHECK(r->origins.at("poll_interval").describe() == "file " + file + ":1");
  CHECK(r->origins.at("gc.ttl").describe() == "file " + file + ":5");
  CHECK(r->origins.at("heartbeat_interval").describe() == "env MULTICA_DAEMON_HEARTBEAT_INTERVAL");
  CHECK(r->origins.at("agent_timeout").describe() == "flag --agent-timeout");
  CHECK(r->origins.at("max_concurrent_tasks").describe() == "default");
}

TEST_CASE("the config file is found in XDG then ~/.config then /etc", "[config][loader]") {
  fixture f;
  write_file(f.dir / "etc/config.toml", "runtime_name = \"from etc\"\n");
  auto in = f.inputs();
  CHECK(find_config_file(in) == f.dir / "etc/config.toml");
  write_file(f.dir / "home/.config/multicad/config.toml", "runtime_name = \"from home\"\n");
  CHECK(find_config_file(in) == f.dir / "home/.config/multicad/config.toml");
  write_file(f.dir / "xdg/multicad/config.toml", "runtime_name = \"from xdg\"\n");
  f.env["XDG_CONFIG_HOME"] = (f.dir / "xdg").string();
  CHECK(find_config_file(in) == f.dir / "xdg/multicad/config.toml");
  auto r = load(in);
  REQUIRE(r.has_value());
  CHECK(r->values.runtime_name == "from xdg");
}

TEST_CASE("an explicit config file is read and a missing one is an error", "[config][loader]") {
  fixture f;
  auto in = f.inputs();
  in.config_file = f.dir / "nope.toml";
  auto e = load_error(in);
  CHECK(e.source == "--config");
  CHECK_THAT(e.message, Catch::Contains("nope.toml") && Catch::Contains("does not exist"));
  write_file(f.dir / "given.toml", "max_concurrent_tasks = 3\n");
  write_file(f.dir / "home/.config/multicad/config.toml", "max_concurrent_tasks = 9\n");
  in.config_file = f.dir / "given.toml";
  auto r = load(in);
  REQUIRE(r.has_value());
  CHECK(r->values.max_concurrent_tasks == 3);
}

TEST_CASE("bad values in the file name file:line and the key and the value", "[config][loader]") {
  fixture f;
  auto in = f.inputs();
  in.config_file = f.dir / "c.toml";
  auto path = (f.dir / "c.toml").string();

  write_file(*in.config_file, "# comment\n\npoll_interval = \"3x\"\n");
  auto e = load_error(in);
  CHECK(e.source == path + ":3");
  CHECK_THAT(e.message, Catch::Contains("poll_interval = \"3x\"") && Catch::Contains("not a duration"));

  write_file(*in.config_file, "[gc]\nenabled = \"yes\"\n");
  e = load_error(in);
  CHECK(e.source == path + ":2");
  CHECK_THAT(e.message, Catch::Contains("gc.enabled") && Catch::Contains("true or false"));

  write_file(*in.config_file, "max_concurrent_tasks = 0\n");
  e = load_error(in);
  CHECK_THAT(e.message, Catch::Contains("max_concurrent_tasks = \"0\"") && Catch::Contains("from 1 to 1000"));

  write_file(*in.config_file, "[codex]\nsandbox = \"yolo\"\n");
  e = load_error(in);
  CHECK(e.source == path + ":2");
  CHECK_THAT(e.message, Catch::Contains("\"yolo\"") && Catch::Contains("danger-full-access"));

  write_file(*in.config_file, "server_url = \"ftp://x\"\n");
  e = load_error(in);
  CHECK_THAT(e.message, Catch::Contains("server_url") && Catch::Contains("unsupported scheme"));
}

TEST_CASE("unknown keys are errors with a suggestion", "[config][loader]") {
  fixture f;
  auto in = f.inputs();
  in.config_file = f.dir / "c.toml";
  write_file(*in.config_file, "pol_interval = \"3s\"\n");
  auto e = load_error(in);
  CHECK(e.source == (f.dir / "c.toml").string() + ":1");
  CHECK_THAT(e.message, Catch::Contains("unknown setting \"pol_interval\"") && Catch::Contains("\"poll_interval\""));
  write_file(*in.config_file, "[codex]\nsandbox_mode = \"read-only\"\n");
  e = load_error(in);
  CHECK_THAT(e.message, Catch::Contains("codex.sandbox_mode") && Catch::Contains("codex.sandbox"));
}

TEST_CASE("invalid TOML is reported with line and column", "[config][loader]") {
  fixture f;
  auto in = f.inputs();
  in.config_file = f.dir / "c.toml";
  write_file(*in.config_file, "runtime_name = \"ok\"\nlog = { level = \"debug\"\n");
  auto e = load_error(in);
  CHECK_THAT(e.source, Catch::StartsWith((f.dir / "c.toml").string() + ":2:"));
  CHECK_THAT(e.message, Catch::StartsWith("invalid TOML"));
}

TEST_CASE("bad environment and flag values name the variable or flag", "[config][loader]") {
  fixture f;
  f.env["MULTICA_GC_TTL"] = "5 days";
  auto e = load_error(f.inputs());
  CHECK(e.source == "MULTICA_GC_TTL");
  CHECK_THAT(e.message, Catch::Contains("gc.ttl = \"5 days\"") && Catch::Contains("no day unit"));

  f.env.clear();
  auto in = f.inputs();
  in.flags.push_back({"health-port", "70000"});
  e = load_error(in);
  CHECK(e.source == "--health-port");
  CHECK_THAT(e.message, Catch::Contains("70000"));
}

TEST_CASE("an empty environment variable counts as unset", "[config][loader]") {
  fixture f;
  f.env["MULTICA_DAEMON_POLL_INTERVAL"] = "";
  auto r = load(f.inputs());
  REQUIRE(r.has_value());
  CHECK(r->values.poll_interval == 3s);
}

TEST_CASE("paths expand ~ and resolve against the file's folder or the working directory", "[config][loader]") {
  fixture f;
  auto in = f.inputs();
  in.config_file = f.dir / "conf/c.toml";
  write_file(*in.config_file, "workspaces_root = \"ws\"\n[log]\nfile = \"~/logs/d.log\"\n");
  auto r = load(in);
  REQUIRE(r.has_value());
  CHECK(r->values.workspaces_root == f.dir / "conf/ws");
  CHECK(r->values.log.file == f.dir / "home/logs/d.log");
  f.env["MULTICA_WORKSPACES_ROOT"] = "rel/../w";
  r = load(in);
  REQUIRE(r.has_value());
  CHECK(r->values.workspaces_root == f.dir / "cwd/w");
}

TEST_CASE("the server URL is stored normalised", "[config][loader]") {
  fixture f;
  f.env["MULTICA_SERVER_URL"] = "wss://multica.example.com/ws";
  auto r = load(f.inputs());
  REQUIRE(r.has_value());
  CHECK(r->values.server_url == "https://multica.example.com");
}

TEST_CASE("a slow heartbeat and two token sources load with warnings", "[config][loader]") {
  fixture f;
  auto in = f.inputs();
  in.config_file = f.dir / "c.toml";
  write_file(*in.config_file, "heartbeat_interval = \"60s\"\ntoken = \"mul_x\"\ntoken_file = \"t\"\n");
  auto r = load(in);
  REQUIRE(r.has_value());
  REQUIRE(r->warnings.size() == 2);
  CHECK_THAT(r->warnings[0], Catch::Contains("45s"));
  CHECK_THAT(r->warnings[1], Catch::Contains("token wins"));
}

TEST_CASE("the example config sets every value to its default", "[config][loader]") {
  fixture f;
  auto in = f.inputs();
  in.config_file = fs::path(MULTICAD_SOURCE_DIR) / "config/multicad.example.toml";
  auto from_example = load(in);
  REQUIRE(from_example.has_value());
  auto defaults = load(f.inputs());
  REQUIRE(defaults.has_value());
  CHECK(from_example->values == defaults->values);
  CHECK(from_example->warnings.empty());
}

TEST_CASE("every key has an environment variable except the token", "[config][keys]") {
  for (const auto& k : all_keys()) {
    INFO(k.name);
    if (k.name == "token") continue;
    CHECK_FALSE(k.env.empty());
    CHECK_FALSE(k.flag.empty());
    CHECK(k.env.starts_with("MULTICA_"));
  }
}

TEST_CASE("a config file that is not UTF-8 is refused with its position", "[config][loader]") {
  fixture f;
  auto in = f.inputs();
  in.config_file = f.dir / "c.toml";
  write_file(*in.config_file, "runtime_name = \"x\"\nname = '\xff'\n");
  auto e = load_error(in);
  CHECK(e.source == (f.dir / "c.toml").string() + ":2:9");
  CHECK_THAT(e.message, Catch::Contains("not valid UTF-8"));
}

TEST_CASE("metrics.listen is off by default and takes a literal address with a port", "[config][loader]") {
  fixture f;
  auto r = load(f.inputs());
  REQUIRE(r.has_value());
  CHECK(r->values.metrics.listen.empty());  // off unless asked
  write_file(f.dir / "etc/config.toml", "[metrics]\nlisten = \"0.0.0.0:9464\"\n");
  r = load(f.inputs());
  REQUIRE(r.has_value());
  CHECK(r->values.metrics.listen == "0.0.0.0:9464");
  f.env["MULTICA_METRICS_LISTEN"] = "[::]:9100";
  r = load(f.inputs());
  REQUIRE(r.has_value());
  CHECK(r->values.metrics.listen == "[::]:9100");
  for (const char* bad : {"localhost:9464", "9464", ":9464", "10.0.0.1", "10.0.0.1:0", "10.0.0.1:65536", "::1:9464",
                          "[10.0.0.1]:80", "10.0.0.1:80x"}) {
    INFO(bad);
    f.env["MULTICA_METRICS_LISTEN"] = bad;
    auto e = load_error(f.inputs());
    CHECK(e.source == "MULTICA_METRICS_LISTEN");
    CHECK_THAT(e.message, Catch::Contains("ADDRESS:PORT"));
  }
}

TEST_CASE("a logged-in Multica CLI is enough to serve its server", "[config][loader][multica_cli]") {
  fixture f;
  write_file(f.dir / "home/.multica/config.json",
             R"({"server_url":"wss://multica.example/ws","token":"mul_x","workspaces_root":"/srv/ws",
                 "max_concurrent_tasks":3,"workspace_id":"ignored"})");
  auto s = load(f.inputs()).value();
  CHECK(s.values.server_url == "https://multica.example");
  CHECK(s.values.workspaces_root == "/srv/ws");
  CHECK(s.values.max_concurrent_tasks == 3);
  CHECK(s.origins.at("server_url").describe() == "Multica CLI " + (f.dir / "home/.multica/config.json").string());
  CHECK(s.values.token.empty());  // read by the token resolver, after MULTICA_TOKEN
}

TEST_CASE("multicad's own file and environment and flags win over the Multica CLI's config", "[config][loader][multica_cli]") {
  fixture f;
  write_file(f.dir / "home/.multica/config.json", R"({"server_url":"https://cli.example","workspaces_root":"/cli/ws"})");
  write_file(f.dir / "home/.config/multicad/config.toml", "workspaces_root = \"/file/ws\"\n");
  f.env["MULTICA_SERVER_URL"] = "https://env.example";
  auto s = load(f.inputs()).value();
  CHECK(s.values.server_url == "https://env.example");
  CHECK(s.values.workspaces_root == "/file/ws");
  CHECK(s.origins.at("server_url").kind == origin_kind::env);
  auto in = f.inputs();
  in.flags.push_back({"workspaces-root", "/flag/ws"});
  CHECK(load(in).value().values.workspaces_root == "/flag/ws");
}

TEST_CASE("without a server URL anywhere the daemon runs the local queue", "[config][loader][multica_cli]") {
  fixture f;
  write_file(f.dir / "home/.multica/config.json", R"({"token":"mul_x"})");
  CHECK(load(f.inputs()).value().values.server_url.empty());
  write_file(f.dir / "home/.multica/config.json", "{not json");
  auto broken = load(f.inputs()).value();
  CHECK(broken.values.server_url.empty());
  REQUIRE(broken.warnings.size() == 1);
  CHECK_THAT(broken.warnings[0], Catch::Contains("not a JSON object"));
}

TEST_CASE("a profile follows its own CLI config and the reference daemon's port and folders", "[config][loader][multica_cli]") {
  fixture f;
  write_file(f.dir / "home/.multica/config.json", R"({"server_url":"https://default.example"})");
  write_file(f.dir / "home/.multica/profiles/dev/config.json", R"({"server_url":"https://dev.example"})");
  f.env["MULTICA_PROFILE"] = "dev";
  auto s = load(f.inputs()).value();
  CHECK(s.values.server_url == "https://dev.example");
  CHECK(s.values.health_port == 19515 + ('d' + 'e' + 'v') % 1000);  // 19834, as the Multica CLI looks for it
  CHECK(s.values.health_port == 19834);
  CHECK(s.values.workspaces_root == f.dir / "home/multica_workspaces_dev");
  CHECK(s.values.state_dir == f.dir / "home/.local/state/multicad/profiles/dev");
  f.env["MULTICA_PROFILE"] = "../x";
  CHECK_THAT(load_error(f.inputs()).to_string(), Catch::Contains("MULTICA_PROFILE") && Catch::Contains("one plain folder name"));
}

TEST_CASE("the liveness limits take upstream's variables and 0 to turn one off and refuse anything under 1s", "[config][loader]") {
  fixture f;
  auto s = load(f.inputs());
  REQUIRE(s.has_value());
  CHECK(s->values.agent_idle_watchdog == std::chrono::minutes(30));
  CHECK(s->values.agent_tool_watchdog == std::chrono::hours(2));
  CHECK(s->values.codex_semantic_timeout == std::chrono::minutes(10));
  CHECK(s->values.codex_first_turn_timeout == std::chrono::minutes(3));
  CHECK(s->values.codex_turn_end_grace == std::chrono::seconds(30));

  f.env["MULTICA_AGENT_IDLE_WATCHDOG"] = "45m";
  f.env["MULTICA_AGENT_TOOL_WATCHDOG"] = "0";
  f.env["MULTICA_CODEX_SEMANTIC_INACTIVITY_TIMEOUT"] = "1s";
  f.env["MULTICA_CODEX_FIRST_TURN_TIMEOUT"] = "90s";
  f.env["MULTICA_AGENT_TIMEOUT"] = "0";
  s = load(f.inputs());
  REQUIRE(s.has_value());
  CHECK(s->values.agent_idle_watchdog == std::chrono::minutes(45));
  CHECK(s->values.agent_tool_watchdog == std::chrono::nanoseconds(0));
  CHECK(s->values.codex_semantic_timeout == std::chrono::seconds(1));
  CHECK(s->values.codex_first_turn_timeout == std::chrono::seconds(90));
  CHECK(s->values.agent_timeout == std::chrono::nanoseconds(0));

  for (const char* bad : {"500ms", "-1m", "soon"}) {
    INFO(bad);
    f.env = {{"MULTICA_AGENT_IDLE_WATCHDOG", bad}};
    auto e = load_error(f.inputs());
    CHECK(e.source == "MULTICA_AGENT_IDLE_WATCHDOG");
    CHECK_THAT(e.message, Catch::Contains("agent_idle_watchdog") && Catch::Contains("0"));
  }
  f.env.clear();
  write_file(f.dir / "c.toml", "[codex]\nfirst_turn_timeout = \"100ms\"\n");
  auto in = f.inputs();
  in.config_file = f.dir / "c.toml";
  auto e = load_error(in);
  CHECK_THAT(e.source, Catch::StartsWith((f.dir / "c.toml").string()));
  CHECK_THAT(e.message, Catch::Contains("must be 0 (off) or at least 1s"));
}
