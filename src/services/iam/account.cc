// IAM account views: GetAccountSummary, GenerateCredentialReport / GetCredentialReport and
// GetAccountAuthorizationDetails. Everything is read from the store and scoped to the caller's
// account; the only write is the credential report (CredentialReportRepo).
#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "authz/managed_policies.h"
#include "common/arn.h"
#include "services/iam/iam.h"

namespace rampart::services::iam {
namespace {

// A new credential report is generated at most every 4 hours; inside that window
// GenerateCredentialReport answers COMPLETE and GetCredentialReport returns the latest one
// (AWS-BEHAVIOUR.md §2(e), IAM User Guide "Getting credential reports").
constexpr auto kReportFreshness = std::chrono::hours(4);

// Every page of a store listing, in the listing's order.
template <typename T, typename Fetch>
Result<std::vector<T>> FetchAll(Fetch fetch) {
  std::vector<T> all;
  store::ListQuery query;
  query.max_items = 1000;
  while (true) {
    Result<store::Page<T>> page = fetch(query);
    if (!page) return Fail(FromStore(page.error()));
    for (T& item : page->items) all.push_back(std::move(item));
    if (!page->next_marker) return all;
    query.marker = *page->next_marker;
  }
}

template <typename T>
Result<T> Must(Result<T> value) {
  if (!value) return Fail(FromStore(value.error()));
  return value;
}

// ---------------------------------------------------------------------------------------
// GetAccountSummary

Result<json::object> GetAccountSummary(const IamOptions& options, CallContext& call,
                                       const json::object&) {
  const std::string account(Account(call));
  json::object summary;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    auto count = [&](Result<std::int64_t> n, const char* key) -> Result<void> {
      if (!n) return Fail(FromStore(n.error()));
      summary[key] = *n;
      return Ok();
    };
    if (auto r = count(tx.Users().Count(account), "Users"); !r) return r;
    if (auto r = count(tx.Groups().Count(account), "Groups"); !r) return r;
    if (auto r = count(tx.Roles().Count(account), "Roles"); !r) return r;
    if (auto r = count(tx.Policies().Count(account), "Policies"); !r) return r;
    if (auto r = count(tx.InstanceProfiles().Count(account), "InstanceProfiles"); !r) return r;
    if (auto r = count(tx.MfaDevices().Count(account), "MFADevices"); !r) return r;
    if (auto r = count(tx.MfaDevices().CountAssigned(account), "MFADevicesInUse"); !r) return r;
    if (auto r = count(tx.Policies().CountAllVersions(account), "PolicyVersionsInUse"); !r) {
      return r;
    }
    // The root user's own credentials (CIS 1.4 / 1.5 read these keys).
    Result<std::vector<store::MfaDeviceRow>> root_mfa = tx.MfaDevices().ListForOwner(account, "");
    if (!root_mfa) return Fail(FromStore(root_mfa.error()));
    summary["AccountMFAEnabled"] = root_mfa->empty() ? 0 : 1;
    Result<std::vector<store::AccessKeyRow>> root_keys = tx.AccessKeys().ListForOwner(account, "");
    if (!root_keys) return Fail(FromStore(root_keys.error()));
    summary["AccountAccessKeysPresent"] = root_keys->empty() ? 0 : 1;
    Result<store::RootUserRow> root = tx.RootUsers().Get(account);
    if (!root && !store::IsNotFound(root.error())) return Fail(FromStore(root.error()));
    summary["AccountPasswordPresent"] = root && !root->password_hash.empty() ? 1 : 0;
    return Ok();
  });
  if (!read) return Fail(read.error());

