// The SQLite backend: the shared repository suite, plus what only a file-backed database
// has: migrations, durability across a crash, secrets sealed at rest, several processes.

#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>

#include "store/sqlite/schema.h"
#include "store/store.h"
#include "store/store_suite.h"

namespace rampart::store {
namespace {

const std::string kMasterKey(32, 'k');
constexpr char kAcct[] = "111122223333";

std::filesystem::path TestRoot() {
  static const std::filesystem::path root = [] {
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 ("rampart-store-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
    return path;
  }();
  return root;
}

class CleanupEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { std::filesystem::remove_all(TestRoot()); }
};
const auto* const kCleanup = ::testing::AddGlobalTestEnvironment(new CleanupEnvironment);

std::filesystem::path FreshDbPath() {
  static std::atomic<int> counter{0};
  return TestRoot() / ("db" + std::to_string(counter.fetch_add(1))) / "rampart.db";
}

SqliteOptions FastOptions() {
  SqliteOptions options;
  options.reader_connections = 2;
  options.version_poll_interval = std::chrono::milliseconds(5);
  return options;
}

testing::StoreBackend SqliteBackend() {
  return {"Sqlite", [](const testing::SuiteOptions& suite) {
            SqliteOptions options = FastOptions();
            options.before_commit_for_test = suite.before_commit_for_test;
            return OpenSqliteStore(FreshDbPath(), kMasterKey, options);
          }};
}

using testing::StoreSuite;
INSTANTIATE_TEST_SUITE_P(Sqlite, StoreSuite, ::testing::Values(SqliteBackend()),
                         [](const auto& info) { return info.param.name; });

// Raw access to the database file, bypassing the store.
class RawDb {
 public:
  explicit RawDb(const std::filesystem::path& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawDb() { sqlite3_close(db_); }
  void Exec(const std::string& sql) {
    char* message = nullptr;
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message), SQLITE_OK)
        << (message ? message : "");
    sqlite3_free(message);
  }
  std::int64_t Int(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK);
    std::int64_t value = -1;
    if (sqlite3_step(stmt) == SQLITE_ROW) value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return value;
  }

 private:
  sqlite3* db_ = nullptr;
};

Result<void> CreateAccountAndUser(Store& store, const std::string& user_id,
                                  bool with_account = true) {
  return store.Write([&](WriteTransaction& tx) -> Result<void> {
    if (with_account) {
      AccountRow account;
      account.id = kAcct;
      account.name = "a";
      account.email = "root@example.com";
      if (auto r = tx.Accounts().Create(account); !r) return r;
    }
    UserRow user;
    user.account_id = kAcct;
    user.id = user_id;
    user.name = "user-" + user_id;
    return tx.Users().Create(user);
  });
}

std::string FileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Every byte the database keeps on disk: the main file and its WAL.
std::string DatabaseBytes(const std::filesystem::path& db) {
  std::string bytes = FileBytes(db);
  std::filesystem::path wal = db;
  wal += "-wal";
  if (std::filesystem::exists(wal)) bytes += FileBytes(wal);
  return bytes;
}

TEST(SqliteStore, MigratesOnceAndRecordsTheVersion) {
  std::filesystem::path db = FreshDbPath();
  for (int open_idx = 0; open_idx < 2; ++open_idx) {
    Result<std::unique_ptr<Store>> store = OpenSqliteStore(db, kMasterKey, FastOptions());
    ASSERT_TRUE(store.has_value()) << store.error().message;
  }
  RawDb raw(db);
  EXPECT_EQ(raw.Int("SELECT COUNT(*) FROM schema_migrations"), SqliteSchemaVersion());
  EXPECT_EQ(raw.Int("SELECT MAX(version) FROM schema_migrations"), SqliteSchemaVersion());
}

