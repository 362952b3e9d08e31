// Amazon Resource Names: arn:partition:service:region:account-id:resource.
// The resource part may itself contain ':' and '/'; it is kept whole.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace rampart {

struct Arn {
  std::string partition;  // "aws"
  std::string service;    // "iam"
  std::string region;     // "" for global services
  std::string account;    // 12 digits, "aws" for AWS managed policies, or ""
  std::string resource;   // "user/path/alice", "root", "policy/Admin", ...

  // Fails with InvalidArn on fewer than six ':'-separated parts or a prefix other than "arn".
  static Result<Arn> Parse(std::string_view text);
  std::string ToString() const;
};

// Convenience builders for IAM/STS identities.
std::string RootArn(std::string_view account_id);                      // arn:aws:iam::ID:root
std::string IamArn(std::string_view account_id, std::string_view kind,  // user, role, group ...
                   std::string_view path, std::string_view name);       // path is "/" or "/a/b/"

// True for exactly 12 ASCII digits.
bool IsAccountId(std::string_view text);

}  // namespace rampart