  const Quotas& q = options.quotas;
  // rampart keeps no server certificates, signing certificates or identity providers.
  summary["ServerCertificates"] = 0;
  summary["Providers"] = 0;
  summary["AccountSigningCertificatesPresent"] = 0;
  summary["UsersQuota"] = q.users_per_account;
  summary["GroupsQuota"] = q.groups_per_account;
  summary["RolesQuota"] = q.roles_per_account;
  summary["PoliciesQuota"] = q.policies_per_account;
  summary["InstanceProfilesQuota"] = q.instance_profiles_per_account;
  summary["ServerCertificatesQuota"] = q.server_certificates_per_account;
  summary["UserPolicySizeQuota"] = q.user_policy_size;
  summary["GroupPolicySizeQuota"] = q.group_policy_size;
  summary["RolePolicySizeQuota"] = q.role_policy_size;
  summary["PolicySizeQuota"] = q.policy_size;
  summary["AssumeRolePolicySizeQuota"] = q.assume_role_policy_size;
  summary["GroupsPerUserQuota"] = q.groups_per_user;
  summary["SigningCertificatesPerUserQuota"] = q.signing_certificates_per_user;
  summary["AccessKeysPerUserQuota"] = q.access_keys_per_user;
  summary["AttachedPoliciesPerGroupQuota"] = q.attached_policies_per_group;
  summary["AttachedPoliciesPerRoleQuota"] = q.attached_policies_per_role;
  summary["AttachedPoliciesPerUserQuota"] = q.attached_policies_per_user;
  summary["VersionsPerPolicyQuota"] = q.versions_per_policy;
  // AWS's fixed values (recorded GetAccountSummary response).
  summary["PolicyVersionsInUseQuota"] = 10000;
  summary["GlobalEndpointTokenVersion"] = 1;

  // Keys in the model's enum order is not required (a map); sort for stable output.
  std::vector<std::pair<std::string, json::value>> sorted;
  for (auto& [key, value] : summary) sorted.emplace_back(std::string(key), value);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  json::object ordered;
  for (auto& [key, value] : sorted) ordered[key] = value;
  json::object out;
  out["SummaryMap"] = std::move(ordered);
  return out;
}

// ---------------------------------------------------------------------------------------
// Credential report (AWS-BEHAVIOUR.md §2(e))

// Times in the report are ISO 8601 with an explicit UTC offset, as AWS prints them
// ("2026-11-28T16:25:11+00:00").
std::string ReportTime(TimePoint t) {
  std::string text = FormatIso8601(t);
  if (!text.empty() && text.back() == 'Z') {
    text.pop_back();
    text += "+00:00";
  }
  return text;
}

std::string Bool(bool value) { return value ? "TRUE" : "FALSE"; }

// Columns 9-18: two access keys, oldest first.
void AppendKeys(const std::vector<store::AccessKeyRow>& keys, std::vector<std::string>& row) {
  for (std::size_t i = 0; i < 2; ++i) {
    if (i >= keys.size()) {
      row.insert(row.end(), {"FALSE", "N/A", "N/A", "N/A", "N/A"});
      continue;
    }
    const store::AccessKeyRow& key = keys[i];
    row.push_back(Bool(key.status == store::AccessKeyStatus::kActive));
    row.push_back(ReportTime(key.created));
    if (key.last_used) {
      row.push_back(ReportTime(*key.last_used));
      // Non-regional services (S3, IAM) show N/A for the region.
      row.push_back(key.last_used_region.empty() ? "N/A" : key.last_used_region);
      row.push_back(key.last_used_service.empty() ? "N/A" : key.last_used_service);
    } else {
      row.insert(row.end(), {"N/A", "N/A", "N/A"});
    }
  }
  // Columns 19-22: rampart has no X.509 signing certificates.
  row.insert(row.end(), {"FALSE", "N/A", "FALSE", "N/A"});
}

std::string CsvLine(const std::vector<std::string>& fields) {
  std::string line;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line += ',';
    const std::string& field = fields[i];
    // Names and ARNs never need quoting ([\w+=,.@-] allows a comma, so quote when needed).
    if (field.find_first_of(",\"\n") != std::string::npos) {
      line += '"';
      for (char c : field) {
        if (c == '"') line += '"';
        line += c;
      }
      line += '"';
    } else {
      line += field;
    }
  }
  line += '\n';
  return line;
}

