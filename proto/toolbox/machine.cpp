#include "proto/toolbox/machine.hpp"

#include "proto/toolbox/go_text.hpp"

namespace multicad::proto::toolbox {

using nlohmann::json;

namespace {

// Go's http.Client sends its own User-Agent; the CLI sets none.
constexpr const char* user_agent = "Go-http-client/1.1";
constexpr int client_timeout_ms = 15000;  // cli.NewAPIClient: &http.Client{Timeout: 15 * time.Second}

// What an API call returns before the command decides what to do with it.
struct api_outcome {
  json value;
  http_response response;
  std::string error;  // "" on success: the CLI's text otherwise
};

}  // namespace

// ---- state and output

void machine::done(io_result r) {
  auto p = std::move(*pending_);
  pending_.reset();
  p.then(r);
}

void machine::fail(const std::string& message) {
  err_ += "Error: " + message + "\n";
  exit_with(1);
}

void machine::set_pending(action a, on_result then) { pending_ = pending{std::move(a), std::move(then)}; }

void machine::read_stdin(on_result then) {
  action a;
  a.type = action::kind::read_stdin;
  set_pending(std::move(a), std::move(then));
}

void machine::read_file(const std::string& path, on_result then) {
  action a;
  a.type = action::kind::read_file;
  a.path = path;
  set_pending(std::move(a), std::move(then));
}

void machine::write_file(const std::string& path, std::string data, on_result then) {
  action a;
  a.type = action::kind::write_file;
  a.path = path;
  a.data = std::move(data);
  set_pending(std::move(a), std::move(then));
}

// ---- HTTP

void machine::http(http_request r, on_exchange then) {
  std::string op = r.method;
  send(std::move(r), std::move(op), 1, std::move(then));
}

void machine::send(http_request r, std::string op, int sent, on_exchange then) {
  auto checked = check_url(op, r.url);
  if (!checked.parts) {
    then(exchange{{}, checked.error});
    return;
  }
  action a;
  a.type = action::kind::http;
  a.request = r;
  set_pending(std::move(a), [this, r, op, sent, then](const io_result& res) {
    if (!res.response.error.empty()) return then(exchange{{}, url_error(op, r.url, res.response.error)});
    std::string error, error_url;
    auto next = follow_redirect(r, res.response, sent, error, error_url);
    if (!error.empty()) return then(exchange{{}, url_error(op, error_url, error)});
    if (next) return send(std::move(*next), op, sent + 1, then);
    then(exchange{res.response, ""});
  });
}

bool machine::client() {
  settings_ = resolve_client(inv_, ctx_.env, ctx_.config);
  if (settings_.server_configured) return true;
  err_ += "No server configured. Run 'multica setup' first.\n";
  exit_with(1);
  return false;
}

http_request machine::api_request(const std::string& method, const std::string& path) const {
  http_request r;
  r.method = method;
  r.url = settings_.server_url + path;
  r.timeout_ms = client_timeout_ms;
  r.headers.push_back({"User-Agent", user_agent});
  if (!settings_.token.empty()) r.headers.push_back({"Authorization", "Bearer " + settings_.token});
  if (!settings_.workspace_id.empty()) r.headers.push_back({"X-Workspace-ID", settings_.workspace_id});
  if (!settings_.agent_id.empty()) r.headers.push_back({"X-Agent-ID", settings_.agent_id});
  if (!settings_.task_id.empty()) r.headers.push_back({"X-Task-ID", settings_.task_id});
  return r;
}

namespace {

void finish_api(const exchange& e, const std::string& method, const std::string& path, go_shape shape,
                const std::function<void(api_outcome)>& then) {
  api_outcome o;
  o.response = e.response;
  if (!e.error.empty()) o.error = e.error;
  else if (e.response.status >= 400) o.error = status_error(method, path, e.response);
  else {
    auto d = go_decode(e.response.body, shape);
    if (d.ok()) o.value = std::move(d.value); else o.error = d.error;
  }
  then(std::move(o));
}

}  // namespace

void machine::get_json(const std::string& path, go_shape shape, const std::string& prefix, on_json then) {
  http(api_request("GET", path), [this, path, shape, prefix, then](const exchange& e) {
    finish_api(e, "GET", path, shape, [&](api_outcome o) {
      if (!o.error.empty()) return fail(prefix + ": " + o.error);
      then(o.value, o.response);
    });
  });
}

void machine::send_json(const std::string& method, const std::string& path, const json& body, go_shape shape,
                        const std::string& prefix, on_json then) {
  http_request r = api_request(method, path);
  r.headers.push_back({"Content-Type", "application/json"});
  r.body = go_marshal(body);
  http(std::move(r), [this, method, path, shape, prefix, then](const exchange& e) {
    finish_api(e, method, path, shape, [&](api_outcome o) {
      if (!o.error.empty()) return fail(prefix + ": " + o.error);
      then(o.value, o.response);
    });
  });
}

void machine::delete_path(const std::string& path, const std::string& prefix, std::function<void()> then) {
  http(api_request("DELETE", path), [this, path, prefix, then](const exchange& e) {
    if (!e.error.empty()) return fail(prefix + ": " + e.error);
    if (e.response.status >= 400) return fail(prefix + ": " + status_error("DELETE", path, e.response));
    then();  // a DELETE's body is not read
  });
}

// ---- name resolution (§5.17)

void machine::resolve_assignee(const std::string& name, std::function<void(std::string, std::string)> then) {
  const std::string ws = settings_.workspace_id;
  if (ws.empty())
    return fail("resolve assignee: workspace ID is required to resolve assignees; use --workspace-id or set MULTICA_WORKSPACE_ID");
  struct candidate { std::string type, id, name; };
  auto found = std::make_shared<std::vector<candidate>>();
  auto errors = std::make_shared<std::vector<std::string>>();
  auto collect = [found, name](const json& list, const char* type, const char* id_key) {
    if (!list.is_array()) return;
    for (const auto& m : list) {
      std::string display = str_val(m, "name");
      if (to_lower(display).find(to_lower(name)) != std::string::npos) found->push_back({type, str_val(m, id_key), display});
    }
  };
  auto finish = [this, found, errors, name, then] {
    if (errors->size() == 2) return fail("resolve assignee: failed to resolve assignee: " + (*errors)[0] + "; " + (*errors)[1]);
    if (found->size() == 1) return then(found->front().type, found->front().id);
    if (found->empty()) return fail("resolve assignee: no member or agent found matching " + go_quote(name));
    std::string lines;
    for (const auto& c : *found) lines += "\n  " + c.type + " " + go_quote(c.name) + " (" + truncate_id(c.id) + ")";
    fail("resolve assignee: ambiguous assignee " + go_quote(name) + "; matches:" + lines);
  };
  const std::string members_path = "/api/workspaces/" + ws + "/members";
  const std::string agents_path = "/api/agents?" + encode_query({{"workspace_id", ws}});
  http(api_request("GET", members_path), [=, this](const exchange& e) {
    finish_api(e, "GET", members_path, go_shape::object_array, [&](api_outcome o) {
      if (o.error.empty()) collect(o.value, "member", "user_id"); else errors->push_back("fetch members: " + o.error);
    });
    http(api_request("GET", agents_path), [=](const exchange& e2) {
      finish_api(e2, "GET", agents_path, go_shape::object_array, [&](api_outcome o) {
        if (o.error.empty()) collect(o.value, "agent", "id"); else errors->push_back("fetch agents: " + o.error);
      });
      finish();
    });
  });
}

// ---- uploads (cli.APIClient.UploadFile)

void machine::upload_all(std::vector<std::string> paths, std::string issue_id,
                         std::function<void(std::vector<std::string>)> then) {
  upload_next(std::make_shared<std::vector<std::string>>(std::move(paths)), 0, std::move(issue_id),
              std::make_shared<std::vector<std::string>>(), std::move(then));
}

void machine::upload_next(std::shared_ptr<std::vector<std::string>> paths, std::size_t i, std::string issue_id,
                          std::shared_ptr<std::vector<std::string>> ids,
                          std::function<void(std::vector<std::string>)> then) {
  if (i == paths->size()) return then(*ids);
  const std::string path = (*paths)[i];
  read_file(path, [=, this](const io_result& file) {
    if (!file.error.empty()) return fail("read attachment " + path + ": " + file.error);
    auto form = multipart_upload(ctx_.multipart_boundary, path, file.data, issue_id);
    http_request r = api_request("POST", "/api/upload-file");
    r.headers.push_back({"Content-Type", form.content_type});
    r.body = std::move(form.body);
    http(std::move(r), [=, this](const exchange& e) {
      const std::string prefix = "upload attachment " + path + ": ";
      if (!e.error.empty()) return fail(prefix + e.error);
      if (e.response.status >= 400) return fail(prefix + plain_status_error("upload file", e.response));
      auto d = go_decode(e.response.body, go_shape::object);
      if (!d.ok()) return fail(prefix + "decode upload response: " + d.error);
      std::string id = d.value.is_object() && d.value.contains("id") && d.value["id"].is_string() ? d.value["id"].get<std::string>() : "";
      if (id.empty()) return fail(prefix + "upload response missing attachment id");
      ids->push_back(id);
      err("Uploaded " + path + "\n");
      upload_next(paths, i + 1, issue_id, ids, then);
    });
  });
}

std::string format_assignee(const json& issue) {
  std::string type = str_val(issue, "assignee_type"), id = str_val(issue, "assignee_id");
  if (type.empty() || id.empty()) return "";
  return type + ":" + truncate_id(id);
}

// ---- command_run

struct command_run::impl {
  machine m;
};

command_run::command_run(invocation inv, run_context ctx) : impl_(std::make_unique<impl>(impl{machine(std::move(inv), std::move(ctx))})) {
  machine& m = impl_->m;
  const auto id = m.inv().command().id;
  const auto& path = m.inv().path;
  if (path.size() > 1 && path[1]->name() == "issue") {
    if (id == command_id::comment_list || id == command_id::comment_add || id == command_id::comment_delete) run_comment_command(m);
    else run_issue_command(m);
  } else {
    run_other_command(m);
  }
}

command_run::~command_run() = default;
bool command_run::finished() const { return impl_->m.finished(); }
const action& command_run::next() const { return impl_->m.next(); }
void command_run::done(io_result result) { impl_->m.done(std::move(result)); }
std::string command_run::take_stdout() { return impl_->m.take_out(); }
std::string command_run::take_stderr() { return impl_->m.take_err(); }
int command_run::exit_code() const { return impl_->m.exit_code(); }
int command_run::budget_ms() const { return impl_->m.budget_ms; }

}  // namespace multicad::proto::toolbox
