// `multicad disk-usage [--by-task | --by-workspace] [--top N] [--json] [--port N]`:
// measures the workspaces root the running daemon uses (its /health says
// which; without an answer, the one the settings name, and the output says
// so) and prints each task folder's kind, state, issue status, age, size and
// reclaimable artifacts, the repository caches, or sums per workspace.
// Read-only; a walk of the whole root, so it takes as long as `du` would.
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "daemon/cli/cli_context.hpp"
#include "daemon/cli/disk_usage_report.hpp"
#include "daemon/cli/local_http.hpp"
#include "execenv/layout.hpp"

namespace multicad::cli {
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

struct options {
  bool by_workspace = false;
  bool by_task = false;
  std::size_t top = 0;
  bool json = false;
  int port = 0;
};

struct target {
  fs::path root;
  root_source source;
  std::set<fs::path> running;  // task folders of the daemon's running tasks
};

// The daemon's own root and running tasks, when a multicad daemon answers.
std::optional<target> ask_daemon(int port) {
  auto r = local_http(port, "GET", "/health");
  if (!r || r->status != 200) return std::nullopt;
  auto h = json::parse(r->body, nullptr, false);
  if (h.is_discarded() || !h.contains("disk") || !h["disk"].value("workspaces_root", json()).is_string()) return std::nullopt;
  target t;
  t.root = h["disk"]["workspaces_root"].get<std::string>();
  t.source = {"daemon", "the running daemon on 127.0.0.1:" + std::to_string(port)};
  for (const auto& task : h.value("running_tasks", json::array())) {
    auto l = execenv::layout_for(t.root, task.value("workspace_id", ""), task.value("task_id", ""));
    if (l) t.running.insert(l->root);
  }
  return t;
}

int disk_usage(const cli_context& ctx, const options& o) {
  auto loaded = ctx.load_settings();
  if (!loaded) return exit_status::bad_usage;
  const auto& s = loaded->values;
  int port = o.port > 0 ? o.port : s.health_port;
  auto t = ask_daemon(port);
  if (!t) {
    t = target{s.workspaces_root,
               {"settings", "the settings (" + loaded->origins.at("workspaces_root").describe() +
                                "); no multicad daemon answered on 127.0.0.1:" + std::to_string(port)},
               {}};
  }
  execenv::survey_options so{s.gc.artifact_patterns, t->running, true};
  auto survey = execenv::survey_root(t->root, so);
  auto report = disk_usage_json({survey, execenv::space_of(t->root), t->source, s.gc, std::chrono::system_clock::now(), o.top});
  if (o.json) std::cout << report.dump(2) << "\n";
  else if (o.by_workspace) print_by_workspace(std::cout, report);
  else print_by_task(std::cout, report, o.top);
  return exit_status::ok;
}

}  // namespace

void add_disk_usage_command(CLI::App& app, cli_context& ctx) {
  auto* cmd = app.add_subcommand(
      "disk-usage", "what the workspaces root holds: task folders, reclaimable artifacts, repository caches");
  auto o = std::make_shared<options>();
  auto* ws = cmd->add_flag("--by-workspace", o->by_workspace, "one row per workspace");
  auto* task = cmd->add_flag("--by-task", o->by_task, "one row per task folder and repository cache (the default)");
  ws->excludes(task);
  cmd->add_option("--top", o->top, "only the N largest rows")->check(CLI::PositiveNumber);
  cmd->add_flag("--json", o->json, "print everything as JSON (--top limits the task rows)");
  cmd->add_option("--port", o->port, "ask the daemon on this port instead of health_port")->check(CLI::Range(1, 65535));
  cmd->callback([&ctx, o] { ctx.status = disk_usage(ctx, *o); });
}

}  // namespace multicad::cli
