// Drives a proto::codex::session in tests: feeds Codex's lines, collects
// what the session queued after every call, and walks it through the
// handshake with replies captured from the real Codex 0.171.0
// (spec/codex-app-server.md). Header-only; each test file includes it.
#pragma once

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/codex/session.hpp"

namespace multicad::proto::codex::testing {

using nlohmann::json;

// Ids as they appear in the spec's trimmed captures (§4.2, §4.3).
inline const std::string plain_thread = "01a218ca-5116-…";
inline const std::string plain_turn = "01a218ca-513f-…";

inline session_config default_config() {
  session_config c;
  c.client_name = "multicad";
  c.client_version = "0.1.0";
  c.cwd = "<workspace>";
  c.model = "mock-model";
  c.prompt = "ping";
  c.sandbox = {"workspace-write", true, "/w/task/codex-home/config.toml"};
  return c;
}

// Replaces every `from` in `text` by `to`: captures are quoted verbatim with
// their ids swapped for the test's own.
inline std::string fill(std::string text, const std::vector<std::pair<std::string, std::string>>& swaps) {
  for (const auto& [from, to] : swaps) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
      text.replace(at, from.size(), to);
    }
  }
  return text;
}

inline const char* initialize_result =
    R"J({"id":@ID@,"result":{"userAgent":"multicad/0.171.0 (Debian 12.0.0; x86_64) xterm (multicad; 0.1.0)","codexHome":"$CODEX_HOME","platformFamily":"unix","platformOs":"linux"}})J";

// §2.7: with a custom model provider no OpenAI login is needed.
inline const char* account_result_custom_provider =
    R"({"id":@ID@,"result":{"account":null,"userId":null,"requiresOpenaiAuth":false,"workspaceRouting":null}})";
inline const char* account_result_not_logged_in =
    R"({"id":@ID@,"result":{"account":null,"userId":null,"requiresOpenaiAuth":true,"workspaceRouting":null}})";
inline const char* account_result_chatgpt =
    R"({"id":@ID@,"result":{"account":{"type":"chatgpt","email":"u@example.com","planType":"plus"},"userId":"u","requiresOpenaiAuth":true,"workspaceRouting":null}})";

// §2.3, with the thread id, request id and sandbox made parameters.
inline const char* thread_result =
    R"({"id":@ID@,"result":{"thread":{"id":"@THREAD@","sessionId":"@THREAD@","preview":"","ephemeral":false,"historyMode":"paginated","modelProvider":"mock","model":"mock-model","createdAt":1795712241,"status":{"type":"idle"},"path":"$CODEX_HOME/sessions/YYYY/MM/DD/rollout-….jsonl","cwd":"<workspace>","cliVersion":"0.171.0","originator":"multicad","source":"vscode","turns":[]},"model":"mock-model","modelProvider":"mock","cwd":"<workspace>","instructionSources":["<workspace>/AGENTS.md"],"approvalPolicy":"on-request","approvalsReviewer":"user","sandbox":@SANDBOX@,"reasoningEffort":null,"multiAgentMode":"explicitRequestOnly"}})";

inline const char* ww_network_on =
    R"({"type":"workspaceWrite","writableRoots":[],"networkAccess":true,"excludeTmpdirEnvVar":false,"excludeSlashTmp":false})";

// §2.5
inline const char* turn_start_result =
    R"({"id":@ID@,"result":{"turn":{"id":"@TURN@","rootTurnId":"@TURN@","items":[],"itemsView":"notLoaded","status":"inProgress","error":null,"startedAt":null,"completedAt":null,"durationMs":null}}})";

struct driver {
  explicit driver(session_config config = default_config()) : s(std::move(config)) {}

  session s;
  std::vector<std::string> raw;  // every line written, as written
  std::vector<json> sent;        // the same, parsed
  std::vector<event> events;
  std::vector<log_note> notes;
  std::vector<activity> signs;  // take_activity(), in order

