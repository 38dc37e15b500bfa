#include "daemon/core/gc_loop.hpp"

#include "daemon/core/disk_guard.hpp"
#include "daemon/core/disk_reclaim.hpp"
#include "daemon/core/on_pool.hpp"
#include "daemon/log/log.hpp"
#include "execenv/disk_walk.hpp"

namespace multicad::core {
namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono;

namespace {
// The reference daemon's first pass comes 30 s after start: long enough for
// recovery and registration, short enough that a restarted daemon cleans up.
constexpr auto first_pass_delay = seconds(30);
// Free space is read this often between passes (statvfs costs microseconds)
// so status and metrics stay current and a build filling the disk starts a
// pass within a minute instead of at the next gc.interval.
constexpr auto space_probe_interval = seconds(60);

asio::awaitable<void> ask_about_issues(pass_view& v, const issue_lookup& lookup) {
  for (const auto& t : v.survey.tasks) {
    if (!t.meta || t.meta->issue_id.empty() || v.answers.count(t.meta->issue_id)) continue;
    v.answers[t.meta->issue_id] = co_await lookup(t.meta->issue_id);
  }
}

// Writes each folder's latest known issue status into its metadata when it
// changed, for `multicad disk-usage` (which has no server to ask).
asio::awaitable<void> record_statuses(services& svc, const pass_view& v) {
  std::vector<std::pair<fs::path, execenv::gc_meta>> changed;
  std::vector<std::string> statuses;
  for (std::size_t i = 0; i < v.survey.tasks.size(); ++i) {
    auto issue = v.issue_of(i);
    const auto& t = v.survey.tasks[i];
    if (!issue || issue->what != issue_answer::kind::known || t.meta->issue_status == issue->status) continue;
    changed.emplace_back(t.dir, *t.meta);
    statuses.push_back(issue->status);
  }
  if (changed.empty()) co_return;
  auto now = system_clock::now();
  auto write = [changed, statuses, now] {
    std::size_t failed = 0;
    for (std::size_t n = 0; n < changed.size(); ++n)
      failed += !execenv::record_issue_status(changed[n].first, changed[n].second, statuses[n], now);
    return failed;
  };
  auto failed = co_await on_pool(svc.pool, write);
  if (failed > 0) log::debug("GC could not record some issue statuses", {{"folders", std::to_string(failed)}});
}

// The TTL rule (decide()): done or cancelled issues after gc.ttl, orphans after gc.orphan_ttl.
asio::awaitable<void> remove_expired(services& svc, pass_view& v, pass_tally& tally) {
  const auto now = system_clock::now();
  const auto now_file = fs::file_time_type::clock::now();
  for (std::size_t i = 0; i < v.survey.tasks.size() && !svc.stopping; ++i) {
    const auto& t = v.survey.tasks[i];
    if (t.running) continue;
    gc_candidate c{t.dir, file_clock::from_sys(t.modified), t.meta};
    auto verdict = decide(c, v.issue_of(i), svc.settings, now, now_file);
    if (verdict == gc_verdict::keep) continue;
    std::string why = verdict == gc_verdict::remove_done ? "issue done" : "orphan";
    co_await remove_folder(svc, v, i, why, tally);
  }
}

// Between passes: sleeps in steps of at most a minute, reading free space
// after each. Returns false on shutdown; true when the next pass is due, or
// early when free space fell below gc.min_free and the last pass did not end
// stuck over quota (a pass that found nothing to take would find nothing again).
asio::awaitable<bool> wait_for_pass(services& svc, const gc_sleep& sleep, steady_clock::time_point due) {
  while (true) {
    auto left = due - steady_clock::now();
    auto step = std::clamp<nanoseconds>(left, nanoseconds::zero(), space_probe_interval);
    bool go_on = co_await sleep(step);
    if (!go_on) co_return false;
    co_await probe_disk(svc);
    if (steady_clock::now() >= due) co_return true;
    const auto& d = svc.stats.disk;
    bool low = d.free_bytes && d.total_bytes && *d.free_bytes < svc.settings.gc.min_free.of(*d.total_bytes);
    if (low && svc.settings.gc.enabled && !d.over_quota) {
      log::info("free disk space is below gc.min_free; GC runs now",
                {{"free", config::human_size(*d.free_bytes)},
                 {"min_free", config::human_size(svc.settings.gc.min_free.of(*d.total_bytes))}});
      co_return true;
    }
  }
}

}  // namespace

asio::awaitable<void> probe_disk(services& svc) {
  auto root = svc.settings.workspaces_root;
  auto probe = [root] { return execenv::space_of(root); };
  auto space = co_await on_pool(svc.pool, probe);
  if (!space) co_return;
  svc.stats.disk.free_bytes = space->free;
  svc.stats.disk.total_bytes = space->total;
}

asio::awaitable<int> gc_pass(services& svc, const issue_lookup& lookup) {
  pass_view v;
  v.started = steady_clock::now();
  execenv::survey_options options{svc.settings.gc.artifact_patterns, held_now(svc).dirs, true};
  auto root = svc.settings.workspaces_root;
  auto walk = [root, options] { return execenv::survey_root(root, options); };
  v.survey = co_await on_pool(svc.pool, walk);
  v.walk = steady_clock::now() - v.started;
  v.gone.assign(v.survey.tasks.size(), false);
  co_await ask_about_issues(v, lookup);
  co_await record_statuses(svc, v);
  pass_tally tally;
  co_await remove_expired(svc, v, tally);
  co_await reclaim_disk(svc, v, tally);
  co_return tally.folders_removed;
}

asio::awaitable<void> gc_loop(services& svc, issue_lookup lookup, gc_sleep sleep) {
  co_await probe_disk(svc);
  // co_await stays out of loop conditions: GCC 12 miscompiles a co_await in
  // a do/while condition (the coroutine hits ud2 at its end).
  if (!svc.settings.gc.enabled) {
    // No passes, but status and metrics still show free space.
    bool go_on = co_await sleep(space_probe_interval);
    while (go_on) {
      co_await probe_disk(svc);
      go_on = co_await sleep(space_probe_interval);
    }
    co_return;
  }
  // A shorter interval (tests, busy machines) also brings the first pass forward.
  auto first = std::min<nanoseconds>(first_pass_delay, svc.settings.gc.interval);
  bool go_on = co_await wait_for_pass(svc, sleep, steady_clock::now() + duration_cast<steady_clock::duration>(first));
  while (go_on) {
    svc.stats.gc_removed += static_cast<std::uint64_t>(co_await gc_pass(svc, lookup));
    auto due = steady_clock::now() + duration_cast<steady_clock::duration>(svc.settings.gc.interval);
    go_on = co_await wait_for_pass(svc, sleep, due);
  }
}

}  // namespace multicad::core
