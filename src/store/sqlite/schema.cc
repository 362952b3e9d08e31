#include "store/sqlite/schema.h"

#include <string>

#include "store/store.h"

namespace rampart::store::sqlite {
namespace {

// Conventions: times are INTEGER milliseconds since the Unix epoch (UTC); `*_lc` columns
// hold the ASCII-lower-cased name that uniqueness and ordering use, while `name` keeps the
// caller's spelling; booleans are INTEGER 0/1; sealed secrets are BLOBs.
constexpr std::string_view kInitialSchema = R"sql(
CREATE TABLE store_meta (
  key   TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
INSERT INTO store_meta (key, value) VALUES ('policy_version', 1);

CREATE TABLE accounts (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  status      TEXT NOT NULL,
  email       TEXT NOT NULL,
  email_lc    TEXT NOT NULL UNIQUE,
  alias       TEXT UNIQUE,
  created_ms  INTEGER NOT NULL,
  closed_ms   INTEGER,
  iam_billing INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE root_users (
  account_id          TEXT PRIMARY KEY REFERENCES accounts(id),
  password_hash       TEXT NOT NULL,
  created_ms          INTEGER NOT NULL,
  password_changed_ms INTEGER,
  password_used_ms    INTEGER
);

CREATE TABLE users (
  id               TEXT PRIMARY KEY,
  account_id       TEXT NOT NULL REFERENCES accounts(id),
  name             TEXT NOT NULL,
  name_lc          TEXT NOT NULL,
  path             TEXT NOT NULL,
  arn              TEXT NOT NULL,
  created_ms       INTEGER NOT NULL,
  password_used_ms INTEGER,
  boundary_arn     TEXT NOT NULL DEFAULT '',
  UNIQUE (account_id, name_lc)
);

CREATE TABLE iam_groups (
  id         TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  name       TEXT NOT NULL,
  name_lc    TEXT NOT NULL,
  path       TEXT NOT NULL,
  arn        TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  UNIQUE (account_id, name_lc)
);

CREATE TABLE group_members (
  group_id TEXT NOT NULL REFERENCES iam_groups(id),
  user_id  TEXT NOT NULL REFERENCES users(id),
  PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_by_user ON group_members (user_id);

CREATE TABLE roles (
  id               TEXT PRIMARY KEY,
  account_id       TEXT NOT NULL REFERENCES accounts(id),
  name             TEXT NOT NULL,
  name_lc          TEXT NOT NULL,
  path             TEXT NOT NULL,
  arn              TEXT NOT NULL,
  created_ms       INTEGER NOT NULL,
  trust_policy     TEXT NOT NULL,
  description      TEXT NOT NULL DEFAULT '',
  max_session_s    INTEGER NOT NULL,
  boundary_arn     TEXT NOT NULL DEFAULT '',
  last_used_ms     INTEGER,
  last_used_region TEXT NOT NULL DEFAULT '',
  UNIQUE (account_id, name_lc)
);

CREATE TABLE managed_policies (
  id              TEXT PRIMARY KEY,
  account_id      TEXT NOT NULL REFERENCES accounts(id),
  name            TEXT NOT NULL,
  name_lc         TEXT NOT NULL,
  path            TEXT NOT NULL,
  arn             TEXT NOT NULL UNIQUE,
  description     TEXT NOT NULL DEFAULT '',
  default_version INTEGER NOT NULL,
  last_version    INTEGER NOT NULL,
  created_ms      INTEGER NOT NULL,
  updated_ms      INTEGER NOT NULL,
  UNIQUE (account_id, name_lc)
);

CREATE TABLE policy_versions (
  policy_id  TEXT NOT NULL REFERENCES managed_policies(id) ON DELETE CASCADE,
  version    INTEGER NOT NULL,
  document   TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  PRIMARY KEY (policy_id, version)
);

CREATE TABLE attachments (
  entity_id      TEXT NOT NULL,
  policy_arn     TEXT NOT NULL,
  entity_type    TEXT NOT NULL,
  account_id     TEXT NOT NULL,
  policy_name    TEXT NOT NULL,
  policy_name_lc TEXT NOT NULL,
  policy_path    TEXT NOT NULL,
  PRIMARY KEY (entity_id, policy_arn)
);
CREATE INDEX attachments_by_policy ON attachments (account_id, policy_arn);

CREATE TABLE inline_policies (
  entity_id   TEXT NOT NULL,
  name        TEXT NOT NULL,
  entity_type TEXT NOT NULL,
  document    TEXT NOT NULL,
  PRIMARY KEY (entity_id, name)
);

CREATE TABLE access_keys (
  id            TEXT PRIMARY KEY,
  account_id    TEXT NOT NULL REFERENCES accounts(id),
  user_id       TEXT REFERENCES users(id),
  secret_sealed BLOB NOT NULL,
  status        TEXT NOT NULL,
  created_ms    INTEGER NOT NULL,
  used_ms       INTEGER,
  used_service  TEXT NOT NULL DEFAULT '',
  used_region   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX access_keys_by_owner ON access_keys (account_id, user_id);
CREATE INDEX access_keys_by_user ON access_keys (user_id);

CREATE TABLE login_profiles (
  user_id             TEXT PRIMARY KEY REFERENCES users(id),
  account_id          TEXT NOT NULL,
  password_hash       TEXT NOT NULL,
  reset_required      INTEGER NOT NULL,
  created_ms          INTEGER NOT NULL,
  password_changed_ms INTEGER
);

CREATE TABLE mfa_devices (
  serial      TEXT PRIMARY KEY,
  account_id  TEXT NOT NULL REFERENCES accounts(id),
  name        TEXT NOT NULL,
  path        TEXT NOT NULL,
  seed_sealed BLOB NOT NULL,
  created_ms  INTEGER NOT NULL,
  assignment  TEXT NOT NULL DEFAULT '',
  user_id     TEXT REFERENCES users(id),
  enabled_ms  INTEGER,
  last_step   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX mfa_devices_by_account ON mfa_devices (account_id, serial);
CREATE INDEX mfa_devices_by_user ON mfa_devices (user_id);

CREATE TABLE password_policies (
  account_id      TEXT PRIMARY KEY REFERENCES accounts(id),
  min_length      INTEGER NOT NULL,
  require_symbols INTEGER NOT NULL,
  require_numbers INTEGER NOT NULL,
  require_upper   INTEGER NOT NULL,
  require_lower   INTEGER NOT NULL,
  allow_change    INTEGER NOT NULL,
  max_age         INTEGER,
  reuse           INTEGER,
  hard_expiry     INTEGER NOT NULL
);

CREATE TABLE instance_profiles (
  id         TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  name       TEXT NOT NULL,
  name_lc    TEXT NOT NULL,
  path       TEXT NOT NULL,
  arn        TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  UNIQUE (account_id, name_lc)
);

CREATE TABLE instance_profile_roles (
  profile_id TEXT NOT NULL REFERENCES instance_profiles(id),
  role_id    TEXT NOT NULL REFERENCES roles(id),
  PRIMARY KEY (profile_id, role_id)
);
CREATE INDEX instance_profile_roles_by_role ON instance_profile_roles (role_id);

CREATE TABLE tags (
  resource_type TEXT NOT NULL,
  resource_id   TEXT NOT NULL,
  key_lc        TEXT NOT NULL,
  key           TEXT NOT NULL,
  value         TEXT NOT NULL,
  account_id    TEXT NOT NULL,
  PRIMARY KEY (resource_type, resource_id, key_lc)
);
)sql";

constexpr std::string_view kAuditEvents = R"sql(
CREATE TABLE audit_events (
  sequence      INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id      TEXT NOT NULL UNIQUE,
  account_id    TEXT NOT NULL,
  event_time_ms INTEGER NOT NULL,
  event_name    TEXT NOT NULL,
  event_source  TEXT NOT NULL,
  username      TEXT NOT NULL,
  access_key_id TEXT NOT NULL,
  read_only     INTEGER NOT NULL,
  record        TEXT NOT NULL
);
CREATE INDEX audit_events_by_time ON audit_events (account_id, event_time_ms, sequence);
CREATE INDEX audit_events_by_name ON audit_events (account_id, event_name, event_time_ms, sequence);
CREATE INDEX audit_events_by_user ON audit_events (account_id, username, event_time_ms, sequence);
CREATE INDEX audit_events_by_source
  ON audit_events (account_id, event_source, event_time_ms, sequence);
CREATE INDEX audit_events_by_key
  ON audit_events (account_id, access_key_id, event_time_ms, sequence);
CREATE INDEX audit_events_by_read_only
  ON audit_events (account_id, read_only, event_time_ms, sequence);
CREATE INDEX audit_events_by_age ON audit_events (event_time_ms);

CREATE TABLE audit_event_resources (
  sequence      INTEGER NOT NULL REFERENCES audit_events(sequence) ON DELETE CASCADE,
  account_id    TEXT NOT NULL,
  event_time_ms INTEGER NOT NULL,
  resource_type TEXT NOT NULL,
  resource_name TEXT NOT NULL
);
CREATE INDEX audit_event_resources_by_event ON audit_event_resources (sequence);
CREATE INDEX audit_event_resources_by_type
  ON audit_event_resources (account_id, resource_type, event_time_ms, sequence);
CREATE INDEX audit_event_resources_by_name
  ON audit_event_resources (account_id, resource_name, event_time_ms, sequence);
)sql";

constexpr std::string_view kOutboxAndReports = R"sql(
CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  topic           TEXT NOT NULL,
  payload         TEXT NOT NULL,
  created_ms      INTEGER NOT NULL,
  next_attempt_ms INTEGER NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT NOT NULL DEFAULT '',
  delivered_ms    INTEGER
);
CREATE INDEX outbox_due ON outbox (topic, next_attempt_ms, id) WHERE delivered_ms IS NULL;
CREATE INDEX outbox_by_topic ON outbox (topic, id);
CREATE INDEX outbox_delivered ON outbox (delivered_ms) WHERE delivered_ms IS NOT NULL;

CREATE TABLE credential_reports (
  account_id   TEXT PRIMARY KEY REFERENCES accounts(id),
  generated_ms INTEGER NOT NULL,
  content      TEXT NOT NULL
);
)sql";

// Per-account entity counts kept by triggers, so that quota checks and GetAccountSummary
// read one row instead of counting an account's users (or roles, ...) on every create.
constexpr std::string_view kEntityCounts = R"sql(
CREATE TABLE account_entity_counts (
  account_id TEXT NOT NULL,
  kind       TEXT NOT NULL,
  count      INTEGER NOT NULL,
  PRIMARY KEY (account_id, kind)
) WITHOUT ROWID;
INSERT INTO account_entity_counts (account_id, kind, count)
  SELECT account_id, 'users', COUNT(*) FROM users GROUP BY account_id;
CREATE TRIGGER users_counted AFTER INSERT ON users BEGIN
  INSERT INTO account_entity_counts (account_id, kind, count)
    VALUES (NEW.account_id, 'users', 1)
    ON CONFLICT (account_id, kind) DO UPDATE SET count = count + 1;
END;
CREATE TRIGGER users_uncounted AFTER DELETE ON users BEGIN
  UPDATE account_entity_counts SET count = count - 1
    WHERE account_id = OLD.account_id AND kind = 'users';
END;
INSERT INTO account_entity_counts (account_id, kind, count)
  SELECT account_id, 'groups', COUNT(*) FROM iam_groups GROUP BY account_id;
CREATE TRIGGER iam_groups_counted AFTER INSERT ON iam_groups BEGIN
  INSERT INTO account_entity_counts (account_id, kind, count)
    VALUES (NEW.account_id, 'groups', 1)
    ON CONFLICT (account_id, kind) DO UPDATE SET count = count + 1;
END;
CREATE TRIGGER iam_groups_uncounted AFTER DELETE ON iam_groups BEGIN
  UPDATE account_entity_counts SET count = count - 1
    WHERE account_id = OLD.account_id AND kind = 'groups';
END;
INSERT INTO account_entity_counts (account_id, kind, count)
  SELECT account_id, 'roles', COUNT(*) FROM roles GROUP BY account_id;
CREATE TRIGGER roles_counted AFTER INSERT ON roles BEGIN
  INSERT INTO account_entity_counts (account_id, kind, count)
    VALUES (NEW.account_id, 'roles', 1)
    ON CONFLICT (account_id, kind) DO UPDATE SET count = count + 1;
END;
CREATE TRIGGER roles_uncounted AFTER DELETE ON roles BEGIN
  UPDATE account_entity_counts SET count = count - 1
    WHERE account_id = OLD.account_id AND kind = 'roles';
END;
INSERT INTO account_entity_counts (account_id, kind, count)
  SELECT account_id, 'policies', COUNT(*) FROM managed_policies GROUP BY account_id;
CREATE TRIGGER managed_policies_counted AFTER INSERT ON managed_policies BEGIN
  INSERT INTO account_entity_counts (account_id, kind, count)
    VALUES (NEW.account_id, 'policies', 1)
    ON CONFLICT (account_id, kind) DO UPDATE SET count = count + 1;
END;
CREATE TRIGGER managed_policies_uncounted AFTER DELETE ON managed_policies BEGIN
  UPDATE account_entity_counts SET count = count - 1
    WHERE account_id = OLD.account_id AND kind = 'policies';
END;
INSERT INTO account_entity_counts (account_id, kind, count)
  SELECT account_id, 'instance_profiles', COUNT(*) FROM instance_profiles GROUP BY account_id;
CREATE TRIGGER instance_profiles_counted AFTER INSERT ON instance_profiles BEGIN
  INSERT INTO account_entity_counts (account_id, kind, count)
    VALUES (NEW.account_id, 'instance_profiles', 1)
    ON CONFLICT (account_id, kind) DO UPDATE SET count = count + 1;
END;
CREATE TRIGGER instance_profiles_uncounted AFTER DELETE ON instance_profiles BEGIN
  UPDATE account_entity_counts SET count = count - 1
    WHERE account_id = OLD.account_id AND kind = 'instance_profiles';
END;
)sql";

// LookupEvents' indexes move off the event rows into one table filled in batches
// (AuditEventRepo::IndexPending): a handler's transaction then writes the event row, its
// resources and their right-edge index pages only, instead of ten index pages. Attribute codes:
// 0 every event (time order), 2 EventName, 3 ReadOnly ("true"/"false"), 4 Username,
// 5 ResourceType, 6 ResourceName, 7 EventSource, 8 AccessKeyId; EventId uses the unique
// event_id index directly. Events already recorded are indexed by the same batches.
constexpr std::string_view kAuditLookup = R"sql(
CREATE TABLE audit_lookup (
  account_id    TEXT NOT NULL,
  attribute     INTEGER NOT NULL,
  value         TEXT NOT NULL,
  event_time_ms INTEGER NOT NULL,
  sequence      INTEGER NOT NULL,
  PRIMARY KEY (account_id, attribute, value, event_time_ms, sequence)
) WITHOUT ROWID;
CREATE INDEX audit_lookup_by_sequence ON audit_lookup (sequence);
CREATE TRIGGER audit_events_unlooked AFTER DELETE ON audit_events BEGIN
  DELETE FROM audit_lookup WHERE sequence = OLD.sequence;
END;
INSERT INTO store_meta (key, value) VALUES ('audit_indexed_sequence', 0);
DROP INDEX audit_events_by_time;
DROP INDEX audit_events_by_name;
DROP INDEX audit_events_by_user;
DROP INDEX audit_events_by_source;
DROP INDEX audit_events_by_key;
DROP INDEX audit_events_by_read_only;
DROP INDEX audit_events_by_age;
DROP INDEX audit_event_resources_by_type;
DROP INDEX audit_event_resources_by_name;
)sql";

// audit_lookup loses its sequence index (a second B-tree insert for every lookup row, about a
// third of the writer's time under a read-heavy load): the rows of an event are deleted by
// their full primary key, from the event's own values, when the event is deleted (retention)
// or updated (completion, which indexes it again), and when a resource row goes.
constexpr std::string_view kAuditLookupByKey = R"sql(
DROP TRIGGER audit_events_unlooked;
DROP INDEX audit_lookup_by_sequence;
CREATE TRIGGER audit_events_unlooked AFTER DELETE ON audit_events BEGIN
  DELETE FROM audit_lookup WHERE account_id = OLD.account_id AND attribute = 0
    AND value = '' AND event_time_ms = OLD.event_time_ms AND sequence = OLD.sequence;
  DELETE FROM audit_lookup WHERE account_id = OLD.account_id AND attribute = 2
    AND value = OLD.event_name AND event_time_ms = OLD.event_time_ms AND sequence = OLD.sequence;
  DELETE FROM audit_lookup WHERE account_id = OLD.account_id AND attribute = 3
    AND value = CASE OLD.read_only WHEN 0 THEN 'false' ELSE 'true' END
    AND event_time_ms = OLD.event_time_ms AND sequence = OLD.sequence;
  DELETE FROM audit_lookup WHERE account_id = OLD.account_id AND attribute = 4
    AND value = OLD.username AND event_time_ms = OLD.event_time_ms AND sequence = OLD.sequence;
  DELETE FROM audit_lookup WHERE account_id = OLD.account_id AND attribute = 7
    AND value = OLD.event_source AND event_time_ms = OLD.event_time_ms AND sequence = OLD.sequence;
  DELETE FROM audit_lookup WHERE account_id = OLD.account_id AND attribute = 8
    AND value = OLD.access_key_id AND event_time_ms = OLD.event_time_ms AND sequence = OLD.sequence;
END;
CREATE TRIGGER audit_events_relooked AFTER UPDATE ON audit_events BEGIN
  DELETE FROM audit_lookup WHERE account_id = OLD.account_id AND attribute = 0
    AND value = '' AND event_time_ms = OLD.event_time_ms AND sequence = OLD.sequence;
  DELETE FROM audit_lookup WHERE account_id = OLD.account_id AND attribute = 2
    AND value = OLD.event_name AND event_time_ms = OLD.event_time_ms AND sequence = OLD.sequence;
  DELETE FROM audit_lookup WHERE account_id = OLD.account_id AND attribute = 3
    AND value = CASE OLD.read_only WHEN 0 THEN 'false' ELSE 'true' END
    AND event_time_ms = OLD.event_time_ms AND sequence = OLD.sequence;
  DELETE FROM audit_lookup WHERE account_id = OLD.account_id AND attribute = 4
    AND value = OLD.username AND event_time_ms = OLD.event_time_ms AND sequence = OLD.sequence;
  DELETE FROM audit_lookup WHERE account_id = OLD.account_id AND attribute = 7
    AND value = OLD.event_source AND event_time_ms = OLD.event_time_ms AND sequence = OLD.sequence;
  DELETE FROM audit_lookup WHERE account_id = OLD.account_id AND attribute = 8
    AND value = OLD.access_key_id AND event_time_ms = OLD.event_time_ms AND sequence = OLD.sequence;
END;
CREATE TRIGGER audit_event_resources_unlooked AFTER DELETE ON audit_event_resources BEGIN
  DELETE FROM audit_lookup WHERE account_id = OLD.account_id AND attribute = 5
    AND value = OLD.resource_type AND event_time_ms = OLD.event_time_ms
    AND sequence = OLD.sequence;
  DELETE FROM audit_lookup WHERE account_id = OLD.account_id AND attribute = 6
    AND value = OLD.resource_name AND event_time_ms = OLD.event_time_ms
    AND sequence = OLD.sequence;
END;
)sql";