TEST(SqliteStore, UpgradesAnOlderDatabaseKeepingItsData) {
  std::filesystem::path db = FreshDbPath();
  {
    Result<std::unique_ptr<Store>> store = OpenSqliteStore(db, kMasterKey, FastOptions());
    ASSERT_TRUE(store.has_value());
    ASSERT_TRUE(CreateAccountAndUser(**store, "AIDA1").has_value());
  }
  {
    // Make it a database written by a binary that knew only migration 1.
    RawDb raw(db);
    raw.Exec(
        "DROP TABLE audit_events; DROP TABLE outbox;"
        " DROP TABLE credential_reports; DROP TABLE account_entity_counts;"
        " DROP TABLE audit_lookup; DELETE FROM store_meta WHERE key = 'audit_indexed_sequence';"
        " DROP TRIGGER users_counted; DROP TRIGGER users_uncounted;"
        " DROP TRIGGER iam_groups_counted; DROP TRIGGER iam_groups_uncounted;"
        " DROP TRIGGER roles_counted; DROP TRIGGER roles_uncounted;"
        " DROP TRIGGER managed_policies_counted; DROP TRIGGER managed_policies_uncounted;"
        " DROP TRIGGER instance_profiles_counted; DROP TRIGGER instance_profiles_uncounted;"
        " DELETE FROM schema_migrations WHERE version > 1");
    EXPECT_EQ(raw.Int("SELECT MAX(version) FROM schema_migrations"), 1);
  }
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(db, kMasterKey, FastOptions());
  ASSERT_TRUE(store.has_value()) << store.error().message;
  Result<void> wrote = (*store)->Write([](WriteTransaction& tx) -> Result<void> {
    if (!tx.Users().GetById("AIDA1")) return Fail("Lost", "user lost in the upgrade");
    // The counts introduced by migration 4 start from the rows already there.
    if (tx.Users().Count(kAcct).value_or(-1) != 1) return Fail("Count", "user not counted");
    AuditEventRow event;
    event.event_id = "e1";
    event.account_id = kAcct;
    event.record = "{}";
    return tx.AuditEvents().Append(event) ? Ok() : Fail("X", "append");
  });
  EXPECT_TRUE(wrote.has_value()) << wrote.error().message;
  RawDb raw(db);
  EXPECT_EQ(raw.Int("SELECT MAX(version) FROM schema_migrations"), SqliteSchemaVersion());
}

