// Notices when the store is deleted, replaced or unreadable under the running
// daemon. SQLite keeps using the inode it opened, so after `rm
// multicad.sqlite3*` the daemon would go on reading a file nobody else sees
// while `multicad submit` writes into a new one: tasks would wait forever and
// /health would say `running`. The watch compares the file's identity with
// the one at start every few seconds and reads from the store; on a mismatch
// it logs one ERROR saying what to do and marks the daemon degraded
// (services::store_problem: /health says `degraded` and /local/wake refuses).
// Thread rule: the daemon's io_context.
#pragma once

#include <sys/types.h>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "daemon/core/services.hpp"

namespace multicad::core {

struct file_identity {
  dev_t device = 0;
  ino_t inode = 0;
  bool operator==(const file_identity&) const = default;
};

// The identity of the file at `path` now, or nullopt when there is none.
std::optional<file_identity> identify(const std::filesystem::path& path);

// What is wrong with the store, or "" when it is the file the daemon opened
// and it answers a query. Pure but for the stat and the query.
std::string store_problem(store::database& db, const std::optional<file_identity>& opened);

// Checks every `period` until the daemon stops; sets svc.store_problem once.
boost::asio::awaitable<void> watch_store(services& svc, std::chrono::milliseconds period = std::chrono::seconds(2));

}  // namespace multicad::core
