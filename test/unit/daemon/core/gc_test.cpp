#include <catch2/catch.hpp>

#include "daemon/core/disk_guard.hpp"
#include "daemon/core/gc.hpp"
#include "test/support/temp_dir.hpp"

using namespace multicad::core;
using namespace std::chrono;
using multicad::test::temp_dir;
using multicad::test::write_file;
namespace fs = std::filesystem;

namespace {
struct clocks {
  system_clock::time_point now = system_clock::now();
  fs::file_time_type now_file = fs::file_time_type::clock::now();
};

gc_candidate with_meta(const clocks& c, hours done_ago, hours touched_ago = hours(0)) {
  return {"/ws/w/t", c.now_file - touched_ago, multicad::execenv::gc_meta{"i", "w", c.now - done_ago}};
}
issue_answer issue(std::string status, std::optional<system_clock::time_point> updated = std::nullopt) {
  return {issue_answer::kind::known, std::move(status), updated};
}
}  // namespace

TEST_CASE("GC removes directories of issues done or cancelled longer than the ttl", "[daemon][gc]") {
  clocks c;
  multicad::config::settings s;  // ttl 120h, orphan ttl 720h
  auto old_done = c.now - hours(121), fresh = c.now - hours(1);
  CHECK(decide(with_meta(c, hours(0)), issue("done", old_done), s, c.now, c.now_file) == gc_verdict::remove_done);
  CHECK(decide(with_meta(c, hours(0)), issue("cancelled", old_done), s, c.now, c.now_file) == gc_verdict::remove_done);
  CHECK(decide(with_meta(c, hours(0)), issue("canceled", old_done), s, c.now, c.now_file) == gc_verdict::remove_done);
  CHECK(decide(with_meta(c, hours(0)), issue("done", fresh), s, c.now, c.now_file) == gc_verdict::keep);
  CHECK(decide(with_meta(c, hours(0)), issue("in_progress", old_done), s, c.now, c.now_file) == gc_verdict::keep);
  // Without updated_at the task's own end time counts.
  CHECK(decide(with_meta(c, hours(200)), issue("done"), s, c.now, c.now_file) == gc_verdict::remove_done);
}

TEST_CASE("GC keeps directories when the server cannot be asked", "[daemon][gc]") {
  clocks c;
  multicad::config::settings s;
  CHECK(decide(with_meta(c, hours(9999)), issue_answer{issue_answer::kind::error}, s, c.now, c.now_file) == gc_verdict::keep);
}

TEST_CASE("GC removes orphans only after the orphan ttl", "[daemon][gc]") {
  clocks c;
  multicad::config::settings s;
  gc_candidate no_meta{"/ws/w/t", c.now_file - hours(721), std::nullopt};
  CHECK(decide(no_meta, std::nullopt, s, c.now, c.now_file) == gc_verdict::remove_orphan);
  no_meta.mtime = c.now_file - hours(700);
  CHECK(decide(no_meta, std::nullopt, s, c.now, c.now_file) == gc_verdict::keep);
  auto unknown = issue_answer{issue_answer::kind::unknown};
  CHECK(decide(with_meta(c, hours(0), hours(800)), unknown, s, c.now, c.now_file) == gc_verdict::remove_orphan);
  CHECK(decide(with_meta(c, hours(0), hours(10)), unknown, s, c.now, c.now_file) == gc_verdict::keep);
}

TEST_CASE("keep_env_after_task keeps finished directories but not orphans", "[daemon][gc]") {
  clocks c;
  multicad::config::settings s;
  s.keep_env_after_task = true;
  CHECK(decide(with_meta(c, hours(0)), issue("done", c.now - hours(999)), s, c.now, c.now_file) == gc_verdict::keep);
  gc_candidate no_meta{"/ws/w/t", c.now_file - hours(999), std::nullopt};
  CHECK(decide(no_meta, std::nullopt, s, c.now, c.now_file) == gc_verdict::remove_orphan);
}

