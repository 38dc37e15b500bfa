#include <catch2/catch.hpp>

#include "execenv/repo_layout.hpp"

using namespace multicad::execenv;

TEST_CASE("a repository URL names its cache folder by host and path", "[execenv][repo_layout]") {
  CHECK(*cache_dir_name("https://github.com/org/app.git") == "github.com+org+app.git");
  CHECK(*cache_dir_name("https://github.com/org/app") == "github.com+org+app.git");
  CHECK(*cache_dir_name("git@github.com:org/app.git") == "github.com+org+app.git");
  CHECK(*cache_dir_name("ssh://git@gitlab.example:2222/group/sub/app.git") == "gitlab.example%3A2222+group+sub+app.git");
  CHECK(*cache_dir_name("file:///srv/git/app.git") == "srv+git+app.git");
  CHECK(*cache_dir_name("  https://github.com/org/app.git/  ") == "github.com+org+app.git");
  // Same-named repositories of two owners never share a cache (the reference daemon's did).
  CHECK(*cache_dir_name("https://github.com/a/x.git") != *cache_dir_name("git@github.com:b/x"));
}

TEST_CASE("a hostile repository URL still makes one safe folder name", "[execenv][repo_layout][security]") {
  for (const char* url : {"https://h/../../etc/passwd", "file:///../..", "https://h/a%2F..%2Fb", "/tmp/x y/\nrepo"}) {
    INFO(url);
    auto name = cache_dir_name(url);
    REQUIRE(name.has_value());
    CHECK(name->find('/') == std::string::npos);
    CHECK(*name != "..");
    CHECK(name->find('\n') == std::string::npos);
  }
  CHECK_FALSE(cache_dir_name("").has_value());
  CHECK_FALSE(cache_dir_name("https://").has_value());
  CHECK_FALSE(cache_dir_name(std::string(300, 'a')).has_value());
  CHECK_FALSE(repo_cache_paths("/ws", "../x", "https://h/a").has_value());
  auto p = repo_cache_paths("/ws", "0f1e2d3c-0000-4000-8000-000000000004", "https://github.com/org/app");
  REQUIRE(p.has_value());
  CHECK(p->cache == "/ws/.repos/0f1e2d3c-0000-4000-8000-000000000004/github.com+org+app.git");
  CHECK(p->lock == "/ws/.repos/0f1e2d3c-0000-4000-8000-000000000004/github.com+org+app.git.lock");
}

TEST_CASE("the checkout folder is the repository's name", "[execenv][repo_layout]") {
  CHECK(repo_dir_name("https://github.com/org/app.git") == "app");
  CHECK(repo_dir_name("git@github.com:org/app") == "app");
  CHECK(repo_dir_name("https://github.com/org/app/") == "app");
  CHECK(repo_dir_name("file:///srv/git/tool.git") == "tool");
  CHECK(repo_dir_name("git@host:app.git") == "app");
  CHECK(repo_dir_name("https://h/..") == "repo");
  CHECK(repo_dir_name(".git") == "repo");
  CHECK(repo_dir_name("") == "repo");
}

TEST_CASE("the branch is agent slug and the task id's first eight hex digits", "[execenv][repo_layout]") {
  CHECK(checkout_branch("Builder", "7b0e6a0c-2f1d-4c1e-9a55-0d8c1f3e2a11") == "agent/builder/7b0e6a0c");
  CHECK(checkout_branch("  Code Reviewer (v2)!! ", "7b0e6a0c-2f1d") == "agent/code-reviewer-v2/7b0e6a0c");
  CHECK(checkout_branch("", "7b0e6a0c") == "agent/agent/7b0e6a0c");
  CHECK(checkout_branch("日本語", "7b0e6a0c") == "agent/agent/7b0e6a0c");
  CHECK(checkout_branch(std::string(40, 'a') + "-b", "7b0e6a0c") == "agent/" + std::string(30, 'a') + "/7b0e6a0c");
  CHECK(checkout_branch(std::string(29, 'a') + "-b", "7b0e6a0c") == "agent/" + std::string(29, 'a') + "/7b0e6a0c");
}
