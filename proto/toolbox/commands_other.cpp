// workspace get and members, agent list and get, attachment download, repo
// checkout, version, and the commands this build does not provide
// (agent-toolbox.md §5.12-§5.16, §7.1).
#include "proto/toolbox/go_text.hpp"
#include "proto/toolbox/machine.hpp"
#include "proto/toolbox/tabwriter.hpp"

namespace multicad::proto::toolbox {

using nlohmann::json;

namespace {

void print_json(machine& m, const json& v) { m.out(go_encode_indent(v)); }

// The workspace ID of `workspace get|members [id]`; "" after failing.
std::string workspace_arg(machine& m) {
  std::string id = m.inv().args.empty() ? m.settings().workspace_id : m.arg(0);
  if (id.empty()) m.fail("workspace ID is required: pass as argument or set MULTICA_WORKSPACE_ID");
  return id;
}

void workspace_get(machine& m) {
  if (!m.client()) return;
  std::string id = workspace_arg(m);
  if (id.empty()) return;
  m.get_json("/api/workspaces/" + id, go_shape::object, "get workspace", [&m](const json& ws, const http_response&) {
    if (m.flag("output") != "table") return print_json(m, ws);
    m.out(print_table({"ID", "NAME", "SLUG", "DESCRIPTION", "CONTEXT"},
                      {{truncate_id(str_val(ws, "id")), str_val(ws, "name"), str_val(ws, "slug"),
                        cut_runes(str_val(ws, "description"), 60, 57), cut_runes(str_val(ws, "context"), 60, 57)}}));
  });
}

void workspace_members(machine& m) {
  if (!m.client()) return;
  std::string id = workspace_arg(m);
  if (id.empty()) return;
  m.get_json("/api/workspaces/" + id + "/members", go_shape::object_array, "list members", [&m](const json& members, const http_response&) {
    if (m.flag("output") == "json") return print_json(m, members);
    std::vector<std::vector<std::string>> rows;
    for (const auto& w : members.is_array() ? members : json::array())
      rows.push_back({truncate_id(str_val(w, "user_id")), str_val(w, "name"), str_val(w, "email"), str_val(w, "role")});
    m.out(print_table({"USER ID", "NAME", "EMAIL", "ROLE"}, rows));
  });
}

void agent_list(machine& m) {
  if (!m.client()) return;
  if (m.settings().workspace_id.empty())
    return m.fail("workspace_id is required: use --workspace-id flag, set MULTICA_WORKSPACE_ID env, or run 'multica config set workspace_id <id>'");
  std::vector<std::pair<std::string, std::string>> params{{"workspace_id", m.settings().workspace_id}};
  if (m.inv().flags.get_bool("include-archived")) params.emplace_back("include_archived", "true");
  m.get_json("/api/agents?" + encode_query(params), go_shape::object_array, "list agents", [&m](const json& agents, const http_response&) {
    if (m.flag("output") == "json") return print_json(m, agents);
    std::vector<std::vector<std::string>> rows;
    for (const auto& a : agents.is_array() ? agents : json::array())
      rows.push_back({str_val(a, "id"), str_val(a, "name"), str_val(a, "status"), str_val(a, "runtime_mode"),
                      str_val(a, "archived_at").empty() ? "" : "yes"});
    m.out(print_table({"ID", "NAME", "STATUS", "RUNTIME", "ARCHIVED"}, rows));
  });
}

void agent_get(machine& m) {
  if (!m.client()) return;
  m.get_json("/api/agents/" + m.arg(0), go_shape::object, "get agent", [&m](const json& a, const http_response&) {
    if (m.flag("output") == "json") return print_json(m, a);
    m.out(print_table({"ID", "NAME", "STATUS", "RUNTIME", "VISIBILITY", "DESCRIPTION"},
                      {{str_val(a, "id"), str_val(a, "name"), str_val(a, "status"), str_val(a, "runtime_mode"),
                        str_val(a, "visibility"), str_val(a, "description")}}));
  });
}

void attachment_save(machine& m, const json& att, const std::string& filename, const std::string& data) {
  const std::string dest = path_join(m.flag("output-dir"), filename);
  m.write_file(dest, data, [&m, att, filename, dest](const io_result& w) {
    if (!w.error.empty()) return m.fail("write file: " + w.error);
    const std::string abs = path_abs(m.context().cwd, dest);
    m.err("Downloaded: " + abs + "\n");
    print_json(m, json{{"id", str_val(att, "id")}, {"filename", filename}, {"path", abs}, {"size", str_val(att, "size_bytes")}});
  });
}

void attachment_download(machine& m) {
  if (!m.client()) return;
  m.budget_ms = 60000;
  m.get_json("/api/attachments/" + m.arg(0), go_shape::object, "get attachment", [&m](const json& att, const http_response&) {
    const std::string url = str_val(att, "download_url");
    if (url.empty()) return m.fail("attachment has no download URL");
    std::string filename = path_base(str_val(att, "filename"));
    if (filename.empty() || filename == ".") filename = m.arg(0);
    http_request r;  // DownloadFile: no credentials, no workspace
    r.method = "GET";
    r.url = url;
    r.timeout_ms = 15000;
    r.max_body_bytes = 100u << 20;  // silently cut at 100 MiB, as io.LimitReader does
    r.headers.push_back({"User-Agent", "Go-http-client/1.1"});
    m.http(std::move(r), [&m, att, filename](const exchange& e) {
      if (!e.error.empty()) return m.fail("download file: " + e.error);
      if (e.response.status >= 400) return m.fail("download file: " + plain_status_error("download", e.response));
      if (!e.response.body_error.empty()) return m.fail("download file: " + e.response.body_error);
      attachment_save(m, att, filename, e.response.body);
    });
  });
}

// The anonymous struct `repo checkout` decodes the daemon's answer into.
std::string decode_checkout(const std::string& body, std::string& path, std::string& branch) {
  auto d = go_unmarshal(body, go_shape::any);
  if (!d.ok()) return d.error;
  const json& v = d.value;
  if (v.is_null()) return "";
  if (!v.is_object()) {
    const char* kind = v.is_array() ? "array" : v.is_string() ? "string" : v.is_boolean() ? "bool" : "number";
    return std::string("json: cannot unmarshal ") + kind +
           " into Go value of type struct { Path string \"json:\\\"path\\\"\"; BranchName string \"json:\\\"branch_name\\\"\" }";
  }
  for (auto [key, into] : {std::pair<const char*, std::string*>{"path", &path}, {"branch_name", &branch}}) {
    auto it = v.find(key);
    if (it == v.end() || it->is_null()) continue;
    if (!it->is_string()) {
      const char* kind = it->is_object() ? "object" : it->is_array() ? "array" : it->is_boolean() ? "bool" : "number";
      return std::string("json: cannot unmarshal ") + kind + " into Go struct field ." + key + " of type string";
    }
    *into = it->get<std::string>();
  }
  return "";
}

void repo_checkout(machine& m) {
  const environment& env = m.context().env;
  const std::string port = env.get("MULTICA_DAEMON_PORT");
  if (port.empty()) return m.fail("MULTICA_DAEMON_PORT not set (this command is intended to be run by an agent inside a daemon task)");
  m.budget_ms = 300000;
  const std::string url = m.arg(0);
  http_request r;
  r.method = "POST";
  r.url = "http://127.0.0.1:" + port + "/repo/checkout";
  r.headers.push_back({"User-Agent", "Go-http-client/1.1"});
  r.headers.push_back({"Content-Type", "application/json"});
  // The newer CLI sends the task's credential; the daemon may require it.
  if (!env.get("MULTICA_TOKEN").empty()) r.headers.push_back({"Authorization", "Bearer " + env.get("MULTICA_TOKEN")});
  r.body = go_marshal(json{{"url", url}, {"workspace_id", env.get("MULTICA_WORKSPACE_ID")}, {"workdir", m.context().cwd},
                           {"agent_name", env.get("MULTICA_AGENT_NAME")}, {"task_id", env.get("MULTICA_TASK_ID")}});
  m.http(std::move(r), [&m, url](const exchange& e) {
    if (!e.error.empty()) return m.fail("connect to daemon: " + e.error);
    if (e.response.status != 200) return m.fail("checkout failed: " + e.response.body);
    std::string path, branch;
    if (auto err = decode_checkout(e.response.body, path, branch); !err.empty()) return m.fail("parse response: " + err);
    m.out(path + "\n");
    m.err("Checked out " + url + " → " + path + " (branch: " + branch + ")\n");
  });
}

void not_implemented(machine& m) {
  std::string name = m.inv().command_path();
  std::string why = m.inv().path.size() > 1 && m.inv().path[1]->name() == "daemon"
                        ? "; the daemon on this machine is multicad (see `multicad status`)"
                        : "; it provides the agent-facing commands only (see `multica --help`)";
  m.fail(go_quote(name) + " is not implemented by this build of multica (provided by multicad for agents)" + why);
}

}  // namespace

void run_other_command(machine& m) {
  switch (m.inv().command().id) {
    case command_id::workspace_get: return workspace_get(m);
    case command_id::workspace_members: return workspace_members(m);
    case command_id::agent_list: return agent_list(m);
    case command_id::agent_get: return agent_get(m);
    case command_id::attachment_download: return attachment_download(m);
    case command_id::repo_checkout: return repo_checkout(m);
    case command_id::version: return m.out("multica " + m.context().version_text);
    case command_id::not_implemented: return not_implemented(m);
    default: return m.fail("internal error: no such command");
  }
}

}  // namespace multicad::proto::toolbox
