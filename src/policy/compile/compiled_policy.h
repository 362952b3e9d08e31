// The compiled, immutable form of one policy document. Built once by CompilePolicy
// (policy.h), then shared read-only (std::shared_ptr<const CompiledPolicy>) by any number of
// threads. Everything a request needs is prepared here: actions lower-cased and indexed by
// service prefix, resource ARNs split into fields, wildcard patterns classified, condition
// operators resolved to an enum and their literals parsed into typed values.
// Thread-safety: immutable after construction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policy/compile/values.h"
#include "policy/internal/glob.h"

namespace rampart::policy {

// Where a policy is attached, which decides the grammar it must follow.
enum class PolicyType : std::uint8_t {
  kIdentity,   // inline or managed identity-based policy
  kResource,   // resource-based policy (bucket policy, key policy, queue policy, ...)
  kTrust,      // a role's assume-role (trust) policy
  kBoundary,   // permissions boundary
  kSession,    // session policy passed to AssumeRole*/GetFederationToken
  kScp,        // Organizations service control policy
  kRcp,        // Organizations resource control policy
  kEndpoint,   // VPC endpoint policy
};

enum class Effect : std::uint8_t { kAllow, kDeny };

// A 1-based line/column position in the original policy text.
struct Position {
  std::uint32_t line = 1;
  std::uint32_t column = 1;
};

// A string that may contain policy variables (`${aws:username}`, `${*}`, defaults, ...).
// Literal pieces are stored glob-encoded when `glob` is set (see internal/glob.h).
struct Template {
  struct Piece {
    bool variable = false;
    std::string text;       // literal text, or the variable's key as written
    std::string key_lower;  // variable key, lower case
    std::optional<std::string> default_value;
  };
  std::string literal;       // the whole value when it has no variables
  std::vector<Piece> pieces; // non-empty only when the value has variables
  bool has_variables() const { return !pieces.empty(); }
};

struct ActionPattern {
  internal::Matcher matcher;  // lower case, over the whole "service:action"
  std::string service;        // lower case service prefix; empty when it has wildcards
  std::string raw;            // as written
};

struct ResourcePattern {
  std::string raw;          // as written
  bool arn = false;         // six colon-separated fields: fields matched one by one
  internal::Matcher whole;  // used when !arn and no variables
  std::vector<internal::Matcher> fields;  // arn: partition, service, region, account, resource
  Template templ;           // with variables: resolved per request, then matched
};

struct PrincipalEntry {
  enum class Kind : std::uint8_t {
    kAnyone,        // "*" or {"AWS": "*"}
    kAccount,       // account id or arn:aws:iam::ID:root
    kUser,          // arn:aws:iam::ID:user/...
    kRole,          // arn:aws:iam::ID:role/...
    kAssumedRole,   // arn:aws:sts::ID:assumed-role/ROLE/SESSION
    kFederatedUser, // arn:aws:sts::ID:federated-user/NAME
    kOtherArn,      // any other IAM/STS ARN (never matches a caller)
    kService,       // {"Service": "..."}
    kFederated,     // {"Federated": "..."}
    kCanonicalUser, // {"CanonicalUser": "..."}
  };
  Kind kind = Kind::kAnyone;
  std::string value;      // as written (account id normalised to the id)
  std::string account;    // for ARN kinds and kAccount
  std::string role_name;  // kRole: last path component; kAssumedRole: the role name
};

struct PrincipalSpec {
  bool present = false;   // Principal or NotPrincipal given
  bool negated = false;   // NotPrincipal
  std::vector<PrincipalEntry> entries;
};

enum class ConditionOperator : std::uint8_t {
  kStringEquals,
  kStringNotEquals,
  kStringEqualsIgnoreCase,
  kStringNotEqualsIgnoreCase,
  kStringLike,
  kStringNotLike,
  kNumericEquals,
  kNumericNotEquals,
  kNumericLessThan,
  kNumericLessThanEquals,
  kNumericGreaterThan,
  kNumericGreaterThanEquals,
  kDateEquals,
  kDateNotEquals,
  kDateLessThan,
  kDateLessThanEquals,
  kDateGreaterThan,
  kDateGreaterThanEquals,
  kBool,
  kBinaryEquals,
  kIpAddress,
  kNotIpAddress,
  kArnEquals,
  kArnLike,
  kArnNotEquals,
  kArnNotLike,
  kNull,
};

enum class SetQualifier : std::uint8_t { kNone, kForAnyValue, kForAllValues };

struct ConditionValue {
  Template templ;                       // the value as a (possibly variable) string
  internal::Matcher like;               // StringLike/ArnLike on the whole value, no variables
  std::optional<double> number;         // Numeric*
  std::optional<std::int64_t> date_ms;  // Date*
  std::optional<internal::IpRange> ip;  // IpAddress / NotIpAddress
  std::optional<bool> boolean;          // Bool / Null
};

struct Condition {
  ConditionOperator op = ConditionOperator::kStringEquals;
  SetQualifier qualifier = SetQualifier::kNone;
  bool if_exists = false;
  std::string operator_text;  // as written, e.g. "ForAnyValue:StringLikeIfExists"
  std::string key;            // as written
  std::string key_lower;
  std::vector<ConditionValue> values;
};

struct Statement {
  Effect effect = Effect::kAllow;
  std::string sid;
  std::uint32_t begin = 0;  // byte offsets of the statement object in the policy text
  std::uint32_t end = 0;
  Position start_position;
  Position end_position;
  bool not_action = false;
  std::vector<ActionPattern> actions;
  bool has_resource = false;  // Resource or NotResource present
  bool not_resource = false;
  std::vector<ResourcePattern> resources;
  PrincipalSpec principal;
  std::vector<Condition> conditions;
};

class CompiledPolicy {
 public:
  CompiledPolicy() = default;

