// DESIGN: one main coroutine owns the run's progress; three helper
// coroutines feed it (stdout lines into the session, stderr into the log,
// the exit status) and wake it through notify(). The main loop sleeps on a
// timer whose expiry is the next deadline of the current phase:
//   running  -> start_limit until the turn starts, then no deadline
//   stopping -> interrupt_grace for turn/completed after turn/interrupt
//   closing  -> step_grace after closing stdin, then SIGTERM to the group,
//               step_grace, then SIGKILL to the group and marked strays.
// Everything touches impl only on the executor's thread; the helpers hold
// a shared_ptr so they may finish after run() returns.
#include "daemon/agent/codex_run.hpp"

#include <signal.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/writable_pipe.hpp>
#include <boost/asio/write.hpp>
#include <deque>

#include "daemon/agent/process_group.hpp"
#include "daemon/agent/process_tree.hpp"
#include "daemon/agent/process_v2.hpp"
#include "daemon/log/log.hpp"

namespace multicad::agent {
namespace asio = boost::asio;
namespace bp = boost::process::v2;
using clock = std::chrono::steady_clock;
using proto::codex::session;

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

log::level to_log_level(proto::codex::log_note::level l) {
  switch (l) {
    case proto::codex::log_note::level::debug: return log::level::debug;
    case proto::codex::log_note::level::info: return log::level::info;
    case proto::codex::log_note::level::warn: return log::level::warn;
    case proto::codex::log_note::level::error: return log::level::error;
  }
  return log::level::info;
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
        session_(options.session), in(ex), out(ex), err(ex), wake(ex), held(options.hold_session) {}

  asio::any_io_executor exec;
  codex_run_options options;
  event_handler on_event;
  started_handler on_started;
  session session_;
  asio::writable_pipe in;
  asio::readable_pipe out, err;
  std::optional<bp::process> proc;
  pid_t pgid = 0;

  asio::steady_timer wake;
  bool held;  // the session waits for release() (hold_session)
  bool dirty = false;
  std::deque<std::string> writes;
  bool writing = false;
  bool stdin_closed = false;
  bool stdout_done = false, stderr_done = false, exited = false;
  std::optional<int> exit_code;
  bool stop_requested = false;
  std::string stop_reason;
  std::string stderr_tail;
  int helpers_running = 0;
  clock::time_point spawned_at;
  std::optional<std::chrono::milliseconds> start_latency;

  void notify() {
    dirty = true;
    wake.cancel();
  }

  asio::awaitable<void> wait_change(clock::time_point deadline) {
    if (!dirty) {
      wake.expires_at(deadline);
      co_await wake.async_wait(use_tuple);
    }
    dirty = false;
  }

  void log_note(const proto::codex::log_note& n) {
    auto f = n.fields;
    f.insert(f.begin(), {"task_id", options.task_id});
    log::write(to_log_level(n.severity), n.message, f);
  }

  // Moves everything the session produced to its destination.
  void drain_session() {
    if (!start_latency && session_.current_state() == session::state::in_turn)
      start_latency = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - spawned_at);
    for (auto& line : session_.take_lines()) queue_write(std::move(line));
    for (const auto& e : session_.take_events()) on_event(e);
    for (const auto& n : session_.take_notes()) log_note(n);
  }

  void queue_write(std::string line) {
    if (stdin_closed) return;
    writes.push_back(std::move(line));
    if (!writing) {
      writing = true;
      ++helpers_running;
      asio::co_spawn(exec, [self = shared_from_this()] { return self->write_loop(); }, asio::detached);
    }
  }

  asio::awaitable<void> write_loop() {
    while (!writes.empty() && !stdin_closed) {
      auto line = std::move(writes.front());
      writes.pop_front();
      auto [ec, n] = co_await asio::async_write(in, asio::buffer(line), use_tuple);
      if (ec) break;  // Codex closed its stdin (it exited); the exit path reports that
    }
    writing = false;
    --helpers_running;
    notify();
  }

  void close_stdin() {
    if (stdin_closed) return;
    stdin_closed = true;
    writes.clear();
    boost::system::error_code ec;
    in.close(ec);
  }

  asio::awaitable<void> read_stdout();
  asio::awaitable<void> read_stderr();
  asio::awaitable<void> wait_exit();
  void feed(std::string_view chunk, std::string& line, std::size_t& discarding);
  bool spawn();
  asio::awaitable<void> drive();
  asio::awaitable<void> shut_down();
  codex_run_result finish();
};

