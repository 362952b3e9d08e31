// IAM sign-in: login profiles (Create/Get/Update/DeleteLoginProfile), ChangePassword, the
// account password policy (Update/Get/DeleteAccountPasswordPolicy) and the account alias
// (Create/Delete/ListAccountAliases).
//
// Passwords are checked against the account password policy (AWS's default policy when the
// account has none) and hashed with Argon2id before the write transaction opens: hashing is
// slow on purpose and the store's writer must not wait for it.
#include <fmt/format.h>

#include "auth/password.h"
#include "authz/authz.h"
#include "common/arn.h"
#include "services/iam/iam.h"
#include "services/iam/identity_helpers.h"

namespace rampart::services::iam {

namespace {

using identity::FindUser;

const auth::PasswordHasher& Hasher() {
  static const auth::PasswordHasher hasher;  // immutable after construction: thread-safe
  return hasher;
}

Error NoSuchProfile(std::string_view user) {
  return NoSuchEntity(fmt::format("Login Profile for User {} cannot be found.", user));
}

auth::PasswordPolicy ToAuthPolicy(const store::PasswordPolicyRow& row) {
  auth::PasswordPolicy policy;
  policy.minimum_password_length = row.minimum_password_length;
  policy.require_symbols = row.require_symbols;
  policy.require_numbers = row.require_numbers;
  policy.require_uppercase_characters = row.require_uppercase_characters;
  policy.require_lowercase_characters = row.require_lowercase_characters;
  policy.allow_users_to_change_password = row.allow_users_to_change_password;
  policy.max_password_age = row.max_password_age.value_or(0);
  policy.password_reuse_prevention = row.password_reuse_prevention.value_or(0);
  policy.hard_expiry = row.hard_expiry;
  return policy;
}

// What a password check needs to know about the account, read in one snapshot.
struct PasswordContext {
  std::optional<auth::PasswordPolicy> policy;
  std::vector<std::string> identity_names;  // the account's name and email
};

Result<PasswordContext> ReadPasswordContext(const store::ReadTransaction& tx,
                                            std::string_view account) {
  PasswordContext context;
  Result<store::PasswordPolicyRow> row = tx.PasswordPolicies().Get(account);
  if (row) {
    context.policy = ToAuthPolicy(*row);
  } else if (!store::IsNotFound(row.error())) {
    return Fail(FromStore(row.error()));
  }
  if (Result<store::AccountRow> account_row = tx.Accounts().Get(account)) {
    if (!account_row->name.empty()) context.identity_names.push_back(account_row->name);
    if (!account_row->email.empty()) context.identity_names.push_back(account_row->email);
  }
  return context;
}

// Checks `password` against the policy and hashes it. `previous_hash` ("" when none) is the
// current password, which PasswordReusePrevention forbids reusing.
Result<std::string> CheckAndHash(const PasswordContext& context, std::string_view password,
                                 const std::string& previous_hash) {
  std::vector<std::string> previous;
  if (!previous_hash.empty()) previous.push_back(previous_hash);
  Result<void> ok = auth::CheckIamUserPassword(
      password, context.policy ? &*context.policy : nullptr, previous, Hasher(),
      context.identity_names);
  if (!ok) return Fail(ok.error());
  Result<std::string> hash = Hasher().Hash(password);
  if (!hash) return Fail(ServiceFailure("The request processing has failed because of an unknown "
                                        "error, exception or failure."));
  return hash;
}

json::object ProfileToOutput(const store::LoginProfileRow& profile, std::string_view user_name) {
  json::object out;
  out["UserName"] = std::string(user_name);
  out["CreateDate"] = Time(profile.created);
  out["PasswordResetRequired"] = profile.password_reset_required;
  return out;
}

// Login-profile operations address UserName, or the calling IAM user when it is absent.
Result<std::string> ProfileUserName(const CallContext& call, const json::object& in) {
  Result<identity::Subject> subject = identity::SubjectOf(call, in);
  if (!subject) return Fail(subject.error());
  if (subject->root) {
    // The root user's password is not a login profile: it is managed through the console's
    // root sign-in (and centralized root access), not through this API.
    return Fail(ValidationError("Must specify userName when calling with non-User credentials"));
  }
  return subject->user_name;
}

// ---------------------------------------------------------------------------------------

Result<json::object> CreateLoginProfile(CallContext& call, const json::object& in) {
  Result<std::string> name = ProfileUserName(call, in);
  if (!name) return Fail(name.error());
  std::optional<std::string> password = OptString(in, "Password");
  if (!password) {
    // The model made Password optional for centralized root access (recovering a member
    // account's root password); an IAM user's login profile needs one.
    return Fail(ValidationError("Password is required to create a login profile for an IAM user."));
  }
  std::string account(Account(call));
  PasswordContext context;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<store::UserRow> user = FindUser(tx, account, *name);
    if (!user) return Fail(user.error());
    Result<PasswordContext> loaded = ReadPasswordContext(tx, account);
    if (!loaded) return Fail(loaded.error());
    context = std::move(*loaded);
    return Ok();
  });
  if (!read) return Fail(read.error());
  Result<std::string> hash = CheckAndHash(context, *password, "");
  if (!hash) return Fail(hash.error());
  store::LoginProfileRow profile;
  profile.account_id = account;
  profile.password_hash = std::move(*hash);
  profile.password_reset_required = GetBool(in, "PasswordResetRequired").value_or(false);
  profile.created = call.now;
  profile.password_last_changed = call.now;
  std::string user_name;
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::UserRow> user = FindUser(tx, account, *name);
    if (!user) return Fail(user.error());
    user_name = user->name;
    profile.user_id = user->id;
    if (Result<void> made = tx.LoginProfiles().Create(profile); !made) {
      if (store::IsConflict(made.error())) {
        return Fail(EntityAlreadyExists(
            fmt::format("Login Profile for user {} already exists.", user->name)));
      }
      return Fail(FromStore(made.error()));
    }
    // The record is committed complete with the profile.
    call.Respond(json::object{{"LoginProfile", ProfileToOutput(profile, user_name)}});
    return Ok();
  });
  if (!written) return Fail(written.error());
  return *call.response();
}

