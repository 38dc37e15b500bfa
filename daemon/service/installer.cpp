#include "daemon/service/installer.hpp"

#include <algorithm>

#include "execenv/atomic_file.hpp"

namespace multicad::service {
namespace fs = std::filesystem;

namespace {

// Where the .deb puts its unit; `service install --system` writes
// /etc/systemd/system, which takes precedence over these.
const fs::path packaged_units[] = {"/lib/systemd/system/multicad.service", "/usr/lib/systemd/system/multicad.service"};

std::string contains_any(const std::string& text, std::initializer_list<const char*> needles) {
  for (const char* n : needles)
    if (text.find(n) != std::string::npos) return n;
  return "";
}

std::string not_found_hint(const std::string& program) {
  if (program == "systemctl")
    return "systemctl not found: this system does not use systemd; run `multicad run` under your init system";
  if (program == "launchctl") return "launchctl not found: launchd services exist only on macOS";
  if (program == "useradd")
    return "useradd not found: create the system user multicad (home /var/lib/multicad) by hand, then install again";
  return program + " not found on PATH";
}

std::string failure_hint(const std::vector<std::string>& argv, const std::string& output, const target& t,
                         const std::string& logs) {
  if (!contains_any(output, {"not been booted with systemd", "System has not been booted"}).empty())
    return not_found_hint("systemctl");
  if (t.scope == scope::user && !contains_any(output, {"Failed to connect to bus", "XDG_RUNTIME_DIR"}).empty())
    return "no systemd user manager for this session: log in directly (console or ssh, not su or sudo), "
           "or install the system service instead: sudo multicad service install --system";
  if (!contains_any(output, {"Access denied", "Interactive authentication required", "Permission denied"}).empty())
    return "run it as root (sudo)";
  bool starts = std::find(argv.begin(), argv.end(), "--now") != argv.end() ||
                std::find(argv.begin(), argv.end(), "restart") != argv.end();
  if (starts && t.platform == platform::linux)
    return "the daemon did not start: see why with `" + std::string(t.scope == scope::user ? "systemctl --user" : "systemctl") +
           " status multicad` and `" + logs + "`";
  if (t.platform == platform::darwin && std::find(argv.begin(), argv.end(), "bootstrap") != argv.end())
    return "see `launchctl print " + t.launchd_service() + "` and " + logs +
           "; error 5 usually means it is already loaded: `multicad service uninstall`, then install again";
  return "run the command by hand to see more";
}

// One step; a failure says what and what to do. A tolerated command failure
// becomes a note.
std::optional<failure> carry_out(const step& s, const options& opt, command_runner& runner, report& r) {
  std::error_code ec;
  auto path = rooted(opt.root, s.path);
  switch (s.what) {
    case step::kind::make_dir:
      if (!fs::exists(path, ec) && fs::create_directories(path, ec)) fs::permissions(path, s.mode, ec);
      if (ec) return failure{"cannot create " + s.path.string() + ": " + ec.message(), "", "check its parent's permissions"};
      return std::nullopt;
    case step::kind::write_file: {
      fs::create_directories(path.parent_path(), ec);  // ~/.config/systemd/user may not exist yet
      auto written = execenv::write_file_atomically(path, s.content, s.mode);
      if (!written)
        return failure{"cannot write " + s.path.string() + ": " + written.error().message, "",
                       opt.scope == scope::system ? "run it as root: sudo multicad service install --system"
                                                  : "check the folder's permissions"};
      return std::nullopt;
    }
    case step::kind::remove_file:
      fs::remove(path, ec);
      if (ec) return failure{"cannot remove " + s.path.string() + ": " + ec.message(), "", "remove it by hand"};
      return std::nullopt;
    case step::kind::run: break;
  }
  auto out = runner.run(s.argv);
  auto shown = "`" + display_command(s.argv) + "`";
  if (out.not_found) return failure{shown + " could not run", "", not_found_hint(s.argv.at(0))};
  if (out.ok()) return std::nullopt;
  auto what = out.timed_out ? shown + " did not finish in time and was killed"
                            : shown + " failed (exit status " + std::to_string(out.exit_status) + ")";
  if (s.may_fail) {
    r.notes.push_back(what + ", which is fine here (" + s.why + ")");
    return std::nullopt;
  }
  return failure{what, out.output, failure_hint(s.argv, out.output, r.where, r.logs_command)};
}

// What must hold before anything is changed on a real host.
std::optional<failure> precondition(const host_facts& facts, scope sc) {
  if (facts.platform != platform::linux) return std::nullopt;
  if (!facts.systemd_running)
    return failure{"systemd is not running on this machine (no /run/systemd/system); nothing was changed", "",
                   "run `multicad run` under your init system (or as a container's main process); "
                   "add --dry-run to see the unit that would be installed"};
  if (sc == scope::system && !facts.is_root)
    return failure{"the system service is installed by root; nothing was changed", "",
                   "sudo " + facts.binary.string() + " service <command> --system, or --user for a service of your own"};
  return std::nullopt;
}

report start_report(const char* action, const host_facts& facts, const options& opt) {
  report r;
  r.action = action;
  r.dry_run = opt.dry_run;
  auto sc = facts.platform == platform::darwin ? scope::user : opt.scope;
  r.where = make_target(facts.platform, sc, facts.home, facts.xdg_config_home, facts.uid);
  r.logs_command = r.where.logs_command(facts.home);
  return r;
}

// The .deb's unit, when it is exactly what would be written, stays the one
// systemd uses: a copy in /etc/systemd/system would only shadow it at the
// next upgrade.
void adopt_packaged_unit(const options& opt, install_inputs& in, report& r) {
  if (in.where.platform != platform::linux || in.where.scope != scope::system) return;
  for (const auto& packaged : packaged_units) {
    auto text = execenv::read_file(rooted(opt.root, packaged));
    if (!text || *text != in.unit_text) continue;
    in.current_text = *text;
    in.where.unit_file = packaged;
    r.where.unit_file = packaged;
    r.notes.push_back("the multicad package's unit is already this one; it is used as it is");
    return;
  }
}

bool fail(report& r, failure f, int exit_status) {
  r.error = std::move(f);
  r.exit_status = exit_status;
  return false;
}

// Whether the unit on disk is what `install` would write now.
std::string unit_file_freshness(const host_facts& facts, const options& opt, const target& where) {
  auto spec = resolve_spec(where.scope, facts, opt.root);
  if (!spec) return "cannot tell whether it is current: " + spec.error().message;
  auto current = execenv::read_file(rooted(opt.root, where.unit_file));
  if (!current) return "differs from what `multicad service install` would write now; run it to update";
  auto unit = spec->unit;
  for (bool background : {false, true}) {  // installed with or without --background
    unit.background = background;
    if (*current == render_unit(spec->where, unit)) return "up to date";
  }
  return "differs from what `multicad service install` would write now; run it to update";
}

// systemctl show or launchctl print, parsed into r.state. False (with
// r.error) when the manager could not be asked.
bool ask_manager(report& r, command_runner& runner) {
  const auto& t = r.where;
  if (t.platform == platform::darwin) {
    auto out = runner.run({"launchctl", "print", t.launchd_service()});
    if (out.not_found) return fail(r, {"`launchctl` could not run", "", not_found_hint("launchctl")}, 1);
    r.state = out.ok() ? parse_launchctl_print(out.output) : unit_state{"not loaded", "", "not loaded", 0, ""};
    return true;
  }
  auto argv = t.systemctl();
  argv.push_back("show");
  for (auto& p : systemctl_show_properties()) argv.push_back(std::move(p));
  argv.push_back(t.unit_name);
  auto out = runner.run(argv);
  if (out.not_found) return fail(r, {"`systemctl` could not run", "", not_found_hint("systemctl")}, 1);
  if (!out.ok())
    return fail(r, {"`" + display_command(argv) + "` failed (exit status " + std::to_string(out.exit_status) + ")",
                    out.output, failure_hint(argv, out.output, t, r.logs_command)}, 1);
  r.state = parse_systemctl_show(out.output);
  return true;
}

}  // namespace

bool apply(const std::vector<step>& steps, const options& opt, command_runner& runner, report& r) {
  for (const auto& s : steps) {
    if (auto f = carry_out(s, opt, runner, r)) return fail(r, std::move(*f), 1);
    r.steps.push_back(s);
  }
  return true;
}

namespace {
// Runs the planned steps, unless what must hold first on this host (systemd
// running, root for a system service) does not: then nothing changes.
void run_on_host(const std::vector<step>& steps, const host_facts& facts, const options& opt, command_runner& runner,
                 report& r) {
  if (auto f = precondition(facts, opt.scope)) {
    fail(r, std::move(*f), 1);
    return;
  }
  apply(steps, opt, runner, r);
}
}  // namespace

report install(const host_facts& facts, const options& opt, command_runner& runner) {
  auto r = start_report("install", facts, opt);
  auto spec = resolve_spec(opt.scope, facts, opt.root);
  if (!spec) {
    fail(r, {spec.error().message, "", spec.error().hint}, 2);
    return r;
  }
  r.where = spec->where;
  r.config_file = spec->config_file;
  r.notes = spec->notes;
  spec->unit.background = opt.background;
  if (opt.background && facts.platform != platform::darwin)
    r.notes.push_back("--background only changes the macOS LaunchAgent; ignored here");
  install_inputs in{spec->where, render_unit(spec->where, spec->unit), std::nullopt, spec->config_file};
  if (auto current = execenv::read_file(rooted(opt.root, spec->where.unit_file)); current) in.current_text = *current;
  else adopt_packaged_unit(opt, in, r);
  if (spec->create_config) in.new_config = std::string(example_config());
  in.create_service_user = facts.platform == platform::linux && opt.scope == scope::system && !facts.service_user_exists;
  if (facts.platform == platform::darwin) in.dirs.push_back(spec->unit.log_dir);
  auto p = plan_install(in);
  r.verdict = p.verdict;
  if (opt.dry_run) {
    r.steps = std::move(p.steps);
    if (auto f = precondition(facts, opt.scope)) r.notes.push_back("a real install would stop here: " + f->message);
    return r;
  }
  run_on_host(p.steps, facts, opt, runner, r);
  return r;
}

report uninstall(const host_facts& facts, const options& opt, command_runner& runner) {
  auto r = start_report("uninstall", facts, opt);
  if (facts.platform == platform::darwin && opt.scope == scope::system) {
    fail(r, {"macOS: there is no system LaunchDaemon to remove", "", "use --user"}, 2);
    return r;
  }
  std::error_code ec;
  bool present = fs::exists(rooted(opt.root, r.where.unit_file), ec);
  auto p = plan_uninstall(r.where, present);
  r.verdict = p.verdict;
  if (!present && r.where.platform == platform::linux && r.where.scope == scope::system)
    for (const auto& packaged : packaged_units)
      if (fs::exists(rooted(opt.root, packaged), ec))
        r.notes.push_back(packaged.string() + " comes from the multicad package: sudo apt remove multicad");
  if (present)
    r.notes.push_back("kept: the config file, the state directory and the task workspaces (docs/operations.md "
                      "says where they are); remove them by hand if you want them gone");
  if (opt.dry_run || !present) {
    r.steps = std::move(p.steps);
    return r;
  }
  run_on_host(p.steps, facts, opt, runner, r);
  return r;
}

report status(const host_facts& facts, const options& opt, command_runner& runner) {
  auto r = start_report("status", facts, opt);
  std::error_code ec;
  r.installed = fs::exists(rooted(opt.root, r.where.unit_file), ec);
  if (r.installed) {
    r.unit_file_note = unit_file_freshness(facts, opt, r.where);
  } else if (r.where.platform == platform::linux && r.where.scope == scope::system) {
    for (const auto& packaged : packaged_units)
      if (!r.installed && fs::exists(rooted(opt.root, packaged), ec)) {
        r.where.unit_file = packaged;
        r.installed = true;
        r.unit_file_note = "from the multicad package";
      }
  }
  if (r.where.platform == platform::linux && !facts.systemd_running) {
    r.notes.push_back("systemd is not running on this machine (no /run/systemd/system): nothing can run the unit here");
  } else if (!ask_manager(r, runner)) {
    return r;
  }
  r.exit_status = r.state && r.state->running() ? 0 : 3;
  return r;
}

}  // namespace multicad::service
