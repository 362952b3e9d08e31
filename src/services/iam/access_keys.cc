// IAM access keys: CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey,
// GetAccessKeyLastUsed. Without UserName each acts on the caller's own keys: the root user's
// when root calls (AWS: "you can use this operation to manage Amazon Web Services account
// root user credentials"), an IAM user's own otherwise.
#include <fmt/format.h>

#include "common/arn.h"
#include "common/ids.h"
#include "services/iam/iam.h"
#include "services/iam/identity_helpers.h"

namespace rampart::services::iam {

namespace {

using identity::Subject;

// The owner of the keys an operation addresses: the root user (user_id "") or a user.
struct Owner {
  std::string user_id;    // "" for root
  std::string user_name;  // "" for root
};

Result<Owner> ResolveOwner(const store::ReadTransaction& tx, std::string_view account,
                           const Subject& subject) {
  if (subject.root) return Owner{};
  Result<store::UserRow> user = identity::FindUser(tx, account, subject.user_name);
  if (!user) return Fail(user.error());
  return Owner{user->id, user->name};
}

Error NoSuchKey(std::string_view id) {
  return NoSuchEntity(fmt::format("The Access Key with id {} cannot be found.", id));
}

json::object KeyMetadata(const store::AccessKeyRow& key, const Owner& owner) {
  json::object out;
  // Root keys carry no user name (the root user has none).
  if (!owner.user_name.empty()) out["UserName"] = owner.user_name;
  out["AccessKeyId"] = key.id;
  out["Status"] = std::string(store::AccessKeyStatusName(key.status));
  out["CreateDate"] = Time(key.created);
  return out;
}

// The key `id` when it belongs to `owner` in `account`; NoSuchKey otherwise (a key of
// another user or account is indistinguishable from a missing one).
Result<store::AccessKeyRow> OwnedKey(const store::ReadTransaction& tx, std::string_view account,
                                     const Owner& owner, std::string_view id) {
  Result<std::vector<store::AccessKeyRow>> keys = tx.AccessKeys().ListForOwner(account, owner.user_id);
  if (!keys) return Fail(FromStore(keys.error()));
  for (store::AccessKeyRow& key : *keys) {
    if (key.id == id) return std::move(key);
  }
  return Fail(NoSuchKey(id));
}

Result<json::object> CreateAccessKey(CallContext& call, const json::object& in,
                                     const IamOptions& options) {
  Result<Subject> subject = identity::SubjectOf(call, in);
  if (!subject) return Fail(subject.error());
  std::string account(Account(call));
  store::AccessKeyRow key;
  key.id = ids::NewUniqueId("AKIA");
  key.account_id = account;
  key.secret_access_key = ids::NewSecretAccessKey();
  key.status = store::AccessKeyStatus::kActive;
  key.created = call.now;
  Owner owner;
  json::object out;
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<Owner> resolved = ResolveOwner(tx, account, *subject);
    if (!resolved) return Fail(resolved.error());
    owner = std::move(*resolved);
    key.user_id = owner.user_id;
    // Active and inactive keys both count (IAM quotas: "Access keys assigned to an IAM user:
    // 2"; the root user likewise).
    Result<std::int64_t> count = tx.AccessKeys().CountForOwner(account, owner.user_id);
    if (!count) return Fail(FromStore(count.error()));
    if (*count >= options.quotas.access_keys_per_user) {
      return Fail(QuotaExceeded("AccessKeysPerUser", options.quotas.access_keys_per_user));
    }
    if (Result<void> made = tx.AccessKeys().Create(key); !made) return Fail(FromStore(made.error()));
    // The owner's name is known only here: the response is declared inside the write, so the
    // record is still committed complete with the key.
    json::object access_key;
    if (!owner.user_name.empty()) access_key["UserName"] = owner.user_name;
    access_key["AccessKeyId"] = key.id;
    access_key["Status"] = "Active";
    // The secret is returned here once and never again.
    access_key["SecretAccessKey"] = key.secret_access_key;
    access_key["CreateDate"] = Time(key.created);
    out = json::object{{"AccessKey", std::move(access_key)}};
    call.Respond(out);
    return Ok();
  });
  if (!written) return Fail(written.error());
  return out;
}

Result<json::object> ListAccessKeys(CallContext& call, const json::object& in) {
  Result<Subject> subject = identity::SubjectOf(call, in);
  if (!subject) return Fail(subject.error());
  std::string account(Account(call));
  json::object out;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<Owner> owner = ResolveOwner(tx, account, *subject);
    if (!owner) return Fail(owner.error());
    Result<std::vector<store::AccessKeyRow>> keys =
        tx.AccessKeys().ListForOwner(account, owner->user_id);
    if (!keys) return Fail(FromStore(keys.error()));
    Result<identity::Slice> slice = identity::PageSlice(call, in, keys->size());
    if (!slice) return Fail(slice.error());
    json::array metadata;
    for (std::size_t i = slice->begin; i < slice->end; ++i) {
      metadata.push_back(KeyMetadata((*keys)[i], *owner));
    }
    out["AccessKeyMetadata"] = std::move(metadata);
    identity::SetSlicePage(call, in, *slice, keys->size(), out);
    return Ok();
  });
  if (!read) return Fail(read.error());
  return out;
}

