#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>

#include "daemon/store/database.hpp"
#include "daemon/store/journal.hpp"
#include "daemon/store/outbox.hpp"
#include "daemon/store/schema.hpp"
#include "test/support/process_exit.hpp"
#include "test/support/temp_dir.hpp"

using namespace multicad::store;
using multicad::test::temp_dir;

namespace {
database open_store(const temp_dir& d) {
  auto db = database::open(d / "state/multicad.sqlite3", migrations());
  INFO((db ? std::string() : db.error().message));
  REQUIRE(db.has_value());
  return std::move(*db);
}
// Opens `file` in `n` forked processes, held at a pipe until all exist and
// then let go at once; one entry per process: empty when it ended migrated,
// else what went wrong. Children leave with _exit: no Catch, no destructors.
std::vector<std::string> open_in_processes(const std::filesystem::path& file, int n) {
  int gate[2];
  REQUIRE(::pipe(gate) == 0);
  std::vector<std::pair<pid_t, int>> children;  // pid, read end of its report pipe
  for (int i = 0; i < n; ++i) {
    int report[2];
    REQUIRE(::pipe(report) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(gate[1]);
      ::close(report[0]);
      char c;
      while (::read(gate[0], &c, 1) < 0 && errno == EINTR) {}  // EOF: everyone is forked
      auto db = database::open(file, migrations());
      std::string why = !db ? db.error().message
                        : db->schema_version() != static_cast<int>(migrations().size()) ? "not migrated" : "";
      if (!why.empty() && ::write(report[1], why.data(), why.size()) < 0) ::_exit(2);
      ::_exit(why.empty() ? 0 : 1);
    }
    ::close(report[1]);
    children.emplace_back(pid, report[0]);
  }
  ::close(gate[0]);
  ::close(gate[1]);  // releases them all at once
  std::vector<std::string> out;
  for (auto [pid, fd] : children) {
    REQUIRE(multicad::test::wait_exit(pid, std::chrono::seconds(30)));
    int status = 0;
    ::waitpid(pid, &status, 0);
    std::string why;
    char buf[512];
    for (ssize_t k; (k = ::read(fd, buf, sizeof buf)) > 0;) why.append(buf, static_cast<std::size_t>(k));
    ::close(fd);
    if (why.empty() && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) why = "exit status " + std::to_string(status);
    out.push_back(why);
  }
  return out;
}

}  // namespace

TEST_CASE("the store is created with the newest schema and a private folder", "[daemon][store]") {
  temp_dir d;
  auto db = open_store(d);
  CHECK(db.schema_version() == static_cast<int>(migrations().size()));
  CHECK((std::filesystem::status(d / "state").permissions() & std::filesystem::perms::all) ==
        std::filesystem::perms::owner_all);
  auto again = open_store(d);  // reopening migrates nothing
  CHECK(again.schema_version() == db.schema_version());
}

TEST_CASE("a store newer than this build is refused with advice", "[daemon][store]") {
  temp_dir d;
  { auto db = open_store(d); REQUIRE(db.exec("PRAGMA user_version = 99").has_value()); }
  auto db = database::open(d / "state/multicad.sqlite3", migrations());
  REQUIRE_FALSE(db.has_value());
  CHECK_THAT(db.error().message, Catch::Contains("schema version 99") && Catch::Contains("upgrade multicad"));
}

TEST_CASE("two processes opening a fresh store at once both end migrated", "[daemon][store]") {
  temp_dir d;
  int ok = 0;
  std::string errors;
  // Many rounds: the race is on the switch to WAL of a file nobody has set
  // up yet, so it only shows while all openers start on a fresh file. Real
  // processes (a CLI and the daemon), as SQLite's file locks see them.
  // (Eight processes a round: with four, a store without the WAL retry
  // still passed most runs on two cores.)
  constexpr int rounds = 80, openers = 8;
  for (int round = 0; round < rounds; ++round) {
    auto file = d / ("state/" + std::to_string(round) + ".sqlite3");
    for (const auto& r : open_in_processes(file, openers)) {
      if (r.empty()) ++ok;
      else if (errors.empty()) errors = r;
    }
  }
  INFO(errors);
  CHECK(ok == rounds * openers);
}

TEST_CASE("the journal records and updates and forgets running tasks", "[daemon][store]") {
  temp_dir d;
  auto db = open_store(d);
  journal j(db);
  REQUIRE(j.record({"t1", "server", "r1", "w1", "", 0, 0, "", 100}).has_value());
  REQUIRE(j.record({"t2", "local", "", "", "", 0, 0, "", 200}).has_value());
  REQUIRE(j.set_env_root("t1", "/ws/w1/t1").has_value());
  REQUIRE(j.set_agent("t1", 4242, 987654, "boot-a").has_value());
  auto rows = j.list().value();
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].task_id == "t1");
  CHECK(rows[0].env_root == "/ws/w1/t1");
  CHECK(rows[0].agent_pgid == 4242);
  CHECK(rows[0].agent_start == 987654);
  CHECK(rows[0].boot_id == "boot-a");
  CHECK(rows[1].source == "local");
  REQUIRE(j.clear_agent("t1").has_value());
  CHECK(j.list().value()[0].agent_pgid == 0);
  REQUIRE(j.remove("t1").has_value());
  CHECK(j.list().value().size() == 1);
}