Result<std::int64_t> AppliedVersion(Connection& writer) {
  Result<Statement> stmt =
      writer.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!stmt) return Fail(stmt.error());
  Result<bool> row = stmt->Step();
  if (!row) return Fail(row.error());
  return stmt->Int(0);
}

// Lean event rows: an event appended in a handler's transaction is one row in one table, so
// it dirties (and fsyncs) as few pages as possible. The sequence is the plain rowid (no
// AUTOINCREMENT bookkeeping row: retention never deletes the newest event, so a sequence is
// still never handed out twice), the resources are a JSON column ([[type, name], ...]) instead
// of rows of their own with an index, and the event id is no longer a unique index: ids are
// random UUIDs, LookupEvents finds them through audit_lookup (attribute 1), and completion
// addresses an event by its sequence.
constexpr std::string_view kLeanAuditEvents = R"sql(
DROP TRIGGER audit_events_unlooked;
DROP TRIGGER audit_events_relooked;
DROP TRIGGER audit_event_resources_unlooked;
CREATE TABLE audit_events_lean (
  sequence      INTEGER PRIMARY KEY,
  event_id      TEXT NOT NULL,
  account_id    TEXT NOT NULL,
  event_time_ms INTEGER NOT NULL,
  event_name    TEXT NOT NULL,
  event_source  TEXT NOT NULL,
  username      TEXT NOT NULL,
  access_key_id TEXT NOT NULL,
  read_only     INTEGER NOT NULL,
  resources     TEXT NOT NULL,
  record        TEXT NOT NULL
);
INSERT INTO audit_events_lean (sequence, event_id, account_id, event_time_ms, event_name,
                               event_source, username, access_key_id, read_only, resources,
                               record)
  SELECT e.sequence, e.event_id, e.account_id, e.event_time_ms, e.event_name, e.event_source,
         e.username, e.access_key_id, e.read_only,
         COALESCE((SELECT json_group_array(json_array(r.resource_type, r.resource_name))
                   FROM (SELECT resource_type, resource_name FROM audit_event_resources
                         WHERE sequence = e.sequence ORDER BY rowid) r), '[]'),
         e.record
  FROM audit_events e ORDER BY e.sequence;