// Migration 7 folds audit_event_resources into a column of audit_events and indexes event
// ids in audit_lookup: a trail written at version 6 keeps its events, resources and lookups.
TEST(SqliteStore, UpgradesAVersion6TrailToLeanEventRows) {
  std::filesystem::path db = FreshDbPath();
  std::filesystem::create_directories(db.parent_path());
  {
    RawDb raw(db);
    raw.Exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,"
             " description TEXT NOT NULL, applied_ms INTEGER NOT NULL)");
    for (const sqlite::Migration& migration : sqlite::Migrations()) {
      if (migration.version > 6) break;
      raw.Exec(std::string(migration.sql));
      raw.Exec("INSERT INTO schema_migrations VALUES (" + std::to_string(migration.version) +
               ", 'old', 0)");
    }
    raw.Exec("INSERT INTO audit_events (event_id, account_id, event_time_ms, event_name,"
             " event_source, username, access_key_id, read_only, record) VALUES"
             " ('e1', '111122223333', 1000, 'CreateUser', 'iam.amazonaws.com', 'admin', 'AK1',"
             "  0, '{\"eventID\":\"e1\"}'),"
             " ('e2', '111122223333', 2000, 'AttachUserPolicy', 'iam.amazonaws.com', 'admin',"
             "  'AK1', 0, '{\"eventID\":\"e2\"}'),"
             " ('e3', '111122223333', 3000, 'GetUser', 'iam.amazonaws.com', 'bob', 'AK2', 1,"
             "  '{\"eventID\":\"e3\"}')");
    raw.Exec("INSERT INTO audit_event_resources VALUES"
             " (1, '111122223333', 1000, 'AWS::IAM::User', 'alice'),"
             " (2, '111122223333', 2000, 'AWS::IAM::User', 'alice'),"
             " (2, '111122223333', 2000, 'AWS::IAM::Policy', 'arn:aws:iam::aws:policy/X')");
    // Events 1 and 2 were indexed at version 6; event 3 was not yet.
    raw.Exec("INSERT INTO audit_lookup SELECT account_id, 0, '', event_time_ms, sequence"
             " FROM audit_events WHERE sequence <= 2;"
             " INSERT INTO audit_lookup SELECT account_id, 6, resource_name, event_time_ms,"
             " sequence FROM audit_event_resources WHERE sequence <= 2;"
             " UPDATE store_meta SET value = 2 WHERE key = 'audit_indexed_sequence'");
  }
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(db, kMasterKey, FastOptions());
  ASSERT_TRUE(store.has_value()) << store.error().message;
  auto lookup = [&](AuditAttribute attribute, const std::string& value) {
    std::vector<std::string> ids;
    Result<void> read = (*store)->Read([&](const ReadTransaction& tx) -> Result<void> {
      AuditEventQuery query;
      query.account_id = kAcct;
      query.attribute = attribute;
      query.attribute_value = value;
      Result<Page<AuditEventRow>> page = tx.AuditEvents().Lookup(query);
      if (!page) return Fail(page.error());
      for (const AuditEventRow& row : page->items) ids.push_back(row.event_id);
      return Ok();
    });
    EXPECT_TRUE(read.has_value());
    return ids;
  };
  EXPECT_EQ(lookup(AuditAttribute::kResourceName, "alice"), (std::vector<std::string>{"e2", "e1"}));
  EXPECT_EQ(lookup(AuditAttribute::kEventId, "e1"), (std::vector<std::string>{"e1"}));
  EXPECT_EQ(lookup(AuditAttribute::kEventId, "e3"), (std::vector<std::string>{"e3"}));
  Result<void> read = (*store)->Read([&](const ReadTransaction& tx) -> Result<void> {
    Result<std::vector<AuditEventRow>> all = tx.AuditEvents().ListAfter(0, 10);
    if (!all) return Fail(all.error());
    EXPECT_EQ(all->size(), 3u);
    if (all->size() != 3) return Ok();
    EXPECT_EQ((*all)[0].sequence, 1);
    EXPECT_EQ((*all)[1].resources.size(), 2u);
    if ((*all)[1].resources.size() == 2) {
      EXPECT_EQ((*all)[1].resources[0].type, "AWS::IAM::User");
      EXPECT_EQ((*all)[1].resources[1].name, "arn:aws:iam::aws:policy/X");
    }
    EXPECT_TRUE((*all)[2].resources.empty());
    EXPECT_EQ((*all)[2].record, "{\"eventID\":\"e3\"}");
    return Ok();
  });
  EXPECT_TRUE(read.has_value());
  // The next event continues the sequence.
  Result<void> wrote = (*store)->Write([](WriteTransaction& tx) -> Result<void> {
    AuditEventRow event;
    event.event_id = "e4";
    event.account_id = kAcct;
    event.record = "{}";
    Result<std::int64_t> sequence = tx.AuditEvents().Append(event);
    if (!sequence) return Fail(sequence.error());
    return *sequence == 4 ? Ok() : Fail("Sequence", std::to_string(*sequence));
  });
  EXPECT_TRUE(wrote.has_value()) << wrote.error().message;
}

