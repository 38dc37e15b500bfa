// DESIGN: a task_shell owns one task_machine. Every input reaches the
// machine through feed(), which then runs the commands the machine answers
// with (apply()); a command that asks something (the start call, the
// folder, Codex, a poll, a timer) starts it here and feeds the answer back
// when it comes. Nothing is decided here. A fault in this shell (an
// exception) becomes the machine's internal_error input: the agent is
// stopped and the task fails with the error, never ending silently. The
// shell lives in a shared_ptr held by everything still out (a poll in
// flight, a timer), so a late answer finds it alive and the machine, done,
// ignores it.
#include "daemon/core/task_runner.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>

#include "daemon/agent/process_tree.hpp"
#include "daemon/async/guarded.hpp"
#include "daemon/core/on_pool.hpp"
#include "daemon/core/task_inputs.hpp"
#include "daemon/core/task_timers.hpp"
#include "daemon/log/log.hpp"
#include "daemon/log/notices.hpp"
#include "proto/lifecycle/message_batcher.hpp"
#include "proto/lifecycle/task_machine.hpp"

namespace multicad::core {
namespace asio = boost::asio;
namespace lc = proto::lifecycle;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

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

}  // namespace

class task_shell : public std::enable_shared_from_this<task_shell> {
 public:
  task_shell(task_environment& env, proto::task task, asio::any_io_executor ex)
      : env_(env), task_(std::move(task)), ex_(ex), machine_(task_limits_for(env)), finished_(ex),
        timers_(ex, [this](lc::timer which) { feed([&] { machine_.timer_fired(which); }); }) {}

  asio::awaitable<task_end> run();
  void shutdown(const std::string& reason) {
    feed([&] { machine_.shutdown(reason); });
  }
  task_liveness liveness() const;

 private:
  template <class F>
  void feed(F&& input);
  void apply();
  void execute(const lc::command& c);
  void fault(const std::string& what);
  void post(const lc::final_report& r);
  void spawn_agent(bool held);
  void agent_not_spawned(const std::string& what);
  // The coroutines a command starts. Each takes `self` as a parameter: a
  // parameter lives in the coroutine frame, a lambda's capture would not.
  static asio::awaitable<void> ask_start(std::shared_ptr<task_shell> self);
  static asio::awaitable<void> poll(std::shared_ptr<task_shell> self);
  static asio::awaitable<void> send_progress(task_channel& channel, std::string task_id, lc::cmd::send_progress p);
  static asio::awaitable<void> prepare(std::shared_ptr<task_shell> self);
  static asio::awaitable<void> run_agent(std::shared_ptr<task_shell> self, std::shared_ptr<agent::codex_run> run);
  asio::awaitable<void> prepare_folder();
  void agent_ran(agent::codex_run_result result);
  std::optional<lc::refusal> refusal();

  task_environment& env_;
  proto::task task_;
  asio::any_io_executor ex_;
  lc::task_machine machine_;
  lc::message_batcher batcher_;
  asio::steady_timer finished_;  // cancelled when the machine says `finished`
  task_timers timers_;
  bool applying_ = false, faulted_ = false;
  std::optional<task_end> end_;
  bool gc_meta_due_ = false;

  agent::agent_settings checked_;
  task_overrides over_;
  execenv::prepare_request request_;
  std::optional<execenv::prepared_environment> prepared_;
  std::shared_ptr<agent::codex_run> run_;
  std::optional<toolbox::grant_guard> granted_;
};

template <class F>
void task_shell::feed(F&& input) {
  try {
    input();
    apply();
  } catch (...) {
    fault(async::describe(std::current_exception()));
  }
}

void task_shell::fault(const std::string& what) {
  log::error("internal error while running a task", {{"task_id", task_.id}, {"error", what}});
  if (!faulted_) {
    faulted_ = true;
    try {
      machine_.internal_error("internal error: " + what);
      apply();
      return;
    } catch (...) {
      // The machine itself broke: end the task by hand, below.
    }
  }
  if (end_) return;
  if (run_) run_->stop("internal error");
  env_.channel.fail(task_.id, "internal error: " + what);
  end_ = task_end::failed;
  finished_.cancel();
}

void task_shell::apply() {
  if (applying_) return;  // the outer call runs what inner inputs queued, in order
  applying_ = true;
  struct reset {
    bool& flag;
    ~reset() { flag = false; }
  } guard{applying_};
  for (;;) {
    for (const auto& n : machine_.take_notes()) log::write_task_note(n, task_.id);
    auto commands = machine_.take_commands();
    if (commands.empty()) break;
    for (const auto& c : commands) execute(c);
  }
}