TEST_CASE("an ending task's last reports are handed out together with message batches in order", "[daemon][store]") {
  temp_dir d;
  auto db = open_store(d);
  outbox o(db);
  auto m1 = o.enqueue("a", "messages", "{}", 10).value();
  auto m2 = o.enqueue("a", "messages", "{}", 11).value();
  CHECK(o.due(100).value().size() == 1);  // still running: the head alone
  auto u = o.enqueue("a", "usage", "{}", 12).value();
  auto c = o.enqueue("a", "complete", "{}", 13).value();
  CHECK(o.has_final("a").value());
  auto ids = [&](std::int64_t now) {
    std::vector<std::int64_t> out;
    for (const auto& i : o.due(now).value()) out.push_back(i.id);
    return out;
  };
  CHECK(ids(100) == std::vector<std::int64_t>{m1, u, c});  // m2 waits for m1
  REQUIRE(o.retry_later(m1, 500, "connection refused").has_value());
  CHECK(ids(100) == std::vector<std::int64_t>{u, c});  // a retried batch holds back only the next batch
  CHECK(o.next_due(100).value() == std::optional<std::int64_t>(500));
  REQUIRE(o.delivered(m1).has_value());
  CHECK(ids(100) == std::vector<std::int64_t>{m2, u, c});
  REQUIRE(o.delivered(c).has_value());
  REQUIRE(o.enqueue("a", "fail", "{}", 14).has_value());  // a refused complete becomes a fail
  CHECK(ids(100).size() == 3);
}

TEST_CASE("the outbox hands out one head per running task in order", "[daemon][store]") {
  temp_dir d;
  auto db = open_store(d);
  outbox o(db);
  auto a1 = o.enqueue("a", "messages", "{\"messages\":[]}", 10).value();
  auto b1 = o.enqueue("b", "messages", "{}", 11).value();
  auto a2 = o.enqueue("a", "messages", "{}", 12).value();
  auto due = o.due(100).value();
  REQUIRE(due.size() == 2);
  CHECK(due[0].id == a1);
  CHECK(due[1].id == b1);
  CHECK_FALSE(o.has_final("a").value());

  REQUIRE(o.retry_later(a1, 500, "connection refused").has_value());
  due = o.due(100).value();
  REQUIRE(due.size() == 1);  // a's head waits; a2 must not overtake it
  CHECK(due[0].id == b1);
  CHECK(o.next_due().value() == std::optional<std::int64_t>(0));
  CHECK(o.next_due(100).value() == std::optional<std::int64_t>(500));  // heads due now are left out
  CHECK(o.next_due(500).value() == std::nullopt);
  CHECK(o.due(100, 0).value().empty());
  REQUIRE(o.delivered(b1).has_value());
  CHECK(o.next_due().value() == std::optional<std::int64_t>(500));
  due = o.due(600).value();
  REQUIRE(due.size() == 1);
  CHECK(due[0].id == a1);
  CHECK(due[0].attempts == 1);
  CHECK(due[0].last_error == "connection refused");
  REQUIRE(o.delivered(a1).has_value());
  CHECK(o.due(600).value().at(0).id == a2);
  auto depth = o.depth().value();
  CHECK(depth.items == 1);
  CHECK(depth.oldest->id == a2);
}

TEST_CASE("a failed transaction leaves nothing behind", "[daemon][store]") {
  temp_dir d;
  auto db = open_store(d);
  outbox o(db);
  auto r = db.transaction([&]() -> result<void> {
    (void)o.enqueue("a", "fail", "{}", 1);
    return store_error{"simulated"};
  });
  CHECK_FALSE(r.has_value());
  CHECK(o.depth().value().items == 0);
}

TEST_CASE("store errors carry a kind that does not depend on SQLite's wording", "[daemon][store]") {
  temp_dir d;
  { auto db = open_store(d); REQUIRE(db.exec("PRAGMA user_version = 99").has_value()); }
  auto newer = database::open(d / "state/multicad.sqlite3", migrations());
  REQUIRE_FALSE(newer.has_value());
  CHECK(newer.error().kind == store_fault::newer_schema);
  temp_dir fresh;
  auto db = open_store(fresh);
  auto bad = db.query("SELECT * FROM no_such_table");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().kind == store_fault::other);
  CHECK(fault_of_sqlite(5 /* SQLITE_BUSY */) == store_fault::busy);
  CHECK(fault_of_sqlite(13 /* SQLITE_FULL */) == store_fault::full);
  CHECK(fault_of_sqlite(261 /* SQLITE_BUSY_RECOVERY */) == store_fault::busy);
}
