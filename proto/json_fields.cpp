#include "proto/json_fields.hpp"

#include <stdexcept>

namespace multicad::proto {

void throw_exception_from_error(const decode_error& e, const boost::source_location&) {
  throw std::runtime_error(e.message);
}

namespace detail {

std::string type_name(const nlohmann::json& j) {
  if (j.is_number_integer()) return "integer";
  return j.type_name();
}

const nlohmann::json& object_at(const nlohmann::json& j, const std::string& path) {
  if (!j.is_object()) throw field_error{path + ": expected an object, got " + type_name(j)};
  return j;
}

namespace {
const nlohmann::json* present(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}
}  // namespace

std::string string_field(const nlohmann::json& obj, const char* key, const std::string& path) {
  auto* v = present(obj, key);
  if (!v) return {};
  if (!v->is_string()) throw field_error{path + "." + key + ": expected a string, got " + type_name(*v)};
  return v->get<std::string>();
}

long long int_field(const nlohmann::json& obj, const char* key, const std::string& path) {
  auto* v = present(obj, key);
  if (!v) return 0;
  if (!v->is_number_integer()) throw field_error{path + "." + key + ": expected an integer, got " + type_name(*v)};
  return v->get<long long>();
}

std::vector<std::string> string_array_field(const nlohmann::json& obj, const char* key, const std::string& path) {
  std::vector<std::string> out;
  auto* v = present(obj, key);
  if (!v) return out;
  if (!v->is_array()) throw field_error{path + "." + key + ": expected an array, got " + type_name(*v)};
  for (std::size_t i = 0; i < v->size(); ++i) {
    const auto& e = (*v)[i];
    if (!e.is_string())
      throw field_error{path + "." + key + "[" + std::to_string(i) + "]: expected a string, got " + type_name(e)};
    out.push_back(e.get<std::string>());
  }
  return out;
}

std::map<std::string, std::string> string_map_field(const nlohmann::json& obj, const char* key, const std::string& path) {
  std::map<std::string, std::string> out;
  auto* v = present(obj, key);
  if (!v) return out;
  if (!v->is_object()) throw field_error{path + "." + key + ": expected an object, got " + type_name(*v)};
  for (const auto& [k, e] : v->items()) {
    if (!e.is_string()) throw field_error{path + "." + key + "." + k + ": expected a string, got " + type_name(e)};
    out[k] = e.get<std::string>();
  }
  return out;
}

}  // namespace detail
}  // namespace multicad::proto