TEST(SqliteStore, LookupRowsFollowCompletionAndRetention) {
  std::filesystem::path db = FreshDbPath();
  {
    Result<std::unique_ptr<Store>> store = OpenSqliteStore(db, kMasterKey, FastOptions());
    ASSERT_TRUE(store.has_value());
    ASSERT_TRUE(CreateAccountAndUser(**store, "AIDA1").has_value());
    auto event = [](int n, const std::string& user) {
      AuditEventRow row;
      row.event_id = "e" + std::to_string(n);
      row.account_id = kAcct;
      row.event_time = TimePoint(std::chrono::milliseconds(1000 * n));
      row.event_name = "CreateUser";
      row.event_source = "iam.amazonaws.com";
      row.username = user;
      row.access_key_id = "AKIA" + user;
      row.record = "{}";
      row.resources = {{"AWS::IAM::User", "u" + std::to_string(n)},
                       {"AWS::IAM::User", "v" + std::to_string(n)}};
      return row;
    };
    ASSERT_TRUE((*store)->Write([&](WriteTransaction& tx) -> Result<void> {
      for (int n = 1; n <= 3; ++n) {
        if (auto r = tx.AuditEvents().Append(event(n, "old")); !r) return Fail(r.error());
      }
      auto indexed = tx.AuditEvents().IndexPending(10);
      if (!indexed || *indexed != 3) return Fail("X", "not indexed");
      // Completion: new attributes and resources, indexed again.
      AuditEventRow done = event(2, "new");
      done.sequence = 2;
      done.resources = {{"AWS::IAM::AccessKey", "AKIAX"}};
      if (auto r = tx.AuditEvents().Replace(done); !r) return r;
      // Retention removes the oldest.
      auto pruned = tx.AuditEvents().DeleteBefore(TimePoint(std::chrono::milliseconds(1500)), 10);
      if (!pruned || *pruned != 1) return Fail("X", "not pruned");
      return Ok();
    }));
  }
  RawDb raw(db);
  // No row for a deleted event, none with a replaced value; event 2: 7 attributes, 1 type,
  // 1 name; event 3: 7 attributes, 1 type (two users), 2 names.
  EXPECT_EQ(raw.Int("SELECT COUNT(*) FROM audit_lookup l WHERE NOT EXISTS"
                    " (SELECT 1 FROM audit_events e WHERE e.sequence = l.sequence)"),
            0);
  EXPECT_EQ(raw.Int("SELECT COUNT(*) FROM audit_lookup WHERE sequence = 2 AND value IN"
                    " ('old', 'AKIAold', 'u2', 'v2', 'AWS::IAM::User')"),
            0);
  EXPECT_EQ(raw.Int("SELECT COUNT(*) FROM audit_lookup WHERE sequence = 2"), 9);
  EXPECT_EQ(raw.Int("SELECT COUNT(*) FROM audit_lookup WHERE sequence = 3"), 10);
}

TEST(SqliteStore, CountsFollowCreatesDeletesAndRolledBackWrites) {
  std::filesystem::path db = FreshDbPath();
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(db, kMasterKey, FastOptions());
  ASSERT_TRUE(store.has_value());
  ASSERT_TRUE(CreateAccountAndUser(**store, "AIDA1").has_value());
  ASSERT_TRUE(CreateAccountAndUser(**store, "AIDA2", false).has_value());
  ASSERT_TRUE(CreateAccountAndUser(**store, "AIDA3", false).has_value());
  // A write that creates a user and then fails leaves no trace in the count.
  Result<void> failed = (*store)->Write([](WriteTransaction& tx) -> Result<void> {
    UserRow user;
    user.account_id = kAcct;
    user.id = "AIDA4";
    user.name = "user-AIDA4";
    if (auto made = tx.Users().Create(user); !made) return made;
    return Fail("Refused", "rolled back on purpose");
  });
  ASSERT_FALSE(failed.has_value());
  ASSERT_TRUE((*store)->Write([](WriteTransaction& tx) { return tx.Users().Delete("AIDA2"); }));
  Result<void> read = (*store)->Read([](const ReadTransaction& tx) -> Result<void> {
    EXPECT_EQ(tx.Users().Count(kAcct).value_or(-1), 2);
    EXPECT_EQ(tx.Users().Count("999999999999").value_or(-1), 0);
    EXPECT_EQ(tx.Roles().Count(kAcct).value_or(-1), 0);
    return Ok();
  });
  EXPECT_TRUE(read.has_value());
}

