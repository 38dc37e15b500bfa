#include "daemon/service/report.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "daemon/service/command_runner.hpp"

namespace multicad::service {
namespace fs = std::filesystem;

namespace {

// One step as a line: what, where, why. Files in full only in dry runs.
void print_step(const step& s, std::size_t n, bool dry_run, std::ostream& out) {
  out << n << ". ";
  switch (s.what) {
    case step::kind::make_dir: out << "create folder " << s.path.string(); break;
    case step::kind::write_file: out << "write " << s.path.string() << " (mode " << octal_mode(s.mode) << ")"; break;
    case step::kind::remove_file: out << "remove " << s.path.string(); break;
    case step::kind::run: out << "run: " << display_command(s.argv) << (s.may_fail ? " (a failure is tolerated)" : ""); break;
  }
  out << "\n   # " << s.why << "\n";
  if (dry_run && s.what == step::kind::write_file) {
    out << "----- begin " << s.path.string() << " -----\n" << s.content;
    if (!s.content.empty() && s.content.back() != '\n') out << "\n";
    out << "----- end " << s.path.string() << " -----\n";
  }
}

void print_status(const report& r, std::ostream& out) {
  out << "unit file: " << r.where.unit_file.string() << " ("
      << (r.installed ? "installed" : "not installed") << (r.unit_file_note.empty() ? "" : ", " + r.unit_file_note)
      << ")\n";
  if (r.state) {
    const auto& s = *r.state;
    out << "enabled:   " << (s.enabled.empty() ? "unknown" : s.enabled) << "\n";
    out << "active:    " << (s.active.empty() ? "unknown" : s.active) << (s.sub.empty() ? "" : " (" + s.sub + ")");
    if (s.main_pid > 0) out << ", main PID " << s.main_pid;
    out << "\n";
    if (!s.status.empty()) out << "status:    " << s.status << "\n";
  }
  out << "logs:      " << r.logs_command << "\n";
}

void print_outcome(const report& r, std::ostream& out) {
  if (r.action == "status") return print_status(r, out);
  std::string name = r.where.unit_name + " (" + std::string(to_string(r.where.scope)) + ")";
  if (r.dry_run) {
    out << "dry run: nothing was changed; ";
    if (r.verdict == verdict::absent) out << name << " is not installed, so there is nothing to remove.\n";
    else out << name << " would be " << (r.verdict ? std::string(to_string(*r.verdict)) : "left as it is") << ".\n";
    return;
  }
  if (!r.verdict) return;
  out << name << ": " << to_string(*r.verdict);
  if (r.action == "install") out << ", running with " << r.config_file.string();
  out << "\n";
  if (r.action == "install") out << "logs: " << r.logs_command << "\n";
}

nlohmann::json step_json(const step& s, bool dry_run) {
  nlohmann::json j{{"why", s.why}};
  switch (s.what) {
    case step::kind::make_dir: j["action"] = "make_dir"; j["path"] = s.path.string(); break;
    case step::kind::write_file:
      j["action"] = "write";
      j["path"] = s.path.string();
      j["mode"] = octal_mode(s.mode);
      if (dry_run) j["content"] = s.content;
      break;
    case step::kind::remove_file: j["action"] = "remove"; j["path"] = s.path.string(); break;
    case step::kind::run: j["action"] = "run"; j["command"] = s.argv; j["may_fail"] = s.may_fail; break;
  }
  return j;
}

}  // namespace

std::string octal_mode(fs::perms mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode) & 07777u);
  return buf;
}

void print_text(const report& r, std::ostream& out) {
  if (r.dry_run && r.action != "status")
    out << "multicad service " << r.action << " --" << to_string(r.where.scope) << " --dry-run: "
        << r.where.unit_file.string() << "\n\n";
  for (std::size_t i = 0; i < r.steps.size(); ++i) print_step(r.steps[i], i + 1, r.dry_run, out);
  if (!r.steps.empty()) out << "\n";
  if (r.error) {
    out << "error: " << r.error->message << "\n";
    if (!r.error->output.empty()) out << "  output: " << r.error->output << (r.error->output.back() == '\n' ? "" : "\n");
    if (!r.error->hint.empty()) out << "  -> " << r.error->hint << "\n";
  } else {
    print_outcome(r, out);
  }
  for (const auto& n : r.notes) out << "note: " << n << "\n";
}

void print_json(const report& r, std::ostream& out) {
  nlohmann::json j{{"action", r.action},
                   {"platform", to_string(r.where.platform)},
                   {"scope", to_string(r.where.scope)},
                   {"unit_file", r.where.unit_file.string()},
                   {"dry_run", r.dry_run},
                   {"result", r.verdict ? nlohmann::json(to_string(*r.verdict)) : nlohmann::json()},
                   {"notes", r.notes},
                   {"logs_command", r.logs_command},
                   {"exit_status", r.exit_status}};
  if (r.action == "install") j["config_file"] = r.config_file.string();
  j["steps"] = nlohmann::json::array();
  for (const auto& s : r.steps) j["steps"].push_back(step_json(s, r.dry_run));
  j["error"] = r.error ? nlohmann::json{{"message", r.error->message}, {"output", r.error->output}, {"hint", r.error->hint}}
                       : nlohmann::json();
  if (r.action == "status") {
    j["installed"] = r.installed;
    j["unit_file_note"] = r.unit_file_note;
    if (r.state)
      j["state"] = {{"active", r.state->active}, {"sub", r.state->sub},       {"enabled", r.state->enabled},
                    {"main_pid", r.state->main_pid}, {"status", r.state->status}, {"running", r.state->running()}};
  }
  out << j.dump(2) << "\n";
}

}  // namespace multicad::service
