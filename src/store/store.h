// The transactional store: typed repositories over every persistent entity of rampart
// (accounts, root users, IAM users, groups, roles, managed and inline policies, policy
// attachments, access keys, login profiles, MFA devices, password policies, instance
// profiles, tags, audit events, an outbox, credential reports), behind a `Store` seam with one
// implementation per database engine (SQLite now, PostgreSQL later). Nothing here names an SQL
// dialect: every backend passes the shared suite in store/store_suite.h.
//
// Shape of use:
//
//   Result<void> r = store.Write([&](WriteTransaction& tx) -> Result<void> {
//     if (Result<void> made = tx.Users().Create(user); !made) return made;
//     return tx.Attachments().Attach(user.account_id, EntityRef::User(user.id), arn);
//   });
//
// Every repository call happens inside a transaction handed to a callback; a transaction
// object is only valid during that callback and must not escape it.
//
// Rows are plain values. Ids, ARNs and timestamps are chosen by the caller (common/ids.h,
// common/arn.h, a Clock); the store enforces only what a database enforces: uniqueness
// (names unique case-insensitively per account, case preserved), referential integrity
// (an entity with dependants cannot be deleted), and atomic compare-and-set where a race
// would be a security bug (TOTP step replay). Quotas and AWS error messages belong to the
// service handlers.
//
// Errors: every fallible call returns `Result<T>`; on failure `Error::code` is one of
//   "NotFound"         kNotFound: the addressed row does not exist
//   "Conflict"         kConflict: a uniqueness or referential rule would be broken
//   "Unavailable"      kUnavailable: the database is busy, full, unreadable or closed
//   "InvalidArgument"  kInvalidArgument: the call itself is malformed (e.g. a forged marker)
// plus "SealedDataInvalid" when a sealed secret fails to open (tampering or a wrong master
// key). Handlers map these to AWS codes (NotFound -> NoSuchEntity, Conflict ->
// EntityAlreadyExists or DeleteConflict, Unavailable -> ServiceFailure).
//
// Thread-safety: `Store` is thread-safe; transactions and repositories are not (each is
// confined to the thread running its callback).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace rampart::store {

// ---------------------------------------------------------------------------------------------
// Errors

enum class StoreError { kNotFound, kConflict, kUnavailable, kInvalidArgument };

// "NotFound", "Conflict", "Unavailable", "InvalidArgument".
std::string_view StoreErrorCode(StoreError error);
// An Error carrying `error`'s code and `message`.
Error MakeError(StoreError error, std::string message);
// The StoreError an Error carries, if its code is one of the four above.
std::optional<StoreError> ToStoreError(const Error& error);
bool IsNotFound(const Error& error);
bool IsConflict(const Error& error);
bool IsUnavailable(const Error& error);

// ---------------------------------------------------------------------------------------------
// Pagination. AWS lists IAM entities sorted by name; every List call here returns a stable
// order (documented per call), `max_items` rows at most, and an opaque marker that resumes
// right after the last row returned. A marker is only meaningful to the same call with the
// same filters; a marker that does not decode fails with kInvalidArgument.

struct ListQuery {
  std::string path_prefix = "/";  // rows whose path starts with this (case-sensitive)
  std::string marker;             // "" = from the start; else a previous page's next_marker
  int max_items = 100;            // 1..1000 is AWS's range; values < 1 are treated as 1
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::optional<std::string> next_marker;  // set iff more rows follow (AWS IsTruncated)
  bool truncated() const { return next_marker.has_value(); }
};

// ---------------------------------------------------------------------------------------------
// Rows

enum class AccountStatus { kActive, kSuspended, kPendingClosure, kClosed };
// "ACTIVE", "SUSPENDED", "PENDING_CLOSURE", "CLOSED" (Organizations' AccountStatus enum).
std::string_view AccountStatusName(AccountStatus status);
Result<AccountStatus> ParseAccountStatus(std::string_view text);  // kInvalidArgument

struct AccountRow {
  std::string id;    // 12 digits
  std::string name;  // account name
  AccountStatus status = AccountStatus::kActive;
  std::string email;  // the root user's sign-in address; unique case-insensitively
  std::string alias;  // "" when none; globally unique (AWS aliases are)
  TimePoint created{};
  std::optional<TimePoint> closed;
  bool iam_user_access_to_billing = false;  // account setting (Billing console access)
};

// The account's root user. Its email is the account's (AccountRow::email).
struct RootUserRow {
  std::string account_id;
  std::string email;          // read-only mirror of AccountRow::email (ignored on write)
  std::string password_hash;  // Argon2id encoded string, hashed by the caller; "" = none
  TimePoint created{};
  std::optional<TimePoint> password_last_changed;
  std::optional<TimePoint> password_last_used;
};

struct UserRow {
  std::string account_id;
  std::string id;    // AIDA...
  std::string name;  // case preserved; unique case-insensitively in the account
  std::string path = "/";
  std::string arn;  // "" on Create/Update: derived as arn:aws:iam::ACCOUNT:user{path}{name}
  TimePoint created{};
  std::optional<TimePoint> password_last_used;
  std::string permissions_boundary;  // policy ARN, "" when none
};

