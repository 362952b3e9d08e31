// The AWS managed policies (arn:aws:iam::aws:policy/...), shipped as data with the binary
// (data/aws/managed-policies, 1,594 policies, latest version of each). Parsed once on first
// use; documents compiled on demand and kept.
// Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "policy/policy.h"

namespace rampart::authz {

struct AwsManagedPolicy {
  std::string name;
  std::string arn;
  std::string path;
  std::string id;  // ANPA..., derived from the ARN (stable across restarts)
  std::string default_version_id;
  std::string document;  // compact JSON text of the default version
  TimePoint created{};
  TimePoint updated{};
};

class AwsManagedPolicies {
 public:
  // The embedded catalog. Aborts only if the embedded data is corrupt (a build defect).
  static const AwsManagedPolicies& Get();
  static Result<std::unique_ptr<AwsManagedPolicies>> Parse(std::string_view json_text);

  const AwsManagedPolicy* Find(std::string_view arn) const;
  // Sorted by name.
  const std::vector<AwsManagedPolicy>& all() const { return policies_; }
  // The default version compiled as `type` (identity or boundary), cached.
  Result<policy::PolicyPtr> Compiled(const AwsManagedPolicy& managed,
                                     policy::PolicyType type = policy::PolicyType::kIdentity) const;

 private:
  std::vector<AwsManagedPolicy> policies_;
  std::unordered_map<std::string, std::size_t> by_arn_;
  mutable std::mutex mutex_;
  mutable std::unordered_map<std::string, policy::PolicyPtr> compiled_;  // GUARDED_BY(mutex_)
};

bool IsAwsManagedPolicyArn(std::string_view arn);

}  // namespace rampart::authz