  // Collects what the last call queued.
  void drain() {
    for (auto& line : s.take_lines()) {
      REQUIRE(!line.empty());
      REQUIRE(line.back() == '\n');
      sent.push_back(json::parse(line.substr(0, line.size() - 1)));
      raw.push_back(std::move(line));
    }
    for (auto& e : s.take_events()) events.push_back(std::move(e));
    for (auto& n : s.take_notes()) notes.push_back(std::move(n));
    for (auto& a : s.take_activity()) signs.push_back(std::move(a));
  }

  void start() { s.start(); drain(); }
  void feed(std::string_view line) { s.on_line(line); drain(); }
  void feed_all(std::initializer_list<std::string_view> lines) {
    for (auto l : lines) feed(l);
  }

  // The id of the last request with this method.
  std::int64_t id_of(std::string_view method) const {
    for (auto it = sent.rbegin(); it != sent.rend(); ++it) {
      if (it->contains("method") && (*it)["method"] == method && it->contains("id")) return (*it)["id"].get<std::int64_t>();
    }
    FAIL("no " << method << " request was sent");
    return -1;
  }

  const json& last() const {
    REQUIRE(!sent.empty());
    return sent.back();
  }

  void answer(std::string_view method, const char* templ, std::vector<std::pair<std::string, std::string>> swaps = {}) {
    swaps.emplace_back("@ID@", std::to_string(id_of(method)));
    feed(fill(templ, swaps));
    // The credentials check follows initialize; most tests are about what
    // comes after it, so a logged-in answer is given unless a test opts out.
    if (method == "initialize" && auto_account && !sent.empty() && sent.back().value("method", "") == "account/read")
      answer("account/read", account_result_custom_provider);
  }
  bool auto_account = true;

  // start -> initialize result -> thread result with `sandbox`.
  void open_thread(const std::string& thread_id, const std::string& sandbox = ww_network_on) {
    start();
    answer("initialize", initialize_result);
    std::string method = sent.back()["method"];
    answer(method, thread_result, {{"@THREAD@", thread_id}, {"@SANDBOX@", sandbox}});
  }

  // ... -> turn/start result: the session is in_turn.
  void open_turn(const std::string& thread_id = plain_thread, const std::string& turn_id = plain_turn) {
    open_thread(thread_id);
    answer("turn/start", turn_start_result, {{"@TURN@", turn_id}});
    REQUIRE(s.current_state() == session::state::in_turn);
  }

  std::vector<event> events_of(event::kind k) const {
    std::vector<event> out;
    for (const auto& e : events) {
      if (e.type == k) out.push_back(e);
    }
    return out;
  }

  const log_note* find_note(std::string_view message_start) const {
    for (const auto& n : notes) {
      if (n.message.rfind(message_start, 0) == 0) return &n;
    }
    return nullptr;
  }
};

inline std::string field(const log_note& n, std::string_view key) {
  for (const auto& [k, v] : n.fields) {
    if (k == key) return v;
  }
  return "<absent>";
}

inline event text_event(std::string content) { return {.type = event::kind::text, .content = std::move(content)}; }
inline event error_event(std::string content) { return {.type = event::kind::error, .content = std::move(content)}; }
inline event tool_use(std::string tool, std::string id, std::string input) {
  return {.type = event::kind::tool_use, .tool = std::move(tool), .call_id = std::move(id), .input_json = std::move(input)};
}
inline event tool_result(std::string tool, std::string id, std::string output) {
  return {.type = event::kind::tool_result, .tool = std::move(tool), .call_id = std::move(id), .output = std::move(output)};
}

}  // namespace multicad::proto::codex::testing

namespace Catch {
template <>
struct StringMaker<multicad::proto::codex::event> {
  static std::string convert(const multicad::proto::codex::event& e) {
    static const char* kinds[] = {"text", "thinking", "tool_use", "tool_result", "error"};
    return std::string("{") + kinds[static_cast<int>(e.type)] + " tool=" + e.tool + " call_id=" + e.call_id +
           " content=" + e.content + " input=" + e.input_json + " output=" + e.output + "}";
  }
};
}  // namespace Catch