struct GroupRow {
  std::string account_id;
  std::string id;  // AGPA...
  std::string name;
  std::string path = "/";
  std::string arn;  // "" on Create/Update: derived
  TimePoint created{};
};

struct RoleRow {
  std::string account_id;
  std::string id;  // AROA...
  std::string name;
  std::string path = "/";
  std::string arn;  // "" on Create/Update: derived
  TimePoint created{};
  std::string assume_role_policy;  // trust policy, byte-for-byte as submitted
  std::string description;
  std::int32_t max_session_duration = 3600;  // seconds
  std::string permissions_boundary;          // policy ARN, "" when none
  std::optional<TimePoint> last_used;
  std::string last_used_region;
};

// A customer managed policy (AWS managed policies are data shipped with the binary, not rows).
struct ManagedPolicyRow {
  std::string account_id;
  std::string id;  // ANPA...
  std::string name;
  std::string path = "/";
  std::string arn;  // "" on Create: derived as arn:aws:iam::ACCOUNT:policy{path}{name}
  std::string description;
  std::string default_version_id;  // "v1", ... (set by the store)
  TimePoint created{};
  TimePoint updated{};
};

struct PolicyVersionRow {
  std::string policy_id;
  std::string version_id;  // "v<N>"; numbers are never reused within a policy
  std::string document;    // byte-for-byte as submitted
  bool is_default = false;
  TimePoint created{};
};

// Principals that policies attach to and inline policies embed in.
enum class EntityType { kUser, kGroup, kRole };
std::string_view EntityTypeName(EntityType type);  // "User", "Group", "Role"

struct EntityRef {
  EntityType type = EntityType::kUser;
  std::string id;  // the entity's unique id (AIDA.../AGPA.../AROA...)
  static EntityRef User(std::string id) { return {EntityType::kUser, std::move(id)}; }
  static EntityRef Group(std::string id) { return {EntityType::kGroup, std::move(id)}; }
  static EntityRef Role(std::string id) { return {EntityType::kRole, std::move(id)}; }
};

// A managed policy attached to an entity (the policy may be AWS managed: only its ARN).
struct AttachedPolicy {
  std::string policy_arn;
  std::string policy_name;  // last segment of the ARN's resource
  std::string policy_path;  // the ARN's path ("/" or "/a/b/")
};

// An entity a policy is attached to (ListEntitiesForPolicy).
struct PolicyEntity {
  EntityType type = EntityType::kUser;
  std::string id;
  std::string name;
  std::string path;
};

struct InlinePolicyRow {
  EntityRef entity;
  std::string name;      // case-sensitive (see docs/decisions.md, Store)
  std::string document;  // byte-for-byte as submitted
};

enum class AccessKeyStatus { kActive, kInactive };
std::string_view AccessKeyStatusName(AccessKeyStatus status);  // "Active", "Inactive"

struct AccessKeyRow {
  std::string id;          // AKIA...
  std::string account_id;  // owner account
  std::string user_id;     // owner IAM user id; "" = the account's root user
  std::string user_name;   // read-only: the owner's current name ("" for root), filled on read
  std::string secret_access_key;  // plaintext; sealed at rest. Filled by Get only.
  AccessKeyStatus status = AccessKeyStatus::kActive;
  TimePoint created{};
  std::optional<TimePoint> last_used;
  std::string last_used_service;  // "" when never used
  std::string last_used_region;
  bool is_root() const { return user_id.empty(); }
};

struct LoginProfileRow {
  std::string user_id;
  std::string account_id;
  std::string password_hash;  // Argon2id encoded string, hashed by the caller
  bool password_reset_required = false;
  TimePoint created{};
  std::optional<TimePoint> password_last_changed;
};

enum class MfaAssignment { kUnassigned, kUser, kRoot };

struct MfaDeviceRow {
  std::string serial;  // arn:aws:iam::ACCOUNT:mfa{path}{name}; unique
  std::string account_id;
  std::string name;
  std::string path = "/";
  std::string seed;  // raw TOTP secret; sealed at rest. Filled by Get only.
  TimePoint created{};
  MfaAssignment assignment = MfaAssignment::kUnassigned;  // set via Enable/Deactivate
  std::string user_id;                                    // when assignment == kUser
  std::string user_name;  // read-only mirror of the user's current name
  std::optional<TimePoint> enable_date;
  std::int64_t last_accepted_step = 0;  // last TOTP time step accepted (replay protection)
};

enum class MfaListFilter { kAny, kAssigned, kUnassigned };  // ListVirtualMFADevices

struct PasswordPolicyRow {
  std::string account_id;
  std::int32_t minimum_password_length = 8;
  bool require_symbols = false;
  bool require_numbers = false;
  bool require_uppercase_characters = false;
  bool require_lowercase_characters = false;
  bool allow_users_to_change_password = false;
  std::optional<std::int32_t> max_password_age;           // days
  std::optional<std::int32_t> password_reuse_prevention;  // remembered passwords
  bool hard_expiry = false;
};

