// The daemon's effective settings: one immutable, validated value built by
// config::load (loader.hpp). Every field has its default here, in class.
// Plain data; safe to copy and read from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "config/disk_values.hpp"
#include "config/duration.hpp"

namespace multicad::config {

using namespace std::chrono_literals;

// codex.sandbox: `automatic` picks by platform and Codex version
// (execenv/sandbox_policy.hpp); the others are forced by the operator.
enum class sandbox_choice { automatic, read_only, workspace_write, danger_full_access };

// codex.approvals: `never` keeps the model inside the sandbox; `auto_accept`
// answers every escalation request with "accept" (the old daemon's behaviour).
enum class approvals_choice { never, auto_accept };

enum class log_format { text, json };

struct gc_settings {
  bool enabled = true;
  duration interval = 1h;
  duration ttl = 120h;         // after the issue is done or cancelled
  duration orphan_ttl = 720h;  // directories without usable metadata
  // Disk (docs/operations.md "Disk"): regenerable output of a finished task
  // goes this long after it ended (0: never by age); past either limit the
  // daemon reclaims in a fixed order until it is back under.
  duration artifact_ttl = 12h;
  duration repo_cache_ttl = 720h;  // a repository cache no checkout used for this long is removed; 0: never
  std::uint64_t max_size = 50ULL * 1024 * 1024 * 1024;      // bytes under the root; 0: no limit
  space_floor min_free{10ULL * 1024 * 1024 * 1024, 0};      // free on the root's file system; 0: none
  std::vector<artifact_pattern> artifact_patterns = default_artifact_patterns();
  bool operator==(const gc_settings&) const = default;
};

struct codex_agent_settings {
  std::string path = "codex";  // a name looked up on PATH, or a path
  std::string model;           // empty: Codex's own default
  bool operator==(const codex_agent_settings&) const = default;
};

struct codex_settings {
  sandbox_choice sandbox = sandbox_choice::automatic;
  bool network_access = true;  // for workspace-write, forced or automatic
  approvals_choice approvals = approvals_choice::never;
  // Let a task's custom_args pass any Codex argument (execenv/task_settings.hpp):
  // whoever edits an agent in a workspace may then change Codex's sandbox.
  bool allow_task_config = false;
  // Codex features a task's config.toml switches off (execenv/codex_hygiene.hpp):
  // sub-agents the task's stop cannot account for, memories that carry one
  // task's context into the next one's.
  bool multi_agent = false;
  bool memory = false;
  bool operator==(const codex_settings&) const = default;
};

struct log_settings {
  std::string level = "info";  // trace, debug, info, warn, error
  log_format format = log_format::text;
  std::filesystem::path file;  // empty: standard error (the journal under systemd)
  std::uint64_t max_size = 20 * 1024 * 1024;  // rotate log.file past this many bytes; 0: never
  int max_files = 5;                          // rotated files kept besides the current one
  bool operator==(const log_settings&) const = default;
};

// A second listener that serves GET /metrics and nothing else, for a
// Prometheus on another machine (docs/operations.md, "Metrics from elsewhere").
struct metrics_settings {
  std::string listen;  // "ADDRESS:PORT" (config/listen_address.hpp); empty: off
  bool operator==(const metrics_settings&) const = default;
};

struct settings {
  std::string server_url;  // normalised base URL; empty: embedded local mode
  std::string profile;     // the Multica CLI profile followed (loader.hpp); empty: the default one
  std::string launched_by;  // who started the daemon ("desktop" for the Multica app): sent at registration
  std::string token;       // secret; never printed
  std::filesystem::path token_file;
  std::string daemon_id;    // default: host name
  std::string device_name;  // default: host name
  std::string runtime_name;  // empty: "Codex (<device_name>)", as the reference daemon names it
  std::filesystem::path workspaces_root;  // default: ~/multica_workspaces
  std::filesystem::path state_dir;        // the daemon's own store; see loader.hpp for the default
  duration poll_interval = 3s;
  duration heartbeat_interval = 15s;
  duration agent_timeout = 2h;  // the hard cap on one task's agent; 0: none
  // Liveness watchdogs (docs/configuration.md, "Liveness"); 0 turns one off.
  duration agent_idle_watchdog = 30min;        // nothing at all from Codex
  duration agent_tool_watchdog = 2h;           // ... while a tool call is in flight
  duration codex_semantic_timeout = 10min;     // no progress (only status and usage)
  duration codex_first_turn_timeout = 3min;    // no item since the turn started
  duration codex_turn_end_grace = 30s;         // after the turn: Codex's Stop hooks, then SIGTERM
  duration shutdown_grace = 30s;
  duration server_timeout = 30s;  // one server request, start to answer
  int max_concurrent_tasks = 20;
  int health_port = 19514;
  bool keep_env_after_task = false;
  gc_settings gc;
  codex_agent_settings codex_agent;
  codex_settings codex;
  log_settings log;
  metrics_settings metrics;
  bool operator==(const settings&) const = default;
};

std::string_view to_string(sandbox_choice c);
std::string_view to_string(approvals_choice c);
std::string_view to_string(log_format f);

}  // namespace multicad::config