Result<std::string> BuildCredentialReport(const store::ReadTransaction& tx,
                                          std::string_view account) {
  std::string csv = CsvLine(
      {"user", "arn", "user_creation_time", "password_enabled", "password_last_used",
       "password_last_changed", "password_next_rotation", "mfa_active", "access_key_1_active",
       "access_key_1_last_rotated", "access_key_1_last_used_date",
       "access_key_1_last_used_region", "access_key_1_last_used_service",
       "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
       "access_key_2_last_used_region", "access_key_2_last_used_service", "cert_1_active",
       "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated"});

  std::optional<std::int32_t> max_password_age;
  if (Result<store::PasswordPolicyRow> policy = tx.PasswordPolicies().Get(account)) {
    max_password_age = policy->max_password_age;
  } else if (!store::IsNotFound(policy.error())) {
    return Fail(FromStore(policy.error()));
  }

  // The root row comes first. Its password fields other than password_last_used are
  // not_supported (archived IAM User Guide, id_credentials_getting-report).
  {
    Result<store::AccountRow> acct = Must(tx.Accounts().Get(account));
    if (!acct) return Fail(acct.error());
    Result<store::RootUserRow> root = tx.RootUsers().Get(account);
    if (!root && !store::IsNotFound(root.error())) return Fail(FromStore(root.error()));
    Result<std::vector<store::MfaDeviceRow>> mfa =
        Must(tx.MfaDevices().ListForOwner(account, ""));
    if (!mfa) return Fail(mfa.error());
    Result<std::vector<store::AccessKeyRow>> keys =
        Must(tx.AccessKeys().ListForOwner(account, ""));
    if (!keys) return Fail(keys.error());
    std::vector<std::string> row = {"<root_account>", RootArn(account),
                                    ReportTime(root ? root->created : acct->created),
                                    "not_supported"};
    row.push_back(root && root->password_last_used ? ReportTime(*root->password_last_used)
                                                   : "no_information");
    row.insert(row.end(), {"not_supported", "not_supported", Bool(!mfa->empty())});
    AppendKeys(*keys, row);
    csv += CsvLine(row);
  }

  Result<std::vector<store::UserRow>> users = FetchAll<store::UserRow>(
      [&](const store::ListQuery& q) { return tx.Users().List(account, q); });
  if (!users) return Fail(users.error());
  for (const store::UserRow& user : *users) {
    std::vector<std::string> row = {user.name, user.arn, ReportTime(user.created)};
    Result<store::LoginProfileRow> profile = tx.LoginProfiles().Get(user.id);
    if (!profile && !store::IsNotFound(profile.error())) return Fail(FromStore(profile.error()));
    const bool has_password = profile.has_value();
    row.push_back(Bool(has_password));
    if (user.password_last_used) {
      row.push_back(ReportTime(*user.password_last_used));
    } else {
      row.push_back(has_password ? "no_information" : "N/A");
    }
    if (has_password) {
      TimePoint changed = profile->password_last_changed.value_or(profile->created);
      row.push_back(ReportTime(changed));
      if (max_password_age && *max_password_age > 0) {
        row.push_back(ReportTime(changed + std::chrono::hours(24) * *max_password_age));
      } else {
        row.push_back("N/A");
      }
    } else {
      row.insert(row.end(), {"N/A", "N/A"});
    }
    Result<std::vector<store::MfaDeviceRow>> mfa =
        Must(tx.MfaDevices().ListForOwner(account, user.id));
    if (!mfa) return Fail(mfa.error());
    row.push_back(Bool(!mfa->empty()));
    Result<std::vector<store::AccessKeyRow>> keys =
        Must(tx.AccessKeys().ListForOwner(account, user.id));
    if (!keys) return Fail(keys.error());
    AppendKeys(*keys, row);
    csv += CsvLine(row);
  }
  return csv;
}

Result<json::object> GenerateCredentialReport(CallContext& call, const json::object&) {
  const std::string account(Account(call));
  json::object out;
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::CredentialReportRow> latest = tx.CredentialReports().Get(account);
    if (latest && call.now - latest->generated < kReportFreshness) {
      out["State"] = "COMPLETE";
      return Ok();
    }
    if (!latest && !store::IsNotFound(latest.error())) return Fail(FromStore(latest.error()));
    // Generation runs synchronously inside this call, so the report is complete when the
    // answer leaves; the first answer still says STARTED, as AWS's does.
    Result<std::string> csv = BuildCredentialReport(tx, account);
    if (!csv) return Fail(csv.error());
    store::CredentialReportRow row;
    row.account_id = account;
    row.generated = call.now;
    row.content = std::move(*csv);
    if (Result<void> put = tx.CredentialReports().Put(row); !put) return Fail(FromStore(put.error()));
    out["State"] = "STARTED";
    // Recorded GenerateCredentialReport response (AWS, 2026-02-17).
    out["Description"] = "No report exists. Starting a new report generation task";
    return Ok();
  });
  if (!written) return Fail(written.error());
  return out;
}