struct InstanceProfileRow {
  std::string account_id;
  std::string id;  // AIPA...
  std::string name;
  std::string path = "/";
  std::string arn;  // "" on Create: derived as arn:aws:iam::ACCOUNT:instance-profile{path}{name}
  TimePoint created{};
};

// What tags attach to: the entity's unique id (users, roles, policies, instance profiles)
// or, for MFA devices, its serial.
enum class TaggableType {
  kUser,
  kRole,
  kManagedPolicy,
  kInstanceProfile,
  kMfaDevice,
  kOpenIdConnectProvider,
  kSamlProvider,
  kServerCertificate,
};

struct TagRef {
  TaggableType type = TaggableType::kUser;
  std::string id;
};

struct Tag {
  std::string key;  // unique case-insensitively per entity, case preserved
  std::string value;
  bool operator==(const Tag&) const = default;
};

// CloudTrail events (issue 6): the store keeps the record as the audit module built it, plus
// the attributes LookupEvents filters on.
struct AuditResource {
  std::string type;  // "AWS::IAM::User", ...
  std::string name;  // a name or ARN
};

struct AuditEventRow {
  std::int64_t sequence = 0;  // assigned by Append; increases in commit order
  std::string event_id;       // CloudTrail eventID (a random UUID)
  std::string account_id;     // the account whose trail holds it (recipientAccountId)
  TimePoint event_time{};
  std::string event_name;
  std::string event_source;   // "iam.amazonaws.com"
  std::string username;       // LookupEvents' Username attribute ("" when none)
  std::string access_key_id;  // "" when none
  bool read_only = false;
  std::vector<AuditResource> resources;
  std::string record;  // the CloudTrail record (JSON), stored and returned as given
};

// LookupEvents' LookupAttribute keys.
enum class AuditAttribute {
  kEventId,
  kEventName,
  kReadOnly,  // value "true" or "false"
  kUsername,
  kResourceType,
  kResourceName,
  kEventSource,
  kAccessKeyId,
};

struct AuditEventQuery {
  std::string account_id;
  std::optional<AuditAttribute> attribute;  // at most one, as LookupEvents allows
  std::string attribute_value;
  std::optional<TimePoint> start_time;  // inclusive
  std::optional<TimePoint> end_time;    // inclusive
  int max_results = 50;
  std::string marker;  // a previous page's next_marker, with the same filters
};

// A message to deliver at least once (alert webhooks, issue 6), kept until delivered.
struct OutboxMessage {
  std::int64_t id = 0;  // assigned by Enqueue; increases with enqueue order
  std::string topic;    // which deliverer handles it, e.g. "alert-webhook"
  std::string payload;  // opaque to the store
  TimePoint created{};
  TimePoint next_attempt{};
  std::int32_t attempts = 0;
  std::string last_error;
  std::optional<TimePoint> delivered;
};

// The last generated credential report of an account (GenerateCredentialReport).
struct CredentialReportRow {
  std::string account_id;
  TimePoint generated{};
  std::string content;  // the CSV, as GetCredentialReport returns it (before base64)
};

// ---------------------------------------------------------------------------------------------
// Repositories. Const methods read; non-const methods write and are reachable only through
// a WriteTransaction. Unless stated, a write that affects no row fails with kNotFound.

class AccountRepo {
 public:
  virtual ~AccountRepo() = default;
  // kConflict: the id, the email (case-insensitively) or the alias is taken.
  virtual Result<void> Create(const AccountRow& row) = 0;
  virtual Result<AccountRow> Get(std::string_view account_id) const = 0;
  virtual Result<AccountRow> GetByEmail(std::string_view email) const = 0;  // case-insensitive
  virtual Result<AccountRow> GetByAlias(std::string_view alias) const = 0;
  // Ordered by id; `query.path_prefix` is ignored.
  virtual Result<Page<AccountRow>> List(const ListQuery& query) const = 0;
  // Replaces every field of the row with id `row.id`. kConflict as Create.
  virtual Result<void> Update(const AccountRow& row) = 0;
  virtual Result<std::int64_t> Count() const = 0;
};

class RootUserRepo {
 public:
  virtual ~RootUserRepo() = default;
  // The account must exist (kNotFound otherwise); kConflict if it already has a root user.
  virtual Result<void> Create(const RootUserRow& row) = 0;
  virtual Result<RootUserRow> Get(std::string_view account_id) const = 0;
  virtual Result<RootUserRow> GetByEmail(std::string_view email) const = 0;  // case-insensitive
  // Replaces password_hash and password_last_changed/used.
  virtual Result<void> Update(const RootUserRow& row) = 0;
  // Records a sign-in; does not bump PolicyVersion.
  virtual Result<void> RecordPasswordUse(std::string_view account_id, TimePoint when) = 0;
};

