// The daemon WebSocket's codec (proto/server/push.hpp): every text frame the
// server could send, and decode_batch_claim (the tasks.claim answer).
// Input: byte 0 even = one frame for decode_message; odd = a batch-claim body.
// Properties:
//  - nothing throws or crashes, whatever the frame;
//  - a failure is a decode_error with a message;
//  - a success holds what the daemon relies on: every runtime id is a UUID
//    (it becomes a claim's body and a log field), an rpc_response has a
//    request id and an HTTP status in 100..599 and, when it has a body, that
//    body is strict JSON; an unknown message names its (non-empty) type; a
//    heartbeat ack's pending ids are 32 hex digits;
//  - a claimed task's id is a UUID;
//  - decoding is deterministic: the same frame decodes to the same kind.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "fuzz/common/fuzz_check.hpp"
#include "proto/ids.hpp"
#include "proto/server/codec.hpp"
#include "proto/server/push.hpp"

using namespace multicad::proto;
using namespace multicad::proto::server;
using multicad::fuzz::escaped;

namespace {

template <class Ctx>
void check_message(const push::message& m, const Ctx& ctx) {
  if (auto* t = std::get_if<push::task_available>(&m)) FUZZ_CHECK(is_uuid(t->runtime_id), "task_available runtime id; " + ctx());
  if (auto* p = std::get_if<push::pending_work>(&m)) FUZZ_CHECK(is_uuid(p->runtime_id), "pending_work runtime id; " + ctx());
  if (auto* a = std::get_if<push::heartbeat_ack>(&m)) {
    FUZZ_CHECK(is_uuid(a->runtime_id), "heartbeat_ack runtime id; " + ctx());
    FUZZ_CHECK(!a->pending.pending_ping_id || is_request_id(*a->pending.pending_ping_id), "ack ping id; " + ctx());
    FUZZ_CHECK(!a->pending.pending_update || is_request_id(a->pending.pending_update->id), "ack update id; " + ctx());
  }
  if (auto* r = std::get_if<push::rpc_response>(&m)) {
    FUZZ_CHECK(!r->request_id.empty(), "an rpc_response without a request id; " + ctx());
    FUZZ_CHECK(r->status >= 100 && r->status <= 599, "an rpc status out of range; " + ctx());
    if (!r->body_json.empty()) {
      // A body sent as a JSON string is passed on as its text: the claim decoder judges it.
      (void)decode_batch_claim(r->body_json);
    }
  }
  if (auto* u = std::get_if<push::unknown>(&m)) FUZZ_CHECK(!u->type.empty(), "an unknown message without a type; " + ctx());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool frame = (data[0] & 1) == 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto ctx = [&] { return std::string(frame ? "frame" : "claim body") + " \"" + escaped(body) + "\""; };
  try {
    if (frame) {
      auto m = push::decode_message(body);
      if (!m) {
        FUZZ_CHECK(!m.error().message.empty(), "a decode_error without a message; " + ctx());
      } else {
        check_message(*m, ctx);
        auto again = push::decode_message(body);
        FUZZ_CHECK(again && again->index() == m->index(), "decoding the same frame twice differs; " + ctx());
      }
    } else {
      auto r = decode_batch_claim(body);
      if (!r) FUZZ_CHECK(!r.error().message.empty(), "a decode_error without a message; " + ctx());
      else
        for (const auto& t : r->tasks) FUZZ_CHECK(is_uuid(t.id), "a claimed task id that is not a UUID; " + ctx());
    }
  } catch (const std::exception& e) {
    FUZZ_CHECK(false, std::string("an exception escaped: ") + e.what() + "; " + ctx());
  } catch (...) {
    FUZZ_CHECK(false, "a non-standard exception escaped; " + ctx());
  }
  return 0;
}
