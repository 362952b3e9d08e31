#include "services/iam/identity_helpers.h"

#include <fmt/format.h>

#include "common/arn.h"
#include "common/strings.h"

namespace rampart::services::iam::identity {

namespace json = boost::json;

Error NoSuchUser(std::string_view name) {
  return NoSuchEntity(fmt::format("The user with name {} cannot be found.", name));
}

Error NoSuchGroup(std::string_view name) {
  return NoSuchEntity(fmt::format("The group with name {} cannot be found.", name));
}

Result<store::UserRow> FindUser(const store::ReadTransaction& tx, std::string_view account,
                                std::string_view name) {
  Result<store::UserRow> user = tx.Users().Get(account, name);
  if (!user) {
    if (store::IsNotFound(user.error())) return Fail(NoSuchUser(name));
    return Fail(FromStore(user.error()));
  }
  return user;
}

Result<store::GroupRow> FindGroup(const store::ReadTransaction& tx, std::string_view account,
                                  std::string_view name) {
  Result<store::GroupRow> group = tx.Groups().Get(account, name);
  if (!group) {
    if (store::IsNotFound(group.error())) return Fail(NoSuchGroup(name));
    return Fail(FromStore(group.error()));
  }
  return group;
}

std::string UserArn(std::string_view account, std::string_view path, std::string_view name) {
  return EntityArn(account, "user", path, name);
}

void AddRenamedResource(CallContext& call, std::string_view kind, std::string_view name,
                        const std::optional<std::string>& new_name,
                        const std::optional<std::string>& new_path, authz::AuthzTarget& target) {
  if (!new_name && !new_path) return;
  std::string current_path = "/";
  if (Result<Arn> current = Arn::Parse(target.resources.front())) {
    std::string_view resource = current->resource;  // <kind>/<path><name>
    std::size_t last = resource.rfind('/');
    current_path = std::string(resource.substr(kind.size(), last - kind.size() + 1));
  }
  target.resources.push_back(EntityArn(Account(call), kind, new_path.value_or(current_path),
                                       new_name ? std::string_view(*new_name) : name));
}

json::object UserToOutput(const store::UserRow& user, const std::vector<store::Tag>* tags,
                          bool with_boundary) {
  json::object out;
  out["Path"] = user.path;
  out["UserName"] = user.name;
  out["UserId"] = user.id;
  out["Arn"] = user.arn.empty() ? UserArn(user.account_id, user.path, user.name) : user.arn;
  out["CreateDate"] = Time(user.created);
  if (user.password_last_used) out["PasswordLastUsed"] = Time(*user.password_last_used);
  if (with_boundary && !user.permissions_boundary.empty()) {
    // The model's only PermissionsBoundaryAttachmentType value.
    out["PermissionsBoundary"] = json::object{{"PermissionsBoundaryType", "PermissionsBoundaryPolicy"},
                                              {"PermissionsBoundaryArn", user.permissions_boundary}};
  }
  if (tags != nullptr && !tags->empty()) out["Tags"] = TagsToOutput(*tags);
  return out;
}

json::object RootUserToOutput(const store::ReadTransaction& tx, std::string_view account) {
  json::object out;
  out["UserId"] = std::string(account);
  out["Arn"] = RootArn(account);
  if (Result<store::RootUserRow> root = tx.RootUsers().Get(account)) {
    out["CreateDate"] = Time(root->created);
    if (root->password_last_used) out["PasswordLastUsed"] = Time(*root->password_last_used);
  } else if (Result<store::AccountRow> row = tx.Accounts().Get(account)) {
    out["CreateDate"] = Time(row->created);
  }
  return out;
}

json::object GroupToOutput(const store::GroupRow& group) {
  json::object out;
  out["Path"] = group.path;
  out["GroupName"] = group.name;
  out["GroupId"] = group.id;
  out["Arn"] = group.arn.empty() ? EntityArn(group.account_id, "group", group.path, group.name)
                                 : group.arn;
  out["CreateDate"] = Time(group.created);
  return out;
}

Result<Subject> SubjectOf(const CallContext& call, const json::object& in) {
  if (std::optional<std::string> name = OptString(in, "UserName")) {
    return Subject{.root = false, .user_name = std::move(*name)};
  }
  const Principal& caller = call.caller();
  if (caller.type == PrincipalType::kRoot) return Subject{.root = true, .user_name = {}};
  // An IAM user, with its long-term key or a GetSessionToken session of it.
  if (caller.type == PrincipalType::kIAMUser) {
    return Subject{.root = false, .user_name = caller.name};
  }
  return Fail(ValidationError("Must specify userName when calling with non-User credentials"));
}

Result<authz::AuthzTarget> UserTarget(CallContext& call, std::string_view user_name) {
  std::string account(Account(call));
  std::string arn = UserArn(account, "/", user_name);
  std::vector<store::Tag> tags;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<store::UserRow> user = tx.Users().Get(account, user_name);
    if (!user) {
      if (store::IsNotFound(user.error())) return Ok();
      return Fail(FromStore(user.error()));
    }
    arn = UserArn(account, user->path, user->name);
    Result<std::vector<store::Tag>> listed =
        tx.Tags().List(store::TagRef{store::TaggableType::kUser, user->id});
    if (listed) tags = std::move(*listed);
    return Ok();
  });
  if (!read) return Fail(read.error());
  authz::AuthzTarget target = Target(call, {arn});
  AddResourceTags(target, tags);
  return target;
}

