// IAM groups: CreateGroup, GetGroup (with members), ListGroups, UpdateGroup, DeleteGroup,
// AddUserToGroup, RemoveUserFromGroup, ListGroupsForUser.
#include <fmt/format.h>

#include "common/arn.h"
#include "common/ids.h"
#include "services/iam/iam.h"
#include "services/iam/identity_helpers.h"

namespace rampart::services::iam {

namespace {

using identity::FindGroup;
using identity::FindUser;
using identity::GroupTarget;
using identity::GroupToOutput;

Error GroupExists(std::string_view name) {
  return EntityAlreadyExists(fmt::format("Group with name {} already exists.", name));
}

std::string GroupArn(std::string_view account, std::string_view path, std::string_view name) {
  return EntityArn(account, "group", path, name);
}

Result<authz::AuthzTarget> CreateGroupTarget(CallContext& call, const json::object& in) {
  return Target(call, {GroupArn(Account(call), GetString(in, "Path", "/"),
                                GetString(in, "GroupName"))});
}

Result<json::object> CreateGroup(CallContext& call, const json::object& in,
                                 const IamOptions& options) {
  std::string account(Account(call));
  store::GroupRow group;
  group.account_id = account;
  group.id = ids::NewUniqueId("AGPA");
  group.name = std::string(GetString(in, "GroupName"));
  group.path = std::string(GetString(in, "Path", "/"));
  group.created = call.now;
  if (Result<void> path = CheckPath(group.path); !path) return Fail(path.error());
  json::object out{{"Group", GroupToOutput(group)}};
  call.Respond(out);  // known before the write: recorded with the change
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<std::int64_t> count = tx.Groups().Count(account);
    if (!count) return Fail(FromStore(count.error()));
    if (*count >= options.quotas.groups_per_account) {
      return Fail(QuotaExceeded("GroupsPerAccount", options.quotas.groups_per_account));
    }
    if (Result<void> made = tx.Groups().Create(group); !made) {
      if (store::IsConflict(made.error())) return Fail(GroupExists(group.name));
      return Fail(FromStore(made.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return out;
}

Result<authz::AuthzTarget> NamedGroupTarget(CallContext& call, const json::object& in) {
  return GroupTarget(call, GetString(in, "GroupName"));
}

Result<json::object> GetGroup(CallContext& call, const json::object& in) {
  Result<store::ListQuery> query = PageQuery(call, in, {"GroupName"});
  if (!query) return Fail(query.error());
  query->path_prefix = "/";
  std::string account(Account(call));
  json::object out;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<store::GroupRow> group = FindGroup(tx, account, GetString(in, "GroupName"));
    if (!group) return Fail(group.error());
    Result<store::Page<store::UserRow>> members = tx.Groups().ListMembers(group->id, *query);
    if (!members) return Fail(FromStore(members.error()));
    out["Group"] = GroupToOutput(*group);
    json::array users;
    for (const store::UserRow& user : members->items) {
      users.push_back(identity::UserToOutput(user, nullptr, false));
    }
    out["Users"] = std::move(users);
    SetPage(call, in, {"GroupName"}, members->next_marker, out);
    return Ok();
  });
  if (!read) return Fail(read.error());
  return out;
}

Result<json::object> ListGroups(CallContext& call, const json::object& in) {
  Result<store::ListQuery> query = PageQuery(call, in, {"PathPrefix"});
  if (!query) return Fail(query.error());
  std::string account(Account(call));
  json::object out;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<store::Page<store::GroupRow>> page = tx.Groups().List(account, *query);
    if (!page) return Fail(FromStore(page.error()));
    json::array groups;
    for (const store::GroupRow& group : page->items) groups.push_back(GroupToOutput(group));
    out["Groups"] = std::move(groups);
    SetPage(call, in, {"PathPrefix"}, page->next_marker, out);
    return Ok();
  });
  if (!read) return Fail(read.error());
  return out;
}

// As UpdateUser, a rename or move needs permission on the current and the new ARN.
Result<authz::AuthzTarget> UpdateGroupTarget(CallContext& call, const json::object& in) {
  std::string name(GetString(in, "GroupName"));
  Result<authz::AuthzTarget> target = GroupTarget(call, name);
  if (!target) return target;
  identity::AddRenamedResource(call, "group", name, OptString(in, "NewGroupName"),
                               OptString(in, "NewPath"), *target);
  return target;
}

Result<json::object> UpdateGroup(CallContext& call, const json::object& in) {
  std::string account(Account(call));
  std::optional<std::string> new_name = OptString(in, "NewGroupName");
  std::optional<std::string> new_path = OptString(in, "NewPath");
  if (new_path) {
    if (Result<void> ok = CheckPath(*new_path); !ok) return Fail(ok.error());
  }
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::GroupRow> group = FindGroup(tx, account, GetString(in, "GroupName"));
    if (!group) return Fail(group.error());
    if (new_name) group->name = *new_name;
    if (new_path) group->path = *new_path;
    group->arn.clear();
    if (Result<void> updated = tx.Groups().Update(*group); !updated) {
      if (store::IsConflict(updated.error())) return Fail(GroupExists(group->name));
      return Fail(FromStore(updated.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

Result<json::object> DeleteGroup(CallContext& call, const json::object& in) {
  std::string account(Account(call));
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::GroupRow> group = FindGroup(tx, account, GetString(in, "GroupName"));
    if (!group) return Fail(group.error());
    // DeleteGroup API reference: "The group must not contain any users or have any attached
    // policies." Messages as AWS words them.
    Result<std::int64_t> members = tx.Groups().CountMembers(group->id);
    if (!members) return Fail(FromStore(members.error()));
    if (*members > 0) {
      return Fail(DeleteConflict("Cannot delete entity, must remove users from group first."));
    }
    store::EntityRef ref = store::EntityRef::Group(group->id);
    Result<std::int64_t> inline_count = tx.InlinePolicies().Count(ref);
    if (!inline_count) return Fail(FromStore(inline_count.error()));
    if (*inline_count > 0) {
      return Fail(DeleteConflict("Cannot delete entity, must delete policies first."));
    }
    Result<std::int64_t> attached = tx.Attachments().CountForEntity(ref);
    if (!attached) return Fail(FromStore(attached.error()));
    if (*attached > 0) {
      return Fail(DeleteConflict("Cannot delete entity, must detach all policies first."));
    }
    if (Result<void> deleted = tx.Groups().Delete(group->id); !deleted) {
      if (store::IsConflict(deleted.error())) {
        return Fail(DeleteConflict("Cannot delete entity, must remove referenced objects first."));
      }
      return Fail(FromStore(deleted.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

Result<json::object> AddUserToGroup(CallContext& call, const json::object& in,
                                    const IamOptions& options) {
  std::string account(Account(call));
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::GroupRow> group = FindGroup(tx, account, GetString(in, "GroupName"));
    if (!group) return Fail(group.error());
    Result<store::UserRow> user = FindUser(tx, account, GetString(in, "UserName"));
    if (!user) return Fail(user.error());
    Result<std::int64_t> count = tx.Groups().CountForUser(user->id);
    if (!count) return Fail(FromStore(count.error()));
    Result<void> added = tx.Groups().AddMember(group->id, user->id);
    if (!added) {
      // Adding a member twice succeeds in AWS (the operation is idempotent).
      if (store::IsConflict(added.error())) return Ok();
      return Fail(FromStore(added.error()));
    }
    if (*count >= options.quotas.groups_per_user) {
      return Fail(QuotaExceeded("GroupsPerUser", options.quotas.groups_per_user));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

Result<json::object> RemoveUserFromGroup(CallContext& call, const json::object& in) {
  std::string account(Account(call));
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::GroupRow> group = FindGroup(tx, account, GetString(in, "GroupName"));
    if (!group) return Fail(group.error());
    Result<store::UserRow> user = FindUser(tx, account, GetString(in, "UserName"));
    if (!user) return Fail(user.error());
    if (Result<void> removed = tx.Groups().RemoveMember(group->id, user->id); !removed) {
      if (store::IsNotFound(removed.error())) {
        return Fail(NoSuchEntity(
            fmt::format("User {} is not in group {}.", user->name, group->name)));
      }
      return Fail(FromStore(removed.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

Result<authz::AuthzTarget> ListGroupsForUserTarget(CallContext& call, const json::object& in) {
  return identity::UserTarget(call, GetString(in, "UserName"));
}

Result<json::object> ListGroupsForUser(CallContext& call, const json::object& in) {
  Result<store::ListQuery> query = PageQuery(call, in, {"UserName"});
  if (!query) return Fail(query.error());
  query->path_prefix = "/";
  std::string account(Account(call));
  json::object out;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<store::UserRow> user = FindUser(tx, account, GetString(in, "UserName"));
    if (!user) return Fail(user.error());
    Result<store::Page<store::GroupRow>> page = tx.Groups().ListForUser(user->id, *query);
    if (!page) return Fail(FromStore(page.error()));
    json::array groups;
    for (const store::GroupRow& group : page->items) groups.push_back(GroupToOutput(group));
    out["Groups"] = std::move(groups);
    SetPage(call, in, {"UserName"}, page->next_marker, out);
    return Ok();
  });
  if (!read) return Fail(read.error());
  return out;
}

}  // namespace

void RegisterGroups(HandlerRegistry& registry, const IamOptions& options) {
  registry.Add("iam", "CreateGroup",
               OperationSpec{.handler = [options](CallContext& call, const json::object& in) {
                               return CreateGroup(call, in, options);
                             },
                             .target = CreateGroupTarget});
  registry.Add("iam", "GetGroup", OperationSpec{.handler = GetGroup, .target = NamedGroupTarget});
  registry.Add("iam", "ListGroups", OperationSpec{.handler = ListGroups});
  registry.Add("iam", "UpdateGroup",
               OperationSpec{.handler = UpdateGroup, .target = UpdateGroupTarget});
  registry.Add("iam", "DeleteGroup",
               OperationSpec{.handler = DeleteGroup, .target = NamedGroupTarget});
  registry.Add("iam", "AddUserToGroup",
               OperationSpec{.handler = [options](CallContext& call, const json::object& in) {
                               return AddUserToGroup(call, in, options);
                             },
                             .target = NamedGroupTarget});
  registry.Add("iam", "RemoveUserFromGroup",
               OperationSpec{.handler = RemoveUserFromGroup, .target = NamedGroupTarget});
  registry.Add("iam", "ListGroupsForUser",
               OperationSpec{.handler = ListGroupsForUser, .target = ListGroupsForUserTarget});
}

}  // namespace rampart::services::iam