DROP TABLE audit_event_resources;
DROP TABLE audit_events;
ALTER TABLE audit_events_lean RENAME TO audit_events;
INSERT OR IGNORE INTO audit_lookup (account_id, attribute, value, event_time_ms, sequence)
  SELECT account_id, 1, event_id, event_time_ms, sequence FROM audit_events
  WHERE sequence <= (SELECT value FROM store_meta WHERE key = 'audit_indexed_sequence');
CREATE TRIGGER audit_events_unlooked AFTER DELETE ON audit_events BEGIN
  DELETE FROM audit_lookup WHERE account_id = OLD.account_id AND attribute = 0
    AND value = '' AND event_time_ms = OLD.event_time_ms AND sequence = OLD.sequence;
  DELETE FROM audit_lookup WHERE account_id = OLD.account_id AND attribute = 1
    AND value = OLD.event_id AND event_time_ms = OLD.event_time_ms AND sequence = OLD.sequence;
  DELETE FROM audit_lookup WHERE account_id = OLD.account_id AND attribute = 2
    AND value = OLD.event_name AND event_time_ms = OLD.event_time_ms AND sequence = OLD.sequence;
  DELETE FROM audit_lookup WHERE account_id = OLD.account_id AND attribute = 3
    AND value = CASE OLD.read_only WHEN 0 THEN 'false' ELSE 'true' END
    AND event_time_ms = OLD.event_time_ms AND sequence = OLD.sequence;
  DELETE FROM audit_lookup WHERE account_id = OLD.account_id AND attribute = 4
    AND value = OLD.username AND event_time_ms = OLD.event_time_ms AND sequence = OLD.sequence;
  DELETE FROM audit_lookup WHERE account_id = OLD.account_id AND attribute = 7
    AND value = OLD.event_source AND event_time_ms = OLD.event_time_ms AND sequence = OLD.sequence;
  DELETE FROM audit_lookup WHERE account_id = OLD.account_id AND attribute = 8
    AND value = OLD.access_key_id AND event_time_ms = OLD.event_time_ms AND sequence = OLD.sequence;
  DELETE FROM audit_lookup WHERE account_id = OLD.account_id AND attribute = 5
    AND value IN (SELECT json_extract(r.value, '$[0]') FROM json_each(OLD.resources) r)
    AND event_time_ms = OLD.event_time_ms AND sequence = OLD.sequence;
  DELETE FROM audit_lookup WHERE account_id = OLD.account_id AND attribute = 6
    AND value IN (SELECT json_extract(r.value, '$[1]') FROM json_each(OLD.resources) r)
    AND event_time_ms = OLD.event_time_ms AND sequence = OLD.sequence;
