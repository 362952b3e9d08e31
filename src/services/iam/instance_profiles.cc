// IAM instance profiles: Create/Get/List/DeleteInstanceProfile, Add/RemoveRoleFromInstanceProfile,
// ListInstanceProfilesForRole, Tag/Untag/ListInstanceProfileTags.
//
// AWS references: the IAM API reference page of each operation; recorded AWS responses and
// errors in /work/shared/aws/recorded (messages below are theirs, byte for byte).
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "common/ids.h"
#include "common/strings.h"
#include "services/iam/iam.h"
#include "services/iam/identity_helpers.h"

namespace rampart::services::iam {
namespace {

Error NoSuchProfile(std::string_view name) {
  return NoSuchEntity(fmt::format("Instance Profile {} cannot be found.", name));
}

Error NoSuchRole(std::string_view name) {
  return NoSuchEntity(fmt::format("The role with name {} cannot be found.", name));
}

// A role as it appears inside an InstanceProfile (AWS returns the basic members only; see
// the recorded GetInstanceProfile response).
json::object ProfileRoleToOutput(std::string_view account, const store::RoleRow& role) {
  json::object out;
  out["Path"] = role.path;
  out["RoleName"] = role.name;
  out["RoleId"] = role.id;
  out["Arn"] = EntityArn(account, "role", role.path, role.name);
  out["CreateDate"] = Time(role.created);
  out["AssumeRolePolicyDocument"] = UrlEncodeDocument(role.assume_role_policy);
  return out;
}

// `tags` null: the member is left out (lists); otherwise always present, as AWS does for
// Create/GetInstanceProfile.
Result<json::object> ProfileToOutput(const store::ReadTransaction& tx, std::string_view account,
                                     const store::InstanceProfileRow& profile,
                                     const std::vector<store::Tag>* tags) {
  json::object out;
  out["Path"] = profile.path;
  out["InstanceProfileName"] = profile.name;
  out["InstanceProfileId"] = profile.id;
  out["Arn"] = EntityArn(account, "instance-profile", profile.path, profile.name);
  out["CreateDate"] = Time(profile.created);
  Result<std::vector<store::RoleRow>> roles = tx.InstanceProfiles().ListRoles(profile.id);
  if (!roles) return Fail(FromStore(roles.error()));
  json::array role_list;
  for (const store::RoleRow& role : *roles) role_list.push_back(ProfileRoleToOutput(account, role));
  out["Roles"] = std::move(role_list);
  if (tags != nullptr) out["Tags"] = TagsToOutput(*tags);
  return out;
}

Result<store::InstanceProfileRow> ReadProfile(const store::ReadTransaction& tx,
                                              std::string_view account, std::string_view name) {
  Result<store::InstanceProfileRow> profile = tx.InstanceProfiles().Get(account, name);
  if (!profile) {
    if (store::IsNotFound(profile.error())) return Fail(NoSuchProfile(name));
    return Fail(FromStore(profile.error()));
  }
  return profile;
}

Result<store::RoleRow> ReadRole(const store::ReadTransaction& tx, std::string_view account,
                                std::string_view name) {
  Result<store::RoleRow> role = tx.Roles().Get(account, name);
  if (!role) {
    if (store::IsNotFound(role.error())) return Fail(NoSuchRole(name));
    return Fail(FromStore(role.error()));
  }
  return role;
}

// Resource arn:aws:iam::ACCOUNT:instance-profile/PATH/NAME (stored path when it exists) and
// its tags as aws:ResourceTag/*.
Result<authz::AuthzTarget> ProfileTarget(CallContext& call, const json::object& in) {
  const std::string_view name = GetString(in, "InstanceProfileName");
  authz::AuthzTarget target =
      Target(call, {EntityArn(Account(call), "instance-profile", "/", name)});
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<store::InstanceProfileRow> profile = tx.InstanceProfiles().Get(Account(call), name);
    if (!profile) return store::IsNotFound(profile.error()) ? Ok() : Fail(FromStore(profile.error()));
    target.resources = {EntityArn(Account(call), "instance-profile", profile->path, profile->name)};
    Result<std::vector<store::Tag>> tags =
        tx.Tags().List({store::TaggableType::kInstanceProfile, profile->id});
    if (tags) AddResourceTags(target, *tags);
    return Ok();
  });
  if (!read) return Fail(read.error());
  return target;
}

