// IAM users: CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser,
// Put/DeleteUserPermissionsBoundary, TagUser, UntagUser, ListUserTags.
#include <fmt/format.h>

#include "authz/managed_policies.h"
#include "common/arn.h"
#include "common/ids.h"
#include "services/iam/iam.h"
#include "services/iam/identity_helpers.h"

namespace rampart::services::iam {

namespace {

using identity::FindUser;
using identity::NoSuchUser;
using identity::UserArn;
using identity::UserTarget;
using identity::UserToOutput;

store::TagRef UserTags(const store::UserRow& user) {
  return store::TagRef{store::TaggableType::kUser, user.id};
}

// A permissions boundary must name a managed policy that exists: a customer managed policy
// of any account's store rows or an AWS managed policy. Errors as IAM words them: a
// malformed ARN -> InvalidInput "ARN X is not valid." (recorded for CreateRole /
// PutRolePermissionsBoundary); a well-formed ARN naming nothing -> NoSuchEntity
// "Scope ARN: X does not exist or is not attachable.".
Result<void> CheckBoundary(const store::ReadTransaction& tx, std::string_view arn) {
  Result<Arn> parsed = Arn::Parse(arn);
  if (!parsed || parsed->service != "iam" || !parsed->resource.starts_with("policy/")) {
    return Fail(InvalidInput(fmt::format("ARN {} is not valid.", arn)));
  }
  if (authz::IsAwsManagedPolicyArn(arn)) {
    if (authz::AwsManagedPolicies::Get().Find(arn) != nullptr) return Ok();
  } else {
    Result<store::ManagedPolicyRow> policy = tx.Policies().GetByArn(arn);
    if (policy) return Ok();
    if (!store::IsNotFound(policy.error())) return Fail(FromStore(policy.error()));
  }
  return Fail(NoSuchEntity(fmt::format("Scope ARN: {} does not exist or is not attachable.", arn)));
}

Error UserExists(std::string_view name) {
  return EntityAlreadyExists(fmt::format("User with name {} already exists.", name));
}

// ---------------------------------------------------------------------------------------

Result<authz::AuthzTarget> CreateUserTarget(CallContext& call, const json::object& in) {
  std::string path(GetString(in, "Path", "/"));
  authz::AuthzTarget target =
      Target(call, {UserArn(Account(call), path, GetString(in, "UserName"))});
  Result<std::vector<store::Tag>> tags = TagsFromInput(in);
  if (!tags) return Fail(tags.error());
  AddRequestTags(target, *tags);
  if (std::optional<std::string> boundary = OptString(in, "PermissionsBoundary")) {
    target.keys.push_back({"iam:PermissionsBoundary", {*boundary}});
  }
  return target;
}

Result<json::object> CreateUser(CallContext& call, const json::object& in,
                                const IamOptions& options) {
  std::string account(Account(call));
  store::UserRow user;
  user.account_id = account;
  user.id = ids::NewUniqueId("AIDA");
  user.name = std::string(GetString(in, "UserName"));
  user.path = std::string(GetString(in, "Path", "/"));
  user.created = call.now;
  user.permissions_boundary = std::string(GetString(in, "PermissionsBoundary"));
  if (Result<void> path = CheckPath(user.path); !path) return Fail(path.error());
  Result<std::vector<store::Tag>> tags = TagsFromInput(in);
  if (!tags) return Fail(tags.error());
  if (static_cast<std::int64_t>(tags->size()) > options.quotas.tags_per_entity) {
    return Fail(QuotaExceeded("TagsPerUser", options.quotas.tags_per_entity));
  }
  // The response is known before the write: declared, it is recorded with the change.
  user.arn = UserArn(account, user.path, user.name);
  json::object out{{"User", UserToOutput(user, &*tags, true)}};
  call.Respond(out);
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<std::int64_t> count = tx.Users().Count(account);
    if (!count) return Fail(FromStore(count.error()));
    if (*count >= options.quotas.users_per_account) {
      return Fail(QuotaExceeded("UsersPerAccount", options.quotas.users_per_account));
    }
    if (!user.permissions_boundary.empty()) {
      if (Result<void> ok = CheckBoundary(tx, user.permissions_boundary); !ok) return ok;
    }
    if (Result<void> made = tx.Users().Create(user); !made) {
      if (store::IsConflict(made.error())) return Fail(UserExists(user.name));
      return Fail(FromStore(made.error()));
    }
    if (!tags->empty()) {
      if (Result<void> put = tx.Tags().Put(account, UserTags(user), *tags); !put) {
        return Fail(FromStore(put.error()));
      }
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return out;
}

Result<authz::AuthzTarget> GetUserTarget(CallContext& call, const json::object& in) {
  return identity::SubjectTarget(call, in);
}

Result<json::object> GetUser(CallContext& call, const json::object& in) {
  Result<identity::Subject> subject = identity::SubjectOf(call, in);
  if (!subject) return Fail(subject.error());
  std::string account(Account(call));
  json::object out;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    if (subject->root) {
      // Root calling GetUser without UserName gets the root user's view (UserId = account
      // id, Arn = arn:aws:iam::ACCOUNT:root), as AWS answers.
      out["User"] = identity::RootUserToOutput(tx, account);
      return Ok();
    }
    Result<store::UserRow> user = FindUser(tx, account, subject->user_name);
    if (!user) return Fail(user.error());
    Result<std::vector<store::Tag>> tags = tx.Tags().List(UserTags(*user));
    if (!tags) return Fail(FromStore(tags.error()));
    out["User"] = UserToOutput(*user, &*tags, true);
    return Ok();
  });
  if (!read) return Fail(read.error());
  return out;
}

Result<json::object> ListUsers(CallContext& call, const json::object& in) {
  Result<store::ListQuery> query = PageQuery(call, in, {"PathPrefix"});
  if (!query) return Fail(query.error());
  std::string account(Account(call));
  json::object out;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<store::Page<store::UserRow>> page = tx.Users().List(account, *query);
    if (!page) return Fail(FromStore(page.error()));
    json::array users;
    for (const store::UserRow& user : page->items) users.push_back(UserToOutput(user, nullptr, false));
    out["Users"] = std::move(users);
    SetPage(call, in, {"PathPrefix"}, page->next_marker, out);
    return Ok();
  });
  if (!read) return Fail(read.error());
  return out;
}

