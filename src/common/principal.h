// The authenticated caller of a request, as every layer above auth/ sees it.
// Value type; not thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"

namespace rampart {

// userIdentity.type values of CloudTrail, which are also the principal kinds of IAM.
enum class PrincipalType {
  kRoot,
  kIAMUser,
  kAssumedRole,
  kFederatedUser,
  kAWSService,
  kAnonymous,
};

// "Root", "IAMUser", "AssumedRole", "FederatedUser", "AWSService", "Anonymous".
const char* PrincipalTypeName(PrincipalType type);

struct Principal {
  PrincipalType type = PrincipalType::kAnonymous;
  std::string account_id;     // the account the caller belongs to
  std::string arn;            // arn:aws:iam::ID:root, ...:user/path/name, sts assumed-role ...
  std::string principal_id;   // aws:userid: account id for root, AIDA... for users,
                              // AROA...:session for role sessions
  std::string name;           // user name, role name, federated user name; "" for root
  std::string path = "/";     // IAM path of the user or role
  std::string access_key_id;  // the key that signed the request ("" for console sessions)

  // Temporary credentials only.
  bool temporary = false;
  std::optional<bool> mfa_authenticated;    // absent for long-term keys (AWS semantics)
  std::optional<TimePoint> session_issued;  // aws:TokenIssueTime
  std::optional<TimePoint> mfa_auth_time;   // for aws:MultiFactorAuthAge
  std::optional<TimePoint> expiration;
  std::string session_name;  // role session name
  std::string issuer_arn;    // the role (or user) that issued the session
  std::string issuer_principal_id;
  std::string source_identity;
  std::map<std::string, std::string> session_tags;
  std::vector<std::string> transitive_tag_keys;

  // Session policies of role sessions and federated users (the Policy and PolicyArns of
  // AssumeRole / GetFederationToken), exactly as submitted; authz compiles them as the
  // session-policy layer. Empty for every other principal.
  std::vector<std::string> session_policies;     // inline JSON documents
  std::vector<std::string> session_policy_arns;  // managed policy ARNs
};

}  // namespace rampart
