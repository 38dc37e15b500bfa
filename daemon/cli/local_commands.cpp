// The embedded local mode's commands for people:
//   multicad submit "PROMPT" | - | --prompt-file FILE [--workdir DIR | --repo REPO] [--provider codex] [--model M] [--wait]
//   multicad tasks [list | show ID | logs ID [--follow] | cancel ID] [--json]
// They share the daemon's store (WAL: safe beside a running daemon) and wake
// the daemon through its local endpoint (found with daemon_locator.hpp) so a
// new task starts at once.
#include <CLI/CLI.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "daemon/cli/cli_context.hpp"
#include "daemon/cli/daemon_locator.hpp"
#include "daemon/cli/local_wake.hpp"
#include "daemon/cli/task_printing.hpp"
#include "daemon/store/local_tasks.hpp"
#include "daemon/store/schema.hpp"

namespace multicad::cli {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// `submit --wait` exit statuses beyond the usual ones.
constexpr int exit_cancelled = 3;
constexpr int exit_no_daemon = 4;
// How long --wait tolerates no daemon answering before it gives up.
constexpr auto no_daemon_patience = 10s;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::optional<store::database> open_store(const config::settings& s) {
  auto db = store::database::open(s.state_dir / store::store_file_name, store::migrations());
  if (!db) {
    std::cerr << "multicad: cannot open the task store: " << db.error().message << "\n";
    return std::nullopt;
  }
  return std::move(*db);
}

// What a failed wake means for a task that waits for a daemon: queued, or
// (a cancel) flagged for the daemon to act on.
void explain_wake(wake_result r, const daemon_address& at, std::string_view task_waits) {
  if (r == wake_result::no_daemon)
    std::cerr << "multicad: no daemon answers on 127.0.0.1:" << at.port << " (from " << at.source << "); " << task_waits
              << " (start one with `multicad run`)\n";
  else if (r == wake_result::store_lost)
    std::cerr << "multicad: the daemon on 127.0.0.1:" << at.port
              << " lost its task store (it was deleted or replaced while it ran) and cannot run this task; "
                 "restart it (multicad status shows its last_error), and the task runs then\n";
  else if (r == wake_result::not_local_mode)
    std::cerr << "multicad: the daemon on 127.0.0.1:" << at.port
              << " serves a Multica server, not the local queue; local tasks run when a daemon runs without server_url\n";
}

constexpr std::string_view stays_queued = "the task stays queued until one runs";

// Prints new events until the task ends; returns its exit status.
int follow(store::local_tasks& q, const std::string& id, const daemon_address& at, bool json) {
  std::int64_t last_seq = 0;
  auto last_seen_daemon = std::chrono::steady_clock::now();
  for (;;) {
    auto events = q.events(id, last_seq);
    if (events)
      for (const auto& e : *events) {
        print_event(std::cout, e, json);
        last_seq = e.seq;
      }
    auto t = q.find(id);
    if (!t || !*t) {
      std::cerr << "multicad: task " << id << " disappeared from the store\n";
      return exit_status::failed;
    }
    if ((*t)->terminal()) {
      print_outcome(std::cout, **t, json);
      return (*t)->status == "completed" ? exit_status::ok : (*t)->status == "cancelled" ? exit_cancelled : exit_status::failed;
    }
    if ((*t)->status == "queued" && std::chrono::steady_clock::now() - last_seen_daemon > 2s) {
      auto woke = wake_local_daemon(at.port);
      if (woke == wake_result::store_lost) {
        explain_wake(woke, at, stays_queued);
        return exit_no_daemon;
      }
      if (woke == wake_result::woken) last_seen_daemon = std::chrono::steady_clock::now();
      else if (std::chrono::steady_clock::now() - last_seen_daemon > no_daemon_patience) {
        explain_wake(wake_result::no_daemon, at, stays_queued);
        return exit_no_daemon;
      }
    }
    std::this_thread::sleep_for(100ms);
  }
}

struct submit_options {
  std::string prompt, prompt_file, workdir, provider = "codex", model, repo;
  bool wait = false, json = false, allow_broad_workdir = false;
};

// Why a working folder is too broad to hand to an agent ("the root of the
// file system", "your home folder", "a folder that holds your home folder"),
// or "" when it is not. Both paths are canonical.
std::string too_broad(const fs::path& workdir, const fs::path& home) {
  if (workdir == workdir.root_path()) return "the root of the file system";
  std::error_code ec;
  auto h = fs::canonical(home, ec);
  if (ec || h.empty()) return {};
  if (workdir == h) return "your home folder";
  auto rel = h.lexically_relative(workdir);
  if (!rel.empty() && *rel.begin() != "..") return "a folder that holds your home folder";
  return {};
}

// The prompt from the argument, or from --prompt-file / "-" (standard input):
// one argument is capped at 128 KiB by the kernel, a file is not.
bool read_prompt(submit_options& o) {
  std::string from = !o.prompt_file.empty() ? o.prompt_file : o.prompt == "-" ? "-" : "";
  if (from.empty()) return true;
  if (!o.prompt_file.empty() && !o.prompt.empty()) {
    std::cerr << "multicad submit: give the prompt as an argument or with --prompt-file, not both\n";
    return false;
  }
  std::ifstream file;
  if (from != "-") {
    file.open(from, std::ios::binary);
    if (!file) {
      std::cerr << "multicad submit: cannot read --prompt-file " << from << ": " << std::strerror(errno) << "\n";
      return false;
    }
  }
  std::istream& in = from == "-" ? std::cin : file;
  o.prompt.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

int submit(const cli_context& ctx, submit_options o) {
  if (o.prompt.empty() && o.prompt_file.empty()) {
    std::cerr << "multicad submit: no prompt; give it as an argument, as - (standard input) or with --prompt-file FILE\n";
    return exit_status::bad_usage;
  }
  auto loaded = ctx.load_settings();
  if (!loaded) return exit_status::bad_usage;
  if (!read_prompt(o)) return exit_status::bad_usage;
  if (o.prompt.find_first_not_of(" \t\r\n") == std::string::npos) {
    std::cerr << "multicad submit: the prompt is empty; say what the agent should do\n";
    return exit_status::bad_usage;
  }
  if (o.provider != "codex") {
    std::cerr << "multicad submit: provider \"" << o.provider << "\" is not supported; only codex is\n";
    return exit_status::bad_usage;
  }
  if (!o.workdir.empty()) {
    std::error_code ec;
    auto dir = fs::absolute(o.workdir, ec);
    if (ec || !fs::is_directory(dir, ec)) {
      std::cerr << "multicad submit: --workdir " << o.workdir << " is not an existing directory\n";
      return exit_status::bad_usage;
    }
    o.workdir = fs::canonical(dir, ec).string();
    auto why = too_broad(o.workdir, config::process_inputs().home);
    if (!why.empty() && !o.allow_broad_workdir) {
      std::cerr << "multicad submit: --workdir " << o.workdir << " is " << why
                << ": the agent's sandbox lets it write everywhere in its working folder, so that would be "
                   "everything there; give the project's own folder (or pass --allow-broad-workdir if you really mean it)\n";
      return exit_status::bad_usage;
    }
  }
  if (!o.repo.empty()) {
    if (!o.workdir.empty()) {
      std::cerr << "multicad submit: --repo and --workdir exclude each other: with --repo the agent works in a fresh "
                   "checkout of the repository\n";
      return exit_status::bad_usage;
    }
    // A folder of this machine is cloned from its canonical path; anything else is a URL for git.
    std::error_code ec;
    if (fs::is_directory(o.repo, ec)) o.repo = fs::canonical(o.repo, ec).string();
    else if (o.repo.find("://") == std::string::npos && o.repo.find(':') == std::string::npos) {
      std::cerr << "multicad submit: --repo " << o.repo << " is neither an existing folder nor a repository URL\n";
      return exit_status::bad_usage;
    }
  }
  auto db = open_store(loaded->values);
  if (!db) return exit_status::failed;
  store::local_tasks q(*db);
  auto t = q.submit(o.prompt, o.workdir, o.provider, o.model, now_ms(), o.repo);
  if (!t) {
    std::cerr << "multicad submit: cannot store the task: " << t.error().message << "\n";
    return exit_status::failed;
  }
  const auto at = locate_daemon(loaded->values);
  auto woke = wake_local_daemon(at.port);
  if (!o.json) std::cerr << "submitted task " << t->id << "\n";
  explain_wake(woke, at, stays_queued);
  int status = exit_status::ok;
  if (o.wait && woke == wake_result::store_lost) status = exit_no_daemon;
  else if (o.wait) status = follow(q, t->id, at, o.json);
  std::cout << t->id << "\n";  // last line: the id alone, for scripts
  return status;
}

template <class F>
int with_queue(const cli_context& ctx, F f) {
  auto loaded = ctx.load_settings();
  if (!loaded) return exit_status::bad_usage;
  auto db = open_store(loaded->values);
  if (!db) return exit_status::failed;
  store::local_tasks q(*db);
  return f(q, loaded->values);
}

std::optional<store::local_task> find_or_complain(store::local_tasks& q, const std::string& id) {
  auto t = q.find(id);
  if (!t) { std::cerr << "multicad: cannot read the task store: " << t.error().message << "\n"; return std::nullopt; }
  if (!*t) { std::cerr << "multicad: no task " << id << " (an id or an unambiguous prefix of 4+ characters)\n"; return std::nullopt; }
  return **t;
}

// A queued task is cancelled at once; a running one is flagged, and the
// daemon running it is woken to stop its agent; a finished one stays as it
// ended (exit 1 unless it was cancelled already).
int cancel_task(store::local_tasks& q, const store::local_task& t, const config::settings& s, bool json) {
  auto after = q.cancel(t.id);
  if (!after || !*after) { std::cerr << "multicad: cannot cancel " << t.id << "\n"; return exit_status::failed; }
  const auto& a = **after;
  std::string state = a.terminal() ? a.status : a.cancel_requested ? "cancelling" : a.status;
  if (!a.terminal()) {
    auto at = locate_daemon(s);
    explain_wake(wake_local_daemon(at.port), at, "the running task is marked; it stops when a daemon next runs");
  } else if (t.terminal() && !json) {
    std::cerr << "multicad: task " << a.id << " had already ended (" << a.status << "); nothing to cancel\n";
  }
  if (json) std::cout << nlohmann::json{{"id", a.id}, {"status", state}, {"was", t.status}}.dump() << "\n";
  else std::cout << a.id << " " << state << "\n";
  return a.terminal() && a.status != "cancelled" ? exit_status::failed : exit_status::ok;
}

void add_tasks_command(CLI::App& app, cli_context& ctx) {
  auto* tasks = app.add_subcommand("tasks", "inspect and control tasks of the local queue");
  auto json = std::make_shared<bool>(false);
  auto id = std::make_shared<std::string>();
  auto limit = std::make_shared<int>(20);
  auto follow_flag = std::make_shared<bool>(false);
  tasks->add_flag("--json", *json, "print JSON");

  auto* list = tasks->add_subcommand("list", "the newest tasks (the default)");
  list->add_option("--limit", *limit, "how many")->check(CLI::Range(1, 10000));
  auto* show = tasks->add_subcommand("show", "one task: status, result, usage");
  show->add_option("id", *id, "task id or prefix")->required();
  auto* logs = tasks->add_subcommand("logs", "one task's events");
  logs->add_option("id", *id, "task id or prefix")->required();
  logs->add_flag("--follow,-f", *follow_flag, "keep printing until the task ends");
  auto* cancel = tasks->add_subcommand("cancel", "cancel a queued or running task");
  cancel->add_option("id", *id, "task id or prefix")->required();

  tasks->callback([&ctx, tasks, list, show, logs, cancel, json, id, limit, follow_flag] {
    ctx.status = with_queue(ctx, [&](store::local_tasks& q, const config::settings& s) -> int {
      if (show->parsed() || logs->parsed() || cancel->parsed()) {
        auto t = find_or_complain(q, *id);
        if (!t) return exit_status::failed;
        if (show->parsed()) {
          auto usage = q.usage(t->id);
          print_task(std::cout, *t, usage ? *usage : std::vector<store::local_usage>{}, *json);
          return exit_status::ok;
        }
        if (logs->parsed()) {
          if (*follow_flag && !t->terminal()) return follow(q, t->id, locate_daemon(s), *json);
          auto events = q.events(t->id, 0);
          if (!events) { std::cerr << "multicad: cannot read the task store: " << events.error().message << "\n"; return exit_status::failed; }
          for (const auto& e : *events) print_event(std::cout, e, *json);
          return exit_status::ok;
        }
        return cancel_task(q, *t, s, *json);
      }
      (void)list;  // `list` and no subcommand print the same: the subcommand exists for its --help
      auto all = q.list(*limit);
      if (!all) { std::cerr << "multicad: cannot read the task store: " << all.error().message << "\n"; return exit_status::failed; }
      print_task_list(std::cout, *all, *json);
      return exit_status::ok;
    });
  });
}

}  // namespace

void add_local_commands(CLI::App& app, cli_context& ctx) {
  auto* cmd = app.add_subcommand("submit", "queue a task for the local-mode daemon; prints its id on the last line");
  auto o = std::make_shared<submit_options>();
  auto* prompt = cmd->add_option("prompt", o->prompt, "what the agent should do; - reads it from standard input");
  auto* prompt_file = cmd->add_option("--prompt-file", o->prompt_file,
                                      "read the prompt from this file (- for standard input); no size limit but memory")
                          ->type_name("FILE");
  prompt->excludes(prompt_file);
  cmd->add_option("--workdir", o->workdir, "the folder the agent works in (default: the task's own)");
  cmd->add_option("--repo", o->repo,
                  "a repository (folder or URL) to check out afresh and work in, on branch agent/local/<task>; "
                  "your own clone is left untouched");
  cmd->add_option("--provider", o->provider, "agent provider (codex)");
  cmd->add_option("--model", o->model, "model for this task (default: agents.codex.model)");
  cmd->add_flag("--wait", o->wait, "follow the task's events and exit with its status (0 done, 1 failed, 3 cancelled)");
  cmd->add_flag("--json", o->json, "print events as JSON lines");
  cmd->add_flag("--allow-broad-workdir", o->allow_broad_workdir,
                "accept / or your home folder (or a folder above it) as --workdir; the agent may then write anywhere there");
  cmd->callback([&ctx, o] { ctx.status = submit(ctx, *o); });
  add_tasks_command(app, ctx);
}

}  // namespace multicad::cli