bool codex_run::impl::spawn() {
  boost::system::error_code ec;
  exact_environment env(options.spawn.env);
  spawned_at = clock::now();
  auto p = bp::default_process_launcher()(exec, ec, options.spawn.exe, options.spawn.args,
                                          bp::process_stdio{in, out, err}, bp::process_start_dir{options.spawn.cwd},
                                          own_process_group{}, env, close_inherited_fds{});
  if (ec) {
    session_.start();
    (void)session_.take_lines();
    session_.on_exit(std::nullopt);
    stderr_tail = "cannot start " + options.spawn.exe.string() + ": " + ec.message();
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

asio::awaitable<void> codex_run::impl::read_stdout() {
  std::string line;
  std::size_t discarding = 0;
  std::vector<char> buf(64 * 1024);
  for (;;) {
    auto [ec, n] = co_await out.async_read_some(asio::buffer(buf), use_tuple);
    if (ec) break;
    feed(std::string_view(buf.data(), n), line, discarding);
    if (session_.finished()) notify();
  }
  stdout_done = true;
  --helpers_running;
  notify();
}

asio::awaitable<void> codex_run::impl::read_stderr() {
  std::string pending;
  std::vector<char> buf(16 * 1024);
  for (;;) {
    auto [ec, n] = co_await err.async_read_some(asio::buffer(buf), use_tuple);
    if (ec) break;
    pending.append(buf.data(), n);
    stderr_tail.append(buf.data(), n);
    if (stderr_tail.size() > stderr_tail_bytes) stderr_tail.erase(0, stderr_tail.size() - stderr_tail_bytes);
    for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
      if (log::enabled(log::level::debug))
        log::debug("[codex:stderr] " + pending.substr(0, std::min<std::size_t>(nl, 4096)), {{"task_id", options.task_id}});
      pending.erase(0, nl + 1);
    }
    if (pending.size() > 64 * 1024) pending.clear();  // a line without end: not worth keeping for a debug log
  }
  stderr_done = true;
  --helpers_running;
  notify();
}

asio::awaitable<void> codex_run::impl::wait_exit() {
  auto [ec, code] = co_await proc->async_wait(use_tuple);
  exited = true;
  if (!ec) exit_code = code;
  --helpers_running;
  notify();
}

// Runs until the session finished or the process is gone, honouring stop().
asio::awaitable<void> codex_run::impl::drive() {
  const auto start_deadline = clock::now() + options.start_limit;
  std::optional<clock::time_point> interrupt_deadline;
  while (!session_.finished() && !exited && !stdout_done) {
    if (held && stop_requested) break;  // nothing was sent: no turn to interrupt
    bool in_turn = session_.current_state() == session::state::in_turn;
    if (!in_turn && !stop_requested && clock::now() >= start_deadline) {
      stop_requested = true;
      stop_reason = "codex did not start a turn within " + std::to_string(options.start_limit.count() / 1000) + "s";
    }
    if (stop_requested && !interrupt_deadline) {
      session_.interrupt(stop_reason);
      drain_session();
      interrupt_deadline = clock::now() + options.interrupt_grace;
      continue;
    }
    if (interrupt_deadline && clock::now() >= *interrupt_deadline) break;  // Codex ignored turn/interrupt
    auto deadline = interrupt_deadline ? *interrupt_deadline : in_turn ? clock::time_point::max() : start_deadline;
    co_await wait_change(deadline);
  }
}

// Closes stdin, then escalates until the process and its strays are gone.
asio::awaitable<void> codex_run::impl::shut_down() {
  close_stdin();
  auto deadline = clock::now() + options.step_grace;
  while (!exited && clock::now() < deadline) co_await wait_change(deadline);
  if (!exited) {
    kill_process_group(pgid, SIGTERM);
    deadline = clock::now() + options.step_grace;
    while (!exited && clock::now() < deadline) co_await wait_change(deadline);
  }
}

codex_run_result codex_run::impl::finish() {
  codex_run_result r;
  if (!session_.finished()) {
    session_.on_exit(exit_code);
    drain_session();
  }
  r.outcome = session_.result();
  r.exit_code = exit_code;
  r.stderr_tail = stderr_tail;
  r.start_latency = start_latency;
  return r;
}

codex_run::codex_run(asio::any_io_executor ex, codex_run_options o, event_handler e, started_handler s)
    : impl_(std::make_shared<impl>(ex, std::move(o), std::move(e), std::move(s))) {}

codex_run::~codex_run() = default;

void codex_run::release() {
  auto& self = *impl_;
  if (!self.held || self.stop_requested) return;
  self.held = false;
  if (!self.proc) return;  // not spawned yet: run() starts the session
  self.session_.start();
  self.drain_session();
  self.notify();
}

void codex_run::stop(std::string reason) {
  if (impl_->stop_requested) return;
  impl_->stop_requested = true;
  impl_->stop_reason = std::move(reason);
  impl_->notify();
}

asio::awaitable<codex_run_result> codex_run::run() {
  auto self = impl_;
  if (!self->spawn()) {
    auto r = self->finish();
    r.outcome.error = self->stderr_tail;
    co_return r;
  }
  self->helpers_running = 3;
  asio::co_spawn(self->exec, [self] { return self->read_stdout(); }, asio::detached);
  asio::co_spawn(self->exec, [self] { return self->read_stderr(); }, asio::detached);
  asio::co_spawn(self->exec, [self] { return self->wait_exit(); }, asio::detached);
  if (!self->held) {
    self->session_.start();
    self->drain_session();
  }

  co_await self->drive();
  co_await self->shut_down();
  // Whatever is left (the leader ignoring SIGTERM, grandchildren holding the
  // pipes, children that left the group with setsid) dies here.
  auto survivors = kill_task_processes(self->pgid, self->options.task_id);
  while (!self->exited) co_await self->wait_change(clock::now() + std::chrono::milliseconds(100));
  // The pipes reach EOF once every holder is gone; do not wait forever for it.
  auto eof_deadline = clock::now() + self->options.step_grace;
  while ((!self->stdout_done || !self->stderr_done) && clock::now() < eof_deadline)
    co_await self->wait_change(eof_deadline);
  boost::system::error_code ec;
  self->out.close(ec);
  self->err.close(ec);
  auto r = self->finish();
  r.survivors = std::move(survivors);
  co_return r;
}

}  // namespace multicad::agent
