#include "daemon/cli/doctor_checks.hpp"

#include <sys/statvfs.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <fstream>

#include "daemon/auth/token.hpp"
#include "daemon/net/server_client.hpp"
#include "config/disk_values.hpp"
#include "daemon/version.hpp"
#include "execenv/disk_walk.hpp"

namespace multicad::cli {
namespace fs = std::filesystem;
namespace asio = boost::asio;

check config_check(const config::loaded_settings& l) {
  check c{"config", verdict::pass, l.file ? "loaded " + l.file->string() : "no config file; defaults and environment", ""};
  // Which layer chose the server (the Multica CLI's own config counts, agent-toolbox.md §10).
  const auto& server = l.origins.at("server_url");
  c.found += l.values.server_url.empty() ? "; no server_url anywhere: local mode"
                                         : "; server_url from " + server.describe();
  if (!l.warnings.empty()) {
    c.status = verdict::warn;
    for (const auto& w : l.warnings) c.action += (c.action.empty() ? "" : " ") + w;
  }
  return c;
}

namespace {

// One list_workspaces call with a short limit and no retries.
net::api_result<std::vector<proto::server::workspace>> ask_server(const std::string& url, const std::string& token) {
  asio::io_context io;
  net::client_options o;
  o.request_timeout = std::chrono::seconds(10);
  o.retries = net::retry_policy::none();
  o.user_agent = std::string("multicad-doctor/") + multicad_version;
  net::server_client client(io.get_executor(), url, token, o);
  std::optional<net::api_result<std::vector<proto::server::workspace>>> out;
  // An exception is rethrown out of io.run(): doctor reports it, never reads an empty `out`.
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { out = co_await client.list_workspaces(); },
                 [](std::exception_ptr e) { if (e) std::rethrow_exception(e); });
  io.run();
  return std::move(*out);
}

}  // namespace

check disk_check(const config::settings& s) {
  // Below a gigabyte a task's checkout and Codex home may not fit at all,
  // whatever gc.min_free says.
  constexpr std::uint64_t hard_floor = 1024ULL * 1024 * 1024;
  auto space = execenv::space_of(s.workspaces_root);
  if (!space) return {"disk", verdict::warn, "cannot read the free space of " + s.workspaces_root.string(), ""};
  auto floor = std::max(hard_floor, s.gc.min_free.of(space->total));
  auto found = config::human_size(space->free) + " free of " + config::human_size(space->total) +
               " on the file system of " + s.workspaces_root.string() + " (gc.min_free " +
               config::format_space_floor(s.gc.min_free) + ")";
  if (space->free >= floor) return {"disk", verdict::pass, found, ""};
  return {"disk", verdict::warn, found,
          "free space is low: a running daemon reclaims finished task folders in order until gc.min_free is met "
          "(docs/operations.md, Disk); `multicad disk-usage` shows what the root holds; free space elsewhere or "
          "lower gc.min_free"};
}

std::vector<check> server_checks(const config::settings& s) {
  if (s.server_url.empty()) return {{"server", verdict::pass, "no server_url: the daemon runs the embedded local mode", ""}};
  auto in = config::process_inputs();
  auto token = auth::resolve_token(s, in.home, in.getenv);
  if (!token) return {{"server", verdict::warn, s.server_url + " not asked: no token", ""},
                      {"token", verdict::fail, token.error().message, "set token_file, MULTICA_TOKEN, or run `multica login`"}};
  auto r = ask_server(s.server_url, token->token);
  if (r) return {{"server", verdict::pass, s.server_url + " reachable", ""},
                 {"token", verdict::pass, "accepted (from " + token->source + "); " + std::to_string(r->size()) + " workspace(s)",
                  r->empty() ? "add the token's user to a workspace" : ""}};
  const auto& e = r.error();
  if (e.unauthorized())
    return {{"server", verdict::pass, s.server_url + " reachable", ""},
            {"token", verdict::fail, "rejected (from " + token->source + "): " + e.message,
             "the token is wrong, expired or revoked: create a new one (`multica login`)"}};
  bool tls = e.message.find("certificate") != std::string::npos || e.message.find("SSL") != std::string::npos ||
             e.message.find("handshake") != std::string::npos;
  return {{"server", verdict::fail, e.to_string(),
           tls ? "TLS verification failed: check the server's certificate chain and this machine's CA store"
               : "check server_url, DNS, proxies and that the server is up"},
          {"token", verdict::warn, "not checked: the server did not answer", ""}};
}

check codex_check(const agent::discovery& d) {
  const auto& req = agent::codex_requirement();
  if (!d.found)
    return {"codex", verdict::fail, "no executable \"" + d.configured + "\" found",
            "install it with npm install -g @openai/codex, or set agents.codex.path (MULTICA_CODEX_PATH)"};
  const auto& f = *d.found;
  if (!f.usable) return {"codex", verdict::fail, f.path.string() + ": " + f.problem, req.upgrade_hint};
  if (*f.version > req.newest_tested)
    // Used all the same: a newer Codex usually works, and when it does not
    // the task fails naming the version (never a silent wait).
    return {"codex", verdict::warn,
            f.path.string() + " version " + f.version->to_string() + " is newer than the newest tested " +
                req.newest_tested.to_string(),
            "tasks still run; if they fail with \"codex " + f.version->to_string() +
                ": ... supported: ...\", install the tested release: npm install -g @openai/codex@" +
                req.newest_tested.to_string() + " (docs/codex-compatibility.md, docs/troubleshooting.md)"};
  return {"codex", verdict::pass,
          f.path.string() + " version " + f.version->to_string() + " (minimum " + req.minimum.to_string() + ")", ""};
}

