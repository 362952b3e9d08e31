// Authorization of every request: gathers the policies that apply (identity — inline and
// managed, directly and through groups —, permissions boundary, session policies, and later
// SCPs/RCPs) from cached, compiled snapshots, builds the request context with AWS's global
// condition keys, and asks the policy engine for the decision.
//
// Thread-safety: Authorizer and the PolicySource implementations are safe to share between
// threads; snapshots are immutable and swapped whole.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/principal.h"
#include "common/result.h"
#include "policy/policy.h"

namespace rampart::authz {

// What one operation asks to be allowed, computed by the operation's registration from its
// decoded input (services/). Every resource must be allowed.
struct AuthzTarget {
  std::string action;                  // "iam:CreateUser"
  std::vector<std::string> resources;  // ARNs; {"*"} for actions without resource types
  // Request-specific condition keys (iam:PolicyARN, aws:RequestTag/k, aws:TagKeys,
  // aws:ResourceTag/k, ...). A key with several values is multivalued.
  std::vector<std::pair<std::string, std::vector<std::string>>> keys;
  std::vector<std::string> multivalued_keys;  // keys to treat as multivalued even with 1 value
  // Resource-based policy of the target (a role's trust policy for sts:AssumeRole), if any.
  policy::PolicyPtr resource_policy;
};

// Facts about the request itself, for the global condition keys.
struct RequestFacts {
  TimePoint now{};
  std::string source_ip;
  bool secure_transport = false;
  std::string region;      // aws:RequestedRegion
  std::string user_agent;  // aws:UserAgent
};

// A principal's policies, compiled, with what its condition keys need.
struct PrincipalPolicySet {
  policy::PrincipalPolicies policies;
  std::map<std::string, std::string> tags;  // aws:PrincipalTag/*: key -> value (user/role tags)
  // The lower-case condition keys and policy-variable keys that `policies` refer to, sorted
  // (ReferencedKeys). The engine looks up no other key, so BuildRequestContext sets only
  // these. Absent: every key is set.
  std::optional<std::vector<std::string>> referenced_keys;
};

// Every key `policies` can look up in a request context: condition keys and the keys of
// policy variables in resources and condition values, lower case, sorted, unique.
std::vector<std::string> ReferencedKeys(const policy::PrincipalPolicies& policies);
using PolicySetPtr = std::shared_ptr<const PrincipalPolicySet>;

// Seam: where a principal's policies come from (the store, or fakes in tests).
class PolicySource {
 public:
  virtual ~PolicySource() = default;
  // The policy set of `principal`, reflecting every committed change: a change is visible
  // on the very next call. Root gets an empty set (the engine allows root in its account).
  virtual Result<PolicySetPtr> ForPrincipal(const Principal& principal) const = 0;
};

// The engine's view of a caller.
policy::Principal ToPolicyPrincipal(const Principal& principal);

// Builds the request context for `principal` doing `target.action` on `resource`: the global
// condition keys AWS documents (aws:CurrentTime, aws:EpochTime, aws:SourceIp,
// aws:SecureTransport, aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, aws:userid,
// aws:username, aws:PrincipalTag/*, aws:RequestedRegion, aws:UserAgent, aws:ViaAWSService,
// aws:PrincipalIsAWSService, aws:ResourceAccount, and for temporary credentials
// aws:MultiFactorAuthPresent, aws:MultiFactorAuthAge, aws:TokenIssueTime, aws:SourceIdentity)
// plus the target's own keys. Only the keys in `policies.referenced_keys` when it is set, the
// target has no resource policy and `every_key` is false (the decision is the same; denial
// messages that show the context pass true).
policy::RequestContext BuildRequestContext(const Principal& principal,
                                           const PrincipalPolicySet& policies,
                                           const AuthzTarget& target, std::string_view resource,
                                           const RequestFacts& facts, bool every_key = false);

struct AuthzResult {
  policy::Decision decision;
  std::string denied_resource;  // the first resource that was denied
};

class Authorizer {
 public:
  explicit Authorizer(const PolicySource& source) : source_(source) {}

  // Allowed, or Error AccessDenied (403) with AWS's message: "User: ARN is not authorized to
  // perform: ACTION on resource: RES because no identity-based policy allows the ACTION
  // action". Other errors (store unavailable) are returned as they are.
  // With `decided`, also hands back the decision behind the answer (for a denial's
  // explanation), so the caller does not evaluate the request again.
  Result<void> Authorize(const Principal& principal, const AuthzTarget& target,
                         const RequestFacts& facts, AuthzResult* decided = nullptr) const;

  // The decision without turning it into an error (simulation, tests).
  Result<AuthzResult> Decide(const Principal& principal, const AuthzTarget& target,
                             const RequestFacts& facts) const;

 private:
  const PolicySource& source_;
};

}  // namespace rampart::authz
