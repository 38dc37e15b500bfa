#include "daemon/core/gc_loop.hpp"

#include <map>

#include "daemon/core/on_pool.hpp"
#include "daemon/log/log.hpp"
#include "daemon/store/journal.hpp"

namespace multicad::core {
namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {
// The reference daemon's first pass comes 30 s after start: long enough for
// recovery and registration, short enough that a restarted daemon cleans up.
constexpr auto first_pass_delay = std::chrono::seconds(30);

std::set<fs::path> running_roots(services& svc) {
  std::set<fs::path> out;
  store::journal journal(svc.db);
  if (auto rows = journal.list())
    for (const auto& r : *rows)
      if (!r.env_root.empty()) out.insert(fs::path(r.env_root));
  return out;
}
}  // namespace

asio::awaitable<int> gc_pass(services& svc, const issue_lookup& lookup) {
  const auto root = svc.settings.workspaces_root;
  auto running = running_roots(svc);
  auto scan_root = [root, running] { return scan(root, running); };
  auto candidates = co_await on_pool(svc.pool, scan_root);
  std::map<std::string, std::optional<issue_answer>> answers;
  for (const auto& c : candidates)
    if (c.meta && !c.meta->issue_id.empty() && !answers.count(c.meta->issue_id))
      answers[c.meta->issue_id] = co_await lookup(c.meta->issue_id);
  int removed = 0;
  const auto now = std::chrono::system_clock::now();
  const auto now_file = fs::file_time_type::clock::now();
  for (const auto& c : candidates) {
    std::optional<issue_answer> issue;
    if (c.meta && !c.meta->issue_id.empty()) issue = answers[c.meta->issue_id];
    auto verdict = decide(c, issue, svc.settings, now, now_file);
    if (verdict == gc_verdict::keep) continue;
    std::string error;
    auto dir = c.dir;
    auto remove = [root, dir, &error] { return remove_task_dir(root, dir, error); };
    bool ok = co_await on_pool(svc.pool, remove);
    if (!ok) {
      log::warn("GC could not remove a task directory", {{"path", dir.string()}, {"error", error},
                {"hint", "check its permissions; GC tries again next pass"}});
      continue;
    }
    ++removed;
    log::info("GC removed a task directory",
              {{"path", dir.string()}, {"reason", verdict == gc_verdict::remove_done ? "issue done" : "orphan"}});
  }
  co_return removed;
}

asio::awaitable<void> gc_loop(services& svc, issue_lookup lookup,
                              std::function<asio::awaitable<bool>(std::chrono::nanoseconds)> sleep) {
  if (!svc.settings.gc.enabled) co_return;
  // co_await stays out of loop conditions: GCC 12 miscompiles a co_await in
  // a do/while condition (the coroutine hits ud2 at its end).
  // A shorter interval (tests, busy machines) also brings the first pass forward.
  auto first = std::min<std::chrono::nanoseconds>(first_pass_delay, svc.settings.gc.interval);
  bool go_on = co_await sleep(first);
  while (go_on) {
    svc.stats.gc_removed += static_cast<std::uint64_t>(co_await gc_pass(svc, lookup));
    go_on = co_await sleep(svc.settings.gc.interval);
  }
}

}  // namespace multicad::core
