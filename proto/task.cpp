#include "proto/task.hpp"

#include "proto/ids.hpp"
#include "proto/json_fields.hpp"
#include "proto/task_json.hpp"

namespace multicad::proto {
using namespace detail;
using nlohmann::json;

namespace {

std::string at(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

const json& array_or_empty(const json& obj, const char* key, const std::string& path) {
  static const json empty = json::array();
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return empty;
  if (!it->is_array()) throw field_error{path + "." + key + ": expected an array, got " + type_name(*it)};
  return *it;
}

skill decode_skill(const json& j, const std::string& path) {
  object_at(j, path);
  skill s{string_field(j, "name", path), string_field(j, "content", path), {}};
  const auto& files = array_or_empty(j, "files", path);
  for (std::size_t i = 0; i < files.size(); ++i) {
    auto p = at(path + ".files", i);
    object_at(files[i], p);
    s.files.push_back({string_field(files[i], "path", p), string_field(files[i], "content", p)});
  }
  return s;
}

task_agent decode_agent(const json& j, const std::string& path) {
  object_at(j, path);
  task_agent a;
  a.id = string_field(j, "id", path);
  a.name = string_field(j, "name", path);
  a.instructions = string_field(j, "instructions", path);
  const auto& skills = array_or_empty(j, "skills", path);
  for (std::size_t i = 0; i < skills.size(); ++i) a.skills.push_back(decode_skill(skills[i], at(path + ".skills", i)));
  a.custom_env = string_map_field(j, "custom_env", path);
  a.custom_args = string_array_field(j, "custom_args", path);
  a.model = string_field(j, "model", path);
  a.thinking_level = string_field(j, "thinking_level", path);
  a.service_tier = string_field(j, "service_tier", path);
  return a;
}

// At most 40 printable bytes of a rejected value, for the error text.
std::string shown(const std::string& v) {
  std::string out;
  for (char c : v.substr(0, 40)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return "\"" + out + (v.size() > 40 ? "\"..." : "\"");
}

// The other ids go into paths, folder names and requests too; one that is
// not UUID-shaped is cleared and named, so the task can still be failed.
void check_ids(task& t, const std::string& path) {
  std::pair<const char*, std::string*> ids[] = {{"agent_id", &t.agent_id}, {"runtime_id", &t.runtime_id},
                                                {"issue_id", &t.issue_id}, {"workspace_id", &t.workspace_id},
                                                {"chat_session_id", &t.chat_session_id},
                                                {"trigger_comment_id", &t.trigger_comment_id}};
  for (auto& [name, value] : ids) {
    if (value->empty() || is_uuid(*value)) continue;
    if (t.invalid.empty()) t.invalid = path + "." + name + ": not a UUID (" + shown(*value) + ")";
    value->clear();
  }
  if (t.agent && !t.agent->id.empty() && !is_uuid(t.agent->id)) {
    if (t.invalid.empty()) t.invalid = path + ".agent.id: not a UUID (" + shown(t.agent->id) + ")";
    t.agent->id.clear();
  }
}

}  // namespace

task detail::decode_task_object(const json& j, const std::string& path) {
  object_at(j, path);
  task t;
  t.id = string_field(j, "id", path);
  t.agent_id = string_field(j, "agent_id", path);
  t.runtime_id = string_field(j, "runtime_id", path);
  t.issue_id = string_field(j, "issue_id", path);
  t.workspace_id = string_field(j, "workspace_id", path);
  t.status = string_field(j, "status", path);
  t.priority = static_cast<int>(int_field(j, "priority", path));
  if (auto it = j.find("agent"); it != j.end() && !it->is_null()) t.agent = decode_agent(*it, path + ".agent");
  const auto& repos = array_or_empty(j, "repos", path);
  for (std::size_t i = 0; i < repos.size(); ++i) {
    auto p = at(path + ".repos", i);
    object_at(repos[i], p);
    t.repos.push_back({string_field(repos[i], "url", p), string_field(repos[i], "description", p)});
  }
  t.auth_token = string_field(j, "auth_token", path);
  t.prior_session_id = string_field(j, "prior_session_id", path);
  t.prior_work_dir = string_field(j, "prior_work_dir", path);
  t.trigger_comment_id = string_field(j, "trigger_comment_id", path);
  t.trigger_comment_content = string_field(j, "trigger_comment_content", path);
  t.chat_session_id = string_field(j, "chat_session_id", path);
  t.chat_message = string_field(j, "chat_message", path);
  t.created_at = string_field(j, "created_at", path);
  t.dispatched_at = string_field(j, "dispatched_at", path);
  if (t.id.empty()) throw field_error{path + ".id: missing or empty"};
  if (!is_uuid(t.id)) throw field_error{path + ".id: not a UUID (" + shown(t.id) + ")"};
  check_ids(t, path);
  return t;
}

decode_result<task> decode_task(std::string_view text) {
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return decode_error{"task: not valid JSON (starts with \"" + std::string(text.substr(0, 64)) + "\")"};
  try {
    return decode_task_object(j);
  } catch (const field_error& e) {
    return decode_error{e.message};
  }
}

}  // namespace multicad::proto