TEST(SqliteStore, RefusesADatabaseFromANewerRampart) {
  std::filesystem::path db = FreshDbPath();
  ASSERT_TRUE(OpenSqliteStore(db, kMasterKey, FastOptions()).has_value());
  {
    RawDb raw(db);
    raw.Exec(
        "INSERT INTO schema_migrations (version, description, applied_ms)"
        " VALUES (999, 'from the future', 0)");
  }
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(db, kMasterKey, FastOptions());
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code, "SchemaTooNew");
  EXPECT_NE(store.error().message.find("999"), std::string::npos) << store.error().message;
}

TEST(SqliteStore, RejectsBadKeysAndPaths) {
  Result<std::unique_ptr<Store>> short_key =
      OpenSqliteStore(FreshDbPath(), std::string(31, 'k'), FastOptions());
  ASSERT_FALSE(short_key.has_value());
  EXPECT_EQ(short_key.error().code, "InvalidArgument");
  Result<std::unique_ptr<Store>> bad_path =
      OpenSqliteStore("/dev/null/cannot/be/here.db", kMasterKey, FastOptions());
  ASSERT_FALSE(bad_path.has_value());
  EXPECT_EQ(bad_path.error().code, "Unavailable");
}

TEST(SqliteStore, DatabaseFileIsPrivate) {
  std::filesystem::path db = FreshDbPath();
  ASSERT_TRUE(OpenSqliteStore(db, kMasterKey, FastOptions()).has_value());
  struct stat info {};
  ASSERT_EQ(::stat(db.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST(SqliteStore, AcknowledgedWritesSurviveKill9) {
  std::filesystem::path db = FreshDbPath();
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    Result<std::unique_ptr<Store>> store = OpenSqliteStore(db, kMasterKey, FastOptions());
    if (!store) ::_exit(2);
    if (!CreateAccountAndUser(**store, "AIDA0")) ::_exit(3);
    for (int user_idx = 1; user_idx < 50; ++user_idx) {
      if (!CreateAccountAndUser(**store, "AIDA" + std::to_string(user_idx), false)) ::_exit(4);
    }
    // Acknowledged: tell the parent, then wait to be killed without closing anything.
    char done = 'y';
    if (::write(pipe_fds[1], &done, 1) != 1) ::_exit(5);
    while (true) ::pause();
  }
  ::close(pipe_fds[1]);
  char ack = 0;
  ASSERT_EQ(::read(pipe_fds[0], &ack, 1), 1) << "child failed before acknowledging";
  ::close(pipe_fds[0]);
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));

  // The WAL was never checkpointed: recovery must replay it.
  std::filesystem::path wal = db;
  wal += "-wal";
  EXPECT_TRUE(std::filesystem::exists(wal));
  Result<std::unique_ptr<Store>> reopened = OpenSqliteStore(db, kMasterKey, FastOptions());
  ASSERT_TRUE(reopened.has_value()) << reopened.error().message;
  Result<void> read = (*reopened)->Read([](const ReadTransaction& tx) -> Result<void> {
    EXPECT_EQ(tx.Users().Count(kAcct).value_or(-1), 50);
    EXPECT_TRUE(tx.Users().GetById("AIDA49").has_value());
    return Ok();
  });
  EXPECT_TRUE(read.has_value());
}

