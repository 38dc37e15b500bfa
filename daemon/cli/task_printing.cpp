#include "daemon/cli/task_printing.hpp"

#include <nlohmann/json.hpp>

#include "config/duration.hpp"
#include "execenv/gc_meta.hpp"

namespace multicad::cli {
using nlohmann::json;

namespace {

std::string when(std::int64_t ms) {
  if (ms == 0) return "";
  return execenv::format_rfc3339_utc(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)));
}

std::string one_line(std::string s, std::size_t cap) {
  for (auto& c : s)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return s.size() > cap ? s.substr(0, cap) + "..." : s;
}

// The folder the agent works in: the one it reported at the end, else the
// one asked for with --workdir; empty while a task without one is queued.
std::string effective_workdir(const store::local_task& t) { return t.work_dir.empty() ? t.workdir : t.work_dir; }

json task_json(const store::local_task& t) {
  auto workdir = effective_workdir(t);
  return {{"id", t.id}, {"status", t.status}, {"prompt", t.prompt},
          {"workdir", workdir.empty() ? json() : json(workdir)}, {"provider", t.provider},
          {"model", t.model}, {"created_at", when(t.created_at_ms)}, {"started_at", when(t.started_at_ms)},
          {"completed_at", when(t.completed_at_ms)}, {"output", t.output}, {"error", t.error},
          {"session_id", t.session_id}, {"cancel_requested", t.cancel_requested}};
}

}  // namespace

void print_event(std::ostream& out, const store::local_event& e, bool as_json) {
  if (as_json) {
    json j{{"seq", e.seq}, {"type", e.type}, {"at", when(e.at_ms)}};
    if (!e.tool.empty()) j["tool"] = e.tool;
    if (!e.content.empty()) j["content"] = e.content;
    if (!e.input.empty()) j["input"] = json::parse(e.input, nullptr, false);
    if (!e.output.empty()) j["output"] = e.output;
    out << j.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
    return;
  }
  out << "[" << e.seq << "] " << e.type;
  if (!e.tool.empty()) out << " " << e.tool;
  if (!e.input.empty()) out << " " << one_line(e.input, 200);
  if (!e.content.empty()) out << ": " << e.content;
  if (!e.output.empty()) out << ":\n" << e.output << (e.output.back() == '\n' ? "" : "\n");
  else out << "\n";
}

void print_outcome(std::ostream& out, const store::local_task& t, bool as_json) {
  if (as_json) {
    out << json{{"id", t.id}, {"status", t.status}, {"output", t.output}, {"error", t.error}}.dump(
               -1, ' ', false, json::error_handler_t::replace)
        << "\n";
    return;
  }
  out << "task " << t.status;
  if (!t.error.empty()) out << ": " << t.error;
  out << "\n";
  if (!t.output.empty()) out << t.output << (t.output.back() == '\n' ? "" : "\n");
}

void print_task(std::ostream& out, const store::local_task& t, const std::vector<store::local_usage>& usage, bool as_json) {
  if (as_json) {
    auto j = task_json(t);
    j["usage"] = json::array();
    for (const auto& u : usage)
      j["usage"].push_back({{"provider", u.provider}, {"model", u.model}, {"input_tokens", u.input_tokens},
                            {"output_tokens", u.output_tokens}, {"cache_read_tokens", u.cache_read}});
    out << j.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    return;
  }
  out << "id:         " << t.id << "\nstatus:     " << t.status << (t.cancel_requested && !t.terminal() ? " (cancelling)" : "")
      << "\nprompt:     " << one_line(t.prompt, 300) << "\nworkdir:    "
      << (effective_workdir(t).empty() ? "(the task's own, once it starts)" : effective_workdir(t))
      << "\ncreated:    " << when(t.created_at_ms) << "\nstarted:    " << when(t.started_at_ms)
      << "\ncompleted:  " << when(t.completed_at_ms) << "\n";
  if (!t.session_id.empty()) out << "session_id: " << t.session_id << "\n";
  for (const auto& u : usage)
    out << "usage:      " << u.model << " input " << u.input_tokens << " (cached " << u.cache_read << "), output "
        << u.output_tokens << "\n";
  if (!t.error.empty()) out << "error:      " << t.error << "\n";
  if (!t.output.empty()) out << "output:\n" << t.output << (t.output.back() == '\n' ? "" : "\n");
}

void print_task_list(std::ostream& out, const std::vector<store::local_task>& tasks, bool as_json) {
  if (as_json) {
    json arr = json::array();
    for (const auto& t : tasks) arr.push_back(task_json(t));
    out << arr.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    return;
  }
  if (tasks.empty()) { out << "no tasks; submit one with `multicad submit \"...\"`\n"; return; }
  for (const auto& t : tasks)
    out << t.id << "  " << t.status << std::string(t.status.size() < 10 ? 10 - t.status.size() : 1, ' ')
        << when(t.created_at_ms) << "  " << one_line(t.prompt, 60) << "\n";
}

}  // namespace multicad::cli
