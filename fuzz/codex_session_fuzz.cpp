// proto::codex::session (proto/codex/session.hpp) driven by arbitrary Codex
// output. Input: the first line (up to the first '\n') is a header whose first
// byte configures the session (bit 0 auto-accept approvals, bit 1 resume a
// thread, bits 2-3 sandbox workspace-write / read-only / danger-full-access /
// an unknown mode, bit 4 network off, bit 5 no model); every following line is
// fed to on_line(), except lines starting with a control byte (below). When
// the header's second byte is 'T', the harness first answers initialize,
// account/read, thread/start (or thread/resume) and turn/start itself with
// replies captured from Codex 0.171.0, so that every fuzzed line lands in a
// running turn. Control bytes:
//   \x01 on_overlong_line(size)   \x02 interrupt(reason)   \x03 on_exit(size)
//   \x04 on_exit(nullopt)         \x05 start() again
// The session is start()ed first and drained after every call.
//
// Properties, after every call:
//  - every line written ends with '\n', holds no other '\n', is one compact
//    JSON object without "jsonrpc", and is a request (integer ids counting up
//    from 1), a notification, or a reply carrying exactly one of result/error;
//  - a server request (a line with an id and a method) gets exactly one reply
//    with its id in the same call;
//  - once finished(): no call produces lines, events or notes, the state
//    stays finished and result() never changes; result() is read only then;
//  - events: a tool_use names its tool and carries a JSON object; a
//    tool_result follows a tool_use of the same call id; text, thinking and
//    error events are not empty;
//  - the outcome: completed means a non-empty final_output and no error,
//    anything else carries an error; final_output is the text events joined
//    by "\n\n"; when finished, no tool_use is left without its tool_result.
#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/common/fuzz_check.hpp"
#include "proto/codex/session.hpp"

using namespace multicad::proto::codex;
using multicad::fuzz::escaped;
using nlohmann::json;

