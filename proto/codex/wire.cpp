#include "proto/codex/wire.hpp"

#include <algorithm>

namespace multicad::proto::codex::wire {
namespace {

std::string type_name(const json& j) {
  if (j.is_number_integer()) return "an integer";
  if (j.is_number_float()) return "a number";
  if (j.is_string()) return "a string";
  if (j.is_boolean()) return "a boolean";
  if (j.is_array()) return "an array";
  if (j.is_object()) return "an object";
  return "null";
}

[[noreturn]] void wrong_type(std::string_view path, const char* key, const json& value, const char* wanted) {
  std::string where(path);
  if (!where.empty()) where += '.';
  throw malformed_message{where + key + " is " + type_name(value) + ", not " + wanted};
}

// The member, or nullptr when it is absent or null: Codex writes `null` for
// every optional field it has no value for, so both mean "not given".
const json* member(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

bool is_id(const json& j) { return j.is_number_integer() || j.is_string(); }

// Sorts a valid JSON object into request / notification / response, or says
// which member is off. Member types are checked here so the handlers can
// trust the envelope.
parsed_line classify(json j) {
  parsed_line out;
  out.is_json = true;
  if (!j.is_object()) {
    out.problem = "it is " + type_name(j) + ", not an object";
    return out;
  }
  try {
    message m;
    const json* id = member(j, "id");
    if (id && !is_id(*id)) wrong_type("", "id", *id, "an integer or a string");
    if (id) m.id = *id;
    if (const json* method = member(j, "method")) {
      if (!method->is_string()) wrong_type("", "method", *method, "a string");
      m.method = method->get<std::string>();
      m.type = id ? message::kind::request : message::kind::notification;
      const json* params = member(j, "params");
      if (params && !params->is_object()) wrong_type("", "params", *params, "an object");
      m.params = params ? *params : json::object();
    } else if (id) {
      m.type = message::kind::response;
      if (const json* error = member(j, "error")) {
        if (!error->is_object()) wrong_type("", "error", *error, "an object");
        m.error = *error;
      } else if (j.contains("result")) {
        m.result = j["result"];
      } else {
        throw malformed_message{"a reply with neither result nor error"};
      }
    } else {
      throw malformed_message{"it has neither method nor id"};
    }
    out.msg = std::move(m);
  } catch (const malformed_message& e) {
    out.problem = e.problem;
  }
  return out;
}

}  // namespace

parsed_line parse_line(std::string_view line) {
  json j = json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return parsed_line{std::nullopt, false, "not JSON"};
  return classify(std::move(j));
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string request_line(std::int64_t id, std::string_view method, json params) {
  json j{{"id", id}, {"method", method}, {"params", std::move(params)}};
  return dump(j) + '\n';
}

std::string notification_line(std::string_view method) { return dump(json{{"method", method}}) + '\n'; }

std::string result_line(const json& id, json result) {
  return dump(json{{"id", id}, {"result", std::move(result)}}) + '\n';
}

std::string error_line(const json& id, int code, std::string message) {
  return dump(json{{"id", id}, {"error", {{"code", code}, {"message", std::move(message)}}}}) + '\n';
}

std::string printable_prefix(std::string_view text, std::size_t max_bytes) {
  std::size_t cut = std::min(text.size(), max_bytes);
  // Step back over UTF-8 continuation bytes so a character is not split.
  while (cut > 0 && cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  // Round-trip through nlohmann's encoder: it replaces what is not UTF-8.
  return json::parse(dump(json(std::string(text.substr(0, cut))))).get<std::string>();
}

std::string text_at(const json& obj, const char* key, std::string_view path) {
  const json* v = member(obj, key);
  if (!v) return {};
  if (!v->is_string()) wrong_type(path, key, *v, "a string");
  return v->get<std::string>();
}

const json& object_at(const json& obj, const char* key, std::string_view path) {
  static const json empty = json::object();
  const json* v = member(obj, key);
  if (!v) return empty;
  if (!v->is_object()) wrong_type(path, key, *v, "an object");
  return *v;
}

const json& array_at(const json& obj, const char* key, std::string_view path) {
  static const json empty = json::array();
  const json* v = member(obj, key);
  if (!v) return empty;
  if (!v->is_array()) wrong_type(path, key, *v, "an array");
  return *v;
}

std::optional<std::int64_t> int_at(const json& obj, const char* key, std::string_view path) {
  const json* v = member(obj, key);
  if (!v) return std::nullopt;
  if (!v->is_number_integer()) wrong_type(path, key, *v, "an integer");
  return v->get<std::int64_t>();
}

std::optional<bool> bool_at(const json& obj, const char* key, std::string_view path) {
  const json* v = member(obj, key);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) wrong_type(path, key, *v, "a boolean");
  return v->get<bool>();
}

}  // namespace multicad::proto::codex::wire