Result<json::object> GetLoginProfile(CallContext& call, const json::object& in) {
  Result<std::string> name = ProfileUserName(call, in);
  if (!name) return Fail(name.error());
  std::string account(Account(call));
  json::object out;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<store::UserRow> user = FindUser(tx, account, *name);
    if (!user) return Fail(user.error());
    Result<store::LoginProfileRow> profile = tx.LoginProfiles().Get(user->id);
    if (!profile) {
      if (store::IsNotFound(profile.error())) return Fail(NoSuchProfile(user->name));
      return Fail(FromStore(profile.error()));
    }
    out["LoginProfile"] = ProfileToOutput(*profile, user->name);
    return Ok();
  });
  if (!read) return Fail(read.error());
  return out;
}

Result<json::object> UpdateLoginProfile(CallContext& call, const json::object& in) {
  std::string name(GetString(in, "UserName"));
  std::optional<std::string> password = OptString(in, "Password");
  std::optional<bool> reset = GetBool(in, "PasswordResetRequired");
  std::string account(Account(call));
  PasswordContext context;
  std::string current_hash;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<store::UserRow> user = FindUser(tx, account, name);
    if (!user) return Fail(user.error());
    Result<store::LoginProfileRow> profile = tx.LoginProfiles().Get(user->id);
    if (!profile) {
      if (store::IsNotFound(profile.error())) return Fail(NoSuchProfile(user->name));
      return Fail(FromStore(profile.error()));
    }
    current_hash = profile->password_hash;
    Result<PasswordContext> loaded = ReadPasswordContext(tx, account);
    if (!loaded) return Fail(loaded.error());
    context = std::move(*loaded);
    return Ok();
  });
  if (!read) return Fail(read.error());
  std::optional<std::string> new_hash;
  if (password) {
    Result<std::string> hash = CheckAndHash(context, *password, current_hash);
    if (!hash) return Fail(hash.error());
    new_hash = std::move(*hash);
  }
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::UserRow> user = FindUser(tx, account, name);
    if (!user) return Fail(user.error());
    Result<store::LoginProfileRow> profile = tx.LoginProfiles().Get(user->id);
    if (!profile) {
      if (store::IsNotFound(profile.error())) return Fail(NoSuchProfile(user->name));
      return Fail(FromStore(profile.error()));
    }
    if (new_hash) {
      profile->password_hash = *new_hash;
      profile->password_last_changed = call.now;
    }
    if (reset) profile->password_reset_required = *reset;
    if (Result<void> updated = tx.LoginProfiles().Update(*profile); !updated) {
      return Fail(FromStore(updated.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

Result<json::object> DeleteLoginProfile(CallContext& call, const json::object& in) {
  Result<std::string> name = ProfileUserName(call, in);
  if (!name) return Fail(name.error());
  std::string account(Account(call));
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::UserRow> user = FindUser(tx, account, *name);
    if (!user) return Fail(user.error());
    if (Result<void> deleted = tx.LoginProfiles().Delete(user->id); !deleted) {
      if (store::IsNotFound(deleted.error())) return Fail(NoSuchProfile(user->name));
      return Fail(FromStore(deleted.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

// ChangePassword: the calling IAM user's own password. Authorized here rather than by the
// dispatcher because AllowUsersToChangePassword in the account password policy lets every
// IAM user change their own password without an identity policy allowing
// iam:ChangePassword (UpdateAccountPasswordPolicy API reference).
Result<json::object> ChangePassword(CallContext& call, const json::object& in) {
  const Principal& caller = call.caller();
  if (caller.type != PrincipalType::kIAMUser) {
    return Fail(Error("InvalidUserType",
                      "Only IAM users can change their own password with ChangePassword.", 400));
  }
  std::string account(Account(call));
  std::string old_password(GetString(in, "OldPassword"));
  std::string new_password(GetString(in, "NewPassword"));
  PasswordContext context;
  std::string current_hash;
  std::string user_id;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<store::UserRow> user = FindUser(tx, account, caller.name);
    if (!user) return Fail(user.error());
    user_id = user->id;
    Result<store::LoginProfileRow> profile = tx.LoginProfiles().Get(user->id);
    if (!profile) {
      if (store::IsNotFound(profile.error())) return Fail(NoSuchProfile(user->name));
      return Fail(FromStore(profile.error()));
    }
    current_hash = profile->password_hash;
    Result<PasswordContext> loaded = ReadPasswordContext(tx, account);
    if (!loaded) return Fail(loaded.error());
    context = std::move(*loaded);
    return Ok();
  });
  if (!read) return Fail(read.error());
  if (!context.policy || !context.policy->allow_users_to_change_password) {
    if (call.env().policies == nullptr) {
      return Fail(ServiceFailure("The request processing has failed because of an unknown "
                                 "error, exception or failure."));
    }
    authz::AuthzTarget target = Target(call, {caller.arn});
    authz::RequestFacts facts{.now = call.now,
                              .source_ip = std::string(call.source_ip),
                              .secure_transport = call.secure_transport,
                              .region = std::string(call.region),
                              .user_agent = std::string(call.user_agent)};
    authz::Authorizer authorizer(*call.env().policies);
    if (Result<void> allowed = authorizer.Authorize(caller, target, facts); !allowed) {
      return Fail(allowed.error());
    }
  }
  if (!Hasher().Verify(current_hash, old_password)) {
    return Fail(Error("AccessDenied", "The old password provided is incorrect.", 403));
  }
  Result<std::string> hash = CheckAndHash(context, new_password, current_hash);
  if (!hash) return Fail(hash.error());
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::LoginProfileRow> profile = tx.LoginProfiles().Get(user_id);
    if (!profile) {
      if (store::IsNotFound(profile.error())) return Fail(NoSuchProfile(caller.name));
      return Fail(FromStore(profile.error()));
    }
    profile->password_hash = *hash;
    profile->password_last_changed = call.now;
    profile->password_reset_required = false;
    if (Result<void> updated = tx.LoginProfiles().Update(*profile); !updated) {
      return Fail(FromStore(updated.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

// ---------------------------------------------------------------------------------------
// Account password policy

Result<json::object> UpdateAccountPasswordPolicy(CallContext& call, const json::object& in) {
  // Every member not given reverts to its default (UpdateAccountPasswordPolicy API
  // reference: "If you do not specify a value for a parameter, then the operation uses the
  // default value"); MinimumPasswordLength defaults to 6.
  store::PasswordPolicyRow row;
  row.account_id = std::string(Account(call));
  row.minimum_password_length =
      static_cast<std::int32_t>(GetInt(in, "MinimumPasswordLength").value_or(6));
  row.require_symbols = GetBool(in, "RequireSymbols").value_or(false);
  row.require_numbers = GetBool(in, "RequireNumbers").value_or(false);
  row.require_uppercase_characters = GetBool(in, "RequireUppercaseCharacters").value_or(false);
  row.require_lowercase_characters = GetBool(in, "RequireLowercaseCharacters").value_or(false);
  row.allow_users_to_change_password = GetBool(in, "AllowUsersToChangePassword").value_or(false);
  if (std::optional<std::int64_t> age = GetInt(in, "MaxPasswordAge"); age && *age > 0) {
    row.max_password_age = static_cast<std::int32_t>(*age);
  }
  if (std::optional<std::int64_t> reuse = GetInt(in, "PasswordReusePrevention"); reuse && *reuse > 0) {
    row.password_reuse_prevention = static_cast<std::int32_t>(*reuse);
  }
  row.hard_expiry = GetBool(in, "HardExpiry").value_or(false);
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    if (Result<void> put = tx.PasswordPolicies().Put(row); !put) return Fail(FromStore(put.error()));
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

Result<json::object> GetAccountPasswordPolicy(CallContext& call, const json::object&) {
  std::string account(Account(call));
  json::object out;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<store::PasswordPolicyRow> row = tx.PasswordPolicies().Get(account);
    if (!row) {
      if (store::IsNotFound(row.error())) {
        return Fail(NoSuchEntity(
            fmt::format("The Password Policy with domain name {} cannot be found.", account)));
      }
      return Fail(FromStore(row.error()));
    }
    // Every member is always present (Terraform and SDKs rely on it: moto #3117, #5170);
    // MaxPasswordAge and PasswordReusePrevention only when set, as AWS returns them.
    json::object policy;
    policy["MinimumPasswordLength"] = row->minimum_password_length;
    policy["RequireSymbols"] = row->require_symbols;
    policy["RequireNumbers"] = row->require_numbers;
    policy["RequireUppercaseCharacters"] = row->require_uppercase_characters;
    policy["RequireLowercaseCharacters"] = row->require_lowercase_characters;
    policy["AllowUsersToChangePassword"] = row->allow_users_to_change_password;
    policy["ExpirePasswords"] = row->max_password_age.has_value() && *row->max_password_age > 0;
    if (row->max_password_age) policy["MaxPasswordAge"] = *row->max_password_age;
    if (row->password_reuse_prevention) {
      policy["PasswordReusePrevention"] = *row->password_reuse_prevention;
    }
    policy["HardExpiry"] = row->hard_expiry;
    out["PasswordPolicy"] = std::move(policy);
    return Ok();
  });
  if (!read) return Fail(read.error());
  return out;
}

Result<json::object> DeleteAccountPasswordPolicy(CallContext& call, const json::object&) {
  std::string account(Account(call));
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    if (Result<void> deleted = tx.PasswordPolicies().Delete(account); !deleted) {
      if (store::IsNotFound(deleted.error())) {
        return Fail(NoSuchEntity("The account policy with name PasswordPolicy cannot be found."));
      }
      return Fail(FromStore(deleted.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

// ---------------------------------------------------------------------------------------
// Account alias

// The model's pattern ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$ (3 to 63 characters, lower
// case letters, digits and single hyphens inside), checked here as well so that the rule
// holds whatever the decoder's regular-expression support. AWS also refuses an alias that
// is a 12-digit number (it would read as an account id in the sign-in URL).
Result<void> CheckAlias(std::string_view alias) {
  bool ok = alias.size() >= 3 && alias.size() <= 63 && alias.front() != '-' && alias.back() != '-';
  bool all_digits = true;
  for (std::size_t i = 0; ok && i < alias.size(); ++i) {
    char c = alias[i];
    bool lower = c >= 'a' && c <= 'z';
    bool digit = c >= '0' && c <= '9';
    if (!digit) all_digits = false;
    if (!lower && !digit && c != '-') ok = false;
    if (c == '-' && i + 1 < alias.size() && alias[i + 1] == '-') ok = false;
  }
  if (!ok) {
    return Fail(ValidationError(fmt::format(
        "1 validation error detected: Value '{}' at 'accountAlias' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: "
        "^[a-z0-9]([a-z0-9]|-(?!-)){{1,61}}[a-z0-9]$",
        alias)));
  }
  if (all_digits && alias.size() == 12) {
    return Fail(InvalidInput(fmt::format("The account alias {} cannot be a 12-digit number.", alias)));
  }
  return Ok();
}

Result<json::object> CreateAccountAlias(CallContext& call, const json::object& in) {
  std::string alias(GetString(in, "AccountAlias"));
  if (Result<void> ok = CheckAlias(alias); !ok) return Fail(ok.error());
  std::string account(Account(call));
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::AccountRow> row = tx.Accounts().Get(account);
    if (!row) return Fail(FromStore(row.error()));
    if (row->alias == alias) return Ok();
    // An account has at most one alias: a new one replaces the old (as the console's "Edit"
    // does through this operation). Aliases are globally unique.
    Result<store::AccountRow> holder = tx.Accounts().GetByAlias(alias);
    if (holder) {
      return Fail(EntityAlreadyExists(fmt::format("The account alias {} already exists.", alias)));
    }
    if (!store::IsNotFound(holder.error())) return Fail(FromStore(holder.error()));
    row->alias = alias;
    if (Result<void> updated = tx.Accounts().Update(*row); !updated) {
      if (store::IsConflict(updated.error())) {
        return Fail(EntityAlreadyExists(fmt::format("The account alias {} already exists.", alias)));
      }
      return Fail(FromStore(updated.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

Result<json::object> DeleteAccountAlias(CallContext& call, const json::object& in) {
  std::string alias(GetString(in, "AccountAlias"));
  std::string account(Account(call));
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::AccountRow> row = tx.Accounts().Get(account);
    if (!row) return Fail(FromStore(row.error()));
    if (row->alias.empty() || row->alias != alias) {
      return Fail(NoSuchEntity(fmt::format("The account alias {} cannot be found.", alias)));
    }
    row->alias.clear();
    if (Result<void> updated = tx.Accounts().Update(*row); !updated) {
      return Fail(FromStore(updated.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

Result<json::object> ListAccountAliases(CallContext& call, const json::object& in) {
  std::string account(Account(call));
  json::object out;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<store::AccountRow> row = tx.Accounts().Get(account);
    if (!row) return Fail(FromStore(row.error()));
    std::vector<std::string> aliases;
    if (!row->alias.empty()) aliases.push_back(row->alias);
    Result<identity::Slice> slice = identity::PageSlice(call, in, aliases.size());
    if (!slice) return Fail(slice.error());
    json::array list;
    for (std::size_t i = slice->begin; i < slice->end; ++i) list.push_back(json::string(aliases[i]));
    out["AccountAliases"] = std::move(list);
    identity::SetSlicePage(call, in, *slice, aliases.size(), out);
    return Ok();
  });
  if (!read) return Fail(read.error());
  return out;
}

Result<authz::AuthzTarget> SubjectTarget(CallContext& call, const json::object& in) {
  return identity::SubjectTarget(call, in);
}

Result<authz::AuthzTarget> NamedUserTarget(CallContext& call, const json::object& in) {
  return identity::UserTarget(call, GetString(in, "UserName"));
}

}  // namespace

void RegisterLogin(HandlerRegistry& registry, const IamOptions&) {
  registry.Add("iam", "CreateLoginProfile",
               OperationSpec{.handler = CreateLoginProfile, .target = SubjectTarget});
  registry.Add("iam", "GetLoginProfile",
               OperationSpec{.handler = GetLoginProfile, .target = SubjectTarget});
  registry.Add("iam", "UpdateLoginProfile",
               OperationSpec{.handler = UpdateLoginProfile, .target = NamedUserTarget});
  registry.Add("iam", "DeleteLoginProfile",
               OperationSpec{.handler = DeleteLoginProfile, .target = SubjectTarget});
  registry.Add("iam", "ChangePassword",
               OperationSpec{.handler = ChangePassword, .requires_authorization = false});
  registry.Add("iam", "UpdateAccountPasswordPolicy",
               OperationSpec{.handler = UpdateAccountPasswordPolicy});
  registry.Add("iam", "GetAccountPasswordPolicy", OperationSpec{.handler = GetAccountPasswordPolicy});
  registry.Add("iam", "DeleteAccountPasswordPolicy",
               OperationSpec{.handler = DeleteAccountPasswordPolicy});
  registry.Add("iam", "CreateAccountAlias", OperationSpec{.handler = CreateAccountAlias});
  registry.Add("iam", "DeleteAccountAlias", OperationSpec{.handler = DeleteAccountAlias});
  registry.Add("iam", "ListAccountAliases", OperationSpec{.handler = ListAccountAliases});
}

}  // namespace rampart::services::iam