Result<json::object> GetCredentialReport(CallContext& call, const json::object&) {
  const std::string account(Account(call));
  std::optional<store::CredentialReportRow> report;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<store::CredentialReportRow> row = tx.CredentialReports().Get(account);
    if (!row) {
      if (store::IsNotFound(row.error())) return Ok();
      return Fail(FromStore(row.error()));
    }
    report = std::move(*row);
    return Ok();
  });
  if (!read) return Fail(read.error());
  if (!report) {
    // AWS sends no Message for this error (recorded ReportNotPresent, HTTP 410).
    return Fail(Error("ReportNotPresent", "", 410));
  }
  if (call.now - report->generated >= kReportFreshness) {
    return Fail(Error("ReportExpired",
                      "The request was rejected because the most recent credential report has "
                      "expired. To generate a new credential report, use "
                      "GenerateCredentialReport. For more information about credential report "
                      "expiration, see Getting Credential Reports in the IAM User Guide.",
                      410));
  }
  json::object out;
  out["Content"] = report->content;  // raw bytes; the query encoder base64-encodes blobs
  out["ReportFormat"] = "text/csv";
  out["GeneratedTime"] = Time(report->generated);
  return out;
}

// ---------------------------------------------------------------------------------------
// GetAccountAuthorizationDetails

enum class ItemKind { kUser, kGroup, kRole, kLocalPolicy, kAwsPolicy };

struct Item {
  ItemKind kind;
  std::size_t index;  // into the matching vector of Listing
};

struct Listing {
  std::vector<store::UserRow> users;
  std::vector<store::GroupRow> groups;
  std::vector<store::RoleRow> roles;
  std::vector<store::ManagedPolicyRow> local_policies;
  std::vector<const authz::AwsManagedPolicy*> aws_policies;  // attached or used as boundary
  std::vector<Item> items;                                   // the whole answer, in order
};

json::array AttachedList(const std::vector<store::AttachedPolicy>& attached) {
  json::array out;
  for (const store::AttachedPolicy& policy : attached) {
    out.push_back(json::object{{"PolicyName", policy.policy_name}, {"PolicyArn", policy.policy_arn}});
  }
  return out;
}

json::array InlineList(const std::vector<store::InlinePolicyRow>& policies) {
  json::array out;
  for (const store::InlinePolicyRow& policy : policies) {
    out.push_back(json::object{{"PolicyName", policy.name},
                               {"PolicyDocument", UrlEncodeDocument(policy.document)}});
  }
  return out;
}

json::object Boundary(const std::string& arn) {
  return json::object{{"PermissionsBoundaryType", "PermissionsBoundaryPolicy"},
                      {"PermissionsBoundaryArn", arn}};
}

Result<std::vector<store::AttachedPolicy>> AttachedOf(const store::ReadTransaction& tx,
                                                     const store::EntityRef& entity) {
  return FetchAll<store::AttachedPolicy>(
      [&](const store::ListQuery& q) { return tx.Attachments().ListForEntity(entity, q); });
}

Result<json::object> UserDetail(const store::ReadTransaction& tx, const store::UserRow& user) {
  const store::EntityRef ref = store::EntityRef::User(user.id);
  json::object out{{"Path", user.path},   {"UserName", user.name},
                   {"UserId", user.id},   {"Arn", user.arn},
                   {"CreateDate", Time(user.created)}};
  Result<std::vector<store::InlinePolicyRow>> inline_policies = Must(tx.InlinePolicies().ListAll(ref));
  if (!inline_policies) return Fail(inline_policies.error());
  out["UserPolicyList"] = InlineList(*inline_policies);
  Result<std::vector<store::GroupRow>> groups = FetchAll<store::GroupRow>(
      [&](const store::ListQuery& q) { return tx.Groups().ListForUser(user.id, q); });
  if (!groups) return Fail(groups.error());
  json::array group_names;
  for (const store::GroupRow& group : *groups) group_names.push_back(json::string(group.name));
  out["GroupList"] = std::move(group_names);
  Result<std::vector<store::AttachedPolicy>> attached = AttachedOf(tx, ref);
  if (!attached) return Fail(attached.error());
  out["AttachedManagedPolicies"] = AttachedList(*attached);
  if (!user.permissions_boundary.empty()) out["PermissionsBoundary"] = Boundary(user.permissions_boundary);
  Result<std::vector<store::Tag>> tags =
      Must(tx.Tags().List(store::TagRef{store::TaggableType::kUser, user.id}));
  if (!tags) return Fail(tags.error());
  if (!tags->empty()) out["Tags"] = TagsToOutput(*tags);
  return out;
}

