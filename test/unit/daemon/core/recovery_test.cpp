// Crash recovery against a real store and real processes: a journaled agent
// is stopped only when it provably is that agent; a pid that now belongs to
// another process is left alone; each task is reported exactly once.
#include "daemon/core/recovery.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>

#include "daemon/agent/process_tree.hpp"
#include "daemon/store/journal.hpp"
#include "daemon/store/outbox.hpp"
#include "daemon/store/schema.hpp"
#include "test/support/process_exit.hpp"
#include "test/support/temp_dir.hpp"

using namespace multicad;
using namespace std::chrono_literals;

namespace {

// Records what recovery reports; the network side is not used by recovery.
struct recording_channel : core::task_channel {
  std::vector<std::string> failed, forgotten;
  std::vector<std::string> errors;
  boost::asio::awaitable<std::optional<core::start_failure>> start(const std::string&) override { co_return std::nullopt; }
  boost::asio::awaitable<void> progress(const std::string&, const std::string&, int, int) override { co_return; }
  boost::asio::awaitable<core::remote_state> poll(const std::string&) override { co_return core::remote_state::running; }
  void messages(const std::string&, std::vector<proto::server::task_message>) override {}
  void usage(const std::string&, std::vector<proto::server::usage_entry>) override {}
  void complete(const std::string&, const proto::server::complete_request&) override {}
  void fail(const std::string& id, const std::string& error) override {
    failed.push_back(id);
    errors.push_back(error);
  }
  void forget(const std::string& id) override { forgotten.push_back(id); }
};

// `sleep 60` as the leader of its own process group, like an agent; reaped by the destructor.
struct sleeper {
  pid_t pid = -1;
  sleeper() {
    pid = ::fork();
    if (pid == 0) {
      ::setpgid(0, 0);
      ::execlp("sleep", "sleep", "60", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::setpgid(pid, pid);  // also from the parent, so the group exists before the test looks
  }
  bool alive() {
    int status = 0;
    return ::waitpid(pid, &status, WNOHANG) == 0;
  }
  bool ends_within(std::chrono::milliseconds limit) { return test::wait_exit(pid, limit); }
  // Kills it with `sig` and returns the signal it actually died of: a signal
  // someone else sent before (and which already sealed its fate) wins.
  int killed_by_after(int sig) {
    ::kill(pid, sig);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    pid = -1;
    return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  }
  ~sleeper() {
    if (pid > 0 && alive()) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
};

store::database open_store(const test::temp_dir& d) {
  auto db = store::database::open(d / "state/multicad.sqlite3", store::migrations());
  REQUIRE(db.has_value());
  return std::move(*db);
}

}  // namespace

TEST_CASE("recovery stops a journaled agent that is provably ours and fails its task once", "[daemon][recovery]") {
  test::temp_dir d;
  auto db = open_store(d);
  sleeper agent;
  auto start = agent::process_start_time(agent.pid);
  REQUIRE(start.has_value());
  store::journal journal(db);
  REQUIRE(journal.record({"task-1", "server", "rt", "ws"}).has_value());
  REQUIRE(journal.set_agent("task-1", agent.pid, *start, agent::boot_id()).has_value());

  recording_channel channel;
  CHECK(core::recover_interrupted_tasks(db, channel, "server") == 1);
  CHECK(agent.ends_within(5s));
  REQUIRE(channel.failed == std::vector<std::string>{"task-1"});
  CHECK(channel.errors.at(0) == core::interrupted_by_restart);
}

TEST_CASE("recovery leaves alone a journaled pid that now belongs to another process", "[daemon][recovery]") {
  test::temp_dir d;
  auto db = open_store(d);
  sleeper stranger;  // the pid was reused: its start time differs from the journaled one
  auto start = agent::process_start_time(stranger.pid);
  REQUIRE(start.has_value());
  store::journal journal(db);
  REQUIRE(journal.record({"task-2", "server", "rt", "ws"}).has_value());
  auto boot_id_to_journal = GENERATE(as<std::string>{}, "same boot, other start", "other boot, same start");
  if (boot_id_to_journal == "same boot, other start")
    REQUIRE(journal.set_agent("task-2", stranger.pid, *start + 1, agent::boot_id()).has_value());
  else
    REQUIRE(journal.set_agent("task-2", stranger.pid, *start, "another-boot").has_value());

  recording_channel channel;
  CHECK(core::recover_interrupted_tasks(db, channel, "server") == 1);
  // Recovery signals synchronously; a SIGKILL it had sent would already have
  // doomed the process, and the kernel would drop our later SIGTERM. Dying of
  // our SIGTERM proves nobody killed it before, without waiting for anything.
  CHECK(stranger.killed_by_after(SIGTERM) == SIGTERM);
  CHECK(channel.failed == std::vector<std::string>{"task-2"});  // the task is still reported, once
}

TEST_CASE("recovery delivers a queued final report instead of failing the task", "[daemon][recovery]") {
  test::temp_dir d;
  auto db = open_store(d);
  store::journal journal(db);
  REQUIRE(journal.record({"task-3", "server", "rt", "ws"}).has_value());
  REQUIRE(journal.record({"task-4", "local", "", ""}).has_value());
  store::outbox outbox(db);
  REQUIRE(outbox.enqueue("task-3", "complete", "{\"output\":\"done\"}", 1).has_value());

  recording_channel channel;
  CHECK(core::recover_interrupted_tasks(db, channel, "server") == 1);  // task-4 belongs to local mode
  CHECK(channel.failed.empty());
  CHECK(channel.forgotten == std::vector<std::string>{"task-3"});
}
