// `multicad status [--json] [--port N]`: asks the running daemon's local
// endpoint (where its record in state_dir says, daemon_locator.hpp) and
// prints its mode, runtimes, running tasks, last server contact and error,
// disk figures, and the delivery outbox. Exit 0 when a daemon answers, 3 when
// none runs (as `systemctl status` does); that is said on stderr, stdout stays
// empty (or, with --json, {"running": false}).
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "config/disk_values.hpp"
#include "daemon/cli/cli_context.hpp"
#include "daemon/cli/daemon_locator.hpp"
#include "daemon/cli/local_http.hpp"

namespace multicad::cli {
using nlohmann::json;

namespace {

constexpr int exit_not_running = 3;

std::string text(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "-";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::string size_text(const json& v) { return v.is_number_unsigned() ? config::human_size(v.get<std::uint64_t>()) : "-"; }

// "disk: 12.3 GiB under /root (limit 50.0 GiB), 80.1 GiB free (floor 10.0 GiB); GC reclaimed 3.2 GiB"
void print_disk(const json& d) {
  if (d.empty()) return;
  auto limit = d.value("max_size_bytes", std::uint64_t{0});
  std::cout << "disk:        " << size_text(d.value("used_bytes", json())) << " under " << text(d, "workspaces_root")
            << " (limit " << (limit ? config::human_size(limit) : std::string("none")) << "), "
            << size_text(d.value("free_bytes", json())) << " free (floor " << size_text(d.value("min_free_bytes", json()))
            << "); GC reclaimed " << size_text(d.value("reclaimed_bytes_total", json())) << " since start"
            << (d.value("over_quota", false) ? "; OVER QUOTA with nothing left to reclaim (see the log)" : "") << "\n";
}

// "  cap 2h0m0s (1h58m3s left)  idle 30m0s (29m12s left)": the hard cap and
// the liveness watch nearest to firing, as /health gives them.
std::string limits_text(const json& t) {
  std::string out = "  cap " + (t.contains("hard_cap") && t["hard_cap"].is_string() ? text(t, "hard_cap") : "none");
  if (t.contains("hard_cap_left") && t["hard_cap_left"].is_string()) out += " (" + text(t, "hard_cap_left") + " left)";
  auto w = t.find("idle_watchdog");
  if (w != t.end() && w->is_object())
    out += "  " + text(*w, "kind") + " " + text(*w, "limit") + " (" + text(*w, "left") + " left)";
  else
    out += "  idle watch not running";
  return out;
}

void print(const json& h) {
  std::cout << "daemon:      " << text(h, "status") << " (pid " << text(h, "pid") << ", up " << text(h, "uptime")
            << ", multicad " << text(h, "cli_version") << ")\n"
            << "mode:        " << text(h, "mode")
            << (h.value("server_url", "").empty() ? "" : " -> " + h.value("server_url", "")) << "\n"
            << "agent:       codex " << text(h.value("codex", json::object()), "version") << " at "
            << text(h.value("codex", json::object()), "path") << "\n";
  if (h.contains("workspaces") && h["workspaces"].is_array())
    for (const auto& w : h["workspaces"])
      std::cout << "workspace:   " << text(w, "id") << " runtimes " << w.value("runtimes", json::array()).dump() << "\n";
  std::cout << "tasks:       " << text(h, "active_task_count") << " running\n";
  for (const auto& t : h.value("running_tasks", json::array()))
    std::cout << "  " << text(t, "task_id") << "  issue " << text(t, "issue_id") << "  for " << text(t, "elapsed")
              << limits_text(t) << "\n";
  if (h.value("mode", "") == "server") {
    std::cout << "server:      last contact " << text(h, "last_server_contact") << "\n";
    if (h.contains("dispatch"))
      std::cout << "dispatch:    " << text(h["dispatch"], "mode") << " since " << text(h["dispatch"], "since")
                << (h["dispatch"].value("mode", "") == "push" ? " (the server's WebSocket wakes the daemon)"
                                                            : " (claims every poll_interval)") << "\n";
    if (!h.value("last_error", "").empty())
      std::cout << "last error:  " << text(h, "last_error") << " (at " << text(h, "last_error_at") << ")\n";
  }
  print_disk(h.value("disk", json::object()));
  auto outbox = h.value("outbox", json::object());
  std::cout << "outbox:      " << text(outbox, "depth") << " report(s) waiting";
  if (outbox.contains("oldest"))
    std::cout << "; oldest: " << text(outbox["oldest"], "kind") << " for task " << text(outbox["oldest"], "task_id")
              << ", queued " << text(outbox["oldest"], "queued_at") << ", " << text(outbox["oldest"], "attempts")
              << " attempt(s), last error: " << text(outbox["oldest"], "last_error");
  std::cout << "\n";
}

int status(const cli_context& ctx, bool as_json, int port_override) {
  daemon_address at{port_override, "--port"};
  if (at.port <= 0) {
    auto loaded = ctx.load_settings();
    if (!loaded) return exit_status::bad_usage;
    at = locate_daemon(loaded->values);
  }
  const int port = at.port;
  auto r = local_http(port, "GET", "/health");
  if (!r || r->status != 200) {
    if (as_json) std::cout << json{{"running", false}, {"port", port}}.dump() << "\n";
    std::cerr << "multicad status: no daemon is running on 127.0.0.1:" << port << " (from " << at.source
              << "); start one with `multicad run`, or `systemctl start multicad`\n";
    return exit_not_running;
  }
  auto h = json::parse(r->body, nullptr, false);
  if (h.is_discarded()) {
    std::cerr << "multicad status: 127.0.0.1:" << port << " answered, but not with multicad's health JSON\n";
    return exit_status::failed;
  }
  if (as_json) std::cout << h.dump(2) << "\n";
  else print(h);
  return exit_status::ok;
}

}  // namespace

void add_status_command(CLI::App& app, cli_context& ctx) {
  auto* cmd = app.add_subcommand("status", "ask the running daemon what it is doing (exit 3 when none runs)");
  auto json_flag = std::make_shared<bool>(false);
  auto port = std::make_shared<int>(0);
  cmd->add_flag("--json", *json_flag, "print the daemon's health JSON");
  cmd->add_option("--port", *port, "ask this port instead of health_port")->check(CLI::Range(1, 65535));
  cmd->callback([&ctx, json_flag, port] { ctx.status = status(ctx, *json_flag, *port); });
}

}  // namespace multicad::cli
