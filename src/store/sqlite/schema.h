// Versioned schema migrations of the SQLite store. Internal to store/sqlite.
//
// Each migration is a numbered SQL script applied once, in its own transaction, and
// recorded in `schema_migrations`. Migrations are append-only: a released migration is
// never edited; a change to the schema is a new, higher-numbered migration.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "store/sqlite/connection.h"

namespace rampart::store::sqlite {

struct Migration {
  std::int64_t version;
  std::string_view description;
  std::string_view sql;
};

// Every migration this binary knows, in ascending version order.
const std::vector<Migration>& Migrations();

// Brings the database behind `writer` up to the newest known version. Safe against another
// process migrating at the same time (each step runs under BEGIN IMMEDIATE and re-reads the
// applied version). Fails with "SchemaTooNew" if the database has a version this binary
// does not know, kUnavailable on I/O errors.
Result<void> Migrate(Connection& writer, TimePoint now);

}  // namespace rampart::store::sqlite
