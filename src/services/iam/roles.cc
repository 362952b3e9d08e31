// IAM roles: CreateRole, GetRole, ListRoles, UpdateRole, UpdateRoleDescription,
// UpdateAssumeRolePolicy, DeleteRole, Put/DeleteRolePermissionsBoundary, Tag/Untag/ListRoleTags,
// and the service-linked roles (CreateServiceLinkedRole, DeleteServiceLinkedRole,
// GetServiceLinkedRoleDeletionStatus).
//
// AWS references: the IAM API reference page of each operation; recorded AWS responses and
// errors in /work/shared/aws/recorded (messages below are theirs, byte for byte).
#include <algorithm>
#include <array>
#include <cctype>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "authz/managed_policies.h"
#include "common/arn.h"
#include "common/ids.h"
#include "common/strings.h"
#include "policy/policy.h"
#include "services/iam/iam.h"
#include "services/iam/policy_holders.h"
#include "services/iam/identity_helpers.h"

namespace rampart::services::iam {
namespace {

constexpr std::string_view kServiceRolePathPrefix = "/aws-service-role/";

// Size quotas are the installation's (IamOptions), checked by the handlers.
const policy::CompileOptions kNoQuota{.policy_id = "", .enforce_size_quota = false};

Error NoSuchRole(std::string_view name) {
  return NoSuchEntity(fmt::format("The role with name {} cannot be found.", name));
}

std::string RoleArn(const CallContext& call, const store::RoleRow& role) {
  return EntityArn(Account(call), "role", role.path, role.name);
}

// Which members a Role structure carries in each response (AWS returns fewer members in
// lists and creation responses than in GetRole; see the recorded responses).
enum class RoleView { kCreate, kGet, kList };

json::object RoleToOutput(const CallContext& call, const store::RoleRow& role, RoleView view,
                          const std::vector<store::Tag>* tags) {
  json::object out;
  out["Path"] = role.path;
  out["RoleName"] = role.name;
  out["RoleId"] = role.id;
  out["Arn"] = RoleArn(call, role);
  out["CreateDate"] = Time(role.created);
  out["AssumeRolePolicyDocument"] = UrlEncodeDocument(role.assume_role_policy);
  if (!role.description.empty()) out["Description"] = role.description;
  if (view != RoleView::kCreate) out["MaxSessionDuration"] = role.max_session_duration;
  if (view != RoleView::kList && !role.permissions_boundary.empty()) {
    out["PermissionsBoundary"] = json::object{{"PermissionsBoundaryType", "Policy"},
                                              {"PermissionsBoundaryArn", role.permissions_boundary}};
  }
  if (view != RoleView::kList && tags != nullptr && !tags->empty()) {
    out["Tags"] = TagsToOutput(*tags);
  }
  if (view == RoleView::kGet) {
    json::object last_used;
    if (role.last_used) {
      last_used["LastUsedDate"] = Time(*role.last_used);
      if (!role.last_used_region.empty()) last_used["Region"] = role.last_used_region;
    }
    out["RoleLastUsed"] = std::move(last_used);
  }
  return out;
}

// A permissions boundary must name an existing managed policy (customer managed in the
// caller's account, or AWS managed). Errors as AWS words them (recorded for
// PutRolePermissionsBoundary and CreateRole).
Result<void> CheckBoundary(const store::ReadTransaction& tx, std::string_view account,
                           std::string_view arn) {
  Result<Arn> parsed = Arn::Parse(arn);
  if (!parsed || parsed->service != "iam" || parsed->resource.rfind("policy/", 0) != 0) {
    return Fail(InvalidInput(fmt::format("ARN {} is not valid.", arn)));
  }
  Error missing =
      NoSuchEntity(fmt::format("Scope ARN: {} does not exist or is not attachable.", arn));
  if (parsed->account == "aws") {
    if (authz::AwsManagedPolicies::Get().Find(arn) == nullptr) return Fail(missing);
    return Ok();
  }
  if (parsed->account != account) return Fail(missing);
  Result<store::ManagedPolicyRow> policy = tx.Policies().GetByArn(arn);
  if (!policy) {
    if (store::IsNotFound(policy.error())) return Fail(missing);
    return Fail(FromStore(policy.error()));
  }
  return Ok();
}

// Reads a role of the caller's account; NoSuchEntity with AWS's message when absent.
Result<store::RoleRow> ReadRole(const store::ReadTransaction& tx, const CallContext& call,
                                std::string_view name) {
  Result<store::RoleRow> role = tx.Roles().Get(Account(call), name);
  if (!role) {
    if (store::IsNotFound(role.error())) return Fail(NoSuchRole(name));
    return Fail(FromStore(role.error()));
  }
  return role;
}

Result<std::vector<store::Tag>> ReadTags(const store::ReadTransaction& tx,
                                         const store::TagRef& ref) {
  Result<std::vector<store::Tag>> tags = tx.Tags().List(ref);
  if (!tags) return Fail(FromStore(tags.error()));
  return tags;
}

// ---------------------------------------------------------------------------------------
// Authorization targets

// The role named by the input's RoleName: resource arn:aws:iam::ACCOUNT:role/PATH/NAME (the
// stored path when the role exists), its tags as aws:ResourceTag/*, and, when `with_boundary`,
// its current boundary as iam:PermissionsBoundary (service reference: the condition key of
// DeleteRole, UpdateAssumeRolePolicy, AttachRolePolicy, Put/DeleteRolePolicy, ...).
Result<authz::AuthzTarget> RoleTarget(CallContext& call, std::string_view name,
                                      bool with_boundary) {
  authz::AuthzTarget target = Target(call, {EntityArn(Account(call), "role", "/", name)});
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<store::RoleRow> role = tx.Roles().Get(Account(call), name);
    if (!role) return store::IsNotFound(role.error()) ? Ok() : Fail(FromStore(role.error()));
    target.resources = {RoleArn(call, *role)};
    Result<std::vector<store::Tag>> tags = tx.Tags().List({store::TaggableType::kRole, role->id});
    if (tags) AddResourceTags(target, *tags);
    if (with_boundary && !role->permissions_boundary.empty()) {
      target.keys.push_back({"iam:PermissionsBoundary", {role->permissions_boundary}});
    }
    return Ok();
  });
  if (!read) return Fail(read.error());
  return target;
}

