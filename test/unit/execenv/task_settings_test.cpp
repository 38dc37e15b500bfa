#include <catch2/catch.hpp>

#include "execenv/task_settings.hpp"

using namespace multicad::execenv;
using args = std::vector<std::string>;

TEST_CASE("model and reasoning overrides pass and are re-emitted in canonical form", "[execenv][task_settings]") {
  auto r = check_custom_args({"-c", "model=o3", "--config", "model_reasoning_effort=\"high\"",
                              "--config=model_verbosity='low'", "-c", "model_context_window=200000",
                              "-c", "hide_agent_reasoning=true", "--strict-config"},
                             false);
  CHECK(r.refused.empty());
  CHECK(r.args == args{"-c", "model=\"o3\"", "-c", "model_reasoning_effort=\"high\"", "-c", "model_verbosity=\"low\"",
                       "-c", "model_context_window=200000", "-c", "hide_agent_reasoning=true", "--strict-config"});
}

TEST_CASE("an mcp server or a sandbox key or a feature flag in custom_args is refused", "[execenv][task_settings]") {
  // The attack of the security review: an MCP server runs outside the sandbox as the daemon's user.
  auto r = check_custom_args({"-c", "mcp_servers.evil.command=\"/bin/sh\"", "-c",
                              "mcp_servers.evil.args=[\"-c\",\"id > /tmp/out\"]"},
                             false);
  REQUIRE(r.refused.size() == 2);
  CHECK(r.args.empty());
  CHECK(r.refused[0].argument == "-c mcp_servers.evil.command=\"/bin/sh\"");
  for (const args& bad : {args{"-c", "sandbox_mode=danger-full-access"}, args{"--config=sandbox_workspace_write.writable_roots=[\"/\"]"},
                          args{"--enable", "x"}, args{"--disable=y"}, args{"--profile", "p"}, args{"--dangerously-bypass-approvals-and-sandbox"},
                          args{"proxy"}, args{"-cmodel=o3"}, args{"-c"}, args{"-c", "model"}, args{"-c", "model.x=1"},
                          args{"-c", "model_reasoning_effort=extreme"}, args{"-c", "model=o3 --x"}, args{"-c", "model=\"a\\\"b\""},
                          args{"-c", "model_context_window=-1"}, args{"--listen", "ws://0.0.0.0:1"}, args{"-c", " model=o3"},
                          args{"-c", "shell_environment_policy.set.LD_PRELOAD=/tmp/x.so"}, args{"-c", "model_provider=oss"}}) {
    INFO(bad.front());
    auto checked = check_custom_args(bad, false);
    CHECK_FALSE(checked.refused.empty());
  }
}

TEST_CASE("the refusal names the argument and the allowed settings and the operator's switch", "[execenv][task_settings]") {
  auto text = refusal_text(check_custom_args({"--enable", "js_repl"}, false).refused);
  CHECK_THAT(text, Catch::Contains("\"--enable\"") && Catch::Contains("model_reasoning_effort") &&
                       Catch::Contains("codex.allow_task_config = true") &&
                       Catch::Contains("MULTICA_CODEX_ALLOW_TASK_CONFIG"));
}

TEST_CASE("with allow_task_config everything passes but the transport flags", "[execenv][task_settings]") {
  auto r = check_custom_args({"--listen", "ws://0.0.0.0:1", "-c", "sandbox_mode=\"danger-full-access\"",
                              "--listen=unix://x", "--stdio", "--enable", "x"},
                             true);
  CHECK(r.refused.empty());
  CHECK(r.args == args{"-c", "sandbox_mode=\"danger-full-access\"", "--enable", "x"});
  CHECK(r.dropped == args{"--listen", "ws://0.0.0.0:1", "--listen=unix://x", "--stdio"});
}

TEST_CASE("custom_env keeps ordinary variables and refuses loader and daemon and codex ones", "[execenv][task_settings]") {
  auto r = check_custom_env({{"GITHUB_TOKEN", "t"}, {"NODE_OPTIONS", "--max-old-space-size=4096"}, {"PYTHONPATH", "src"},
                             {"LD_PRELOAD", "/tmp/x.so"}, {"ld_library_path", "/tmp"}, {"DYLD_INSERT_LIBRARIES", "x"},
                             {"GCONV_PATH", "/tmp"}, {"GLIBC_TUNABLES", "x"}, {"MALLOC_TRACE", "/tmp/t"},
                             {"PATH", "/evil"}, {"multica_token", "x"}, {"MULTICAD_TASK", "spoof"}, {"TMPDIR", "/"},
                             {"CODEX_HOME", "/x"}, {"CODEX_SANDBOX_NETWORK_DISABLED", "0"}, {"A=B", "x"}, {"", "x"},
                             {"1X", "x"}, {"SP ACE", "x"}, {"NUL", std::string("a\0b", 3)}, {std::string(129, 'A'), "x"}});
  CHECK(r.accepted == std::map<std::string, std::string>{
                          {"GITHUB_TOKEN", "t"}, {"NODE_OPTIONS", "--max-old-space-size=4096"}, {"PYTHONPATH", "src"}});
  std::map<std::string, env_refusal> why;
  for (const auto& x : r.refused) why[x.name] = x.why;
  CHECK(why.size() == 18);
  for (const char* k : {"LD_PRELOAD", "ld_library_path", "DYLD_INSERT_LIBRARIES", "GCONV_PATH", "GLIBC_TUNABLES", "MALLOC_TRACE"})
    CHECK(why.at(k) == env_refusal::loads_code);
  for (const char* k : {"PATH", "multica_token", "MULTICAD_TASK", "TMPDIR"}) CHECK(why.at(k) == env_refusal::daemon_owned);
  CHECK(why.at("CODEX_HOME") == env_refusal::codex_config);
  CHECK(why.at("CODEX_SANDBOX_NETWORK_DISABLED") == env_refusal::codex_config);
  for (const std::string& k : std::vector<std::string>{"A=B", "", "1X", "SP ACE", "NUL", std::string(129, 'A')})
    CHECK(why.at(k) == env_refusal::bad_name);
  CHECK_THAT(std::string(describe(env_refusal::loads_code)), Catch::Contains("before the sandbox applies"));
}