Result<json::object> CreateInstanceProfile(CallContext& call, const json::object& in,
                                           const IamOptions& options) {
  const std::string path(GetString(in, "Path", "/"));
  if (Result<void> ok = CheckPath(path); !ok) return Fail(ok.error());
  Result<std::vector<store::Tag>> tags = TagsFromInput(in);
  if (!tags) return Fail(tags.error());
  store::InstanceProfileRow profile;
  profile.account_id = std::string(Account(call));
  profile.id = ids::NewUniqueId("AIPA");
  profile.name = std::string(GetString(in, "InstanceProfileName"));
  profile.path = path;
  profile.created = call.now;
  json::object out;
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<std::int64_t> count = tx.InstanceProfiles().Count(profile.account_id);
    if (!count) return Fail(FromStore(count.error()));
    if (*count >= options.quotas.instance_profiles_per_account) {
      return Fail(QuotaExceeded("InstanceProfilesPerAccount",
                                options.quotas.instance_profiles_per_account));
    }
    if (Result<void> made = tx.InstanceProfiles().Create(profile); !made) {
      if (store::IsConflict(made.error())) {
        return Fail(EntityAlreadyExists(
            fmt::format("Instance Profile {} already exists.", profile.name)));
      }
      return Fail(FromStore(made.error()));
    }
    if (!tags->empty()) {
      if (Result<void> put = tx.Tags().Put(profile.account_id,
                                           {store::TaggableType::kInstanceProfile, profile.id},
                                           *tags);
          !put) {
        return Fail(FromStore(put.error()));
      }
    }
    Result<json::object> rendered = ProfileToOutput(tx, profile.account_id, profile, &*tags);
    if (!rendered) return Fail(rendered.error());
    out["InstanceProfile"] = std::move(*rendered);
    call.Respond(out);  // the record is committed complete with the profile
    return Ok();
  });
  if (!written) return Fail(written.error());
  return out;
}

Result<json::object> GetInstanceProfile(CallContext& call, const json::object& in) {
  json::object out;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<store::InstanceProfileRow> profile =
        ReadProfile(tx, Account(call), GetString(in, "InstanceProfileName"));
    if (!profile) return Fail(profile.error());
    Result<std::vector<store::Tag>> tags =
        tx.Tags().List({store::TaggableType::kInstanceProfile, profile->id});
    if (!tags) return Fail(FromStore(tags.error()));
    Result<json::object> rendered = ProfileToOutput(tx, Account(call), *profile, &*tags);
    if (!rendered) return Fail(rendered.error());
    out["InstanceProfile"] = std::move(*rendered);
    return Ok();
  });
  if (!read) return Fail(read.error());
  return out;
}

Result<json::object> RenderProfilePage(const store::ReadTransaction& tx, std::string_view account,
                                       const store::Page<store::InstanceProfileRow>& page) {
  json::array profiles;
  for (const store::InstanceProfileRow& profile : page.items) {
    Result<json::object> rendered = ProfileToOutput(tx, account, profile, nullptr);
    if (!rendered) return Fail(rendered.error());
    profiles.push_back(std::move(*rendered));
  }
  return json::object{{"InstanceProfiles", std::move(profiles)}};
}

Result<json::object> ListInstanceProfiles(CallContext& call, const json::object& in) {
  Result<store::ListQuery> query = PageQuery(call, in, {"PathPrefix"});
  if (!query) return Fail(query.error());
  json::object out;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<store::Page<store::InstanceProfileRow>> page =
        tx.InstanceProfiles().List(Account(call), *query);
    if (!page) return Fail(FromStore(page.error()));
    Result<json::object> rendered = RenderProfilePage(tx, Account(call), *page);
    if (!rendered) return Fail(rendered.error());
    out = std::move(*rendered);
    SetPage(call, in, {"PathPrefix"}, page->next_marker, out);
    return Ok();
  });
  if (!read) return Fail(read.error());
  return out;
}