Result<json::object> GroupDetail(const store::ReadTransaction& tx, const store::GroupRow& group) {
  const store::EntityRef ref = store::EntityRef::Group(group.id);
  json::object out{{"Path", group.path},   {"GroupName", group.name},
                   {"GroupId", group.id},  {"Arn", group.arn},
                   {"CreateDate", Time(group.created)}};
  Result<std::vector<store::InlinePolicyRow>> inline_policies = Must(tx.InlinePolicies().ListAll(ref));
  if (!inline_policies) return Fail(inline_policies.error());
  out["GroupPolicyList"] = InlineList(*inline_policies);
  Result<std::vector<store::AttachedPolicy>> attached = AttachedOf(tx, ref);
  if (!attached) return Fail(attached.error());
  out["AttachedManagedPolicies"] = AttachedList(*attached);
  return out;
}

// The Role shape nested in instance profiles (the members AWS returns there).
json::object NestedRole(const store::RoleRow& role) {
  return json::object{{"Path", role.path},
                      {"RoleName", role.name},
                      {"RoleId", role.id},
                      {"Arn", role.arn},
                      {"CreateDate", Time(role.created)},
                      {"AssumeRolePolicyDocument", UrlEncodeDocument(role.assume_role_policy)}};
}

Result<json::object> RoleDetail(const store::ReadTransaction& tx, const store::RoleRow& role) {
  const store::EntityRef ref = store::EntityRef::Role(role.id);
  json::object out{{"Path", role.path},
                   {"RoleName", role.name},
                   {"RoleId", role.id},
                   {"Arn", role.arn},
                   {"CreateDate", Time(role.created)},
                   {"AssumeRolePolicyDocument", UrlEncodeDocument(role.assume_role_policy)}};
  Result<std::vector<store::InstanceProfileRow>> profiles =
      FetchAll<store::InstanceProfileRow>([&](const store::ListQuery& q) {
        return tx.InstanceProfiles().ListForRole(role.id, q);
      });
  if (!profiles) return Fail(profiles.error());
  json::array profile_list;
  for (const store::InstanceProfileRow& profile : *profiles) {
    json::object entry{{"Path", profile.path},
                       {"InstanceProfileName", profile.name},
                       {"InstanceProfileId", profile.id},
                       {"Arn", profile.arn},
                       {"CreateDate", Time(profile.created)}};
    Result<std::vector<store::RoleRow>> roles = Must(tx.InstanceProfiles().ListRoles(profile.id));
    if (!roles) return Fail(roles.error());
    json::array role_list;
    for (const store::RoleRow& member : *roles) role_list.push_back(NestedRole(member));
    entry["Roles"] = std::move(role_list);
    Result<std::vector<store::Tag>> tags =
        Must(tx.Tags().List(store::TagRef{store::TaggableType::kInstanceProfile, profile.id}));
    if (!tags) return Fail(tags.error());
    if (!tags->empty()) entry["Tags"] = TagsToOutput(*tags);
    profile_list.push_back(std::move(entry));
  }
  out["InstanceProfileList"] = std::move(profile_list);
  Result<std::vector<store::InlinePolicyRow>> inline_policies = Must(tx.InlinePolicies().ListAll(ref));
  if (!inline_policies) return Fail(inline_policies.error());
  out["RolePolicyList"] = InlineList(*inline_policies);
  Result<std::vector<store::AttachedPolicy>> attached = AttachedOf(tx, ref);
  if (!attached) return Fail(attached.error());
  out["AttachedManagedPolicies"] = AttachedList(*attached);
  if (!role.permissions_boundary.empty()) out["PermissionsBoundary"] = Boundary(role.permissions_boundary);
  Result<std::vector<store::Tag>> tags =
      Must(tx.Tags().List(store::TagRef{store::TaggableType::kRole, role.id}));
  if (!tags) return Fail(tags.error());
  if (!tags->empty()) out["Tags"] = TagsToOutput(*tags);
  // Always present, empty when never used (recorded GetAccountAuthorizationDetails).
  json::object last_used;
  if (role.last_used) {
    last_used["LastUsedDate"] = Time(*role.last_used);
    if (!role.last_used_region.empty()) last_used["Region"] = role.last_used_region;
  }
  out["RoleLastUsed"] = std::move(last_used);
  return out;
}

