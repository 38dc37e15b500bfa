// The set-up the end-to-end tests share: the fake Multica server, the mock
// Responses API, and one `multicad run` driving the REAL Codex CLI, whose
// shared config.toml points it at the mock. Header-only: it uses Catch's
// macros, which the support library is built without.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "test/support/daemon_process.hpp"
#include "test/support/fake_server.hpp"
#include "test/support/mock_model.hpp"

namespace multicad::test {

// The Codex CLI under test: MULTICAD_COMPAT_CODEX names an older release
// (test/CMakeLists.txt registers the compat scenarios once per release),
// otherwise the pinned newest one in .deps/codex.
inline std::string codex_under_test() {
  const char* chosen = std::getenv("MULTICAD_COMPAT_CODEX");
  return chosen && *chosen ? chosen : MULTICAD_TEST_CODEX;
}

struct real_codex_fixture {
  static constexpr const char* token = "mul_0123456789abcdef0123456789abcdef01234567";
  temp_dir dir;
  fake_server server;
  mock_model model;
  std::string workspace = server.workspace_with_token(token);
  std::unique_ptr<daemon_process> daemon;

  explicit real_codex_fixture(std::map<std::string, std::string> env = {}) {
    INFO("codex under test: " << codex_under_test());
    REQUIRE(std::filesystem::exists(codex_under_test()));  // scripts/setup.sh --with-codex / --for-tests installs it
    write_file(dir / "codex-shared/config.toml", model.codex_config());
    env.emplace("MULTICA_SERVER_URL", server.url());
    env.emplace("MULTICA_TOKEN", token);
    env.emplace("MULTICA_CODEX_PATH", codex_under_test());
    daemon = std::make_unique<daemon_process>(dir, env);
    INFO(daemon->log());
    REQUIRE(daemon->wait_ready(std::chrono::seconds(60)));
  }

  bool wait_status(const std::string& id, const std::string& want) {
    bool ok = eventually([&] { auto t = server.task(id); return !t.is_null() && t.at("status") == want; },
                         std::chrono::seconds(90));
    if (!ok) UNSCOPED_INFO("daemon log:\n" << daemon->log());
    return ok;
  }

  // The output of the first command Codex ran for the task (its tool_result).
  std::string first_command_output(const std::string& id) {
    auto state = server.state();  // kept: a range-for over a temporary's member would dangle
    for (const auto& m : state.at("messages").at(id))
      if (m.at("type") == "tool_result") return m.at("output").get<std::string>();
    return {};
  }
};

}  // namespace multicad::test
