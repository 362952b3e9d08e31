#include "store/sqlite/transaction.h"

#include <algorithm>
#include <climits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "common/arn.h"
#include "common/crypto.h"
#include "common/strings.h"
#include "store/internal/marker.h"

namespace rampart::store::sqlite {
namespace {

using internal::DecodeMarker;
using internal::EncodeMarker;

Error NotFound(std::string_view what, std::string_view key) {
  return MakeError(StoreError::kNotFound,
                   std::string(what) + " `" + std::string(key) + "` not found");
}

Error Conflict(std::string message) { return MakeError(StoreError::kConflict, std::move(message)); }

// Number of rows a page may hold.
std::int64_t PageSize(const ListQuery& query) { return std::max(1, query.max_items); }

// Steps `stmt` (which selects at most page size + 1 rows in sort order) into a page.
template <typename Row, typename Read, typename Key>
Result<Page<Row>> CollectPage(Statement& stmt, const ListQuery& query, Read read, Key key) {
  Page<Row> page;
  const std::int64_t size = PageSize(query);
  while (true) {
    Result<bool> row = stmt.Step();
    if (!row) return Fail(row.error());
    if (!*row) break;
    if (static_cast<std::int64_t>(page.items.size()) == size) {
      page.next_marker = EncodeMarker(key(page.items.back()));
      break;
    }
    page.items.push_back(read(stmt));
  }
  return page;
}

// Steps `stmt` expecting one row; NotFound otherwise.
template <typename Row, typename Read>
Result<Row> One(Statement& stmt, Read read, std::string_view what, std::string_view key) {
  Result<bool> row = stmt.Step();
  if (!row) return Fail(row.error());
  if (!*row) return Fail(NotFound(what, key));
  return read(stmt);
}

template <typename Row, typename Read>
Result<std::vector<Row>> All(Statement& stmt, Read read) {
  std::vector<Row> rows;
  while (true) {
    Result<bool> row = stmt.Step();
    if (!row) return Fail(row.error());
    if (!*row) break;
    rows.push_back(read(stmt));
  }
  return rows;
}

Result<std::int64_t> Scalar(Statement& stmt) {
  Result<bool> row = stmt.Step();
  if (!row) return Fail(row.error());
  return *row ? stmt.Int(0) : 0;
}

// INVARIANT: a repository call that writes several statements orders them so that only the
// first can fail on a constraint (uniqueness, foreign key); the later ones can fail only on
// I/O, and SQLite then abandons the whole transaction. A failed call therefore leaves no
// partial change even when the caller ignores the failure and carries on, without a nested
// SAVEPOINT per call (which makes long transactions quadratic: every savepoint release walks
// SQLite's in-memory sub-journal).

Result<void> ExpectChanged(Result<std::int64_t> changed, std::string_view what,
                           std::string_view key) {
  if (!changed) return Fail(changed.error());
  if (*changed == 0) return Fail(NotFound(what, key));
  return Ok();
}

std::string_view TaggableName(TaggableType type) {
  switch (type) {
    case TaggableType::kUser:
      return "user";
    case TaggableType::kRole:
      return "role";
    case TaggableType::kManagedPolicy:
      return "policy";
    case TaggableType::kInstanceProfile:
      return "instance-profile";
    case TaggableType::kMfaDevice:
      return "mfa";
    case TaggableType::kOpenIdConnectProvider:
      return "oidc-provider";
    case TaggableType::kSamlProvider:
      return "saml-provider";
    case TaggableType::kServerCertificate:
      return "server-certificate";
  }
  return "user";
}

Result<EntityType> ParseEntityType(std::string_view text) {
  for (EntityType type : {EntityType::kUser, EntityType::kGroup, EntityType::kRole}) {
    if (text == EntityTypeName(type)) return type;
  }
  return Fail(
      MakeError(StoreError::kUnavailable, "corrupt entity type `" + std::string(text) + "`"));
}

std::string DerivedArn(const std::string& given, std::string_view account, std::string_view kind,
                       std::string_view path, std::string_view name) {
  if (!given.empty()) return given;
  return IamArn(account, kind, path, name);
}

// ---------------------------------------------------------------------------------------------
// Base of every repository: the shared context.

class RepoBase {
 public:
  explicit RepoBase(TxContext& context) : context_(context) {}

 protected:
  Result<Statement> Prepare(std::string_view sql) const {
    return context_.connection->Prepare(sql);
  }
  Connection& connection() const { return *context_.connection; }
  void Changed() const { context_.policy_changed = true; }
  Result<std::string> SealSecret(std::string_view plaintext, const std::string& associated) const {
    return crypto::Seal(*context_.master_key, plaintext, associated);
  }
  Result<std::string> OpenSecret(std::string_view sealed, const std::string& associated) const {
    return crypto::Open(*context_.master_key, sealed, associated);
  }
  // True if `sql` (bound with `args`) returns a row.
  template <typename... Args>
  Result<bool> Exists(std::string_view sql, const Args&... args) const {
    Result<Statement> stmt = Prepare(sql);
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(args...);
    return stmt->Step();
  }
  // Runs a counting query.
  template <typename... Args>
  Result<std::int64_t> Count(std::string_view sql, const Args&... args) const {
    Result<Statement> stmt = Prepare(sql);
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(args...);
    return Scalar(*stmt);
  }
  // Runs a statement without results; the number of rows changed.
  template <typename... Args>
  Result<std::int64_t> Run(std::string_view sql, const Args&... args) const {
    Result<Statement> stmt = Prepare(sql);
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(args...);
    return stmt->Run();
  }
  // Fails with Conflict if the entity still has inline or attached policies.
  Result<void> NoPolicies(std::string_view entity_id, std::string_view what) const {
    Result<std::int64_t> count = Count(
        "SELECT (SELECT COUNT(*) FROM inline_policies WHERE entity_id = ?1) +"
        " (SELECT COUNT(*) FROM attachments WHERE entity_id = ?1)",
        entity_id);
    if (!count) return Fail(count.error());
    if (*count > 0) {
      return Fail(Conflict(std::string(what) + " `" + std::string(entity_id) +
                           "` still has inline or attached policies"));
    }
    return Ok();
  }
  Result<void> DeleteTags(TaggableType type, std::string_view id) const {
    Result<std::int64_t> ran =
        Run("DELETE FROM tags WHERE resource_type = ? AND resource_id = ?", TaggableName(type), id);
    if (!ran) return Fail(ran.error());
    return Ok();
  }

  TxContext& context_;
};

// ---------------------------------------------------------------------------------------------
// Accounts and root users

constexpr std::string_view kAccountColumns =
    "id, name, status, email, alias, created_ms, closed_ms, iam_billing";

AccountRow ReadAccount(const Statement& stmt) {
  AccountRow row;
  row.id = stmt.Text(0);
  row.name = stmt.Text(1);
  row.status = ParseAccountStatus(stmt.Text(2)).value_or(AccountStatus::kActive);
  row.email = stmt.Text(3);
  row.alias = stmt.Text(4);
  row.created = stmt.Time(5);
  row.closed = stmt.OptTime(6);
  row.iam_user_access_to_billing = stmt.Bool(7);
  return row;
}

std::optional<std::string> OptText(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return text;
}

class SqliteAccountRepo final : public AccountRepo, RepoBase {
 public:
  using RepoBase::RepoBase;

  Result<void> Create(const AccountRow& row) override {
    Result<std::int64_t> ran =
        Run("INSERT INTO accounts (id, name, status, email, email_lc, alias, created_ms, closed_ms,"
            " iam_billing) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            row.id, row.name, AccountStatusName(row.status), row.email, AsciiLower(row.email),
            OptText(row.alias), row.created, row.closed, row.iam_user_access_to_billing);
    if (!ran) return Fail(ran.error());
    Changed();
    return Ok();
  }
  Result<AccountRow> Get(std::string_view account_id) const override {
    return GetWhere("id = ?", account_id);
  }
  Result<AccountRow> GetByEmail(std::string_view email) const override {
    return GetWhere("email_lc = ?", AsciiLower(email));
  }
  Result<AccountRow> GetByAlias(std::string_view alias) const override {
    return GetWhere("alias = ?", std::string(alias));
  }
  Result<Page<AccountRow>> List(const ListQuery& query) const override {
    Result<std::string> after = DecodeMarker(query.marker);
    if (!after) return Fail(after.error());
    Result<Statement> stmt = Prepare(
        "SELECT id, name, status, email, alias, created_ms, closed_ms, iam_billing FROM accounts"
        " WHERE id > ? ORDER BY id LIMIT ?");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(*after, PageSize(query) + 1);
    return CollectPage<AccountRow>(*stmt, query, ReadAccount,
                                   [](const AccountRow& row) { return row.id; });
  }
  Result<void> Update(const AccountRow& row) override {
    Result<std::int64_t> ran =
        Run("UPDATE accounts SET name = ?, status = ?, email = ?, email_lc = ?, alias = ?,"
            " closed_ms = ?, iam_billing = ? WHERE id = ?",
            row.name, AccountStatusName(row.status), row.email, AsciiLower(row.email),
            OptText(row.alias), row.closed, row.iam_user_access_to_billing, row.id);
    if (Result<void> done = ExpectChanged(ran, "account", row.id); !done) return done;
    Changed();
    return Ok();
  }
  Result<std::int64_t> Count() const override {
    return RepoBase::Count("SELECT COUNT(*) FROM accounts");
  }

 private:
  Result<AccountRow> GetWhere(std::string_view condition, const std::string& key) const {
    std::string sql =
        "SELECT " + std::string(kAccountColumns) + " FROM accounts WHERE " + std::string(condition);
    Result<Statement> stmt = Prepare(sql);
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(key);
    return One<AccountRow>(*stmt, ReadAccount, "account", key);
  }
  Result<AccountRow> GetWhere(std::string_view condition, std::string_view key) const {
    return GetWhere(condition, std::string(key));
  }
};

RootUserRow ReadRootUser(const Statement& stmt) {
  RootUserRow row;
  row.account_id = stmt.Text(0);
  row.email = stmt.Text(1);
  row.password_hash = stmt.Text(2);
  row.created = stmt.Time(3);
  row.password_last_changed = stmt.OptTime(4);
  row.password_last_used = stmt.OptTime(5);
  return row;
}

class SqliteRootUserRepo final : public RootUserRepo, RepoBase {
 public:
  using RepoBase::RepoBase;

  Result<void> Create(const RootUserRow& row) override {
    Result<bool> account = Exists("SELECT 1 FROM accounts WHERE id = ?", row.account_id);
    if (!account) return Fail(account.error());
    if (!*account) return Fail(NotFound("account", row.account_id));
    Result<std::int64_t> ran =
        Run("INSERT INTO root_users (account_id, password_hash, created_ms, password_changed_ms,"
            " password_used_ms) VALUES (?, ?, ?, ?, ?)",
            row.account_id, row.password_hash, row.created, row.password_last_changed,
            row.password_last_used);
    if (!ran) return Fail(ran.error());
    Changed();
    return Ok();
  }
  Result<RootUserRow> Get(std::string_view account_id) const override {
    Result<Statement> stmt = Prepare(
        "SELECT r.account_id, a.email, r.password_hash, r.created_ms, r.password_changed_ms,"
        " r.password_used_ms FROM root_users r JOIN accounts a ON a.id = r.account_id"
        " WHERE r.account_id = ?");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(account_id);
    return One<RootUserRow>(*stmt, ReadRootUser, "root user of account", account_id);
  }
  Result<RootUserRow> GetByEmail(std::string_view email) const override {
    Result<Statement> stmt = Prepare(
        "SELECT r.account_id, a.email, r.password_hash, r.created_ms, r.password_changed_ms,"
        " r.password_used_ms FROM root_users r JOIN accounts a ON a.id = r.account_id"
        " WHERE a.email_lc = ?");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(AsciiLower(email));
    return One<RootUserRow>(*stmt, ReadRootUser, "root user with email", email);
  }
  Result<void> Update(const RootUserRow& row) override {
    Result<std::int64_t> ran =
        Run("UPDATE root_users SET password_hash = ?, password_changed_ms = ?, password_used_ms = ?"
            " WHERE account_id = ?",
            row.password_hash, row.password_last_changed, row.password_last_used, row.account_id);
    if (Result<void> done = ExpectChanged(ran, "root user of account", row.account_id); !done) {
      return done;
    }
    Changed();
    return Ok();
  }
  Result<void> RecordPasswordUse(std::string_view account_id, TimePoint when) override {
    return ExpectChanged(
        Run("UPDATE root_users SET password_used_ms = ? WHERE account_id = ?", when, account_id),
        "root user of account", account_id);
  }
};

// ---------------------------------------------------------------------------------------------
// Users

constexpr std::string_view kUserColumns =
    "u.id, u.account_id, u.name, u.path, u.arn, u.created_ms, u.password_used_ms, u.boundary_arn";

UserRow ReadUser(const Statement& stmt) {
  UserRow row;
  row.id = stmt.Text(0);
  row.account_id = stmt.Text(1);
  row.name = stmt.Text(2);
  row.path = stmt.Text(3);
  row.arn = stmt.Text(4);
  row.created = stmt.Time(5);
  row.password_last_used = stmt.OptTime(6);
  row.permissions_boundary = stmt.Text(7);
  return row;
}

std::string UserKey(const UserRow& row) { return AsciiLower(row.name); }

class SqliteUserRepo final : public UserRepo, RepoBase {
 public:
  using RepoBase::RepoBase;