class UserRepo {
 public:
  virtual ~UserRepo() = default;
  // kConflict: the id, or the name case-insensitively within the account, is taken.
  virtual Result<void> Create(const UserRow& row) = 0;
  virtual Result<UserRow> Get(std::string_view account_id, std::string_view name) const = 0;
  virtual Result<UserRow> GetById(std::string_view id) const = 0;
  // Ordered by name (case-insensitively), filtered by path prefix.
  virtual Result<Page<UserRow>> List(std::string_view account_id, const ListQuery& query) const = 0;
  // Replaces name, path, arn, password_last_used and permissions_boundary of user `row.id`
  // (renames included). kConflict if the new name is taken.
  virtual Result<void> Update(const UserRow& row) = 0;
  // Records a console sign-in; does not bump PolicyVersion.
  virtual Result<void> RecordPasswordUse(std::string_view id, TimePoint when) = 0;
  // Deletes the user and its tags. kConflict while the user has access keys, a login
  // profile, MFA devices, group memberships, inline or attached policies.
  virtual Result<void> Delete(std::string_view id) = 0;
  virtual Result<std::int64_t> Count(std::string_view account_id) const = 0;
};

class GroupRepo {
 public:
  virtual ~GroupRepo() = default;
  virtual Result<void> Create(const GroupRow& row) = 0;  // kConflict as UserRepo::Create
  virtual Result<GroupRow> Get(std::string_view account_id, std::string_view name) const = 0;
  virtual Result<GroupRow> GetById(std::string_view id) const = 0;
  virtual Result<Page<GroupRow>> List(std::string_view account_id,
                                      const ListQuery& query) const = 0;  // by name
  virtual Result<void> Update(const GroupRow& row) = 0;                   // name, path, arn
  // kConflict while the group has members, inline or attached policies.
  virtual Result<void> Delete(std::string_view id) = 0;
  virtual Result<std::int64_t> Count(std::string_view account_id) const = 0;

  // kNotFound if either does not exist; kConflict if already a member.
  virtual Result<void> AddMember(std::string_view group_id, std::string_view user_id) = 0;
  // kNotFound if not a member.
  virtual Result<void> RemoveMember(std::string_view group_id, std::string_view user_id) = 0;
  // Members ordered by user name; path_prefix ignored.
  virtual Result<Page<UserRow>> ListMembers(std::string_view group_id,
                                            const ListQuery& query) const = 0;
  // Groups of a user ordered by group name; path_prefix ignored.
  virtual Result<Page<GroupRow>> ListForUser(std::string_view user_id,
                                             const ListQuery& query) const = 0;
  virtual Result<std::int64_t> CountForUser(std::string_view user_id) const = 0;
  virtual Result<std::int64_t> CountMembers(std::string_view group_id) const = 0;
};

class RoleRepo {
 public:
  virtual ~RoleRepo() = default;
  virtual Result<void> Create(const RoleRow& row) = 0;  // kConflict as UserRepo::Create
  virtual Result<RoleRow> Get(std::string_view account_id, std::string_view name) const = 0;
  virtual Result<RoleRow> GetById(std::string_view id) const = 0;
  virtual Result<Page<RoleRow>> List(std::string_view account_id,
                                     const ListQuery& query) const = 0;  // by name
  // Replaces path, arn, assume_role_policy, description, max_session_duration,
  // permissions_boundary (roles cannot be renamed; a changed name fails kInvalidArgument).
  virtual Result<void> Update(const RoleRow& row) = 0;
  // Records use of the role (AssumeRole); does not bump PolicyVersion.
  virtual Result<void> RecordUse(std::string_view id, TimePoint when, std::string_view region) = 0;
  // kConflict while the role has inline or attached policies or is in an instance profile.
  virtual Result<void> Delete(std::string_view id) = 0;
  virtual Result<std::int64_t> Count(std::string_view account_id) const = 0;
};

struct PolicyListQuery : ListQuery {
  bool only_attached = false;  // only policies attached to at least one entity
};

class ManagedPolicyRepo {
 public:
  virtual ~ManagedPolicyRepo() = default;
  // Creates the policy with version v1 = `document` as its default. kConflict if the id, the
  // ARN, or the name (case-insensitively within the account) is taken.
  virtual Result<void> Create(const ManagedPolicyRow& row, std::string_view document) = 0;
  virtual Result<ManagedPolicyRow> Get(std::string_view account_id,
                                       std::string_view name) const = 0;
  virtual Result<ManagedPolicyRow> GetById(std::string_view id) const = 0;
  // Exact ARN of a customer managed policy (ARNs of AWS managed policies are never rows).
  virtual Result<ManagedPolicyRow> GetByArn(std::string_view arn) const = 0;
  virtual Result<Page<ManagedPolicyRow>> List(std::string_view account_id,
                                              const PolicyListQuery& query) const = 0;  // by name
  // Replaces description and updated of policy `row.id`.
  virtual Result<void> Update(const ManagedPolicyRow& row) = 0;
  // Deletes the policy and all its versions and tags. kConflict while attached anywhere.
  virtual Result<void> Delete(std::string_view id) = 0;
  virtual Result<std::int64_t> Count(std::string_view account_id) const = 0;

