#include "daemon/service/service_spec.hpp"

#include <algorithm>
#include <stdexcept>

#include "config/loader.hpp"
#include "daemon/service/command_runner.hpp"

namespace multicad::service {
namespace fs = std::filesystem;

void throw_exception_from_error(const spec_error& e, const boost::source_location&) {
  throw std::runtime_error(e.message);
}

namespace {

// systemd's PATH for system services (systemd.exec(5), "Environment variables").
constexpr std::string_view systemd_default_path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

bool is_under(const fs::path& path, const fs::path& dir) {
  auto p = path.lexically_normal(), d = dir.lexically_normal();
  auto [end, _] = std::mismatch(d.begin(), d.end(), p.begin(), p.end());
  return end == d.end() || (std::next(end) == d.end() && end->empty());  // "a/b/" ends in an empty element
}

bool hidden_by_protect_home(const fs::path& p) {
  return is_under(p, "/home") || is_under(p, "/root") || is_under(p, "/run/user");
}

void add_unique(std::vector<fs::path>& list, const fs::path& p) {
  if (!p.empty() && std::find(list.begin(), list.end(), p) == list.end()) list.push_back(p);
}

// The environment the service will have: the system unit's user has none of
// the installer's variables; a user service has the installer's minus the
// MULTICA_* settings, which live in the config file, not the unit.
std::function<std::optional<std::string>(const std::string&)> service_getenv(scope s, const host_facts& facts) {
  if (s == scope::system && facts.platform == platform::linux)
    return [](const std::string& name) -> std::optional<std::string> {
      if (name == "STATE_DIRECTORY") return std::string(service_home);
      return std::nullopt;
    };
  return [get = facts.getenv](const std::string& name) -> std::optional<std::string> {
    if (name.starts_with("MULTICA_") || name == "STATE_DIRECTORY" || !get) return std::nullopt;
    return get(name);
  };
}

boost::system::result<config::settings, spec_error> load_service_settings(scope s, const host_facts& facts,
                                                                           const fs::path& root,
                                                                           const fs::path& config_file, bool exists) {
  config::load_inputs in;
  if (exists) in.config_file = rooted(root, config_file);
  in.getenv = service_getenv(s, facts);
  in.home = s == scope::system && facts.platform == platform::linux ? fs::path(service_home) : facts.home;
  in.cwd = "/";
  // Without a file (it is about to be created from the example, which holds
  // the defaults) nothing else may be found either.
  in.system_config_dir = rooted(root, "/nonexistent/multicad");
  if (!exists) in.getenv = [get = in.getenv](const std::string& n) {
    return n == "XDG_CONFIG_HOME" ? std::optional<std::string>(fs::path("/nonexistent").string()) : get(n);
  };
  auto loaded = config::load(in);
  if (!loaded)
    return spec_error{"the service's configuration is invalid: " + loaded.error().to_string(),
                      "fix " + config_file.string() + " and install again; with an invalid configuration the daemon "
                      "exits with status 2, which the service manager does not restart"};
  return loaded->values;
}

// log.file in a folder below /var/log: LogsDirectory= creates that folder
// (unit_text.hpp) and makes it writable.
bool in_logs_directory(const fs::path& log_file) {
  auto dir = log_file.lexically_normal().parent_path();
  return is_under(dir, "/var/log") && dir != fs::path("/var/log");
}

// The system unit sees a read-only file system (ProtectSystem=strict) except
// its state directory, LogsDirectory= and these.
std::vector<fs::path> writable_paths(const config::settings& s) {
  std::vector<fs::path> out;
  add_unique(out, s.workspaces_root);
  if (!is_under(s.state_dir, service_home)) add_unique(out, s.state_dir);
  if (!s.log.file.empty() && !is_under(s.log.file, service_home) && !in_logs_directory(s.log.file))
    add_unique(out, s.log.file.parent_path());
  return out;
}

std::vector<fs::path> path_dirs(const host_facts& facts, const config::settings& s) {
  std::vector<fs::path> usual{"/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"};
  if (facts.platform == platform::darwin) usual.insert(usual.begin(), "/opt/homebrew/bin");
  else usual.insert(usual.begin(), facts.home / ".local/bin");
  // First where codex is now, and npm's global bin (beside npm unless its
  // prefix was changed), so codex and the node that runs it are found the same
  // way; a folder already among the usual ones keeps its usual place.
  std::vector<fs::path> out;
  for (auto found : {find_executable(s.codex_agent.path, facts.path_env), find_executable("npm", facts.path_env)})
    if (found && std::find(usual.begin(), usual.end(), found->parent_path()) == usual.end())
      add_unique(out, found->parent_path());
  for (const auto& d : usual) add_unique(out, d);
  return out;
}

void add_system_notes(const config::settings& s, const host_facts& facts, const fs::path& root,
                      std::vector<std::string>& notes) {
  for (const auto& p : writable_paths(s))
    if (hidden_by_protect_home(p))
      notes.push_back(p.string() + " is under /home, /root or /run/user, which the system unit hides (ProtectHome=yes): "
                      "move workspaces_root, state_dir or log.file elsewhere, e.g. under /var/lib/multicad or /srv");
  if (hidden_by_protect_home(facts.binary))
    notes.push_back("the unit runs " + facts.binary.string() + ", which the system unit cannot see (ProtectHome=yes): "
                    "install the binary first (packaging/install.sh, or install -m 755 it to /usr/local/bin) and run "
                    "that copy's `service install`");
  if (!s.log.file.empty() && s.log.file.lexically_normal().parent_path() == fs::path("/var/log"))
    notes.push_back("log.file " + s.log.file.string() + " is directly in /var/log, where the service user cannot create "
                    "files: use a folder of its own, e.g. /var/log/multicad/multicad.log (the unit then creates it)");
  const auto& codex = s.codex_agent.path;
  if (codex.find('/') == std::string::npos && !find_executable(codex, systemd_default_path))
    notes.push_back("the service's PATH (" + std::string(systemd_default_path) + ") has no `" + codex +
                    "`: install it system-wide (sudo npm install -g @openai/codex) or set agents.codex.path");
  else if (hidden_by_protect_home(codex))
    notes.push_back("agents.codex.path " + codex + " is hidden from the system unit (ProtectHome=yes): install codex system-wide");
  if (!fs::exists(rooted(root, fs::path(service_home) / ".codex/auth.json")))
    notes.push_back("Codex signs in as the service's user: sudo -u multicad -H codex login (or configure a model "
                    "provider with its own key in the config file)");
}

}  // namespace

fs::path rooted(const fs::path& root, const fs::path& path) {
  if (root.empty() || root == "/") return path;
  return root / path.relative_path();
}

fs::path choose_config_file(scope s, const host_facts& facts, const fs::path& root) {
  if (facts.config_flag) return *facts.config_flag;
  const fs::path system_file = "/etc/multicad/config.toml";
  if (s == scope::system && facts.platform == platform::linux) return system_file;
  fs::path user_file = (facts.xdg_config_home.empty() ? facts.home / ".config" : facts.xdg_config_home) /
                       "multicad/config.toml";
  // The same search as config::find_config_file, under `root`.
  std::error_code ec;
  for (const auto& candidate : {user_file, system_file})
    if (fs::is_regular_file(rooted(root, candidate), ec)) return candidate;
  return user_file;
}

boost::system::result<service_spec, spec_error> resolve_spec(scope s, const host_facts& facts, const fs::path& root) {
  if (facts.platform == platform::darwin && s == scope::system)
    return spec_error{"macOS: multicad installs as a LaunchAgent of your login session, not a system LaunchDaemon",
                      "use --user (the default on macOS)"};
  service_spec spec;
  spec.where = make_target(facts.platform, s, facts.home, facts.xdg_config_home, facts.uid);
  spec.config_file = choose_config_file(s, facts, root);
  std::error_code ec;
  spec.create_config = !fs::exists(rooted(root, spec.config_file), ec);
  if (spec.create_config && facts.config_flag)
    return spec_error{"--config " + spec.config_file.string() + " does not exist",
                      "create it (config/multicad.example.toml is a start), or leave --config out to use the default"};
  auto settings = load_service_settings(s, facts, root, spec.config_file, !spec.create_config);
  if (!settings) return settings.error();

  spec.unit.binary = facts.binary;
  spec.unit.config_file = spec.config_file;
  spec.unit.stop_timeout = stop_timeout_for(settings->shutdown_grace);
  spec.unit.log_dir = facts.home / "Library/Logs/multicad";
  if (spec.where.platform == platform::linux && s == scope::system) {
    spec.unit.writable = writable_paths(*settings);
    spec.unit.log_file = settings->log.file;
    add_system_notes(*settings, facts, root, spec.notes);
  } else {
    spec.unit.path_dirs = path_dirs(facts, *settings);
  }
  if (spec.where.platform == platform::linux && s == scope::user)
    spec.notes.push_back("a user service runs while you are logged in; to keep it running without a session and start "
                         "it at boot: sudo loginctl enable-linger $USER");
  return spec;
}

}  // namespace multicad::service