END;
CREATE TRIGGER audit_events_relooked AFTER UPDATE ON audit_events BEGIN
  DELETE FROM audit_lookup WHERE account_id = OLD.account_id AND attribute = 0
    AND value = '' AND event_time_ms = OLD.event_time_ms AND sequence = OLD.sequence;
  DELETE FROM audit_lookup WHERE account_id = OLD.account_id AND attribute = 1
    AND value = OLD.event_id AND event_time_ms = OLD.event_time_ms AND sequence = OLD.sequence;
  DELETE FROM audit_lookup WHERE account_id = OLD.account_id AND attribute = 2
    AND value = OLD.event_name AND event_time_ms = OLD.event_time_ms AND sequence = OLD.sequence;
  DELETE FROM audit_lookup WHERE account_id = OLD.account_id AND attribute = 3
    AND value = CASE OLD.read_only WHEN 0 THEN 'false' ELSE 'true' END
    AND event_time_ms = OLD.event_time_ms AND sequence = OLD.sequence;
  DELETE FROM audit_lookup WHERE account_id = OLD.account_id AND attribute = 4
    AND value = OLD.username AND event_time_ms = OLD.event_time_ms AND sequence = OLD.sequence;
  DELETE FROM audit_lookup WHERE account_id = OLD.account_id AND attribute = 7
    AND value = OLD.event_source AND event_time_ms = OLD.event_time_ms AND sequence = OLD.sequence;
  DELETE FROM audit_lookup WHERE account_id = OLD.account_id AND attribute = 8
    AND value = OLD.access_key_id AND event_time_ms = OLD.event_time_ms AND sequence = OLD.sequence;
  DELETE FROM audit_lookup WHERE account_id = OLD.account_id AND attribute = 5
    AND value IN (SELECT json_extract(r.value, '$[0]') FROM json_each(OLD.resources) r)
    AND event_time_ms = OLD.event_time_ms AND sequence = OLD.sequence;
  DELETE FROM audit_lookup WHERE account_id = OLD.account_id AND attribute = 6
    AND value IN (SELECT json_extract(r.value, '$[1]') FROM json_each(OLD.resources) r)
    AND event_time_ms = OLD.event_time_ms AND sequence = OLD.sequence;
