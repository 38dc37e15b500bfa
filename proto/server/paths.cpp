// Endpoint paths of spec/server-api.md §3. Ids go in verbatim: they come from
// the server (or our own records of what it sent), and an id the server does
// not know answers 404 like any unknown id (§1.4), so there is nothing to escape.
#include "proto/server/types.hpp"

namespace multicad::proto::server::paths {

namespace {
const std::string daemon = "/api/daemon";
}

std::string claim(const std::string& runtime_id) { return daemon + "/runtimes/" + runtime_id + "/tasks/claim"; }
std::string pending(const std::string& runtime_id) { return daemon + "/runtimes/" + runtime_id + "/tasks/pending"; }
std::string start(const std::string& task_id) { return daemon + "/tasks/" + task_id + "/start"; }
std::string progress(const std::string& task_id) { return daemon + "/tasks/" + task_id + "/progress"; }
std::string messages(const std::string& task_id) { return daemon + "/tasks/" + task_id + "/messages"; }
std::string usage(const std::string& task_id) { return daemon + "/tasks/" + task_id + "/usage"; }
std::string complete(const std::string& task_id) { return daemon + "/tasks/" + task_id + "/complete"; }
std::string fail(const std::string& task_id) { return daemon + "/tasks/" + task_id + "/fail"; }
std::string status(const std::string& task_id) { return daemon + "/tasks/" + task_id + "/status"; }

std::string ping_result(const std::string& runtime_id, const std::string& ping_id) {
  return daemon + "/runtimes/" + runtime_id + "/ping/" + ping_id + "/result";
}

std::string update_result(const std::string& runtime_id, const std::string& update_id) {
  return daemon + "/runtimes/" + runtime_id + "/update/" + update_id + "/result";
}

std::string gc_check(const std::string& issue_id) { return daemon + "/issues/" + issue_id + "/gc-check"; }
std::string workspace_repos(const std::string& workspace_id) { return daemon + "/workspaces/" + workspace_id + "/repos"; }

}  // namespace multicad::proto::server::paths