// The members every policy of GetAccountAuthorizationDetails has, with its use counts in
// `account`. `P` is a customer managed policy row or an AWS managed policy.
template <typename P>
Result<json::object> PolicyDetailHead(const store::ReadTransaction& tx, std::string_view account,
                                      const P& policy) {
  json::object out{{"PolicyName", policy.name}, {"PolicyId", policy.id},
                   {"Arn", policy.arn},         {"Path", policy.path},
                   {"DefaultVersionId", policy.default_version_id}};
  Result<std::int64_t> attachments = Must(tx.Attachments().CountForPolicy(account, policy.arn));
  if (!attachments) return Fail(attachments.error());
  Result<std::int64_t> boundaries = Must(tx.Attachments().CountBoundaryUses(account, policy.arn));
  if (!boundaries) return Fail(boundaries.error());
  out["AttachmentCount"] = *attachments;
  out["PermissionsBoundaryUsageCount"] = *boundaries;
  out["IsAttachable"] = true;
  return out;
}

Result<json::object> LocalPolicyDetail(const store::ReadTransaction& tx, std::string_view account,
                                       const store::ManagedPolicyRow& policy) {
  Result<json::object> head = PolicyDetailHead(tx, account, policy);
  if (!head) return head;
  json::object& out = *head;
  if (!policy.description.empty()) out["Description"] = policy.description;
  out["CreateDate"] = Time(policy.created);
  out["UpdateDate"] = Time(policy.updated);
  Result<std::vector<store::PolicyVersionRow>> versions = Must(tx.Policies().ListVersions(policy.id));
  if (!versions) return Fail(versions.error());
  json::array version_list;
  for (const store::PolicyVersionRow& version : *versions) {
    version_list.push_back(json::object{{"Document", UrlEncodeDocument(version.document)},
                                        {"VersionId", version.version_id},
                                        {"IsDefaultVersion", version.is_default},
                                        {"CreateDate", Time(version.created)}});
  }
  out["PolicyVersionList"] = std::move(version_list);
  return head;
}

Result<json::object> AwsPolicyDetail(const store::ReadTransaction& tx, std::string_view account,
                                     const authz::AwsManagedPolicy& policy) {
  Result<json::object> head = PolicyDetailHead(tx, account, policy);
  if (!head) return head;
  json::object& out = *head;
  out["CreateDate"] = Time(policy.created);
  out["UpdateDate"] = Time(policy.updated);
  // Only the current version of each AWS managed policy ships with rampart.
  json::array version_list;
  version_list.push_back(json::object{{"Document", UrlEncodeDocument(policy.document)},
                                      {"VersionId", policy.default_version_id},
                                      {"IsDefaultVersion", true},
                                      {"CreateDate", Time(policy.updated)}});
  out["PolicyVersionList"] = std::move(version_list);
  return head;
}

Result<Listing> ListEverything(const store::ReadTransaction& tx, std::string_view account,
                               const std::vector<std::string>& filter) {
  auto wanted = [&](std::string_view kind) {
    return filter.empty() || std::find(filter.begin(), filter.end(), kind) != filter.end();
  };
  Listing listing;
  if (wanted("User")) {
    Result<std::vector<store::UserRow>> users = FetchAll<store::UserRow>(
        [&](const store::ListQuery& q) { return tx.Users().List(account, q); });
    if (!users) return Fail(users.error());
    listing.users = std::move(*users);
    for (std::size_t i = 0; i < listing.users.size(); ++i) listing.items.push_back({ItemKind::kUser, i});
  }
  if (wanted("Group")) {
    Result<std::vector<store::GroupRow>> groups = FetchAll<store::GroupRow>(
        [&](const store::ListQuery& q) { return tx.Groups().List(account, q); });
    if (!groups) return Fail(groups.error());
    listing.groups = std::move(*groups);
    for (std::size_t i = 0; i < listing.groups.size(); ++i) listing.items.push_back({ItemKind::kGroup, i});
  }
  if (wanted("Role")) {
    Result<std::vector<store::RoleRow>> roles = FetchAll<store::RoleRow>(
        [&](const store::ListQuery& q) { return tx.Roles().List(account, q); });
    if (!roles) return Fail(roles.error());
    listing.roles = std::move(*roles);
    for (std::size_t i = 0; i < listing.roles.size(); ++i) listing.items.push_back({ItemKind::kRole, i});
  }
  if (wanted("LocalManagedPolicy")) {
    Result<std::vector<store::ManagedPolicyRow>> policies = FetchAll<store::ManagedPolicyRow>(
        [&](const store::ListQuery& q) {
          store::PolicyListQuery query;
          static_cast<store::ListQuery&>(query) = q;
          return tx.Policies().List(account, query);
        });
    if (!policies) return Fail(policies.error());
    listing.local_policies = std::move(*policies);
    for (std::size_t i = 0; i < listing.local_policies.size(); ++i) {
      listing.items.push_back({ItemKind::kLocalPolicy, i});
    }
  }
  if (wanted("AWSManagedPolicy")) {
    // AWS lists the AWS managed policies the account uses, not the whole catalog.
    for (const authz::AwsManagedPolicy& policy : authz::AwsManagedPolicies::Get().all()) {
      Result<std::int64_t> attached = Must(tx.Attachments().CountForPolicy(account, policy.arn));
      if (!attached) return Fail(attached.error());
      std::int64_t uses = *attached;
      if (uses == 0) {
        Result<std::int64_t> boundaries = Must(tx.Attachments().CountBoundaryUses(account, policy.arn));
        if (!boundaries) return Fail(boundaries.error());
        uses = *boundaries;
      }
      if (uses > 0) {
        listing.items.push_back({ItemKind::kAwsPolicy, listing.aws_policies.size()});
        listing.aws_policies.push_back(&policy);
      }
    }
  }
  return listing;
}

