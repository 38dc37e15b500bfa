// proto/toolbox/settings.hpp: where the command finds its server, workspace
// and token (agent-toolbox.md §2.1, §10.1), and the Go text helpers it uses.
#include <catch2/catch.hpp>

#include "proto/toolbox/go_text.hpp"
#include "proto/toolbox/settings.hpp"

using namespace multicad::proto::toolbox;

namespace {

invocation invoke(std::vector<std::string> argv) {
  auto p = parse_command_line(argv, "v\n");
  REQUIRE(p.run);
  return p.inv;
}

}  // namespace

TEST_CASE("settings take the flag then the environment then the config file", "[toolbox][settings]") {
  cli_config file{"ws://file.example/ws", "", "ws-file", "tok-file"};
  environment env{{{"MULTICA_SERVER_URL", " http://env.example/ "}, {"MULTICA_WORKSPACE_ID", "ws-env"},
                   {"MULTICA_TOKEN", " tok-env\n"}, {"MULTICA_AGENT_ID", "agent-1"}, {"MULTICA_TASK_ID", "task-1"}}};
  auto s = resolve_client(invoke({"issue", "get", "X", "--server-url", "https://flag.example/base/"}), env, file);
  CHECK(s.server_url == "https://flag.example/base");
  CHECK(s.workspace_id == "ws-env");
  CHECK(s.token == "tok-env");
  CHECK(s.agent_id == "agent-1");
  CHECK(s.task_id == "task-1");

  auto from_file = resolve_client(invoke({"issue", "get", "X"}), environment{}, file);
  CHECK(from_file.server_url == "http://file.example");  // ws://…/ws normalised as the daemon does
  CHECK(from_file.workspace_id == "ws-file");
  CHECK(from_file.token == "tok-file");

  auto none = resolve_client(invoke({"issue", "get", "X"}), environment{}, cli_config{});
  CHECK_FALSE(none.server_configured);
  // An empty --server-url skips the environment, as FlagOrEnv returns the flag once it is set.
  auto empty_flag = resolve_client(invoke({"issue", "get", "X", "--server-url="}), env, cli_config{});
  CHECK_FALSE(empty_flag.server_configured);
}

TEST_CASE("settings read the config file only when something is missing", "[toolbox][settings]") {
  environment full{{{"MULTICA_SERVER_URL", "http://s"}, {"MULTICA_WORKSPACE_ID", "w"}, {"MULTICA_TOKEN", "t"}}};
  CHECK_FALSE(config_needed(invoke({"issue", "get", "X"}), full));
  environment no_token = full;
  no_token.vars.erase("MULTICA_TOKEN");
  CHECK(config_needed(invoke({"issue", "get", "X"}), no_token));
  CHECK_FALSE(config_needed(invoke({"repo", "checkout", "u"}), environment{}));
  CHECK(cli_config_path(environment{{{"HOME", "/home/a"}}}, "") == "/home/a/.multica/config.json");
  CHECK(cli_config_path(environment{{{"HOME", "/home/a"}}}, "dev") == "/home/a/.multica/profiles/dev/config.json");
  CHECK(cli_config_path(environment{}, "") == "");
}

TEST_CASE("settings parse the CLI config file as Go's json.Unmarshal into its struct", "[toolbox][settings]") {
  auto c = parse_cli_config(R"({"server_url":"https://m.example","Token":"mul_x","workspace_id":"w","extra":1})");
  CHECK(c.server_url == "https://m.example");
  CHECK(c.token == "mul_x");  // field names match case-insensitively
  CHECK(c.workspace_id == "w");
  CHECK(parse_cli_config(R"({"server_url":5})").server_url == "");
  CHECK(parse_cli_config("not json").token == "");
}

TEST_CASE("settings normalise the server URL as the daemon does and keep what they cannot parse", "[toolbox][settings]") {
  CHECK(normalize_server_url("ws://localhost:8080/ws") == "http://localhost:8080");
  CHECK(normalize_server_url("WSS://h.example/ws/") == "https://h.example/ws");
  CHECK(normalize_server_url("https://h.example/multica/?x=1#f") == "https://h.example/multica");
  CHECK(normalize_server_url("ftp://h") == "ftp://h");
  CHECK(normalize_server_url("localhost:8080") == "localhost:8080");
}

TEST_CASE("go_text quotes trims lowers and cuts as Go does", "[toolbox][go_text]") {
  CHECK(go_quote("a\"b\\c\n\x01\xff\xc2\xa0\xe2\x80\xa8\xc3\xa9") == "\"a\\\"b\\\\c\\n\\x01\\xff\\u00a0\\u2028\xc3\xa9\"");
  CHECK(trim_space("\xc2\xa0 \t x y\n\xe2\x80\x83") == "x y");
  CHECK(to_lower("Ünal ÅSE Σ Жук ABC") == "ünal åse σ жук abc");
  CHECK(truncate_id("0123456789") == "01234567");
  CHECK(truncate_id("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9") ==
        "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
  CHECK(cut_runes(std::string(81, 'x'), 80, 77) == std::string(77, 'x') + "...");
  CHECK(cut_runes(std::string(80, 'x'), 80, 77) == std::string(80, 'x'));
  CHECK(encode_query({{"workspace_id", "w 1"}, {"since", "2026-01-01T00:00:00+02:00"}, {"limit", "5"}}) ==
        "limit=5&since=2026-01-01T00%3A00%3A00%2B02%3A00&workspace_id=w+1");
  CHECK(path_base("") == ".");
  CHECK(path_base("dir/sub/") == "sub");
  CHECK(path_base("/") == "/");
  CHECK(path_join(".", "a.png") == "a.png");
  CHECK(path_join("out/", "../x") == "x");
  CHECK(path_abs("/w/t", "out/../a.png") == "/w/t/a.png");
  CHECK(path_abs("/w/t", "/abs//b") == "/abs/b");
}
