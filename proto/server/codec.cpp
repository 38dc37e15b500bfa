// Encoders build what the Go server's json.Decoder accepts (spec §4); they
// use ordered_json so keys go out in the spec's order, which keeps logs and
// test expectations readable. Every dump replaces invalid UTF-8 with U+FFFD
// (as Go's encoder does) instead of throwing: tool output is cut at a byte
// count upstream and may end inside a character.
// Decoders parse once, then read fields through json_fields.hpp, which turns
// a wrong type into a field_error naming its path; it is converted to a
// decode_error at each entry point.
#include "proto/server/codec.hpp"

#include <optional>

#include "proto/ids.hpp"
#include "proto/json_fields.hpp"
#include "proto/task_json.hpp"
#include "proto/utf8.hpp"

namespace multicad::proto::server {
using namespace proto::detail;
using nlohmann::json;
using ojson = nlohmann::ordered_json;

namespace {

// The reference client reads at most 4096 bytes of an error body (spec §1.2);
// more would only be a runaway page (an HTML error from a proxy) in our logs.
constexpr std::size_t max_error_body = 4096;
// How much of an undecodable body a decode_error quotes: enough to recognise it.
constexpr std::size_t quoted_head = 64;

std::string dump(const ojson& j) { return j.dump(-1, ' ', false, ojson::error_handler_t::replace); }

// The object `input_json` holds, or nothing when it is empty, not JSON, or not
// an object: the server rejects the whole batch for a non-object input
// (spec §4.9), so one bad message must not cost the others. An empty object is
// omitted like an empty map under Go's omitempty.
std::optional<ojson> input_object(const std::string& input_json) {
  if (input_json.empty()) return std::nullopt;
  auto j = ojson::parse(input_json, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.empty()) return std::nullopt;
  return j;
}

void put_if_not_empty(ojson& j, const char* key, const std::string& value) {
  if (!value.empty()) j[key] = value;
}

}  // namespace

std::string encode(const register_request& r) {
  ojson runtimes = ojson::array();
  for (const auto& rt : r.runtimes) {
    ojson e;
    e["type"] = rt.type;
    e["name"] = rt.name;
    e["version"] = rt.version;
    e["status"] = rt.status;
    runtimes.push_back(std::move(e));
  }
  ojson j;
  j["workspace_id"] = r.workspace_id;
  j["daemon_id"] = r.daemon_id;
  j["device_name"] = r.device_name;
  j["cli_version"] = r.cli_version;
  j["launched_by"] = r.launched_by;
  j["runtimes"] = std::move(runtimes);
  return dump(j);
}

std::string encode(const deregister_request& r) {
  ojson j;
  j["runtime_ids"] = r.runtime_ids;
  return dump(j);
}

std::string encode(const heartbeat_request& r) {
  ojson j;
  j["runtime_id"] = r.runtime_id;
  return dump(j);
}

std::string encode(const progress_request& r) {
  ojson j;
  j["summary"] = r.summary;
  j["step"] = r.step;
  j["total"] = r.total;
  return dump(j);
}

std::string encode(const messages_request& r) {
  ojson messages = ojson::array();
  for (const auto& m : r.messages) {
    ojson e;
    e["seq"] = m.seq;
    e["type"] = m.type;
    put_if_not_empty(e, "tool", m.tool);
    put_if_not_empty(e, "content", m.content);
    if (auto input = input_object(m.input_json)) e["input"] = std::move(*input);
    put_if_not_empty(e, "output", m.output);
    messages.push_back(std::move(e));
  }
  ojson j;
  j["messages"] = std::move(messages);
  return dump(j);
}

std::string encode(const usage_request& r) {
  ojson usage = ojson::array();
  for (const auto& u : r.usage) {
    ojson e;
    e["provider"] = u.provider;
    e["model"] = u.model;
    e["input_tokens"] = u.input_tokens;
    e["output_tokens"] = u.output_tokens;
    e["cache_read_tokens"] = u.cache_read_tokens;
    e["cache_write_tokens"] = u.cache_write_tokens;
    usage.push_back(std::move(e));
  }
  ojson j;
  j["usage"] = std::move(usage);
  return dump(j);
}

// session_id and work_dir are omitted when empty: the server stores "" as
// NULL anyway, and the reference daemon omits them (spec §4.11).
std::string encode(const complete_request& r) {
  ojson j;
  j["output"] = r.output;
  put_if_not_empty(j, "session_id", r.session_id);
  put_if_not_empty(j, "work_dir", r.work_dir);
  return dump(j);
}

std::string encode(const fail_request& r) {
  ojson j;
  j["error"] = r.error;
  return dump(j);
}

std::string encode(const ping_result_request& r) {
  ojson j;
  j["status"] = r.status;
  j["output"] = r.output;
  j["error"] = r.error;
  j["duration_ms"] = r.duration_ms;
  return dump(j);
}

std::string encode(const update_result_request& r) {
  ojson j;
  j["status"] = r.status;
  j["output"] = r.output;
  j["error"] = r.error;
  return dump(j);
}

std::string encode(const batch_claim_request& r) {
  ojson j;
  j["daemon_id"] = r.daemon_id;
  j["runtime_ids"] = r.runtime_ids;
  j["max_tasks"] = r.max_tasks;
  return dump(j);
}

// ---- decoding

namespace {

std::string at(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

std::string required_string(const json& obj, const char* key, const std::string& path) {
  auto s = string_field(obj, key, path);
  if (s.empty()) throw field_error{path + "." + key + ": missing or empty"};
  return s;
}

// A required id that later goes into request paths (proto/ids.hpp).
std::string uuid_field(const json& obj, const char* key, const std::string& path) {
  auto s = required_string(obj, key, path);
  if (!is_uuid(s)) throw field_error{path + "." + key + ": not a UUID"};
  return s;
}

std::string request_id_field(const json& obj, const char* key, const std::string& path) {
  auto s = required_string(obj, key, path);
  if (!is_request_id(s)) throw field_error{path + "." + key + ": not 32 hexadecimal digits"};
  return s;
}

// The array under `key`; absent or null reads as empty.
const json& array_field(const json& obj, const char* key, const std::string& path) {
  static const json empty = json::array();
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return empty;
  if (!it->is_array()) throw field_error{path + "." + key + ": expected an array, got " + type_name(*it)};
  return *it;
}

// A top-level array body; a literal null (Go's nil slice) reads as empty.
const json& array_body(const json& j, const std::string& path) {
  static const json empty = json::array();
  if (j.is_null()) return empty;
  if (!j.is_array()) throw field_error{path + ": expected an array, got " + type_name(j)};
  return j;
}

// Parses `body` and runs `read` over it; every failure becomes a decode_error.
template <class T, class Read>
decode_result<T> decode_body(std::string_view body, const char* what, Read read) {
  auto j = json::parse(body, nullptr, false);
  if (j.is_discarded()) {
    if (body.empty()) return decode_error{std::string(what) + ": empty body, expected JSON"};
    return decode_error{std::string(what) + ": not valid JSON (starts with \"" + std::string(body.substr(0, quoted_head)) +
                        "\")"};
  }
  try {
    return read(j);
  } catch (const field_error& e) {
    return decode_error{e.message};
  } catch (const json::exception& e) {  // not expected: the readers check types first
    return decode_error{std::string(what) + ": " + e.what()};
  }
}

std::vector<repo> read_repos(const json& obj, const std::string& path) {
  std::vector<repo> out;
  const auto& repos = array_field(obj, "repos", path);
  for (std::size_t i = 0; i < repos.size(); ++i) {
    auto p = at(path + ".repos", i);
    object_at(repos[i], p);
    out.push_back({string_field(repos[i], "url", p), string_field(repos[i], "description", p)});
  }
  return out;
}

runtime_info read_runtime(const json& j, const std::string& path) {
  object_at(j, path);
  runtime_info r;
  r.id = uuid_field(j, "id", path);  // every later call names it
  r.workspace_id = string_field(j, "workspace_id", path);
  r.name = string_field(j, "name", path);
  r.provider = string_field(j, "provider", path);
  r.status = string_field(j, "status", path);
  return r;
}

}  // namespace

decode_result<std::vector<workspace>> decode_workspaces(std::string_view body) {
  return decode_body<std::vector<workspace>>(body, "workspaces", [](const json& j) {
    std::vector<workspace> out;
    const auto& items = array_body(j, "workspaces");
    for (std::size_t i = 0; i < items.size(); ++i) {
      auto p = at("workspaces", i);
      object_at(items[i], p);
      out.push_back({uuid_field(items[i], "id", p), string_field(items[i], "name", p),
                     string_field(items[i], "slug", p)});
    }
    return out;
  });
}

decode_result<register_response> decode_register(std::string_view body) {
  return decode_body<register_response>(body, "register", [](const json& j) {
    const std::string path = "register";
    object_at(j, path);
    register_response r;
    const auto& runtimes = array_field(j, "runtimes", path);
    // The reference daemon treats a 200 without runtimes as a failed registration (spec §4.2).
    if (runtimes.empty()) throw field_error{path + ".runtimes: missing or empty (the server registered no runtime)"};
    for (std::size_t i = 0; i < runtimes.size(); ++i)
      r.runtimes.push_back(read_runtime(runtimes[i], at(path + ".runtimes", i)));
    r.repos = read_repos(j, path);
    r.repos_version = string_field(j, "repos_version", path);
    return r;
  });
}

decode_result<workspace_repos_response> decode_workspace_repos(std::string_view body) {
  return decode_body<workspace_repos_response>(body, "workspace_repos", [](const json& j) {
    const std::string path = "workspace_repos";
    object_at(j, path);
    return workspace_repos_response{string_field(j, "workspace_id", path), read_repos(j, path),
                                    string_field(j, "repos_version", path)};
  });
}

decode_result<heartbeat_response> decode_heartbeat(std::string_view body) {
  return decode_body<heartbeat_response>(body, "heartbeat", [](const json& j) {
    const std::string path = "heartbeat";
    object_at(j, path);
    heartbeat_response r;
    if (auto it = j.find("pending_ping"); it != j.end() && !it->is_null()) {
      object_at(*it, path + ".pending_ping");
      r.pending_ping_id = request_id_field(*it, "id", path + ".pending_ping");
    }
    if (auto it = j.find("pending_update"); it != j.end() && !it->is_null()) {
      const std::string p = path + ".pending_update";
      object_at(*it, p);
      r.pending_update = pending_update{request_id_field(*it, "id", p), string_field(*it, "target_version", p)};
    }
    return r;
  });
}

decode_result<claim_response> decode_claim(std::string_view body) {
  return decode_body<claim_response>(body, "claim", [](const json& j) {
    object_at(j, "claim");
    claim_response r;
    if (auto it = j.find("task"); it != j.end() && !it->is_null()) r.claimed = decode_task_object(*it, "claim.task");
    return r;
  });
}

decode_result<batch_claim_response> decode_batch_claim(std::string_view body) {
  return decode_body<batch_claim_response>(body, "batch_claim", [](const json& j) {
    object_at(j, "batch_claim");
    batch_claim_response r;
    const auto& items = array_field(j, "tasks", "batch_claim");
    for (std::size_t i = 0; i < items.size(); ++i)
      r.tasks.push_back(decode_task_object(items[i], at("batch_claim.tasks", i)));
    return r;
  });
}

decode_result<status_response> decode_status(std::string_view body) {
  return decode_body<status_response>(body, "status", [](const json& j) {
    object_at(j, "status");
    return status_response{required_string(j, "status", "status")};
  });
}

decode_result<gc_check_response> decode_gc_check(std::string_view body) {
  return decode_body<gc_check_response>(body, "gc_check", [](const json& j) {
    object_at(j, "gc_check");
    return gc_check_response{required_string(j, "status", "gc_check"), string_field(j, "updated_at", "gc_check")};
  });
}

decode_result<std::vector<task>> decode_pending(std::string_view body) {
  return decode_body<std::vector<task>>(body, "pending", [](const json& j) {
    std::vector<task> out;
    const auto& items = array_body(j, "pending");
    for (std::size_t i = 0; i < items.size(); ++i) out.push_back(decode_task_object(items[i], at("pending", i)));
    return out;
  });
}

// ---- error bodies (spec §1.3)

namespace {

std::string_view trim(std::string_view s) {
  constexpr std::string_view space = " \t\r\n";
  auto b = s.find_first_not_of(space);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(space) - b + 1);
}

}  // namespace

error_body decode_error_body(std::string_view body) {
  auto text = utf8_prefix(body, max_error_body);
  // Handlers and both auth middlewares send {"error": "..."} (with or without
  // a newline, sometimes labelled text/plain); the router sends plain text.
  auto j = json::parse(text, nullptr, false);
  if (!j.is_discarded() && j.is_object()) {
    auto it = j.find("error");
    if (it != j.end() && it->is_string()) return {std::string(trim(it->get<std::string>()))};
  }
  return {std::string(trim(text))};
}

}  // namespace multicad::proto::server
