#include "services/iam/policy_holders.h"

#include <fmt/format.h>

namespace rampart::services::iam {

namespace json = boost::json;

std::string OperationNoun(const PolicyHolderKind& kind) {
  switch (kind.type) {
    case store::EntityType::kUser: return "User";
    case store::EntityType::kGroup: return "Group";
    case store::EntityType::kRole: return "Role";
  }
  return "";
}

bool IsProtectedRole(const store::RoleRow& role) {
  return role.path.rfind("/aws-service-role/", 0) == 0 ||
         role.path.rfind("/aws-reserved/", 0) == 0;
}

Error ProtectedRole(std::string_view name) {
  return UnmodifiableEntity(fmt::format(
      "Cannot perform the operation on the protected role '{}' - this role is only modifiable by "
      "AWS",
      name));
}

Result<PolicyHolder> FindPolicyHolder(const store::ReadTransaction& tx, std::string_view account,
                                      const PolicyHolderKind& kind, std::string_view name) {
  switch (kind.type) {
    case store::EntityType::kUser: {
      Result<store::UserRow> user = tx.Users().Get(account, name);
      if (!user) return Fail(user.error());
      return PolicyHolder{store::EntityRef::User(user->id), user->name, user->path,
                          user->permissions_boundary, false};
    }
    case store::EntityType::kGroup: {
      Result<store::GroupRow> group = tx.Groups().Get(account, name);
      if (!group) return Fail(group.error());
      return PolicyHolder{store::EntityRef::Group(group->id), group->name, group->path, "",
                          false};
    }
    case store::EntityType::kRole: {
      Result<store::RoleRow> role = tx.Roles().Get(account, name);
      if (!role) return Fail(role.error());
      return PolicyHolder{store::EntityRef::Role(role->id), role->name, role->path,
                          role->permissions_boundary, IsProtectedRole(*role)};
    }
  }
  return Fail(ServiceFailure("unknown entity type"));
}

Result<PolicyHolder> ReadPolicyHolder(const store::ReadTransaction& tx, std::string_view account,
                                      const PolicyHolderKind& kind, std::string_view name) {
  Result<PolicyHolder> holder = FindPolicyHolder(tx, account, kind, name);
  if (!holder) {
    if (store::IsNotFound(holder.error())) {
      return Fail(
          NoSuchEntity(fmt::format("The {} with name {} cannot be found.", kind.noun, name)));
    }
    return Fail(FromStore(holder.error()));
  }
  return holder;
}

TargetFn PolicyHolderTarget(const PolicyHolderKind& kind, bool with_boundary) {
  return [&kind, with_boundary](CallContext& call,
                                const json::object& in) -> Result<authz::AuthzTarget> {
    const std::string_view name = GetString(in, kind.name_member);
    authz::AuthzTarget target = Target(call, {EntityArn(Account(call), kind.noun, "/", name)});
    Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
      Result<PolicyHolder> holder = FindPolicyHolder(tx, Account(call), kind, name);
      if (!holder) return Ok();
      target.resources = {EntityArn(Account(call), kind.noun, holder->path, holder->name)};
      if (kind.type != store::EntityType::kGroup) {
        store::TagRef ref{kind.type == store::EntityType::kUser ? store::TaggableType::kUser
                                                                : store::TaggableType::kRole,
                          holder->ref.id};
        Result<std::vector<store::Tag>> tags = tx.Tags().List(ref);
        if (tags) AddResourceTags(target, *tags);
        if (with_boundary && !holder->boundary.empty()) {
          target.keys.push_back({"iam:PermissionsBoundary", {holder->boundary}});
        }
      }
      return Ok();
    });
    if (!read) return Fail(read.error());
    return target;
  };
}

}  // namespace rampart::services::iam