namespace {

session_config config_from(unsigned char flags) {
  session_config c;
  c.client_name = "multicad";
  c.client_version = "0.1.0";
  c.cwd = "/w/task/workdir";
  c.model = flags & 0x20 ? "" : "mock-model";
  c.prompt = "ping";
  c.developer_instructions = "You fix bugs.";
  c.resume_thread_id = flags & 0x02 ? "01a218ca-5116-7650-842a-9a789c96939a" : "";
  static const char* const modes[] = {"workspace-write", "read-only", "danger-full-access", "no-such-mode"};
  c.sandbox = {modes[(flags >> 2) & 3], (flags & 0x10) == 0, "/w/task/codex-home/config.toml"};
  c.approval_mode = flags & 0x01 ? approvals::auto_accept : approvals::never;
  return c;
}

const char* status_name(outcome::status s) {
  static const char* const names[] = {"completed", "failed", "interrupted", "sandbox_violation", "protocol_error", "exited"};
  auto i = static_cast<std::size_t>(s);
  return i < 6 ? names[i] : "?";
}

std::string describe(const outcome& o) {
  return std::string("outcome ") + status_name(o.result) + " error \"" + escaped(o.error) + "\" output \"" +
         escaped(o.final_output) + "\" thread \"" + escaped(o.thread_id) + "\"";
}

bool same(const outcome& a, const outcome& b) {
  return a.result == b.result && a.final_output == b.final_output && a.error == b.error &&
         a.thread_id == b.thread_id && a.resumed == b.resumed && a.usage == b.usage;
}

// The id of a line that is a server request by the app-server's own framing
// rules (a JSON object with a non-null integer-or-string id, a string method,
// and params absent, null or an object).
std::optional<json> request_id_of(std::string_view line) {
  json j = json::parse(line.begin(), line.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  auto id = j.find("id");
  auto method = j.find("method");
  if (id == j.end() || method == j.end() || id->is_null() || method->is_null()) return std::nullopt;
  if (!(id->is_number_integer() || id->is_string()) || !method->is_string()) return std::nullopt;
  auto params = j.find("params");
  if (params != j.end() && !params->is_null() && !params->is_object()) return std::nullopt;
  return *id;
}

// The handshake replies of spec/codex-app-server.md §2.1-§2.5 (trimmed), for
// the request ids the session uses: initialize 1, account/read 2, the thread 3,
// turn/start 4. The reported sandbox is the intended one, so the turn starts.
std::vector<std::string> handshake(const session_config& c) {
  std::string sandbox = c.sandbox.mode == "workspace-write"
                            ? std::string(R"({"type":"workspaceWrite","writableRoots":[],"networkAccess":)") +
                                  (c.sandbox.network_access ? "true" : "false") + "}"
                        : c.sandbox.mode == "danger-full-access" ? R"({"type":"dangerFullAccess"})"
                                                                 : R"({"type":"readOnly","networkAccess":false})";
  return {
      R"J({"id":1,"result":{"userAgent":"multicad/0.171.0 (Debian 12.0.0; x86_64) xterm (multicad; 0.1.0)","codexHome":"$CODEX_HOME","platformFamily":"unix","platformOs":"linux"}})J",
      R"({"id":2,"result":{"account":null,"userId":null,"requiresOpenaiAuth":false,"workspaceRouting":null}})",
      R"({"id":3,"result":{"thread":{"id":"01a218ca-5116-…","sessionId":"01a218ca-5116-…","modelProvider":"mock","model":"mock-model","status":{"type":"idle"},"cwd":"<workspace>","cliVersion":"0.171.0","turns":[]},"model":"mock-model","modelProvider":"mock","cwd":"<workspace>","approvalPolicy":"never","sandbox":)" +
          sandbox + "}}",
      R"({"id":4,"result":{"turn":{"id":"01a218ca-513f-…","rootTurnId":"01a218ca-513f-…","items":[],"itemsView":"notLoaded","status":"inProgress","error":null}}})",
  };
}

class harness {
 public:
  explicit harness(session_config config) : s_(std::move(config)) {}

  // Runs one call, then drains and checks. `name()` names the call for
  // reports; it is only evaluated when a property fails.
  template <class Name, class F>
  void step(Name&& name, F&& f, std::optional<json> expect_reply_to = std::nullopt) {
    const bool was_finished = s_.finished();
    std::optional<outcome> before;
    if (was_finished) before = s_.result();
    f(s_);
    auto lines = s_.take_lines();
    auto events = s_.take_events();
    auto notes = s_.take_notes();
    auto ctx = [&] { return "after " + std::string(name()); };

    if (was_finished) {
      FUZZ_CHECK(s_.finished(), "a finished session left the finished state; " + ctx());
      FUZZ_CHECK(lines.empty(), "a finished session wrote \"" + escaped(lines.empty() ? "" : lines[0]) + "\"; " + ctx());
      FUZZ_CHECK(events.empty(), "a finished session emitted an event \"" +
                                     escaped(events.empty() ? "" : events[0].content) + "\"; " + ctx());
      FUZZ_CHECK(notes.empty(), "a finished session logged \"" + (notes.empty() ? "" : notes[0].message) + "\"; " + ctx());
      FUZZ_CHECK(same(*before, s_.result()),
                 "the outcome changed after finishing: was " + describe(*before) + ", now " + describe(s_.result()) +
                     "; " + ctx());
      return;
    }
    int replies = 0;
    for (const auto& line : lines) check_line(line, ctx, expect_reply_to, replies);
    if (expect_reply_to) {
      FUZZ_CHECK(replies == 1, "the server request " + expect_reply_to->dump() + " got " + std::to_string(replies) +
                                   " replies; " + ctx());
    }
    for (const auto& e : events) check_event(e, ctx);
    for (const auto& n : notes) FUZZ_CHECK(!n.message.empty(), "an empty log note; " + ctx());
    if (s_.finished()) check_outcome(ctx);
  }

 private:
  template <class Ctx>
  void check_line(const std::string& line, const Ctx& ctx, const std::optional<json>& request, int& replies) {
    auto at = [&] { return "line \"" + escaped(line) + "\" " + ctx(); };
    FUZZ_CHECK(!line.empty() && line.back() == '\n', "a line without its newline: " + at());
    FUZZ_CHECK(line.find('\n') == line.size() - 1, "a line with an inner newline: " + at());
    json j;
    try {
      j = json::parse(line.substr(0, line.size() - 1));
    } catch (const std::exception& e) {
      FUZZ_CHECK(false, std::string("a line that is not JSON (") + e.what() + "): " + at());
    }
    FUZZ_CHECK(j.is_object(), "a line that is not an object: " + at());
    FUZZ_CHECK(!j.contains("jsonrpc"), "a line with a jsonrpc member: " + at());
    FUZZ_CHECK(line == j.dump() + "\n", "a line that is not compact JSON: " + at());
    const bool has_id = j.contains("id"), has_method = j.contains("method");
    if (has_method) {
      FUZZ_CHECK(j["method"].is_string(), "a method that is not a string: " + at());
      if (has_id) {
        FUZZ_CHECK(j["id"].is_number_integer() && j["id"].get<std::int64_t>() == next_id_,
                   "request id " + j["id"].dump() + ", expected " + std::to_string(next_id_) + ": " + at());
        FUZZ_CHECK(j.contains("params") && j["params"].is_object(), "a request without params: " + at());
        ++next_id_;
      }
      FUZZ_CHECK(!j.contains("result") && !j.contains("error"), "a request or notification with a result: " + at());
      return;
    }
    FUZZ_CHECK(has_id, "a line that is neither a request, a notification nor a reply: " + at());
    FUZZ_CHECK(j.contains("result") != j.contains("error"), "a reply without exactly one of result/error: " + at());
    FUZZ_CHECK(request && j["id"] == *request, "a reply to a request Codex did not just send: " + at());
    ++replies;
  }

  template <class Ctx>
  void check_event(const event& e, const Ctx& ctx) {
    auto at = [&] {
      return "event tool \"" + escaped(e.tool) + "\" call \"" + escaped(e.call_id) + "\" content \"" +
             escaped(e.content) + "\" " + ctx();
    };
    switch (e.type) {
      case event::kind::text:
        FUZZ_CHECK(!e.content.empty(), "an empty text event: " + at());
        texts_.push_back(e.content);
        break;
      case event::kind::thinking:
      case event::kind::error:
        FUZZ_CHECK(!e.content.empty(), "an empty thinking or error event: " + at());
        break;
      case event::kind::tool_use: {
        FUZZ_CHECK(!e.tool.empty(), "a tool_use without a tool: " + at());
        json input = json::parse(e.input_json, nullptr, false);
        FUZZ_CHECK(!input.is_discarded() && input.is_object(),
                   "a tool_use whose input is not a JSON object \"" + escaped(e.input_json) + "\": " + at());
        ++open_uses_[e.call_id];
        break;
      }
      case event::kind::tool_result:
        FUZZ_CHECK(!e.tool.empty(), "a tool_result without a tool: " + at());
        FUZZ_CHECK(open_uses_[e.call_id] > 0, "a tool_result without its tool_use: " + at());
        --open_uses_[e.call_id];
        break;
    }
  }

  template <class Ctx>
  void check_outcome(const Ctx& ctx) {
    const outcome& o = s_.result();  // only read once finished()
    auto at = [&] { return describe(o) + " " + ctx(); };
    if (o.result == outcome::status::completed) {
      FUZZ_CHECK(!o.final_output.empty(), "completed with an empty answer: " + at());
      FUZZ_CHECK(o.error.empty(), "completed with an error: " + at());
    } else {
      FUZZ_CHECK(!o.error.empty(), "ended without saying why: " + at());
    }
    std::string joined;
    for (const auto& t : texts_) joined += (joined.empty() ? "" : "\n\n") + t;
    FUZZ_CHECK(o.final_output == joined, "final_output is not the text events joined (\"" + escaped(joined) + "\"): " + at());
    for (const auto& [id, open] : open_uses_)
      FUZZ_CHECK(open == 0, "finished with the tool_use \"" + escaped(id) + "\" left without a tool_result: " + at());
  }

  session s_;
  std::int64_t next_id_ = 1;
  std::map<std::string, int> open_uses_;
  std::vector<std::string> texts_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto nl = input.find('\n');
  const std::string_view header = input.substr(0, nl);
  std::string_view rest = nl == std::string_view::npos ? std::string_view{} : input.substr(nl + 1);

  const session_config config = config_from(header.empty() ? 0 : static_cast<unsigned char>(header[0]));
  harness h(config);
  h.step([] { return "start()"; }, [](session& s) { s.start(); });
  if (header.size() > 1 && header[1] == 'T')
    for (const auto& reply : handshake(config))
      h.step([&] { return "on_line(\"" + escaped(reply) + "\") of the handshake"; }, [&](session& s) { s.on_line(reply); });

  while (nl != std::string_view::npos) {
    nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    if (nl != std::string_view::npos) rest.remove_prefix(nl + 1);
    const unsigned char control = line.empty() ? 0 : static_cast<unsigned char>(line[0]);
    switch (control) {
      case 0x01:
        h.step([] { return "on_overlong_line()"; }, [&](session& s) { s.on_overlong_line(line.size() * 1000003u); });
        break;
      case 0x02:
        h.step([] { return "interrupt()"; }, [&](session& s) { s.interrupt("fuzz: interrupted" + std::string(line.substr(1))); });
        break;
      case 0x03:
        h.step([] { return "on_exit(code)"; }, [&](session& s) {
          // Even sizes exit with a code, odd ones die of a signal: both words reach the outcome.
          auto n = static_cast<int>(line.size());
          s.on_exit(n % 2 ? multicad::proto::exit_status::killed(n) : multicad::proto::exit_status::exited(n - 2));
        });
        break;
      case 0x04:
        h.step([] { return "on_exit(nullopt)"; }, [](session& s) { s.on_exit(multicad::proto::exit_status::unknown("no status")); });
        break;
      case 0x05:
        h.step([] { return "start() again"; }, [](session& s) { s.start(); });
        break;
      default:
        h.step([&] { return "on_line(\"" + escaped(line) + "\")"; }, [&](session& s) { s.on_line(line); },
               request_id_of(line));
    }
  }
  return 0;
}
