// The PolicySource of the running server: a principal's policies read from the store and
// compiled, cached per principal. Role sessions get their role's policies, boundary and tags;
// federated users (GetFederationToken) their issuing user's policies and boundary; both add
// their session policies (Principal::session_policies / session_policy_arns) as the
// session-policy layer, compiled once per session. A session whose user or role was deleted
// keeps no permissions. The whole cache is dropped when the store's PolicyVersion
// moves, so any committed change to users, groups, roles, memberships, attachments, inline
// policies, managed-policy versions or boundaries takes effect on the very next request.
// Compiled customer managed policy versions are also cached by (ARN, version).
// Thread-safe.
#pragma once

#include <cstdint>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "authz/authz.h"
#include "store/store.h"

namespace rampart::authz {

class StorePolicySource final : public PolicySource {
 public:
  explicit StorePolicySource(store::Store& store) : store_(store) {}

  Result<PolicySetPtr> ForPrincipal(const Principal& principal) const override;

  // Loads the policy set of an IAM user / a role inside an existing transaction (the IAM
  // simulation APIs use these with their own transaction).
  static Result<PrincipalPolicySet> LoadUser(const store::ReadTransaction& tx,
                                             std::string_view user_id);
  static Result<PrincipalPolicySet> LoadRole(const store::ReadTransaction& tx,
                                             std::string_view role_id);
  // The policy set of a session principal (role session, federated user, or an IAM user's
  // GetSessionToken session) inside an existing transaction.
  static Result<PrincipalPolicySet> LoadSession(const store::ReadTransaction& tx,
                                                const Principal& principal);
  // A managed policy's default version (customer or AWS managed), compiled as `type`.
  static Result<policy::PolicyPtr> LoadManagedPolicy(const store::ReadTransaction& tx,
                                                     std::string_view arn,
                                                     policy::PolicyType type);

 private:
  static Result<void> AddSessionPolicies(const store::ReadTransaction& tx,
                                         const Principal& principal, PrincipalPolicySet& set);

  store::Store& store_;
  mutable std::shared_mutex mutex_;
  mutable std::uint64_t cached_version_ = 0;                          // GUARDED_BY(mutex_)
  mutable std::unordered_map<std::string, PolicySetPtr> cache_;       // GUARDED_BY(mutex_)
};

}  // namespace rampart::authz
