// The individual checks of `multicad doctor`. Each says PASS/WARN/FAIL,
// what it found and what to do. Blocking (processes, network with short
// limits): for the CLI only.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "config/loader.hpp"
#include "daemon/agent/discovery.hpp"
#include "execenv/sandbox_policy.hpp"

namespace multicad::cli {

enum class verdict { pass, warn, fail };

struct check {
  std::string name;
  verdict status = verdict::pass;
  std::string found;
  std::string action;  // empty when nothing to do
};

check config_check(const config::loaded_settings& l);
// Server reachable (TLS verified) and token accepted: two checks, or one
// "server" PASS in local mode.
std::vector<check> server_checks(const config::settings& s);
check codex_check(const agent::discovery& d);
check codex_home_check(const std::filesystem::path& home);
check sandbox_policy_check(const execenv::sandbox_policy& p);
// Runs a harmless command in Codex's own sandbox and checks it ran and could
// not write outside the workspace.
check sandbox_runs_check(const agent::discovery& d, const execenv::sandbox_policy& p, const std::filesystem::path& scratch);
check workspaces_check(const std::filesystem::path& root);
// Free space on the workspaces root's file system against gc.min_free (at least 1 GiB).
check disk_check(const config::settings& s);
// Whether `p` is under the temporary folder ($TMPDIR, else /tmp), where Codex
// refuses to create the helper links its sandbox needs.
bool under_temp_folder(const std::filesystem::path& p);
// Free, or which process holds it.
check port_check(int port);
// Which `multica` agents get, that it runs, that the sandbox can reach the
// daemon's endpoint and that a running daemon forwards (doctor_toolbox.cpp).
check toolbox_check(const config::settings& s, const execenv::sandbox_policy& p);

}  // namespace multicad::cli