TEST(SqliteStore, DatabaseBytesRevealNoSecret) {
  std::filesystem::path db = FreshDbPath();
  const std::string secret = "SECRETsecretSECRETsecretSECRETsecret1234";
  const std::string seed = "MFASEEDmfaseedMFASEEDmfaseed";
  {
    Result<std::unique_ptr<Store>> store = OpenSqliteStore(db, kMasterKey, FastOptions());
    ASSERT_TRUE(store.has_value());
    ASSERT_TRUE(CreateAccountAndUser(**store, "AIDA1").has_value());
    Result<void> wrote = (*store)->Write([&](WriteTransaction& tx) -> Result<void> {
      AccessKeyRow key;
      key.id = "AKIASECRET";
      key.account_id = kAcct;
      key.user_id = "AIDA1";
      key.secret_access_key = secret;
      if (auto r = tx.AccessKeys().Create(key); !r) return r;
      MfaDeviceRow device;
      device.serial = "arn:aws:iam::111122223333:mfa/d";
      device.account_id = kAcct;
      device.name = "d";
      device.seed = seed;
      return tx.MfaDevices().Create(device);
    });
    ASSERT_TRUE(wrote.has_value()) << wrote.error().message;
    std::string bytes = DatabaseBytes(db);
    EXPECT_NE(bytes.find("AKIASECRET"), std::string::npos);  // the id is not secret
    EXPECT_EQ(bytes.find(secret), std::string::npos);
    EXPECT_EQ(bytes.find(seed), std::string::npos);
  }
  // After a clean close (checkpointed into the main file) too.
  std::string bytes = DatabaseBytes(db);
  EXPECT_NE(bytes.find("AKIASECRET"), std::string::npos);
  EXPECT_EQ(bytes.find(secret), std::string::npos);
  EXPECT_EQ(bytes.find(seed), std::string::npos);
}

TEST(SqliteStore, SealedValuesMovedToAnotherRowOrKeyAreRefused) {
  std::filesystem::path db = FreshDbPath();
  {
    Result<std::unique_ptr<Store>> store = OpenSqliteStore(db, kMasterKey, FastOptions());
    ASSERT_TRUE(store.has_value());
    ASSERT_TRUE(CreateAccountAndUser(**store, "AIDA1").has_value());
    Result<void> wrote = (*store)->Write([&](WriteTransaction& tx) -> Result<void> {
      for (const char* id : {"AKIAONE", "AKIATWO"}) {
        AccessKeyRow key;
        key.id = id;
        key.account_id = kAcct;
        key.user_id = "AIDA1";
        key.secret_access_key = std::string("secret-of-") + id;
        if (auto r = tx.AccessKeys().Create(key); !r) return r;
      }
      return Ok();
    });
    ASSERT_TRUE(wrote.has_value());
  }
  // Under another master key, nothing opens.
  {
    Result<std::unique_ptr<Store>> wrong = OpenSqliteStore(db, std::string(32, 'x'), FastOptions());
    ASSERT_TRUE(wrong.has_value());
    Result<void> read = (*wrong)->Read([](const ReadTransaction& tx) -> Result<void> {
      Result<AccessKeyRow> key = tx.AccessKeys().Get("AKIAONE");
      EXPECT_FALSE(key.has_value());
      if (!key) {
        EXPECT_EQ(key.error().code, "SealedDataInvalid");
      }
      return Ok();
    });
    EXPECT_TRUE(read.has_value());
  }
  {
    RawDb raw(db);
    raw.Exec(
        "CREATE TEMP TABLE sealed AS SELECT id, secret_sealed FROM access_keys;"
        "UPDATE access_keys SET secret_sealed = (SELECT s.secret_sealed FROM sealed s WHERE"
        " s.id = CASE access_keys.id WHEN 'AKIAONE' THEN 'AKIATWO' ELSE 'AKIAONE' END)");
  }
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(db, kMasterKey, FastOptions());
  ASSERT_TRUE(store.has_value());
  Result<void> read = (*store)->Read([](const ReadTransaction& tx) -> Result<void> {
    for (const char* id : {"AKIAONE", "AKIATWO"}) {
      Result<AccessKeyRow> key = tx.AccessKeys().Get(id);
      EXPECT_FALSE(key.has_value()) << id;
      if (!key) {
        EXPECT_EQ(key.error().code, "SealedDataInvalid");
      }
    }
    // Listing needs no secret and still works.
    EXPECT_EQ(
        tx.AccessKeys().ListForOwner(kAcct, "AIDA1").value_or(std::vector<AccessKeyRow>{}).size(),
        2u);
    return Ok();
  });
  EXPECT_TRUE(read.has_value());
}