TargetFn RoleTargetFn(bool with_boundary) {
  return [with_boundary](CallContext& call, const json::object& in) {
    return RoleTarget(call, GetString(in, "RoleName"), with_boundary);
  };
}

// ---------------------------------------------------------------------------------------
// Roles

Result<json::object> CreateRole(CallContext& call, const json::object& in,
                                const IamOptions& options) {
  const std::string path(GetString(in, "Path", "/"));
  if (Result<void> ok = CheckPath(path); !ok) return Fail(ok.error());
  const std::string name(GetString(in, "RoleName"));
  const std::string document(GetString(in, "AssumeRolePolicyDocument"));
  // Validated as a trust policy: prohibited Resource, STS-only actions, ACLSizePerRole.
  if (Result<policy::PolicyPtr> compiled =
          policy::CompilePolicy(document, policy::PolicyType::kTrust, kNoQuota);
      !compiled) {
    return Fail(compiled.error());
  }
  if (policy::PolicySizeWithoutWhitespace(document) >
      static_cast<std::size_t>(options.quotas.assume_role_policy_size)) {
    return Fail(QuotaExceeded("ACLSizePerRole", options.quotas.assume_role_policy_size));
  }
  Result<std::vector<store::Tag>> tags = TagsFromInput(in);
  if (!tags) return Fail(tags.error());
  const std::string boundary(GetString(in, "PermissionsBoundary"));

  store::RoleRow role;
  role.account_id = std::string(Account(call));
  role.id = ids::NewUniqueId("AROA");
  role.name = name;
  role.path = path;
  role.created = call.now;
  role.assume_role_policy = document;
  role.description = std::string(GetString(in, "Description"));
  role.max_session_duration =
      static_cast<std::int32_t>(GetInt(in, "MaxSessionDuration").value_or(3600));
  role.permissions_boundary = boundary;
  json::object out{{"Role", RoleToOutput(call, role, RoleView::kCreate, &*tags)}};
  call.Respond(out);  // known before the write: recorded with the change

  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    if (!boundary.empty()) {
      if (Result<void> ok = CheckBoundary(tx, role.account_id, boundary); !ok) return ok;
    }
    Result<std::int64_t> count = tx.Roles().Count(role.account_id);
    if (!count) return Fail(FromStore(count.error()));
    if (*count >= options.quotas.roles_per_account) {
      return Fail(QuotaExceeded("RolesPerAccount", options.quotas.roles_per_account));
    }
    if (Result<void> made = tx.Roles().Create(role); !made) {
      if (store::IsConflict(made.error())) {
        return Fail(EntityAlreadyExists(fmt::format("Role with name {} already exists.", name)));
      }
      return Fail(FromStore(made.error()));
    }
    if (!tags->empty()) {
      if (Result<void> tagged = tx.Tags().Put(role.account_id, {store::TaggableType::kRole, role.id},
                                              *tags);
          !tagged) {
        return Fail(FromStore(tagged.error()));
      }
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return out;
}

Result<json::object> GetRole(CallContext& call, const json::object& in) {
  store::RoleRow role;
  std::vector<store::Tag> tags;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<store::RoleRow> found = ReadRole(tx, call, GetString(in, "RoleName"));
    if (!found) return Fail(found.error());
    role = std::move(*found);
    Result<std::vector<store::Tag>> listed = ReadTags(tx, {store::TaggableType::kRole, role.id});
    if (!listed) return Fail(listed.error());
    tags = std::move(*listed);
    return Ok();
  });
  if (!read) return Fail(read.error());
  return json::object{{"Role", RoleToOutput(call, role, RoleView::kGet, &tags)}};
}

