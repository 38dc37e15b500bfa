// The server API codecs (proto/server/codec.hpp) and proto::decode_task
// (proto/task.hpp). Input: byte 0 picks what runs ((byte - '0') % 11), the
// rest is the body:
//   0 decode_workspaces  1 decode_register  2 decode_heartbeat  3 decode_claim
//   4 decode_status      5 decode_gc_check  6 decode_pending    7 decode_error_body
//   8 decode_task        9 encode(messages_request) built from the bytes
//  10 every other encoder, built from the bytes
// Properties:
//  - nothing throws or crashes, whatever the body;
//  - a failure is a decode_error with a message;
//  - a success holds what the decoder promises: workspace, runtime and task
//    ids are UUID-shaped and a pending ping or update id is 32 hex digits
//    (proto/ids.hpp), a task's other ids are UUIDs or empty, a status is not
//    empty, and
//    register never returns an empty runtime list;
//  - decode_error_body never fails, and its message is at most 4096 bytes,
//    trimmed, and not cut inside a UTF-8 sequence that was whole in the body;
//  - every encoder's output parses as strict JSON (invalid UTF-8 in the
//    fields is replaced, not thrown); a messages batch keeps every message,
//    its seq and, for valid UTF-8, its strings; "input" is present exactly
//    when input_json is a non-empty JSON object, and then equals it.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "fuzz/common/fuzz_check.hpp"
#include "proto/ids.hpp"
#include "proto/server/codec.hpp"
#include "proto/task.hpp"

using namespace multicad::proto;
using namespace multicad::proto::server;
using multicad::fuzz::escaped;
using nlohmann::json;

