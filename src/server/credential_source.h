// The CredentialSource of the running server: resolves access key ids through the store,
// with a cache of resolved credentials that is dropped whenever the store's PolicyVersion
// moves (a key deleted, deactivated or created, a user renamed or deleted), so a change is
// honoured on the very next request, on every thread.
// Thread-safe.
#pragma once

#include <cstdint>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "auth/credentials.h"
#include "store/store.h"

namespace rampart::server {

class StoreCredentialSource final : public auth::CredentialSource {
 public:
  explicit StoreCredentialSource(store::Store& store) : store_(store) {}

  Result<auth::Credential> Lookup(std::string_view access_key_id,
                                  std::optional<std::string_view> session_token) const override;

 private:
  Result<auth::Credential> Load(std::string_view access_key_id) const;

  store::Store& store_;
  mutable std::shared_mutex mutex_;
  mutable std::uint64_t cached_version_ = 0;                            // GUARDED_BY(mutex_)
  mutable std::unordered_map<std::string, auth::Credential> cache_;     // GUARDED_BY(mutex_)
};

// The principal an access key row stands for (root or IAM user). `user` is null for root.
Principal PrincipalForKey(const store::AccessKeyRow& key, const store::UserRow* user);

}  // namespace rampart::server
