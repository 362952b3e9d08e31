// rampart's policy engine: the AWS IAM policy language and AWS's evaluation logic.
//
// This is the module's only front header; other modules include nothing else from policy/.
// It is a pure library: no I/O, no store, no network, no locks, no exceptions escaping.
//
//   1. CompilePolicy(text, type) parses a JSON policy document, validates it with the rules
//      (and the error messages) IAM or Organizations apply to that policy type, and compiles it
//      into an immutable CompiledPolicy, shared as std::shared_ptr<const CompiledPolicy>.
//   2. The authorizer assembles a principal's policies (PrincipalPolicies) and the resource's
//      (ResourcePolicies) from such snapshots, builds a RequestContext, and calls Evaluate.
//   3. Evaluate returns a Decision: allowed / explicit deny / implicit deny, which policy type
//      decided, and (on request) every matched statement and every missing context key.
//      AccessDeniedMessage renders AWS's "User: ... is not authorized to perform: ..." text.
//
// Thread-safety: compiled policies, PrincipalPolicies and ResourcePolicies are immutable values
// that any number of threads may evaluate concurrently. Evaluate allocates nothing unless
// EvaluateOptions::collect_details is set or a policy variable has to be substituted.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "policy/catalog.h"  // ServiceCatalog: actions, resource types, condition keys per service
#include "policy/compile/compiled_policy.h"

namespace rampart::policy {

// ---------------------------------------------------------------------------------------------
// Policy types and compilation

// "identity", "resource", "trust", "boundary", "session", "scp", "rcp", "endpoint".
std::string_view PolicyTypeName(PolicyType type);
// Parses the names above (case-insensitive). Error code "InvalidInput" for anything else.
Result<PolicyType> ParsePolicyType(std::string_view name);

struct CompileOptions {
  // Reported as SourcePolicyId in matched statements.
  std::string policy_id;
  // Apply AWS's size quota for the policy type (white space outside strings not counted):
  // identity and boundary 6144 (managed policy), trust 2048, session 2048, SCP and RCP 5120.
  // Inline identity policies are limited in aggregate per entity (user 2048, group 5120,
  // role 10240); the IAM service checks that sum with PolicySizeWithoutWhitespace.
  // Turn it off for AWS managed policies: 81 of them exceed 6144.
  bool enforce_size_quota = true;
};

// Parses, validates and compiles `text` as a policy of `type`.
// Errors:
//   - IAM types (identity, boundary, session, trust, resource, endpoint): code
//     "MalformedPolicyDocument" (HTTP 400) with IAM's message, e.g. "Syntax errors in policy.",
//     "Has prohibited field Principal", "Missing required field Principal",
//     "Policy statement must contain actions.", "Invalid principal in policy: \"AWS\":\"x\"";
//     a trust policy that is not JSON: "This policy contains invalid Json".
//   - SCP, RCP: code "MalformedPolicyDocumentException" with Organizations' message
//     "The provided policy document does not meet the requirements of the specified policy
//     type."
//   - over the size quota: "LimitExceeded" (409) "Cannot exceed quota for PolicySize: 6144"
//     (identity, boundary), "Cannot exceed quota for ACLSizePerRole: 2048" (trust);
//     "PackedPolicyTooLarge" for session policies; "ConstraintViolationException" for SCP/RCP.
// The compiled policy keeps `text` byte for byte.
Result<std::shared_ptr<const CompiledPolicy>> CompilePolicy(std::string_view text, PolicyType type,
                                                            const CompileOptions& options = {});

// Size as IAM counts it: every character except white space outside string literals.
std::size_t PolicySizeWithoutWhitespace(std::string_view text);

// ---------------------------------------------------------------------------------------------
// Requests

enum class PrincipalType : std::uint8_t {
  kRoot,           // arn:aws:iam::<account>:root
  kIamUser,        // arn:aws:iam::<account>:user/<path/>name
  kIamRole,        // a role known only by its role ARN
  kAssumedRole,    // arn:aws:sts::<account>:assumed-role/<role>/<session>
  kFederatedUser,  // arn:aws:sts::<account>:federated-user/<name>
  kAwsService,     // arn is the service principal name, e.g. lambda.amazonaws.com
  kAnonymous,      // unauthenticated; no arn, no account
};

struct Principal {
  PrincipalType type = PrincipalType::kAnonymous;
  std::string arn;
  std::string account_id;
  // kAssumedRole only, optional: the role's ARN including its path. When empty, a policy that
  // names arn:aws:iam::<account>:role/<path>/<name> matches sessions of any role called <name>
  // in that account (the session ARN does not carry the path).
  std::string role_arn;
};

// Everything Evaluate needs to know about one request. Built by the caller (allocation
// happens here, once per request), then read-only during evaluation.
class RequestContext {
 public:
  struct Entry {
    std::string key;        // as the caller spelled it
    std::string key_lower;  // condition keys are case-insensitive
    std::vector<std::string> values;
    bool multivalued = false;
  };

  RequestContext() = default;

  void set_principal(Principal principal) { principal_ = std::move(principal); }
  // `action` as the caller sent it ("s3:GetObject"); matched case-insensitively.
  void set_action(std::string_view action);
  // The resource ARN, or "*" for actions without resource-level permissions.
  void set_resource(std::string resource);
  // The account owning the resource; nullopt when none or unknown.
  void set_resource_account(std::optional<std::string> account) {
    resource_account_ = std::move(account);
  }
  // Sets a single-valued condition key (replacing any earlier value of the same key).
  void SetKey(std::string_view key, std::string value);
  // Sets a multivalued condition key (an empty list is a present key with no values).
  void SetMultiKey(std::string_view key, std::vector<std::string> values);
  // Room for `count` condition keys (callers that know how many they will set).
  void Reserve(std::size_t count) { entries_.reserve(count); }