  // Adds version v<N+1> (N = the highest number ever used) and returns it; `set_default`
  // makes it the default. Sets the policy's updated time to `when`.
  virtual Result<PolicyVersionRow> CreateVersion(std::string_view policy_id,
                                                 std::string_view document, bool set_default,
                                                 TimePoint when) = 0;
  virtual Result<PolicyVersionRow> GetVersion(std::string_view policy_id,
                                              std::string_view version_id) const = 0;
  virtual Result<PolicyVersionRow> GetDefaultVersion(std::string_view policy_id) const = 0;
  // All versions, newest first.
  virtual Result<std::vector<PolicyVersionRow>> ListVersions(std::string_view policy_id) const = 0;
  virtual Result<void> SetDefaultVersion(std::string_view policy_id, std::string_view version_id,
                                         TimePoint when) = 0;
  // kConflict for the default version.
  virtual Result<void> DeleteVersion(std::string_view policy_id, std::string_view version_id) = 0;
  virtual Result<std::int64_t> CountVersions(std::string_view policy_id) const = 0;
  // Versions of every customer managed policy in the account (GetAccountSummary).
  virtual Result<std::int64_t> CountAllVersions(std::string_view account_id) const = 0;
};

class AttachmentRepo {
 public:
  virtual ~AttachmentRepo() = default;
  // `policy_arn` is any managed policy ARN (customer or AWS managed); `account_id` is the
  // entity's account. kNotFound if the entity does not exist; kConflict if already attached.
  virtual Result<void> Attach(std::string_view account_id, const EntityRef& entity,
                              std::string_view policy_arn) = 0;
  virtual Result<void> Detach(const EntityRef& entity, std::string_view policy_arn) = 0;
  // Ordered by policy name; path_prefix filters the policy's path.
  virtual Result<Page<AttachedPolicy>> ListForEntity(const EntityRef& entity,
                                                     const ListQuery& query) const = 0;
  // Entities of `account_id` `policy_arn` is attached to, ordered by type (Group, Role,
  // User) then name; `types` empty = all; path_prefix filters the entity's path.
  virtual Result<Page<PolicyEntity>> ListForPolicy(std::string_view account_id,
                                                   std::string_view policy_arn,
                                                   const std::vector<EntityType>& types,
                                                   const ListQuery& query) const = 0;
  virtual Result<bool> IsAttached(const EntityRef& entity, std::string_view policy_arn) const = 0;
  virtual Result<std::int64_t> CountForEntity(const EntityRef& entity) const = 0;
  // AttachmentCount of a policy within one account.
  virtual Result<std::int64_t> CountForPolicy(std::string_view account_id,
                                              std::string_view policy_arn) const = 0;
  // Every policy ARN attached to anything in `account_id`, with its attachment count,
  // ordered by ARN (ListPolicies OnlyAttached and AttachmentCount for AWS managed policies).
  virtual Result<std::vector<std::pair<std::string, std::int64_t>>> CountsByPolicy(
      std::string_view account_id) const = 0;
  // Users and roles in `account_id` whose permissions boundary is `policy_arn`.
  virtual Result<std::int64_t> CountBoundaryUses(std::string_view account_id,
                                                 std::string_view policy_arn) const = 0;
};

class InlinePolicyRepo {
 public:
  virtual ~InlinePolicyRepo() = default;
  // Adds or replaces (PutUserPolicy semantics). kNotFound if the entity does not exist.
  virtual Result<void> Put(const InlinePolicyRow& row) = 0;
  virtual Result<InlinePolicyRow> Get(const EntityRef& entity, std::string_view name) const = 0;
  // Policy names ordered by name; path_prefix ignored.
  virtual Result<Page<std::string>> ListNames(const EntityRef& entity,
                                              const ListQuery& query) const = 0;
  // Every inline policy of the entity, ordered by name (for authorization and size quotas).
  virtual Result<std::vector<InlinePolicyRow>> ListAll(const EntityRef& entity) const = 0;
  virtual Result<void> Delete(const EntityRef& entity, std::string_view name) = 0;
  virtual Result<std::int64_t> Count(const EntityRef& entity) const = 0;
};

class AccessKeyRepo {
 public:
  virtual ~AccessKeyRepo() = default;
  // Seals `row.secret_access_key`. kNotFound if the owner (account, or user when user_id is
  // set) does not exist; kConflict if the id is taken.
  virtual Result<void> Create(const AccessKeyRow& row) = 0;
  // With the secret opened; "SealedDataInvalid" if the sealed value was moved or altered.
  virtual Result<AccessKeyRow> Get(std::string_view id) const = 0;
  // The keys of an IAM user (user_id) or of the root user (user_id ""), oldest first,
  // without secrets.
  virtual Result<std::vector<AccessKeyRow>> ListForOwner(std::string_view account_id,
                                                         std::string_view user_id) const = 0;
  virtual Result<void> SetStatus(std::string_view id, AccessKeyStatus status) = 0;
  // Records use of the key; does not bump PolicyVersion.
  virtual Result<void> RecordUse(std::string_view id, TimePoint when, std::string_view service,
                                 std::string_view region) = 0;
  virtual Result<void> Delete(std::string_view id) = 0;
  virtual Result<std::int64_t> CountForOwner(std::string_view account_id,
                                             std::string_view user_id) const = 0;
};

