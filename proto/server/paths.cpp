// Endpoint paths of spec/server-api.md §3. Every id is percent-encoded as
// one path segment: ids come from the server, and although decoding already
// refuses ids that are not UUID-shaped (proto/ids.hpp), a path must not be
// the place where a '/', a space or a CRLF could still reach the request line.
#include "proto/server/types.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

namespace multicad::proto::server::paths {

namespace {
const std::string daemon = "/api/daemon";
}  // namespace

std::string segment(const std::string& id) { return boost::urls::encode(id, boost::urls::unreserved_chars); }

std::string claim(const std::string& runtime_id) { return daemon + "/runtimes/" + segment(runtime_id) + "/tasks/claim"; }
std::string pending(const std::string& runtime_id) { return daemon + "/runtimes/" + segment(runtime_id) + "/tasks/pending"; }
std::string start(const std::string& task_id) { return daemon + "/tasks/" + segment(task_id) + "/start"; }
std::string progress(const std::string& task_id) { return daemon + "/tasks/" + segment(task_id) + "/progress"; }
std::string messages(const std::string& task_id) { return daemon + "/tasks/" + segment(task_id) + "/messages"; }
std::string usage(const std::string& task_id) { return daemon + "/tasks/" + segment(task_id) + "/usage"; }
std::string complete(const std::string& task_id) { return daemon + "/tasks/" + segment(task_id) + "/complete"; }
std::string fail(const std::string& task_id) { return daemon + "/tasks/" + segment(task_id) + "/fail"; }
std::string status(const std::string& task_id) { return daemon + "/tasks/" + segment(task_id) + "/status"; }

std::string ping_result(const std::string& runtime_id, const std::string& ping_id) {
  return daemon + "/runtimes/" + segment(runtime_id) + "/ping/" + segment(ping_id) + "/result";
}

std::string update_result(const std::string& runtime_id, const std::string& update_id) {
  return daemon + "/runtimes/" + segment(runtime_id) + "/update/" + segment(update_id) + "/result";
}

std::string gc_check(const std::string& issue_id) { return daemon + "/issues/" + segment(issue_id) + "/gc-check"; }
std::string workspace_repos(const std::string& workspace_id) { return daemon + "/workspaces/" + segment(workspace_id) + "/repos"; }

}  // namespace multicad::proto::server::paths
