// A SQLite database file opened for the daemon and its CLI commands: WAL
// journal (readers never block the writer; several processes share it),
// a busy timeout (a concurrent `multicad submit` waits instead of failing),
// and numbered schema migrations applied in one transaction at open.
// One `database` per thread; SQLite serialises across processes.
#pragma once

#include <boost/system/result.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace multicad::store {

// What kind of failure, so callers decide on a kind and never on SQLite's
// wording: `busy` passes when the other process lets go, `full` and
// `read_only` need the operator, `newer_schema` needs an upgrade.
enum class store_fault { other, busy, full, read_only, corrupt, io, newer_schema, held_by_another_daemon };

struct store_error {
  std::string message;  // what failed, with SQLite's own text
  store_fault kind = store_fault::other;
  std::string to_string() const { return message; }
};
// The kind SQLite's result code stands for (the primary code of an extended one).
store_fault fault_of_sqlite(int code);
[[noreturn]] void throw_exception_from_error(const store_error& e, const boost::source_location& loc);

template <class T>
using result = boost::system::result<T, store_error>;

using value = std::variant<std::nullptr_t, std::int64_t, std::string>;

// One row of a query: columns by index.
struct row {
  std::vector<value> columns;
  std::int64_t integer(std::size_t i) const;
  std::string text(std::size_t i) const;  // "" for NULL
  bool is_null(std::size_t i) const { return std::holds_alternative<std::nullptr_t>(columns.at(i)); }
};

class database {
 public:
  // Opens (creating if needed, with its folder, mode 0700) and migrates to
  // the newest schema. `migrations[i]` upgrades schema version i to i+1.
  static result<database> open(const std::filesystem::path& file, std::span<const std::string_view> migrations);

  database(database&& other) noexcept;
  database& operator=(database&& other) noexcept;
  ~database();

  // Runs one statement with positional parameters (?1, ?2...); returns rows.
  result<std::vector<row>> query(std::string_view sql, const std::vector<value>& params = {});
  result<void> exec(std::string_view sql, const std::vector<value>& params = {});
  std::int64_t last_insert_id() const;
  int schema_version() const { return version_; }
  const std::filesystem::path& file() const { return file_; }

  // BEGIN IMMEDIATE ... COMMIT; rolls back when `body` fails. The ROLLBACK's
  // own result is dropped: the caller gets the first error, and SQLite rolls
  // back an open transaction anyway when the connection closes.
  template <class F>
  auto transaction(F&& body) -> decltype(body()) {
    if (auto ok = exec("BEGIN IMMEDIATE"); !ok) return ok.error();
    auto r = body();
    if (!r) { (void)exec("ROLLBACK"); return r; }  // see above: the first error is the one to report
    if (auto ok = exec("COMMIT"); !ok) { (void)exec("ROLLBACK"); return ok.error(); }  // likewise
    return r;
  }

 private:
  database() = default;
  result<void> enter_wal_mode();
  result<void> migrate(std::span<const std::string_view> migrations);
  store_error error_of(std::string_view what) const;
  sqlite3* db_ = nullptr;
  std::filesystem::path file_;
  int version_ = 0;
};

}  // namespace multicad::store