Result<authz::AuthzTarget> SubjectTarget(CallContext& call, const json::object& in) {
  if (OptString(in, "UserName").has_value()) return UserTarget(call, GetString(in, "UserName"));
  const Principal& caller = call.caller();
  if (caller.type == PrincipalType::kIAMUser) return UserTarget(call, caller.name);
  // Root (allowed in its account whatever the resource) and other callers: their own ARN.
  return Target(call, {caller.arn});
}

Result<authz::AuthzTarget> GroupTarget(CallContext& call, std::string_view group_name) {
  std::string account(Account(call));
  std::string arn = EntityArn(account, "group", "/", group_name);
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<store::GroupRow> group = tx.Groups().Get(account, group_name);
    if (!group) {
      if (store::IsNotFound(group.error())) return Ok();
      return Fail(FromStore(group.error()));
    }
    arn = EntityArn(account, "group", group->path, group->name);
    return Ok();
  });
  if (!read) return Fail(read.error());
  return Target(call, {arn});
}

Result<Slice> PageSlice(const CallContext& call, const json::object& in, std::size_t total) {
  Result<std::size_t> start = PageStart(call, in, {});
  if (!start) return Fail(start.error());
  Slice slice;
  slice.begin = std::min(*start, total);
  slice.end = std::min(total, slice.begin + static_cast<std::size_t>(MaxItems(in)));
  return slice;
}

void SetSlicePage(const CallContext& call, const json::object& in, const Slice& slice,
                  std::size_t total, json::object& out) {
  std::optional<std::string> next;
  if (slice.end < total) next = std::to_string(slice.end);
  SetPage(call, in, {}, next, out);
}

Result<void> PutTagsWithinQuota(store::WriteTransaction& tx, std::string_view account,
                                const store::TagRef& ref, const std::vector<store::Tag>& adding,
                                std::int64_t quota, std::string_view quota_name) {
  Result<std::vector<store::Tag>> existing = tx.Tags().List(ref);
  if (!existing) return Fail(FromStore(existing.error()));
  std::int64_t count = static_cast<std::int64_t>(existing->size());
  for (const store::Tag& tag : adding) {
    bool present = false;
    for (const store::Tag& old : *existing) {
      if (EqualsIgnoreCase(old.key, tag.key)) present = true;
    }
    if (!present) ++count;
  }
  if (count > quota) return Fail(QuotaExceeded(quota_name, quota));
  if (Result<void> put = tx.Tags().Put(account, ref, adding); !put) {
    return Fail(FromStore(put.error()));
  }
  return Ok();
}

}  // namespace rampart::services::iam::identity