void task_shell::execute(const lc::command& c) {
  auto self = shared_from_this();
  if (std::get_if<lc::cmd::ask_start>(&c)) {
    async::spawn_guarded(ex_, "the start call", ask_start(self), [self](const std::string& e) {
      self->feed([&] { self->machine_.started(lc::start_failure{lc::start_failure::kind::transient, "internal error: " + e}); });
    });
  } else if (std::get_if<lc::cmd::prepare>(&c)) {
    async::spawn_guarded(ex_, "preparing the task's folder", prepare(self), [self](const std::string& e) {
      self->feed([&] { self->machine_.preparation_failed({lc::preparation_failure::stage::environment, "internal error: " + e}); });
    });
  } else if (auto* s = std::get_if<lc::cmd::spawn_agent>(&c)) {
    try {
      spawn_agent(s->held);
    } catch (...) {
      // The machine now waits for the agent's end, which only a run can
      // send: without one, say it here, or the task would wait forever.
      agent_not_spawned(async::describe(std::current_exception()));
    }
  } else if (std::get_if<lc::cmd::release_agent>(&c)) {
    if (run_) run_->release();
  } else if (auto* s = std::get_if<lc::cmd::stop_agent>(&c)) {
    if (run_) run_->stop(s->reason);
  } else if (std::get_if<lc::cmd::poll_remote>(&c)) {
    async::spawn_guarded(ex_, "the status poll", poll(self), [self](const std::string&) {
      self->feed([&] { self->machine_.remote_answer(lc::remote_state::unknown); });
    });
  } else if (auto* a = std::get_if<lc::cmd::arm_timer>(&c)) {
    timers_.arm(a->which, a->after, self);
  } else if (auto* x = std::get_if<lc::cmd::cancel_timer>(&c)) {
    timers_.cancel(x->which);
  } else if (std::get_if<lc::cmd::flush_messages>(&c)) {
    if (auto batch = batcher_.flush(); !batch.empty()) env_.channel.messages(task_.id, std::move(batch));
  } else if (auto* p = std::get_if<lc::cmd::send_progress>(&c)) {
    // Informative only: it goes out beside the turn, and a slow answer delays nothing.
    async::spawn_guarded(ex_, "a progress report", send_progress(env_.channel, task_.id, *p));
  } else if (auto* r = std::get_if<lc::cmd::post_report>(&c)) {
    post(r->report);
  } else if (std::get_if<lc::cmd::write_gc_meta>(&c)) {
    gc_meta_due_ = true;  // run() writes it before it returns
  } else if (auto* f = std::get_if<lc::cmd::finished>(&c)) {
    end_ = f->end;
    finished_.cancel();
  }
}

task_liveness task_shell::liveness() const {
  task_liveness l;
  if (env_.settings.agent_timeout.count() > 0) l.hard_cap = env_.settings.agent_timeout;
  l.hard_cap_left = timers_.left(lc::timer::timeout);
  const auto& dog = machine_.watchdogs();
  for (auto w : {lc::watch::idle, lc::watch::progress, lc::watch::first_item}) {
    auto left = timers_.left(static_cast<lc::timer>(static_cast<int>(lc::timer::idle) + static_cast<int>(w)));
    if (!left || (!l.idle_kind.empty() && *left >= l.idle_left)) continue;
    l.idle_kind = dog.label(w);
    l.idle_limit = dog.window(w);
    l.idle_left = *left;
  }
  return l;
}

void task_shell::post(const lc::final_report& r) {
  if (!r.usage.empty()) env_.channel.usage(task_.id, r.usage);
  switch (r.what) {
    case lc::final_report::kind::complete:
      env_.channel.complete(task_.id, {r.output, r.session_id, prepared_ ? prepared_->layout.workdir.string() : ""});
      break;
    case lc::final_report::kind::fail: env_.channel.fail(task_.id, r.error); break;
    case lc::final_report::kind::nothing: env_.channel.forget(task_.id); break;
  }
}

std::optional<lc::refusal> task_shell::refusal() {
  if (!task_.invalid.empty())
    return lc::refusal{lc::refusal::kind::malformed_id, "the server sent a task with a malformed id: " + task_.invalid};
  if (!checked_.refusal.empty()) return lc::refusal{lc::refusal::kind::unsafe_settings, checked_.refusal};
  return std::nullopt;
}

