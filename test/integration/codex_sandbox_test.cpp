// The sandbox written is the sandbox Codex applies: for each policy, prepare
// a task environment exactly as the daemon does, start the real
// `codex app-server` on it, and read back the effective sandbox through
// config/read and thread/start. Offline: the user config points Codex at a
// model provider on a closed loopback port, and no turn is started.
#include <catch2/catch.hpp>

#include "execenv/environment.hpp"
#include "test/support/child_process.hpp"
#include "test/support/jsonrpc_client.hpp"
#include "test/support/temp_dir.hpp"

using namespace multicad::execenv;
using namespace multicad::test;
using nlohmann::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const std::string mock_provider =
    "model = \"mock-model\"\nmodel_provider = \"mock\"\n\n"
    "[model_providers.mock]\nname = \"mock\"\nbase_url = \"http://127.0.0.1:9/v1\"\nwire_api = \"responses\"\n";

struct effective {
  json config;   // config/read result "config"
  json sandbox;  // thread/start result "sandbox"
  std::vector<json> notes;
};

effective run_codex(const prepared_environment& env, const fs::path& home) {
  REQUIRE(fs::exists(MULTICAD_TEST_CODEX));  // scripts/setup.sh --with-codex installs it
  child_process codex({{MULTICAD_TEST_CODEX, "app-server", "--listen", "stdio://"},
                       {{"CODEX_HOME", env.layout.codex_home.string()}, {"HOME", home.string()}, {"NO_COLOR", "1"},
                        {"RUST_LOG", "error"}},
                       {"OPENAI_API_KEY", "CODEX_API_KEY"},
                       env.layout.workdir});
  jsonrpc_client rpc(codex);
  auto init = rpc.call("initialize", {{"clientInfo", {{"name", "multicad-test"}, {"version", "0"}}}});
  REQUIRE(init.contains("result"));
  rpc.notify("initialized");
  auto read = rpc.call("config/read", {{"cwd", env.layout.workdir.string()}});
  INFO(read.dump());
  REQUIRE(read.contains("result"));
  auto start = rpc.call("thread/start", {{"cwd", env.layout.workdir.string()}});
  INFO(start.dump());
  REQUIRE(start.contains("result"));
  codex.close_stdin();
  CHECK(codex.wait(10s) == 0);
  return {read["result"]["config"], start["result"]["sandbox"], rpc.notifications()};
}

struct fixture {
  temp_dir dir;
  prepared_environment prepare(const sandbox_policy& policy, const std::string& user_config) {
    write_file(dir / "shared/config.toml", user_config);
    prepare_request r;
    r.workspaces_root = dir / "ws";
    r.shared_codex_home = dir / "shared";
    r.policy = policy;
    r.task.workspace_id = "w1";
    r.task.task_id = "7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11";
    auto env = prepare_environment(r);
    REQUIRE(env.has_value());
    return *env;
  }
};

sandbox_policy policy(sandbox_mode mode, bool net) {
  sandbox_policy p;
  p.mode = mode;
  p.network_access = net;
  return p;
}

void check_no_invalid_config_warning(const effective& e) {
  for (const auto& n : e.notes)
    if (n.value("method", "") == "configWarning") {
      INFO(n.dump());
      CHECK_THAT(n["params"].value("summary", ""), !Catch::StartsWith("Invalid configuration"));
    }
}

}  // namespace

TEST_CASE("real codex applies workspace-write with network from the managed block", "[integration][codex]") {
  fixture f;
  auto e = run_codex(f.prepare(policy(sandbox_mode::workspace_write, true), mock_provider), f.dir / "home");
  CHECK(e.config["sandbox_mode"] == "workspace-write");
  CHECK(e.config["sandbox_workspace_write"]["network_access"] == true);
  CHECK(e.sandbox["type"] == "workspaceWrite");
  CHECK(e.sandbox["networkAccess"] == true);
  check_no_invalid_config_warning(e);
}

TEST_CASE("real codex applies workspace-write without network", "[integration][codex]") {
  fixture f;
  auto e = run_codex(f.prepare(policy(sandbox_mode::workspace_write, false), mock_provider), f.dir / "home");
  CHECK(e.config["sandbox_mode"] == "workspace-write");
  CHECK(e.config["sandbox_workspace_write"]["network_access"] == false);
  CHECK(e.sandbox["type"] == "workspaceWrite");
  CHECK(e.sandbox["networkAccess"] == false);
}

TEST_CASE("real codex applies danger-full-access (the macOS fallback)", "[integration][codex]") {
  fixture f;
  auto e = run_codex(f.prepare(policy(sandbox_mode::danger_full_access, true), mock_provider), f.dir / "home");
  CHECK(e.config["sandbox_mode"] == "danger-full-access");
  CHECK(e.sandbox["type"] == "dangerFullAccess");
}

TEST_CASE("real codex applies a forced read-only", "[integration][codex]") {
  fixture f;
  auto e = run_codex(f.prepare(policy(sandbox_mode::read_only, true), mock_provider), f.dir / "home");
  CHECK(e.config["sandbox_mode"] == "read-only");
  CHECK(e.sandbox["type"] == "readOnly");
}

TEST_CASE("real codex: a user config ending inside a table still gets the policy", "[integration][codex]") {
  // Appended root keys would belong to these tables (spec §0 rule 5); hoisted ones do not.
  for (const std::string tail : {"\n[profiles.foo]\nmodel = \"other\"\n", "\n[permissions.multica]\n",
                                 "\n[model_providers.extra]\nname = \"extra\"\nbase_url = \"http://127.0.0.1:9\"\n"}) {
    INFO(tail);
    fixture f;
    auto e = run_codex(f.prepare(policy(sandbox_mode::workspace_write, true), mock_provider + tail), f.dir / "home");
    CHECK(e.config["sandbox_mode"] == "workspace-write");
    CHECK(e.sandbox["type"] == "workspaceWrite");
    CHECK(e.sandbox["networkAccess"] == true);
    check_no_invalid_config_warning(e);
  }
}

TEST_CASE("real codex: legacy sandbox keys from an older daemon no longer break the config", "[integration][codex]") {
  fixture f;
  auto legacy = "sandbox_mode = \"danger-full-access\"\n" + mock_provider +
                "\n[sandbox_workspace_write]\nnetwork_access = false\nwritable_roots = [\"/var/tmp\"]\n";
  auto e = run_codex(f.prepare(policy(sandbox_mode::workspace_write, true), legacy), f.dir / "home");
  CHECK(e.sandbox["type"] == "workspaceWrite");
  CHECK(e.sandbox["networkAccess"] == true);
  CHECK(e.sandbox["writableRoots"] == json::array({"/var/tmp"}));
  check_no_invalid_config_warning(e);
}
