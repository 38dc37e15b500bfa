// The daemon WebSocket's messages (agent-toolbox.md §11.1), sans I/O: a text
// frame's payload in, one typed message out; the daemon's own messages
// (heartbeats, the tasks.claim RPC) out as frame payloads. Every frame is
// {"type": "<t>", "payload": {...}}; a type we do not know decodes as
// `unknown` (the server may grow new ones), a frame that is not that shape
// is a decode_error. Plus the handshake target and the reconnect schedule.
// Pure; any thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "proto/decode_error.hpp"
#include "proto/server/types.hpp"

namespace multicad::proto::server::push {

// daemon:task_available: work is queued for the runtime; claim now.
struct task_available {
  std::string runtime_id;
  std::string task_id;  // may be empty
};
// daemon:pending_work: something waits in the runtime's next heartbeat answer.
struct pending_work {
  std::string runtime_id;
  std::string kind;  // may be empty
};
// daemon:heartbeat_ack: the HTTP heartbeat's answer, plus what only newer servers say.
struct heartbeat_ack {
  std::string runtime_id;
  std::string status;
  std::vector<std::string> server_capabilities;
  bool runtime_gone = false;  // the server lost the runtime: register again
  heartbeat_response pending;  // ping and update requests, handed out once
  bool rpc() const;            // server_capabilities holds "rpc-v1"
};
struct runtime_profiles_changed {
  std::string workspace_id;
};
struct workspaces_changed {};
// daemon:rpc_response to our daemon:rpc_request with the same request_id.
struct rpc_response {
  std::string request_id;
  int status = 0;          // HTTP-like: 2xx is success ("ok" reads as 200, another word as 500)
  std::string body_json;   // the body as JSON text; empty when absent
  std::string error;       // the server's reason, when it failed
};
struct unknown {
  std::string type;
};

using message = std::variant<task_available, pending_work, heartbeat_ack, runtime_profiles_changed, workspaces_changed,
                             rpc_response, unknown>;

// One text frame's payload. Errors name the field ("daemon:task_available.payload.runtime_id: ...").
decode_result<message> decode_message(std::string_view frame);

// {"type":"daemon:heartbeat","payload":{"runtime_id":…,"supports_batch_import":true}}
std::string encode_heartbeat(const std::string& runtime_id);
// {"type":"daemon:rpc_request","payload":{"request_id","method":"tasks.claim","body":{…},"timeout_ms"}}
std::string encode_claim_rpc(const std::string& request_id, const batch_claim_request& body,
                             std::chrono::milliseconds timeout);

// The handshake's request target: `path_prefix` + /api/daemon/ws?runtime_ids=<sorted, comma-joined>.
std::string handshake_target(const std::string& path_prefix, std::vector<std::string> runtime_ids);

// The wait before reconnect attempt number `failures` (1 after the first
// failure): 1 s doubling to 30 s, scaled by a factor in [0.8, 1.2] that
// `unit` in [0, 1] picks linearly (§11.1's ±20 % jitter).
std::chrono::milliseconds reconnect_delay(int failures, double unit);
// A connection that lived this long resets the back-off (§11.1).
inline constexpr std::chrono::seconds stable_connection{10};

}  // namespace multicad::proto::server::push
