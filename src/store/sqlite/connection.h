// A thin adapter over one sqlite3 connection: opening with rampart's pragmas, a cache of
// prepared statements, typed binding and column access, and the mapping of SQLite result
// codes to store errors. Internal to store/sqlite.
//
// Thread-safety: none. A Connection is used by one thread at a time (the writer thread, or
// the reader that checked it out of the pool). Movable only through unique_ptr.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>

#include "common/clock.h"
#include "common/result.h"

namespace rampart::store::sqlite {

// Maps an SQLite (extended) result code to a store Error: constraint violations of
// uniqueness and foreign keys -> Conflict, other constraints -> InvalidArgument, anything
// else -> Unavailable. `context` prefixes the message.
Error ErrorFromCode(sqlite3* db, int code, std::string_view context);

class Connection;

// Wraps a BLOB parameter so it binds as a blob rather than text.
struct BlobParam {
  std::string_view bytes;
};

// A prepared statement borrowed from a Connection's cache for one execution. Reset (and
// its bindings cleared) on destruction, so the cached statement is ready for reuse.
class Statement {
 public:
  Statement(Connection& connection, sqlite3_stmt* stmt) : connection_(&connection), stmt_(stmt) {}
  ~Statement();
  Statement(Statement&& other) noexcept : connection_(other.connection_), stmt_(other.stmt_) {
    other.stmt_ = nullptr;
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;

  // Binds `values` to parameters 1..N in order.
  template <typename... Values>
  Statement& Bind(const Values&... values) {
    int index = 1;
    (BindOne(index++, values), ...);
    return *this;
  }

  // Advances: true when a row is available, false when done.
  Result<bool> Step();
  // Steps to completion (a statement that returns no rows); the number of rows changed.
  Result<std::int64_t> Run();

  std::int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  bool Bool(int column) const { return Int(column) != 0; }
  bool IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::string Text(int column) const;
  std::string Blob(int column) const;
  TimePoint Time(int column) const { return TimePoint(std::chrono::milliseconds(Int(column))); }
  std::optional<TimePoint> OptTime(int column) const {
    if (IsNull(column)) return std::nullopt;
    return Time(column);
  }
  std::optional<std::int32_t> OptInt32(int column) const {
    if (IsNull(column)) return std::nullopt;
    return static_cast<std::int32_t>(Int(column));
  }

 private:
  void BindOne(int index, std::int64_t value) { sqlite3_bind_int64(stmt_, index, value); }
  void BindOne(int index, int value) { sqlite3_bind_int64(stmt_, index, value); }
  void BindOne(int index, bool value) { sqlite3_bind_int64(stmt_, index, value ? 1 : 0); }
  void BindOne(int index, std::string_view value) {
    sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  }
  void BindOne(int index, const std::string& value) { BindOne(index, std::string_view(value)); }
  void BindOne(int index, const char* value) { BindOne(index, std::string_view(value)); }
  void BindOne(int index, TimePoint value) {
    sqlite3_bind_int64(stmt_, index, value.time_since_epoch().count());
  }
  void BindOne(int index, BlobParam value) {
    sqlite3_bind_blob(stmt_, index, value.bytes.data(), static_cast<int>(value.bytes.size()),
                      SQLITE_TRANSIENT);
  }
  void BindOne(int index, std::nullopt_t) { sqlite3_bind_null(stmt_, index); }
  template <typename T>
  void BindOne(int index, const std::optional<T>& value) {
    if (value) {
      BindOne(index, *value);
    } else {
      sqlite3_bind_null(stmt_, index);
    }
  }

  Connection* connection_;
  sqlite3_stmt* stmt_;  // null once moved from
};

class Connection {
 public:
  enum class Mode { kWriter, kReader };

  // Opens `path` (creating it for kWriter) with WAL, synchronous=FULL, foreign_keys=ON and
  // the busy timeout; kReader connections are also query_only.
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, Mode mode,
                                                  std::chrono::milliseconds busy_timeout,
                                                  int cache_kib);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // A cached prepared statement for `sql` (prepared on first use).
  Result<Statement> Prepare(std::string_view sql);
  // Runs one or more statements without results (DDL, pragmas), parsing them every time.
  Result<void> Exec(std::string_view sql);
  // Runs one statement without results from the statement cache: for the statements of every
  // transaction (BEGIN, COMMIT, SAVEPOINT, ...), which Exec would parse on each call.
  Result<void> Run(std::string_view sql);

  sqlite3* db() const { return db_; }
  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept {
      return std::hash<std::string_view>{}(text);
    }
  };
  std::unordered_map<std::string, sqlite3_stmt*, StringHash, std::equal_to<>> statements_;
};

}  // namespace rampart::store::sqlite
