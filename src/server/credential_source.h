// The CredentialSource of the running server: resolves access key ids through the store,
// with a cache of resolved credentials that is dropped whenever the store's PolicyVersion
// moves (a key deleted, deactivated or created, a user renamed or deleted), so a change is
// honoured on the very next request, on every thread.
//
// Temporary credentials (ASIA... keys, issued by STS) are resolved from their session token
// alone (auth/session_token.h), without a store lookup: the token must open under this
// installation's key and belong to the key id, else InvalidClientTokenId; the verifier then
// answers ExpiredToken past the token's expiry. Opened tokens are cached per key id (the
// cached token is compared in constant time, so another token for the same id is opened
// afresh and never mistaken for the cached one).
// Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "auth/credentials.h"
#include "auth/session_token.h"
#include "store/store.h"

namespace rampart::server {

class StoreCredentialSource final : public auth::CredentialSource {
 public:
  // Without `session_token_secret`, ASIA keys are unknown (InvalidClientTokenId). With it
  // (the installation secret STS seals session tokens under: services::Environment's
  // page_token_key, at least 32 bytes), they resolve from their tokens.
  explicit StoreCredentialSource(store::Store& store, std::string_view session_token_secret = {});

  Result<auth::Credential> Lookup(std::string_view access_key_id,
                                  std::optional<std::string_view> session_token) const override;

 private:
  Result<auth::Credential> Load(std::string_view access_key_id) const;
  Result<auth::Credential> LookupSession(std::string_view access_key_id,
                                         std::optional<std::string_view> session_token) const;

  struct CachedSession {
    std::string token;
    auth::Credential credential;
  };

  store::Store& store_;
  mutable std::shared_mutex mutex_;
  mutable std::uint64_t cached_version_ = 0;                            // GUARDED_BY(mutex_)
  mutable std::unordered_map<std::string, auth::Credential> cache_;     // GUARDED_BY(mutex_)

  std::optional<auth::SessionTokenCodec> sessions_;  // null: no temporary credentials
  mutable std::shared_mutex session_mutex_;
  mutable std::unordered_map<std::string, CachedSession> session_cache_;  // GUARDED_BY(session_mutex_)
};

// The credential (secret, principal, expiry) a session's claims stand for.
auth::Credential CredentialForSession(auth::SessionClaims claims);

// The principal an access key row stands for (root or IAM user). `user` is null for root.
Principal PrincipalForKey(const store::AccessKeyRow& key, const store::UserRow* user);

}  // namespace rampart::server
