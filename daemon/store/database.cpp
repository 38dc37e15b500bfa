#include "daemon/store/database.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace multicad::store {
namespace fs = std::filesystem;

void throw_exception_from_error(const store_error& e, const boost::source_location&) {
  throw std::runtime_error(e.message);
}

std::int64_t row::integer(std::size_t i) const {
  if (auto* v = std::get_if<std::int64_t>(&columns.at(i))) return *v;
  if (auto* s = std::get_if<std::string>(&columns.at(i))) return std::stoll(*s);
  return 0;
}

std::string row::text(std::size_t i) const {
  if (auto* s = std::get_if<std::string>(&columns.at(i))) return *s;
  if (auto* v = std::get_if<std::int64_t>(&columns.at(i))) return std::to_string(*v);
  return {};
}

store_fault fault_of_sqlite(int code) {
  switch (code & 0xff) {
    case SQLITE_BUSY: case SQLITE_LOCKED: return store_fault::busy;
    case SQLITE_FULL: return store_fault::full;
    case SQLITE_READONLY: case SQLITE_PERM: case SQLITE_CANTOPEN: return store_fault::read_only;
    case SQLITE_CORRUPT: case SQLITE_NOTADB: return store_fault::corrupt;
    case SQLITE_IOERR: return store_fault::io;
    default: return store_fault::other;
  }
}

namespace {

// Waiting beats failing when another process (a `multicad submit`, the CLI's
// `tasks` command) holds the write lock for a moment.
constexpr int busy_timeout_ms = 5000;

struct statement {
  sqlite3_stmt* s = nullptr;
  ~statement() { sqlite3_finalize(s); }
};

int bind(sqlite3_stmt* s, const std::vector<value>& params) {
  for (std::size_t i = 0; i < params.size(); ++i) {
    int idx = static_cast<int>(i + 1), rc = SQLITE_OK;
    if (auto* v = std::get_if<std::int64_t>(&params[i])) rc = sqlite3_bind_int64(s, idx, *v);
    else if (auto* t = std::get_if<std::string>(&params[i]))
      rc = sqlite3_bind_text(s, idx, t->data(), static_cast<int>(t->size()), SQLITE_TRANSIENT);
    else rc = sqlite3_bind_null(s, idx);
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

value column(sqlite3_stmt* s, int i) {
  switch (sqlite3_column_type(s, i)) {
    case SQLITE_NULL: return nullptr;
    case SQLITE_INTEGER: return static_cast<std::int64_t>(sqlite3_column_int64(s, i));
    default: {
      auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
      return std::string(p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(s, i)));
    }
  }
}

}  // namespace

store_error database::error_of(std::string_view what) const {
  return {std::string(what) + " (" + file_.string() + "): " + (db_ ? sqlite3_errmsg(db_) : "cannot open"),
          db_ ? fault_of_sqlite(sqlite3_extended_errcode(db_)) : store_fault::other};
}

result<database> database::open(const fs::path& file, std::span<const std::string_view> migrations) {
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  if (ec) return store_error{"cannot create the state folder " + file.parent_path().string() + ": " + ec.message()};
  fs::permissions(file.parent_path(), fs::perms::owner_all, ec);  // task prompts and results are private
  database d;
  d.file_ = file;
  if (sqlite3_open_v2(file.c_str(), &d.db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK)
    return d.error_of("cannot open the store");
  sqlite3_busy_timeout(d.db_, busy_timeout_ms);
  // WAL: concurrent readers and one writer across processes; NORMAL sync is
  // durable across a crash of this process (not of the machine's power).
  if (auto ok = d.enter_wal_mode(); !ok) return ok.error();
  for (auto pragma : {"PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"})
    if (auto ok = d.exec(pragma); !ok) return ok.error();
  if (auto ok = d.migrate(migrations); !ok) return ok.error();
  return d;
}

result<void> database::enter_wal_mode() {
  // Switching a fresh file to WAL needs it exclusively, and SQLite answers
  // BUSY at once, without its busy handler, while another connection is
  // opening the same file (two processes starting together). Retry for as
  // long as the busy timeout would have waited.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(busy_timeout_ms);
  for (auto pause = std::chrono::milliseconds(1);; pause = std::min(pause * 2, std::chrono::milliseconds(50))) {
    auto ok = exec("PRAGMA journal_mode=WAL");
    if (ok || ok.error().kind != store_fault::busy || std::chrono::steady_clock::now() >= give_up) return ok;
    std::this_thread::sleep_for(pause);
  }
}

database::database(database&& o) noexcept : db_(o.db_), file_(std::move(o.file_)), version_(o.version_) { o.db_ = nullptr; }

database& database::operator=(database&& o) noexcept {
  if (this != &o) {
    if (db_) sqlite3_close_v2(db_);
    db_ = o.db_;
    file_ = std::move(o.file_);
    version_ = o.version_;
    o.db_ = nullptr;
  }
  return *this;
}

database::~database() {
  if (db_) sqlite3_close_v2(db_);
}

result<std::vector<row>> database::query(std::string_view sql, const std::vector<value>& params) {
  statement st;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &st.s, nullptr) != SQLITE_OK)
    return error_of("cannot prepare \"" + std::string(sql.substr(0, 60)) + "\"");
  if (bind(st.s, params) != SQLITE_OK) return error_of("cannot bind parameters");
  std::vector<row> rows;
  for (;;) {
    int rc = sqlite3_step(st.s);
    if (rc == SQLITE_DONE) return rows;
    if (rc != SQLITE_ROW) return error_of("cannot run \"" + std::string(sql.substr(0, 60)) + "\"");
    row r;
    for (int i = 0, n = sqlite3_column_count(st.s); i < n; ++i) r.columns.push_back(column(st.s, i));
    rows.push_back(std::move(r));
  }
}

result<void> database::exec(std::string_view sql, const std::vector<value>& params) {
  auto r = query(sql, params);
  if (!r) return r.error();
  return {};
}

std::int64_t database::last_insert_id() const { return sqlite3_last_insert_rowid(db_); }

result<void> database::migrate(std::span<const std::string_view> migrations) {
  const int newest = static_cast<int>(migrations.size());
  for (;;) {
    // Each step re-reads the version inside its transaction: another process
    // opening the same fresh store may have migrated it meanwhile. A crash
    // mid-step leaves the previous version intact.
    auto step = transaction([&]() -> result<bool> {
      auto v = query("PRAGMA user_version");
      if (!v) return v.error();
      version_ = static_cast<int>(v->at(0).integer(0));
      if (version_ > newest)
        return store_error{"the store " + file_.string() + " has schema version " + std::to_string(version_) +
                           ", newer than this multicad knows (" + std::to_string(newest) +
                           "); upgrade multicad or use another state_dir",
                           store_fault::newer_schema};
      if (version_ == newest) return false;
      auto rc = sqlite3_exec(db_, std::string(migrations[version_]).c_str(), nullptr, nullptr, nullptr);
      if (rc != SQLITE_OK) return error_of("migration to schema " + std::to_string(version_ + 1) + " failed");
      if (auto ok = exec("PRAGMA user_version = " + std::to_string(version_ + 1)); !ok) return ok.error();
      ++version_;
      return true;
    });
    if (!step) return step.error();
    if (!*step) return {};
  }
}

}  // namespace multicad::store