class LoginProfileRepo {
 public:
  virtual ~LoginProfileRepo() = default;
  // kNotFound if the user does not exist; kConflict if it already has a profile.
  virtual Result<void> Create(const LoginProfileRow& row) = 0;
  virtual Result<LoginProfileRow> Get(std::string_view user_id) const = 0;
  // Replaces password_hash, password_reset_required and password_last_changed.
  virtual Result<void> Update(const LoginProfileRow& row) = 0;
  virtual Result<void> Delete(std::string_view user_id) = 0;
};

class MfaDeviceRepo {
 public:
  virtual ~MfaDeviceRepo() = default;
  // Creates an unassigned virtual device; seals `row.seed` bound to the serial. kConflict if
  // the serial is taken.
  virtual Result<void> Create(const MfaDeviceRow& row) = 0;
  // With the seed opened; "SealedDataInvalid" if the sealed value was moved or altered.
  virtual Result<MfaDeviceRow> Get(std::string_view serial) const = 0;
  // Devices enabled for a user (user_id) or for the root user (user_id ""), by enable date,
  // without seeds.
  virtual Result<std::vector<MfaDeviceRow>> ListForOwner(std::string_view account_id,
                                                         std::string_view user_id) const = 0;
  // Virtual devices of the account ordered by serial, without seeds; path_prefix ignored.
  virtual Result<Page<MfaDeviceRow>> ListVirtual(std::string_view account_id, MfaListFilter filter,
                                                 const ListQuery& query) const = 0;
  // Assigns the device to a user (user_id) or the root user (user_id ""), recording
  // `last_accepted_step`. kConflict if already assigned; kNotFound if the user does not exist.
  virtual Result<void> Enable(std::string_view serial, std::string_view user_id, TimePoint when,
                              std::int64_t last_accepted_step) = 0;
  // Unassigns the device (it stays, as in AWS). kConflict if not assigned.
  virtual Result<void> Deactivate(std::string_view serial) = 0;
  // Atomically raises last_accepted_step to `step`; kConflict if `step` is not greater than
  // the recorded one (a replayed or stale code). Does not bump PolicyVersion.
  virtual Result<void> AcceptStep(std::string_view serial, std::int64_t step) = 0;
  // Deletes the device and its tags. kConflict while it is assigned.
  virtual Result<void> Delete(std::string_view serial) = 0;
  virtual Result<std::int64_t> Count(std::string_view account_id) const = 0;
  virtual Result<std::int64_t> CountAssigned(std::string_view account_id) const = 0;
  virtual Result<std::int64_t> CountForOwner(std::string_view account_id,
                                             std::string_view user_id) const = 0;
};

class PasswordPolicyRepo {
 public:
  virtual ~PasswordPolicyRepo() = default;
  virtual Result<PasswordPolicyRow> Get(std::string_view account_id) const = 0;
  virtual Result<void> Put(const PasswordPolicyRow& row) = 0;  // creates or replaces
  virtual Result<void> Delete(std::string_view account_id) = 0;
};

class InstanceProfileRepo {
 public:
  virtual ~InstanceProfileRepo() = default;
  virtual Result<void> Create(const InstanceProfileRow& row) = 0;  // kConflict as users
  virtual Result<InstanceProfileRow> Get(std::string_view account_id,
                                         std::string_view name) const = 0;
  virtual Result<InstanceProfileRow> GetById(std::string_view id) const = 0;
  virtual Result<Page<InstanceProfileRow>> List(std::string_view account_id,
                                                const ListQuery& query) const = 0;  // by name
  // Deletes the profile and its tags. kConflict while it holds a role.
  virtual Result<void> Delete(std::string_view id) = 0;
  virtual Result<std::int64_t> Count(std::string_view account_id) const = 0;
  // kNotFound if either does not exist; kConflict if the role is already in the profile.
  virtual Result<void> AddRole(std::string_view profile_id, std::string_view role_id) = 0;
  virtual Result<void> RemoveRole(std::string_view profile_id, std::string_view role_id) = 0;
  // Roles of a profile ordered by name.
  virtual Result<std::vector<RoleRow>> ListRoles(std::string_view profile_id) const = 0;
  // Profiles holding a role ordered by name; path_prefix ignored.
  virtual Result<Page<InstanceProfileRow>> ListForRole(std::string_view role_id,
                                                       const ListQuery& query) const = 0;
};

class TagRepo {
 public:
  virtual ~TagRepo() = default;
  // Adds or replaces tags by key (case-insensitively; the new spelling is kept). The entity
  // is not checked: callers tag what they have just read.
  virtual Result<void> Put(std::string_view account_id, const TagRef& ref,
                           const std::vector<Tag>& tags) = 0;
  // Removes tags by key (case-insensitively); absent keys are ignored.
  virtual Result<void> Remove(const TagRef& ref, const std::vector<std::string>& keys) = 0;
  // Ordered by key (case-insensitively).
  virtual Result<std::vector<Tag>> List(const TagRef& ref) const = 0;
  virtual Result<std::int64_t> Count(const TagRef& ref) const = 0;
};

