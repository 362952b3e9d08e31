// IAM managed-policy attachments: Attach/Detach User/Group/RolePolicy,
// ListAttachedUser/Group/RolePolicies and ListEntitiesForPolicy.
//
// AWS references: the IAM API reference page of each operation; recorded AWS responses and
// errors in /work/shared/aws/recorded (messages below are theirs, byte for byte).
#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "authz/managed_policies.h"
#include "common/arn.h"
#include "services/iam/iam.h"
#include "services/iam/policy_holders.h"

namespace rampart::services::iam {
namespace {

std::int64_t Quota(const PolicyHolderKind& kind, const IamOptions& options) {
  switch (kind.type) {
    case store::EntityType::kUser: return options.quotas.attached_policies_per_user;
    case store::EntityType::kGroup: return options.quotas.attached_policies_per_group;
    case store::EntityType::kRole: return options.quotas.attached_policies_per_role;
  }
  return 10;
}

// A policy ARN in an Attach/Detach request. Text that is not an ARN at all: ValidationError
// "ARN x is not valid."; an "arn:" that does not parse: "Invalid ARN:  Could not be parsed!"
// (both recorded for AttachUserPolicy/AttachRolePolicy).
Result<Arn> ParsePolicyArn(std::string_view text) {
  Result<Arn> arn = Arn::Parse(text);
  if (arn) return arn;
  if (text.rfind("arn:", 0) == 0) return Fail(ValidationError("Invalid ARN:  Could not be parsed!"));
  return Fail(ValidationError(fmt::format("ARN {} is not valid.", text)));
}

// True when `arn` names an existing managed policy the caller's account may attach: AWS
// managed, or customer managed in the caller's account.
Result<bool> PolicyExists(const store::ReadTransaction& tx, std::string_view account,
                          std::string_view arn_text, const Arn& arn) {
  if (arn.service != "iam" || arn.resource.rfind("policy/", 0) != 0) return false;
  if (arn.account == "aws") return authz::AwsManagedPolicies::Get().Find(arn_text) != nullptr;
  if (arn.account != account) return false;
  Result<store::ManagedPolicyRow> row = tx.Policies().GetByArn(arn_text);
  if (!row) {
    if (store::IsNotFound(row.error())) return false;
    return Fail(FromStore(row.error()));
  }
  return true;
}

Result<json::object> Attach(CallContext& call, const json::object& in,
                            const PolicyHolderKind& kind,
                            const IamOptions& options) {
  const std::string_view arn_text = GetString(in, "PolicyArn");
  Result<Arn> arn = ParsePolicyArn(arn_text);
  if (!arn) return Fail(arn.error());
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<PolicyHolder> entity =
        ReadPolicyHolder(tx, Account(call), kind, GetString(in, kind.name_member));
    if (!entity) return Fail(entity.error());
    if (entity->is_protected) return Fail(ProtectedRole(entity->name));
    Result<bool> exists = PolicyExists(tx, Account(call), arn_text, *arn);
    if (!exists) return Fail(exists.error());
    if (!*exists) {
      return Fail(NoSuchEntity(
          fmt::format("Policy {} does not exist or is not attachable.", arn_text)));
    }
    Result<bool> attached = tx.Attachments().IsAttached(entity->ref, arn_text);
    if (!attached) return Fail(FromStore(attached.error()));
    if (*attached) return Ok();  // attaching again succeeds and changes nothing, as in AWS
    Result<std::int64_t> count = tx.Attachments().CountForEntity(entity->ref);
    if (!count) return Fail(FromStore(count.error()));
    if (*count >= Quota(kind, options)) {
      return Fail(QuotaExceeded(kind.attach_quota_name, Quota(kind, options)));
    }
    if (Result<void> done = tx.Attachments().Attach(Account(call), entity->ref, arn_text); !done) {
      if (store::IsConflict(done.error())) return Ok();
      return Fail(FromStore(done.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

Result<json::object> Detach(CallContext& call, const json::object& in,
                            const PolicyHolderKind& kind) {
  const std::string_view arn_text = GetString(in, "PolicyArn");
  Result<Arn> arn = ParsePolicyArn(arn_text);
  if (!arn) return Fail(arn.error());
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<PolicyHolder> entity =
        ReadPolicyHolder(tx, Account(call), kind, GetString(in, kind.name_member));
    if (!entity) return Fail(entity.error());
    if (entity->is_protected) return Fail(ProtectedRole(entity->name));
    if (Result<void> done = tx.Attachments().Detach(entity->ref, arn_text); !done) {
      if (store::IsNotFound(done.error())) {
        return Fail(NoSuchEntity(fmt::format("Policy {} was not found.", arn_text)));
      }
      return Fail(FromStore(done.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

Result<json::object> ListAttached(CallContext& call, const json::object& in,
                                  const PolicyHolderKind& kind) {
  Result<store::ListQuery> query = PageQuery(call, in, {kind.name_member, "PathPrefix"});
  if (!query) return Fail(query.error());
  json::object out;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<PolicyHolder> entity =
        ReadPolicyHolder(tx, Account(call), kind, GetString(in, kind.name_member));
    if (!entity) return Fail(entity.error());
    Result<store::Page<store::AttachedPolicy>> page =
        tx.Attachments().ListForEntity(entity->ref, *query);
    if (!page) return Fail(FromStore(page.error()));
    json::array policies;
    for (const store::AttachedPolicy& policy : page->items) {
      policies.push_back(
          json::object{{"PolicyName", policy.policy_name}, {"PolicyArn", policy.policy_arn}});
    }
    out["AttachedPolicies"] = std::move(policies);
    SetPage(call, in, {kind.name_member, "PathPrefix"}, page->next_marker, out);
    return Ok();
  });
  if (!read) return Fail(read.error());
  return out;
}

// ListEntitiesForPolicy pages in memory over the policy's attachments (PermissionsPolicy)
// and the users and roles using it as their boundary (PermissionsBoundary); without
// PolicyUsageFilter both. Order: groups, roles, users, each by name.
Result<json::object> ListEntitiesForPolicy(CallContext& call, const json::object& in) {
  std::initializer_list<std::string_view> binding = {"PolicyArn", "EntityFilter", "PathPrefix",
                                                     "PolicyUsageFilter"};
  Result<std::size_t> start = PageStart(call, in, binding);
  if (!start) return Fail(start.error());
  const std::string_view arn_text = GetString(in, "PolicyArn");
  Result<Arn> arn = ParsePolicyArn(arn_text);
  if (!arn) return Fail(arn.error());
  const std::string_view filter = GetString(in, "EntityFilter");
  const std::string_view usage = GetString(in, "PolicyUsageFilter");
  const std::string prefix(GetString(in, "PathPrefix", "/"));
  std::vector<store::EntityType> types;
  if (filter == "User") types = {store::EntityType::kUser};
  if (filter == "Group") types = {store::EntityType::kGroup};
  if (filter == "Role") types = {store::EntityType::kRole};
  auto wanted = [&](store::EntityType type) {
    return types.empty() || std::find(types.begin(), types.end(), type) != types.end();
  };
  std::vector<store::PolicyEntity> entities;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    const std::string_view account = Account(call);
    Result<bool> exists = PolicyExists(tx, account, arn_text, *arn);
    if (!exists) return Fail(exists.error());
    if (!*exists) {
      return Fail(NoSuchEntity(
          fmt::format("Policy {} does not exist or is not attachable.", arn_text)));
    }
    if (usage != "PermissionsBoundary") {
      store::ListQuery query;
      query.path_prefix = prefix;
      query.max_items = 1000;
      for (;;) {
        Result<store::Page<store::PolicyEntity>> page =
            tx.Attachments().ListForPolicy(account, arn_text, types, query);
        if (!page) return Fail(FromStore(page.error()));
        entities.insert(entities.end(), page->items.begin(), page->items.end());
        if (!page->next_marker) break;
        query.marker = *page->next_marker;
      }
    }
    if (usage != "PermissionsPolicy") {
      store::ListQuery query;
      query.path_prefix = prefix;
      query.max_items = 1000;
      if (wanted(store::EntityType::kUser)) {
        for (;;) {
          Result<store::Page<store::UserRow>> page = tx.Users().List(account, query);
          if (!page) return Fail(FromStore(page.error()));
          for (const store::UserRow& user : page->items) {
            if (user.permissions_boundary == arn_text) {
              entities.push_back({store::EntityType::kUser, user.id, user.name, user.path});
            }
          }
          if (!page->next_marker) break;
          query.marker = *page->next_marker;
        }
      }
      query.marker.clear();
      if (wanted(store::EntityType::kRole)) {
        for (;;) {
          Result<store::Page<store::RoleRow>> page = tx.Roles().List(account, query);
          if (!page) return Fail(FromStore(page.error()));
          for (const store::RoleRow& role : page->items) {
            if (role.permissions_boundary == arn_text) {
              entities.push_back({store::EntityType::kRole, role.id, role.name, role.path});
            }
          }
          if (!page->next_marker) break;
          query.marker = *page->next_marker;
        }
      }
    }
    return Ok();
  });
  if (!read) return Fail(read.error());
  auto order = [](const store::PolicyEntity& e) {
    int rank = e.type == store::EntityType::kGroup ? 0 : e.type == store::EntityType::kRole ? 1 : 2;
    std::string lower = e.name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return std::make_tuple(rank, lower, e.id);
  };
  std::sort(entities.begin(), entities.end(),
            [&](const auto& a, const auto& b) { return order(a) < order(b); });
  entities.erase(std::unique(entities.begin(), entities.end(),
                             [](const auto& a, const auto& b) { return a.id == b.id; }),
                 entities.end());
  const std::size_t begin = std::min(*start, entities.size());
  const std::size_t end =
      std::min(entities.size(), begin + static_cast<std::size_t>(MaxItems(in)));
  json::array groups, users, roles;
  for (std::size_t i = begin; i < end; ++i) {
    const store::PolicyEntity& e = entities[i];
    switch (e.type) {
      case store::EntityType::kGroup:
        groups.push_back(json::object{{"GroupName", e.name}, {"GroupId", e.id}});
        break;
      case store::EntityType::kUser:
        users.push_back(json::object{{"UserName", e.name}, {"UserId", e.id}});
        break;
      case store::EntityType::kRole:
        roles.push_back(json::object{{"RoleName", e.name}, {"RoleId", e.id}});
        break;
    }
  }
  json::object out;
  out["PolicyGroups"] = std::move(groups);
  out["PolicyUsers"] = std::move(users);
  out["PolicyRoles"] = std::move(roles);
  SetPage(call, in, binding,
          end < entities.size() ? std::optional<std::string>(std::to_string(end)) : std::nullopt,
          out);
  return out;
}

// Resource: the user/group/role ARN (stored path when it exists), its tags as
// aws:ResourceTag/* (users and roles), iam:PolicyARN for Attach/Detach, and the entity's
// current boundary as iam:PermissionsBoundary (service reference condition keys).
// Attach/Detach: the holder (with its boundary) and iam:PolicyARN.
TargetFn AttachTarget(const PolicyHolderKind& kind) {
  return [base = PolicyHolderTarget(kind, true)](
             CallContext& call, const json::object& in) -> Result<authz::AuthzTarget> {
    Result<authz::AuthzTarget> target = base(call, in);
    if (!target) return target;
    target->keys.push_back({"iam:PolicyARN", {std::string(GetString(in, "PolicyArn"))}});
    return target;
  };
}

}  // namespace

void RegisterAttachments(HandlerRegistry& registry, const IamOptions& options) {
  auto add = [&](const std::string& operation, Handler handler, TargetFn target) {
    registry.Add("iam", operation, OperationSpec{std::move(handler), true, std::move(target)});
  };
  for (const PolicyHolderKind* kind : {&kUserHolder, &kGroupHolder, &kRoleHolder}) {
    const std::string noun = OperationNoun(*kind);
    add("Attach" + noun + "Policy",
        [kind, options](CallContext& call, const json::object& in) {
          return Attach(call, in, *kind, options);
        },
        AttachTarget(*kind));
    add("Detach" + noun + "Policy",
        [kind](CallContext& call, const json::object& in) { return Detach(call, in, *kind); },
        AttachTarget(*kind));
    add("ListAttached" + noun + "Policies",
        [kind](CallContext& call, const json::object& in) { return ListAttached(call, in, *kind); },
        PolicyHolderTarget(*kind, false));
  }
  add("ListEntitiesForPolicy", ListEntitiesForPolicy,
      [](CallContext& call, const json::object& in) -> Result<authz::AuthzTarget> {
        return Target(call, {std::string(GetString(in, "PolicyArn"))});
      });
}

}  // namespace rampart::services::iam
