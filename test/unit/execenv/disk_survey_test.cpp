#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "execenv/disk_survey.hpp"
#include "test/support/child_process.hpp"
#include "test/support/temp_dir.hpp"

using namespace multicad::execenv;
using multicad::config::default_artifact_patterns;
using multicad::test::temp_dir;
using multicad::test::write_file;
namespace fs = std::filesystem;

namespace {
std::uint64_t blocks(const fs::path& p) {
  struct stat st{};
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  return static_cast<std::uint64_t>(st.st_blocks) * 512;
}
std::uint64_t du(const fs::path& p) {
  auto r = multicad::test::run_command({{"/usr/bin/du", "-sxB1", p.string()}, {}, {}, {}});
  REQUIRE(r.status == 0);
  return std::stoull(r.out);
}
}  // namespace

TEST_CASE("a survey of the root agrees with du and sorts what it finds", "[execenv][disk]") {
  temp_dir d;
  auto root = d / "ws";
  write_file(root / "w1/aaaa1111/workdir/app/node_modules/x.js", std::string(70000, 'x'));
  write_file(root / "w1/aaaa1111/workdir/app/main.js", std::string(9000, 'm'));
  write_file(root / "w1/aaaa1111/.gc_meta.json",
             R"({"issue_id":"i1","workspace_id":"w1","completed_at":"2026-01-01T00:00:00Z","issue_status":"in_progress"})");
  write_file(root / "w1/bbbb2222/workdir/node_modules/y.js", std::string(5000, 'y'));
  write_file(root / "w2/cccc3333/codex-home/sessions/s.jsonl", "{}");
  write_file(root / ".repos/w1/app.git/HEAD", "ref");
  write_file(root / ".repos/w1/app.git/objects/o", std::string(30000, 'o'));
  write_file(root / ".repos/w1/app.git.lock", "");
  write_file(root / ".skill-cache/v1/bundle", std::string(4000, 's'));
  write_file(root / "stray.txt", "x");
  // A checkout's object hard-linked from the cache: counted once, in the cache.
  fs::create_hard_link(root / ".repos/w1/app.git/objects/o", root / "w1/aaaa1111/workdir/app/o");
  fs::create_directory_symlink(d.path(), root / "w1/link-to-elsewhere");

  survey_options o{default_artifact_patterns(), {root / "w1/bbbb2222"}, true};
  auto s = survey_root(root, o);
  REQUIRE(s.root_exists);
  CHECK(s.total_bytes == du(root));
  REQUIRE(s.tasks.size() == 3);
  CHECK(s.tasks[0].dir == root / "w1/aaaa1111");
  CHECK(s.tasks[0].meta->issue_status == "in_progress");
  CHECK(s.tasks[0].usage.artifacts.size() == 1);
  // The linked object counts in the cache, walked first.
  CHECK(s.tasks[0].usage.bytes == du(root / "w1/aaaa1111") - blocks(root / "w1/aaaa1111/workdir/app/o"));
  CHECK(s.tasks[1].running);
  CHECK(s.tasks[1].usage.artifacts.empty());  // a running folder is not searched
  CHECK_FALSE(s.tasks[2].meta.has_value());
  REQUIRE(s.caches.size() == 1);
  CHECK(s.caches[0].bytes == du(root / ".repos/w1/app.git"));

  auto missing = survey_root(d / "nowhere", o);
  CHECK_FALSE(missing.root_exists);
  CHECK(missing.total_bytes == 0);
}
