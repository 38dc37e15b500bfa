#include "daemon/core/store_watch.hpp"

#include <sys/stat.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "daemon/log/log.hpp"

namespace multicad::core {
namespace asio = boost::asio;

std::optional<file_identity> identify(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return file_identity{st.st_dev, st.st_ino};
}

std::string store_problem(store::database& db, const std::optional<file_identity>& opened) {
  auto now = identify(db.file());
  if (!now) return "the store file " + db.file().string() + " was deleted while the daemon ran";
  if (opened && *now != *opened) return "the store file " + db.file().string() + " was replaced while the daemon ran";
  if (auto q = db.query("SELECT count(*) FROM sqlite_master"); !q) return "the store cannot be read: " + q.error().message;
  return {};
}

asio::awaitable<void> watch_store(services& svc, std::chrono::milliseconds period) {
  const auto opened = identify(svc.db.file());
  asio::steady_timer timer(svc.io);
  while (!svc.stopping) {
    timer.expires_after(period);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (svc.stopping || !svc.store_problem.empty()) continue;
    auto problem = store_problem(svc.db, opened);
    if (problem.empty()) continue;
    svc.store_problem = problem;
    log::error("the store is gone or unusable; tasks and reports cannot be kept",
               {{"error", problem}, {"state_dir", svc.settings.state_dir.string()},
                {"hint", "restart the daemon (systemctl restart multicad, or stop and start `multicad run`): it opens a "
                         "new store and reports what it can; do not delete the store of a running daemon"}});
  }
}

}  // namespace multicad::core
