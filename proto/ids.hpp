// The shape of the ids the server hands out. Every id the daemon puts into
// a request path, a folder name or a log line comes from the server, which
// is untrusted input here: an id that is not UUID-shaped is refused where it
// is decoded, before anything uses it. Pure; any thread.
#pragma once

#include <string_view>

namespace multicad::proto {

// 8-4-4-4-12 hexadecimal digits (either case), as the server's UUID columns
// print them: workspace, runtime, task, agent, issue, comment and chat ids.
bool is_uuid(std::string_view text);

// 32 hexadecimal digits: the ids of ping and update requests (spec/server-api.md §1.4).
bool is_request_id(std::string_view text);

}  // namespace multicad::proto
