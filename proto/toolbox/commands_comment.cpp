// issue comment list, add and delete (agent-toolbox.md §5.3-§5.5).
#include "proto/toolbox/go_text.hpp"
#include "proto/toolbox/machine.hpp"
#include "proto/toolbox/tabwriter.hpp"

namespace multicad::proto::toolbox {

using nlohmann::json;

namespace {

void comment_list(machine& m) {
  if (!m.client()) return;
  const auto& f = m.inv().flags;
  std::vector<std::pair<std::string, std::string>> params;
  if (f.get_int("limit") > 0) params.emplace_back("limit", std::to_string(f.get_int("limit")));
  if (f.get_int("offset") > 0) params.emplace_back("offset", std::to_string(f.get_int("offset")));
  if (!f.get("since").empty()) params.emplace_back("since", f.get("since"));
  std::string path = "/api/issues/" + m.arg(0) + "/comments";
  const bool paginated = !params.empty();
  if (paginated) path += "?" + encode_query(params);
  m.get_json(path, go_shape::object_array, "list comments", [&m, paginated](const json& comments, const http_response& r) {
    // The count is only read when the request carried a parameter (GetJSONWithHeaders).
    std::string total = r.header_value("X-Total-Count");
    if (paginated && !total.empty())
      m.err("Showing " + std::to_string(comments.is_array() ? comments.size() : 0) + " of " + total + " comments.\n");
    if (m.flag("output") == "json") return m.out(go_encode_indent(comments));
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : comments.is_array() ? comments : json::array()) {
      std::string parent = str_val(c, "parent_id");
      rows.push_back({str_val(c, "id"), parent.empty() ? "—" : parent,
                      str_val(c, "author_type") + ":" + truncate_id(str_val(c, "author_id")), str_val(c, "type"),
                      cut_runes(str_val(c, "content"), 80, 77), first_bytes(str_val(c, "created_at"), 16)});
    }
    m.out(print_table({"ID", "PARENT", "AUTHOR", "TYPE", "CONTENT", "CREATED"}, rows));
  });
}

void comment_post(machine& m, const std::string& content) {
  const std::string issue = m.arg(0);
  m.upload_all(m.inv().flags.get_slice("attachment"), issue, [&m, content, issue](std::vector<std::string> ids) {
    json body{{"content", content}};
    if (!m.flag("parent").empty()) body["parent_id"] = m.flag("parent");
    if (!ids.empty()) body["attachment_ids"] = ids;
    m.send_json("POST", "/api/issues/" + issue + "/comments", body, go_shape::object, "add comment",
                [&m, issue](const json& r, const http_response&) {
      m.err("Comment added to issue " + truncate_id(issue) + ".\n");
      if (m.flag("output") != "table") m.out(go_encode_indent(r));
    });
  });
}

void comment_add_with(machine& m, const std::string& content) {
  if (content.empty()) return m.fail("--content or --content-stdin is required");
  if (!m.client()) return;
  if (!m.inv().flags.get_slice("attachment").empty()) m.budget_ms = 60000;
  comment_post(m, content);
}

void comment_add(machine& m) {
  const std::string content = m.flag("content");
  const bool from_stdin = m.inv().flags.get_bool("content-stdin");
  if (!content.empty() && from_stdin) return m.fail("--content and --content-stdin are mutually exclusive");
  if (!from_stdin) return comment_add_with(m, content);
  m.read_stdin([&m](const io_result& in) {
    if (!in.error.empty()) return m.fail("read stdin: " + in.error);
    std::string text = in.data;
    if (!text.empty() && text.back() == '\n') text.pop_back();  // strings.TrimSuffix: one newline only
    if (text.empty()) return m.fail("stdin content is empty");
    comment_add_with(m, text);
  });
}

void comment_delete(machine& m) {
  if (!m.client()) return;
  m.delete_path("/api/comments/" + m.arg(0), "delete comment",
                [&m] { m.err("Comment " + truncate_id(m.arg(0)) + " deleted.\n"); });
}

}  // namespace

void run_comment_command(machine& m) {
  switch (m.inv().command().id) {
    case command_id::comment_list: return comment_list(m);
    case command_id::comment_add: return comment_add(m);
    case command_id::comment_delete: return comment_delete(m);
    default: return m.fail("internal error: not a comment command");
  }
}

}  // namespace multicad::proto::toolbox
