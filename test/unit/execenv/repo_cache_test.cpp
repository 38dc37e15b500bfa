#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "execenv/repo_cache.hpp"
#include "test/support/temp_dir.hpp"

using namespace multicad::execenv;
using multicad::test::temp_dir;
using multicad::test::write_file;
namespace fs = std::filesystem;
using namespace std::chrono;

namespace {
void make_cache(const fs::path& dir) {
  write_file(dir / "HEAD", "ref: refs/heads/main\n");
  write_file(dir / "objects/pack/p.pack", std::string(10000, 'x'));
}
}  // namespace

TEST_CASE("repository caches are bare repositories below .repos and the lock says when they were used", "[execenv][repo_cache]") {
  temp_dir d;
  auto root = d / "ws";
  fs::create_directories(root);
  CHECK(list_repo_caches(root).empty());  // no .repos folder at all
  make_cache(root / ".repos/w1/x.git");
  make_cache(root / ".repos/w1/github.com+org+y.git");
  write_file(root / ".repos/w1/x.git.lock", "");
  fs::create_directories(root / ".repos/w1/half-cloned");  // no HEAD: not a cache
  fs::create_directory_symlink(root / ".repos/w1/x.git", root / ".repos/w1/link.git");
  auto used = system_clock::now() - hours(48);
  fs::last_write_time(root / ".repos/w1/x.git.lock", file_clock::from_sys(used));
  auto caches = list_repo_caches(root);
  REQUIRE(caches.size() == 2);
  CHECK(caches[0].name == "github.com+org+y.git");
  CHECK(caches[1].name == "x.git");
  CHECK(caches[1].workspace_id == "w1");
  CHECK(abs(duration_cast<seconds>(caches[1].last_used - used).count()) <= 1);
}

TEST_CASE("a cache is removed only under its lock and the lock file stays", "[execenv][repo_cache]") {
  temp_dir d;
  auto root = d / "ws";
  auto cache = root / ".repos/w1/x.git";
  make_cache(cache);
  auto lock = lock_file_of(cache);
  write_file(lock, "");

  // The checkout code holds the lock: GC leaves the cache alone.
  int holder = ::open(lock.c_str(), O_RDWR | O_CLOEXEC);
  REQUIRE(holder >= 0);
  REQUIRE(::flock(holder, LOCK_EX) == 0);
  auto busy = remove_repo_cache(root, cache);
  CHECK(busy.outcome == cache_removal_outcome::busy);
  CHECK(fs::exists(cache / "HEAD"));
  ::close(holder);

  auto done = remove_repo_cache(root, cache);
  CHECK(done.outcome == cache_removal_outcome::removed);
  CHECK(done.detail.freed >= 10000);
  CHECK_FALSE(fs::exists(cache));
  CHECK(fs::exists(lock));
  // And the lock is free again for the checkout code.
  int after = ::open(lock.c_str(), O_RDWR | O_CLOEXEC);
  CHECK(::flock(after, LOCK_EX | LOCK_NB) == 0);
  ::close(after);

  CHECK(remove_repo_cache(root, root / "w1/not-a-cache").outcome == cache_removal_outcome::failed);
}