// Codex's version first (an upgraded binary is probed again, so the
// sandbox block matches what will run), then the folder, then the
// `submit --repo` checkout.
asio::awaitable<void> task_shell::ask_start(std::shared_ptr<task_shell> self) {
  auto failure = co_await self->env_.channel.start(self->task_.id);
  self->feed([&] { self->machine_.started(failure); });
}

asio::awaitable<void> task_shell::poll(std::shared_ptr<task_shell> self) {
  auto state = co_await self->env_.channel.poll(self->task_.id);
  self->feed([&] { self->machine_.remote_answer(state); });
}

asio::awaitable<void> task_shell::send_progress(task_channel& channel, std::string task_id, lc::cmd::send_progress p) {
  co_await channel.progress(task_id, p.summary, p.step, p.total);
}

asio::awaitable<void> task_shell::prepare(std::shared_ptr<task_shell> self) {
  co_await self->prepare_folder();
}

asio::awaitable<void> task_shell::prepare_folder() {
  auto& versions = env_.versions;
  auto exe = env_.codex_exe;
  auto detect = [&versions, exe] {
    bool fresh = false;
    auto d = versions.detect(exe, agent::codex_requirement(), &fresh);
    return std::make_pair(d, fresh);
  };
  auto [detection, fresh] = co_await on_pool(env_.pool, detect);
  if (fresh) log::info("codex changed on disk; detected it again", {{"task_id", task_.id}, {"path", exe.string()},
                       {"version", detection.raw}});
  if (!detection.usable) {
    feed([&] { machine_.preparation_failed({lc::preparation_failure::stage::environment,
                                            env_.provider + " is not usable: " + detection.problem}); });
    co_return;
  }
  // Again against the release just detected: it may have changed since the claim.
  if (auto why = proto::codex::check_turn_settings(checked_.turn, proto::codex::parse_release(detection.version->to_string()));
      !why.empty()) {
    feed([&] { machine_.preparation_failed({lc::preparation_failure::stage::environment, why}); });
    co_return;
  }
  request_ = prepare_request_for(env_, task_, detection.version ? detection.version->to_string() : "");
  auto request = request_;
  auto work = [request] { return execenv::prepare_environment(request); };
  auto prepared = co_await on_pool(env_.pool, work);
  if (!prepared) {
    auto error = prepared.error().to_string();
    feed([&] { machine_.preparation_failed({lc::preparation_failure::stage::environment, error}); });
    co_return;
  }
  log::write_notices(prepared->notices);
  prepared_ = std::move(*prepared);
  if (auto ok = env_.journal.set_env_root(task_.id, prepared_->layout.root.string()); !ok)
    log::warn("cannot journal the task's folder; after a crash it is found by GC, not by recovery",
              {{"task_id", task_.id}, {"error", ok.error().to_string()}});
  if (!over_.repo.empty()) {
    // submit --repo: a fresh checkout in the task's folder, the user's own clone untouched.
    auto checkout = co_await check_out_repo(env_, task_, *prepared_, over_.repo);
    if (!checkout) {
      auto error = checkout.error().message;
      feed([&] { machine_.preparation_failed({lc::preparation_failure::stage::checkout, error, true}); });
      co_return;
    }
    over_.agent_cwd = checkout->path;
  }
  feed([&] { machine_.prepared(); });
}

void task_shell::spawn_agent(bool held) {
  // The agent's capability lives exactly as long as its run.
  std::string capability;
  if (env_.grants)
    capability = env_.grants->issue({task_.id, task_.workspace_id, task_.issue_id, task_.agent_id,
                                     task_.agent ? task_.agent->name : "", prepared_->layout.workdir,
                                     prepared_->layout.root, task_.auth_token.starts_with("mat_") ? task_.auth_token : ""});
  granted_.emplace(capability.empty() ? nullptr : env_.grants, capability);
  auto options = run_options(env_, task_, *prepared_, request_, checked_, capability, over_);
  options.hold_session = held;
  std::weak_ptr<task_shell> weak = shared_from_this();
  options.on_activity = [weak](const proto::codex::activity& a) {
    if (auto self = weak.lock()) self->feed([&] { self->machine_.activity(a); });
  };
  auto on_event = [weak](const proto::codex::event& e) {
    if (auto self = weak.lock()) {
      self->batcher_.add(e);
      self->feed([&] { self->machine_.event_added(); });
    }
  };
  auto on_started = [this](pid_t pgid) {
    auto start = agent::process_start_time(pgid).value_or(0);
    if (auto ok = env_.journal.set_agent(task_.id, pgid, start, agent::boot_id()); !ok)
      log::warn("cannot journal the agent's process group; a daemon crash now would leave it running",
                {{"task_id", task_.id}, {"error", ok.error().to_string()}});
  };
  run_ = std::make_shared<agent::codex_run>(ex_, std::move(options), on_event, on_started);
  auto self = shared_from_this();
  async::spawn_guarded(ex_, "the agent run", run_agent(self, run_), [self](const std::string& e) {
    if (self->granted_) self->granted_->revoke();
    lc::agent_end end;
    end.outcome.result = proto::codex::outcome::status::failed;
    end.outcome.error = "internal error: " + e;
    end.exit = proto::exit_status::unknown("the run failed");
    self->feed([&] { self->machine_.agent_ended(std::move(end)); });
  });
}

