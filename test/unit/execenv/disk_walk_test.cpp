#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "execenv/disk_walk.hpp"
#include "test/support/child_process.hpp"
#include "test/support/temp_dir.hpp"

using namespace multicad::execenv;
using multicad::test::temp_dir;
using multicad::test::write_file;
namespace fs = std::filesystem;

namespace {
std::uint64_t du(const fs::path& p) {
  auto r = multicad::test::run_command({{"/usr/bin/du", "-sxB1", p.string()}, {}, {}, {}});
  REQUIRE(r.status == 0);
  return std::stoull(r.out);
}
std::uint64_t blocks(const fs::path& p) {
  struct stat st{};
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  return static_cast<std::uint64_t>(st.st_blocks) * 512;
}
}  // namespace

TEST_CASE("a tree's size is what du says and a hard-linked file counts once", "[execenv][disk]") {
  temp_dir d;
  write_file(d / "t/a/big", std::string(300000, 'x'));
  write_file(d / "t/b/small", "hello");
  fs::create_hard_link(d / "t/a/big", d / "t/b/big-again");
  fs::create_hard_link(d / "t/a/big", d / "t/big-thrice");
  inode_set seen;
  auto t = measure_tree(d / "t", seen);
  CHECK(t.bytes == du(d / "t"));
  CHECK(t.unreadable == 0);
  // The same inode_set across two walks: the second finds the file counted.
  inode_set shared;
  auto a = measure_tree(d / "t/a", shared);
  auto b = measure_tree(d / "t/b", shared);
  CHECK(a.bytes + b.bytes == a.bytes + blocks(d / "t/b") + blocks(d / "t/b/small"));
}

TEST_CASE("a walk never follows a symlink", "[execenv][disk]") {
  temp_dir d;
  write_file(d / "outside/huge", std::string(1 << 20, 'x'));
  fs::create_directories(d / "t");
  fs::create_directory_symlink(d / "outside", d / "t/link");
  inode_set seen;
  auto t = measure_tree(d / "t", seen);
  CHECK(t.bytes < (1u << 20));
  CHECK(t.bytes == du(d / "t"));

  auto r = remove_tree(d / "t");
  CHECK(r.ok());
  CHECK_FALSE(fs::exists(d / "t"));
  CHECK(fs::exists(d / "outside/huge"));  // the link went, its target stayed
}

TEST_CASE("removal counts only inodes whose last link went", "[execenv][disk]") {
  temp_dir d;
  write_file(d / "t/own", std::string(100000, 'x'));
  write_file(d / "keep/shared", std::string(200000, 'y'));
  fs::create_hard_link(d / "keep/shared", d / "t/shared");
  auto expected = du(d / "t") - blocks(d / "t/shared");
  auto r = remove_tree(d / "t");
  REQUIRE(r.ok());
  CHECK(r.freed == expected);
  CHECK(fs::file_size(d / "keep/shared") == 200000);
}

TEST_CASE("removal below a base refuses a symlink anywhere in the path", "[execenv][disk]") {
  temp_dir d;
  write_file(d / "victim/node_modules/precious", "x");
  fs::create_directories(d / "task/workdir");
  fs::create_directory_symlink(d / "victim", d / "task/workdir/app");
  auto r = remove_below(d / "task", "workdir/app/node_modules");
  CHECK_FALSE(r.ok());
  CHECK(fs::exists(d / "victim/node_modules/precious"));
  CHECK_FALSE(remove_below(d / "task", "../victim").ok());
  CHECK(remove_below(d / "task", "workdir/missing").ok());  // nothing there: nothing to do
}

TEST_CASE("emptying a folder keeps the folder", "[execenv][disk]") {
  temp_dir d;
  write_file(d / "t/tmp/a/b", "x");
  write_file(d / "t/tmp/c", "y");
  auto r = empty_below(d.path(), "t/tmp");
  CHECK(r.ok());
  CHECK(r.removed == 3);
  CHECK(fs::is_directory(d / "t/tmp"));
  CHECK(fs::is_empty(d / "t/tmp"));
}

TEST_CASE("free space is read from the nearest existing folder", "[execenv][disk]") {
  temp_dir d;
  auto s = space_of(d / "not/yet/there");
  REQUIRE(s.has_value());
  CHECK(s->total > 0);
  CHECK(s->free <= s->total);
}