check codex_home_check(const fs::path& home) {
  std::error_code ec;
  if (!fs::is_directory(home, ec))
    return {"codex login", verdict::warn, home.string() + " does not exist",
            "run `codex login` as the user the daemon runs as, or configure a model provider in config.toml"};
  if (!fs::exists(home / "auth.json", ec))
    return {"codex login", verdict::warn, "no auth.json in " + home.string(),
            "run `codex login` unless config.toml configures a model provider with its own key"};
  return {"codex login", verdict::pass, "auth.json present in " + home.string(), ""};
}

check sandbox_policy_check(const execenv::sandbox_policy& p) {
  check c{"sandbox", verdict::pass, p.reason, ""};
  if (p.darwin_fallback) {
    c.status = verdict::warn;
    c.action = "tasks run without a sandbox; set codex.network_access = false to keep workspace-write, or upgrade "
               "Codex once a release fixes macOS network_access (docs/codex-sandbox.md)";
  }
  return c;
}

check sandbox_runs_check(const agent::discovery& d, const execenv::sandbox_policy& p, const fs::path& scratch) {
  if (!d.usable()) return {"sandbox runs", verdict::warn, "not checked: no usable codex", ""};
  if (p.mode == execenv::sandbox_mode::danger_full_access)
    return {"sandbox runs", verdict::pass, "not used: the policy is danger-full-access", ""};
  std::error_code ec;
  fs::create_directories(scratch / "codex-home", ec);
  auto outside = fs::path("/var/tmp") / ("multicad-doctor-" + std::to_string(::getpid()));
  std::vector<std::string> env{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + scratch.string(),
                               "CODEX_HOME=" + (scratch / "codex-home").string(), "NO_COLOR=1"};
  auto out = agent::run_bounded(d.found->path,
                                {"sandbox", "-c", "sandbox_mode=\"" + std::string(execenv::to_string(p.mode)) + "\"", "--",
                                 "/bin/sh", "-c", "echo sandbox-ok; touch " + outside.string() + " 2>/dev/null && echo escaped || echo write-blocked"},
                                std::chrono::seconds(60), &env);
  fs::remove(outside, ec);
  // Codex 0.171 will not put its helper links (codex-linux-sandbox and the
  // like) under a temporary folder; bwrap then cannot find the helper, which
  // reads like a bubblewrap problem but is not one.
  if (out.stdout_text.find("sandbox-ok") == std::string::npos &&
      out.stderr_text.find("Refusing to create helper binaries under temporary dir") != std::string::npos)
    return {"sandbox runs", verdict::fail,
            "Codex refused to create its helper links under a temporary folder (CODEX_HOME " +
                (scratch / "codex-home").string() + "), so its sandbox could not start a command",
            "keep state_dir and workspaces_root out of /tmp (and $TMPDIR): each task's CODEX_HOME lives in them; "
            "the defaults (~/.local/state/multicad, ~/multica_workspaces) are fine"};
  if (out.stdout_text.find("sandbox-ok") == std::string::npos)
    return {"sandbox runs", verdict::fail,
            "`codex sandbox` could not run a command: " + (out.failure.empty() ? out.stderr_text.substr(0, 300) : out.failure),
            "Linux: install bubblewrap and allow unprivileged user namespaces (kernel.unprivileged_userns_clone=1, "
            "AppArmor restrict_unprivileged_userns=0); otherwise tasks fail when they run commands"};
  if (out.stdout_text.find("escaped") != std::string::npos)
    return {"sandbox runs", verdict::warn, "a sandboxed command could write outside the workspace (" + outside.string() + ")",
            "this host's sandbox does not confine writes; treat agents as running unsandboxed"};
  return {"sandbox runs", verdict::pass, "Codex's sandbox runs commands here and blocks writes outside the workspace", ""};
}

bool under_temp_folder(const fs::path& p) {
  std::error_code ec;
  auto normal = fs::absolute(p, ec).lexically_normal();
  for (fs::path tmp : {fs::temp_directory_path(ec), fs::path("/tmp")}) {
    if (tmp.empty()) continue;
    tmp = tmp.lexically_normal();
    auto rel = normal.lexically_relative(tmp);
    if (!rel.empty() && *rel.begin() != "..") return true;
  }
  return false;
}

check workspaces_check(const fs::path& root) {
  std::error_code ec;
  fs::path probe = root;
  while (!probe.empty() && !fs::exists(probe, ec)) probe = probe.parent_path();
  if (probe.empty()) return {"workspaces", verdict::fail, "no existing parent of " + root.string(), "set workspaces_root"};
  if (::access(probe.c_str(), W_OK) != 0)
    return {"workspaces", verdict::fail, probe.string() + " is not writable by this user",
            "fix its permissions or set workspaces_root (MULTICA_WORKSPACES_ROOT) elsewhere"};
  struct statvfs vfs{};
  if (::statvfs(probe.c_str(), &vfs) != 0) return {"workspaces", verdict::warn, "cannot read free space of " + probe.string(), ""};
  auto free_gib = static_cast<double>(vfs.f_bavail) * vfs.f_frsize / (1024.0 * 1024 * 1024);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f GiB free", free_gib);
  // Whether the free space is enough is disk_check's question (gc.min_free).
  check c{"workspaces", verdict::pass, root.string() + " writable, " + buf, ""};
  if (under_temp_folder(root)) {
    c.status = verdict::warn;
    c.found += "; under a temporary folder";
    c.action = "Codex refuses to create its helper links under a temporary folder, so sandboxed commands of tasks "
               "here fail: set workspaces_root outside /tmp (the default is ~/multica_workspaces)";
  }
  return c;
}

}  // namespace multicad::cli
