#include <catch2/catch.hpp>

#include "daemon/agent/agent_env.hpp"
#include "daemon/agent/codex_run.hpp"
#include "daemon/agent/prompt.hpp"

using namespace multicad::agent;

namespace {
std::map<std::string, std::string> as_map(const std::vector<std::string>& entries) {
  std::map<std::string, std::string> m;
  for (const auto& e : entries) m[e.substr(0, e.find('='))] = e.substr(e.find('=') + 1);
  return m;
}
}  // namespace

TEST_CASE("the agent environment carries the task's identity and the daemon's PATH first", "[daemon][agent_env]") {
  agent_env_inputs in;
  in.inherited = {"PATH=/usr/bin:/bin", "HOME=/home/u", "CLAUDECODE=1", "CLAUDE_CODE_SSE_PORT=9", "LANG=C.UTF-8",
                  "MULTICA_TOKEN=inherited", "MULTICA_TOKEN_FILE=/etc/multicad/token", "MULTICA_SERVER_URL=https://real"};
  in.token = "mct_0123456789abcdef0123456789abcdef01234567";
  in.server_url = "http://127.0.0.1:19514";
  in.multica_config = "/ws/w/t/multica-config";
  in.daemon_port = 19514;
  in.workspace_id = "w";
  in.agent_name = "Builder";
  in.agent_id = "a";
  in.task_id = "t";
  in.agent_bin = "/opt/multicad/bin";
  in.codex_home = "/ws/w/t/codex-home";
  in.tmp_dir = "/ws/w/t/tmp";
  in.inherited.push_back("NOTIFY_SOCKET=/run/systemd/notify");
  in.inherited.push_back("WATCHDOG_USEC=60000000");
  auto env = build_agent_env(in);
  auto m = as_map(env.entries);
  CHECK(m["PATH"] == "/opt/multicad/bin:/usr/bin:/bin");
  CHECK(m["MULTICA_TOKEN"] == "mct_0123456789abcdef0123456789abcdef01234567");
  CHECK(m["MULTICA_SERVER_URL"] == "http://127.0.0.1:19514");
  CHECK(m.count("MULTICA_TOKEN_FILE") == 0);  // the daemon's own settings are not the agent's
  CHECK(m["MULTICA_TASK_CONFIG_ROOT"] == "/ws/w/t/multica-config");
  CHECK(env.toolbox.at("MULTICA_TOKEN") == m["MULTICA_TOKEN"]);
  CHECK(env.toolbox.count("PATH") == 0);
  CHECK(env.toolbox.size() == 8);
  CHECK(m["MULTICA_DAEMON_PORT"] == "19514");
  CHECK(m["MULTICA_AGENT_NAME"] == "Builder");
  CHECK(m["MULTICA_TASK_ID"] == "t");
  CHECK(m["CODEX_HOME"] == "/ws/w/t/codex-home");
  CHECK(m["MULTICAD_TASK"] == "t");
  CHECK(m["NO_COLOR"] == "1");
  CHECK(m["TMPDIR"] == "/ws/w/t/tmp");
  CHECK(m.count("NOTIFY_SOCKET") == 0);  // the agent must not speak to systemd for the daemon
  CHECK(m.count("WATCHDOG_USEC") == 0);
  CHECK(m.count("CLAUDECODE") == 0);
  CHECK(m.count("CLAUDE_CODE_SSE_PORT") == 0);
  CHECK(m["LANG"] == "C.UTF-8");
}

TEST_CASE("without a token the agent gets no MULTICA_TOKEN at all", "[daemon][agent_env]") {
  agent_env_inputs in;
  in.inherited = {"MULTICA_TOKEN=from-the-shell"};
  auto m = as_map(build_agent_env(in).entries);
  CHECK(m.count("MULTICA_TOKEN") == 0);
  CHECK(m["MULTICA_AGENT_NAME"] == "agent");
}

TEST_CASE("codex runs as an app-server on stdio with the checked custom args after", "[daemon][agent_env]") {
  CHECK(codex_args({"-c", "model=\"o3\""}) ==
        std::vector<std::string>{"app-server", "--listen", "stdio://", "-c", "model=\"o3\""});
}

TEST_CASE("prompts follow the task kind", "[daemon][prompt]") {
  multicad::proto::task t;
  t.issue_id = "i-1";
  CHECK_THAT(build_prompt(t, "/s/bin/multica"), Catch::Contains("multica issue get i-1 --output json") &&
                                                  Catch::Contains("complete the task") && Catch::Contains("`/s/bin/multica`"));
  CHECK_THAT(build_prompt(t, ""), !Catch::Contains("multica") && Catch::Contains("final answer"));
  t.trigger_comment_id = "c-1";
  t.trigger_comment_content = "Please fix\nthe README";
  auto comment = build_prompt(t, "/s/bin/multica");
  CHECK_THAT(comment, Catch::Contains("> Please fix\n> the README") && Catch::Contains("not to earlier ones"));
  multicad::proto::task chat;
  chat.chat_session_id = "s";
  chat.chat_message = "What is 2+2?";
  CHECK_THAT(build_prompt(chat, "/s/bin/multica"), Catch::Contains("chat assistant") && Catch::EndsWith("What is 2+2?"));
}