  // The original document, byte for byte.
  const std::string& text() const { return text_; }
  PolicyType type() const { return type_; }
  // Identifier reported as SourcePolicyId in matched statements (given by the caller).
  const std::string& id() const { return id_; }
  // "2012-10-17", "2008-10-17" or "" when the document has no Version.
  const std::string& version() const { return version_; }
  // The document's own `Id` element, or "".
  const std::string& document_id() const { return document_id_; }
  const std::vector<Statement>& statements() const { return statements_; }

  // Calls `fn(statement_index)` in ascending order for every statement whose Action could
  // match an action of service `service_lower` (NotAction statements and statements with a
  // wildcard service are always included). Allocates nothing.
  template <typename Fn>
  void ForEachCandidate(std::string_view service_lower, Fn&& fn) const;

 private:
  friend struct CompiledPolicyBuilder;
  struct ServiceBucket {
    std::string service;
    std::vector<std::uint32_t> statements;
  };

  std::string text_;
  PolicyType type_ = PolicyType::kIdentity;
  std::string id_;
  std::string version_;
  std::string document_id_;
  std::vector<Statement> statements_;
  std::vector<ServiceBucket> buckets_;  // sorted by service
  std::vector<std::uint32_t> always_;   // sorted
};

template <typename Fn>
void CompiledPolicy::ForEachCandidate(std::string_view service_lower, Fn&& fn) const {
  const std::vector<std::uint32_t>* bucket = nullptr;
  std::size_t lo = 0, hi = buckets_.size();
  while (lo < hi) {
    std::size_t mid = (lo + hi) / 2;
    int cmp = std::string_view(buckets_[mid].service).compare(service_lower);
    if (cmp == 0) {
      bucket = &buckets_[mid].statements;
      break;
    }
    if (cmp < 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  std::size_t a = 0, b = 0;
  std::size_t a_size = always_.size(), b_size = bucket ? bucket->size() : 0;
  while (a < a_size || b < b_size) {
    if (b >= b_size || (a < a_size && always_[a] < (*bucket)[b])) {
      fn(always_[a++]);
    } else {
      fn((*bucket)[b++]);
    }
  }
}

}  // namespace rampart::policy
