// DESIGN: the agent machine decides, this file does. Three reader
// coroutines (stdout lines into the session, stderr into the log, the exit
// status) and three timers turn what happens into the machine's inputs;
// apply() carries out the commands it answers with. Inputs that arrive
// while commands run (an interrupt that finishes the session at once) only
// queue more commands, which apply() runs after the current ones, in
// order. run() waits for the machine's `finished`. Everything touches impl
// on the executor's thread; the readers hold a shared_ptr so they may
// finish after run() returns.
#include "daemon/agent/codex_run.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/writable_pipe.hpp>
#include <boost/asio/write.hpp>
#include <array>
#include <deque>

#include "daemon/agent/process_group.hpp"
#include "daemon/agent/process_tree.hpp"
#include "daemon/agent/process_v2.hpp"
#include "daemon/async/guarded.hpp"
#include "daemon/log/log.hpp"
#include "daemon/log/notices.hpp"

namespace multicad::agent {
namespace asio = boost::asio;
namespace bp = boost::process::v2;
namespace lc = proto::lifecycle;
using clock = std::chrono::steady_clock;
using proto::codex::session;
using agent_timer = lc::agent_cmd::timer;

namespace {

constexpr std::size_t stderr_tail_bytes = 8 * 1024;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// A Boost.Process v2 initializer that hands the child exactly our environment.
struct exact_environment {
  std::vector<char*> envp;
  explicit exact_environment(const std::vector<std::string>& env) {
    for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
  }
  template <class Launcher, class Path>
  boost::system::error_code on_setup(Launcher& l, const Path&, const char* const*&) {
    l.env = envp.data();
    return {};
  }
};

// waitpid's status word, in words.
proto::exit_status decode_wait_status(int status) {
  if (WIFEXITED(status)) return proto::exit_status::exited(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return proto::exit_status::killed(WTERMSIG(status));
  return proto::exit_status::unknown("wait status " + std::to_string(status));
}

}  // namespace

std::vector<std::string> codex_args(const std::vector<std::string>& checked_custom_args) {
  std::vector<std::string> out{"app-server", "--listen", "stdio://"};
  out.insert(out.end(), checked_custom_args.begin(), checked_custom_args.end());
  return out;
}

struct codex_run::impl : std::enable_shared_from_this<impl> {
  impl(asio::any_io_executor ex, codex_run_options o, event_handler e, started_handler s)
      : exec(ex), options(std::move(o)), on_event(std::move(e)), on_started(std::move(s)),
        session_(options.session), machine(options.limits), in(ex), out(ex), err(ex), done(ex),
        timers{asio::steady_timer(ex), asio::steady_timer(ex), asio::steady_timer(ex)} {}

  asio::any_io_executor exec;
  codex_run_options options;
  event_handler on_event;
  started_handler on_started;
  session session_;
  lc::agent_machine machine;
  asio::writable_pipe in;
  asio::readable_pipe out, err;
  std::optional<bp::process> proc;
  pid_t pgid = 0;
  asio::steady_timer done;  // cancelled when the machine finishes
  std::array<asio::steady_timer, 3> timers;  // by agent_cmd::timer
  std::array<unsigned, 3> timer_generation{};
  bool applying = false;
  bool turn_seen = false, session_end_seen = false;

  std::deque<std::string> writes;
  bool writing = false;
  bool stdin_closed = false;
  bool stdout_done = false, stderr_done = false;
  std::optional<proto::exit_status> exit;
  std::string stderr_tail;
  std::string internal_error;  // a reader that threw: the run fails with this
  std::vector<pid_t> survivors;
  clock::time_point spawned_at;
  std::optional<std::chrono::milliseconds> start_latency;

  void apply();
  void execute(const lc::agent_command& c);
  void arm(agent_timer which, std::chrono::milliseconds after);
  void cancel(agent_timer which);

  // Moves everything the session produced to its destination, and tells the
  // machine when the turn began or the session ended.
  void drain_session() {
    if (!turn_seen && session_.current_state() == session::state::in_turn) {
      turn_seen = true;
      start_latency = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - spawned_at);
      machine.turn_started();
    }
    for (auto& line : session_.take_lines()) queue_write(std::move(line));
    for (const auto& e : session_.take_events()) on_event(e);
    auto activity = session_.take_activity();
    if (!activity.empty() && options.on_activity) {
      const auto now = std::chrono::system_clock::now();
      for (auto& a : activity) {
        a.at = now;
        options.on_activity(a);
      }
    }
    for (const auto& n : session_.take_notes()) log::write_task_note(n, options.task_id);
    if (!session_end_seen && session_.finished()) {
      session_end_seen = true;
      machine.session_finished();
    }
    apply();
  }

  void queue_write(std::string line) {
    if (stdin_closed) return;
    writes.push_back(std::move(line));
    if (!writing) {
      writing = true;
      async::spawn_guarded(exec, "writing to codex", write_loop(shared_from_this()));
    }
  }