TEST(SqliteStore, AnotherProcessWritingIsSeenByARunningStore) {
  // `rampart dev-init` beside a running server, as two real processes. The child is forked
  // before this process starts any store thread, and waits for a go-ahead.
  std::filesystem::path db = FreshDbPath();
  int go[2];
  int done[2];
  ASSERT_EQ(::pipe(go), 0);
  ASSERT_EQ(::pipe(done), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    char byte = 0;
    if (::read(go[0], &byte, 1) != 1) ::_exit(2);
    {
      Result<std::unique_ptr<Store>> store = OpenSqliteStore(db, kMasterKey, FastOptions());
      if (!store) ::_exit(3);
      if (!CreateAccountAndUser(**store, "AIDACHILD")) ::_exit(4);
    }
    byte = 'y';
    if (::write(done[1], &byte, 1) != 1) ::_exit(5);
    ::_exit(0);
  }
  Result<std::unique_ptr<Store>> server = OpenSqliteStore(db, kMasterKey, FastOptions());
  ASSERT_TRUE(server.has_value());
  const std::uint64_t before = (*server)->PolicyVersion();
  char byte = 'g';
  ASSERT_EQ(::write(go[1], &byte, 1), 1);
  ASSERT_EQ(::read(done[0], &byte, 1), 1) << "the other process failed to write";
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while ((*server)->PolicyVersion() == before && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_GT((*server)->PolicyVersion(), before);
  Result<void> read = (*server)->Read([](const ReadTransaction& tx) -> Result<void> {
    EXPECT_TRUE(tx.Users().GetById("AIDACHILD").has_value());
    return Ok();
  });
  EXPECT_TRUE(read.has_value());
  for (int fd : {go[0], go[1], done[0], done[1]}) ::close(fd);
}

TEST(SqliteStore, TwoOpenersShareTheDatabaseAndLearnOfEachOthersChanges) {
  // Two Store instances on one file behave as two processes would (separate connections,
  // separate writer threads): dev-init running beside a server.
  std::filesystem::path db = FreshDbPath();
  Result<std::unique_ptr<Store>> server = OpenSqliteStore(db, kMasterKey, FastOptions());
  Result<std::unique_ptr<Store>> dev_init = OpenSqliteStore(db, kMasterKey, FastOptions());
  ASSERT_TRUE(server.has_value());
  ASSERT_TRUE(dev_init.has_value());
  const std::uint64_t before = (*server)->PolicyVersion();
  ASSERT_TRUE(CreateAccountAndUser(**dev_init, "AIDA1").has_value());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while ((*server)->PolicyVersion() == before && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_GT((*server)->PolicyVersion(), before);
  EXPECT_EQ((*server)->PolicyVersion(), (*dev_init)->PolicyVersion());

  // Both write at once; the busy timeout serialises them.
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  Store* stores[] = {server->get(), dev_init->get()};
  for (int store_idx = 0; store_idx < 2; ++store_idx) {
    for (int thread_idx = 0; thread_idx < 4; ++thread_idx) {
      threads.emplace_back([&, store_idx, thread_idx] {
        Store* store = stores[store_idx];
        for (int write_idx = 0; write_idx < 20; ++write_idx) {
          std::string id = "AIDAS" + std::to_string(store_idx) + "T" + std::to_string(thread_idx) +
                           "W" + std::to_string(write_idx);
          if (!CreateAccountAndUser(*store, id, false)) failures.fetch_add(1);
        }
      });
    }
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  Result<void> read = (*server)->Read([](const ReadTransaction& tx) -> Result<void> {
    EXPECT_EQ(tx.Users().Count(kAcct).value_or(-1), 1 + 2 * 4 * 20);
    return Ok();
  });
  EXPECT_TRUE(read.has_value());
}

}  // namespace
}  // namespace rampart::store
