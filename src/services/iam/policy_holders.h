// Pieces shared by the families that put policies on users, groups and roles (attachments.cc:
// managed-policy attachments; inline_policies.cc: inline policies; roles.cc): which entity an
// operation addresses, looking it up with IAM's not-found message, the protected-role rule,
// and the authorization target on the entity (its current path, its tags as
// aws:ResourceTag/*, its permissions boundary as iam:PermissionsBoundary).
//
// Internal to services/iam: other modules include services/iam/iam.h. Every function reads
// through the CallContext / transaction it is given: thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "services/iam/iam_common.h"

namespace rampart::services::iam {

// What differs between users, groups and roles as policy holders.
struct PolicyHolderKind {
  store::EntityType type;
  std::string_view name_member;        // "UserName", ...
  std::string_view noun;               // "user", ... (ARN kind and NoSuchEntity messages)
  std::string_view attach_quota_name;  // "PoliciesPerUser", ...
};

inline constexpr PolicyHolderKind kUserHolder{store::EntityType::kUser, "UserName", "user",
                                              "PoliciesPerUser"};
inline constexpr PolicyHolderKind kGroupHolder{store::EntityType::kGroup, "GroupName", "group",
                                               "PoliciesPerGroup"};
inline constexpr PolicyHolderKind kRoleHolder{store::EntityType::kRole, "RoleName", "role",
                                              "PoliciesPerRole"};

// "User", "Group", "Role": the noun in operation names (AttachUserPolicy, ...).
std::string OperationNoun(const PolicyHolderKind& kind);

// The addressed user, group or role.
struct PolicyHolder {
  store::EntityRef ref;
  std::string name;  // as stored (case preserved)
  std::string path;
  std::string boundary;  // users and roles
  bool is_protected = false;
};

// kNotFound passes through so callers can tell absence from failure.
Result<PolicyHolder> FindPolicyHolder(const store::ReadTransaction& tx, std::string_view account,
                                      const PolicyHolderKind& kind, std::string_view name);
// As FindPolicyHolder, with IAM's NoSuchEntity "The <noun> with name <name> cannot be found.".
Result<PolicyHolder> ReadPolicyHolder(const store::ReadTransaction& tx, std::string_view account,
                                      const PolicyHolderKind& kind, std::string_view name);

// Service-linked (/aws-service-role/) and AWS-reserved (/aws-reserved/, IAM Identity Center)
// roles: only the service that owns them may change them.
bool IsProtectedRole(const store::RoleRow& role);
// UnmodifiableEntity for a change to a protected role (wording from real AWS responses quoted
// in rebuy-de/aws-nuke #331 and #441).
Error ProtectedRole(std::string_view name);

// `call.operation` on the holder named by the input's name member, with its current path
// ("/" when it does not exist: the handler answers NoSuchEntity after authorization) and
// aws:ResourceTag/*; with `with_boundary`, also iam:PermissionsBoundary when it has one.
TargetFn PolicyHolderTarget(const PolicyHolderKind& kind, bool with_boundary);

}  // namespace rampart::services::iam