  static asio::awaitable<void> write_loop(std::shared_ptr<impl> self) {
    while (!self->writes.empty() && !self->stdin_closed) {
      auto line = std::move(self->writes.front());
      self->writes.pop_front();
      auto [ec, n] = co_await asio::async_write(self->in, asio::buffer(line), use_tuple);
      if (ec) break;  // Codex closed its stdin (it exited); the exit path reports that
    }
    self->writing = false;
  }

  void close_stdin() {
    if (stdin_closed) return;
    stdin_closed = true;
    writes.clear();
    boost::system::error_code ec;
    in.close(ec);
  }

  // A reader that threw: fail the run with what broke, and let the machine
  // carry on as if its stream had ended.
  void reader_failed(const std::string& what, const std::string& error) {
    if (internal_error.empty()) internal_error = what + " failed: " + error;
    machine.stop("internal error: " + internal_error);
    apply();
  }

  static asio::awaitable<void> read_stdout(std::shared_ptr<impl> self);
  static asio::awaitable<void> read_stderr(std::shared_ptr<impl> self);
  static asio::awaitable<void> wait_exit(std::shared_ptr<impl> self);
  void stdout_ended();
  void stderr_ended();
  void feed(std::string_view chunk, std::string& line, std::size_t& discarding);
  bool spawn();
  codex_run_result finish();
};

void codex_run::impl::apply() {
  if (applying) return;  // the outer call runs what the inner inputs queued
  applying = true;
  struct reset {
    bool& flag;
    ~reset() { flag = false; }
  } guard{applying};
  for (auto cmds = machine.take_commands(); !cmds.empty(); cmds = machine.take_commands())
    for (const auto& c : cmds) execute(c);
}

void codex_run::impl::execute(const lc::agent_command& c) {
  namespace ac = lc::agent_cmd;
  if (std::get_if<ac::start_session>(&c)) {
    session_.start();
    drain_session();
  } else if (auto* i = std::get_if<ac::interrupt_session>(&c)) {
    session_.interrupt(i->reason);
    drain_session();
  } else if (std::get_if<ac::close_stdin>(&c)) {
    close_stdin();
  } else if (std::get_if<ac::terminate_group>(&c)) {
    kill_process_group(pgid, SIGTERM);
  } else if (std::get_if<ac::kill_all>(&c)) {
    // Whatever is left (the leader ignoring SIGTERM, grandchildren holding
    // the pipes, children that left the group with setsid) dies here.
    survivors = kill_task_processes(pgid, options.task_id);
  } else if (auto* a = std::get_if<ac::arm_timer>(&c)) {
    arm(a->which, a->after);
  } else if (auto* x = std::get_if<ac::cancel_timer>(&c)) {
    cancel(x->which);
  } else if (std::get_if<ac::close_pipes>(&c)) {
    boost::system::error_code ec;
    out.close(ec);
    err.close(ec);
  } else if (std::get_if<ac::finished>(&c)) {
    done.cancel();
  }
}

void codex_run::impl::arm(agent_timer which, std::chrono::milliseconds after) {
  auto i = static_cast<std::size_t>(which);
  auto generation = ++timer_generation[i];
  timers[i].expires_after(after);
  timers[i].async_wait([self = shared_from_this(), which, i, generation](boost::system::error_code ec) {
    if (ec || self->timer_generation[i] != generation) return;  // cancelled or re-armed
    self->machine.timer_fired(which);
    self->apply();
  });
}

void codex_run::impl::cancel(agent_timer which) {
  auto i = static_cast<std::size_t>(which);
  ++timer_generation[i];
  timers[i].cancel();
}

bool codex_run::impl::spawn() {
  boost::system::error_code ec;
  exact_environment env(options.spawn.env);
  spawned_at = clock::now();
  auto p = bp::default_process_launcher()(exec, ec, options.spawn.exe, options.spawn.args,
                                          bp::process_stdio{in, out, err}, bp::process_start_dir{options.spawn.cwd},
                                          own_process_group{}, env, close_inherited_fds{});
  if (ec) {
    stderr_tail = "cannot start " + options.spawn.exe.string() + ": " + ec.message();
    exit = proto::exit_status::unknown(stderr_tail);
    session_.start();
    (void)session_.take_lines();  // nobody to send them to: the process does not exist
    session_.on_exit(*exit);
    return false;
  }
  proc.emplace(std::move(p));
  pgid = proc->id();
  if (on_started) on_started(pgid);
  return true;
}

void codex_run::impl::feed(std::string_view chunk, std::string& line, std::size_t& discarding) {
  while (!chunk.empty()) {
    auto nl = chunk.find('\n');
    auto part = chunk.substr(0, nl);
    if (discarding > 0) {
      discarding += part.size();
    } else if (line.size() + part.size() > options.max_line_bytes) {
      discarding = line.size() + part.size();  // stop buffering; count the rest of the line
      line.clear();
      line.shrink_to_fit();
    } else {
      line.append(part);
    }
    if (nl == std::string_view::npos) return;
    if (discarding > 0) session_.on_overlong_line(discarding);
    else session_.on_line(line);
    discarding = 0;
    line.clear();
    drain_session();
    chunk.remove_prefix(nl + 1);
  }
}

void codex_run::impl::stdout_ended() {
  stdout_done = true;
  machine.stdout_closed();
  if (stderr_done) machine.streams_closed();
  apply();
}

void codex_run::impl::stderr_ended() {
  stderr_done = true;
  if (stdout_done) machine.streams_closed();
  apply();
}

asio::awaitable<void> codex_run::impl::read_stdout(std::shared_ptr<impl> self) {
  std::string line;
  std::size_t discarding = 0;
  std::vector<char> buf(64 * 1024);
  for (;;) {
    auto [ec, n] = co_await self->out.async_read_some(asio::buffer(buf), use_tuple);
    if (ec) break;
    self->feed(std::string_view(buf.data(), n), line, discarding);
  }
  self->stdout_ended();
}

asio::awaitable<void> codex_run::impl::read_stderr(std::shared_ptr<impl> self) {
  std::string pending;
  std::vector<char> buf(16 * 1024);
  for (;;) {
    auto [ec, n] = co_await self->err.async_read_some(asio::buffer(buf), use_tuple);
    if (ec) break;
    pending.append(buf.data(), n);
    auto& tail = self->stderr_tail;
    tail.append(buf.data(), n);
    if (tail.size() > stderr_tail_bytes) tail.erase(0, tail.size() - stderr_tail_bytes);
    for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
      if (log::enabled(log::level::debug))
        log::debug("[codex:stderr] " + pending.substr(0, std::min<std::size_t>(nl, 4096)),
                   {{"task_id", self->options.task_id}});
      pending.erase(0, nl + 1);
    }
    if (pending.size() > 64 * 1024) pending.clear();  // a line without end: not worth keeping for a debug log
  }
  self->stderr_ended();
}