  Result<void> Create(const UserRow& row) override {
    Result<std::int64_t> ran =
        Run("INSERT INTO users (id, account_id, name, name_lc, path, arn, created_ms,"
            " password_used_ms, boundary_arn) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            row.id, row.account_id, row.name, AsciiLower(row.name), row.path,
            DerivedArn(row.arn, row.account_id, "user", row.path, row.name), row.created,
            row.password_last_used, row.permissions_boundary);
    if (!ran) return Fail(ran.error());
    Changed();
    return Ok();
  }
  Result<UserRow> Get(std::string_view account_id, std::string_view name) const override {
    Result<Statement> stmt = Prepare("SELECT " + std::string(kUserColumns) +
                                     " FROM users u WHERE u.account_id = ? AND u.name_lc = ?");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(account_id, AsciiLower(name));
    return One<UserRow>(*stmt, ReadUser, "user", name);
  }
  Result<UserRow> GetById(std::string_view id) const override {
    Result<Statement> stmt =
        Prepare("SELECT " + std::string(kUserColumns) + " FROM users u WHERE u.id = ?");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(id);
    return One<UserRow>(*stmt, ReadUser, "user", id);
  }
  Result<Page<UserRow>> List(std::string_view account_id, const ListQuery& query) const override {
    Result<std::string> after = DecodeMarker(query.marker);
    if (!after) return Fail(after.error());
    Result<Statement> stmt =
        Prepare("SELECT " + std::string(kUserColumns) +
                " FROM users u WHERE u.account_id = ?1 AND u.name_lc > ?2"
                " AND substr(u.path, 1, length(?3)) = ?3 ORDER BY u.name_lc LIMIT ?4");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(account_id, *after, query.path_prefix, PageSize(query) + 1);
    return CollectPage<UserRow>(*stmt, query, ReadUser, UserKey);
  }
  Result<void> Update(const UserRow& row) override {
    Result<std::int64_t> ran =
        Run("UPDATE users SET name = ?, name_lc = ?, path = ?, arn = ?, password_used_ms = ?,"
            " boundary_arn = ? WHERE id = ?",
            row.name, AsciiLower(row.name), row.path,
            DerivedArn(row.arn, row.account_id, "user", row.path, row.name), row.password_last_used,
            row.permissions_boundary, row.id);
    if (Result<void> done = ExpectChanged(ran, "user", row.id); !done) return done;
    Changed();
    return Ok();
  }
  Result<void> RecordPasswordUse(std::string_view id, TimePoint when) override {
    return ExpectChanged(Run("UPDATE users SET password_used_ms = ? WHERE id = ?", when, id),
                         "user", id);
  }
  Result<void> Delete(std::string_view id) override {
    if (Result<void> free = NoPolicies(id, "user"); !free) return free;
    // Access keys, login profile, MFA devices and group memberships reference the user
    // with foreign keys, so the DELETE itself fails with Conflict while any remains.
    Result<std::int64_t> ran = Run("DELETE FROM users WHERE id = ?", id);
    if (Result<void> done = ExpectChanged(ran, "user", id); !done) return done;
    if (Result<void> tags = DeleteTags(TaggableType::kUser, id); !tags) return tags;
    Changed();
    return Ok();
  }
  Result<std::int64_t> Count(std::string_view account_id) const override {
    return RepoBase::Count(
        "SELECT COALESCE((SELECT count FROM account_entity_counts WHERE account_id = ?"
        " AND kind = 'users'), 0)",
        account_id);
  }
};

// ---------------------------------------------------------------------------------------------
// Groups

constexpr std::string_view kGroupColumns =
    "g.id, g.account_id, g.name, g.path, g.arn, g.created_ms";

GroupRow ReadGroup(const Statement& stmt) {
  GroupRow row;
  row.id = stmt.Text(0);
  row.account_id = stmt.Text(1);
  row.name = stmt.Text(2);
  row.path = stmt.Text(3);
  row.arn = stmt.Text(4);
  row.created = stmt.Time(5);
  return row;
}

class SqliteGroupRepo final : public GroupRepo, RepoBase {
 public:
  using RepoBase::RepoBase;

  Result<void> Create(const GroupRow& row) override {
    Result<std::int64_t> ran =
        Run("INSERT INTO iam_groups (id, account_id, name, name_lc, path, arn, created_ms)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            row.id, row.account_id, row.name, AsciiLower(row.name), row.path,
            DerivedArn(row.arn, row.account_id, "group", row.path, row.name), row.created);
    if (!ran) return Fail(ran.error());
    Changed();
    return Ok();
  }
  Result<GroupRow> Get(std::string_view account_id, std::string_view name) const override {
    Result<Statement> stmt = Prepare("SELECT " + std::string(kGroupColumns) +
                                     " FROM iam_groups g WHERE g.account_id = ? AND g.name_lc = ?");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(account_id, AsciiLower(name));
    return One<GroupRow>(*stmt, ReadGroup, "group", name);
  }
  Result<GroupRow> GetById(std::string_view id) const override {
    Result<Statement> stmt =
        Prepare("SELECT " + std::string(kGroupColumns) + " FROM iam_groups g WHERE g.id = ?");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(id);
    return One<GroupRow>(*stmt, ReadGroup, "group", id);
  }
  Result<Page<GroupRow>> List(std::string_view account_id, const ListQuery& query) const override {
    Result<std::string> after = DecodeMarker(query.marker);
    if (!after) return Fail(after.error());
    Result<Statement> stmt =
        Prepare("SELECT " + std::string(kGroupColumns) +
                " FROM iam_groups g WHERE g.account_id = ?1 AND g.name_lc > ?2"
                " AND substr(g.path, 1, length(?3)) = ?3 ORDER BY g.name_lc LIMIT ?4");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(account_id, *after, query.path_prefix, PageSize(query) + 1);
    return CollectPage<GroupRow>(*stmt, query, ReadGroup,
                                 [](const GroupRow& row) { return AsciiLower(row.name); });
  }
  Result<void> Update(const GroupRow& row) override {
    Result<std::int64_t> ran =
        Run("UPDATE iam_groups SET name = ?, name_lc = ?, path = ?, arn = ? WHERE id = ?", row.name,
            AsciiLower(row.name), row.path,
            DerivedArn(row.arn, row.account_id, "group", row.path, row.name), row.id);
    if (Result<void> done = ExpectChanged(ran, "group", row.id); !done) return done;
    Changed();
    return Ok();
  }
  Result<void> Delete(std::string_view id) override {
    if (Result<void> free = NoPolicies(id, "group"); !free) return free;
    // Memberships reference the group by foreign key: Conflict while it has members.
    Result<std::int64_t> ran = Run("DELETE FROM iam_groups WHERE id = ?", id);
    if (Result<void> done = ExpectChanged(ran, "group", id); !done) return done;
    Changed();
    return Ok();
  }
  Result<std::int64_t> Count(std::string_view account_id) const override {
    return RepoBase::Count(
        "SELECT COALESCE((SELECT count FROM account_entity_counts WHERE account_id = ?"
        " AND kind = 'groups'), 0)",
        account_id);
  }
  Result<void> AddMember(std::string_view group_id, std::string_view user_id) override {
    Result<bool> group = Exists("SELECT 1 FROM iam_groups WHERE id = ?", group_id);
    if (!group) return Fail(group.error());
    if (!*group) return Fail(NotFound("group", group_id));
    Result<bool> user = Exists("SELECT 1 FROM users WHERE id = ?", user_id);
    if (!user) return Fail(user.error());
    if (!*user) return Fail(NotFound("user", user_id));
    Result<std::int64_t> ran =
        Run("INSERT INTO group_members (group_id, user_id) VALUES (?, ?)", group_id, user_id);
    if (!ran) return Fail(ran.error());
    Changed();
    return Ok();
  }
  Result<void> RemoveMember(std::string_view group_id, std::string_view user_id) override {
    Result<std::int64_t> ran =
        Run("DELETE FROM group_members WHERE group_id = ? AND user_id = ?", group_id, user_id);
    if (Result<void> done = ExpectChanged(ran, "membership of user", user_id); !done) return done;
    Changed();
    return Ok();
  }
  Result<Page<UserRow>> ListMembers(std::string_view group_id,
                                    const ListQuery& query) const override {
    Result<std::string> after = DecodeMarker(query.marker);
    if (!after) return Fail(after.error());
    Result<Statement> stmt =
        Prepare("SELECT " + std::string(kUserColumns) +
                " FROM group_members m JOIN users u ON u.id = m.user_id"
                " WHERE m.group_id = ? AND u.name_lc > ? ORDER BY u.name_lc LIMIT ?");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(group_id, *after, PageSize(query) + 1);
    return CollectPage<UserRow>(*stmt, query, ReadUser, UserKey);
  }
  Result<Page<GroupRow>> ListForUser(std::string_view user_id,
                                     const ListQuery& query) const override {
    Result<std::string> after = DecodeMarker(query.marker);
    if (!after) return Fail(after.error());
    Result<Statement> stmt =
        Prepare("SELECT " + std::string(kGroupColumns) +
                " FROM group_members m JOIN iam_groups g ON g.id = m.group_id"
                " WHERE m.user_id = ? AND g.name_lc > ? ORDER BY g.name_lc LIMIT ?");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(user_id, *after, PageSize(query) + 1);
    return CollectPage<GroupRow>(*stmt, query, ReadGroup,
                                 [](const GroupRow& row) { return AsciiLower(row.name); });
  }
  Result<std::int64_t> CountForUser(std::string_view user_id) const override {
    return RepoBase::Count("SELECT COUNT(*) FROM group_members WHERE user_id = ?", user_id);
  }
  Result<std::int64_t> CountMembers(std::string_view group_id) const override {
    return RepoBase::Count("SELECT COUNT(*) FROM group_members WHERE group_id = ?", group_id);
  }
};

// ---------------------------------------------------------------------------------------------
// Roles

constexpr std::string_view kRoleColumns =
    "r.id, r.account_id, r.name, r.path, r.arn, r.created_ms, r.trust_policy, r.description,"
    " r.max_session_s, r.boundary_arn, r.last_used_ms, r.last_used_region";

RoleRow ReadRole(const Statement& stmt) {
  RoleRow row;
  row.id = stmt.Text(0);
  row.account_id = stmt.Text(1);
  row.name = stmt.Text(2);
  row.path = stmt.Text(3);
  row.arn = stmt.Text(4);
  row.created = stmt.Time(5);
  row.assume_role_policy = stmt.Text(6);
  row.description = stmt.Text(7);
  row.max_session_duration = static_cast<std::int32_t>(stmt.Int(8));
  row.permissions_boundary = stmt.Text(9);
  row.last_used = stmt.OptTime(10);
  row.last_used_region = stmt.Text(11);
  return row;
}

std::string RoleKey(const RoleRow& row) { return AsciiLower(row.name); }

class SqliteRoleRepo final : public RoleRepo, RepoBase {
 public:
  using RepoBase::RepoBase;

