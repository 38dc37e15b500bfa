// DESIGN: run_task is the task's one coroutine; three watchers (status
// poll, batch flush, timeout) are spawned beside the agent run and share a
// task_state with it. Any of them, or shutdown through the registry, may
// ask the agent to stop; `why` remembers the first reason, which decides
// the final report: cancelled/gone/failed-elsewhere report nothing,
// timeout and shutdown report a failure, otherwise Codex's outcome decides.
#include "daemon/core/task_runner.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "config/duration.hpp"
#include "daemon/agent/agent_env.hpp"
#include "daemon/agent/codex_run.hpp"
#include "daemon/agent/process_tree.hpp"
#include "daemon/agent/prompt.hpp"
#include "daemon/agent/task_mapping.hpp"
#include "daemon/core/message_batcher.hpp"
#include "daemon/core/on_pool.hpp"
#include "daemon/log/log.hpp"
#include "daemon/log/notices.hpp"
#include "daemon/version.hpp"
#include "execenv/environment.hpp"
#include "execenv/gc_meta.hpp"
#include "daemon/toolbox/agent_bin.hpp"
#include "daemon/toolbox/git_checkout.hpp"
#include "execenv/repo_layout.hpp"

namespace multicad::core {
namespace asio = boost::asio;
using namespace std::chrono_literals;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
using namespace asio::experimental::awaitable_operators;

std::string timeout_message(const std::string& provider, std::chrono::nanoseconds limit) {
  return provider + " timed out after " + config::format_duration(limit);
}

namespace {

enum class stop_cause { none, cancelled, gone, failed_elsewhere, timeout, shutdown };

struct task_state {
  explicit task_state(asio::any_io_executor ex) : wake(ex), first_event(ex) {}
  stop_cause why = stop_cause::none;
  std::string reason;
  agent::codex_run* run = nullptr;
  bool done = false;
  asio::steady_timer wake;  // cancelled to wake the watchers when done
  // watch_flush waits on this while no message is pending; the first event cancels it.
  asio::steady_timer first_event;
  bool awaiting_first_event = false;

  void finish() {
    done = true;
    wake.cancel();
    first_event.cancel();
  }
  void event_added() {
    if (awaiting_first_event) first_event.cancel();
  }

  void stop(stop_cause cause, std::string text) {
    if (why != stop_cause::none || done) return;
    why = cause;
    reason = std::move(text);
    if (run) run->stop(reason);
  }
  bool silent() const {
    return why == stop_cause::cancelled || why == stop_cause::gone || why == stop_cause::failed_elsewhere;
  }
};

asio::awaitable<bool> sleep_unless_done(std::shared_ptr<task_state> st, std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(use_tuple);
  co_return !st->done;
}

asio::awaitable<void> watch_status(task_environment& env, std::string task_id, std::shared_ptr<task_state> st) {
  for (;;) {
    bool go_on = co_await sleep_unless_done(st, env.status_poll);
    if (!go_on) break;
    auto state = co_await env.channel.poll(task_id);
    switch (state) {
      case remote_state::cancelled: st->stop(stop_cause::cancelled, env.channel.cancel_reason()); break;
      case remote_state::gone: st->stop(stop_cause::gone, "the task no longer exists on the server"); break;
      case remote_state::failed_elsewhere: st->stop(stop_cause::failed_elsewhere, "the server already failed the task"); break;
      default: break;
    }
  }
}

// Messages go out on the leading edge: the first event after a quiet spell is
// sent at once, later ones are gathered for flush_interval, so a task costs at
// most one messages POST per interval and a lone event waits for nothing.
asio::awaitable<void> watch_flush(task_environment& env, std::string task_id, std::shared_ptr<task_state> st,
                                  std::shared_ptr<message_batcher> batcher) {
  while (!st->done) {
    if (batcher->empty()) {
      st->first_event.expires_at(asio::steady_timer::time_point::max());
      st->awaiting_first_event = true;
      co_await st->first_event.async_wait(use_tuple);
      st->awaiting_first_event = false;
      continue;
    }
    if (auto batch = batcher->flush(); !batch.empty()) env.channel.messages(task_id, std::move(batch));
    bool go_on = co_await sleep_unless_done(st, env.flush_interval);
    if (!go_on) break;
  }
}

asio::awaitable<void> watch_timeout(task_environment& env, std::shared_ptr<task_state> st) {
  auto limit = std::chrono::duration_cast<std::chrono::milliseconds>(env.settings.agent_timeout);
  bool expired = co_await sleep_unless_done(st, limit);
  if (expired)
    st->stop(stop_cause::timeout, timeout_message(env.provider, env.settings.agent_timeout));
}

// A detached progress call: the arguments are owned by this frame, since the
// channel's coroutine only refers to them and would outlive a temporary.
asio::awaitable<void> send_progress(task_channel& channel, std::string task_id, std::string summary, int step,
                                    int total) {
  co_await channel.progress(task_id, summary, step, total);
}

// The answer to the start call (dispatched -> running), awaited by the task
// while its folder is prepared and Codex boots.
struct start_gate {
  explicit start_gate(asio::any_io_executor ex) : wake(ex, asio::steady_timer::time_point::max()) {}
  bool answered = false;
  std::optional<task_channel::start_error> error;
  asio::steady_timer wake;  // cancelled when answered