END;
)sql";

}  // namespace

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, "accounts, root users, IAM entities, policies, credentials, tags", kInitialSchema},
      {2, "audit events", kAuditEvents},
      {3, "outbox and credential reports", kOutboxAndReports},
      {4, "per-account entity counts", kEntityCounts},
      {5, "audit lookup index built in batches", kAuditLookup},
      {6, "audit lookup rows deleted by key", kAuditLookupByKey},
      {7, "lean audit event rows", kLeanAuditEvents},
  };
  return kMigrations;
}

Result<void> Migrate(Connection& writer, TimePoint now) {
  if (Result<void> made = writer.Exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                                      " version INTEGER PRIMARY KEY, description TEXT NOT NULL,"
                                      " applied_ms INTEGER NOT NULL)");
      !made) {
    return made;
  }
  const std::int64_t known = Migrations().back().version;
  for (const Migration& migration : Migrations()) {
    if (Result<void> begun = writer.Exec("BEGIN IMMEDIATE"); !begun) return begun;
    auto rollback = [&](Error error) -> Result<void> {
      (void)writer.Exec("ROLLBACK");
      return Fail(std::move(error));
    };
    Result<std::int64_t> applied = AppliedVersion(writer);
    if (!applied) return rollback(applied.error());
    if (*applied > known) {
      return rollback(Error("SchemaTooNew", "database schema version " + std::to_string(*applied) +
                                                " is newer than this rampart knows (" +
                                                std::to_string(known) + "): upgrade rampart"));
    }
    if (*applied >= migration.version) {
      if (Result<void> done = writer.Exec("COMMIT"); !done) return rollback(done.error());
      continue;
    }
    if (Result<void> ran = writer.Exec(migration.sql); !ran) {
      Error error = ran.error();
      error.message = "migration " + std::to_string(migration.version) + ": " + error.message;
      return rollback(std::move(error));
    }
    Result<Statement> record = writer.Prepare(
        "INSERT INTO schema_migrations (version, description, applied_ms) VALUES (?, ?, ?)");
    if (!record) return rollback(record.error());
    record->Bind(migration.version, migration.description, now);
    if (Result<std::int64_t> ran = record->Run(); !ran) return rollback(ran.error());
    if (Result<void> done = writer.Exec("COMMIT"); !done) return rollback(done.error());
  }
  // A database newer than every migration above is caught even when nothing was pending.
  Result<std::int64_t> applied = AppliedVersion(writer);
  if (!applied) return Fail(applied.error());
  if (*applied > known) {
    return Fail("SchemaTooNew", "database schema version " + std::to_string(*applied) +
                                    " is newer than this rampart knows (" + std::to_string(known) +
                                    "): upgrade rampart");
  }
  return Ok();
}

}  // namespace rampart::store::sqlite
