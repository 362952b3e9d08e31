#include "server/credential_source.h"

#include <mutex>

#include "common/arn.h"
#include "common/strings.h"

namespace rampart::server {
namespace {

constexpr std::size_t kMaxCachedKeys = 100'000;

}  // namespace

Principal PrincipalForKey(const store::AccessKeyRow& key, const store::UserRow* user) {
  Principal principal;
  principal.account_id = key.account_id;
  principal.access_key_id = key.id;
  if (user == nullptr) {
    // The root user: ARN arn:aws:iam::ID:root, aws:userid is the account id (GetCallerIdentity
    // returns the account id as UserId for root; AWS-BEHAVIOUR.md §3 item 10).
    principal.type = PrincipalType::kRoot;
    principal.arn = RootArn(key.account_id);
    principal.principal_id = key.account_id;
  } else {
    principal.type = PrincipalType::kIAMUser;
    principal.arn = user->arn;
    principal.principal_id = user->id;
    principal.name = user->name;
    principal.path = user->path;
  }
  return principal;
}

Result<auth::Credential> StoreCredentialSource::Lookup(
    std::string_view access_key_id, std::optional<std::string_view> session_token) const {
  // Temporary (ASIA...) credentials are issued by STS; until a session is found for them
  // they are unknown. A long-term key sent with a session token is refused by the verifier.
  (void)session_token;
  std::uint64_t version = store_.PolicyVersion();
  {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    if (cached_version_ == version) {
      auto it = cache_.find(std::string(access_key_id));
      if (it != cache_.end()) return it->second;
    }
  }
  Result<auth::Credential> loaded = Load(access_key_id);
  if (!loaded) return loaded;
  std::unique_lock<std::shared_mutex> lock(mutex_);
  // INVARIANT: PolicyVersion is monotonic; a credential loaded under an older version is
  // never cached under a newer one.
  if (cached_version_ < version) {
    cache_.clear();
    cached_version_ = version;
  }
  if (cached_version_ == version) {
    if (cache_.size() >= kMaxCachedKeys) cache_.clear();
    cache_.emplace(std::string(access_key_id), *loaded);
  }
  return loaded;
}

Result<auth::Credential> StoreCredentialSource::Load(std::string_view access_key_id) const {
  if (!StartsWith(access_key_id, "AKIA")) return Fail(auth::InvalidClientTokenIdError());
  auth::Credential credential;
  Result<void> read = store_.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<store::AccessKeyRow> key = tx.AccessKeys().Get(access_key_id);
    if (!key) {
      if (store::IsNotFound(key.error())) return Fail(auth::InvalidClientTokenIdError());
      return Fail(key.error());
    }
    std::optional<store::UserRow> user;
    if (!key->is_root()) {
      Result<store::UserRow> row = tx.Users().GetById(key->user_id);
      if (!row) {
        if (store::IsNotFound(row.error())) return Fail(auth::InvalidClientTokenIdError());
        return Fail(row.error());
      }
      user = std::move(*row);
    }
    Result<store::AccountRow> account = tx.Accounts().Get(key->account_id);
    if (!account) return Fail(auth::InvalidClientTokenIdError());
    credential.secret_access_key = key->secret_access_key;
    credential.principal = PrincipalForKey(*key, user ? &*user : nullptr);
    // Keys of a suspended or closed account no longer authenticate.
    credential.active = key->status == store::AccessKeyStatus::kActive &&
                        account->status == store::AccountStatus::kActive;
    return Ok();
  });
  if (!read) return Fail(read.error());
  return credential;
}

}  // namespace rampart::server
