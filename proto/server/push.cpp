// Frames are parsed once; each known type's payload is read through
// json_fields.hpp, so a wrong type names its path. heartbeat_ack reuses the
// HTTP heartbeat decoder for its pending requests: "same shape as the HTTP
// heartbeat response" (§11.1) is then true by construction.
#include "proto/server/push.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "proto/ids.hpp"
#include "proto/json_fields.hpp"
#include "proto/server/codec.hpp"

namespace multicad::proto::server::push {
using namespace proto::detail;
using nlohmann::json;
using ojson = nlohmann::ordered_json;

namespace {

std::string dump(const ojson& j) { return j.dump(-1, ' ', false, ojson::error_handler_t::replace); }

// A runtime id goes into claims and log lines: it must look like one.
std::string runtime_id_field(const json& payload, const std::string& path) {
  auto id = string_field(payload, "runtime_id", path);
  if (id.empty()) throw field_error{path + ".runtime_id: missing or empty"};
  if (!is_uuid(id)) throw field_error{path + ".runtime_id: not a UUID"};
  return id;
}

bool bool_field(const json& obj, const char* key, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return false;
  if (!it->is_boolean()) throw field_error{path + "." + key + ": expected a boolean, got " + type_name(*it)};
  return it->get<bool>();
}

heartbeat_ack read_ack(const json& p, const std::string& path) {
  heartbeat_ack a;
  a.runtime_id = runtime_id_field(p, path);
  a.status = string_field(p, "status", path);
  a.server_capabilities = string_array_field(p, "server_capabilities", path);
  a.runtime_gone = bool_field(p, "runtime_gone", path);
  auto pending = decode_heartbeat(p.dump(-1, ' ', false, json::error_handler_t::replace));
  if (!pending) throw field_error{path + ": " + pending.error().message};
  a.pending = std::move(*pending);
  return a;
}

int rpc_status(const json& p, const std::string& path) {
  auto it = p.find("status");
  if (it == p.end() || it->is_null()) throw field_error{path + ".status: missing"};
  if (it->is_number_integer()) {
    auto v = it->get<long long>();
    if (v < 100 || v > 599) throw field_error{path + ".status: " + std::to_string(v) + " is not an HTTP status"};
    return static_cast<int>(v);
  }
  if (it->is_string()) return it->get<std::string>() == "ok" ? 200 : 500;
  throw field_error{path + ".status: expected a number or a string, got " + type_name(*it)};
}

rpc_response read_rpc(const json& p, const std::string& path) {
  rpc_response r;
  r.request_id = string_field(p, "request_id", path);
  if (r.request_id.empty()) throw field_error{path + ".request_id: missing or empty"};
  r.status = rpc_status(p, path);
  if (auto it = p.find("body"); it != p.end() && !it->is_null())
    r.body_json = it->is_string() ? it->get<std::string>() : it->dump(-1, ' ', false, json::error_handler_t::replace);
  if (auto it = p.find("error"); it != p.end() && !it->is_null())
    r.error = it->is_string() ? it->get<std::string>() : it->dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

message read_payload(const std::string& type, const json& p) {
  const std::string path = type + ".payload";
  if (type == "daemon:task_available") return task_available{runtime_id_field(p, path), string_field(p, "task_id", path)};
  if (type == "daemon:pending_work") return pending_work{runtime_id_field(p, path), string_field(p, "kind", path)};
  if (type == "daemon:heartbeat_ack") return read_ack(p, path);
  if (type == "daemon:runtime_profiles_changed") return runtime_profiles_changed{string_field(p, "workspace_id", path)};
  if (type == "daemon:workspaces_changed") return workspaces_changed{};
  if (type == "daemon:rpc_response") return read_rpc(p, path);
  return unknown{type};
}

}  // namespace

bool heartbeat_ack::rpc() const {
  return std::find(server_capabilities.begin(), server_capabilities.end(), "rpc-v1") != server_capabilities.end();
}

decode_result<message> decode_message(std::string_view frame) {
  auto j = json::parse(frame, nullptr, false);
  if (j.is_discarded()) return decode_error{"frame: not valid JSON (starts with \"" + std::string(frame.substr(0, 64)) + "\")"};
  try {
    object_at(j, "frame");
    auto type = string_field(j, "type", "frame");
    if (type.empty()) return decode_error{"frame.type: missing or empty"};
    static const json empty = json::object();
    auto it = j.find("payload");
    const json& payload = it == j.end() || it->is_null() ? empty : *it;
    object_at(payload, type + ".payload");
    return read_payload(type, payload);
  } catch (const field_error& e) {
    return decode_error{e.message};
  } catch (const json::exception& e) {  // not expected: the readers check types first
    return decode_error{std::string("frame: ") + e.what()};
  }
}

std::string encode_heartbeat(const std::string& runtime_id) {
  ojson payload;
  payload["runtime_id"] = runtime_id;
  payload["supports_batch_import"] = true;
  ojson j;
  j["type"] = "daemon:heartbeat";
  j["payload"] = std::move(payload);
  return dump(j);
}

std::string encode_claim_rpc(const std::string& request_id, const batch_claim_request& body,
                             std::chrono::milliseconds timeout) {
  ojson payload;
  payload["request_id"] = request_id;
  payload["method"] = "tasks.claim";
  payload["body"] = ojson::parse(encode(body));
  payload["timeout_ms"] = timeout.count();
  ojson j;
  j["type"] = "daemon:rpc_request";
  j["payload"] = std::move(payload);
  return dump(j);
}

std::string handshake_target(const std::string& path_prefix, std::vector<std::string> runtime_ids) {
  std::sort(runtime_ids.begin(), runtime_ids.end());
  std::string joined;
  for (const auto& id : runtime_ids) joined += (joined.empty() ? "" : ",") + paths::segment(id);
  return path_prefix + paths::daemon_ws + "?runtime_ids=" + joined;
}

std::chrono::milliseconds reconnect_delay(int failures, double unit) {
  constexpr double first_ms = 1000, cap_ms = 30'000;
  const int doublings = std::clamp(failures - 1, 0, 16);
  const double base = std::min(cap_ms, first_ms * std::pow(2.0, doublings));
  const double factor = 0.8 + 0.4 * std::clamp(unit, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<long long>(base * factor));
}

}  // namespace multicad::proto::server::push
