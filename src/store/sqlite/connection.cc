#include "store/sqlite/connection.h"

#include <algorithm>
#include <string>

#include "store/store.h"

namespace rampart::store::sqlite {

Error ErrorFromCode(sqlite3* db, int code, std::string_view context) {
  std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  std::string message = std::string(context) + ": " + detail;
  switch (code) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return MakeError(StoreError::kConflict, std::move(message));
    default:
      break;
  }
  if ((code & 0xff) == SQLITE_CONSTRAINT) {
    return MakeError(StoreError::kInvalidArgument, std::move(message));
  }
  return MakeError(StoreError::kUnavailable, std::move(message));
}

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // sqlite3_step returns the extended code under sqlite3_extended_result_codes(1).
  return Fail(ErrorFromCode(connection_->db(), rc, "database"));
}

Result<std::int64_t> Statement::Run() {
  while (true) {
    Result<bool> row = Step();
    if (!row) return Fail(row.error());
    if (!*row) break;
  }
  return sqlite3_changes64(connection_->db());
}

std::string Statement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::string Statement::Blob(int column) const {
  const void* blob = sqlite3_column_blob(stmt_, column);
  if (blob == nullptr) return {};
  return std::string(static_cast<const char*>(blob),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, Mode mode,
                                                     std::chrono::milliseconds busy_timeout,
                                                     int cache_kib) {
  // Before the library initialises (the first open): no memory statistics. They take one
  // process-wide mutex on every allocation, which every connection's thread then contends for.
  static const bool configured = [] {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK;
  }();
  (void)configured;
  sqlite3* db = nullptr;
  // NOMUTEX: each connection is confined to one thread at a time (see header).
  int flags =
      SQLITE_OPEN_NOMUTEX |
      (mode == Mode::kWriter ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READWRITE);
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error error = ErrorFromCode(db, rc, "cannot open database `" + path + "`");
    sqlite3_close(db);
    return Fail(MakeError(StoreError::kUnavailable, error.message));
  }
  std::unique_ptr<Connection> connection(new Connection(db));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(busy_timeout.count()));
  // WAL lets readers proceed while the writer commits and survives crashes; FULL syncs the
  // WAL on every commit, so an acknowledged write survives power loss (DESIGN.md section 5).
  // A negative cache_size is in KiB. The default (2 MiB) thrashes once indexes outgrow it.
  std::string pragmas =
      "PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL; PRAGMA temp_store=MEMORY;"
      " PRAGMA cache_size=-" +
      std::to_string(std::max(256, cache_kib)) + ";";
  if (mode == Mode::kWriter) {
    pragmas = "PRAGMA journal_mode=WAL; " + pragmas;
  } else {
    pragmas += " PRAGMA query_only=ON;";
  }
  if (Result<void> set = connection->Exec(pragmas); !set) return Fail(set.error());
  return connection;
}

Connection::~Connection() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Result<Statement> Connection::Prepare(std::string_view sql) {
  auto found = statements_.find(sql);
  if (found != statements_.end()) return Statement(*this, found->second);
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return Fail(ErrorFromCode(db_, rc, "cannot prepare statement"));
  statements_.emplace(std::string(sql), stmt);
  return Statement(*this, stmt);
}

Result<void> Connection::Run(std::string_view sql) {
  Result<Statement> stmt = Prepare(sql);
  if (!stmt) return Fail(stmt.error());
  if (Result<std::int64_t> ran = stmt->Run(); !ran) return Fail(ran.error());
  return Ok();
}

Result<void> Connection::Exec(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string detail = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    Error error = ErrorFromCode(nullptr, rc, "database");
    error.message = "database: " + detail;
    return Fail(std::move(error));
  }
  return Ok();
}

}  // namespace rampart::store::sqlite