class AuditEventRepo {
 public:
  virtual ~AuditEventRepo() = default;
  // Records an event in the caller's transaction (a rolled-back change leaves no event) and
  // returns its sequence number. Event ids are not checked for uniqueness (they are random
  // UUIDs). Does not bump PolicyVersion.
  virtual Result<std::int64_t> Append(const AuditEventRow& row) = 0;
  // Replaces the record, filter attributes and resources of the event numbered
  // `row.sequence` whose id is `row.event_id` (the audit module completes an event appended
  // in a handler's transaction with its response). kNotFound if no such event was committed.
  virtual Result<void> Replace(const AuditEventRow& row) = 0;
  // Events of one account matching the query, newest first (by event time, then sequence).
  // Each event appears once even if several of its resources match.
  virtual Result<Page<AuditEventRow>> Lookup(const AuditEventQuery& query) const = 0;
  // Events of every account with sequence > `after`, oldest first, at most `limit` (for
  // log-file delivery, which remembers the last sequence it shipped).
  virtual Result<std::vector<AuditEventRow>> ListAfter(std::int64_t after, int limit) const = 0;
  // Deletes, among the `limit` oldest events (by sequence), those older than `cutoff`
  // (retention pruning in small batches); returns how many went. Events are appended in
  // time order, so this removes the oldest first.
  virtual Result<std::int64_t> DeleteBefore(TimePoint cutoff, int limit) = 0;
  // Brings the lookup index up to date for at most `limit` events not yet in it, oldest
  // first; returns how many were indexed. Append keeps to the event rows so that a handler's
  // transaction stays small; the audit module's thread indexes in batches. Lookup answers
  // exactly either way (events not yet indexed are scanned).
  virtual Result<std::int64_t> IndexPending(int limit) = 0;
};

// None of these writes bumps PolicyVersion.
class OutboxRepo {
 public:
  virtual ~OutboxRepo() = default;
  // Queues `message` (id, attempts, last_error and delivered are ignored); returns its id.
  virtual Result<std::int64_t> Enqueue(const OutboxMessage& message) = 0;
  // Undelivered messages of `topic` whose next attempt is due at `now`, oldest first.
  virtual Result<std::vector<OutboxMessage>> Due(std::string_view topic, TimePoint now,
                                                 int limit) const = 0;
  virtual Result<void> MarkDelivered(std::int64_t id, TimePoint when) = 0;
  // Counts a failed attempt and schedules the next one.
  virtual Result<void> Reschedule(std::int64_t id, TimePoint next_attempt,
                                  std::string_view error) = 0;
  // Messages of `topic`, newest first (delivered or not); path_prefix ignored.
  virtual Result<Page<OutboxMessage>> List(std::string_view topic,
                                           const ListQuery& query) const = 0;
  // Deletes at most `limit` messages delivered before `cutoff`; returns how many went.
  virtual Result<std::int64_t> DeleteDeliveredBefore(TimePoint cutoff, int limit) = 0;
};

class CredentialReportRepo {
 public:
  virtual ~CredentialReportRepo() = default;
  // kNotFound before the first Put for the account.
  virtual Result<CredentialReportRow> Get(std::string_view account_id) const = 0;
  // Creates or replaces the account's report. kNotFound if the account does not exist.
  virtual Result<void> Put(const CredentialReportRow& row) = 0;
};

// ---------------------------------------------------------------------------------------------
// Transactions

// A consistent snapshot: every read sees the database as of the transaction's first read.
class ReadTransaction {
 public:
  virtual ~ReadTransaction() = default;
  virtual const AccountRepo& Accounts() const = 0;
  virtual const RootUserRepo& RootUsers() const = 0;
  virtual const UserRepo& Users() const = 0;
  virtual const GroupRepo& Groups() const = 0;
  virtual const RoleRepo& Roles() const = 0;
  virtual const ManagedPolicyRepo& Policies() const = 0;
  virtual const AttachmentRepo& Attachments() const = 0;
  virtual const InlinePolicyRepo& InlinePolicies() const = 0;
  virtual const AccessKeyRepo& AccessKeys() const = 0;
  virtual const LoginProfileRepo& LoginProfiles() const = 0;
  virtual const MfaDeviceRepo& MfaDevices() const = 0;
  virtual const PasswordPolicyRepo& PasswordPolicies() const = 0;
  virtual const InstanceProfileRepo& InstanceProfiles() const = 0;
  virtual const TagRepo& Tags() const = 0;
  virtual const AuditEventRepo& AuditEvents() const = 0;
  virtual const OutboxRepo& Outbox() const = 0;
  virtual const CredentialReportRepo& CredentialReports() const = 0;
};

