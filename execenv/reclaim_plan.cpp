#include "execenv/reclaim_plan.hpp"

#include <algorithm>
#include <numeric>

namespace multicad::execenv {

namespace {

using kind = reclaim_candidate::kind;

// Indices of the candidates `keep` accepts, oldest `since` first (ties by
// index, so the order is stable and tests can name it).
template <class Keep>
std::vector<std::size_t> oldest_first(const std::vector<reclaim_candidate>& c, Keep keep) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < c.size(); ++i)
    if (keep(c[i])) out.push_back(i);
  std::stable_sort(out.begin(), out.end(), [&](std::size_t a, std::size_t b) { return c[a].since < c[b].since; });
  return out;
}

bool finished_folder(const reclaim_candidate& c) {
  return c.what == kind::task_folder && c.state != folder_state::running;
}

}  // namespace

std::uint64_t bytes_over(const disk_quota& q, std::uint64_t used, std::uint64_t free) {
  std::uint64_t over_size = q.max_size > 0 && used > q.max_size ? used - q.max_size : 0;
  std::uint64_t under_floor = q.min_free > 0 && free < q.min_free ? q.min_free - free : 0;
  return std::max(over_size, under_floor);
}

std::vector<reclaim_step> reclaim_order(const std::vector<reclaim_candidate>& c, bool whole_folders) {
  std::vector<reclaim_step> out;
  std::vector<bool> artifacts_taken(c.size(), false);
  for (auto i : oldest_first(c, [](const auto& x) { return finished_folder(x) && x.artifact_bytes > 0; })) {
    out.push_back({step_kind::artifacts, i, c[i].artifact_bytes});
    artifacts_taken[i] = true;
  }
  auto folder = [&](std::size_t i) {
    // Once its artifacts went, a folder frees the rest.
    auto rest = artifacts_taken[i] ? c[i].bytes - std::min(c[i].bytes, c[i].artifact_bytes) : c[i].bytes;
    out.push_back({step_kind::folder, i, rest});
  };
  if (whole_folders) {
    auto gone = [](const reclaim_candidate& x) {
      return finished_folder(x) && (x.state == folder_state::issue_done || x.state == folder_state::orphan);
    };
    for (auto i : oldest_first(c, gone)) folder(i);
    auto open = [](const reclaim_candidate& x) { return finished_folder(x) && x.state == folder_state::issue_open; };
    for (auto i : oldest_first(c, open)) folder(i);
  }
  for (auto i : oldest_first(c, [](const auto& x) { return x.what == kind::repo_cache; }))
    out.push_back({step_kind::cache, i, c[i].bytes});
  return out;
}

std::size_t steps_to_cover(const std::vector<reclaim_step>& order, std::uint64_t need) {
  std::uint64_t covered = 0;
  for (std::size_t n = 0; n < order.size(); ++n) {
    if (covered >= need) return n;
    covered += order[n].estimate;
  }
  return order.size();
}

std::vector<std::size_t> artifacts_due(const std::vector<reclaim_candidate>& c, std::chrono::nanoseconds ttl,
                                       std::chrono::system_clock::time_point now) {
  if (ttl <= std::chrono::nanoseconds::zero()) return {};
  return oldest_first(c, [&](const reclaim_candidate& x) {
    return finished_folder(x) && x.artifact_bytes > 0 && now - x.since >= ttl;
  });
}

}  // namespace multicad::execenv
