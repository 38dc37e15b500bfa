// JSON codecs of the server API types (types.hpp). Encoders produce the
// exact shapes the server decodes (optional fields omitted when empty);
// decoders accept what the real server sends (unknown fields ignored,
// omitted-vs-null both accepted) and return a decode_error naming the
// first bad field otherwise. Pure; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "proto/decode_error.hpp"
#include "proto/server/types.hpp"

namespace multicad::proto::server {

std::string encode(const register_request& r);
std::string encode(const deregister_request& r);
std::string encode(const heartbeat_request& r);
std::string encode(const progress_request& r);
std::string encode(const messages_request& r);
std::string encode(const usage_request& r);
std::string encode(const complete_request& r);
std::string encode(const fail_request& r);
std::string encode(const ping_result_request& r);
std::string encode(const update_result_request& r);
std::string encode(const batch_claim_request& r);

decode_result<std::vector<workspace>> decode_workspaces(std::string_view body);
decode_result<register_response> decode_register(std::string_view body);
decode_result<workspace_repos_response> decode_workspace_repos(std::string_view body);
decode_result<heartbeat_response> decode_heartbeat(std::string_view body);
decode_result<claim_response> decode_claim(std::string_view body);
// {"tasks": [Task...]}; null or absent tasks read as none.
decode_result<batch_claim_response> decode_batch_claim(std::string_view body);
decode_result<status_response> decode_status(std::string_view body);
decode_result<gc_check_response> decode_gc_check(std::string_view body);
decode_result<std::vector<task>> decode_pending(std::string_view body);

// Never fails: an unparsable body becomes its own trimmed text (at most 4096 bytes).
error_body decode_error_body(std::string_view body);

}  // namespace multicad::proto::server