// Renaming or moving a user needs permission on both the current and the new ARN (UpdateUser
// API reference: "the requester must have appropriate permissions on both the source object
// and the target object").
Result<authz::AuthzTarget> UpdateUserTarget(CallContext& call, const json::object& in) {
  std::string name(GetString(in, "UserName"));
  Result<authz::AuthzTarget> target = UserTarget(call, name);
  if (!target) return target;
  identity::AddRenamedResource(call, "user", name, OptString(in, "NewUserName"),
                               OptString(in, "NewPath"), *target);
  return target;
}

Result<json::object> UpdateUser(CallContext& call, const json::object& in) {
  std::string account(Account(call));
  std::string name(GetString(in, "UserName"));
  std::optional<std::string> new_name = OptString(in, "NewUserName");
  std::optional<std::string> new_path = OptString(in, "NewPath");
  if (new_path) {
    if (Result<void> ok = CheckPath(*new_path); !ok) return Fail(ok.error());
  }
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::UserRow> user = FindUser(tx, account, name);
    if (!user) return Fail(user.error());
    if (new_name) user->name = *new_name;
    if (new_path) user->path = *new_path;
    user->arn.clear();  // derived again by the store
    if (Result<void> updated = tx.Users().Update(*user); !updated) {
      if (store::IsConflict(updated.error())) return Fail(UserExists(user->name));
      return Fail(FromStore(updated.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

Result<json::object> DeleteUser(CallContext& call, const json::object& in) {
  std::string account(Account(call));
  std::string name(GetString(in, "UserName"));
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::UserRow> user = FindUser(tx, account, name);
    if (!user) return Fail(user.error());
    // The DeleteUser API reference lists what must go first, in this order: password, access
    // keys, signing certificates, SSH public keys, service-specific credentials, MFA devices,
    // inline policies, attached managed policies, group memberships. Messages as AWS words
    // them (recorded: errors.json; others from public reports of real responses).
    Result<store::LoginProfileRow> profile = tx.LoginProfiles().Get(user->id);
    if (profile) return Fail(DeleteConflict("Cannot delete entity, must delete login profile first."));
    if (!store::IsNotFound(profile.error())) return Fail(FromStore(profile.error()));
    Result<std::int64_t> keys = tx.AccessKeys().CountForOwner(account, user->id);
    if (!keys) return Fail(FromStore(keys.error()));
    if (*keys > 0) return Fail(DeleteConflict("Cannot delete entity, must delete access keys first."));
    Result<std::int64_t> mfa = tx.MfaDevices().CountForOwner(account, user->id);
    if (!mfa) return Fail(FromStore(mfa.error()));
    if (*mfa > 0) return Fail(DeleteConflict("Cannot delete entity, must delete MFA device first."));
    store::EntityRef ref = store::EntityRef::User(user->id);
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
    Result<std::int64_t> groups = tx.Groups().CountForUser(user->id);
    if (!groups) return Fail(FromStore(groups.error()));
    if (*groups > 0) {
      return Fail(DeleteConflict("Cannot delete entity, must remove users from group first."));
    }
    if (Result<void> deleted = tx.Users().Delete(user->id); !deleted) {
      // A dependant the checks above do not know of (e.g. added by a later family).
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

Result<authz::AuthzTarget> PutBoundaryTarget(CallContext& call, const json::object& in) {
  Result<authz::AuthzTarget> target = UserTarget(call, GetString(in, "UserName"));
  if (!target) return target;
  target->keys.push_back({"iam:PermissionsBoundary", {std::string(GetString(in, "PermissionsBoundary"))}});
  return target;
}

Result<json::object> PutUserPermissionsBoundary(CallContext& call, const json::object& in) {
  std::string account(Account(call));
  std::string name(GetString(in, "UserName"));
  std::string boundary(GetString(in, "PermissionsBoundary"));
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::UserRow> user = FindUser(tx, account, name);
    if (!user) return Fail(user.error());
    if (Result<void> ok = CheckBoundary(tx, boundary); !ok) return ok;
    user->permissions_boundary = boundary;
    user->arn.clear();
    if (Result<void> updated = tx.Users().Update(*user); !updated) {
      return Fail(FromStore(updated.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

// iam:PermissionsBoundary on DeleteUserPermissionsBoundary is the boundary being removed.
Result<authz::AuthzTarget> DeleteBoundaryTarget(CallContext& call, const json::object& in) {
  std::string name(GetString(in, "UserName"));
  Result<authz::AuthzTarget> target = UserTarget(call, name);
  if (!target) return target;
  std::string account(Account(call));
  std::string boundary;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    if (Result<store::UserRow> user = tx.Users().Get(account, name)) {
      boundary = user->permissions_boundary;
    }
    return Ok();
  });
  if (!read) return Fail(read.error());
  if (!boundary.empty()) target->keys.push_back({"iam:PermissionsBoundary", {boundary}});
  return target;
}

Result<json::object> DeleteUserPermissionsBoundary(CallContext& call, const json::object& in) {
  std::string account(Account(call));
  std::string name(GetString(in, "UserName"));
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::UserRow> user = FindUser(tx, account, name);
    if (!user) return Fail(user.error());
    if (user->permissions_boundary.empty()) return Ok();
    user->permissions_boundary.clear();
    user->arn.clear();
    if (Result<void> updated = tx.Users().Update(*user); !updated) {
      return Fail(FromStore(updated.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

Result<json::object> TagUser(CallContext& call, const json::object& in, const IamOptions& options) {
  std::string account(Account(call));
  std::string name(GetString(in, "UserName"));
  Result<std::vector<store::Tag>> tags = TagsFromInput(in);
  if (!tags) return Fail(tags.error());
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::UserRow> user = FindUser(tx, account, name);
    if (!user) return Fail(user.error());
    return identity::PutTagsWithinQuota(tx, account, UserTags(*user), *tags,
                                        options.quotas.tags_per_entity, "TagsPerUser");
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

Result<json::object> UntagUser(CallContext& call, const json::object& in) {
  std::string account(Account(call));
  std::string name(GetString(in, "UserName"));
  std::vector<std::string> keys = GetStringList(in, "TagKeys");
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::UserRow> user = FindUser(tx, account, name);
    if (!user) return Fail(user.error());
    if (Result<void> removed = tx.Tags().Remove(UserTags(*user), keys); !removed) {
      return Fail(FromStore(removed.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

Result<json::object> ListUserTags(CallContext& call, const json::object& in) {
  std::string account(Account(call));
  std::vector<store::Tag> tags;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<store::UserRow> user = FindUser(tx, account, GetString(in, "UserName"));
    if (!user) return Fail(user.error());
    Result<std::vector<store::Tag>> listed = tx.Tags().List(UserTags(*user));
    if (!listed) return Fail(FromStore(listed.error()));
    tags = std::move(*listed);
    return Ok();
  });
  if (!read) return Fail(read.error());
  return TagsPage(call, in, tags, {"UserName"});
}

Result<authz::AuthzTarget> NamedUserTarget(CallContext& call, const json::object& in) {
  return UserTarget(call, GetString(in, "UserName"));
}

}  // namespace

void RegisterUsers(HandlerRegistry& registry, const IamOptions& options) {
  registry.Add("iam", "CreateUser",
               OperationSpec{.handler = [options](CallContext& call, const json::object& in) {
                               return CreateUser(call, in, options);
                             },
                             .target = CreateUserTarget});
  registry.Add("iam", "GetUser", OperationSpec{.handler = GetUser, .target = GetUserTarget});
  registry.Add("iam", "ListUsers", OperationSpec{.handler = ListUsers});
  registry.Add("iam", "UpdateUser", OperationSpec{.handler = UpdateUser, .target = UpdateUserTarget});
  registry.Add("iam", "DeleteUser", OperationSpec{.handler = DeleteUser, .target = NamedUserTarget});
  registry.Add("iam", "PutUserPermissionsBoundary",
               OperationSpec{.handler = PutUserPermissionsBoundary, .target = PutBoundaryTarget});
  registry.Add("iam", "DeleteUserPermissionsBoundary",
               OperationSpec{.handler = DeleteUserPermissionsBoundary,
                             .target = DeleteBoundaryTarget});
  registry.Add("iam", "TagUser",
               OperationSpec{.handler = [options](CallContext& call, const json::object& in) {
                               return TagUser(call, in, options);
                             },
                             .target = WithRequestTags(NamedUserTarget)});
  registry.Add("iam", "UntagUser",
               OperationSpec{.handler = UntagUser, .target = WithTagKeys(NamedUserTarget)});
  registry.Add("iam", "ListUserTags",
               OperationSpec{.handler = ListUserTags, .target = NamedUserTarget});
}

}  // namespace rampart::services::iam
