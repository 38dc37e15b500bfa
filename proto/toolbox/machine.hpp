// The engine behind command_run: the one pending action and its
// continuation, output, failure, and the steps the commands share (the API
// client's requests and their error texts, name resolution, uploads).
// Internal to proto/toolbox. Single-threaded.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

#include "proto/toolbox/command_run.hpp"
#include "proto/toolbox/go_json.hpp"

namespace multicad::proto::toolbox {

// The outcome of one HTTP exchange after redirects: `error` is Go's full
// text (`Get "url": …`, `parse "url": …`) when no response came.
struct exchange {
  http_response response;
  std::string error;
};

class machine {
 public:
  using on_exchange = std::function<void(const exchange&)>;
  using on_result = std::function<void(const io_result&)>;
  using on_json = std::function<void(const nlohmann::json&, const http_response&)>;

  machine(invocation inv, run_context ctx) : inv_(std::move(inv)), ctx_(std::move(ctx)) {}

  // ---- state
  bool finished() const { return !pending_.has_value(); }
  const action& next() const { return pending_->what; }
  void done(io_result r);

  // ---- output
  void out(const std::string& s) { out_ += s; }
  void err(const std::string& s) { err_ += s; }
  std::string take_out() { return std::exchange(out_, {}); }
  std::string take_err() { return std::exchange(err_, {}); }
  // "Error: <message>" and exit 1; drops whatever was pending.
  void fail(const std::string& message);
  void exit_with(int code) { exit_code_ = code; pending_.reset(); }
  int exit_code() const { return exit_code_; }

  // ---- the invocation
  const invocation& inv() const { return inv_; }
  const std::string& arg(std::size_t i) const { return inv_.args[i]; }
  std::string flag(const std::string& name) const { return inv_.flags.get(name); }
  const run_context& context() const { return ctx_; }
  int budget_ms = 15000;

  // ---- I/O steps: each sets the pending action; `then` runs with its result.
  void http(http_request r, on_exchange then);
  void read_stdin(on_result then);
  void read_file(const std::string& path, on_result then);
  void write_file(const std::string& path, std::string data, on_result then);

  // ---- the API client (newAPIClient and cli.APIClient)
  // Resolves the settings; false (after printing "No server configured…"
  // and exiting 1) when there is no server URL.
  bool client();
  const client_settings& settings() const { return settings_; }
  // GetJSON / PostJSON / PutJSON; failures become "<prefix>: <error>".
  void get_json(const std::string& path, go_shape shape, const std::string& prefix, on_json then);
  void send_json(const std::string& method, const std::string& path, const nlohmann::json& body, go_shape shape,
                 const std::string& prefix, on_json then);
  void delete_path(const std::string& path, const std::string& prefix, std::function<void()> then);

  // resolveAssignee (agent-toolbox.md §5.17); failures become "resolve assignee: …".
  void resolve_assignee(const std::string& name, std::function<void(std::string type, std::string id)> then);
  // Reads and uploads each file in turn ("Uploaded <path>" on stderr), then
  // calls `then` with the attachment ids.
  void upload_all(std::vector<std::string> paths, std::string issue_id,
                  std::function<void(std::vector<std::string>)> then);

 private:
  struct pending {
    action what;
    on_result then;
  };
  void set_pending(action a, on_result then);
  // `op` is the first request's method (Go's url.Error names it); `sent` counts requests so far.
  void send(http_request r, std::string op, int sent, on_exchange then);
  http_request api_request(const std::string& method, const std::string& path) const;
  void upload_next(std::shared_ptr<std::vector<std::string>> paths, std::size_t i, std::string issue_id,
                   std::shared_ptr<std::vector<std::string>> ids, std::function<void(std::vector<std::string>)> then);

  invocation inv_;
  run_context ctx_;
  client_settings settings_;
  std::optional<pending> pending_;
  std::string out_, err_;
  int exit_code_ = 0;
};

// The table helpers every command uses.
std::string format_assignee(const nlohmann::json& issue);

// The commands, grouped as the CLI's source files are.
void run_issue_command(machine& m);      // get list create update assign status runs run-messages search
void run_comment_command(machine& m);    // comment list add delete
void run_other_command(machine& m);      // workspace, agent, attachment, repo, version, not implemented

}  // namespace multicad::proto::toolbox