TEST_CASE("in local mode the metadata's end time decides", "[daemon][gc]") {
  clocks c;
  multicad::config::settings s;
  CHECK(decide(with_meta(c, hours(121)), std::nullopt, s, c.now, c.now_file) == gc_verdict::remove_done);
  CHECK(decide(with_meta(c, hours(119)), std::nullopt, s, c.now, c.now_file) == gc_verdict::keep);
}

TEST_CASE("a finished folder's place in the reclaim order follows its issue", "[daemon][gc]") {
  using multicad::execenv::folder_state;
  auto known = [](std::string s) { return std::optional<issue_answer>(issue(std::move(s))); };
  CHECK(classify(true, known("done"), false) == folder_state::issue_done);
  CHECK(classify(true, known("cancelled"), false) == folder_state::issue_done);
  CHECK(classify(true, known("in_review"), false) == folder_state::issue_open);
  CHECK(classify(true, std::nullopt, false) == folder_state::issue_done);  // local mode: nobody to ask
  CHECK(classify(true, issue_answer{issue_answer::kind::unknown}, false) == folder_state::orphan);
  CHECK(classify(true, issue_answer{issue_answer::kind::error}, false) == folder_state::issue_open);
  CHECK(classify(false, std::nullopt, false) == folder_state::orphan);
  CHECK(classify(true, known("done"), true) == folder_state::running);  // held: a task runs there or may reuse it
}

TEST_CASE("GC removes only plain task directories two levels below the root", "[daemon][gc]") {
  temp_dir d;
  fs::create_directories(d / "ws/w1/aaaa1111/workdir");
  write_file(d / "ws/w1/bbbb2222/workdir/f", std::string(10000, 'x'));
  fs::create_directories(d / "ws/.ping/w1/cccc3333");
  fs::create_directories(d / "outside/secret");
  fs::create_directory_symlink(d / "outside", d / "ws/w1/link");

  CHECK_FALSE(remove_task_dir(d / "ws", d / "ws/w1/link").ok());  // a symlink is never followed
  CHECK(fs::exists(d / "outside/secret"));
  CHECK_FALSE(remove_task_dir(d / "ws", d / "outside/secret").ok());
  fs::remove(d / "ws/w1/link");
  CHECK(remove_task_dir(d / "ws", d / "ws/w1/aaaa1111").ok());
  auto r = remove_task_dir(d / "ws/", d / "ws/w1/bbbb2222");  // a trailing slash on the root is fine
  CHECK(r.ok());
  CHECK(r.freed >= 10000);
  CHECK_FALSE(fs::exists(d / "ws/w1/bbbb2222"));
  CHECK_FALSE(remove_task_dir(d / "ws", d / "ws/.ping/w1/cccc3333").ok());  // not two levels below the root
  CHECK_FALSE(fs::exists(d / "ws/w1"));  // the emptied workspace folder went too
}

TEST_CASE("a folder is held while its task runs or its issue has a running task", "[daemon][gc]") {
  held_folders held;
  held.dirs.insert("/ws/w/aaaa1111");
  held.issues.insert("issue-running");
  multicad::execenv::gc_meta other{"issue-other", "w", std::chrono::system_clock::now()};
  multicad::execenv::gc_meta same{"issue-running", "w", std::chrono::system_clock::now()};
  CHECK(held.holds("/ws/w/aaaa1111", std::nullopt));
  CHECK(held.holds("/ws/w/bbbb2222", same));  // the running task may reuse it
  CHECK_FALSE(held.holds("/ws/w/bbbb2222", other));
  CHECK_FALSE(held.holds("/ws/w/bbbb2222", std::nullopt));
}

TEST_CASE("a folder GC holds is not offered for reuse until GC lets go", "[daemon][gc]") {
  task_registry tasks;
  {
    gc_hold hold(tasks, "/ws/w/aaaa1111", "issue-1");
    CHECK(tasks.gc_holds("/ws/w/aaaa1111", ""));
    CHECK(tasks.gc_holds("/ws/w/other", "issue-1"));  // by issue too: the server may spell the path differently
  }
  CHECK_FALSE(tasks.gc_holds("/ws/w/aaaa1111", "issue-1"));
}