void task_shell::agent_not_spawned(const std::string& what) {
  log::error("internal error while running a task", {{"task_id", task_.id}, {"error", what}});
  if (granted_) granted_->revoke();
  run_.reset();
  lc::agent_end end;
  end.outcome.result = proto::codex::outcome::status::failed;
  end.outcome.error = "internal error: codex could not be started: " + what;
  end.exit = proto::exit_status::unknown("never started");
  feed([&] { machine_.agent_ended(std::move(end)); });
}

asio::awaitable<void> task_shell::run_agent(std::shared_ptr<task_shell> self, std::shared_ptr<agent::codex_run> run) {
  auto result = co_await run->run();
  self->agent_ran(std::move(result));
}

void task_shell::agent_ran(agent::codex_run_result result) {
  if (granted_) granted_->revoke();  // no agent process is left to use it
  if (env_.stats && result.start_latency)
    env_.stats->codex_start_seconds.observe(static_cast<double>(result.start_latency->count()) / 1000.0);
  if (auto ok = env_.journal.clear_agent(task_.id); !ok)
    log::warn("cannot clear the agent from the journal; the next start checks a process that is gone",
              {{"task_id", task_.id}, {"error", ok.error().to_string()}});
  if (!result.survivors.empty())
    log::error("processes of the task survived SIGKILL", {{"task_id", task_.id},
               {"count", std::to_string(result.survivors.size())}});
  lc::agent_end end{std::move(result.outcome), std::move(result.stderr_tail), result.exit};
  feed([&] { machine_.agent_ended(std::move(end)); });
}

asio::awaitable<task_end> task_shell::run() {
  task_counter counted(env_.stats);
  std::weak_ptr<task_shell> weak = shared_from_this();
  env_.registry.add({task_.id, task_.issue_id, task_.workspace_id, task_.runtime_id, std::chrono::system_clock::now(),
                     [weak](const std::string& reason) {
                       if (auto self = weak.lock()) self->shutdown(reason);
                     },
                     [weak] {
                       auto self = weak.lock();
                       return self ? self->liveness() : task_liveness{};
                     }});
  struct unregister {
    task_environment& env;
    std::string id;
    ~unregister() { env.registry.remove(id); }
  } guard{env_, task_.id};
  log::info("task claimed", {{"task_id", task_.id}, {"issue_id", task_.issue_id}, {"workspace_id", task_.workspace_id}});

  // The release the runtime was registered with (cached; no probe here):
  // a setting it does not accept fails the task before anything starts.
  std::optional<proto::codex::release> codex_release;
  if (auto seen = env_.versions.cached(env_.codex_exe); seen && seen->version)
    codex_release = proto::codex::parse_release(seen->version->to_string());
  checked_ = agent::check_agent_settings(task_, env_.settings.codex, codex_release);
  over_ = env_.overrides ? env_.overrides(task_) : task_overrides{};
  feed([&] { machine_.begin(refusal()); });
  while (!end_) {
    finished_.expires_at(asio::steady_timer::time_point::max());
    co_await finished_.async_wait(use_tuple);
  }
  timers_.cancel_all();
  if (gc_meta_due_ && prepared_) co_await write_gc_meta(env_, task_, prepared_->layout.root);
  counted.ended(*end_);
  co_return *end_;
}

asio::awaitable<task_end> run_task(task_environment& env, proto::task task) {
  auto shell = std::make_shared<task_shell>(env, std::move(task), co_await asio::this_coro::executor);
  co_return co_await shell->run();
}

}  // namespace multicad::core