// Reads see the transaction's own writes. The non-const accessors hide the const ones on a
// WriteTransaction; through a `const ReadTransaction&` only reads are reachable.
class WriteTransaction : public ReadTransaction {
 public:
  using ReadTransaction::AccessKeys;
  using ReadTransaction::Accounts;
  using ReadTransaction::Attachments;
  using ReadTransaction::AuditEvents;
  using ReadTransaction::CredentialReports;
  using ReadTransaction::Groups;
  using ReadTransaction::InlinePolicies;
  using ReadTransaction::InstanceProfiles;
  using ReadTransaction::LoginProfiles;
  using ReadTransaction::MfaDevices;
  using ReadTransaction::Outbox;
  using ReadTransaction::PasswordPolicies;
  using ReadTransaction::Policies;
  using ReadTransaction::Roles;
  using ReadTransaction::RootUsers;
  using ReadTransaction::Tags;
  using ReadTransaction::Users;
  virtual AccountRepo& Accounts() = 0;
  virtual RootUserRepo& RootUsers() = 0;
  virtual UserRepo& Users() = 0;
  virtual GroupRepo& Groups() = 0;
  virtual RoleRepo& Roles() = 0;
  virtual ManagedPolicyRepo& Policies() = 0;
  virtual AttachmentRepo& Attachments() = 0;
  virtual InlinePolicyRepo& InlinePolicies() = 0;
  virtual AccessKeyRepo& AccessKeys() = 0;
  virtual LoginProfileRepo& LoginProfiles() = 0;
  virtual MfaDeviceRepo& MfaDevices() = 0;
  virtual PasswordPolicyRepo& PasswordPolicies() = 0;
  virtual InstanceProfileRepo& InstanceProfiles() = 0;
  virtual TagRepo& Tags() = 0;
  virtual AuditEventRepo& AuditEvents() = 0;
  virtual OutboxRepo& Outbox() = 0;
  virtual CredentialReportRepo& CredentialReports() = 0;
};

using WriteWork = std::function<Result<void>(WriteTransaction&)>;
using ReadWork = std::function<Result<void>(const ReadTransaction&)>;

// Counters for /metrics and tests.
struct StoreStats {
  std::uint64_t writes_committed = 0;  // Write calls acknowledged with success
  std::uint64_t writes_failed = 0;     // Write calls that returned an error
  std::uint64_t commits = 0;           // durable commits (a batch of writes commits once)
  std::uint64_t reads = 0;
};

// The seam between rampart and its database. Thread-safe; one instance per process and
// database, shared by every request thread. Several processes may open the same database
// (e.g. `rampart dev-init` while a server runs): writes serialise, and each process's
// PolicyVersion() learns of the other's commits within the poll interval.
class Store {
 public:
  virtual ~Store() = default;

  // Runs `work` in one read-write transaction and commits iff `work` succeeds. On success
  // the change is durable (fsynced) before Write returns. A failed `work` (or a failed
  // commit) leaves no trace, and Write returns its error. Concurrent calls may be committed
  // together (group commit) but each succeeds or fails alone. `work` runs on the store's
  // writer thread, must not call Write or Read itself (kInvalidArgument), and must not
  // keep `tx` or any repository reference past its return. Every write of the process waits
  // while `work` runs: do slow work (password hashing, policy parsing) before calling Write.
  // An exception escaping `work` is caught and returned as "InternalFailure".
  virtual Result<void> Write(const WriteWork& work) = 0;

  // Runs `work` in one read-only snapshot transaction. `work` must not call Write or Read.
  virtual Result<void> Read(const ReadWork& work) = 0;

  // Monotonic; bumped by every committed write, in this process or another, that changes
  // principals, credentials or policies (usage records such as RecordUse do not). Caches of
  // compiled policies and credentials compare it to know their snapshot is stale. A write in
  // this process is visible here before its Write returns; one by another process within
  // the poll interval.
  virtual std::uint64_t PolicyVersion() const = 0;

  virtual StoreStats Stats() const = 0;
};

// ---------------------------------------------------------------------------------------------
// SQLite

struct SqliteOptions {
  int reader_connections = 4;                           // pool of read-only connections
  std::chrono::milliseconds busy_timeout{10000};        // waiting on another process's lock
  int max_batch = 512;                                  // writes per group commit at most
  std::chrono::milliseconds version_poll_interval{20};  // cross-process PolicyVersion check
  int writer_cache_kib = 65536;                         // SQLite page cache of the writer
  int reader_cache_kib = 16384;                         // ... of each reader connection
  // Test hook: runs on the writer thread after every write of a batch, before COMMIT; an
  // error fails (and rolls back) the whole batch, as a crash or I/O error at commit would.
  std::function<Result<void>()> before_commit_for_test;
};

// Opens (creating if missing, with parent directories; a new file gets mode 0600) the
// SQLite database at `db_file`, applies pending schema migrations, and starts the writer and
// poller threads. `master_key` is the 32-byte key secrets are sealed under
// (auth/master_key.h loads it). Fails with kUnavailable if the file cannot be opened or
// migrated, "SchemaTooNew" if the database was written by a newer rampart, and
// kInvalidArgument for a master key of the wrong size.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::filesystem::path& db_file,
                                               std::string master_key,
                                               const SqliteOptions& options = {});

// The schema version this binary migrates databases to.
std::int64_t SqliteSchemaVersion();

}  // namespace rampart::store