namespace {

template <class R, class Ctx>
void check_failure(const R& r, const Ctx& ctx) {
  if (!r) FUZZ_CHECK(!r.error().message.empty(), "a decode_error without a message; " + ctx());
}

template <class Ctx>
void check_task(const task& t, const Ctx& ctx) {
  using multicad::proto::is_uuid;
  FUZZ_CHECK(is_uuid(t.id), "a decoded task whose id is not a UUID; " + ctx());
  for (const std::string* id : {&t.agent_id, &t.runtime_id, &t.issue_id, &t.workspace_id, &t.chat_session_id,
                                &t.trigger_comment_id})
    FUZZ_CHECK(id->empty() || is_uuid(*id), "a task id field that is neither empty nor a UUID; " + ctx());
  FUZZ_CHECK(t.invalid.empty() || t.invalid.find("not a UUID") != std::string::npos, "an invalid-id note without a reason; " + ctx());
}

bool valid_utf8(const std::string& s) {
  try {
    (void)json(s).dump();
    return true;
  } catch (const json::exception&) {
    return false;
  }
}

json parse_strict(const std::string& text, const std::string& what) {
  try {
    return json::parse(text);
  } catch (const std::exception& e) {
    FUZZ_CHECK(false, what + " encoded text that is not JSON (" + e.what() + "): \"" + escaped(text) + "\"");
  }
}

void decode(unsigned which, std::string_view body) {
  auto ctx = [&] { return "decoder " + std::to_string(which) + ", body \"" + escaped(body) + "\""; };
  switch (which) {
    case 0: {
      auto r = decode_workspaces(body);
      check_failure(r, ctx);
      if (r)
        for (const auto& w : *r) FUZZ_CHECK(multicad::proto::is_uuid(w.id), "a workspace id that is not a UUID; " + ctx());
      break;
    }
    case 1: {
      auto r = decode_register(body);
      check_failure(r, ctx);
      if (r) {
        FUZZ_CHECK(!r->runtimes.empty(), "a registration without runtimes; " + ctx());
        for (const auto& rt : r->runtimes) FUZZ_CHECK(multicad::proto::is_uuid(rt.id), "a runtime id that is not a UUID; " + ctx());
      }
      break;
    }
    case 2: {
      auto r = decode_heartbeat(body);
      check_failure(r, ctx);
      if (r) {
        FUZZ_CHECK(!r->pending_ping_id || multicad::proto::is_request_id(*r->pending_ping_id), "a malformed pending ping id; " + ctx());
        FUZZ_CHECK(!r->pending_update || multicad::proto::is_request_id(r->pending_update->id), "a malformed pending update id; " + ctx());
      }
      break;
    }
    case 3: {
      auto r = decode_claim(body);
      check_failure(r, ctx);
      if (r && r->claimed) check_task(*r->claimed, ctx);
      break;
    }
    case 4: {
      auto r = decode_status(body);
      check_failure(r, ctx);
      if (r) FUZZ_CHECK(!r->status.empty(), "an empty task status; " + ctx());
      break;
    }
    case 5: {
      auto r = decode_gc_check(body);
      check_failure(r, ctx);
      if (r) FUZZ_CHECK(!r->status.empty(), "an empty issue status; " + ctx());
      break;
    }
    case 6: {
      auto r = decode_pending(body);
      check_failure(r, ctx);
      if (r)
        for (const auto& t : *r) check_task(t, ctx);
      break;
    }
    case 7: {
      auto e = decode_error_body(body);
      const std::string& m = e.message;
      FUZZ_CHECK(m.size() <= 4096, "an error message of " + std::to_string(m.size()) + " bytes; " + ctx());
      constexpr std::string_view space = " \t\r\n";
      FUZZ_CHECK(m.empty() || (space.find(m.front()) == space.npos && space.find(m.back()) == space.npos),
                 "an untrimmed error message \"" + escaped(m) + "\"; " + ctx());
      // A body that is valid UTF-8 gives a message that is valid UTF-8:
      // the 4096-byte cut must not split a character.
      if (valid_utf8(std::string(body)))
        FUZZ_CHECK(valid_utf8(m), "the cut split a UTF-8 character: \"" + escaped(m) + "\"; " + ctx());
      break;
    }
    case 8: {
      auto r = decode_task(body);
      check_failure(r, ctx);
      if (r) check_task(*r, ctx);
      break;
    }
  }
}

void messages_round_trip(FuzzedDataProvider& in) {
  messages_request r;
  const auto count = in.ConsumeIntegralInRange<std::size_t>(0, 6);
  for (std::size_t i = 0; i < count; ++i) {
    task_message m;
    m.seq = in.ConsumeIntegral<std::int32_t>();
    m.type = in.ConsumeRandomLengthString(32);
    m.tool = in.ConsumeRandomLengthString(32);
    m.content = in.ConsumeRandomLengthString(200);
    m.input_json = in.ConsumeRandomLengthString(200);
    m.output = in.ConsumeRandomLengthString(200);
    r.messages.push_back(std::move(m));
  }
  const std::string text = encode(r);
  const json j = parse_strict(text, "encode(messages_request)");
  auto ctx = [&] { return "encoded \"" + escaped(text) + "\""; };
  FUZZ_CHECK(j.is_object() && j.size() == 1 && j.contains("messages") && j["messages"].is_array(),
             "not {\"messages\": [...]}; " + ctx());
  FUZZ_CHECK(j["messages"].size() == r.messages.size(), "messages were lost or added; " + ctx());
  for (std::size_t i = 0; i < r.messages.size(); ++i) {
    const auto& m = r.messages[i];
    const json& e = j["messages"][i];
    auto at = [&] { return "message " + std::to_string(i) + "; " + ctx(); };
    FUZZ_CHECK(e.is_object() && e.value("seq", json()).is_number_integer() && e["seq"].get<std::int64_t>() == m.seq,
               "seq changed; " + at());
    FUZZ_CHECK(e.contains("type") && e["type"].is_string(), "type missing; " + at());
    if (valid_utf8(m.type)) FUZZ_CHECK(e["type"] == m.type, "type changed; " + at());
    for (auto [key, value] : {std::pair<const char*, const std::string*>{"tool", &m.tool},
                              {"content", &m.content}, {"output", &m.output}}) {
      FUZZ_CHECK(e.contains(key) == !value->empty(), std::string(key) + " present iff not empty; " + at());
      if (!value->empty() && valid_utf8(*value)) FUZZ_CHECK(e[key] == *value, std::string(key) + " changed; " + at());
    }
    json input = m.input_json.empty() ? json() : json::parse(m.input_json, nullptr, false);
    const bool object = !input.is_discarded() && input.is_object() && !input.empty();
    FUZZ_CHECK(e.contains("input") == object, "input present iff a non-empty object; " + at());
    if (object && valid_utf8(m.input_json)) FUZZ_CHECK(e["input"] == input, "input changed; " + at());
  }
}

void other_encoders(FuzzedDataProvider& in) {
  auto str = [&] { return in.ConsumeRandomLengthString(64); };
  register_request reg{str(), str(), str(), str(), str(), {}};
  for (auto n = in.ConsumeIntegralInRange<int>(0, 3); n > 0; --n) reg.runtimes.push_back({str(), str(), str(), str()});
  parse_strict(encode(reg), "encode(register_request)");
  deregister_request dereg;
  for (auto n = in.ConsumeIntegralInRange<int>(0, 3); n > 0; --n) dereg.runtime_ids.push_back(str());
  parse_strict(encode(dereg), "encode(deregister_request)");
  parse_strict(encode(heartbeat_request{str()}), "encode(heartbeat_request)");
  parse_strict(encode(progress_request{str(), in.ConsumeIntegral<int>(), in.ConsumeIntegral<int>()}),
               "encode(progress_request)");
  usage_request usage;
  for (auto n = in.ConsumeIntegralInRange<int>(0, 3); n > 0; --n)
    usage.usage.push_back({str(), str(), in.ConsumeIntegral<std::int64_t>(), in.ConsumeIntegral<std::int64_t>(),
                           in.ConsumeIntegral<std::int64_t>(), in.ConsumeIntegral<std::int64_t>()});
  json u = parse_strict(encode(usage), "encode(usage_request)");
  for (std::size_t i = 0; i < usage.usage.size(); ++i)
    FUZZ_CHECK(u["usage"][i]["input_tokens"].get<std::int64_t>() == usage.usage[i].input_tokens &&
                   u["usage"][i]["cache_write_tokens"].get<std::int64_t>() == usage.usage[i].cache_write_tokens,
               "usage counters changed: " + u.dump());
  complete_request done{str(), str(), str()};
  json c = parse_strict(encode(done), "encode(complete_request)");
  FUZZ_CHECK(c.contains("session_id") == !done.session_id.empty() && c.contains("work_dir") == !done.work_dir.empty(),
             "complete omits exactly the empty session_id and work_dir: " + c.dump());
  parse_strict(encode(fail_request{str()}), "encode(fail_request)");
  parse_strict(encode(ping_result_request{str(), str(), str(), in.ConsumeIntegral<std::int64_t>()}),
               "encode(ping_result_request)");
  parse_strict(encode(update_result_request{str(), str(), str()}), "encode(update_result_request)");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned which = static_cast<unsigned char>(data[0] - '0') % 11;
  try {
    if (which <= 8) {
      // A view of libFuzzer's buffer: reading past its end is an ASan report.
      decode(which, std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
    } else {
      FuzzedDataProvider in(data + 1, size - 1);
      if (which == 9) messages_round_trip(in);
      else other_encoders(in);
    }
  } catch (const std::exception& e) {
    FUZZ_CHECK(false, std::string("an exception escaped: ") + e.what() + " (selector " + std::to_string(which) + ")");
  } catch (...) {
    FUZZ_CHECK(false, "a non-standard exception escaped (selector " + std::to_string(which) + ")");
  }
  return 0;
}