Result<json::object> ListRoles(CallContext& call, const json::object& in) {
  Result<store::ListQuery> query = PageQuery(call, in, {"PathPrefix"});
  if (!query) return Fail(query.error());
  json::object out;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<store::Page<store::RoleRow>> page = tx.Roles().List(Account(call), *query);
    if (!page) return Fail(FromStore(page.error()));
    json::array roles;
    for (const store::RoleRow& role : page->items) {
      roles.push_back(RoleToOutput(call, role, RoleView::kList, nullptr));
    }
    out["Roles"] = std::move(roles);
    SetPage(call, in, {"PathPrefix"}, page->next_marker, out);
    return Ok();
  });
  if (!read) return Fail(read.error());
  return out;
}

// Reads the role, refuses protected ones, applies `change`, and writes it back.
Result<store::RoleRow> ChangeRole(CallContext& call, std::string_view name,
                                  const std::function<Result<void>(const store::WriteTransaction&,
                                                                   store::RoleRow&)>& change) {
  store::RoleRow updated;
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::RoleRow> role = ReadRole(tx, call, name);
    if (!role) return Fail(role.error());
    if (IsProtectedRole(*role)) return Fail(ProtectedRole(role->name));
    if (Result<void> ok = change(tx, *role); !ok) return ok;
    if (Result<void> saved = tx.Roles().Update(*role); !saved) return Fail(FromStore(saved.error()));
    updated = std::move(*role);
    return Ok();
  });
  if (!written) return Fail(written.error());
  return updated;
}

Result<json::object> UpdateRole(CallContext& call, const json::object& in) {
  std::optional<std::string> description = OptString(in, "Description");
  std::optional<std::int64_t> duration = GetInt(in, "MaxSessionDuration");
  Result<store::RoleRow> role = ChangeRole(
      call, GetString(in, "RoleName"),
      [&](const store::WriteTransaction&, store::RoleRow& row) -> Result<void> {
        if (description) row.description = *description;
        if (duration) row.max_session_duration = static_cast<std::int32_t>(*duration);
        return Ok();
      });
  if (!role) return Fail(role.error());
  return json::object{};
}

Result<json::object> UpdateRoleDescription(CallContext& call, const json::object& in) {
  const std::string description(GetString(in, "Description"));
  Result<store::RoleRow> role = ChangeRole(
      call, GetString(in, "RoleName"),
      [&](const store::WriteTransaction&, store::RoleRow& row) -> Result<void> {
        row.description = description;
        return Ok();
      });
  if (!role) return Fail(role.error());
  std::vector<store::Tag> tags;
  (void)call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<std::vector<store::Tag>> listed = tx.Tags().List({store::TaggableType::kRole, role->id});
    if (listed) tags = std::move(*listed);
    return Ok();
  });
  return json::object{{"Role", RoleToOutput(call, *role, RoleView::kGet, &tags)}};
}

