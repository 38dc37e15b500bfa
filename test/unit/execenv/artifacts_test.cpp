#include <catch2/catch.hpp>

#include <algorithm>

#include "execenv/artifacts.hpp"
#include "test/support/temp_dir.hpp"

using namespace multicad::execenv;
using multicad::config::default_artifact_patterns;
using multicad::test::temp_dir;
using multicad::test::write_file;
namespace fs = std::filesystem;

namespace {
std::vector<std::string> found(const fs::path& dir, const folder_usage& u) {
  std::vector<std::string> out;
  for (const auto& a : u.artifacts) out.push_back(a.path.lexically_relative(dir).string());
  std::sort(out.begin(), out.end());
  return out;
}
folder_usage measure(const fs::path& dir) {
  inode_set seen;
  return measure_task_folder(dir, default_artifact_patterns(), seen, true);
}
}  // namespace

TEST_CASE("what counts as an artifact in a task folder", "[execenv][artifacts]") {
  temp_dir d;
  auto t = d / "ws/w/t1";
  write_file(t / "workdir/web/node_modules/react/index.js", std::string(20000, 'x'));
  write_file(t / "workdir/web/.next/cache/x", "x");
  write_file(t / "workdir/web/src/index.js", "source");
  write_file(t / "workdir/py/pkg/__pycache__/m.pyc", "x");
  write_file(t / "workdir/rust/Cargo.toml", "[package]");
  write_file(t / "workdir/rust/target/debug/app", "bin");
  write_file(t / "workdir/java/src/target/Target.java", "a source folder called target");  // no Cargo.toml/pom.xml beside it
  write_file(t / "workdir/py/.venv/pyvenv.cfg", "home = /usr");
  write_file(t / "workdir/py/venv/notes.txt", "not a virtualenv: no pyvenv.cfg");
  write_file(t / "tmp/scratch", "x");
  write_file(t / "output/node_modules/kept", "output is never searched");
  write_file(t / "logs/node_modules/kept", "x");
  write_file(t / "codex-home/sessions/node_modules/kept", "x");
  write_file(t / ".gc_meta.json", "{}");
  auto u = measure(t);
  CHECK(found(t, u) == std::vector<std::string>{"tmp", "workdir/py/.venv", "workdir/py/pkg/__pycache__",
                                                "workdir/rust/target", "workdir/web/.next", "workdir/web/node_modules"});
  std::uint64_t sum = 0;
  for (const auto& a : u.artifacts) sum += a.bytes;
  CHECK(sum == u.artifact_bytes);
  CHECK(u.artifact_bytes < u.bytes);
}

TEST_CASE("the artifact search never enters .git nor follows symlinks", "[execenv][artifacts]") {
  temp_dir d;
  auto t = d / "t";
  write_file(t / "workdir/repo/.git/node_modules/x", "inside .git");
  write_file(d / "elsewhere/node_modules/x", std::string(50000, 'x'));
  fs::create_directories(t / "workdir/repo");
  fs::create_directory_symlink(d / "elsewhere", t / "workdir/repo/linked");
  fs::create_directory_symlink(d / "elsewhere/node_modules", t / "workdir/repo/node_modules");
  auto u = measure(t);
  CHECK(u.artifacts.empty());
  CHECK(u.bytes < 50000);
}

TEST_CASE("an artifact holding a git checkout is kept", "[execenv][artifacts]") {
  temp_dir d;
  auto t = d / "t";
  write_file(t / "workdir/node_modules/dep-from-git/.git/HEAD", "ref: refs/heads/main");
  write_file(t / "workdir/node_modules/dep-from-git/index.js", "work in progress");
  write_file(t / "workdir/app/node_modules/plain/index.js", "x");
  auto u = measure(t);
  CHECK(found(t, u) == std::vector<std::string>{"workdir/app/node_modules"});
}

TEST_CASE("a running task's folder is measured and not searched", "[execenv][artifacts]") {
  temp_dir d;
  write_file(d / "t/workdir/node_modules/x", "x");
  inode_set seen;
  auto u = measure_task_folder(d / "t", default_artifact_patterns(), seen, false);
  CHECK(u.artifacts.empty());
  CHECK(u.bytes > 0);
}

TEST_CASE("removing artifacts keeps the source and the repository", "[execenv][artifacts]") {
  temp_dir d;
  auto t = d / "t";
  write_file(t / "workdir/app/node_modules/react/index.js", std::string(40000, 'x'));
  write_file(t / "workdir/app/src/index.js", "source");
  write_file(t / "workdir/app/.git/HEAD", "ref");
  write_file(t / "tmp/scratch", "x");
  write_file(t / "output/report.md", "result");
  auto u = measure(t);
  REQUIRE(u.artifacts.size() == 2);
  auto r = remove_artifacts(t, u.artifacts);
  CHECK(r.ok());
  CHECK(r.freed >= 40000);
  CHECK_FALSE(fs::exists(t / "workdir/app/node_modules"));
  CHECK(fs::exists(t / "workdir/app/src/index.js"));
  CHECK(fs::exists(t / "workdir/app/.git/HEAD"));
  CHECK(fs::exists(t / "output/report.md"));
  CHECK(fs::is_directory(t / "tmp"));
  CHECK(fs::is_empty(t / "tmp"));
  CHECK(measure(t).artifacts.empty());
}

TEST_CASE("a listed artifact whose parent became a symlink is not followed", "[execenv][artifacts]") {
  temp_dir d;
  auto t = d / "t";
  write_file(t / "workdir/app/node_modules/x", "x");
  auto u = measure(t);
  REQUIRE(u.artifacts.size() == 1);
  // Between the survey and the removal, app/ is replaced by a link to someone's project.
  write_file(d / "project/node_modules/precious", "x");
  fs::remove_all(t / "workdir/app");
  fs::create_directory_symlink(d / "project", t / "workdir/app");
  auto r = remove_artifacts(t, u.artifacts);
  CHECK_FALSE(r.ok());
  CHECK(fs::exists(d / "project/node_modules/precious"));
}