  Result<void> Create(const RoleRow& row) override {
    Result<std::int64_t> ran =
        Run("INSERT INTO roles (id, account_id, name, name_lc, path, arn, created_ms, trust_policy,"
            " description, max_session_s, boundary_arn, last_used_ms, last_used_region)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            row.id, row.account_id, row.name, AsciiLower(row.name), row.path,
            DerivedArn(row.arn, row.account_id, "role", row.path, row.name), row.created,
            row.assume_role_policy, row.description, row.max_session_duration,
            row.permissions_boundary, row.last_used, row.last_used_region);
    if (!ran) return Fail(ran.error());
    Changed();
    return Ok();
  }
  Result<RoleRow> Get(std::string_view account_id, std::string_view name) const override {
    Result<Statement> stmt = Prepare("SELECT " + std::string(kRoleColumns) +
                                     " FROM roles r WHERE r.account_id = ? AND r.name_lc = ?");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(account_id, AsciiLower(name));
    return One<RoleRow>(*stmt, ReadRole, "role", name);
  }
  Result<RoleRow> GetById(std::string_view id) const override {
    Result<Statement> stmt =
        Prepare("SELECT " + std::string(kRoleColumns) + " FROM roles r WHERE r.id = ?");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(id);
    return One<RoleRow>(*stmt, ReadRole, "role", id);
  }
  Result<Page<RoleRow>> List(std::string_view account_id, const ListQuery& query) const override {
    Result<std::string> after = DecodeMarker(query.marker);
    if (!after) return Fail(after.error());
    Result<Statement> stmt =
        Prepare("SELECT " + std::string(kRoleColumns) +
                " FROM roles r WHERE r.account_id = ?1 AND r.name_lc > ?2"
                " AND substr(r.path, 1, length(?3)) = ?3 ORDER BY r.name_lc LIMIT ?4");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(account_id, *after, query.path_prefix, PageSize(query) + 1);
    return CollectPage<RoleRow>(*stmt, query, ReadRole, RoleKey);
  }
  Result<void> Update(const RoleRow& row) override {
    Result<RoleRow> current = GetById(row.id);
    if (!current) return Fail(current.error());
    if (AsciiLower(current->name) != AsciiLower(row.name)) {
      return Fail(MakeError(StoreError::kInvalidArgument, "roles cannot be renamed"));
    }
    Result<std::int64_t> ran =
        Run("UPDATE roles SET name = ?, path = ?, arn = ?, trust_policy = ?, description = ?,"
            " max_session_s = ?, boundary_arn = ? WHERE id = ?",
            row.name, row.path, DerivedArn(row.arn, row.account_id, "role", row.path, row.name),
            row.assume_role_policy, row.description, row.max_session_duration,
            row.permissions_boundary, row.id);
    if (Result<void> done = ExpectChanged(ran, "role", row.id); !done) return done;
    Changed();
    return Ok();
  }
  Result<void> RecordUse(std::string_view id, TimePoint when, std::string_view region) override {
    return ExpectChanged(Run("UPDATE roles SET last_used_ms = ?, last_used_region = ? WHERE id = ?",
                             when, region, id),
                         "role", id);
  }
  Result<void> Delete(std::string_view id) override {
    if (Result<void> free = NoPolicies(id, "role"); !free) return free;
    // Instance profiles reference the role by foreign key: Conflict while it is in one.
    Result<std::int64_t> ran = Run("DELETE FROM roles WHERE id = ?", id);
    if (Result<void> done = ExpectChanged(ran, "role", id); !done) return done;
    if (Result<void> tags = DeleteTags(TaggableType::kRole, id); !tags) return tags;
    Changed();
    return Ok();
  }
  Result<std::int64_t> Count(std::string_view account_id) const override {
    return RepoBase::Count(
        "SELECT COALESCE((SELECT count FROM account_entity_counts WHERE account_id = ?"
        " AND kind = 'roles'), 0)",
        account_id);
  }
};

// ---------------------------------------------------------------------------------------------
// Managed policies

constexpr std::string_view kPolicyColumns =
    "p.id, p.account_id, p.name, p.path, p.arn, p.description, p.default_version,"
    " p.created_ms, p.updated_ms";

std::string VersionName(std::int64_t number) { return "v" + std::to_string(number); }

// "v12" -> 12; 0 for anything else (no version has number 0).
std::int64_t VersionNumber(std::string_view version_id) {
  if (version_id.size() < 2 || version_id[0] != 'v' || version_id[1] == '0') return 0;
  std::int64_t number = 0;
  for (char c : version_id.substr(1)) {
    if (c < '0' || c > '9' || number > 1'000'000'000) return 0;
    number = number * 10 + (c - '0');
  }
  return number;
}

ManagedPolicyRow ReadPolicy(const Statement& stmt) {
  ManagedPolicyRow row;
  row.id = stmt.Text(0);
  row.account_id = stmt.Text(1);
  row.name = stmt.Text(2);
  row.path = stmt.Text(3);
  row.arn = stmt.Text(4);
  row.description = stmt.Text(5);
  row.default_version_id = VersionName(stmt.Int(6));
  row.created = stmt.Time(7);
  row.updated = stmt.Time(8);
  return row;
}

PolicyVersionRow ReadVersion(const Statement& stmt) {
  PolicyVersionRow row;
  row.policy_id = stmt.Text(0);
  row.version_id = VersionName(stmt.Int(1));
  row.document = stmt.Text(2);
  row.created = stmt.Time(3);
  row.is_default = stmt.Bool(4);
  return row;
}

constexpr std::string_view kVersionSelect =
    "SELECT v.policy_id, v.version, v.document, v.created_ms,"
    " v.version = p.default_version FROM policy_versions v"
    " JOIN managed_policies p ON p.id = v.policy_id ";

class SqliteManagedPolicyRepo final : public ManagedPolicyRepo, RepoBase {
 public:
  using RepoBase::RepoBase;

  Result<void> Create(const ManagedPolicyRow& row, std::string_view document) override {
    Result<std::int64_t> ran =
        Run("INSERT INTO managed_policies (id, account_id, name, name_lc, path, arn, description,"
            " default_version, last_version, created_ms, updated_ms)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 1, 1, ?, ?)",
            row.id, row.account_id, row.name, AsciiLower(row.name), row.path,
            DerivedArn(row.arn, row.account_id, "policy", row.path, row.name), row.description,
            row.created, row.updated);
    if (!ran) return Fail(ran.error());
    ran =
        Run("INSERT INTO policy_versions (policy_id, version, document, created_ms)"
            " VALUES (?, 1, ?, ?)",
            row.id, document, row.created);
    if (!ran) return Fail(ran.error());
    Changed();
    return Ok();
  }
  Result<ManagedPolicyRow> Get(std::string_view account_id, std::string_view name) const override {
    Result<Statement> stmt = Prepare("SELECT " + std::string(kPolicyColumns) +
                                     " FROM managed_policies p WHERE p.account_id = ?"
                                     " AND p.name_lc = ?");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(account_id, AsciiLower(name));
    return One<ManagedPolicyRow>(*stmt, ReadPolicy, "policy", name);
  }
  Result<ManagedPolicyRow> GetById(std::string_view id) const override {
    Result<Statement> stmt = Prepare("SELECT " + std::string(kPolicyColumns) +
                                     " FROM managed_policies p WHERE p.id = ?");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(id);
    return One<ManagedPolicyRow>(*stmt, ReadPolicy, "policy", id);
  }
  Result<ManagedPolicyRow> GetByArn(std::string_view arn) const override {
    Result<Statement> stmt = Prepare("SELECT " + std::string(kPolicyColumns) +
                                     " FROM managed_policies p WHERE p.arn = ?");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(arn);
    return One<ManagedPolicyRow>(*stmt, ReadPolicy, "policy", arn);
  }
  Result<Page<ManagedPolicyRow>> List(std::string_view account_id,
                                      const PolicyListQuery& query) const override {
    Result<std::string> after = DecodeMarker(query.marker);
    if (!after) return Fail(after.error());
    Result<Statement> stmt = Prepare(
        "SELECT " + std::string(kPolicyColumns) +
        " FROM managed_policies p WHERE p.account_id = ?1 AND p.name_lc > ?2"
        " AND substr(p.path, 1, length(?3)) = ?3"
        " AND (?5 = 0 OR EXISTS (SELECT 1 FROM attachments a WHERE a.account_id = p.account_id"
        " AND a.policy_arn = p.arn)) ORDER BY p.name_lc LIMIT ?4");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(account_id, *after, query.path_prefix, PageSize(query) + 1, query.only_attached);
    return CollectPage<ManagedPolicyRow>(
        *stmt, query, ReadPolicy, [](const ManagedPolicyRow& row) { return AsciiLower(row.name); });
  }
  Result<void> Update(const ManagedPolicyRow& row) override {
    Result<std::int64_t> ran =
        Run("UPDATE managed_policies SET description = ?, updated_ms = ? WHERE id = ?",
            row.description, row.updated, row.id);
    if (Result<void> done = ExpectChanged(ran, "policy", row.id); !done) return done;
    Changed();
    return Ok();
  }
  Result<void> Delete(std::string_view id) override {
    Result<ManagedPolicyRow> policy = GetById(id);
    if (!policy) return Fail(policy.error());
    Result<bool> attached =
        Exists("SELECT 1 FROM attachments WHERE account_id = ? AND policy_arn = ?",
               policy->account_id, policy->arn);
    if (!attached) return Fail(attached.error());
    if (*attached) return Fail(Conflict("policy `" + policy->arn + "` is still attached"));
    Result<std::int64_t> ran = Run("DELETE FROM managed_policies WHERE id = ?", id);
    if (!ran) return Fail(ran.error());
    if (Result<void> tags = DeleteTags(TaggableType::kManagedPolicy, id); !tags) return tags;
    Changed();
    return Ok();
  }
  Result<std::int64_t> Count(std::string_view account_id) const override {
    return RepoBase::Count(
        "SELECT COALESCE((SELECT count FROM account_entity_counts WHERE account_id = ?"
        " AND kind = 'policies'), 0)",
        account_id);
  }
  Result<PolicyVersionRow> CreateVersion(std::string_view policy_id, std::string_view document,
                                         bool set_default, TimePoint when) override {
    std::int64_t number = 0;
    Result<void> made = [&]() -> Result<void> {
      Result<std::int64_t> ran =
          Run("UPDATE managed_policies SET last_version = last_version + 1, updated_ms = ?,"
              " default_version = CASE WHEN ? THEN last_version + 1 ELSE default_version END"
              " WHERE id = ?",
              when, set_default, policy_id);
      if (Result<void> done = ExpectChanged(ran, "policy", policy_id); !done) return done;
      Result<std::int64_t> last =
          RepoBase::Count("SELECT last_version FROM managed_policies WHERE id = ?", policy_id);
      if (!last) return Fail(last.error());
      number = *last;
      ran =
          Run("INSERT INTO policy_versions (policy_id, version, document, created_ms)"
              " VALUES (?, ?, ?, ?)",
              policy_id, number, document, when);
      if (!ran) return Fail(ran.error());
      Changed();
      return Ok();
    }();
    if (!made) return Fail(made.error());
    return GetVersion(policy_id, VersionName(number));
  }
  Result<PolicyVersionRow> GetVersion(std::string_view policy_id,
                                      std::string_view version_id) const override {
    Result<Statement> stmt =
        Prepare(std::string(kVersionSelect) + "WHERE v.policy_id = ? AND v.version = ?");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(policy_id, VersionNumber(version_id));
    return One<PolicyVersionRow>(*stmt, ReadVersion, "policy version", version_id);
  }
  Result<PolicyVersionRow> GetDefaultVersion(std::string_view policy_id) const override {
    Result<Statement> stmt = Prepare(std::string(kVersionSelect) +
                                     "WHERE v.policy_id = ? AND v.version = p.default_version");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(policy_id);
    return One<PolicyVersionRow>(*stmt, ReadVersion, "policy", policy_id);
  }
  Result<std::vector<PolicyVersionRow>> ListVersions(std::string_view policy_id) const override {
    Result<bool> policy = Exists("SELECT 1 FROM managed_policies WHERE id = ?", policy_id);
    if (!policy) return Fail(policy.error());
    if (!*policy) return Fail(NotFound("policy", policy_id));
    Result<Statement> stmt =
        Prepare(std::string(kVersionSelect) + "WHERE v.policy_id = ? ORDER BY v.version DESC");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(policy_id);
    return All<PolicyVersionRow>(*stmt, ReadVersion);
  }
  Result<void> SetDefaultVersion(std::string_view policy_id, std::string_view version_id,
                                 TimePoint when) override {
    Result<PolicyVersionRow> version = GetVersion(policy_id, version_id);
    if (!version) return Fail(version.error());
    Result<std::int64_t> ran =
        Run("UPDATE managed_policies SET default_version = ?, updated_ms = ? WHERE id = ?",
            VersionNumber(version_id), when, policy_id);
    if (Result<void> done = ExpectChanged(ran, "policy", policy_id); !done) return done;
    Changed();
    return Ok();
  }
  Result<void> DeleteVersion(std::string_view policy_id, std::string_view version_id) override {
    Result<PolicyVersionRow> version = GetVersion(policy_id, version_id);
    if (!version) return Fail(version.error());
    if (version->is_default) {
      return Fail(Conflict("version `" + std::string(version_id) + "` is the default version"));
    }
    Result<std::int64_t> ran =
        Run("DELETE FROM policy_versions WHERE policy_id = ? AND version = ?", policy_id,
            VersionNumber(version_id));
    if (!ran) return Fail(ran.error());
    Changed();
    return Ok();
  }
  Result<std::int64_t> CountVersions(std::string_view policy_id) const override {
    return RepoBase::Count("SELECT COUNT(*) FROM policy_versions WHERE policy_id = ?", policy_id);
  }
  Result<std::int64_t> CountAllVersions(std::string_view account_id) const override {
    return RepoBase::Count(
        "SELECT COUNT(*) FROM policy_versions v JOIN managed_policies p ON p.id = v.policy_id"
        " WHERE p.account_id = ?",
        account_id);
  }
};

// ---------------------------------------------------------------------------------------------
// Attachments and inline policies

// "arn:aws:iam::aws:policy/service-role/Foo" -> path "/service-role/", name "Foo".
void SplitPolicyArn(std::string_view arn, std::string& path, std::string& name) {
  std::string_view resource = arn;
  std::size_t marker = arn.find(":policy/");
  if (marker != std::string_view::npos) resource = arn.substr(marker + 7);  // "/service-role/Foo"
  std::size_t last = resource.rfind('/');
  if (last == std::string_view::npos) {
    path = "/";
    name = std::string(resource);
    return;
  }
  path = std::string(resource.substr(0, last + 1));
  if (path.empty() || path[0] != '/') path = "/" + path;
  name = std::string(resource.substr(last + 1));
}

std::string_view EntityTable(EntityType type) {
  switch (type) {
    case EntityType::kUser:
      return "users";
    case EntityType::kGroup:
      return "iam_groups";
    case EntityType::kRole:
      return "roles";
  }
  return "users";
}

class SqliteAttachmentRepo final : public AttachmentRepo, RepoBase {
 public:
  using RepoBase::RepoBase;

  Result<void> Attach(std::string_view account_id, const EntityRef& entity,
                      std::string_view policy_arn) override {
    Result<bool> exists = Exists("SELECT 1 FROM " + std::string(EntityTable(entity.type)) +
                                     " WHERE id = ? AND account_id = ?",
                                 entity.id, account_id);
    if (!exists) return Fail(exists.error());
    if (!*exists) return Fail(NotFound(AsciiLower(EntityTypeName(entity.type)), entity.id));
    std::string path, name;
    SplitPolicyArn(policy_arn, path, name);
    Result<std::int64_t> ran =
        Run("INSERT INTO attachments (entity_id, policy_arn, entity_type, account_id, policy_name,"
            " policy_name_lc, policy_path) VALUES (?, ?, ?, ?, ?, ?, ?)",
            entity.id, policy_arn, EntityTypeName(entity.type), account_id, name, AsciiLower(name),
            path);
    if (!ran) return Fail(ran.error());
    Changed();
    return Ok();
  }
  Result<void> Detach(const EntityRef& entity, std::string_view policy_arn) override {
    Result<std::int64_t> ran = Run("DELETE FROM attachments WHERE entity_id = ? AND policy_arn = ?",
                                   entity.id, policy_arn);
    if (Result<void> done = ExpectChanged(ran, "attached policy", policy_arn); !done) return done;
    Changed();
    return Ok();
  }
  Result<Page<AttachedPolicy>> ListForEntity(const EntityRef& entity,
                                             const ListQuery& query) const override {
    Result<std::string> after = DecodeMarker(query.marker);
    if (!after) return Fail(after.error());
    // The ARN breaks ties between equal names (an AWS managed and a customer policy).
    Result<Statement> stmt = Prepare(
        "SELECT policy_arn, policy_name, policy_path FROM attachments WHERE entity_id = ?1"
        " AND policy_name_lc || '|' || policy_arn > ?2"
        " AND substr(policy_path, 1, length(?3)) = ?3"
        " ORDER BY policy_name_lc || '|' || policy_arn LIMIT ?4");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(entity.id, *after, query.path_prefix, PageSize(query) + 1);
    return CollectPage<AttachedPolicy>(
        *stmt, query,
        [](const Statement& s) {
          return AttachedPolicy{s.Text(0), s.Text(1), s.Text(2)};
        },
        [](const AttachedPolicy& row) {
          return AsciiLower(row.policy_name) + "|" + row.policy_arn;
        });
  }
  Result<Page<PolicyEntity>> ListForPolicy(std::string_view account_id, std::string_view policy_arn,
                                           const std::vector<EntityType>& types,
                                           const ListQuery& query) const override {
    Result<std::string> after = DecodeMarker(query.marker);
    if (!after) return Fail(after.error());
    auto wanted = [&](EntityType type) {
      return types.empty() || std::find(types.begin(), types.end(), type) != types.end();
    };
    Result<Statement> stmt = Prepare(
        "SELECT entity_type, id, name, path, entity_type || ':' || name_lc AS k FROM ("
        " SELECT a.entity_type, e.id, e.name, e.name_lc, e.path FROM attachments a"
        "  JOIN users e ON e.id = a.entity_id WHERE ?5 AND a.account_id = ?1 AND a.policy_arn = ?2"
        " UNION ALL"
        " SELECT a.entity_type, e.id, e.name, e.name_lc, e.path FROM attachments a"
        "  JOIN iam_groups e ON e.id = a.entity_id WHERE ?6 AND a.account_id = ?1"
        "  AND a.policy_arn = ?2"
        " UNION ALL"
        " SELECT a.entity_type, e.id, e.name, e.name_lc, e.path FROM attachments a"
        "  JOIN roles e ON e.id = a.entity_id WHERE ?7 AND a.account_id = ?1 AND a.policy_arn = ?2"
        ") WHERE k > ?3 AND substr(path, 1, length(?4)) = ?4 ORDER BY k LIMIT ?8");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(account_id, policy_arn, *after, query.path_prefix, wanted(EntityType::kUser),
               wanted(EntityType::kGroup), wanted(EntityType::kRole), PageSize(query) + 1);
    return CollectPage<PolicyEntity>(
        *stmt, query,
        [](const Statement& s) {
          return PolicyEntity{ParseEntityType(s.Text(0)).value_or(EntityType::kUser), s.Text(1),
                              s.Text(2), s.Text(3)};
        },
        [](const PolicyEntity& row) {
          return std::string(EntityTypeName(row.type)) + ":" + AsciiLower(row.name);
        });
  }
  Result<bool> IsAttached(const EntityRef& entity, std::string_view policy_arn) const override {
    return Exists("SELECT 1 FROM attachments WHERE entity_id = ? AND policy_arn = ?", entity.id,
                  policy_arn);
  }
  Result<std::int64_t> CountForEntity(const EntityRef& entity) const override {
    return RepoBase::Count("SELECT COUNT(*) FROM attachments WHERE entity_id = ?", entity.id);
  }
  Result<std::int64_t> CountForPolicy(std::string_view account_id,
                                      std::string_view policy_arn) const override {
    return RepoBase::Count(
        "SELECT COUNT(*) FROM attachments WHERE account_id = ? AND policy_arn = ?", account_id,
        policy_arn);
  }
  Result<std::vector<std::pair<std::string, std::int64_t>>> CountsByPolicy(
      std::string_view account_id) const override {
    Result<Statement> stmt = Prepare(
        "SELECT policy_arn, COUNT(*) FROM attachments WHERE account_id = ?"
        " GROUP BY policy_arn ORDER BY policy_arn");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(account_id);
    return All<std::pair<std::string, std::int64_t>>(
        *stmt, [](const Statement& s) { return std::make_pair(s.Text(0), s.Int(1)); });
  }
  Result<std::int64_t> CountBoundaryUses(std::string_view account_id,
                                         std::string_view policy_arn) const override {
    return RepoBase::Count(
        "SELECT (SELECT COUNT(*) FROM users WHERE account_id = ?1 AND boundary_arn = ?2) +"
        " (SELECT COUNT(*) FROM roles WHERE account_id = ?1 AND boundary_arn = ?2)",
        account_id, policy_arn);
  }
};

InlinePolicyRow ReadInline(const Statement& stmt) {
  InlinePolicyRow row;
  row.entity.type = ParseEntityType(stmt.Text(0)).value_or(EntityType::kUser);
  row.entity.id = stmt.Text(1);
  row.name = stmt.Text(2);
  row.document = stmt.Text(3);
  return row;
}

class SqliteInlinePolicyRepo final : public InlinePolicyRepo, RepoBase {
 public:
  using RepoBase::RepoBase;

  Result<void> Put(const InlinePolicyRow& row) override {
    Result<bool> exists =
        Exists("SELECT 1 FROM " + std::string(EntityTable(row.entity.type)) + " WHERE id = ?",
               row.entity.id);
    if (!exists) return Fail(exists.error());
    if (!*exists) return Fail(NotFound(AsciiLower(EntityTypeName(row.entity.type)), row.entity.id));
    Result<std::int64_t> ran = Run(
        "INSERT INTO inline_policies (entity_id, name, entity_type, document) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (entity_id, name) DO UPDATE SET document = excluded.document",
        row.entity.id, row.name, EntityTypeName(row.entity.type), row.document);
    if (!ran) return Fail(ran.error());
    Changed();
    return Ok();
  }
  Result<InlinePolicyRow> Get(const EntityRef& entity, std::string_view name) const override {
    Result<Statement> stmt = Prepare(
        "SELECT entity_type, entity_id, name, document FROM inline_policies"
        " WHERE entity_id = ? AND name = ?");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(entity.id, name);
    return One<InlinePolicyRow>(*stmt, ReadInline, "inline policy", name);
  }
  Result<Page<std::string>> ListNames(const EntityRef& entity,
                                      const ListQuery& query) const override {
    Result<std::string> after = DecodeMarker(query.marker);
    if (!after) return Fail(after.error());
    Result<Statement> stmt = Prepare(
        "SELECT name FROM inline_policies WHERE entity_id = ? AND name > ? ORDER BY name LIMIT ?");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(entity.id, *after, PageSize(query) + 1);
    return CollectPage<std::string>(
        *stmt, query, [](const Statement& s) { return s.Text(0); },
        [](const std::string& name) { return name; });
  }
  Result<std::vector<InlinePolicyRow>> ListAll(const EntityRef& entity) const override {
    Result<Statement> stmt = Prepare(
        "SELECT entity_type, entity_id, name, document FROM inline_policies WHERE entity_id = ?"
        " ORDER BY name");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(entity.id);
    return All<InlinePolicyRow>(*stmt, ReadInline);
  }
  Result<void> Delete(const EntityRef& entity, std::string_view name) override {
    Result<std::int64_t> ran =
        Run("DELETE FROM inline_policies WHERE entity_id = ? AND name = ?", entity.id, name);
    if (Result<void> done = ExpectChanged(ran, "inline policy", name); !done) return done;
    Changed();
    return Ok();
  }
  Result<std::int64_t> Count(const EntityRef& entity) const override {
    return RepoBase::Count("SELECT COUNT(*) FROM inline_policies WHERE entity_id = ?", entity.id);
  }
};

// ---------------------------------------------------------------------------------------------
// Credentials: access keys, login profiles, MFA devices, password policies

constexpr std::string_view kAccessKeySelect =
    "SELECT k.id, k.account_id, COALESCE(k.user_id, ''), COALESCE(u.name, ''), k.status,"
    " k.created_ms, k.used_ms, k.used_service, k.used_region, k.secret_sealed"
    " FROM access_keys k LEFT JOIN users u ON u.id = k.user_id ";

AccessKeyRow ReadAccessKey(const Statement& stmt) {
  AccessKeyRow row;
  row.id = stmt.Text(0);
  row.account_id = stmt.Text(1);
  row.user_id = stmt.Text(2);
  row.user_name = stmt.Text(3);
  row.status = stmt.Text(4) == "Active" ? AccessKeyStatus::kActive : AccessKeyStatus::kInactive;
  row.created = stmt.Time(5);
  row.last_used = stmt.OptTime(6);
  row.last_used_service = stmt.Text(7);
  row.last_used_region = stmt.Text(8);
  return row;
}

class SqliteAccessKeyRepo final : public AccessKeyRepo, RepoBase {
 public:
  using RepoBase::RepoBase;

  Result<void> Create(const AccessKeyRow& row) override {
    if (Result<void> owner = CheckOwner(row.account_id, row.user_id); !owner) return owner;
    Result<std::string> sealed = SealSecret(row.secret_access_key, AccessKeySealContext(row.id));
    if (!sealed) return Fail(sealed.error());
    Result<std::int64_t> ran =
        Run("INSERT INTO access_keys (id, account_id, user_id, secret_sealed, status, created_ms,"
            " used_ms, used_service, used_region) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            row.id, row.account_id, OptText(row.user_id), BlobParam{*sealed},
            AccessKeyStatusName(row.status), row.created, row.last_used, row.last_used_service,
            row.last_used_region);
    if (!ran) return Fail(ran.error());
    Changed();
    return Ok();
  }
  Result<AccessKeyRow> Get(std::string_view id) const override {
    Result<Statement> stmt = Prepare(std::string(kAccessKeySelect) + "WHERE k.id = ?");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(id);
    Result<bool> row = stmt->Step();
    if (!row) return Fail(row.error());
    if (!*row) return Fail(NotFound("access key", id));
    AccessKeyRow key = ReadAccessKey(*stmt);
    Result<std::string> secret = OpenSecret(stmt->Blob(9), AccessKeySealContext(key.id));
    if (!secret) return Fail(secret.error());
    key.secret_access_key = std::move(*secret);
    return key;
  }
  Result<std::vector<AccessKeyRow>> ListForOwner(std::string_view account_id,
                                                 std::string_view user_id) const override {
    Result<Statement> stmt = Prepare(std::string(kAccessKeySelect) +
                                     "WHERE k.account_id = ? AND k.user_id IS ?"
                                     " ORDER BY k.created_ms, k.id");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(account_id, OptText(std::string(user_id)));
    return All<AccessKeyRow>(*stmt, ReadAccessKey);
  }
  Result<void> SetStatus(std::string_view id, AccessKeyStatus status) override {
    Result<std::int64_t> ran =
        Run("UPDATE access_keys SET status = ? WHERE id = ?", AccessKeyStatusName(status), id);
    if (Result<void> done = ExpectChanged(ran, "access key", id); !done) return done;
    Changed();
    return Ok();
  }
  Result<void> RecordUse(std::string_view id, TimePoint when, std::string_view service,
                         std::string_view region) override {
    return ExpectChanged(Run("UPDATE access_keys SET used_ms = ?, used_service = ?,"
                             " used_region = ? WHERE id = ?",
                             when, service, region, id),
                         "access key", id);
  }
  Result<void> Delete(std::string_view id) override {
    Result<std::int64_t> ran = Run("DELETE FROM access_keys WHERE id = ?", id);
    if (Result<void> done = ExpectChanged(ran, "access key", id); !done) return done;
    Changed();
    return Ok();
  }
  Result<std::int64_t> CountForOwner(std::string_view account_id,
                                     std::string_view user_id) const override {
    return RepoBase::Count("SELECT COUNT(*) FROM access_keys WHERE account_id = ? AND user_id IS ?",
                           account_id, OptText(std::string(user_id)));
  }

  Result<void> CheckOwner(std::string_view account_id, std::string_view user_id) const {
    Result<bool> owner =
        user_id.empty()
            ? Exists("SELECT 1 FROM accounts WHERE id = ?", account_id)
            : Exists("SELECT 1 FROM users WHERE id = ? AND account_id = ?", user_id, account_id);
    if (!owner) return Fail(owner.error());
    if (!*owner) {
      return Fail(user_id.empty() ? NotFound("account", account_id) : NotFound("user", user_id));
    }
    return Ok();
  }
};

LoginProfileRow ReadLoginProfile(const Statement& stmt) {
  LoginProfileRow row;
  row.user_id = stmt.Text(0);
  row.account_id = stmt.Text(1);
  row.password_hash = stmt.Text(2);
  row.password_reset_required = stmt.Bool(3);
  row.created = stmt.Time(4);
  row.password_last_changed = stmt.OptTime(5);
  return row;
}

class SqliteLoginProfileRepo final : public LoginProfileRepo, RepoBase {
 public:
  using RepoBase::RepoBase;

  Result<void> Create(const LoginProfileRow& row) override {
    Result<bool> user = Exists("SELECT 1 FROM users WHERE id = ?", row.user_id);
    if (!user) return Fail(user.error());
    if (!*user) return Fail(NotFound("user", row.user_id));
    Result<std::int64_t> ran =
        Run("INSERT INTO login_profiles (user_id, account_id, password_hash, reset_required,"
            " created_ms, password_changed_ms) VALUES (?, ?, ?, ?, ?, ?)",
            row.user_id, row.account_id, row.password_hash, row.password_reset_required,
            row.created, row.password_last_changed);
    if (!ran) return Fail(ran.error());
    Changed();
    return Ok();
  }
  Result<LoginProfileRow> Get(std::string_view user_id) const override {
    Result<Statement> stmt = Prepare(
        "SELECT user_id, account_id, password_hash, reset_required, created_ms,"
        " password_changed_ms FROM login_profiles WHERE user_id = ?");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(user_id);
    return One<LoginProfileRow>(*stmt, ReadLoginProfile, "login profile of user", user_id);
  }
  Result<void> Update(const LoginProfileRow& row) override {
    Result<std::int64_t> ran =
        Run("UPDATE login_profiles SET password_hash = ?, reset_required = ?,"
            " password_changed_ms = ? WHERE user_id = ?",
            row.password_hash, row.password_reset_required, row.password_last_changed, row.user_id);
    if (Result<void> done = ExpectChanged(ran, "login profile of user", row.user_id); !done) {
      return done;
    }
    Changed();
    return Ok();
  }
  Result<void> Delete(std::string_view user_id) override {
    Result<std::int64_t> ran = Run("DELETE FROM login_profiles WHERE user_id = ?", user_id);
    if (Result<void> done = ExpectChanged(ran, "login profile of user", user_id); !done) {
      return done;
    }
    Changed();
    return Ok();
  }
};

constexpr std::string_view kMfaSelect =
    "SELECT d.serial, d.account_id, d.name, d.path, d.created_ms, d.assignment,"
    " COALESCE(d.user_id, ''), COALESCE(u.name, ''), d.enabled_ms, d.last_step, d.seed_sealed"
    " FROM mfa_devices d LEFT JOIN users u ON u.id = d.user_id ";

MfaAssignment ParseAssignment(std::string_view text) {
  if (text == "user") return MfaAssignment::kUser;
  if (text == "root") return MfaAssignment::kRoot;
  return MfaAssignment::kUnassigned;
}

MfaDeviceRow ReadMfa(const Statement& stmt) {
  MfaDeviceRow row;
  row.serial = stmt.Text(0);
  row.account_id = stmt.Text(1);
  row.name = stmt.Text(2);
  row.path = stmt.Text(3);
  row.created = stmt.Time(4);
  row.assignment = ParseAssignment(stmt.Text(5));
  row.user_id = stmt.Text(6);
  row.user_name = stmt.Text(7);
  row.enable_date = stmt.OptTime(8);
  row.last_accepted_step = stmt.Int(9);
  return row;
}

class SqliteMfaDeviceRepo final : public MfaDeviceRepo, RepoBase {
 public:
  using RepoBase::RepoBase;

  Result<void> Create(const MfaDeviceRow& row) override {
    Result<std::string> sealed = SealSecret(row.seed, MfaSeedSealContext(row.serial));
    if (!sealed) return Fail(sealed.error());
    Result<std::int64_t> ran =
        Run("INSERT INTO mfa_devices (serial, account_id, name, path, seed_sealed, created_ms)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            row.serial, row.account_id, row.name, row.path, BlobParam{*sealed}, row.created);
    if (!ran) return Fail(ran.error());
    Changed();
    return Ok();
  }
  Result<MfaDeviceRow> Get(std::string_view serial) const override {
    Result<Statement> stmt = Prepare(std::string(kMfaSelect) + "WHERE d.serial = ?");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(serial);
    Result<bool> row = stmt->Step();
    if (!row) return Fail(row.error());
    if (!*row) return Fail(NotFound("MFA device", serial));
    MfaDeviceRow device = ReadMfa(*stmt);
    Result<std::string> seed = OpenSecret(stmt->Blob(10), MfaSeedSealContext(device.serial));
    if (!seed) return Fail(seed.error());
    device.seed = std::move(*seed);
    return device;
  }
  Result<std::vector<MfaDeviceRow>> ListForOwner(std::string_view account_id,
                                                 std::string_view user_id) const override {
    Result<Statement> stmt = Prepare(std::string(kMfaSelect) +
                                     "WHERE d.account_id = ? AND d.assignment = ?"
                                     " AND d.user_id IS ? ORDER BY d.enabled_ms, d.serial");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(account_id, user_id.empty() ? "root" : "user", OptText(std::string(user_id)));
    return All<MfaDeviceRow>(*stmt, ReadMfa);
  }
  Result<Page<MfaDeviceRow>> ListVirtual(std::string_view account_id, MfaListFilter filter,
                                         const ListQuery& query) const override {
    Result<std::string> after = DecodeMarker(query.marker);
    if (!after) return Fail(after.error());
    Result<Statement> stmt = Prepare(std::string(kMfaSelect) +
                                     "WHERE d.account_id = ?1 AND d.serial > ?2"
                                     " AND (?3 = 0 OR (?3 = 1) = (d.assignment != ''))"
                                     " ORDER BY d.serial LIMIT ?4");
    if (!stmt) return Fail(stmt.error());
    int mode = filter == MfaListFilter::kAny ? 0 : filter == MfaListFilter::kAssigned ? 1 : 2;
    stmt->Bind(account_id, *after, mode, PageSize(query) + 1);
    return CollectPage<MfaDeviceRow>(*stmt, query, ReadMfa,
                                     [](const MfaDeviceRow& row) { return row.serial; });
  }
  Result<void> Enable(std::string_view serial, std::string_view user_id, TimePoint when,
                      std::int64_t last_accepted_step) override {
    Result<MfaDeviceRow> device = Peek(serial);
    if (!device) return Fail(device.error());
    if (device->assignment != MfaAssignment::kUnassigned) {
      return Fail(Conflict("MFA device `" + std::string(serial) + "` is already assigned"));
    }
    if (!user_id.empty()) {
      Result<bool> user = Exists("SELECT 1 FROM users WHERE id = ? AND account_id = ?", user_id,
                                 device->account_id);
      if (!user) return Fail(user.error());
      if (!*user) return Fail(NotFound("user", user_id));
    }
    Result<std::int64_t> ran =
        Run("UPDATE mfa_devices SET assignment = ?, user_id = ?, enabled_ms = ?, last_step = ?"
            " WHERE serial = ? AND assignment = ''",
            user_id.empty() ? "root" : "user", OptText(std::string(user_id)), when,
            last_accepted_step, serial);
    if (Result<void> done = ExpectChanged(ran, "MFA device", serial); !done) return done;
    Changed();
    return Ok();
  }
  Result<void> Deactivate(std::string_view serial) override {
    Result<MfaDeviceRow> device = Peek(serial);
    if (!device) return Fail(device.error());
    if (device->assignment == MfaAssignment::kUnassigned) {
      return Fail(Conflict("MFA device `" + std::string(serial) + "` is not assigned"));
    }
    Result<std::int64_t> ran =
        Run("UPDATE mfa_devices SET assignment = '', user_id = NULL, enabled_ms = NULL"
            " WHERE serial = ?",
            serial);
    if (!ran) return Fail(ran.error());
    Changed();
    return Ok();
  }
  Result<void> AcceptStep(std::string_view serial, std::int64_t step) override {
    // One conditional UPDATE: two concurrent sign-ins with the same code cannot both win.
    Result<std::int64_t> ran =
        Run("UPDATE mfa_devices SET last_step = ? WHERE serial = ? AND last_step < ?", step, serial,
            step);
    if (!ran) return Fail(ran.error());
    if (*ran == 1) return Ok();
    Result<MfaDeviceRow> device = Peek(serial);
    if (!device) return Fail(device.error());
    return Fail(Conflict("TOTP step already used on MFA device `" + std::string(serial) + "`"));
  }
  Result<void> Delete(std::string_view serial) override {
    Result<MfaDeviceRow> device = Peek(serial);
    if (!device) return Fail(device.error());
    if (device->assignment != MfaAssignment::kUnassigned) {
      return Fail(Conflict("MFA device `" + std::string(serial) + "` is still assigned"));
    }
    Result<std::int64_t> ran = Run("DELETE FROM mfa_devices WHERE serial = ?", serial);
    if (!ran) return Fail(ran.error());
    if (Result<void> tags = DeleteTags(TaggableType::kMfaDevice, serial); !tags) return tags;
    Changed();
    return Ok();
  }
  Result<std::int64_t> Count(std::string_view account_id) const override {
    return RepoBase::Count("SELECT COUNT(*) FROM mfa_devices WHERE account_id = ?", account_id);
  }
  Result<std::int64_t> CountAssigned(std::string_view account_id) const override {
    return RepoBase::Count(
        "SELECT COUNT(*) FROM mfa_devices WHERE account_id = ? AND assignment != ''", account_id);
  }
  Result<std::int64_t> CountForOwner(std::string_view account_id,
                                     std::string_view user_id) const override {
    return RepoBase::Count(
        "SELECT COUNT(*) FROM mfa_devices WHERE account_id = ? AND assignment = ?"
        " AND user_id IS ?",
        account_id, user_id.empty() ? "root" : "user", OptText(std::string(user_id)));
  }

 private:
  // The device without opening its seed.
  Result<MfaDeviceRow> Peek(std::string_view serial) const {
    Result<Statement> stmt = Prepare(std::string(kMfaSelect) + "WHERE d.serial = ?");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(serial);
    return One<MfaDeviceRow>(*stmt, ReadMfa, "MFA device", serial);
  }
};

class SqlitePasswordPolicyRepo final : public PasswordPolicyRepo, RepoBase {
 public:
  using RepoBase::RepoBase;

  Result<PasswordPolicyRow> Get(std::string_view account_id) const override {
    Result<Statement> stmt = Prepare(
        "SELECT account_id, min_length, require_symbols, require_numbers, require_upper,"
        " require_lower, allow_change, max_age, reuse, hard_expiry FROM password_policies"
        " WHERE account_id = ?");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(account_id);
    return One<PasswordPolicyRow>(
        *stmt,
        [](const Statement& s) {
          PasswordPolicyRow row;
          row.account_id = s.Text(0);
          row.minimum_password_length = static_cast<std::int32_t>(s.Int(1));
          row.require_symbols = s.Bool(2);
          row.require_numbers = s.Bool(3);
          row.require_uppercase_characters = s.Bool(4);
          row.require_lowercase_characters = s.Bool(5);
          row.allow_users_to_change_password = s.Bool(6);
          row.max_password_age = s.OptInt32(7);
          row.password_reuse_prevention = s.OptInt32(8);
          row.hard_expiry = s.Bool(9);
          return row;
        },
        "password policy of account", account_id);
  }
  Result<void> Put(const PasswordPolicyRow& row) override {
    Result<std::int64_t> ran =
        Run("INSERT OR REPLACE INTO password_policies (account_id, min_length, require_symbols,"
            " require_numbers, require_upper, require_lower, allow_change, max_age, reuse,"
            " hard_expiry) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            row.account_id, row.minimum_password_length, row.require_symbols, row.require_numbers,
            row.require_uppercase_characters, row.require_lowercase_characters,
            row.allow_users_to_change_password, row.max_password_age, row.password_reuse_prevention,
            row.hard_expiry);
    if (!ran) {
      // The only foreign key is the account.
      if (IsConflict(ran.error())) return Fail(NotFound("account", row.account_id));
      return Fail(ran.error());
    }
    Changed();
    return Ok();
  }
  Result<void> Delete(std::string_view account_id) override {
    Result<std::int64_t> ran =
        Run("DELETE FROM password_policies WHERE account_id = ?", account_id);
    if (Result<void> done = ExpectChanged(ran, "password policy of account", account_id); !done) {
      return done;
    }
    Changed();
    return Ok();
  }
};

// ---------------------------------------------------------------------------------------------
// Instance profiles and tags

constexpr std::string_view kProfileColumns =
    "p.id, p.account_id, p.name, p.path, p.arn, p.created_ms";

InstanceProfileRow ReadProfile(const Statement& stmt) {
  InstanceProfileRow row;
  row.id = stmt.Text(0);
  row.account_id = stmt.Text(1);
  row.name = stmt.Text(2);
  row.path = stmt.Text(3);
  row.arn = stmt.Text(4);
  row.created = stmt.Time(5);
  return row;
}

std::string ProfileKey(const InstanceProfileRow& row) { return AsciiLower(row.name); }

class SqliteInstanceProfileRepo final : public InstanceProfileRepo, RepoBase {
 public:
  using RepoBase::RepoBase;

  Result<void> Create(const InstanceProfileRow& row) override {
    Result<std::int64_t> ran = Run(
        "INSERT INTO instance_profiles (id, account_id, name, name_lc, path, arn, created_ms)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        row.id, row.account_id, row.name, AsciiLower(row.name), row.path,
        DerivedArn(row.arn, row.account_id, "instance-profile", row.path, row.name), row.created);
    if (!ran) return Fail(ran.error());
    Changed();
    return Ok();
  }
  Result<InstanceProfileRow> Get(std::string_view account_id,
                                 std::string_view name) const override {
    Result<Statement> stmt =
        Prepare("SELECT " + std::string(kProfileColumns) +
                " FROM instance_profiles p WHERE p.account_id = ? AND p.name_lc = ?");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(account_id, AsciiLower(name));
    return One<InstanceProfileRow>(*stmt, ReadProfile, "instance profile", name);
  }
  Result<InstanceProfileRow> GetById(std::string_view id) const override {
    Result<Statement> stmt = Prepare("SELECT " + std::string(kProfileColumns) +
                                     " FROM instance_profiles p WHERE p.id = ?");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(id);
    return One<InstanceProfileRow>(*stmt, ReadProfile, "instance profile", id);
  }
  Result<Page<InstanceProfileRow>> List(std::string_view account_id,
                                        const ListQuery& query) const override {
    Result<std::string> after = DecodeMarker(query.marker);
    if (!after) return Fail(after.error());
    Result<Statement> stmt =
        Prepare("SELECT " + std::string(kProfileColumns) +
                " FROM instance_profiles p WHERE p.account_id = ?1 AND p.name_lc > ?2"
                " AND substr(p.path, 1, length(?3)) = ?3 ORDER BY p.name_lc LIMIT ?4");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(account_id, *after, query.path_prefix, PageSize(query) + 1);
    return CollectPage<InstanceProfileRow>(*stmt, query, ReadProfile, ProfileKey);
  }
  Result<void> Delete(std::string_view id) override {
    // Roles reference the profile by foreign key: Conflict while it holds one.
    Result<std::int64_t> ran = Run("DELETE FROM instance_profiles WHERE id = ?", id);
    if (Result<void> done = ExpectChanged(ran, "instance profile", id); !done) return done;
    if (Result<void> tags = DeleteTags(TaggableType::kInstanceProfile, id); !tags) return tags;
    Changed();
    return Ok();
  }
  Result<std::int64_t> Count(std::string_view account_id) const override {
    return RepoBase::Count(
        "SELECT COALESCE((SELECT count FROM account_entity_counts WHERE account_id = ?"
        " AND kind = 'instance_profiles'), 0)",
        account_id);
  }
  Result<void> AddRole(std::string_view profile_id, std::string_view role_id) override {
    Result<bool> profile = Exists("SELECT 1 FROM instance_profiles WHERE id = ?", profile_id);
    if (!profile) return Fail(profile.error());
    if (!*profile) return Fail(NotFound("instance profile", profile_id));
    Result<bool> role = Exists("SELECT 1 FROM roles WHERE id = ?", role_id);
    if (!role) return Fail(role.error());
    if (!*role) return Fail(NotFound("role", role_id));
    Result<std::int64_t> ran =
        Run("INSERT INTO instance_profile_roles (profile_id, role_id) VALUES (?, ?)", profile_id,
            role_id);
    if (!ran) return Fail(ran.error());
    Changed();
    return Ok();
  }
  Result<void> RemoveRole(std::string_view profile_id, std::string_view role_id) override {
    Result<std::int64_t> ran =
        Run("DELETE FROM instance_profile_roles WHERE profile_id = ? AND role_id = ?", profile_id,
            role_id);
    if (Result<void> done = ExpectChanged(ran, "role in instance profile", role_id); !done) {
      return done;
    }
    Changed();
    return Ok();
  }
  Result<std::vector<RoleRow>> ListRoles(std::string_view profile_id) const override {
    Result<Statement> stmt = Prepare(
        "SELECT " + std::string(kRoleColumns) +
        " FROM instance_profile_roles x JOIN roles r ON r.id = x.role_id WHERE x.profile_id = ?"
        " ORDER BY r.name_lc");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(profile_id);
    return All<RoleRow>(*stmt, ReadRole);
  }
  Result<Page<InstanceProfileRow>> ListForRole(std::string_view role_id,
                                               const ListQuery& query) const override {
    Result<std::string> after = DecodeMarker(query.marker);
    if (!after) return Fail(after.error());
    Result<Statement> stmt =
        Prepare("SELECT " + std::string(kProfileColumns) +
                " FROM instance_profile_roles x JOIN instance_profiles p ON p.id = x.profile_id"
                " WHERE x.role_id = ? AND p.name_lc > ? ORDER BY p.name_lc LIMIT ?");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(role_id, *after, PageSize(query) + 1);
    return CollectPage<InstanceProfileRow>(*stmt, query, ReadProfile, ProfileKey);
  }
};

class SqliteTagRepo final : public TagRepo, RepoBase {
 public:
  using RepoBase::RepoBase;

  Result<void> Put(std::string_view account_id, const TagRef& ref,
                   const std::vector<Tag>& tags) override {
    for (const Tag& tag : tags) {
      Result<std::int64_t> ran =
          Run("INSERT INTO tags (resource_type, resource_id, key_lc, key, value, account_id)"
              " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (resource_type, resource_id, key_lc)"
              " DO UPDATE SET key = excluded.key, value = excluded.value",
              TaggableName(ref.type), ref.id, AsciiLower(tag.key), tag.key, tag.value, account_id);
      if (!ran) return Fail(ran.error());
    }
    Changed();
    return Ok();
  }
  Result<void> Remove(const TagRef& ref, const std::vector<std::string>& keys) override {
    for (const std::string& key : keys) {
      Result<std::int64_t> ran =
          Run("DELETE FROM tags WHERE resource_type = ? AND resource_id = ? AND key_lc = ?",
              TaggableName(ref.type), ref.id, AsciiLower(key));
      if (!ran) return Fail(ran.error());
    }
    Changed();
    return Ok();
  }
  Result<std::vector<Tag>> List(const TagRef& ref) const override {
    Result<Statement> stmt = Prepare(
        "SELECT key, value FROM tags WHERE resource_type = ? AND resource_id = ? ORDER BY key_lc");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(TaggableName(ref.type), ref.id);
    return All<Tag>(*stmt, [](const Statement& s) { return Tag{s.Text(0), s.Text(1)}; });
  }
  Result<std::int64_t> Count(const TagRef& ref) const override {
    return RepoBase::Count("SELECT COUNT(*) FROM tags WHERE resource_type = ? AND resource_id = ?",
                           TaggableName(ref.type), ref.id);
  }
};

// ---------------------------------------------------------------------------------------------
// Audit events

constexpr std::string_view kEventColumns =
    "e.sequence, e.event_id, e.account_id, e.event_time_ms, e.event_name, e.event_source,"
    " e.username, e.access_key_id, e.read_only, e.record, e.resources";

// audit_events.resources: a JSON array of [type, name] pairs (schema migration 7).
std::string ResourcesColumn(const std::vector<AuditResource>& resources) {
  boost::json::array pairs;
  pairs.reserve(resources.size());
  for (const AuditResource& resource : resources) {
    pairs.push_back(boost::json::array{boost::json::string_view(resource.type),
                                       boost::json::string_view(resource.name)});
  }
  return boost::json::serialize(pairs);
}

std::vector<AuditResource> ResourcesFromColumn(std::string_view text) {
  std::vector<AuditResource> resources;
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(text, ec);
  if (ec || !parsed.is_array()) return resources;
  for (const boost::json::value& pair : parsed.get_array()) {
    const boost::json::array* items = pair.if_array();
    if (items == nullptr || items->size() != 2 || !(*items)[0].is_string() ||
        !(*items)[1].is_string()) {
      continue;
    }
    resources.push_back({std::string((*items)[0].get_string()),
                         std::string((*items)[1].get_string())});
  }
  return resources;
}

AuditEventRow ReadEvent(const Statement& stmt) {
  AuditEventRow row;
  row.sequence = stmt.Int(0);
  row.event_id = stmt.Text(1);
  row.account_id = stmt.Text(2);
  row.event_time = stmt.Time(3);
  row.event_name = stmt.Text(4);
  row.event_source = stmt.Text(5);
  row.username = stmt.Text(6);
  row.access_key_id = stmt.Text(7);
  row.read_only = stmt.Bool(8);
  row.record = stmt.Text(9);
  row.resources = ResourcesFromColumn(stmt.Text(10));
  return row;
}

// Codes of audit_lookup.attribute (schema migration 5).
constexpr std::int64_t kLookupEveryEvent = 0;

std::int64_t LookupCode(AuditAttribute attribute) {
  switch (attribute) {
    case AuditAttribute::kEventId:
      return 1;
    case AuditAttribute::kEventName:
      return 2;
    case AuditAttribute::kReadOnly:
      return 3;
    case AuditAttribute::kUsername:
      return 4;
    case AuditAttribute::kResourceType:
      return 5;
    case AuditAttribute::kResourceName:
      return 6;
    case AuditAttribute::kEventSource:
      return 7;
    case AuditAttribute::kAccessKeyId:
      return 8;
  }
  return kLookupEveryEvent;
}

// Indexes the events with sequence in (?1, ?2]: one audit_lookup row per event and attribute
// (duplicate resources collapse on the primary key).
constexpr std::string_view kIndexEventsSql =
    "INSERT OR IGNORE INTO audit_lookup (account_id, attribute, value, event_time_ms, sequence)"
    " SELECT account_id, 0, '', event_time_ms, sequence FROM audit_events"
    "  WHERE sequence > ?1 AND sequence <= ?2"
    " UNION ALL SELECT account_id, 1, event_id, event_time_ms, sequence FROM audit_events"
    "  WHERE sequence > ?1 AND sequence <= ?2"
    " UNION ALL SELECT account_id, 2, event_name, event_time_ms, sequence FROM audit_events"
    "  WHERE sequence > ?1 AND sequence <= ?2"
    " UNION ALL SELECT account_id, 3, CASE read_only WHEN 0 THEN 'false' ELSE 'true' END,"
    "  event_time_ms, sequence FROM audit_events WHERE sequence > ?1 AND sequence <= ?2"
    " UNION ALL SELECT account_id, 4, username, event_time_ms, sequence FROM audit_events"
    "  WHERE sequence > ?1 AND sequence <= ?2"
    " UNION ALL SELECT account_id, 7, event_source, event_time_ms, sequence FROM audit_events"
    "  WHERE sequence > ?1 AND sequence <= ?2"
    " UNION ALL SELECT account_id, 8, access_key_id, event_time_ms, sequence FROM audit_events"
    "  WHERE sequence > ?1 AND sequence <= ?2"
    " UNION ALL SELECT e.account_id, 5, json_extract(r.value, '$[0]'), e.event_time_ms,"
    "  e.sequence FROM audit_events e, json_each(e.resources) r"
    "  WHERE e.sequence > ?1 AND e.sequence <= ?2"
    " UNION ALL SELECT e.account_id, 6, json_extract(r.value, '$[1]'), e.event_time_ms,"
    "  e.sequence FROM audit_events e, json_each(e.resources) r"
    "  WHERE e.sequence > ?1 AND e.sequence <= ?2";

// The events not yet indexed (sequence > ?8) that match a Lookup, newest first. Parameters as
// in the indexed query: ?1 account, ?2/?3 start/end ms, ?4/?5 the marker's (time, sequence),
// ?6 the attribute value.
std::string TailLookupSql(std::optional<AuditAttribute> attribute) {
  std::string sql = "SELECT e.sequence, e.event_time_ms FROM audit_events e"
                    " WHERE e.sequence > ?8 AND e.account_id = ?1 AND e.event_time_ms >= ?2"
                    " AND e.event_time_ms <= ?3 AND (e.event_time_ms, e.sequence) < (?4, ?5)";
  if (attribute) {
    switch (*attribute) {
      case AuditAttribute::kEventId:
        sql += " AND e.event_id = ?6";
        break;
      case AuditAttribute::kEventName:
        sql += " AND e.event_name = ?6";
        break;
      case AuditAttribute::kReadOnly:
        sql += " AND (CASE e.read_only WHEN 0 THEN 'false' ELSE 'true' END) = ?6";
        break;
      case AuditAttribute::kUsername:
        sql += " AND e.username = ?6";
        break;
      case AuditAttribute::kResourceType:
        sql += " AND EXISTS (SELECT 1 FROM json_each(e.resources) r"
               " WHERE json_extract(r.value, '$[0]') = ?6)";
        break;
      case AuditAttribute::kResourceName:
        sql += " AND EXISTS (SELECT 1 FROM json_each(e.resources) r"
               " WHERE json_extract(r.value, '$[1]') = ?6)";
        break;
      case AuditAttribute::kEventSource:
        sql += " AND e.event_source = ?6";
        break;
      case AuditAttribute::kAccessKeyId:
        sql += " AND e.access_key_id = ?6";
        break;
    }
  }
  sql += " ORDER BY e.event_time_ms DESC, e.sequence DESC";
  return sql;
}

// The indexed events (sequence <= ?8) that match, newest first, in index order: the caller
// stops stepping once the page is full.
std::string IndexedLookupSql() {
  return "SELECT l.sequence, l.event_time_ms FROM audit_lookup l"
         " WHERE l.account_id = ?1 AND l.attribute = ?7 AND l.value = ?6"
         " AND l.event_time_ms >= ?2 AND l.event_time_ms <= ?3"
         " AND (l.event_time_ms, l.sequence) < (?4, ?5) AND l.sequence <= ?8"
         " ORDER BY l.event_time_ms DESC, l.sequence DESC";
}

class SqliteAuditEventRepo final : public AuditEventRepo, RepoBase {
 public:
  using RepoBase::RepoBase;

  Result<std::int64_t> Append(const AuditEventRow& row) override {
    std::int64_t sequence = 0;
    Result<void> made = [&]() -> Result<void> {
      Result<std::int64_t> ran =
          Run("INSERT INTO audit_events (event_id, account_id, event_time_ms, event_name,"
              " event_source, username, access_key_id, read_only, resources, record)"
              " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              row.event_id, row.account_id, row.event_time, row.event_name, row.event_source,
              row.username, row.access_key_id, row.read_only, ResourcesColumn(row.resources),
              row.record);
      if (!ran) return Fail(ran.error());
      sequence = sqlite3_last_insert_rowid(connection().db());
      return Ok();
    }();
    if (!made) return Fail(made.error());
    return sequence;
  }

  Result<void> Replace(const AuditEventRow& row) override {
    Result<std::int64_t> changed =
        Run("UPDATE audit_events SET username = ?, access_key_id = ?, read_only = ?,"
            " resources = ?, record = ? WHERE sequence = ? AND event_id = ?",
            row.username, row.access_key_id, row.read_only, ResourcesColumn(row.resources),
            row.record, row.sequence, row.event_id);
    if (!changed) return Fail(changed.error());
    if (*changed == 0) {
      return Fail(MakeError(StoreError::kNotFound, "audit event " + row.event_id));
    }
    // An event already indexed is indexed again with its final attributes and resources.
    Result<std::int64_t> indexed = IndexedSequence();
    if (!indexed) return Fail(indexed.error());
    if (row.sequence <= *indexed) {
      // The update removed its old lookup rows (trigger).
      if (Result<std::int64_t> again = Run(kIndexEventsSql, row.sequence - 1, row.sequence);
          !again) {
        return Fail(again.error());
      }
    }
    return Ok();
  }

  Result<Page<AuditEventRow>> Lookup(const AuditEventQuery& query) const override {
    Result<std::string> after = DecodeMarker(query.marker);
    if (!after) return Fail(after.error());
    std::int64_t below_time = INT64_MAX;
    std::int64_t below_sequence = INT64_MAX;
    if (!after->empty()) {
      std::size_t colon = after->find(':');
      try {
        if (colon == std::string::npos) throw std::invalid_argument("no colon");
        below_time = std::stoll(after->substr(0, colon));
        below_sequence = std::stoll(after->substr(colon + 1));
      } catch (const std::exception&) {
        return Fail(MakeError(StoreError::kInvalidArgument, "invalid marker"));
      }
    }
    Result<std::int64_t> indexed = IndexedSequence();
    if (!indexed) return Fail(indexed.error());
    const std::int64_t start =
        query.start_time ? query.start_time->time_since_epoch().count() : INT64_MIN;
    const std::int64_t end =
        query.end_time ? query.end_time->time_since_epoch().count() : INT64_MAX;
    const std::int64_t code = query.attribute ? LookupCode(*query.attribute) : kLookupEveryEvent;
    const std::string value = query.attribute ? query.attribute_value : std::string();
    Result<Statement> from_index = Prepare(IndexedLookupSql());
    if (!from_index) return Fail(from_index.error());
    from_index->Bind(query.account_id, start, end, below_time, below_sequence, value, code,
                     *indexed);
    Result<Statement> from_tail = Prepare(TailLookupSql(query.attribute));
    if (!from_tail) return Fail(from_tail.error());
    from_tail->Bind(query.account_id, start, end, below_time, below_sequence, value, code,
                    *indexed);
    // Merge the two newest-first streams (disjoint: the tail holds only unindexed events).
    struct Cursor {
      Statement* stmt;
      bool live = false;
      std::int64_t sequence = 0, time = 0;
      Result<void> Next() {
        Result<bool> row = stmt->Step();
        if (!row) return Fail(row.error());
        live = *row;
        if (live) {
          sequence = stmt->Int(0);
          time = stmt->Int(1);
        }
        return Ok();
      }
    };
    Cursor indexed_rows{&*from_index};
    Cursor tail_rows{&*from_tail};
    if (auto r = indexed_rows.Next(); !r) return Fail(r.error());
    if (auto r = tail_rows.Next(); !r) return Fail(r.error());
    std::vector<std::int64_t> sequences;
    Page<AuditEventRow> page;
    const std::size_t size = static_cast<std::size_t>(std::max(1, query.max_results));
    while (indexed_rows.live || tail_rows.live) {
      Cursor* next = &indexed_rows;
      if (!indexed_rows.live ||
          (tail_rows.live && std::pair(tail_rows.time, tail_rows.sequence) >
                                 std::pair(indexed_rows.time, indexed_rows.sequence))) {
        next = &tail_rows;
      }
      if (sequences.size() == size) {
        // One more matches: the page is truncated after its last event.
        break;
      }
      sequences.push_back(next->sequence);
      if (auto r = next->Next(); !r) return Fail(r.error());
    }
    const bool truncated = indexed_rows.live || tail_rows.live;
    const std::string by_sequence =
        "SELECT " + std::string(kEventColumns) + " FROM audit_events e WHERE e.sequence = ?";
    for (std::int64_t sequence : sequences) {
      Result<Statement> event = Prepare(by_sequence);
      if (!event) return Fail(event.error());
      event->Bind(sequence);
      Result<bool> row = event->Step();
      if (!row) return Fail(row.error());
      if (*row) page.items.push_back(ReadEvent(*event));
    }
    if (truncated && !page.items.empty()) {
      const AuditEventRow& last = page.items.back();
      page.next_marker = EncodeMarker(std::to_string(last.event_time.time_since_epoch().count()) +
                                      ":" + std::to_string(last.sequence));
    }
    return page;
  }

  Result<std::vector<AuditEventRow>> ListAfter(std::int64_t after, int limit) const override {
    Result<Statement> stmt = Prepare("SELECT " + std::string(kEventColumns) +
                                     " FROM audit_events e WHERE e.sequence > ?"
                                     " ORDER BY e.sequence LIMIT ?");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(after, std::int64_t{std::max(1, limit)});
    return All<AuditEventRow>(*stmt, ReadEvent);
  }

  Result<std::int64_t> DeleteBefore(TimePoint cutoff, int limit) override {
    // The newest event always stays, so that a sequence is never handed out twice (log-file
    // delivery remembers the last one it shipped).
    return Run(
        "DELETE FROM audit_events WHERE sequence IN (SELECT sequence FROM"
        " (SELECT sequence, event_time_ms FROM audit_events ORDER BY sequence LIMIT ?)"
        " WHERE event_time_ms < ?) AND sequence < (SELECT MAX(sequence) FROM audit_events)",
        std::int64_t{std::max(1, limit)}, cutoff);
  }

  Result<std::int64_t> IndexPending(int limit) override {
    Result<std::int64_t> indexed = IndexedSequence();
    if (!indexed) return Fail(indexed.error());
    Result<std::int64_t> newest =
        Count("SELECT COALESCE(MAX(sequence), 0) FROM audit_events");
    if (!newest) return Fail(newest.error());
    const std::int64_t upto = std::min(*newest, *indexed + std::max(1, limit));
    if (upto <= *indexed) return 0;
    if (Result<std::int64_t> ran = Run(kIndexEventsSql, *indexed, upto); !ran) {
      return Fail(ran.error());
    }
    if (Result<std::int64_t> ran = Run(
            "UPDATE store_meta SET value = ? WHERE key = 'audit_indexed_sequence'", upto);
        !ran) {
      return Fail(ran.error());
    }
    return upto - *indexed;
  }

 private:
  // The last sequence in audit_lookup (every event up to it is indexed).
  Result<std::int64_t> IndexedSequence() const {
    return Count("SELECT value FROM store_meta WHERE key = 'audit_indexed_sequence'");
  }
};

// ---------------------------------------------------------------------------------------------
// Outbox and credential reports

constexpr std::string_view kOutboxColumns =
    "id, topic, payload, created_ms, next_attempt_ms, attempts, last_error, delivered_ms";

OutboxMessage ReadMessage(const Statement& stmt) {
  OutboxMessage message;
  message.id = stmt.Int(0);
  message.topic = stmt.Text(1);
  message.payload = stmt.Text(2);
  message.created = stmt.Time(3);
  message.next_attempt = stmt.Time(4);
  message.attempts = static_cast<std::int32_t>(stmt.Int(5));
  message.last_error = stmt.Text(6);
  message.delivered = stmt.OptTime(7);
  return message;
}

class SqliteOutboxRepo final : public OutboxRepo, RepoBase {
 public:
  using RepoBase::RepoBase;

  Result<std::int64_t> Enqueue(const OutboxMessage& message) override {
    Result<std::int64_t> ran =
        Run("INSERT INTO outbox (topic, payload, created_ms, next_attempt_ms) VALUES (?, ?, ?, ?)",
            message.topic, message.payload, message.created, message.next_attempt);
    if (!ran) return Fail(ran.error());
    return sqlite3_last_insert_rowid(connection().db());
  }
  Result<std::vector<OutboxMessage>> Due(std::string_view topic, TimePoint now,
                                         int limit) const override {
    Result<Statement> stmt = Prepare("SELECT " + std::string(kOutboxColumns) +
                                     " FROM outbox WHERE topic = ? AND delivered_ms IS NULL"
                                     " AND next_attempt_ms <= ? ORDER BY id LIMIT ?");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(topic, now, std::int64_t{std::max(1, limit)});
    return All<OutboxMessage>(*stmt, ReadMessage);
  }
  Result<void> MarkDelivered(std::int64_t id, TimePoint when) override {
    return ExpectChanged(Run("UPDATE outbox SET delivered_ms = ? WHERE id = ?", when, id),
                         "outbox message", std::to_string(id));
  }
  Result<void> Reschedule(std::int64_t id, TimePoint next_attempt,
                          std::string_view error) override {
    return ExpectChanged(Run("UPDATE outbox SET next_attempt_ms = ?, attempts = attempts + 1,"
                             " last_error = ? WHERE id = ?",
                             next_attempt, error, id),
                         "outbox message", std::to_string(id));
  }
  Result<Page<OutboxMessage>> List(std::string_view topic, const ListQuery& query) const override {
    Result<std::string> after = DecodeMarker(query.marker);
    if (!after) return Fail(after.error());
    std::int64_t below = INT64_MAX;
    if (!after->empty()) {
      try {
        below = std::stoll(*after);
      } catch (const std::exception&) {
        return Fail(MakeError(StoreError::kInvalidArgument, "invalid marker"));
      }
    }
    Result<Statement> stmt = Prepare("SELECT " + std::string(kOutboxColumns) +
                                     " FROM outbox WHERE topic = ? AND id < ?"
                                     " ORDER BY id DESC LIMIT ?");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(topic, below, PageSize(query) + 1);
    return CollectPage<OutboxMessage>(*stmt, query, ReadMessage, [](const OutboxMessage& message) {
      return std::to_string(message.id);
    });
  }
  Result<std::int64_t> DeleteDeliveredBefore(TimePoint cutoff, int limit) override {
    return Run(
        "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE delivered_ms IS NOT NULL"
        " AND delivered_ms < ? ORDER BY delivered_ms LIMIT ?)",
        cutoff, std::int64_t{std::max(1, limit)});
  }
};

class SqliteCredentialReportRepo final : public CredentialReportRepo, RepoBase {
 public:
  using RepoBase::RepoBase;

  Result<CredentialReportRow> Get(std::string_view account_id) const override {
    Result<Statement> stmt = Prepare(
        "SELECT account_id, generated_ms, content FROM credential_reports WHERE account_id = ?");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(account_id);
    return One<CredentialReportRow>(
        *stmt,
        [](const Statement& s) {
          return CredentialReportRow{s.Text(0), s.Time(1), s.Text(2)};
        },
        "credential report of account", account_id);
  }
  Result<void> Put(const CredentialReportRow& row) override {
    Result<std::int64_t> ran =
        Run("INSERT INTO credential_reports (account_id, generated_ms, content) VALUES (?, ?, ?)"
            " ON CONFLICT (account_id) DO UPDATE SET generated_ms = excluded.generated_ms,"
            " content = excluded.content",
            row.account_id, row.generated, row.content);
    if (!ran) {
      if (IsConflict(ran.error())) return Fail(NotFound("account", row.account_id));
      return Fail(ran.error());
    }
    return Ok();
  }
};

// ---------------------------------------------------------------------------------------------

class SqliteTransaction final : public WriteTransaction {
 public:
  explicit SqliteTransaction(TxContext& context)
      : accounts_(context),
        root_users_(context),
        users_(context),
        groups_(context),
        roles_(context),
        policies_(context),
        attachments_(context),
        inline_policies_(context),
        access_keys_(context),
        login_profiles_(context),
        mfa_devices_(context),
        password_policies_(context),
        instance_profiles_(context),
        tags_(context),
        audit_events_(context),
        outbox_(context),
        credential_reports_(context) {}

  const AccountRepo& Accounts() const override { return accounts_; }
  const RootUserRepo& RootUsers() const override { return root_users_; }
  const UserRepo& Users() const override { return users_; }
  const GroupRepo& Groups() const override { return groups_; }
  const RoleRepo& Roles() const override { return roles_; }
  const ManagedPolicyRepo& Policies() const override { return policies_; }
  const AttachmentRepo& Attachments() const override { return attachments_; }
  const InlinePolicyRepo& InlinePolicies() const override { return inline_policies_; }
  const AccessKeyRepo& AccessKeys() const override { return access_keys_; }
  const LoginProfileRepo& LoginProfiles() const override { return login_profiles_; }
  const MfaDeviceRepo& MfaDevices() const override { return mfa_devices_; }
  const PasswordPolicyRepo& PasswordPolicies() const override { return password_policies_; }
  const InstanceProfileRepo& InstanceProfiles() const override { return instance_profiles_; }
  const TagRepo& Tags() const override { return tags_; }
  const AuditEventRepo& AuditEvents() const override { return audit_events_; }
  const OutboxRepo& Outbox() const override { return outbox_; }
  const CredentialReportRepo& CredentialReports() const override { return credential_reports_; }

  AccountRepo& Accounts() override { return accounts_; }
  RootUserRepo& RootUsers() override { return root_users_; }
  UserRepo& Users() override { return users_; }
  GroupRepo& Groups() override { return groups_; }
  RoleRepo& Roles() override { return roles_; }
  ManagedPolicyRepo& Policies() override { return policies_; }
  AttachmentRepo& Attachments() override { return attachments_; }
  InlinePolicyRepo& InlinePolicies() override { return inline_policies_; }
  AccessKeyRepo& AccessKeys() override { return access_keys_; }
  LoginProfileRepo& LoginProfiles() override { return login_profiles_; }
  MfaDeviceRepo& MfaDevices() override { return mfa_devices_; }
  PasswordPolicyRepo& PasswordPolicies() override { return password_policies_; }
  InstanceProfileRepo& InstanceProfiles() override { return instance_profiles_; }
  TagRepo& Tags() override { return tags_; }
  AuditEventRepo& AuditEvents() override { return audit_events_; }
  OutboxRepo& Outbox() override { return outbox_; }
  CredentialReportRepo& CredentialReports() override { return credential_reports_; }

 private:
  SqliteAccountRepo accounts_;
  SqliteRootUserRepo root_users_;
  SqliteUserRepo users_;
  SqliteGroupRepo groups_;
  SqliteRoleRepo roles_;
  SqliteManagedPolicyRepo policies_;
  SqliteAttachmentRepo attachments_;
  SqliteInlinePolicyRepo inline_policies_;
  SqliteAccessKeyRepo access_keys_;
  SqliteLoginProfileRepo login_profiles_;
  SqliteMfaDeviceRepo mfa_devices_;
  SqlitePasswordPolicyRepo password_policies_;
  SqliteInstanceProfileRepo instance_profiles_;
  SqliteTagRepo tags_;
  SqliteAuditEventRepo audit_events_;
  SqliteOutboxRepo outbox_;
  SqliteCredentialReportRepo credential_reports_;
};

}  // namespace

std::unique_ptr<WriteTransaction> NewTransaction(TxContext& context) {
  return std::make_unique<SqliteTransaction>(context);
}

std::string AccessKeySealContext(std::string_view access_key_id) {
  return "rampart:access-key:" + std::string(access_key_id);
}

std::string MfaSeedSealContext(std::string_view serial) {
  return "rampart:mfa-seed:" + std::string(serial);
}

}  // namespace rampart::store::sqlite