Result<json::object> GetAccountAuthorizationDetails(CallContext& call, const json::object& in) {
  const std::string account(Account(call));
  const std::vector<std::string> filter = GetStringList(in, "Filter");
  Result<std::size_t> start = PageStart(call, in, {"Filter"});
  if (!start) return Fail(start.error());
  const std::size_t max_items = static_cast<std::size_t>(MaxItems(in));

  json::array users, groups, roles, policies;
  std::optional<std::string> next;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<Listing> listing = ListEverything(tx, account, filter);
    if (!listing) return Fail(listing.error());
    const std::size_t end = std::min(listing->items.size(), *start + max_items);
    for (std::size_t i = *start; i < end; ++i) {
      const Item& item = listing->items[i];
      Result<json::object> detail;
      switch (item.kind) {
        case ItemKind::kUser:
          detail = UserDetail(tx, listing->users[item.index]);
          if (detail) users.push_back(std::move(*detail));
          break;
        case ItemKind::kGroup:
          detail = GroupDetail(tx, listing->groups[item.index]);
          if (detail) groups.push_back(std::move(*detail));
          break;
        case ItemKind::kRole:
          detail = RoleDetail(tx, listing->roles[item.index]);
          if (detail) roles.push_back(std::move(*detail));
          break;
        case ItemKind::kLocalPolicy:
          detail = LocalPolicyDetail(tx, account, listing->local_policies[item.index]);
          if (detail) policies.push_back(std::move(*detail));
          break;
        case ItemKind::kAwsPolicy:
          detail = AwsPolicyDetail(tx, account, *listing->aws_policies[item.index]);
          if (detail) policies.push_back(std::move(*detail));
          break;
      }
      if (!detail) return Fail(detail.error());
    }
    if (end < listing->items.size()) next = std::to_string(end);
    return Ok();
  });
  if (!read) return Fail(read.error());

  json::object out;
  out["UserDetailList"] = std::move(users);
  out["GroupDetailList"] = std::move(groups);
  out["RoleDetailList"] = std::move(roles);
  out["Policies"] = std::move(policies);
  SetPage(call, in, {"Filter"}, next, out);
  return out;
}

}  // namespace

void RegisterAccountViews(HandlerRegistry& registry, const IamOptions& options) {
  // None of these actions has a resource type: authorized on "*" (service reference).
  registry.Add("iam", "GetAccountSummary",
               OperationSpec{.handler = [options](CallContext& call, const json::object& in) {
                 return GetAccountSummary(options, call, in);
               }});
  registry.Add("iam", "GenerateCredentialReport", OperationSpec{.handler = GenerateCredentialReport});
  registry.Add("iam", "GetCredentialReport", OperationSpec{.handler = GetCredentialReport});
  registry.Add("iam", "GetAccountAuthorizationDetails",
               OperationSpec{.handler = GetAccountAuthorizationDetails});
}

}  // namespace rampart::services::iam