asio::awaitable<void> codex_run::impl::wait_exit(std::shared_ptr<impl> self) {
  auto [ec, code] = co_await self->proc->async_wait(use_tuple);
  self->exit = ec ? proto::exit_status::unknown(ec.message()) : decode_wait_status(self->proc->native_exit_code());
  self->machine.exited();
  self->apply();
}

codex_run_result codex_run::impl::finish() {
  codex_run_result r;
  if (!session_.finished()) {
    session_.on_exit(exit.value_or(proto::exit_status::unknown("not reaped")));
    drain_session();
  }
  r.outcome = session_.result();
  if (!internal_error.empty()) {
    r.outcome.result = proto::codex::outcome::status::failed;
    r.outcome.error = "internal error: " + internal_error;
  }
  r.exit = exit.value_or(proto::exit_status::unknown("not reaped"));
  r.stderr_tail = stderr_tail;
  r.start_latency = start_latency;
  r.survivors = survivors;
  return r;
}

codex_run::codex_run(asio::any_io_executor ex, codex_run_options o, event_handler e, started_handler s)
    : impl_(std::make_shared<impl>(ex, std::move(o), std::move(e), std::move(s))) {}

codex_run::~codex_run() = default;

void codex_run::release() {
  impl_->machine.release();
  impl_->apply();
}

void codex_run::stop(std::string reason) {
  impl_->machine.stop(std::move(reason));
  impl_->apply();
}

asio::awaitable<codex_run_result> codex_run::run() {
  auto self = impl_;
  if (!self->spawn()) {
    auto r = self->finish();
    r.outcome.error = self->stderr_tail;
    co_return r;
  }
  // A reader that threw ends its stream for the machine, so the stop ladder
  // still runs to its end and run() returns.
  async::spawn_guarded(self->exec, "reading codex's stdout", impl::read_stdout(self), [self](const std::string& e) {
    self->reader_failed("reading stdout", e);
    self->stdout_ended();
  });
  async::spawn_guarded(self->exec, "reading codex's stderr", impl::read_stderr(self), [self](const std::string& e) {
    self->reader_failed("reading stderr", e);
    self->stderr_ended();
  });
  async::spawn_guarded(self->exec, "waiting for codex to exit", impl::wait_exit(self), [self](const std::string& e) {
    self->reader_failed("waiting for exit", e);
    if (!self->exit) self->exit = proto::exit_status::unknown(e);
    self->machine.exited();
    self->apply();
  });
  self->machine.spawned(self->options.hold_session);
  self->apply();
  while (!self->machine.done()) {
    self->done.expires_at(asio::steady_timer::time_point::max());
    co_await self->done.async_wait(use_tuple);
  }
  co_return self->finish();
}

}  // namespace multicad::agent
