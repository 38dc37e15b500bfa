// The app-server's line framing (spec/codex-app-server.md §1.3): one compact
// JSON object per line, no "jsonrpc" member going out, either form accepted
// coming in. Plus lenient-but-typed field readers for the params we read.
// Pure functions; internal to proto/codex.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace multicad::proto::codex::wire {

using json = nlohmann::json;

// Thrown by the field readers below when a member has the wrong type;
// session::on_line catches it and reports the line, so it never escapes.
struct malformed_message {
  std::string problem;  // e.g. "params.item.text is a number, not a string"
};

// One incoming message, classified by which members it has.
struct message {
  enum class kind { request, notification, response };
  kind type = kind::notification;
  json id;             // request, response: an integer or a string
  std::string method;  // request, notification
  json params;         // request, notification: an object (empty when absent)
  json result;         // response: whatever Codex answered (null on error)
  json error;          // response: the error object, or null
};

struct parsed_line {
  std::optional<message> msg;  // empty: the line was rejected, see below
  bool is_json = false;        // false: not JSON at all; true: JSON of the wrong shape
  std::string problem;         // why the line was rejected
};

parsed_line parse_line(std::string_view line);

// Outgoing lines, each compact and ending in '\n'.
std::string request_line(std::int64_t id, std::string_view method, json params);
std::string notification_line(std::string_view method);
std::string result_line(const json& id, json result);
std::string error_line(const json& id, int code, std::string message);

// Compact JSON text that never throws: invalid UTF-8 (a path from the
// filesystem, say) becomes U+FFFD instead of a type_error.
std::string dump(const json& j);

// At most `max_bytes` of `text`, cut on a character boundary and with invalid
// UTF-8 replaced, so it can be logged and re-encoded as JSON safely.
std::string printable_prefix(std::string_view text, std::size_t max_bytes);

// Field readers: an absent or null member reads as empty; a member of another
// type throws malformed_message naming `path` (the object's own path).
std::string text_at(const json& obj, const char* key, std::string_view path);
const json& object_at(const json& obj, const char* key, std::string_view path);
const json& array_at(const json& obj, const char* key, std::string_view path);
std::optional<std::int64_t> int_at(const json& obj, const char* key, std::string_view path);
std::optional<bool> bool_at(const json& obj, const char* key, std::string_view path);

}  // namespace multicad::proto::codex::wire
