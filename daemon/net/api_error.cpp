// api_error's classification and text (server_client.hpp). The answer is
// read from the server's exact messages (spec §2.5, §6): a 404 can also mean
// "not found" for an object we may not access, which is not "deleted".
#include <stdexcept>

#include "daemon/net/server_client.hpp"

namespace multicad::net {

server_answer classify_answer(int status, std::string_view message) {
  if (status == 401) return server_answer::unauthorized;
  if (status == 404 && message == "workspace not found") return server_answer::workspace_not_found;
  if (status == 404 && message == "task not found") return server_answer::task_not_found;
  // "start task: no rows in result set", "complete task: …", "fail task: …":
  // the transition guard found the task in another state (spec §6).
  if (status == 400 && message.find("no rows in result set") != std::string_view::npos)
    return server_answer::state_conflict;
  return server_answer::other;
}

bool api_error::retryable() const {
  switch (kind) {
    case failure_kind::transport:
    case failure_kind::timeout:
      return true;
    case failure_kind::http_status:
      // 408 and 429 say "not now", like a 5xx; other 4xx say "never".
      return status >= 500 || status == 408 || status == 429;
    case failure_kind::decode:
    case failure_kind::request:
      return false;
  }
  return false;
}

std::string api_error::to_string() const {
  std::string out = method + " " + path;
  switch (kind) {
    case failure_kind::http_status:
      out += " returned " + std::to_string(status);
      if (!message.empty()) out += ": " + message;
      break;
    case failure_kind::timeout:
      out += " " + message;  // "timed out after 30s"
      break;
    case failure_kind::decode:
      out += " returned an unexpected body: " + message;
      break;
    case failure_kind::transport:
      out += " failed: " + message;
      break;
    case failure_kind::request:
      out += " cannot be sent: " + message;
      break;
  }
  if (attempts > 1) out += " (after " + std::to_string(attempts) + " attempts)";
  return out;
}

void throw_exception_from_error(const api_error& e, const boost::source_location&) {
  throw std::runtime_error(e.to_string());
}

}  // namespace multicad::net