Result<json::object> UpdateAccessKey(CallContext& call, const json::object& in) {
  Result<Subject> subject = identity::SubjectOf(call, in);
  if (!subject) return Fail(subject.error());
  std::string account(Account(call));
  std::string id(GetString(in, "AccessKeyId"));
  std::string_view status_text = GetString(in, "Status");
  store::AccessKeyStatus status;
  if (status_text == "Active") {
    status = store::AccessKeyStatus::kActive;
  } else if (status_text == "Inactive") {
    status = store::AccessKeyStatus::kInactive;
  } else {
    return Fail(ValidationError(fmt::format(
        "1 validation error detected: Value '{}' at 'status' failed to satisfy constraint: "
        "Member must satisfy enum value set: [Active, Inactive]",
        status_text)));
  }
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<Owner> owner = ResolveOwner(tx, account, *subject);
    if (!owner) return Fail(owner.error());
    Result<store::AccessKeyRow> key = OwnedKey(tx, account, *owner, id);
    if (!key) return Fail(key.error());
    if (Result<void> set = tx.AccessKeys().SetStatus(id, status); !set) {
      return Fail(FromStore(set.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

Result<json::object> DeleteAccessKey(CallContext& call, const json::object& in) {
  Result<Subject> subject = identity::SubjectOf(call, in);
  if (!subject) return Fail(subject.error());
  std::string account(Account(call));
  std::string id(GetString(in, "AccessKeyId"));
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<Owner> owner = ResolveOwner(tx, account, *subject);
    if (!owner) return Fail(owner.error());
    Result<store::AccessKeyRow> key = OwnedKey(tx, account, *owner, id);
    if (!key) return Fail(key.error());
    if (Result<void> deleted = tx.AccessKeys().Delete(id); !deleted) {
      return Fail(FromStore(deleted.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

// A key outside the caller's account, or no key at all, answers AccessDenied with this
// message whatever the caller's permissions (recorded AWS response for an unknown key;
// note "perform iam:..." without a colon, as recorded).
Error KeyLastUsedDenied(const CallContext& call, std::string_view id) {
  return Error("AccessDenied",
               fmt::format("User: {} is not authorized to perform iam:GetAccessKeyLastUsed on "
                           "resource: access key {}",
                           call.caller().arn, id),
               403);
}

// The resource is the key's owner (a user ARN with its path, or the root ARN).
Result<authz::AuthzTarget> GetAccessKeyLastUsedTarget(CallContext& call, const json::object& in) {
  std::string account(Account(call));
  std::string id(GetString(in, "AccessKeyId"));
  std::optional<std::string> owner_name;
  bool found = false;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<store::AccessKeyRow> key = tx.AccessKeys().Get(id);
    if (!key) {
      if (store::IsNotFound(key.error())) return Ok();
      return Fail(FromStore(key.error()));
    }
    if (key->account_id != account) return Ok();
    found = true;
    if (!key->is_root()) owner_name = key->user_name;
    return Ok();
  });
  if (!read) return Fail(read.error());
  if (!found) return Fail(KeyLastUsedDenied(call, id));
  if (!owner_name) return Target(call, {RootArn(account)});
  return identity::UserTarget(call, *owner_name);
}

Result<json::object> GetAccessKeyLastUsed(CallContext& call, const json::object& in) {
  std::string account(Account(call));
  std::string id(GetString(in, "AccessKeyId"));
  json::object out;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<store::AccessKeyRow> key = tx.AccessKeys().Get(id);
    if (!key) {
      if (store::IsNotFound(key.error())) return Fail(KeyLastUsedDenied(call, id));
      return Fail(FromStore(key.error()));
    }
    if (key->account_id != account) return Fail(KeyLastUsedDenied(call, id));
    if (!key->is_root()) out["UserName"] = key->user_name;
    json::object last_used;
    // A key never used: ServiceName and Region are "N/A" and LastUsedDate is absent
    // (GetAccessKeyLastUsed API reference, AccessKeyLastUsed data type).
    if (key->last_used) last_used["LastUsedDate"] = Time(*key->last_used);
    last_used["ServiceName"] = key->last_used_service.empty() ? "N/A" : key->last_used_service;
    last_used["Region"] = key->last_used_region.empty() ? "N/A" : key->last_used_region;
    out["AccessKeyLastUsed"] = std::move(last_used);
    return Ok();
  });
  if (!read) return Fail(read.error());
  return out;
}

Result<authz::AuthzTarget> SubjectTarget(CallContext& call, const json::object& in) {
  return identity::SubjectTarget(call, in);
}

}  // namespace

void RegisterAccessKeys(HandlerRegistry& registry, const IamOptions& options) {
  registry.Add("iam", "CreateAccessKey",
               OperationSpec{.handler = [options](CallContext& call, const json::object& in) {
                               return CreateAccessKey(call, in, options);
                             },
                             .target = SubjectTarget});
  registry.Add("iam", "ListAccessKeys",
               OperationSpec{.handler = ListAccessKeys, .target = SubjectTarget});
  registry.Add("iam", "UpdateAccessKey",
               OperationSpec{.handler = UpdateAccessKey, .target = SubjectTarget});
  registry.Add("iam", "DeleteAccessKey",
               OperationSpec{.handler = DeleteAccessKey, .target = SubjectTarget});
  registry.Add("iam", "GetAccessKeyLastUsed",
               OperationSpec{.handler = GetAccessKeyLastUsed,
                             .target = GetAccessKeyLastUsedTarget});
}

}  // namespace rampart::services::iam