Result<json::object> UpdateAssumeRolePolicy(CallContext& call, const json::object& in,
                                            const IamOptions& options) {
  const std::string document(GetString(in, "PolicyDocument"));
  if (Result<policy::PolicyPtr> compiled =
          policy::CompilePolicy(document, policy::PolicyType::kTrust, kNoQuota);
      !compiled) {
    return Fail(compiled.error());
  }
  if (policy::PolicySizeWithoutWhitespace(document) >
      static_cast<std::size_t>(options.quotas.assume_role_policy_size)) {
    return Fail(QuotaExceeded("ACLSizePerRole", options.quotas.assume_role_policy_size));
  }
  Result<store::RoleRow> role = ChangeRole(
      call, GetString(in, "RoleName"),
      [&](const store::WriteTransaction&, store::RoleRow& row) -> Result<void> {
        row.assume_role_policy = document;
        return Ok();
      });
  if (!role) return Fail(role.error());
  return json::object{};
}

// The DeleteConflict checks of DeleteRole, in the order AWS lists a role's dependants
// (DeleteRole API reference: instance profiles, inline policies, attached policies).
Result<void> CheckRoleDeletable(const store::WriteTransaction& tx, const store::RoleRow& role) {
  store::ListQuery one;
  one.max_items = 1;
  Result<store::Page<store::InstanceProfileRow>> profiles =
      tx.InstanceProfiles().ListForRole(role.id, one);
  if (!profiles) return Fail(FromStore(profiles.error()));
  if (!profiles->items.empty()) {
    return Fail(DeleteConflict("Cannot delete entity, must remove roles from instance profile first."));
  }
  Result<std::int64_t> inline_count = tx.InlinePolicies().Count(store::EntityRef::Role(role.id));
  if (!inline_count) return Fail(FromStore(inline_count.error()));
  if (*inline_count > 0) {
    return Fail(DeleteConflict("Cannot delete entity, must delete policies first."));
  }
  Result<std::int64_t> attached = tx.Attachments().CountForEntity(store::EntityRef::Role(role.id));
  if (!attached) return Fail(FromStore(attached.error()));
  if (*attached > 0) {
    return Fail(DeleteConflict("Cannot delete entity, must detach all policies first."));
  }
  return Ok();
}

