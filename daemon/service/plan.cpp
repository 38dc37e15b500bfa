#include "daemon/service/plan.hpp"

namespace multicad::service {
namespace fs = std::filesystem;

namespace {

constexpr auto file_mode = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read;
constexpr auto dir_mode = fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                          fs::perms::others_read | fs::perms::others_exec;

step write(const fs::path& path, std::string content, std::string why) {
  return {step::kind::write_file, path, std::move(content), file_mode, {}, false, std::move(why)};
}

step run(std::vector<std::string> argv, std::string why, bool may_fail = false) {
  return {step::kind::run, {}, {}, fs::perms::none, std::move(argv), may_fail, std::move(why)};
}

// systemctl [--user] <args>.
std::vector<std::string> systemctl(const target& t, std::initializer_list<std::string> args) {
  auto argv = t.systemctl();
  argv.insert(argv.end(), args);
  return argv;
}

// The system unit's user, with the home systemd's StateDirectory= also uses,
// so `sudo -u multicad -H codex login` works before the first start.
void add_service_user(std::vector<step>& steps) {
  std::string home(service_home), user(service_user);
  steps.push_back(run({"useradd", "--system", "--user-group", "--home-dir", home, "--no-create-home", "--shell",
                       "/usr/sbin/nologin", user},
                      "the system unit runs as the dedicated user " + user + ", which does not exist yet"));
  steps.push_back(run({"install", "-d", "-o", user, "-g", user, "-m", "0700", home},
                      "its home: ~/.codex, the daemon's state and (by default) the task workspaces"));
}

// The config may hold the server token. The system service's is readable by
// root and the service's group only, as the .deb sets it (dpkg-statoverride);
// a user service's by its user only.
void add_config(const install_inputs& in, std::vector<step>& steps) {
  const auto& t = in.where;
  bool system = t.platform == platform::linux && t.scope == scope::system;
  auto mode = fs::perms::owner_read | fs::perms::owner_write | (system ? fs::perms::group_read : fs::perms::none);
  steps.push_back({step::kind::write_file, in.config_file, *in.new_config, mode, {}, false,
                   "no config file yet: the example, where every value is the default"});
  if (system)
    steps.push_back(run({"chgrp", std::string(service_user), in.config_file.string()},
                        "readable by the service's group; the file may hold the token"));
}

void add_activation(const install_inputs& in, bool fresh, std::vector<step>& steps) {
  const auto& t = in.where;
  if (t.platform == platform::darwin) {
    if (!fresh)
      steps.push_back(run({"launchctl", "bootout", t.launchd_service()},
                          "unload the old definition (waits for the daemon to drain)", true));
    steps.push_back(run({"launchctl", "bootstrap", t.launchd_domain(), t.unit_file.string()},
                        "load it; RunAtLoad starts the daemon now and at every login"));
    return;
  }
  steps.push_back(run(systemctl(t, {"daemon-reload"}),
                      "make systemd read the new unit file"));
  if (fresh) {
    steps.push_back(run(systemctl(t, {"enable", "--now", t.unit_name}),
                        "start it at boot (or login) and now"));
  } else {
    steps.push_back(run(systemctl(t, {"enable", t.unit_name}),
                        "start it at boot (or login)"));
    steps.push_back(run(systemctl(t, {"restart", t.unit_name}),
                        "the unit changed: restart so it takes effect (the daemon drains first)"));
  }
}

}  // namespace

std::string_view to_string(verdict v) {
  switch (v) {
    case verdict::fresh: return "installed";
    case verdict::changed: return "updated";
    case verdict::unchanged: return "unchanged";
    case verdict::removed: return "removed";
    case verdict::absent: return "not installed";
  }
  return "?";
}

plan plan_install(const install_inputs& in) {
  plan p;
  if (in.create_service_user) add_service_user(p.steps);
  if (in.new_config) add_config(in, p.steps);
  for (const auto& d : in.dirs)
    p.steps.push_back({step::kind::make_dir, d, {}, dir_mode, {}, false, "the service writes here"});

  if (in.current_text && *in.current_text == in.unit_text) {
    p.verdict = verdict::unchanged;
    // Converge without a restart: enable --now does nothing to a running unit.
    if (in.where.platform == platform::linux)
      p.steps.push_back(run(systemctl(in.where, {"enable", "--now", in.where.unit_name}),
                            "unit unchanged: make sure it is enabled and running (no restart)"));
    return p;
  }
  p.verdict = in.current_text ? verdict::changed : verdict::fresh;
  p.steps.push_back(write(in.where.unit_file, in.unit_text,
                          in.current_text ? "the unit differs from this one: replace it atomically" : "the service definition"));
  add_activation(in, !in.current_text, p.steps);
  return p;
}

plan plan_uninstall(const target& where, bool unit_present) {
  plan p;
  if (!unit_present) {
    p.verdict = verdict::absent;
    return p;
  }
  p.verdict = verdict::removed;
  if (where.platform == platform::darwin) {
    p.steps.push_back(run({"launchctl", "bootout", where.launchd_service()},
                          "stop it (the daemon drains first) and unload it", true));
    p.steps.push_back({step::kind::remove_file, where.unit_file, {}, fs::perms::none, {}, false, "the service definition"});
    return p;
  }
  p.steps.push_back(run(systemctl(where, {"disable", "--now", where.unit_name}),
                        "stop it (the daemon drains first) and do not start it at boot"));
  p.steps.push_back({step::kind::remove_file, where.unit_file, {}, fs::perms::none, {}, false, "the unit file"});
  p.steps.push_back(run(systemctl(where, {"daemon-reload"}),
                        "make systemd forget the unit"));
  return p;
}

}  // namespace multicad::service
