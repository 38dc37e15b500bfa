// toolbox::check_out with the real git, on real repositories in a temp folder.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <future>
#include <set>

#include "daemon/toolbox/git_checkout.hpp"
#include "test/support/child_process.hpp"
#include "test/support/temp_dir.hpp"

using namespace multicad;
using namespace multicad::test;
namespace fs = std::filesystem;

namespace {

std::string git(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"/usr/bin/git", "-c", "user.email=t@example", "-c", "user.name=T"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = run_command({argv, {}, {}, {}}, std::chrono::seconds(60));
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  return r.out;
}

// A bare repository with README.md on main; returns its file:// URL.
std::string make_origin(const temp_dir& d) {
  git({"init", "-q", "--bare", "-b", "main", (d / "origin.git").string()});
  git({"clone", "-q", (d / "origin.git").string(), (d / "seed").string()});
  write_file(d / "seed/README.md", "one\n");
  git({"-C", (d / "seed").string(), "add", "README.md"});
  git({"-C", (d / "seed").string(), "commit", "-q", "-m", "one"});
  git({"-C", (d / "seed").string(), "push", "-q", "origin", "HEAD:main"});
  return "file://" + (d / "origin.git").string();
}

toolbox::checkout_request request(const temp_dir& d, const std::string& url, const std::string& task) {
  fs::create_directories(d / ("ws/w/" + task + "/workdir"));
  return {d / "ws", "0f1e2d3c-0000-4000-8000-000000000004", url, d / ("ws/w/" + task + "/workdir"),
          d / ("ws/w/" + task + "/.checkout"), "agent/builder/" + task};
}

}  // namespace

TEST_CASE("two tasks check out one repository at once from one cache", "[daemon][toolbox][git]") {
  temp_dir d;
  auto url = make_origin(d);
  auto one = request(d, url, "aaaaaaaa"), two = request(d, url, "bbbbbbbb");
  auto checkout = [](toolbox::checkout_request r) {
    service::process_runner runner(std::chrono::minutes(2), {"GIT_TERMINAL_PROMPT=0"});
    return toolbox::check_out(r, runner);
  };
  auto a = std::async(std::launch::async, checkout, one);
  auto b = std::async(std::launch::async, checkout, two);
  auto ra = a.get(), rb = b.get();
  REQUIRE(ra.has_value());
  REQUIRE(rb.has_value());
  CHECK(read_file(ra->path / "README.md") == "one\n");
  CHECK(read_file(rb->path / "README.md") == "one\n");
  CHECK(toolbox::current_branch(ra->path) == "agent/builder/aaaaaaaa");
  CHECK(toolbox::current_branch(rb->path) == "agent/builder/bbbbbbbb");
  CHECK_FALSE(fs::exists(d / "ws/w/aaaaaaaa/.checkout/origin"));  // staged, then moved
}

TEST_CASE("a later checkout fetches what the remote gained and leaves an existing one untouched", "[daemon][toolbox][git]") {
  temp_dir d;
  auto url = make_origin(d);
  service::process_runner runner(std::chrono::minutes(2), {"GIT_TERMINAL_PROMPT=0"});
  auto first = toolbox::check_out(request(d, url, "aaaaaaaa"), runner);
  REQUIRE(first.has_value());
  write_file(first->path / "WIP.md", "uncommitted\n");
  write_file(d / "seed/README.md", "two\n");
  git({"-C", (d / "seed").string(), "commit", "-q", "-am", "two"});
  git({"-C", (d / "seed").string(), "push", "-q", "origin", "HEAD:main"});
  auto again = toolbox::check_out(request(d, url, "aaaaaaaa"), runner);
  REQUIRE(again.has_value());
  CHECK(again->existed);
  CHECK(read_file(first->path / "WIP.md") == "uncommitted\n");  // never reset or cleaned
  auto other = toolbox::check_out(request(d, url, "bbbbbbbb"), runner);
  REQUIRE(other.has_value());
  CHECK(read_file(other->path / "README.md") == "two\n");
}

TEST_CASE("a checkout's object files are copies and cannot rewrite the cache", "[daemon][toolbox][git][security]") {
  temp_dir d;
  auto url = make_origin(d);
  service::process_runner runner(std::chrono::minutes(2), {"GIT_TERMINAL_PROMPT=0"});
  auto r = toolbox::check_out(request(d, url, "aaaaaaaa"), runner);
  REQUIRE(r.has_value());
  std::set<std::pair<dev_t, ino_t>> cache_inodes;
  for (const auto& e : fs::recursive_directory_iterator(d / "ws/.repos"))
    if (e.is_regular_file()) {
      struct stat st {};
      ::stat(e.path().c_str(), &st);
      cache_inodes.insert({st.st_dev, st.st_ino});
    }
  for (const auto& e : fs::recursive_directory_iterator(r->path / ".git/objects"))
    if (e.is_regular_file()) {
      struct stat st {};
      ::stat(e.path().c_str(), &st);
      INFO(e.path());
      CHECK(cache_inodes.count({st.st_dev, st.st_ino}) == 0);
    }
}

TEST_CASE("a URL git cannot fetch fails with git's words and leaves no partial cache", "[daemon][toolbox][git]") {
  temp_dir d;
  service::process_runner runner(std::chrono::minutes(2), {"GIT_TERMINAL_PROMPT=0"});
  auto r = toolbox::check_out(request(d, "file://" + (d / "nothing.git").string(), "aaaaaaaa"), runner);
  REQUIRE_FALSE(r.has_value());
  CHECK_THAT(r.error().message, Catch::StartsWith("git clone --bare: "));
  for (const auto& e : fs::directory_iterator(d / "ws/.repos/0f1e2d3c-0000-4000-8000-000000000004"))
    CHECK(e.path().extension() == ".lock");  // only the lock file stays, as for every cache
  CHECK_FALSE(fs::exists(d / "ws/w/aaaaaaaa/workdir/nothing"));
}