Result<json::object> DeleteRole(CallContext& call, const json::object& in) {
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::RoleRow> role = ReadRole(tx, call, GetString(in, "RoleName"));
    if (!role) return Fail(role.error());
    if (IsProtectedRole(*role)) return Fail(ProtectedRole(role->name));
    if (Result<void> ok = CheckRoleDeletable(tx, *role); !ok) return ok;
    if (Result<void> gone = tx.Roles().Delete(role->id); !gone) {
      if (store::IsConflict(gone.error())) {
        return Fail(DeleteConflict("Cannot delete entity, must detach all policies first."));
      }
      return Fail(FromStore(gone.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

Result<json::object> PutRolePermissionsBoundary(CallContext& call, const json::object& in) {
  const std::string boundary(GetString(in, "PermissionsBoundary"));
  Result<store::RoleRow> role = ChangeRole(
      call, GetString(in, "RoleName"),
      [&](const store::WriteTransaction& tx, store::RoleRow& row) -> Result<void> {
        if (Result<void> ok = CheckBoundary(tx, row.account_id, boundary); !ok) return ok;
        row.permissions_boundary = boundary;
        return Ok();
      });
  if (!role) return Fail(role.error());
  return json::object{};
}

Result<json::object> DeleteRolePermissionsBoundary(CallContext& call, const json::object& in) {
  Result<store::RoleRow> role = ChangeRole(
      call, GetString(in, "RoleName"),
      [&](const store::WriteTransaction&, store::RoleRow& row) -> Result<void> {
        row.permissions_boundary.clear();
        return Ok();
      });
  if (!role) return Fail(role.error());
  return json::object{};
}

// ---------------------------------------------------------------------------------------
// Tags

Result<json::object> TagRole(CallContext& call, const json::object& in,
                             const IamOptions& options) {
  Result<std::vector<store::Tag>> tags = TagsFromInput(in);
  if (!tags) return Fail(tags.error());
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::RoleRow> role = ReadRole(tx, call, GetString(in, "RoleName"));
    if (!role) return Fail(role.error());
    return identity::PutTagsWithinQuota(tx, role->account_id,
                                        {store::TaggableType::kRole, role->id}, *tags,
                                        options.quotas.tags_per_entity, "TagsPerRole");
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

Result<json::object> UntagRole(CallContext& call, const json::object& in) {
  std::vector<std::string> keys = GetStringList(in, "TagKeys");
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::RoleRow> role = ReadRole(tx, call, GetString(in, "RoleName"));
    if (!role) return Fail(role.error());
    if (Result<void> removed = tx.Tags().Remove({store::TaggableType::kRole, role->id}, keys);
        !removed) {
      return Fail(FromStore(removed.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

Result<json::object> ListRoleTags(CallContext& call, const json::object& in) {
  std::vector<store::Tag> tags;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<store::RoleRow> role = ReadRole(tx, call, GetString(in, "RoleName"));
    if (!role) return Fail(role.error());
    Result<std::vector<store::Tag>> listed = ReadTags(tx, {store::TaggableType::kRole, role->id});
    if (!listed) return Fail(listed.error());
    tags = std::move(*listed);
    return Ok();
  });
  if (!read) return Fail(read.error());
  return TagsPage(call, in, tags, {"RoleName"});
}

// ---------------------------------------------------------------------------------------
// Service-linked roles

// Role-name suffixes of well-known service principals (IAM User Guide, "AWS services that
// work with IAM", each service's service-linked role page). Others are derived from the
// principal's first label.
struct LinkedService {
  std::string_view principal;
  std::string_view role_suffix;
  bool custom_suffix_allowed;
};
constexpr std::array<LinkedService, 20> kLinkedServices{{
    {"autoscaling.amazonaws.com", "AutoScaling", true},
    {"batch.amazonaws.com", "Batch", false},
    {"cloudtrail.amazonaws.com", "CloudTrail", false},
    {"config.amazonaws.com", "Config", false},
    {"ecs.amazonaws.com", "ECS", false},
    {"eks.amazonaws.com", "AmazonEKS", false},
    {"elasticbeanstalk.amazonaws.com", "ElasticBeanstalk", true},
    {"elasticloadbalancing.amazonaws.com", "ElasticLoadBalancing", false},
    {"es.amazonaws.com", "AmazonElasticsearchService", false},
    {"guardduty.amazonaws.com", "AmazonGuardDuty", false},
    {"lambda.amazonaws.com", "Lambda", false},
    {"lex.amazonaws.com", "LexBots", true},
    {"ops.apigateway.amazonaws.com", "APIGateway", false},
    {"organizations.amazonaws.com", "Organizations", false},
    {"rds.amazonaws.com", "RDS", false},
    {"spot.amazonaws.com", "EC2Spot", false},
    {"sso.amazonaws.com", "SSO", false},
    {"support.amazonaws.com", "Support", false},
    {"trustedadvisor.amazonaws.com", "TrustedAdvisor", false},
    {"elasticmapreduce.amazonaws.com", "EMRCleanup", false},
}};

std::string LinkedRoleSuffix(std::string_view principal, bool* custom_suffix_allowed) {
  for (const LinkedService& service : kLinkedServices) {
    if (service.principal == principal) {
      *custom_suffix_allowed = service.custom_suffix_allowed;
      return std::string(service.role_suffix);
    }
  }
  // Unknown services: "foo-bar.amazonaws.com" -> "FooBar"; custom suffixes allowed.
  *custom_suffix_allowed = true;
  std::string suffix;
  bool upper = true;
  for (char c : principal.substr(0, principal.find('.'))) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      upper = true;
      continue;
    }
    suffix.push_back(upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
    upper = false;
  }
  return suffix;
}

Result<json::object> CreateServiceLinkedRole(CallContext& call, const json::object& in,
                                             const IamOptions& options) {
  const std::string service(GetString(in, "AWSServiceName"));
  if (service.find('.') == std::string::npos || !service.ends_with(".amazonaws.com")) {
    return Fail(InvalidInput(fmt::format("Invalid service name: {}", service)));
  }
  bool suffix_allowed = false;
  std::string name = "AWSServiceRoleFor" + LinkedRoleSuffix(service, &suffix_allowed);
  std::optional<std::string> custom = OptString(in, "CustomSuffix");
  if (custom) {
    if (!suffix_allowed) {
      return Fail(InvalidInput(fmt::format("Custom suffix is not allowed for {}", service)));
    }
    name += "_" + *custom;
  }
  store::RoleRow role;
  role.account_id = std::string(Account(call));
  role.id = ids::NewUniqueId("AROA");
  role.name = name;
  role.path = fmt::format("{}{}/", kServiceRolePathPrefix, service);
  role.created = call.now;
  role.assume_role_policy = fmt::format(
      R"({{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"{}"}},"Action":"sts:AssumeRole"}}]}})",
      service);
  role.description = std::string(GetString(in, "Description"));
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<std::int64_t> count = tx.Roles().Count(role.account_id);
    if (!count) return Fail(FromStore(count.error()));
    if (*count >= options.quotas.roles_per_account) {
      return Fail(QuotaExceeded("RolesPerAccount", options.quotas.roles_per_account));
    }
    if (Result<void> made = tx.Roles().Create(role); !made) {
      if (store::IsConflict(made.error())) {
        return Fail(InvalidInput(fmt::format(
            "Service role name {} has been taken in this account, please try a different suffix.",
            name)));
      }
      return Fail(FromStore(made.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{{"Role", RoleToOutput(call, role, RoleView::kGet, nullptr)}};
}

Result<json::object> DeleteServiceLinkedRole(CallContext& call, const json::object& in) {
  std::string task_id;
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::RoleRow> role = ReadRole(tx, call, GetString(in, "RoleName"));
    if (!role) return Fail(role.error());
    if (role->path.rfind(kServiceRolePathPrefix, 0) != 0) {
      return Fail(InvalidInput(
          fmt::format("Role {} is not a service-linked role and cannot be deleted this way.",
                      role->name)));
    }
    // The owning service is not running here: nothing uses the role, so the deletion
    // completes at once. Its own inline and attached policies go with it.
    const store::EntityRef entity = store::EntityRef::Role(role->id);
    Result<std::vector<store::InlinePolicyRow>> inline_policies =
        tx.InlinePolicies().ListAll(entity);
    if (!inline_policies) return Fail(FromStore(inline_policies.error()));
    for (const store::InlinePolicyRow& row : *inline_policies) {
      if (Result<void> gone = tx.InlinePolicies().Delete(entity, row.name); !gone) {
        return Fail(FromStore(gone.error()));
      }
    }
    store::ListQuery all;
    all.max_items = 1000;
    Result<store::Page<store::AttachedPolicy>> attached =
        tx.Attachments().ListForEntity(entity, all);
    if (!attached) return Fail(FromStore(attached.error()));
    for (const store::AttachedPolicy& policy : attached->items) {
      if (Result<void> gone = tx.Attachments().Detach(entity, policy.policy_arn); !gone) {
        return Fail(FromStore(gone.error()));
      }
    }
    if (Result<void> ok = CheckRoleDeletable(tx, *role); !ok) return ok;
    if (Result<void> gone = tx.Roles().Delete(role->id); !gone) return Fail(FromStore(gone.error()));
    task_id = fmt::format("task{}{}/{}", role->path, role->name, ids::NewRequestId());
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{{"DeletionTaskId", task_id}};
}

// Task ids have the form task/aws-service-role/<service>/<role>/<uuid>. Deletion is
// synchronous in rampart, so every well-formed task id has SUCCEEDED.
Result<json::object> GetServiceLinkedRoleDeletionStatus(CallContext&, const json::object& in) {
  const std::string_view task = GetString(in, "DeletionTaskId");
  const std::string_view prefix = "task/aws-service-role/";
  bool ok = task.rfind(prefix, 0) == 0 &&
            std::count(task.begin(), task.end(), '/') >= 4 && task.back() != '/';
  if (!ok) {
    return Fail(InvalidInput(fmt::format("Invalid deletion task id: {}", task)));
  }
  return json::object{{"Status", "SUCCEEDED"}};
}

}  // namespace

void RegisterRoles(HandlerRegistry& registry, const IamOptions& options) {
  auto add = [&](const char* operation, Handler handler, TargetFn target) {
    registry.Add("iam", operation, OperationSpec{std::move(handler), true, std::move(target)});
  };
  add(
      "CreateRole",
      [options](CallContext& call, const json::object& in) { return CreateRole(call, in, options); },
      [](CallContext& call, const json::object& in) -> Result<authz::AuthzTarget> {
        authz::AuthzTarget target =
            Target(call, {EntityArn(Account(call), "role", GetString(in, "Path", "/"),
                                    GetString(in, "RoleName"))});
        Result<std::vector<store::Tag>> tags = TagsFromInput(in);
        if (tags) AddRequestTags(target, *tags);
        if (std::optional<std::string> boundary = OptString(in, "PermissionsBoundary")) {
          target.keys.push_back({"iam:PermissionsBoundary", {*boundary}});
        }
        return target;
      });
  add("GetRole", GetRole, RoleTargetFn(false));
  add("ListRoles", ListRoles, nullptr);
  add("UpdateRole", UpdateRole, RoleTargetFn(false));
  add("UpdateRoleDescription", UpdateRoleDescription, RoleTargetFn(false));
  add(
      "UpdateAssumeRolePolicy",
      [options](CallContext& call, const json::object& in) {
        return UpdateAssumeRolePolicy(call, in, options);
      },
      RoleTargetFn(true));
  add("DeleteRole", DeleteRole, RoleTargetFn(true));
  add("PutRolePermissionsBoundary", PutRolePermissionsBoundary,
      [](CallContext& call, const json::object& in) -> Result<authz::AuthzTarget> {
        // iam:PermissionsBoundary is the boundary being set (service reference).
        Result<authz::AuthzTarget> target = RoleTarget(call, GetString(in, "RoleName"), false);
        if (!target) return target;
        target->keys.push_back(
            {"iam:PermissionsBoundary", {std::string(GetString(in, "PermissionsBoundary"))}});
        return target;
      });
  add("DeleteRolePermissionsBoundary", DeleteRolePermissionsBoundary, RoleTargetFn(true));
  add(
      "TagRole",
      [options](CallContext& call, const json::object& in) { return TagRole(call, in, options); },
      WithRequestTags(RoleTargetFn(false)));
  add("UntagRole", UntagRole, WithTagKeys(RoleTargetFn(false)));
  add("ListRoleTags", ListRoleTags, RoleTargetFn(false));
  add(
      "CreateServiceLinkedRole",
      [options](CallContext& call, const json::object& in) {
        return CreateServiceLinkedRole(call, in, options);
      },
      [](CallContext& call, const json::object& in) -> Result<authz::AuthzTarget> {
        const std::string service(GetString(in, "AWSServiceName"));
        bool allowed = false;
        std::string name = "AWSServiceRoleFor" + LinkedRoleSuffix(service, &allowed);
        if (std::optional<std::string> custom = OptString(in, "CustomSuffix")) name += "_" + *custom;
        authz::AuthzTarget target = Target(
            call, {EntityArn(Account(call), "role",
                             fmt::format("{}{}/", kServiceRolePathPrefix, service), name)});
        target.keys.push_back({"iam:AWSServiceName", {service}});
        return target;
      });
  add("DeleteServiceLinkedRole", DeleteServiceLinkedRole, RoleTargetFn(false));
  add("GetServiceLinkedRoleDeletionStatus", GetServiceLinkedRoleDeletionStatus,
      [](CallContext& call, const json::object& in) -> Result<authz::AuthzTarget> {
        // task/aws-service-role/<service>/<role>/<uuid> names the role it deleted.
        std::string_view task = GetString(in, "DeletionTaskId");
        std::string resource = "*";
        if (task.rfind("task/", 0) == 0) {
          std::string_view rest = task.substr(5);
          std::size_t last = rest.rfind('/');
          std::size_t name_start = last == std::string_view::npos ? 0 : rest.rfind('/', last - 1);
          if (last != std::string_view::npos && name_start != std::string_view::npos) {
            resource = EntityArn(Account(call), "role",
                                 "/" + std::string(rest.substr(0, name_start + 1)),
                                 rest.substr(name_start + 1, last - name_start - 1));
          }
        }
        return Target(call, {resource});
      });
}

}  // namespace rampart::services::iam