  asio::awaitable<void> wait() {
    while (!answered) co_await wake.async_wait(use_tuple);
  }
};

asio::awaitable<void> ask_to_start(task_channel& channel, std::string task_id, std::shared_ptr<start_gate> gate) {
  gate->error = co_await channel.start(task_id);
  gate->answered = true;
  gate->wake.cancel();
}

void report_not_started(task_environment& env, const std::string& task_id, const task_channel::start_error& err) {
  if (err.refused) {
    log::warn("task could not be started; the server refused it", {{"task_id", task_id}, {"error", err.message},
               {"hint", "usually the task was cancelled or reassigned between claim and start; nothing to do"}});
    env.channel.forget(task_id);
  } else {
    env.channel.fail(task_id, "start task failed: " + err.message);
  }
}

// Lets the held Codex session begin once the server started the task, or
// stops Codex (which was sent nothing) when it did not.
asio::awaitable<void> release_when_started(task_environment& env, std::string task_id, std::shared_ptr<start_gate> gate,
                                           agent::codex_run& run) {
  co_await gate->wait();
  if (gate->error) {
    run.stop("the server did not start the task");
    co_return;
  }
  run.release();
  // Progress is informative only: it goes out beside the turn, and a slow answer to it delays nothing.
  asio::co_spawn(co_await asio::this_coro::executor, send_progress(env.channel, task_id, "Launching " + env.provider, 1, 2),
                 asio::detached);
}

execenv::prepare_request prepare_request_for(task_environment& env, const proto::task& task) {
  execenv::prepare_request r;
  r.workspaces_root = env.settings.workspaces_root;
  r.provider = env.provider;
  r.shared_codex_home = env.shared_codex_home;
  auto detection = env.versions.cached(env.codex_exe);
  r.codex_version = detection && detection->version ? detection->version->to_string() : "";
  r.policy = execenv::choose_sandbox_policy(env.settings.codex, execenv::host_platform(), r.codex_version);
  r.task = agent::to_task_context(task);
  if (env.grants) {
    // The loopback endpoint is out of a sandbox without network.
    bool offline = r.policy.mode != execenv::sandbox_mode::danger_full_access && !r.policy.network_access;
    r.task.toolbox = offline ? execenv::toolbox_access::unreachable : execenv::toolbox_access::available;
    r.task.multica_path = (env.agent_bin / toolbox::multica_command_name).string();
    if (r.task.repos.empty() && env.workspace_repos) r.task.repos = env.workspace_repos(task.workspace_id);
  }
  // A folder GC is removing something from right now is not reused: the
  // task gets a fresh one (it loses the prior session, not its files).
  auto prior_workdir = std::filesystem::path(task.prior_work_dir).lexically_normal();
  if (!prior_workdir.has_filename()) prior_workdir = prior_workdir.parent_path();  // "…/workdir/"
  if (!task.prior_work_dir.empty() && !env.registry.gc_holds(prior_workdir.parent_path(), task.issue_id))
    r.prior_workdir = task.prior_work_dir;
  return r;
}

agent::codex_run_options run_options(task_environment& env, const proto::task& task,
                                     const execenv::prepared_environment& prepared,
                                     const execenv::prepare_request& request, agent::agent_settings checked,
                                     const std::string& capability, const task_overrides& over) {
  const auto& policy = request.policy;
  agent::agent_env_inputs in;
  in.inherited = agent::current_environment();
  // Server mode: the task's capability and the daemon's own endpoint, never
  // the owner's token or the server itself (toolbox/forwarder.hpp).
  in.token = capability;
  if (!capability.empty()) in.server_url = "http://127.0.0.1:" + std::to_string(env.settings.health_port);
  in.multica_config = prepared.layout.multica_config;
  in.daemon_port = env.settings.health_port;
  in.workspace_id = task.workspace_id;
  in.agent_name = task.agent ? task.agent->name : "";
  in.agent_id = task.agent_id;
  in.task_id = task.id;
  in.agent_bin = env.agent_bin;
  in.codex_home = prepared.layout.codex_home;
  in.tmp_dir = prepared.layout.tmp;
  agent::codex_run_options o;
  auto built = agent::build_agent_env(in);
  o.spawn = {env.codex_exe, agent::codex_args(checked.codex_args), std::move(built.entries), prepared.layout.workdir};
  if (!over.agent_cwd.empty()) o.spawn.cwd = over.agent_cwd;
  o.task_id = task.id;
  o.session.client_name = "multicad";
  o.session.client_version = multicad_version;
  o.session.cwd = o.spawn.cwd.string();
  o.session.model = over.model.empty() ? env.settings.codex_agent.model : over.model;
  const bool reachable = request.task.toolbox == execenv::toolbox_access::available;
  o.session.prompt = !over.prompt.empty() ? over.prompt
                                          : agent::build_prompt(task, reachable ? (env.agent_bin / toolbox::multica_command_name).string() : "");
  o.session.resume_thread_id = prepared.reused ? task.prior_session_id : "";
  o.session.sandbox = {std::string(execenv::to_string(policy.mode)), policy.network_access, prepared.codex_config.string()};
  o.session.approval_mode = env.settings.codex.approvals == config::approvals_choice::auto_accept
                                ? proto::codex::approvals::auto_accept
                                : proto::codex::approvals::never;
  o.session.command_env = std::move(checked.command_env);
  for (auto& [k, v] : built.toolbox) o.session.command_env[k] = std::move(v);  // the daemon's win
  return o;
}

std::vector<proto::server::usage_entry> usage_entries(const std::string& provider,
                                                      const std::vector<proto::codex::model_usage>& usage) {
  std::vector<proto::server::usage_entry> out;
  for (const auto& u : usage) {
    if (u.input_tokens == 0 && u.output_tokens == 0 && u.cached_input_tokens == 0) continue;
    out.push_back({provider, u.model, u.input_tokens, u.output_tokens, u.cached_input_tokens, 0});
  }
  return out;
}

std::string failure_text(const task_environment& env, const agent::codex_run_result& r) {
  using st = proto::codex::outcome::status;
  const auto& o = r.outcome;
  std::string text = !o.error.empty() ? o.error
                     : o.result == st::exited ? env.provider + " exited unexpectedly"
                                               : env.provider + " execution failed";
  if (o.result == st::exited && !r.stderr_tail.empty()) {
    auto tail = r.stderr_tail.substr(r.stderr_tail.size() > 600 ? r.stderr_tail.size() - 600 : 0);
    text += "; last stderr: " + tail;
  }
  return text;
}

asio::awaitable<void> write_gc_meta(task_environment& env, const proto::task& task, const std::filesystem::path& root) {
  execenv::gc_meta meta{task.issue_id, task.workspace_id, std::chrono::system_clock::now()};
  auto write = [root, meta] { return execenv::write_gc_meta(root, meta); };
  auto ok = co_await on_pool(env.pool, write);
  if (!ok)
    log::warn("cannot write GC metadata; GC will treat the directory as an orphan",
              {{"task_id", task.id}, {"error", ok.error().to_string()}});
}

// The local `submit --repo` checkout, on the worker pool (git runs to completion).
asio::awaitable<boost::system::result<toolbox::checkout_result, toolbox::checkout_error>> check_out_repo(
    task_environment& env, const proto::task& task, const execenv::prepared_environment& prepared, std::string repo) {
  toolbox::checkout_request req{env.settings.workspaces_root, task.workspace_id, repo, prepared.layout.workdir,
                                prepared.layout.root / ".checkout", execenv::checkout_branch("local", task.id)};
  auto work = [req] {
    service::process_runner git(std::chrono::minutes(10), {"GIT_TERMINAL_PROMPT=0"});
    return toolbox::check_out(req, git);
  };
  co_return co_await on_pool(env.pool, work);
}

// The final report, decided by why the agent stopped and how Codex ended.
asio::awaitable<task_end> report(task_environment& env, const proto::task& task, const task_state& st,
                                 const execenv::prepared_environment& prepared, const agent::codex_run_result& r) {
  const auto root = prepared.layout.root;
  if (!st.silent()) {
    if (st.why == stop_cause::none) {
      co_await env.channel.progress(task.id, "Finishing task", 2, 2);
      auto remote = co_await env.channel.poll(task.id);
      if (remote == remote_state::cancelled || remote == remote_state::gone || remote == remote_state::failed_elsewhere) {
        log::info("task ended on the server meanwhile; nothing reported", {{"task_id", task.id}});
        env.channel.forget(task.id);
        co_await write_gc_meta(env, task, root);
        co_return task_end::cancelled;
      }
    }
    if (auto u = usage_entries(env.provider, r.outcome.usage); !u.empty()) env.channel.usage(task.id, std::move(u));
  }
  task_end end;
  if (st.silent()) {
    log::info("task stopped; nothing reported", {{"task_id", task.id}, {"reason", st.reason}});
    env.channel.forget(task.id);
    end = task_end::cancelled;
  } else if (st.why == stop_cause::timeout || st.why == stop_cause::shutdown) {
    log::warn("task stopped before it finished", {{"task_id", task.id}, {"reason", st.reason}});
    env.channel.fail(task.id, st.reason);
    end = st.why == stop_cause::timeout ? task_end::timed_out : task_end::interrupted_by_shutdown;
  } else if (r.outcome.result == proto::codex::outcome::status::completed) {
    env.channel.complete(task.id, {r.outcome.final_output, r.outcome.thread_id, prepared.layout.workdir.string()});
    log::info("task completed", {{"task_id", task.id}, {"session_id", r.outcome.thread_id}});
    end = task_end::completed;
  } else {
    auto why = failure_text(env, r);
    log::warn("task failed", {{"task_id", task.id}, {"error", why}});
    env.channel.fail(task.id, why);
    end = task_end::failed;
  }
  co_await write_gc_meta(env, task, root);
  co_return end;
}

}  // namespace

// Counts the task for /metrics from claim to end, whatever way it ends.
struct task_counter {
  metrics* m;
  explicit task_counter(metrics* stats) : m(stats) {
    if (m) { ++m->tasks_started; ++m->tasks_running; }
  }
  ~task_counter() { if (m) --m->tasks_running; }
  void ended(task_end e) const {
    if (!m) return;
    switch (e) {
      case task_end::completed: ++m->tasks_completed; break;
      case task_end::cancelled: ++m->tasks_cancelled; break;
      case task_end::timed_out: ++m->tasks_timed_out; break;
      default: ++m->tasks_failed;
    }
  }
};

asio::awaitable<task_end> run_task(task_environment& env, proto::task task) {
  auto ex = co_await asio::this_coro::executor;
  task_counter counted(env.stats);
  auto st = std::make_shared<task_state>(ex);
  env.registry.add({task.id, task.issue_id, task.workspace_id, task.runtime_id, std::chrono::system_clock::now(),
                    [st](const std::string& reason) { st->stop(stop_cause::shutdown, reason); }});
  struct unregister {
    task_environment& env;
    std::string id;
    std::shared_ptr<task_state> st;
    ~unregister() {
      st->finish();
      env.registry.remove(id);
    }
  } guard{env, task.id, st};
  log::info("task claimed", {{"task_id", task.id}, {"issue_id", task.issue_id}, {"workspace_id", task.workspace_id}});

  // The start call, the folder and Codex's boot overlap: the folder is
  // prepared on the pool while the start call is in flight, and Codex is
  // spawned with its session held until the server says yes (nothing is sent
  // to it before), so a slow server answer costs no extra time. A task the
  // server will not start never gets a turn.
  auto gate = std::make_shared<start_gate>(ex);
  asio::co_spawn(ex, ask_to_start(env.channel, task.id, gate), asio::detached);
  auto checked = agent::check_agent_settings(task, env.settings.codex);
  if (!task.invalid.empty() || !checked.refusal.empty()) {
    // Refused before anything is prepared or spawned: a malformed id could
    // name paths it should not, and the arguments could have made Codex run
    // code outside its sandbox.
    co_await gate->wait();
    if (gate->error) {
      report_not_started(env, task.id, *gate->error);
      counted.ended(task_end::not_started);
      co_return task_end::not_started;
    }
    std::string why = checked.refusal;
    if (!task.invalid.empty()) {
      why = "the server sent a task with a malformed id: " + task.invalid;
      log::warn("task failed: the server sent a malformed id", {{"task_id", task.id}, {"error", why}});
    } else {
      log::warn("task failed: its agent settings would change the sandbox", {{"task_id", task.id}, {"error", why}});
    }
    env.channel.fail(task.id, why);
    counted.ended(task_end::failed);
    co_return task_end::failed;
  }
  auto request = prepare_request_for(env, task);
  auto prepare = [request] { return execenv::prepare_environment(request); };
  auto prepared = co_await on_pool(env.pool, prepare);
  if (!prepared || (gate->answered && gate->error)) {
    co_await gate->wait();
    if (gate->error) {
      report_not_started(env, task.id, *gate->error);
      // A folder prepared for nothing is left to GC, which knows it by its metadata.
      if (prepared) co_await write_gc_meta(env, task, prepared->layout.root);
      counted.ended(task_end::not_started);
      co_return task_end::not_started;
    }
    auto why = "environment preparation failed: " + prepared.error().to_string();
    log::error("task failed before the agent started", {{"task_id", task.id}, {"error", why}});
    env.channel.fail(task.id, why);
    counted.ended(task_end::failed);
    co_return task_end::failed;
  }
  log::write_notices(prepared->notices);
  (void)env.journal.set_env_root(task.id, prepared->layout.root.string());

  auto batcher = std::make_shared<message_batcher>();
  // The agent's capability lives exactly as long as this run.
  std::string capability;
  if (env.grants)
    capability = env.grants->issue({task.id, task.workspace_id, task.issue_id, task.agent_id,
                                    task.agent ? task.agent->name : "", prepared->layout.workdir, prepared->layout.root,
                                    task.auth_token.starts_with("mat_") ? task.auth_token : ""});
  toolbox::grant_guard granted(capability.empty() ? nullptr : env.grants, capability);
  auto over = env.overrides ? env.overrides(task) : task_overrides{};
  if (!over.repo.empty()) {
    // submit --repo: a fresh checkout in the task's folder, the user's own clone untouched.
    auto checkout = co_await check_out_repo(env, task, *prepared, over.repo);
    if (!checkout) {
      co_await gate->wait();
      auto why = "repository checkout failed: " + checkout.error().message;
      log::warn("task failed", {{"task_id", task.id}, {"error", why}});
      if (!gate->error) env.channel.fail(task.id, why);
      co_await write_gc_meta(env, task, prepared->layout.root);
      counted.ended(task_end::failed);
      co_return task_end::failed;
    }
    over.agent_cwd = checkout->path;
  }
  auto options = run_options(env, task, *prepared, request, std::move(checked), capability, over);
  options.hold_session = !gate->answered;
  agent::codex_run run(
      ex, std::move(options),
      [batcher, st](const auto& e) {
        batcher->add(e);
        st->event_added();
      },
      [&](pid_t pgid) {
        (void)env.journal.set_agent(task.id, pgid, agent::process_start_time(pgid).value_or(0), agent::boot_id());
      });
  st->run = &run;
  if (st->why != stop_cause::none) run.stop(st->reason);  // shutdown arrived while preparing
  asio::co_spawn(ex, watch_status(env, task.id, st), asio::detached);
  asio::co_spawn(ex, watch_flush(env, task.id, st, batcher), asio::detached);
  asio::co_spawn(ex, watch_timeout(env, st), asio::detached);

  auto result = co_await (run.run() && release_when_started(env, task.id, gate, run));
  granted.revoke();  // only while the task runs: no agent process is left to use it
  if (env.stats && result.start_latency)
    env.stats->codex_start_seconds.observe(static_cast<double>(result.start_latency->count()) / 1000.0);
  st->run = nullptr;
  st->finish();
  (void)env.journal.clear_agent(task.id);
  if (!result.survivors.empty())
    log::error("processes of the task survived SIGKILL", {{"task_id", task.id}, {"count", std::to_string(result.survivors.size())}});
  if (gate->error) {
    report_not_started(env, task.id, *gate->error);
    co_await write_gc_meta(env, task, prepared->layout.root);
    counted.ended(task_end::not_started);
    co_return task_end::not_started;
  }
  if (auto last = batcher->flush(); !last.empty()) env.channel.messages(task.id, std::move(last));

  auto end = co_await report(env, task, *st, *prepared, result);
  counted.ended(end);
  co_return end;
}

}  // namespace multicad::core
