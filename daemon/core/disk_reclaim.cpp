// DESIGN: the survey (one walk, on the pool) is the pass's only picture of
// the root; every step below trusts its sizes as estimates and measures what
// really went (execenv::removal::freed counts an inode only when its last
// link goes). Before each step the io_context asks again who runs where
// (held_now) and marks the folder GC's (gc_hold): a task claimed mid-pass
// either sees the hold and prepares a fresh folder, or is seen here first
// and its folder is skipped. Steps run one at a time: the pool has two
// threads and task preparation must not wait behind a GC pass.
#include "daemon/core/disk_reclaim.hpp"

#include <algorithm>

#include "config/disk_values.hpp"
#include "daemon/core/disk_guard.hpp"
#include "daemon/core/on_pool.hpp"
#include "daemon/log/log.hpp"
#include "execenv/reclaim_plan.hpp"

namespace multicad::core {
namespace asio = boost::asio;
namespace fs = std::filesystem;
using execenv::reclaim_candidate;

namespace {

std::string bytes_text(std::uint64_t b) { return config::human_size(b); }

struct candidates {
  std::vector<reclaim_candidate> list;
  std::vector<std::size_t> index;  // into survey.tasks, or survey.caches for repo caches
};

candidates candidates_of(services& svc, const pass_view& v) {
  candidates out;
  auto held = held_now(svc);
  for (std::size_t i = 0; i < v.survey.tasks.size(); ++i) {
    if (v.gone[i]) continue;
    const auto& t = v.survey.tasks[i];
    reclaim_candidate c;
    c.state = classify(t.meta.has_value(), v.issue_of(i), t.running || held.holds(t.dir, t.meta));
    c.since = t.meta ? t.meta->completed_at : t.modified;
    c.bytes = t.usage.bytes;
    c.artifact_bytes = t.usage.artifact_bytes;
    out.list.push_back(c);
    out.index.push_back(i);
  }
  for (std::size_t i = 0; i < v.survey.caches.size(); ++i) {
    const auto& c = v.survey.caches[i];
    out.list.push_back({reclaim_candidate::kind::repo_cache, execenv::folder_state::issue_open, c.cache.last_used, c.bytes, 0});
    out.index.push_back(i);
  }
  return out;
}

std::string issue_id_of(const execenv::task_folder& t) { return t.meta ? t.meta->issue_id : std::string(); }

// Removes the artifacts of task folder `i` unless it is held now.
asio::awaitable<std::uint64_t> remove_artifacts_of(services& svc, pass_view& v, std::size_t i, std::string why,
                                                   pass_tally& tally) {
  const auto& t = v.survey.tasks[i];
  if (held_now(svc).holds(t.dir, t.meta)) co_return 0;
  gc_hold hold(svc.tasks, t.dir, issue_id_of(t));
  auto dir = t.dir;
  auto list = t.usage.artifacts;
  auto work = [dir, list] { return execenv::remove_artifacts(dir, list); };
  auto r = co_await on_pool(svc.pool, work);
  tally.freed += r.freed;
  if (!r.ok()) {
    tally.unreclaimable += t.usage.artifact_bytes > r.freed ? t.usage.artifact_bytes - r.freed : 0;
    log::warn("GC could not remove a task's artifacts",
              {{"path", dir.string()}, {"error", r.error}, {"hint", "check the files' owner and permissions; GC tries again next pass"}});
  }
  if (r.freed > 0 || r.removed > 0) ++tally.artifact_folders;
  log::debug("GC removed artifacts", {{"path", dir.string()}, {"freed", bytes_text(r.freed)}, {"reason", why}});
  co_return r.freed;
}

asio::awaitable<std::uint64_t> remove_cache(services& svc, pass_view& v, std::size_t i, pass_tally& tally) {
  const auto& c = v.survey.caches[i];
  auto root = svc.settings.workspaces_root;
  auto dir = c.cache.dir;
  auto work = [root, dir] { return execenv::remove_repo_cache(root, dir); };
  auto r = co_await on_pool(svc.pool, work);
  tally.freed += r.detail.freed;
  switch (r.outcome) {
    case execenv::cache_removal_outcome::removed:
      ++tally.caches_removed;
      log::debug("GC removed a repository cache", {{"path", dir.string()}, {"freed", bytes_text(r.detail.freed)}});
      break;
    case execenv::cache_removal_outcome::busy:
      ++tally.busy_caches;
      log::debug("GC skipped a repository cache in use", {{"path", dir.string()}});
      break;
    case execenv::cache_removal_outcome::failed:
      tally.unreclaimable += c.bytes > r.detail.freed ? c.bytes - r.detail.freed : 0;
      log::warn("GC could not remove a repository cache",
                {{"path", dir.string()}, {"error", r.detail.error}, {"hint", "check its owner and permissions; GC tries again next pass"}});
      break;
  }
  co_return r.detail.freed;
}

struct quota_state {
  execenv::disk_quota quota;
  std::uint64_t used = 0;
  std::optional<execenv::filesystem_space> space;
  std::uint64_t need() const {
    return execenv::bytes_over(quota, used, space ? space->free : UINT64_MAX);
  }
};

asio::awaitable<std::optional<execenv::filesystem_space>> probe_space(services& svc) {
  auto root = svc.settings.workspaces_root;
  auto probe = [root] { return execenv::space_of(root); };
  co_return co_await on_pool(svc.pool, probe);
}

// What holds the space when nothing is left to take: one WARN with figures.
void warn_nothing_left(const pass_view& v, const candidates& c, const quota_state& q,
                       const pass_tally& tally) {
  std::uint64_t running = 0, kept = 0, caches = 0;
  int running_tasks = 0;
  for (std::size_t n = 0; n < c.list.size(); ++n) {
    const auto& x = c.list[n];
    if (x.what == reclaim_candidate::kind::repo_cache) caches += x.bytes;
    else if (x.state == execenv::folder_state::running) { running += x.bytes; ++running_tasks; }
    else kept += x.bytes;  // left by keep_env_after_task, or failed
  }
  log::fields f{{"used", bytes_text(q.used)}, {"max_size", q.quota.max_size ? bytes_text(q.quota.max_size) : "none"}};
  if (q.space) {
    f.push_back({"free", bytes_text(q.space->free)});
    f.push_back({"min_free", q.quota.min_free ? bytes_text(q.quota.min_free) : "none"});
    auto fs_used = q.space->total - std::min(q.space->total, q.space->free);
    f.push_back({"outside_root", bytes_text(fs_used - std::min(fs_used, q.used))});
  }
  f.insert(f.end(), {{"running_tasks", std::to_string(running_tasks)}, {"running", bytes_text(running)},
                     {"kept", bytes_text(kept)}, {"repo_caches_in_use", bytes_text(caches)},
                     {"unreclaimable", bytes_text(tally.unreclaimable)}, {"other", bytes_text(v.survey.other_bytes)},
                     {"hint", "running tasks and in-use caches are never touched; free space elsewhere, or raise "
                              "gc.max_size / lower gc.min_free; `multicad disk-usage` lists every folder"}});
  log::warn("over the disk quota with nothing left to reclaim", f);
}

// Caches no checkout used for gc.repo_cache_ttl (the newer upstream's 30
// days): nothing references them (checkouts copy their objects), and a
// repository listed again is cloned again. Removed ones leave the survey, so
// the quota does not count or try them again.
asio::awaitable<void> remove_stale_caches(services& svc, pass_view& v, pass_tally& tally) {
  const auto ttl = svc.settings.gc.repo_cache_ttl;
  if (ttl.count() == 0) co_return;
  const auto now = std::chrono::system_clock::now();
  auto& caches = v.survey.caches;
  for (std::size_t i = 0; i < caches.size() && !svc.stopping;) {
    const auto removed_before = tally.caches_removed;
    if (now - caches[i].cache.last_used > ttl) co_await remove_cache(svc, v, i, tally);
    if (tally.caches_removed > removed_before) caches.erase(caches.begin() + static_cast<std::ptrdiff_t>(i));
    else ++i;
  }
}

// Takes steps in reclaim order until under both limits (or out of steps).
asio::awaitable<void> run_quota(services& svc, pass_view& v, candidates& c, quota_state& q, pass_tally& tally) {
  auto order = execenv::reclaim_order(c.list, !svc.settings.keep_env_after_task);
  for (const auto& step : order) {
    if (q.need() == 0 || svc.stopping) break;
    auto i = c.index[step.candidate];
    std::uint64_t freed = 0;
    if (step.what == execenv::step_kind::artifacts) {
      freed = co_await remove_artifacts_of(svc, v, i, "quota", tally);
    } else if (step.what == execenv::step_kind::folder) {
      freed = co_await remove_folder(svc, v, i, "quota", tally);
      if (v.gone[i]) c.list[step.candidate].bytes = 0;
    } else {
      freed = co_await remove_cache(svc, v, i, tally);
    }
    q.used -= std::min(q.used, freed);
    q.space = co_await probe_space(svc);
  }
  svc.stats.disk.over_quota = q.need() > 0;
  if (svc.stats.disk.over_quota) warn_nothing_left(v, c, q, tally);
}

void report(services& svc, const pass_view& v, const quota_state& q, const pass_tally& tally) {
  using namespace std::chrono;
  auto& d = svc.stats.disk;
  d.used_bytes = q.used;
  d.measured_at = system_clock::now();
  if (q.space) { d.free_bytes = q.space->free; d.total_bytes = q.space->total; }
  d.reclaimed_bytes_total += tally.freed;
  auto took = duration_cast<milliseconds>(steady_clock::now() - v.started);
  log::fields f{{"freed", bytes_text(tally.freed)}, {"folders", std::to_string(tally.folders_removed)},
                {"artifact_folders", std::to_string(tally.artifact_folders)},
                {"repo_caches", std::to_string(tally.caches_removed)}, {"used", bytes_text(q.used)},
                {"free", q.space ? bytes_text(q.space->free) : "unknown"}, {"took", config::format_duration(took)}};
  if (tally.freed > 0 || tally.folders_removed > 0 || tally.artifact_folders > 0 || tally.caches_removed > 0)
    log::info("GC pass freed disk space", f);
  log::debug("GC pass", {{"task_folders", std::to_string(v.survey.tasks.size())},
                         {"repo_caches", std::to_string(v.survey.caches.size())},
                         {"measured", bytes_text(v.survey.total_bytes)}, {"freed_bytes", std::to_string(tally.freed)},
                         {"walk", config::format_duration(duration_cast<milliseconds>(v.walk))},
                         {"took", config::format_duration(took)}, {"walk_ms", std::to_string(duration_cast<milliseconds>(v.walk).count())},
                         {"took_ms", std::to_string(took.count())}});
}

}  // namespace

std::optional<issue_answer> pass_view::issue_of(std::size_t i) const {
  const auto& t = survey.tasks[i];
  if (!t.meta || t.meta->issue_id.empty()) return std::nullopt;
  auto it = answers.find(t.meta->issue_id);
  return it == answers.end() ? std::nullopt : it->second;
}

asio::awaitable<std::uint64_t> remove_folder(services& svc, pass_view& v, std::size_t i, std::string why,
                                             pass_tally& tally) {
  const auto& t = v.survey.tasks[i];
  if (v.gone[i] || t.running || held_now(svc).holds(t.dir, t.meta)) co_return 0;
  gc_hold hold(svc.tasks, t.dir, issue_id_of(t));
  auto root = svc.settings.workspaces_root;
  auto dir = t.dir;
  auto work = [root, dir] { return remove_task_dir(root, dir); };
  auto r = co_await on_pool(svc.pool, work);
  tally.freed += r.freed;
  if (!r.ok()) {
    tally.unreclaimable += t.usage.bytes > r.freed ? t.usage.bytes - r.freed : 0;
    log::warn("GC could not remove a task directory", {{"path", dir.string()}, {"error", r.error},
              {"hint", "check its permissions; GC tries again next pass"}});
    co_return r.freed;
  }
  v.gone[i] = true;
  ++tally.folders_removed;
  log::debug("GC removed a task directory", {{"path", dir.string()}, {"reason", why}, {"freed", bytes_text(r.freed)}});
  co_return r.freed;
}

asio::awaitable<void> reclaim_disk(services& svc, pass_view& v, pass_tally& tally) {
  const auto& gc = svc.settings.gc;
  co_await remove_stale_caches(svc, v, tally);
  auto c = candidates_of(svc, v);
  if (!svc.settings.keep_env_after_task) {
    for (auto n : execenv::artifacts_due(c.list, gc.artifact_ttl, std::chrono::system_clock::now())) {
      if (svc.stopping) break;  // a long clean-up must not hold up shutdown; the next start resumes it
      auto freed = co_await remove_artifacts_of(svc, v, c.index[n], "artifact_ttl", tally);
      c.list[n].bytes -= std::min(c.list[n].bytes, freed);
      c.list[n].artifact_bytes = 0;
    }
  }
  quota_state q;
  q.used = v.survey.total_bytes - std::min(v.survey.total_bytes, tally.freed);
  q.space = co_await probe_space(svc);
  q.quota = {gc.max_size, q.space ? gc.min_free.of(q.space->total) : 0};
  svc.stats.disk.over_quota = false;
  if (q.need() > 0) co_await run_quota(svc, v, c, q, tally);
  report(svc, v, q, tally);
}

}  // namespace multicad::core
