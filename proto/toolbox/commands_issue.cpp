// issue get, list, create, update, assign, status, runs, run-messages and
// search (agent-toolbox.md §5.1-§5.2, §5.6-§5.11, §5.16), in the order the
// Go CLI checks, asks and prints.
#include <algorithm>
#include <limits>

#include "proto/toolbox/go_text.hpp"
#include "proto/toolbox/machine.hpp"
#include "proto/toolbox/tabwriter.hpp"

namespace multicad::proto::toolbox {

using nlohmann::json;

namespace {

const char* const workspace_required =
    "workspace_id is required: use --workspace-id flag, set MULTICA_WORKSPACE_ID env, or run 'multica config set "
    "workspace_id <id>'";

std::string due_date(const json& issue) {
  std::string d = str_val(issue, "due_date");
  return d.size() >= 10 ? d.substr(0, 10) : d;
}

void print_json(machine& m, const json& v) { m.out(go_encode_indent(v)); }

// ID TITLE STATUS PRIORITY: create and update with --output table.
void print_short_issue(machine& m, const json& r) {
  m.out(print_table({"ID", "TITLE", "STATUS", "PRIORITY"},
                    {{truncate_id(str_val(r, "id")), str_val(r, "title"), str_val(r, "status"), str_val(r, "priority")}}));
}

void issue_get(machine& m) {
  if (!m.client()) return;
  m.get_json("/api/issues/" + m.arg(0), go_shape::object, "get issue", [&m](const json& issue, const http_response&) {
    if (m.flag("output") != "table") return print_json(m, issue);
    m.out(print_table({"ID", "TITLE", "STATUS", "PRIORITY", "ASSIGNEE", "DUE DATE", "DESCRIPTION"},
                      {{truncate_id(str_val(issue, "id")), str_val(issue, "title"), str_val(issue, "status"),
                        str_val(issue, "priority"), format_assignee(issue), due_date(issue),
                        str_val(issue, "description")}}));
  });
}

void issue_list_fetch(machine& m, std::vector<std::pair<std::string, std::string>> params) {
  m.get_json("/api/issues?" + encode_query(params), go_shape::object, "list issues",
             [&m](const json& result, const http_response&) {
    json issues = result.is_object() && result.contains("issues") && result["issues"].is_array() ? result["issues"] : json();
    if (m.flag("output") == "json") {
      const json* t = result.is_object() && result.contains("total") ? &result["total"] : nullptr;
      double td = t && t->is_number() ? t->get<double>() : 0;
      // Go's int(float64); out of range it is what amd64 gives (and UB in C++).
      long long total = (td > -9.2e18 && td < 9.2e18) ? static_cast<long long>(td) : std::numeric_limits<long long>::min();
      long long limit = m.inv().flags.get_int("limit"), offset = m.inv().flags.get_int("offset");
      long long count = issues.is_array() ? static_cast<long long>(issues.size()) : 0;
      return print_json(m, json{{"issues", issues}, {"total", total}, {"limit", limit}, {"offset", offset},
                                {"has_more", offset + count < total}});
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& i : issues.is_array() ? issues : json::array()) {
      if (!i.is_object()) continue;
      rows.push_back({truncate_id(str_val(i, "id")), str_val(i, "title"), str_val(i, "status"), str_val(i, "priority"),
                      format_assignee(i), due_date(i)});
    }
    m.out(print_table({"ID", "TITLE", "STATUS", "PRIORITY", "ASSIGNEE", "DUE DATE"}, rows));
  });
}

void issue_list(machine& m) {
  if (!m.client()) return;
  const auto& f = m.inv().flags;
  if (m.settings().workspace_id.empty()) return m.fail(workspace_required);
  std::vector<std::pair<std::string, std::string>> params{{"workspace_id", m.settings().workspace_id}};
  for (const char* name : {"status", "priority"})
    if (!f.get(name).empty()) params.emplace_back(name, f.get(name));
  if (f.get_int("limit") > 0) params.emplace_back("limit", std::to_string(f.get_int("limit")));
  if (f.get_int("offset") > 0) params.emplace_back("offset", std::to_string(f.get_int("offset")));
  if (!f.get("project").empty()) params.emplace_back("project_id", f.get("project"));
  if (f.get("assignee").empty()) return issue_list_fetch(m, std::move(params));
  m.resolve_assignee(f.get("assignee"), [&m, params](std::string, std::string id) mutable {
    params.emplace_back("assignee_id", id);  // members resolve to their user id
    issue_list_fetch(m, std::move(params));
  });
}

void issue_create_post(machine& m, json body) {
  m.send_json("POST", "/api/issues", body, go_shape::object, "create issue", [&m](const json& result, const http_response&) {
    // Attachments are uploaded after the issue exists, linked by the upload itself.
    m.upload_all(m.inv().flags.get_slice("attachment"), str_val(result, "id"), [&m, result](std::vector<std::string>) {
      if (m.flag("output") == "table") return print_short_issue(m, result);
      print_json(m, result);
    });
  });
}

void issue_create(machine& m) {
  const auto& f = m.inv().flags;
  if (f.get("title").empty()) return m.fail("--title is required");
  if (!m.client()) return;
  if (!f.get_slice("attachment").empty()) m.budget_ms = 60000;
  json body{{"title", f.get("title")}};
  const std::pair<const char*, const char*> fields[] = {{"description", "description"}, {"status", "status"},
      {"priority", "priority"}, {"parent", "parent_issue_id"}, {"project", "project_id"}, {"due-date", "due_date"}};
  for (const auto& [flag, key] : fields)
    if (!f.get(flag).empty()) body[key] = f.get(flag);
  if (f.get("assignee").empty()) return issue_create_post(m, std::move(body));
  m.resolve_assignee(f.get("assignee"), [&m, body](std::string type, std::string id) mutable {
    body["assignee_type"] = type;
    body["assignee_id"] = id;
    issue_create_post(m, std::move(body));
  });
}

void issue_update_put(machine& m, const json& body) {
  if (body.empty()) return m.fail("no fields to update; use flags like --title, --status, --priority, --assignee, etc.");
  m.send_json("PUT", "/api/issues/" + m.arg(0), body, go_shape::object, "update issue", [&m](const json& r, const http_response&) {
    if (m.flag("output") == "table") return print_short_issue(m, r);
    print_json(m, r);
  });
}

void issue_update(machine& m) {
  if (!m.client()) return;
  const auto& f = m.inv().flags;
  json body = json::object();
  const std::pair<const char*, const char*> fields[] = {{"title", "title"}, {"description", "description"},
      {"status", "status"}, {"priority", "priority"}, {"project", "project_id"}, {"due-date", "due_date"}};
  for (const auto& [flag, key] : fields)
    if (f.changed(flag)) body[key] = f.get(flag);
  if (f.changed("parent")) body["parent_issue_id"] = f.get("parent").empty() ? json() : json(f.get("parent"));
  if (!f.changed("assignee")) return issue_update_put(m, body);
  m.resolve_assignee(f.get("assignee"), [&m, body](std::string type, std::string id) mutable {
    body["assignee_type"] = type;
    body["assignee_id"] = id;
    issue_update_put(m, body);
  });
}

void issue_assign_put(machine& m, const json& body, const std::string& to) {
  m.send_json("PUT", "/api/issues/" + m.arg(0), body, go_shape::object, "assign issue", [&m, to](const json& r, const http_response&) {
    m.err(to.empty() ? "Issue " + truncate_id(m.arg(0)) + " unassigned.\n"
                     : "Issue " + truncate_id(m.arg(0)) + " assigned to " + to + ".\n");
    if (m.flag("output") != "table") print_json(m, r);
  });
}

void issue_assign(machine& m) {
  const std::string to = m.flag("to");
  const bool unassign = m.inv().flags.get_bool("unassign");
  if (to.empty() && !unassign) return m.fail("provide --to <name> or --unassign");
  if (!to.empty() && unassign) return m.fail("--to and --unassign are mutually exclusive");
  if (!m.client()) return;
  if (unassign) return issue_assign_put(m, json{{"assignee_type", nullptr}, {"assignee_id", nullptr}}, "");
  m.resolve_assignee(to, [&m, to](std::string type, std::string id) {
    issue_assign_put(m, json{{"assignee_type", type}, {"assignee_id", id}}, to);
  });
}

void issue_status(machine& m) {
  static const std::vector<std::string> valid = {"backlog", "todo", "in_progress", "in_review", "done", "blocked", "cancelled"};
  const std::string status = m.arg(1);
  if (std::find(valid.begin(), valid.end(), status) == valid.end())
    return m.fail("invalid status " + go_quote(status) + "; valid values: backlog, todo, in_progress, in_review, done, blocked, cancelled");
  if (!m.client()) return;
  m.send_json("PUT", "/api/issues/" + m.arg(0), json{{"status", status}}, go_shape::object, "update status",
              [&m, status](const json& r, const http_response&) {
    m.err("Issue " + truncate_id(m.arg(0)) + " status changed to " + status + ".\n");
    if (m.flag("output") == "json") print_json(m, r);
  });
}

void issue_runs(machine& m) {
  if (!m.client()) return;
  m.get_json("/api/issues/" + m.arg(0) + "/task-runs", go_shape::object_array, "list runs", [&m](const json& runs, const http_response&) {
    if (m.flag("output") == "json") return print_json(m, runs);
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : runs.is_array() ? runs : json::array())
      rows.push_back({truncate_id(str_val(r, "id")), truncate_id(str_val(r, "agent_id")), str_val(r, "status"),
                      first_bytes(str_val(r, "started_at"), 16), first_bytes(str_val(r, "completed_at"), 16),
                      cut_runes(str_val(r, "error"), 50, 47)});
    m.out(print_table({"ID", "AGENT", "STATUS", "STARTED", "COMPLETED", "ERROR"}, rows));
  });
}

void issue_run_messages(machine& m) {
  if (!m.client()) return;
  std::string path = "/api/daemon/tasks/" + m.arg(0) + "/messages";
  if (long long since = m.inv().flags.get_int("since"); since > 0) path += "?since=" + std::to_string(since);
  m.get_json(path, go_shape::object_array, "list run messages", [&m](const json& messages, const http_response&) {
    if (m.flag("output") == "json") return print_json(m, messages);
    std::vector<std::vector<std::string>> rows;
    for (const auto& msg : messages.is_array() ? messages : json::array()) {
      std::string content = str_val(msg, "content");
      if (content.empty()) content = str_val(msg, "output");
      std::string seq = msg.is_object() && msg.contains("seq") ? go_format_v(msg["seq"]) : "";
      rows.push_back({seq, str_val(msg, "type"), str_val(msg, "tool"), cut_runes(content, 80, 77)});
    }
    m.out(print_table({"SEQ", "TYPE", "TOOL", "CONTENT"}, rows));
  });
}

void issue_search(machine& m) {
  if (!m.client()) return;
  const auto& f = m.inv().flags;
  std::vector<std::pair<std::string, std::string>> params{{"q", m.arg(0)}};
  if (f.get_int("limit") > 0) params.emplace_back("limit", std::to_string(f.get_int("limit")));
  if (f.get_bool("include-closed")) params.emplace_back("include_closed", "true");
  m.get_json("/api/issues/search?" + encode_query(params), go_shape::object, "search issues", [&m](const json& result, const http_response&) {
    if (m.flag("output") == "json") return print_json(m, result);
    std::vector<std::vector<std::string>> rows;
    const json& issues = result.is_object() && result.contains("issues") && result["issues"].is_array() ? result["issues"] : json::array();
    for (const auto& i : issues) {
      if (!i.is_object()) continue;
      std::string match = str_val(i, "match_source");
      if (auto snippet = str_val(i, "matched_snippet"); !snippet.empty()) match += ": " + cut_runes(snippet, 50, 47);
      rows.push_back({truncate_id(str_val(i, "id")), str_val(i, "identifier"), str_val(i, "title"), str_val(i, "status"), match});
    }
    m.out(print_table({"ID", "IDENTIFIER", "TITLE", "STATUS", "MATCH"}, rows));
  });
}

}  // namespace

void run_issue_command(machine& m) {
  switch (m.inv().command().id) {
    case command_id::issue_get: return issue_get(m);
    case command_id::issue_list: return issue_list(m);
    case command_id::issue_create: return issue_create(m);
    case command_id::issue_update: return issue_update(m);
    case command_id::issue_assign: return issue_assign(m);
    case command_id::issue_status: return issue_status(m);
    case command_id::issue_runs: return issue_runs(m);
    case command_id::issue_run_messages: return issue_run_messages(m);
    case command_id::issue_search: return issue_search(m);
    default: return m.fail("internal error: not an issue command");
  }
}

}  // namespace multicad::proto::toolbox