Result<json::object> ListInstanceProfilesForRole(CallContext& call, const json::object& in) {
  Result<store::ListQuery> query = PageQuery(call, in, {"RoleName"});
  if (!query) return Fail(query.error());
  json::object out;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<store::RoleRow> role = ReadRole(tx, Account(call), GetString(in, "RoleName"));
    if (!role) return Fail(role.error());
    Result<store::Page<store::InstanceProfileRow>> page =
        tx.InstanceProfiles().ListForRole(role->id, *query);
    if (!page) return Fail(FromStore(page.error()));
    Result<json::object> rendered = RenderProfilePage(tx, Account(call), *page);
    if (!rendered) return Fail(rendered.error());
    out = std::move(*rendered);
    SetPage(call, in, {"RoleName"}, page->next_marker, out);
    return Ok();
  });
  if (!read) return Fail(read.error());
  return out;
}

Result<json::object> DeleteInstanceProfile(CallContext& call, const json::object& in) {
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::InstanceProfileRow> profile =
        ReadProfile(tx, Account(call), GetString(in, "InstanceProfileName"));
    if (!profile) return Fail(profile.error());
    Error conflict =
        DeleteConflict("Cannot delete entity, must remove roles from instance profile first.");
    Result<std::vector<store::RoleRow>> roles = tx.InstanceProfiles().ListRoles(profile->id);
    if (!roles) return Fail(FromStore(roles.error()));
    if (!roles->empty()) return Fail(conflict);
    if (Result<void> gone = tx.InstanceProfiles().Delete(profile->id); !gone) {
      if (store::IsConflict(gone.error())) return Fail(conflict);
      return Fail(FromStore(gone.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

Result<json::object> AddRoleToInstanceProfile(CallContext& call, const json::object& in,
                                              const IamOptions& options) {
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::InstanceProfileRow> profile =
        ReadProfile(tx, Account(call), GetString(in, "InstanceProfileName"));
    if (!profile) return Fail(profile.error());
    Result<store::RoleRow> role = ReadRole(tx, Account(call), GetString(in, "RoleName"));
    if (!role) return Fail(role.error());
    Result<std::vector<store::RoleRow>> roles = tx.InstanceProfiles().ListRoles(profile->id);
    if (!roles) return Fail(FromStore(roles.error()));
    for (const store::RoleRow& member : *roles) {
      if (member.id == role->id) {
        // AWS checks the one-role quota first: a profile holding this role is also full.
        if (static_cast<std::int64_t>(roles->size()) >= options.quotas.roles_per_instance_profile) {
          break;
        }
        return Fail(EntityAlreadyExists(fmt::format(
            "Role {} is already associated with instance profile {}.", role->name, profile->name)));
      }
    }
    if (static_cast<std::int64_t>(roles->size()) >= options.quotas.roles_per_instance_profile) {
      return Fail(QuotaExceeded("InstanceSessionsPerInstanceProfile",
                                options.quotas.roles_per_instance_profile));
    }
    if (Result<void> added = tx.InstanceProfiles().AddRole(profile->id, role->id); !added) {
      return Fail(FromStore(added.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

Result<json::object> RemoveRoleFromInstanceProfile(CallContext& call, const json::object& in) {
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::InstanceProfileRow> profile =
        ReadProfile(tx, Account(call), GetString(in, "InstanceProfileName"));
    if (!profile) return Fail(profile.error());
    Result<store::RoleRow> role = ReadRole(tx, Account(call), GetString(in, "RoleName"));
    if (!role) return Fail(role.error());
    if (Result<void> removed = tx.InstanceProfiles().RemoveRole(profile->id, role->id); !removed) {
      if (store::IsNotFound(removed.error())) {
        return Fail(NoSuchEntity(fmt::format("Role {} in Instance Profile {} cannot be found.",
                                             role->name, profile->name)));
      }
      return Fail(FromStore(removed.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

Result<json::object> TagInstanceProfile(CallContext& call, const json::object& in,
                                        const IamOptions& options) {
  Result<std::vector<store::Tag>> tags = TagsFromInput(in);
  if (!tags) return Fail(tags.error());
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::InstanceProfileRow> profile =
        ReadProfile(tx, Account(call), GetString(in, "InstanceProfileName"));
    if (!profile) return Fail(profile.error());
    return identity::PutTagsWithinQuota(tx, profile->account_id,
                                        {store::TaggableType::kInstanceProfile, profile->id},
                                        *tags, options.quotas.tags_per_entity,
                                        "TagsPerInstanceProfile");
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

Result<json::object> UntagInstanceProfile(CallContext& call, const json::object& in) {
  std::vector<std::string> keys = GetStringList(in, "TagKeys");
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::InstanceProfileRow> profile =
        ReadProfile(tx, Account(call), GetString(in, "InstanceProfileName"));
    if (!profile) return Fail(profile.error());
    if (Result<void> removed =
            tx.Tags().Remove({store::TaggableType::kInstanceProfile, profile->id}, keys);
        !removed) {
      return Fail(FromStore(removed.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

Result<json::object> ListInstanceProfileTags(CallContext& call, const json::object& in) {
  std::vector<store::Tag> tags;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<store::InstanceProfileRow> profile =
        ReadProfile(tx, Account(call), GetString(in, "InstanceProfileName"));
    if (!profile) return Fail(profile.error());
    Result<std::vector<store::Tag>> listed =
        tx.Tags().List({store::TaggableType::kInstanceProfile, profile->id});
    if (!listed) return Fail(FromStore(listed.error()));
    tags = std::move(*listed);
    return Ok();
  });
  if (!read) return Fail(read.error());
  return TagsPage(call, in, tags, {"InstanceProfileName"});
}

}  // namespace

void RegisterInstanceProfiles(HandlerRegistry& registry, const IamOptions& options) {
  auto add = [&](const char* operation, Handler handler, TargetFn target) {
    registry.Add("iam", operation, OperationSpec{std::move(handler), true, std::move(target)});
  };
  add(
      "CreateInstanceProfile",
      [options](CallContext& call, const json::object& in) {
        return CreateInstanceProfile(call, in, options);
      },
      [](CallContext& call, const json::object& in) -> Result<authz::AuthzTarget> {
        authz::AuthzTarget target =
            Target(call, {EntityArn(Account(call), "instance-profile", GetString(in, "Path", "/"),
                                    GetString(in, "InstanceProfileName"))});
        Result<std::vector<store::Tag>> tags = TagsFromInput(in);
        if (tags) AddRequestTags(target, *tags);
        return target;
      });
  add("GetInstanceProfile", GetInstanceProfile, ProfileTarget);
  add("ListInstanceProfiles", ListInstanceProfiles, nullptr);
  add("DeleteInstanceProfile", DeleteInstanceProfile, ProfileTarget);
  add(
      "AddRoleToInstanceProfile",
      [options](CallContext& call, const json::object& in) {
        return AddRoleToInstanceProfile(call, in, options);
      },
      ProfileTarget);
  add("RemoveRoleFromInstanceProfile", RemoveRoleFromInstanceProfile, ProfileTarget);
  add("ListInstanceProfilesForRole", ListInstanceProfilesForRole,
      [](CallContext& call, const json::object& in) -> Result<authz::AuthzTarget> {
        const std::string_view name = GetString(in, "RoleName");
        authz::AuthzTarget target = Target(call, {EntityArn(Account(call), "role", "/", name)});
        Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
          Result<store::RoleRow> role = tx.Roles().Get(Account(call), name);
          if (role) target.resources = {EntityArn(Account(call), "role", role->path, role->name)};
          return Ok();
        });
        if (!read) return Fail(read.error());
        return target;
      });
  add(
      "TagInstanceProfile",
      [options](CallContext& call, const json::object& in) {
        return TagInstanceProfile(call, in, options);
      },
      WithRequestTags(ProfileTarget));
  add("UntagInstanceProfile", UntagInstanceProfile, WithTagKeys(ProfileTarget));
  add("ListInstanceProfileTags", ListInstanceProfileTags, ProfileTarget);
}

}  // namespace rampart::services::iam
