#include "server/credential_source.h"

#include <mutex>

#include "common/arn.h"
#include "common/crypto.h"
#include "common/strings.h"

namespace rampart::server {
namespace {

constexpr std::size_t kMaxCachedKeys = 100'000;
constexpr std::size_t kMaxCachedSessions = 100'000;

}  // namespace

StoreCredentialSource::StoreCredentialSource(store::Store& store,
                                             std::string_view session_token_secret)
    : store_(store) {
  if (!session_token_secret.empty()) {
    Result<auth::SessionTokenCodec> codec = auth::SessionTokenCodec::Create(session_token_secret);
    if (codec) sessions_.emplace(std::move(*codec));
  }
}

auth::Credential CredentialForSession(auth::SessionClaims claims) {
  auth::Credential credential;
  credential.secret_access_key = std::move(claims.secret_access_key);
  credential.temporary = true;
  credential.active = true;
  credential.expiration = claims.principal.expiration;
  credential.principal = std::move(claims.principal);
  credential.principal.temporary = true;
  return credential;
}

Result<auth::Credential> StoreCredentialSource::LookupSession(
    std::string_view access_key_id, std::optional<std::string_view> session_token) const {
  // An ASIA key without its token, or with a token that is not ours: the key is unknown.
  if (!sessions_ || !session_token) return Fail(auth::InvalidClientTokenIdError());
  {
    std::shared_lock<std::shared_mutex> lock(session_mutex_);
    auto it = session_cache_.find(std::string(access_key_id));
    if (it != session_cache_.end() && crypto::ConstantTimeEquals(it->second.token, *session_token)) {
      return it->second.credential;
    }
  }
  Result<auth::SessionClaims> claims = sessions_->Open(*session_token, access_key_id);
  if (!claims) return Fail(claims.error());
  auth::Credential credential = CredentialForSession(std::move(*claims));
  std::unique_lock<std::shared_mutex> lock(session_mutex_);
  // Bounded: a full cache is emptied (an entry only saves one AES-GCM open).
  if (session_cache_.size() >= kMaxCachedSessions) session_cache_.clear();
  session_cache_[std::string(access_key_id)] = CachedSession{std::string(*session_token), credential};
  return credential;
}

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
  // Temporary (ASIA...) credentials carry their session in the token. A long-term key sent
  // with a session token is refused by the verifier.
  if (StartsWith(access_key_id, "ASIA")) return LookupSession(access_key_id, session_token);
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
