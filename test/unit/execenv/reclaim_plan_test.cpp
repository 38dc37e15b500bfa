#include <catch2/catch.hpp>

#include "execenv/reclaim_plan.hpp"

using namespace multicad::execenv;
using namespace std::chrono;
using kind = reclaim_candidate::kind;

namespace {
const auto t0 = system_clock::time_point(sys_days{2026y / 1 / 1});

reclaim_candidate task(folder_state s, int hours_old, std::uint64_t bytes, std::uint64_t artifacts = 0) {
  return {kind::task_folder, s, t0 - hours(hours_old), bytes, artifacts};
}
reclaim_candidate cache(int hours_unused, std::uint64_t bytes) {
  return {kind::repo_cache, folder_state::issue_open, t0 - hours(hours_unused), bytes, 0};
}
}  // namespace

TEST_CASE("the quota reclaims artifacts then done folders then open folders then caches", "[execenv][reclaim]") {
  std::vector<reclaim_candidate> c{
      task(folder_state::issue_open, 10, 100, 60),  // 0: oldest open, with artifacts
      task(folder_state::issue_done, 5, 50),        // 1
      task(folder_state::running, 99, 1000, 900),   // 2: never touched
      cache(200, 300),                              // 3
      task(folder_state::issue_open, 3, 40, 10),    // 4
      task(folder_state::orphan, 8, 20),            // 5: orphans go with done issues, by age
      cache(10, 70),                                // 6
  };
  auto order = reclaim_order(c);
  std::vector<std::pair<step_kind, std::size_t>> got;
  for (const auto& s : order) got.emplace_back(s.what, s.candidate);
  using sk = step_kind;
  CHECK(got == std::vector<std::pair<sk, std::size_t>>{{sk::artifacts, 0}, {sk::artifacts, 4}, {sk::folder, 5},
                                                       {sk::folder, 1}, {sk::folder, 0}, {sk::folder, 4},
                                                       {sk::cache, 3}, {sk::cache, 6}});
  CHECK(order[0].estimate == 60);
  CHECK(order[4].estimate == 40);  // the folder's rest, once its artifacts went
  for (const auto& s : order) CHECK(s.candidate != 2);
}

TEST_CASE("the quota stops once the need is covered", "[execenv][reclaim]") {
  std::vector<reclaim_candidate> c{task(folder_state::issue_open, 10, 100, 60), task(folder_state::issue_done, 5, 50),
                                   task(folder_state::issue_open, 3, 40)};
  auto order = reclaim_order(c);
  CHECK(steps_to_cover(order, 0) == 0);
  CHECK(steps_to_cover(order, 60) == 1);   // the oldest folder's artifacts are enough
  CHECK(steps_to_cover(order, 61) == 2);   // then the done folder
  CHECK(steps_to_cover(order, 150) == 3);  // 60 + 50 + 40
  CHECK(steps_to_cover(order, 10000) == order.size());
}

TEST_CASE("keep_env_after_task lets the quota take only artifacts and caches", "[execenv][reclaim]") {
  std::vector<reclaim_candidate> c{task(folder_state::issue_done, 5, 50, 20), task(folder_state::issue_open, 3, 40),
                                   cache(1, 70)};
  auto order = reclaim_order(c, false);
  REQUIRE(order.size() == 2);
  CHECK(order[0].what == step_kind::artifacts);
  CHECK(order[1].what == step_kind::cache);
}

TEST_CASE("over quota is the larger of the size excess and the free-space shortfall", "[execenv][reclaim]") {
  CHECK(bytes_over({100, 0}, 150, 0) == 50);
  CHECK(bytes_over({100, 0}, 100, 0) == 0);
  CHECK(bytes_over({0, 30}, 1000, 10) == 20);
  CHECK(bytes_over({100, 30}, 150, 10) == 50);
  CHECK(bytes_over({100, 80}, 150, 10) == 70);
  CHECK(bytes_over({0, 0}, 1u << 30, 0) == 0);  // no limits
}

TEST_CASE("artifacts are due a ttl after the task ended", "[execenv][reclaim]") {
  std::vector<reclaim_candidate> c{task(folder_state::issue_open, 13, 100, 60), task(folder_state::issue_open, 11, 100, 60),
                                   task(folder_state::running, 50, 100, 60), task(folder_state::issue_done, 20, 100, 0),
                                   task(folder_state::orphan, 30, 100, 5)};
  CHECK(artifacts_due(c, hours(12), t0) == std::vector<std::size_t>{4, 0});
  CHECK(artifacts_due(c, hours(12), t0 + hours(1)) == std::vector<std::size_t>{4, 0, 1});
  CHECK(artifacts_due(c, hours(0), t0).empty());  // 0 disables clean-up by age
}
