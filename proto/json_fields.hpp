// Field readers for decoding server JSON leniently but strictly typed: an
// absent or null field takes its default, a present field of the wrong type
// is an error naming its path. Internal to proto/.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "proto/decode_error.hpp"

namespace multicad::proto::detail {

// Thrown inside decoders only; decode_* entry points convert it to decode_error.
struct field_error {
  std::string message;
};

std::string type_name(const nlohmann::json& j);

// The object at `path`, or an error when `j` is not one.
const nlohmann::json& object_at(const nlohmann::json& j, const std::string& path);

std::string string_field(const nlohmann::json& obj, const char* key, const std::string& path);
long long int_field(const nlohmann::json& obj, const char* key, const std::string& path);
std::vector<std::string> string_array_field(const nlohmann::json& obj, const char* key, const std::string& path);
std::map<std::string, std::string> string_map_field(const nlohmann::json& obj, const char* key, const std::string& path);

}  // namespace multicad::proto::detail
