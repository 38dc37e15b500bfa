// Typed requests and responses of every daemon endpoint of the Multica server
// (spec/server-api.md §3-§4), and the path of each. Plain data; the JSON
// codecs are in codec.hpp. Pure; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "proto/task.hpp"

namespace multicad::proto::server {

// ---- GET /api/workspaces
struct workspace {
  std::string id;
  std::string name;
  std::string slug;
};

// ---- POST /api/daemon/register
struct runtime_registration {
  std::string type;     // provider key: "codex"
  std::string name;     // display name, e.g. "Codex (my-mac)"
  std::string version;  // raw --version output, trimmed
  std::string status = "online";
};

struct register_request {
  std::string workspace_id;
  std::string daemon_id;
  std::string device_name;
  std::string cli_version;
  std::string launched_by;  // "" (we are never the desktop app)
  std::vector<runtime_registration> runtimes;
};

struct runtime_info {
  std::string id;  // used in every later call
  std::string workspace_id;
  std::string name;
  std::string provider;
  std::string status;
};

struct register_response {
  std::vector<runtime_info> runtimes;  // one per request element, in order
  std::vector<repo> repos;
  std::string repos_version;
};

// ---- GET /api/daemon/workspaces/{id}/repos
struct workspace_repos_response {
  std::string workspace_id;
  std::vector<repo> repos;
  std::string repos_version;
};

// ---- POST /api/daemon/deregister
struct deregister_request {
  std::vector<std::string> runtime_ids;
};

// ---- POST /api/daemon/heartbeat
struct heartbeat_request {
  std::string runtime_id;
};
struct pending_update {
  std::string id;
  std::string target_version;
};
struct heartbeat_response {
  std::optional<std::string> pending_ping_id;
  // Qualified: an unqualified type name would change meaning inside the class (GCC rejects that).
  std::optional<server::pending_update> pending_update;
};

// ---- POST /api/daemon/runtimes/{id}/tasks/claim  -> {"task": Task|null}
struct claim_response {
  std::optional<task> claimed;
};

// ---- POST /api/daemon/tasks/claim (newer servers, agent-toolbox.md §11.1):
// one call for every runtime, at most max_tasks tasks -> {"tasks": [Task...]}.
// The same body and answer travel in the WebSocket's tasks.claim RPC.
struct batch_claim_request {
  std::string daemon_id;
  std::vector<std::string> runtime_ids;
  int max_tasks = 1;
};
struct batch_claim_response {
  std::vector<task> tasks;
};

// ---- POST /api/daemon/tasks/{id}/progress
struct progress_request {
  std::string summary;
  int step = 0;
  int total = 0;
};

// ---- POST /api/daemon/tasks/{id}/messages
struct task_message {
  std::int32_t seq = 0;
  std::string type;        // text, thinking, tool_use, tool_result, error
  std::string tool;        // omitted when empty
  std::string content;     // omitted when empty
  std::string input_json;  // a JSON object as text; omitted when empty
  std::string output;      // omitted when empty
  bool operator==(const task_message&) const = default;
};
struct messages_request {
  std::vector<task_message> messages;
};

// ---- POST /api/daemon/tasks/{id}/usage
struct usage_entry {
  std::string provider;
  std::string model;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t cache_read_tokens = 0;
  std::int64_t cache_write_tokens = 0;
  bool operator==(const usage_entry&) const = default;
};
struct usage_request {
  std::vector<usage_entry> usage;
};

// ---- POST /api/daemon/tasks/{id}/complete
struct complete_request {
  std::string output;
  std::string session_id;  // omitted when empty
  std::string work_dir;    // omitted when empty
};

// ---- POST /api/daemon/tasks/{id}/fail
struct fail_request {
  std::string error;
};

// ---- GET /api/daemon/tasks/{id}/status
struct status_response {
  std::string status;  // queued|dispatched|running|completed|failed|cancelled
};

// ---- POST /api/daemon/runtimes/{id}/ping/{ping}/result
struct ping_result_request {
  std::string status;  // "completed" or "failed"
  std::string output;
  std::string error;
  std::int64_t duration_ms = 0;
};

// ---- POST /api/daemon/runtimes/{id}/update/{update}/result
struct update_result_request {
  std::string status;  // running|completed|failed
  std::string output;
  std::string error;
};

// ---- GET /api/daemon/issues/{id}/gc-check
struct gc_check_response {
  std::string status;      // issue status: done, cancelled, in_progress, ...
  std::string updated_at;  // RFC 3339, maybe with fractional seconds
};

// ---- A server error body, parsed leniently (spec §1.3): JSON {"error": ...}
// with or without a newline, JSON-looking text/plain, or plain text.
struct error_body {
  std::string message;  // the "error" member, or the trimmed text
};

// Request paths. Each id is percent-encoded as one path segment.
namespace paths {
inline constexpr const char* workspaces = "/api/workspaces";
inline constexpr const char* register_runtimes = "/api/daemon/register";
inline constexpr const char* deregister = "/api/daemon/deregister";
inline constexpr const char* heartbeat = "/api/daemon/heartbeat";
std::string claim(const std::string& runtime_id);
inline constexpr const char* batch_claim = "/api/daemon/tasks/claim";
inline constexpr const char* daemon_ws = "/api/daemon/ws";
std::string pending(const std::string& runtime_id);
std::string start(const std::string& task_id);
std::string progress(const std::string& task_id);
std::string messages(const std::string& task_id);
std::string usage(const std::string& task_id);
std::string complete(const std::string& task_id);
std::string fail(const std::string& task_id);
std::string status(const std::string& task_id);
std::string ping_result(const std::string& runtime_id, const std::string& ping_id);
std::string update_result(const std::string& runtime_id, const std::string& update_id);
std::string gc_check(const std::string& issue_id);
std::string workspace_repos(const std::string& workspace_id);
// An id percent-encoded as one path segment (RFC 3986 unreserved characters kept).
std::string segment(const std::string& id);
}  // namespace paths

}  // namespace multicad::proto::server
