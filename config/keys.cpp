#include "config/keys.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <vector>

#include "config/listen_address.hpp"
#include "config/server_url.hpp"

namespace multicad::config {
namespace {

using fs_path = std::filesystem::path;
using maybe_error = std::optional<std::string>;

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<bool> parse_bool(std::string_view text) {
  auto t = lower(text);
  if (t == "true" || t == "1" || t == "yes" || t == "on") return true;
  if (t == "false" || t == "0" || t == "no" || t == "off") return false;
  return std::nullopt;
}

// "~" and "~/x" expand to the home directory; relative paths are resolved
// against the context's base folder; the result is lexically normalised.
fs_path resolve_path(std::string_view text, const resolve_context& ctx) {
  fs_path p;
  if (text == "~") p = ctx.home;
  else if (text.starts_with("~/")) p = ctx.home / fs_path(text.substr(2));
  else p = fs_path(text);
  if (p.is_relative()) p = ctx.base_dir / p;
  return p.lexically_normal();
}

template <class Get>
key_spec text_key(std::string_view name, std::string_view env, std::string_view flag, std::string_view help,
                  Get get, bool allow_empty = true, bool secret = false) {
  return {name, env, flag, help, value_type::text, secret,
          [get, allow_empty](settings& s, std::string_view text, const resolve_context&) -> maybe_error {
            if (!allow_empty && text.empty()) return "must not be empty";
            if (text.find('\0') != std::string_view::npos) return "must not contain NUL";
            get(s) = std::string(text);
            return std::nullopt;
          },
          [get](const settings& s) { return std::string(get(s)); }};
}

template <class Get>
key_spec path_key(std::string_view name, std::string_view env, std::string_view flag, std::string_view help,
                  Get get) {
  return {name, env, flag, help, value_type::path, false,
          [get](settings& s, std::string_view text, const resolve_context& ctx) -> maybe_error {
            if (text.find('\0') != std::string_view::npos) return "must not contain NUL";
            get(s) = text.empty() ? fs_path() : resolve_path(text, ctx);
            return std::nullopt;
          },
          [get](const settings& s) { return get(s).string(); }};
}

template <class Get>
key_spec duration_key(std::string_view name, std::string_view env, std::string_view flag, std::string_view help,
                      Get get, duration minimum) {
  return {name, env, flag, help, value_type::duration, false,
          [get, minimum](settings& s, std::string_view text, const resolve_context&) -> maybe_error {
            auto d = parse_duration(text);
            if (!d) return "not a duration; use Go syntax such as 30s, 1m30s, 1.5h or 120h (no day unit)";
            if (*d < minimum) return "must be at least " + format_duration(minimum);
            get(s) = *d;
            return std::nullopt;
          },
          [get](const settings& s) { return format_duration(get(s)); }};
}

// A limit that 0 turns off: 0, or at least 1s (a shorter one is a typo, not a limit).
template <class Get>
key_spec limit_key(std::string_view name, std::string_view env, std::string_view flag, std::string_view help,
                   Get get) {
  return {name, env, flag, help, value_type::duration, false,
          [get](settings& s, std::string_view text, const resolve_context&) -> maybe_error {
            auto d = parse_duration(text);
            if (!d) return "not a duration; use Go syntax such as 30s, 10m, 1.5h (no day unit), or 0 to turn it off";
            if (*d != duration{0} && *d < std::chrono::seconds(1)) return "must be 0 (off) or at least 1s";
            get(s) = *d;
            return std::nullopt;
          },
          [get](const settings& s) { return format_duration(get(s)); }};
}

template <class Get>
key_spec int_key(std::string_view name, std::string_view env, std::string_view flag, std::string_view help,
                 Get get, int minimum, int maximum) {
  return {name, env, flag, help, value_type::integer, false,
          [get, minimum, maximum](settings& s, std::string_view text, const resolve_context&) -> maybe_error {
            int v = 0;
            auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
            if (ec != std::errc{} || end != text.data() + text.size() || v < minimum || v > maximum)
              return "must be a whole number from " + std::to_string(minimum) + " to " + std::to_string(maximum);
            get(s) = v;
            return std::nullopt;
          },
          [get](const settings& s) { return std::to_string(get(s)); }};
}

template <class Get>
key_spec bool_key(std::string_view name, std::string_view env, std::string_view flag, std::string_view help,
                  Get get) {
  return {name, env, flag, help, value_type::boolean, false,
          [get](settings& s, std::string_view text, const resolve_context&) -> maybe_error {
            auto b = parse_bool(text);
            if (!b) return "must be true or false (1/0, yes/no, on/off also accepted)";
            get(s) = *b;
            return std::nullopt;
          },
          [get](const settings& s) { return std::string(get(s) ? "true" : "false"); }};
}

// A closed set of names mapped to an enum; `names` lists them in help order.
template <class E, std::size_t N, class Get>
key_spec choice_key(std::string_view name, std::string_view env, std::string_view flag, std::string_view help,
                    Get get, std::array<std::pair<std::string_view, E>, N> names) {
  return {name, env, flag, help, value_type::choice, false,
          [get, names](settings& s, std::string_view text, const resolve_context&) -> maybe_error {
            for (auto& [n, v] : names)
              if (lower(text) == n) { get(s) = v; return std::nullopt; }
            std::string expected = "must be one of:";
            for (auto& [n, v] : names) expected += std::string(" ") + std::string(n);
            return expected;
          },
          [get, names](const settings& s) {
            for (auto& [n, v] : names)
              if (get(s) == v) return std::string(n);
            return std::string("?");
          }};
}

key_spec url_key() {
  return {"server_url", "MULTICA_SERVER_URL", "server-url",
          "Multica server (http, https, ws or wss URL); empty runs the embedded local mode",
          value_type::url, false,
          [](settings& s, std::string_view text, const resolve_context&) -> maybe_error {
            if (text.empty()) { s.server_url.clear(); return std::nullopt; }
            auto r = normalize_server_url(text);
            if (auto* e = std::get_if<url_error>(&r)) return e->message;
            s.server_url = std::get<std::string>(r);
            return std::nullopt;
          },
          [](const settings& s) { return s.server_url; }};
}

template <class Get>
key_spec size_key(std::string_view name, std::string_view env, std::string_view flag, std::string_view help, Get get) {
  return {name, env, flag, help, value_type::size, false,
          [get](settings& s, std::string_view text, const resolve_context&) -> maybe_error {
            auto v = parse_size(text);
            if (!v) return "not a size; use a number with B, KB, MB, GB or TB, e.g. 20MB";
            get(s) = *v;
            return std::nullopt;
          },
          [get](const settings& s) { return format_size(get(s)); }};
}

key_spec min_free_key() {
  return {"gc.min_free", "MULTICA_GC_MIN_FREE", "gc-min-free",
          "reclaim when the workspaces root's file system has less free space than this (e.g. 10GB or 5%; 0: no floor)",
          value_type::size, false,
          [](settings& s, std::string_view text, const resolve_context&) -> maybe_error {
            auto r = parse_space_floor(text);
            if (auto* why = std::get_if<std::string>(&r)) return *why;
            s.gc.min_free = std::get<space_floor>(r);
            return std::nullopt;
          },
          [](const settings& s) { return format_space_floor(s.gc.min_free); }};
}

key_spec artifact_patterns_key() {
  return {"gc.artifact_patterns", "MULTICA_GC_ARTIFACT_PATTERNS", "gc-artifact-patterns",
          "folders artifact clean-up removes, comma-separated: NAME, or \"NAME when MARKER\" (only where MARKER exists beside it)",
          value_type::list, false,
          [](settings& s, std::string_view text, const resolve_context&) -> maybe_error {
            auto r = parse_artifact_patterns(text);
            if (auto* why = std::get_if<std::string>(&r)) return *why;
            s.gc.artifact_patterns = std::get<std::vector<artifact_pattern>>(std::move(r));
            return std::nullopt;
          },
          [](const settings& s) { return format_artifact_patterns(s.gc.artifact_patterns); }};
}

key_spec metrics_listen_key() {
  return {"metrics.listen", "MULTICA_METRICS_LISTEN", "metrics-listen",
          "also serve GET /metrics (only that, read-only) on this ADDRESS:PORT, e.g. 0.0.0.0:9464; empty: off",
          value_type::text, false,
          [](settings& s, std::string_view text, const resolve_context&) -> maybe_error {
            if (text.empty()) { s.metrics.listen.clear(); return std::nullopt; }
            auto r = parse_listen_address(text);
            if (auto* e = std::get_if<std::string>(&r)) return *e;
            s.metrics.listen = std::get<listen_address>(r).to_string();
            return std::nullopt;
          },
          [](const settings& s) { return s.metrics.listen; }};
}

std::vector<key_spec> build_table() {
  using sc = sandbox_choice;
  std::vector<key_spec> t;
  t.push_back(url_key());
  t.push_back(text_key("profile", "MULTICA_PROFILE", "profile",
                       "the Multica CLI profile to follow: its config file, health port and workspaces root",
                       [](auto& s) -> auto& { return s.profile; }));
  t.push_back(text_key("launched_by", "MULTICA_LAUNCHED_BY", "launched-by",
                       "who started the daemon (the Multica desktop app sets \"desktop\"); told to the server",
                       [](auto& s) -> auto& { return s.launched_by; }));
  t.push_back(text_key("token", "", "", "bearer token for the server (prefer token_file); never logged",
                       [](auto& s) -> auto& { return s.token; }, true, true));
  t.push_back(path_key("token_file", "MULTICA_TOKEN_FILE", "token-file", "file whose first line is the token",
                       [](auto& s) -> auto& { return s.token_file; }));
  t.push_back(text_key("daemon_id", "MULTICA_DAEMON_ID", "daemon-id", "stable identity of this machine (default: host name)",
                       [](auto& s) -> auto& { return s.daemon_id; }, false));
  t.push_back(text_key("device_name", "MULTICA_DAEMON_DEVICE_NAME", "device-name", "name shown in the web app (default: host name)",
                       [](auto& s) -> auto& { return s.device_name; }, false));
  t.push_back(text_key("runtime_name", "MULTICA_AGENT_RUNTIME_NAME", "runtime-name", "runtime display name (default: \"Codex (<device_name>)\")",
                       [](auto& s) -> auto& { return s.runtime_name; }));
  t.push_back(path_key("workspaces_root", "MULTICA_WORKSPACES_ROOT", "workspaces-root", "where per-task directories live",
                       [](auto& s) -> auto& { return s.workspaces_root; }));
  t.push_back(path_key("state_dir", "MULTICA_STATE_DIR", "state-dir",
                       "the daemon's store: task journal, delivery outbox, local task queue",
                       [](auto& s) -> auto& { return s.state_dir; }));
  t.push_back(duration_key("poll_interval", "MULTICA_DAEMON_POLL_INTERVAL", "poll-interval", "how often to ask for tasks",
                           [](auto& s) -> auto& { return s.poll_interval; }, 100ms));
  t.push_back(duration_key("heartbeat_interval", "MULTICA_DAEMON_HEARTBEAT_INTERVAL", "heartbeat-interval",
                           "how often to tell the server this machine is alive (keep well under 45s)",
                           [](auto& s) -> auto& { return s.heartbeat_interval; }, 1s));
  t.push_back(duration_key("server_timeout", "MULTICA_SERVER_TIMEOUT", "server-timeout",
                           "longest one server request may take (connect, TLS, answer)",
                           [](auto& s) -> auto& { return s.server_timeout; }, 1s));
  t.push_back(limit_key("agent_timeout", "MULTICA_AGENT_TIMEOUT", "agent-timeout",
                        "longest a task's agent may run, however busy (0: no cap)",
                        [](auto& s) -> auto& { return s.agent_timeout; }));
  t.push_back(limit_key("agent_idle_watchdog", "MULTICA_AGENT_IDLE_WATCHDOG", "agent-idle-watchdog",
                        "stop a turn in which codex sent nothing for this long (0: off)",
                        [](auto& s) -> auto& { return s.agent_idle_watchdog; }));
  t.push_back(limit_key("agent_tool_watchdog", "MULTICA_AGENT_TOOL_WATCHDOG", "agent-tool-watchdog",
                        "the idle limit while a command or tool call runs (0: off)",
                        [](auto& s) -> auto& { return s.agent_tool_watchdog; }));
  t.push_back(limit_key("codex.semantic_inactivity_timeout", "MULTICA_CODEX_SEMANTIC_INACTIVITY_TIMEOUT",
                        "codex-semantic-inactivity-timeout",
                        "stop a turn that made no progress (only status and usage updates) for this long (0: off)",
                        [](auto& s) -> auto& { return s.codex_semantic_timeout; }));
  t.push_back(limit_key("codex.first_turn_timeout", "MULTICA_CODEX_FIRST_TURN_TIMEOUT", "codex-first-turn-timeout",
                        "stop a turn that started nothing (no item) this long after it began (0: off)",
                        [](auto& s) -> auto& { return s.codex_first_turn_timeout; }));
  t.push_back(duration_key("codex.turn_end_grace", "MULTICA_CODEX_TURN_END_GRACE", "codex-turn-end-grace",
                           "after a turn ends, how long codex may take to exit (its Stop hooks) before SIGTERM",
                           [](auto& s) -> auto& { return s.codex_turn_end_grace; }, duration{0}));
  t.push_back(int_key("max_concurrent_tasks", "MULTICA_DAEMON_MAX_CONCURRENT_TASKS", "max-concurrent-tasks",
                      "tasks run at once on this machine", [](auto& s) -> auto& { return s.max_concurrent_tasks; }, 1, 1000));
  t.push_back(int_key("health_port", "MULTICA_DAEMON_HEALTH_PORT", "health-port",
                      "loopback port of /health and /metrics; also the single-instance lock",
                      [](auto& s) -> auto& { return s.health_port; }, 1, 65535));
  t.push_back(bool_key("keep_env_after_task", "MULTICA_KEEP_ENV_AFTER_TASK", "keep-env-after-task",
                       "keep a task's directory after it ends instead of leaving it to GC",
                       [](auto& s) -> auto& { return s.keep_env_after_task; }));
  t.push_back(duration_key("shutdown_grace", "MULTICA_SHUTDOWN_GRACE", "shutdown-grace",
                           "how long running tasks may finish after SIGTERM",
                           [](auto& s) -> auto& { return s.shutdown_grace; }, duration{0}));
  t.push_back(bool_key("gc.enabled", "MULTICA_GC_ENABLED", "gc-enabled", "remove old task directories",
                       [](auto& s) -> auto& { return s.gc.enabled; }));
  t.push_back(duration_key("gc.interval", "MULTICA_GC_INTERVAL", "gc-interval", "how often GC runs",
                           [](auto& s) -> auto& { return s.gc.interval; }, 1s));
  t.push_back(duration_key("gc.ttl", "MULTICA_GC_TTL", "gc-ttl", "age after the issue is done before removal",
                           [](auto& s) -> auto& { return s.gc.ttl; }, duration{0}));
  t.push_back(duration_key("gc.orphan_ttl", "MULTICA_GC_ORPHAN_TTL", "gc-orphan-ttl",
                           "age before removing a directory without usable metadata",
                           [](auto& s) -> auto& { return s.gc.orphan_ttl; }, duration{0}));
  t.push_back(duration_key("gc.artifact_ttl", "MULTICA_GC_ARTIFACT_TTL", "gc-artifact-ttl",
                           "after a task ends, remove its regenerable output (node_modules, ...) this much later; 0: never by age",
                           [](auto& s) -> auto& { return s.gc.artifact_ttl; }, duration{0}));
  t.push_back(duration_key("gc.repo_cache_ttl", "MULTICA_GC_REPO_CACHE_TTL", "gc-repo-cache-ttl",
                           "remove a repository cache no checkout used for this long (0: never)",
                           [](auto& s) -> auto& { return s.gc.repo_cache_ttl; }, duration{0}));
  t.push_back(artifact_patterns_key());
  t.push_back(size_key("gc.max_size", "MULTICA_GC_MAX_SIZE", "gc-max-size",
                       "reclaim when the workspaces root holds more than this (e.g. 50GB; 0: no limit)",
                       [](auto& s) -> auto& { return s.gc.max_size; }));
  t.push_back(min_free_key());
  t.push_back(text_key("agents.codex.path", "MULTICA_CODEX_PATH", "codex-path", "the codex executable (name on PATH, or a path)",
                       [](auto& s) -> auto& { return s.codex_agent.path; }, false));
  t.push_back(text_key("agents.codex.model", "MULTICA_CODEX_MODEL", "codex-model", "model passed to Codex (empty: its default)",
                       [](auto& s) -> auto& { return s.codex_agent.model; }));
  t.push_back(choice_key<sc, 4>("codex.sandbox", "MULTICA_CODEX_SANDBOX", "codex-sandbox",
                                "auto (by platform and Codex version) or a forced mode",
                                [](auto& s) -> auto& { return s.codex.sandbox; },
                                {{{"auto", sc::automatic},
                                  {"read-only", sc::read_only},
                                  {"workspace-write", sc::workspace_write},
                                  {"danger-full-access", sc::danger_full_access}}}));
  t.push_back(bool_key("codex.network_access", "MULTICA_CODEX_NETWORK_ACCESS", "codex-network-access",
                       "network inside the workspace-write sandbox",
                       [](auto& s) -> auto& { return s.codex.network_access; }));
  t.push_back(bool_key("codex.allow_task_config", "MULTICA_CODEX_ALLOW_TASK_CONFIG", "codex-allow-task-config",
                       "let agents' custom_args pass any Codex argument (lets workspace members change the sandbox)",
                       [](auto& s) -> auto& { return s.codex.allow_task_config; }));
  t.push_back(bool_key("codex.multi_agent", "MULTICA_CODEX_MULTI_AGENT", "codex-multi-agent",
                       "let Codex start sub-agents in tasks (off: features.multi_agent = false in each task)",
                       [](auto& s) -> auto& { return s.codex.multi_agent; }));
  t.push_back(bool_key("codex.memory", "MULTICA_CODEX_MEMORY", "codex-memory",
                       "let Codex write and use memories in tasks (off: features.memories = false in each task)",
                       [](auto& s) -> auto& { return s.codex.memory; }));
  t.push_back(choice_key<approvals_choice, 2>(
      "codex.approvals", "MULTICA_CODEX_APPROVALS", "codex-approvals",
      "never (escalations refused) or auto-accept (every escalation runs, logged at WARN)",
      [](auto& s) -> auto& { return s.codex.approvals; },
      {{{"never", approvals_choice::never}, {"auto-accept", approvals_choice::auto_accept}}}));
  t.push_back(choice_key<std::string, 5>("log.level", "MULTICA_LOG_LEVEL", "log-level", "least severe level logged",
                                         [](auto& s) -> auto& { return s.log.level; },
                                         {{{"trace", "trace"}, {"debug", "debug"}, {"info", "info"},
                                           {"warn", "warn"}, {"error", "error"}}}));
  t.push_back(choice_key<log_format, 2>("log.format", "MULTICA_LOG_FORMAT", "log-format", "text or json (one object per line)",
                                        [](auto& s) -> auto& { return s.log.format; },
                                        {{{"text", log_format::text}, {"json", log_format::json}}}));
  t.push_back(path_key("log.file", "MULTICA_LOG_FILE", "log-file", "log to this file instead of standard error",
                       [](auto& s) -> auto& { return s.log.file; }));
  t.push_back(size_key("log.max_size", "MULTICA_LOG_MAX_SIZE", "log-max-size",
                       "rotate log.file past this size (e.g. 20MB; 0: never)", [](auto& s) -> auto& { return s.log.max_size; }));
  t.push_back(int_key("log.max_files", "MULTICA_LOG_MAX_FILES", "log-max-files", "rotated log files kept",
                      [](auto& s) -> auto& { return s.log.max_files; }, 1, 1000));
  t.push_back(metrics_listen_key());
  return t;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::optional<std::uint64_t> parse_size(std::string_view text) {
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || end == text.data()) return std::nullopt;
  auto unit = lower(std::string_view(end, static_cast<std::size_t>(text.data() + text.size() - end)));
  std::uint64_t scale = 0;
  if (unit.empty() || unit == "b") scale = 1;
  else if (unit == "kb" || unit == "kib" || unit == "k") scale = 1024;
  else if (unit == "mb" || unit == "mib" || unit == "m") scale = 1024 * 1024;
  else if (unit == "gb" || unit == "gib" || unit == "g") scale = 1024ULL * 1024 * 1024;
  else if (unit == "tb" || unit == "tib" || unit == "t") scale = 1024ULL * 1024 * 1024 * 1024;
  else return std::nullopt;
  if (n > UINT64_MAX / scale) return std::nullopt;
  return n * scale;
}

std::string format_size(std::uint64_t bytes) {
  const std::pair<std::uint64_t, const char*> units[] = {
      {1024ULL * 1024 * 1024 * 1024, "TB"}, {1024ULL * 1024 * 1024, "GB"}, {1024 * 1024, "MB"}, {1024, "KB"}};
  for (auto [scale, name] : units)
    if (bytes >= scale && bytes % scale == 0) return std::to_string(bytes / scale) + name;
  return std::to_string(bytes) + "B";
}

std::span<const key_spec> all_keys() {
  static const std::vector<key_spec> table = build_table();
  return table;
}

const key_spec* find_key(std::string_view name) {
  for (const auto& k : all_keys())
    if (k.name == name) return &k;
  return nullptr;
}

std::string_view suggest_key(std::string_view name) {
  std::string_view best;
  std::size_t best_distance = 4;
  for (const auto& k : all_keys()) {
    auto d = edit_distance(name, k.name);
    if (d < best_distance) { best = k.name; best_distance = d; }
  }
  return best;
}

std::string_view to_string(sandbox_choice c) {
  switch (c) {
    case sandbox_choice::automatic: return "auto";
    case sandbox_choice::read_only: return "read-only";
    case sandbox_choice::workspace_write: return "workspace-write";
    case sandbox_choice::danger_full_access: return "danger-full-access";
  }
  return "?";
}

std::string_view to_string(approvals_choice c) { return c == approvals_choice::never ? "never" : "auto-accept"; }
std::string_view to_string(log_format f) { return f == log_format::text ? "text" : "json"; }

}  // namespace multicad::config