  const Principal& principal() const { return principal_; }
  const std::string& action() const { return action_; }
  const std::string& action_lower() const { return action_lower_; }
  std::string_view service_lower() const {
    return std::string_view(action_lower_).substr(0, service_length_);
  }
  const std::string& resource() const { return resource_; }
  // The resource split as an ARN (partition, service, region, account, resource), computed once
  // by set_resource. False when the resource is not an ARN. Views borrow this context.
  bool resource_is_arn() const { return resource_is_arn_; }
  std::string_view resource_field(int index) const {
    return std::string_view(resource_).substr(resource_fields_[index].offset, resource_fields_[index].length);
  }
  const std::optional<std::string>& resource_account() const { return resource_account_; }
  // Entry for a lower-case key, or nullptr.
  const Entry* Find(std::string_view key_lower) const;
  const std::vector<Entry>& entries() const { return entries_; }

 private:
  void Insert(std::string_view key, std::vector<std::string> values, bool multivalued);

  Principal principal_;
  std::string action_;
  std::string action_lower_;
  std::size_t service_length_ = 0;  // the service prefix is action_lower_[0, service_length_)
  std::string resource_;
  struct Field {
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
  };
  Field resource_fields_[5];
  bool resource_is_arn_ = false;
  std::optional<std::string> resource_account_;
  std::vector<Entry> entries_;  // sorted by key_lower
};

using PolicyPtr = std::shared_ptr<const CompiledPolicy>;

// The principal's side of a decision. One immutable snapshot per principal (or per session),
// shared across threads as std::shared_ptr<const PrincipalPolicies>.
struct PrincipalPolicies {
  std::vector<PolicyPtr> identity;  // inline + managed, including via groups
  PolicyPtr boundary;               // permissions boundary, or null
  std::vector<PolicyPtr> session;   // session policies; empty: none
  // SCPs of the principal's account, one list per level (root first, account last). Empty:
  // not in an organization, or the management account.
  std::vector<std::vector<PolicyPtr>> scps;
};

// The resource's side of a decision.
struct ResourcePolicies {
  PolicyPtr resource;  // resource-based policy (trust policy for sts:AssumeRole*), or null
  // RCPs of the resource's account, per level. Empty: none apply (management account, no
  // organization).
  std::vector<std::vector<PolicyPtr>> rcps;
  std::vector<PolicyPtr> endpoint;  // VPC endpoint policies on the request path
};

// ---------------------------------------------------------------------------------------------
// Decisions

enum class DecisionKind : std::uint8_t { kAllowed, kExplicitDeny, kImplicitDeny };

// The policy type that decided (for a deny) or granted (for an allow).
enum class DecisionSource : std::uint8_t {
  kNone,
  kIdentity,
  kResource,
  kTrust,      // the resource policy of sts:AssumeRole*
  kBoundary,
  kSession,
  kScp,
  kRcp,
  kEndpoint,
  kRoot,                // the root user in its own account
  kCallerIdentity,      // sts:GetCallerIdentity
  kProtectedResource,   // AWS managed policies, roles under role/aws-reserved/
};

struct MatchedStatement {
  const CompiledPolicy* policy = nullptr;  // borrowed from the evaluated policy sets
  std::uint32_t statement_index = 0;
};

struct Decision {
  DecisionKind kind = DecisionKind::kImplicitDeny;
  DecisionSource source = DecisionSource::kNone;
  // The deciding statement, always filled (no allocation): for an explicit deny the first Deny
  // statement of the reported policy type; for an allow by an identity or resource policy the
  // granting statement. policy == nullptr otherwise (implicit deny, root, GetCallerIdentity).
  MatchedStatement deciding;
  // Only with EvaluateOptions::collect_details: every statement that matched the request (in
  // evaluation order), and the condition keys (as written in the policies) that conditions or
  // policy variables needed but the request did not carry.
  std::vector<MatchedStatement> matched;
  std::vector<std::string> missing_context_keys;

  bool allowed() const { return kind == DecisionKind::kAllowed; }
};

struct EvaluateOptions {
  bool collect_details = false;
};

// AWS's evaluation logic (see docs/policy-semantics.md). Never fails; policies borrowed for
// the duration of the call (and by the MatchedStatement pointers in the result).
Decision Evaluate(const PrincipalPolicies& principal_policies,
                  const ResourcePolicies& resource_policies, const RequestContext& request,
                  const EvaluateOptions& options = {});

// "allowed", "explicitDeny", "implicitDeny" (IAM's EvalDecision spelling).
std::string_view DecisionName(DecisionKind kind);

// The reason part of AWS's AccessDenied message, e.g.
//   "because no identity-based policy allows the s3:GetObject action"
//   "with an explicit deny in a service control policy"
// Empty for an allowed decision. `action` as the caller sent it.
std::string DenyReason(const Decision& decision, std::string_view action);

// The full AccessDenied message:
//   "User: <arn> is not authorized to perform: <action> on resource: <resource> because ..."
// (" on resource: ..." is left out when `resource` is empty or "*").
std::string AccessDeniedMessage(std::string_view principal_arn, std::string_view action,
                                std::string_view resource, const Decision& decision);

// Position of a matched statement in its policy's text.
struct StatementLocation {
  std::string source_policy_id;
  std::string source_policy_type;  // PolicyTypeName of the policy
  Position start;
  Position end;
};
StatementLocation Locate(const MatchedStatement& matched);

}  // namespace rampart::policy
