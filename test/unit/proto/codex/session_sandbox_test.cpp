// The effective sandbox check (spec §0 rule 6, §5.1): the sandbox in the
// thread result against the managed block, for every mode.
#include <catch2/catch.hpp>

#include "proto/codex/sandbox_check.hpp"
#include "test/unit/proto/codex/session_driver.hpp"

using namespace multicad::proto::codex;
using namespace multicad::proto::codex::testing;

namespace {

// The four shapes thread/start reported (spec §5.1), strictest first.
const char* read_only = R"({"type":"readOnly","networkAccess":false})";
const char* ww_off =
    R"({"type":"workspaceWrite","writableRoots":[],"networkAccess":false,"excludeTmpdirEnvVar":false,"excludeSlashTmp":false})";
const char* ww_on = ww_network_on;
const char* full = R"({"type":"dangerFullAccess"})";

sandbox_intent intent(const std::string& mode, bool network) { return {mode, network, "/w/t/codex-home/config.toml"}; }

struct intent_case {
  sandbox_intent want;
  int rank;  // position in the order above
};

std::vector<intent_case> all_intents() {
  return {{intent("read-only", true), 0},  // network_access means nothing for read-only
          {intent("workspace-write", false), 1},
          {intent("workspace-write", true), 2},
          {intent("danger-full-access", false), 3}};
}

driver opened(const sandbox_intent& want, const std::string& sandbox) {
  auto config = default_config();
  config.sandbox = want;
  driver d(config);
  d.open_thread("t1", sandbox);
  return d;
}

}  // namespace

TEST_CASE("each intent against each reported sandbox is same or stricter or looser by the spec's order", "[proto][codex]") {
  const char* reported[] = {read_only, ww_off, ww_on, full};
  for (const auto& [want, want_rank] : all_intents()) {
    for (int got_rank = 0; got_rank < 4; ++got_rank) {
      INFO(want.mode << " network=" << want.network_access << " vs " << reported[got_rank]);
      auto verdict = compare_sandbox(want, json::parse(reported[got_rank])).verdict;
      auto expected = got_rank == want_rank  ? sandbox_verdict::same
                      : got_rank < want_rank ? sandbox_verdict::stricter
                                             : sandbox_verdict::looser;
      CHECK(verdict == expected);
    }
  }
}

TEST_CASE("an unknown or missing sandbox counts as looser than any intent", "[proto][codex]") {
  for (const auto& [want, rank] : all_intents()) {
    CHECK(compare_sandbox(want, json::parse(R"({"type":"externalSandbox","networkAccess":"restricted"})")).verdict ==
          sandbox_verdict::looser);
    CHECK(compare_sandbox(want, json()).verdict == sandbox_verdict::looser);
    CHECK(compare_sandbox(want, json::parse(R"("workspace-write")")).verdict == sandbox_verdict::looser);
  }
}

TEST_CASE("read-only with network is looser than workspace-write without network", "[proto][codex]") {
  // Not one of the four shapes seen, but newer Codex can report it: more
  // network is looser even with fewer writes.
  auto c = compare_sandbox(intent("workspace-write", false), json::parse(R"({"type":"readOnly","networkAccess":true})"));
  CHECK(c.verdict == sandbox_verdict::looser);
  CHECK(c.effective == "read-only with network");
}

TEST_CASE("a looser sandbox stops the session before the turn with a warning", "[proto][codex]") {
  for (const auto& [want, want_rank] : all_intents()) {
    if (want.mode == "danger-full-access") continue;  // nothing is looser but the unknown
    driver d = opened(want, full);
    INFO(want.mode);
    REQUIRE(d.s.finished());
    CHECK(d.s.result().result == outcome::status::sandbox_violation);
    CHECK(d.s.result().thread_id == "t1");
    CHECK_THAT(d.s.result().error, Catch::Contains("danger-full-access") && Catch::Contains(want.mode));
    CHECK(d.last()["method"] != "turn/start");
    const log_note* n = d.find_note("codex sandbox: effective sandbox is looser than the managed block");
    REQUIRE(n);
    CHECK(n->severity == log_note::level::warn);
    CHECK(field(*n, "intended") == compare_sandbox(want, json::parse(full)).intended);
    CHECK(field(*n, "effective") == "danger-full-access");
    CHECK(field(*n, "config_path") == "/w/t/codex-home/config.toml");
    CHECK_THAT(field(*n, "hint"), Catch::Contains(".codex/config.toml") && Catch::Contains("Codex version"));
  }
}

TEST_CASE("network on where the block says off is a violation", "[proto][codex]") {
  driver d = opened(intent("workspace-write", false), ww_on);
  CHECK(d.s.result().result == outcome::status::sandbox_violation);
  CHECK(d.s.result().error ==
        "codex reported a looser sandbox (workspace-write with network) than the managed block sets "
        "(workspace-write without network); the turn was not started");
}

TEST_CASE("an unknown sandbox type stops even a danger-full-access task", "[proto][codex]") {
  driver d = opened(intent("danger-full-access", true), R"({"type":"somethingNew"})");
  CHECK(d.s.result().result == outcome::status::sandbox_violation);
  CHECK_THAT(field(*d.find_note("codex sandbox: effective sandbox is looser"), "effective"),
             Catch::Contains("somethingNew"));
}

TEST_CASE("a stricter sandbox is a warning and the turn still starts", "[proto][codex]") {
  driver d = opened(intent("danger-full-access", true), read_only);
  CHECK_FALSE(d.s.finished());
  CHECK(d.last()["method"] == "turn/start");
  const log_note* n = d.find_note("codex sandbox: effective sandbox is stricter than the managed block");
  REQUIRE(n);
  CHECK(n->severity == log_note::level::warn);
  CHECK(field(*n, "intended") == "danger-full-access");
  CHECK(field(*n, "effective") == "read-only");
  CHECK(field(*n, "config_path") == "/w/t/codex-home/config.toml");
  CHECK(field(*n, "hint") != "<absent>");
}

TEST_CASE("the sandbox that was asked for starts the turn without a warning", "[proto][codex]") {
  const char* reported[] = {read_only, ww_off, ww_on, full};
  for (const auto& [want, rank] : all_intents()) {
    driver d = opened(want, reported[rank]);
    INFO(want.mode);
    CHECK(d.last()["method"] == "turn/start");
    CHECK(d.notes.empty());
  }
}

TEST_CASE("a resumed thread's sandbox is checked too", "[proto][codex]") {
  auto config = default_config();
  config.resume_thread_id = "t0";
  driver d(config);
  d.start();
  d.answer("initialize", initialize_result);
  d.answer("thread/resume", thread_result, {{"@THREAD@", "t0"}, {"@SANDBOX@", full}});
  CHECK(d.s.result().result == outcome::status::sandbox_violation);
  CHECK(d.s.result().resumed);
}

TEST_CASE("a thread result without a sandbox fails closed", "[proto][codex]") {
  driver d;
  d.start();
  d.answer("initialize", initialize_result);
  d.feed(R"({"id":)" + std::to_string(d.id_of("thread/start")) + R"(,"result":{"thread":{"id":"t1"},"model":"mock-model"}})");
  CHECK(d.s.result().result == outcome::status::sandbox_violation);
  CHECK(field(*d.find_note("codex sandbox: effective sandbox is looser"), "effective") == "none reported");
}
