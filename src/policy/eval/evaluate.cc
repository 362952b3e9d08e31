// AWS's policy evaluation logic over compiled policies. See docs/policy-semantics.md for the
// rules and the AWS pages they come from.
#include <algorithm>
#include <string>

#include "policy/compile/values.h"
#include "policy/internal/glob.h"
#include "policy/internal/text.h"
#include "policy/policy.h"

namespace rampart::policy {
namespace {

using internal::EqualsIgnoreCase;
using internal::GlobMatch;
using internal::kGlobOne;
using internal::kGlobStar;

// How a resource-policy statement's Principal matched the caller; stronger grants sort higher.
enum class PrincipalMatch : std::uint8_t { kNo, kAccount, kRole, kAnyone, kDirect };

struct Summary {
  bool allow = false;
  bool deny = false;
  PrincipalMatch best_allow = PrincipalMatch::kNo;
  MatchedStatement first_deny;  // the first Deny statement that applied
  MatchedStatement best_allow_statement;  // the first Allow with the strongest principal match
};

void Merge(Summary& total, const Summary& one) {
  if (one.deny && !total.deny) total.first_deny = one.first_deny;
  if (one.allow && (!total.allow || one.best_allow > total.best_allow)) {
    total.best_allow_statement = one.best_allow_statement;
  }
  total.allow |= one.allow;
  total.deny |= one.deny;
  if (one.best_allow > total.best_allow) total.best_allow = one.best_allow;
}

std::string_view RoleNameOfSession(std::string_view session_arn) {
  std::size_t at = session_arn.find(":assumed-role/");
  if (at == std::string_view::npos) return {};
  std::string_view rest = session_arn.substr(at + 14);
  return rest.substr(0, rest.find('/'));
}

// Splits "arn:p:s:r:a:resource" into its five fields after "arn:"; false if not an ARN.
bool SplitArn(std::string_view text, std::string_view (&fields)[5]) {
  if (text.size() < 4 || text.compare(0, 4, "arn:") != 0) return false;
  std::string_view rest = text.substr(4);
  for (int i = 0; i < 4; ++i) {
    std::size_t colon = rest.find(':');
    if (colon == std::string_view::npos) return false;
    fields[i] = rest.substr(0, colon);
    rest = rest.substr(colon + 1);
  }
  fields[4] = rest;
  return true;
}

// Field-wise ARN glob (ArnLike, and Resource patterns that contain variables).
bool ArnGlob(std::string_view encoded_pattern, std::string_view text) {
  std::string_view pattern_fields[5];
  std::string_view text_fields[5];
  if (!SplitArn(encoded_pattern, pattern_fields)) return GlobMatch(encoded_pattern, text, false);
  if (!SplitArn(text, text_fields)) return false;
  for (int i = 0; i < 5; ++i) {
    if (!GlobMatch(pattern_fields[i], text_fields[i], false)) return false;
  }
  return true;
}

bool IsNegated(ConditionOperator op) {
  switch (op) {
    case ConditionOperator::kStringNotEquals:
    case ConditionOperator::kStringNotEqualsIgnoreCase:
    case ConditionOperator::kStringNotLike:
    case ConditionOperator::kNumericNotEquals:
    case ConditionOperator::kDateNotEquals:
    case ConditionOperator::kNotIpAddress:
    case ConditionOperator::kArnNotEquals:
    case ConditionOperator::kArnNotLike:
      return true;
    default:
      return false;
  }
}

class Evaluator {
 public:
  Evaluator(const RequestContext& request, const EvaluateOptions& options, Decision& decision,
            bool has_boundary)
      : request_(request), options_(options), decision_(decision), has_boundary_(has_boundary) {}

  Summary EvaluatePolicy(const CompiledPolicy* policy) {
    Summary summary;
    if (policy == nullptr) return summary;
    policy->ForEachCandidate(request_.service_lower(), [&](std::uint32_t idx) {
      const Statement& statement = policy->statements()[idx];
      PrincipalMatch match = PrincipalMatch::kDirect;
      if (!Applies(statement, match)) return;
      if (options_.collect_details) decision_.matched.push_back({policy, idx});
      if (statement.effect == Effect::kDeny) {
        if (!summary.deny) summary.first_deny = {policy, idx};
        summary.deny = true;
      } else {
        if (!summary.allow || match > summary.best_allow) summary.best_allow_statement = {policy, idx};
        summary.allow = true;
        if (match > summary.best_allow) summary.best_allow = match;
      }
    });
    return summary;
  }

  Summary EvaluateAll(const std::vector<PolicyPtr>& policies) {
    Summary total;
    for (const PolicyPtr& policy : policies) Merge(total, EvaluatePolicy(policy.get()));
    return total;
  }

 private:
  bool Applies(const Statement& statement, PrincipalMatch& match) {
    if (!ActionMatches(statement)) return false;
    if (!ResourceMatches(statement)) return false;
    if (statement.principal.present) {
      match = MatchPrincipal(statement.principal, statement.effect);
      if (match == PrincipalMatch::kNo) return false;
    }
    bool all = true;
    for (const Condition& condition : statement.conditions) {
      if (!ConditionHolds(condition)) {
        all = false;
        // Keep going only to report every missing key to the simulator.
        if (!options_.collect_details) return false;
      }
    }
    return all;
  }

  bool ActionMatches(const Statement& statement) const {
    const std::string& action = request_.action_lower();
    bool any = false;
    for (const ActionPattern& pattern : statement.actions) {
      if (pattern.matcher.Match(action)) {
        any = true;
        break;
      }
    }
    return any != statement.not_action;
  }

  bool ResourceMatches(const Statement& statement) {
    if (!statement.has_resource) return true;
    const std::string& resource = request_.resource();
    bool any = false;
    for (const ResourcePattern& pattern : statement.resources) {
      if (MatchResource(pattern, resource)) {
        any = true;
        break;
      }
    }
    return any != statement.not_resource;
  }

  bool MatchResource(const ResourcePattern& pattern, std::string_view resource) {
    if (pattern.templ.has_variables()) {
      std::string resolved;
      if (!Resolve(pattern.templ, resolved)) return false;
      return ArnGlob(resolved, resource);
    }
    if (!pattern.arn) return pattern.whole.Match(resource);
    if (!request_.resource_is_arn()) return false;
    // The resource part first: it is where patterns usually differ.
    if (!pattern.fields[4].Match(request_.resource_field(4))) return false;
    for (int i = 0; i < 4; ++i) {
      if (!pattern.fields[i].Match(request_.resource_field(i))) return false;
    }
    return true;
  }

  // Substitutes policy variables. False (and the key noted as missing) when one is unresolved.
  bool Resolve(const Template& templ, std::string& out) {
    for (const Template::Piece& piece : templ.pieces) {
      if (!piece.variable) {
        out += piece.text;
        continue;
      }
      const RequestContext::Entry* entry = request_.Find(piece.key_lower);
      if (entry != nullptr && !entry->multivalued && entry->values.size() == 1) {
        const std::string& value = entry->values[0];
        // A substituted value is literal text; control bytes would act as wildcards.
        if (value.find(kGlobStar) != std::string::npos || value.find(kGlobOne) != std::string::npos) {
          return false;
        }
        out += value;
        continue;
      }
      if (piece.default_value) {
        out += *piece.default_value;
        continue;
      }
      NoteMissing(piece.text);
      return false;
    }
    return true;
  }

  void NoteMissing(std::string_view key) {
    if (!options_.collect_details) return;
    for (const std::string& known : decision_.missing_context_keys) {
      if (EqualsIgnoreCase(known, key)) return;
    }
    decision_.missing_context_keys.emplace_back(key);
  }

  PrincipalMatch MatchEntry(const PrincipalEntry& entry) const {
    const Principal& caller = request_.principal();
    using Kind = PrincipalEntry::Kind;
    switch (entry.kind) {
      case Kind::kAnyone:
        return PrincipalMatch::kAnyone;
      case Kind::kAccount:
        if (caller.type == PrincipalType::kAnonymous || caller.type == PrincipalType::kAwsService) {
          return PrincipalMatch::kNo;
        }
        return caller.account_id == entry.account ? PrincipalMatch::kAccount : PrincipalMatch::kNo;
      case Kind::kUser:
        return caller.type == PrincipalType::kIamUser && caller.arn == entry.value ? PrincipalMatch::kDirect
                                                                                   : PrincipalMatch::kNo;
      case Kind::kRole:
        if (caller.type == PrincipalType::kIamRole && caller.arn == entry.value) return PrincipalMatch::kDirect;
        if (caller.type == PrincipalType::kAssumedRole && caller.account_id == entry.account) {
          bool same = caller.role_arn.empty() ? RoleNameOfSession(caller.arn) == entry.role_name
                                              : caller.role_arn == entry.value;
          if (same) return PrincipalMatch::kRole;
        }
        return PrincipalMatch::kNo;
      case Kind::kAssumedRole:
        return caller.type == PrincipalType::kAssumedRole && caller.arn == entry.value
                   ? PrincipalMatch::kDirect
                   : PrincipalMatch::kNo;
      case Kind::kFederatedUser:
        return caller.type == PrincipalType::kFederatedUser && caller.arn == entry.value
                   ? PrincipalMatch::kDirect
                   : PrincipalMatch::kNo;
      case Kind::kService:
        return caller.type == PrincipalType::kAwsService && EqualsIgnoreCase(caller.arn, entry.value)
                   ? PrincipalMatch::kDirect
                   : PrincipalMatch::kNo;
      case Kind::kFederated:
      case Kind::kCanonicalUser:
        return caller.arn == entry.value ? PrincipalMatch::kDirect : PrincipalMatch::kNo;
      case Kind::kOtherArn:
        return PrincipalMatch::kNo;
    }
    return PrincipalMatch::kNo;
  }

  PrincipalMatch MatchPrincipal(const PrincipalSpec& spec, Effect effect) const {
    if (!spec.negated) {
      PrincipalMatch best = PrincipalMatch::kNo;
      for (const PrincipalEntry& entry : spec.entries) {
        PrincipalMatch match = MatchEntry(entry);
        if (match > best) best = match;
      }
      return best;
    }
    // NotPrincipal (Deny only): the caller is exempt only when every link of its identity is
    // listed: the account, then the user / role / session (IAM User Guide, NotPrincipal). A
    // principal with a permissions boundary is never exempt.
    if (effect == Effect::kAllow) {
      // Allow + NotPrincipal: everyone except a principal the list names in any form.
      for (const PrincipalEntry& entry : spec.entries) {
        if (MatchEntry(entry) != PrincipalMatch::kNo) return PrincipalMatch::kNo;
      }
      return PrincipalMatch::kAnyone;
    }
    return ExemptFromNotPrincipal(spec) ? PrincipalMatch::kNo : PrincipalMatch::kAnyone;
  }

  bool ExemptFromNotPrincipal(const PrincipalSpec& spec) const {
    const Principal& caller = request_.principal();
    bool account = false, self = false, role = false;
    for (const PrincipalEntry& entry : spec.entries) {
      if (entry.kind == PrincipalEntry::Kind::kAnyone) return true;
      PrincipalMatch match = MatchEntry(entry);
      if (match == PrincipalMatch::kAccount) account = true;
      if (match == PrincipalMatch::kDirect) self = true;
      if (match == PrincipalMatch::kRole) role = true;
    }
    if (has_boundary_) return false;
    switch (caller.type) {
      case PrincipalType::kRoot:
        return account;
      case PrincipalType::kIamUser:
      case PrincipalType::kIamRole:
      case PrincipalType::kFederatedUser:
        return account && self;
      case PrincipalType::kAssumedRole:
        return account && role && self;
      case PrincipalType::kAwsService:
        return self;
      case PrincipalType::kAnonymous:
        return false;
    }
    return false;
  }

  bool ConditionHolds(const Condition& condition) {
    const RequestContext::Entry* entry = request_.Find(condition.key_lower);
    if (condition.op == ConditionOperator::kNull) {
      bool absent = entry == nullptr || entry->values.empty();
      for (const ConditionValue& value : condition.values) {
        if (value.boolean && *value.boolean == absent) return true;
      }
      return false;
    }
    // A set operator over a key whose only value is the empty string sees an empty set
    // (IAM User Guide, multivalued context keys: "a null data set such as an empty string").
    bool empty_set = entry == nullptr || entry->values.empty();
    if (!empty_set && condition.qualifier != SetQualifier::kNone) {
      empty_set = std::all_of(entry->values.begin(), entry->values.end(),
                              [](const std::string& value) { return value.empty(); });
    }
    if (empty_set) {
      if (entry == nullptr) NoteMissing(condition.key);
      if (condition.if_exists) return true;
      if (condition.qualifier == SetQualifier::kForAllValues) return true;
      if (condition.qualifier == SetQualifier::kForAnyValue) return false;
      return IsNegated(condition.op);
    }
    const bool negated = IsNegated(condition.op);
    switch (condition.qualifier) {
      case SetQualifier::kNone: {
        bool any = false;
        for (const std::string& value : entry->values) {
          if (MatchesAnyValue(condition, value)) {
            any = true;
            break;
          }
        }
        return negated ? !any : any;
      }
      case SetQualifier::kForAnyValue:
        for (const std::string& value : entry->values) {
          if (MatchesAnyValue(condition, value) != negated) return true;
        }
        return false;
      case SetQualifier::kForAllValues:
        for (const std::string& value : entry->values) {
          if (MatchesAnyValue(condition, value) == negated) return false;
        }
        return true;
    }
    return false;
  }

  // The positive form of the operator, OR'ed over the condition's values.
  bool MatchesAnyValue(const Condition& condition, std::string_view context_value) {
    for (const ConditionValue& value : condition.values) {
      if (MatchesValue(condition.op, value, context_value)) return true;
    }
    return false;
  }

  bool MatchesValue(ConditionOperator op, const ConditionValue& value, std::string_view context) {
    std::string resolved;
    std::string_view literal = value.templ.literal;
    if (value.templ.has_variables()) {
      if (!Resolve(value.templ, resolved)) return false;
      literal = resolved;
    }
    using Op = ConditionOperator;
    switch (op) {
      case Op::kStringEquals:
      case Op::kStringNotEquals:
      case Op::kBinaryEquals:
        return literal == context;
      case Op::kStringEqualsIgnoreCase:
      case Op::kStringNotEqualsIgnoreCase:
        return EqualsIgnoreCase(literal, context);
      case Op::kStringLike:
      case Op::kStringNotLike:
        if (!value.templ.has_variables()) return value.like.Match(context);
        return GlobMatch(literal, context, false);
      case Op::kArnEquals:
      case Op::kArnNotEquals:
      case Op::kArnLike:
      case Op::kArnNotLike:
        return ArnGlob(literal, context);
      case Op::kNumericEquals:
      case Op::kNumericNotEquals:
      case Op::kNumericLessThan:
      case Op::kNumericLessThanEquals:
      case Op::kNumericGreaterThan:
      case Op::kNumericGreaterThanEquals: {
        std::optional<double> want =
            value.templ.has_variables() ? internal::ParseNumber(literal) : value.number;
        std::optional<double> have = internal::ParseNumber(context);
        if (!want || !have) return false;
        switch (op) {
          case Op::kNumericLessThan: return *have < *want;
          case Op::kNumericLessThanEquals: return *have <= *want;
          case Op::kNumericGreaterThan: return *have > *want;
          case Op::kNumericGreaterThanEquals: return *have >= *want;
          default: return *have == *want;
        }
      }
      case Op::kDateEquals:
      case Op::kDateNotEquals:
      case Op::kDateLessThan:
      case Op::kDateLessThanEquals:
      case Op::kDateGreaterThan:
      case Op::kDateGreaterThanEquals: {
        std::optional<std::int64_t> want =
            value.templ.has_variables() ? internal::ParseDate(literal) : value.date_ms;
        std::optional<std::int64_t> have = internal::ParseDate(context);
        if (!want || !have) return false;
        switch (op) {
          case Op::kDateLessThan: return *have < *want;
          case Op::kDateLessThanEquals: return *have <= *want;
          case Op::kDateGreaterThan: return *have > *want;
          case Op::kDateGreaterThanEquals: return *have >= *want;
          default: return *have == *want;
        }
      }
      case Op::kBool: {
        std::optional<bool> want =
            value.templ.has_variables() ? internal::ParseBool(literal) : value.boolean;
        std::optional<bool> have = internal::ParseBool(context);
        return want && have && *want == *have;
      }
      case Op::kIpAddress:
      case Op::kNotIpAddress: {
        std::optional<internal::IpRange> range =
            value.templ.has_variables() ? internal::ParseCidr(literal) : value.ip;
        std::optional<internal::IpRange> address = internal::ParseCidr(context);
        return range && address && internal::IpInRange(*range, *address);
      }
      case Op::kNull:
        return false;
    }
    return false;
  }

  const RequestContext& request_;
  const EvaluateOptions& options_;
  Decision& decision_;
  bool has_boundary_;
};

bool IsTrustAction(std::string_view action_lower) {
  return internal::StartsWith(action_lower, "sts:assumerole") || action_lower == "sts:tagsession" ||
         action_lower == "sts:setsourceidentity" || action_lower == "sts:setcontext";
}

// Changes to AWS managed policies and to roles under role/aws-reserved/ are refused whatever
// the policies say.
bool IsProtectedChange(const RequestContext& request) {
  if (request.service_lower() != "iam" || request.action_lower().size() < 4) return false;
  std::string_view name = std::string_view(request.action_lower()).substr(4);
  static constexpr std::string_view kReadOnly[] = {"get", "list", "generate", "simulate", "passrole"};
  for (std::string_view prefix : kReadOnly) {
    if (internal::StartsWith(name, prefix)) return false;
  }
  std::string_view resource = request.resource();
  std::string_view fields[5];
  if (!SplitArn(resource, fields) || fields[1] != "iam") return false;
  if (fields[3] == "aws" && internal::StartsWith(fields[4], "policy/")) return true;
  return internal::StartsWith(fields[4], "role/aws-reserved/");
}

Decision Deny(Decision decision, DecisionKind kind, DecisionSource source) {
  decision.kind = kind;
  decision.source = source;
  return decision;
}

}  // namespace

Decision Evaluate(const PrincipalPolicies& principal_policies,
                  const ResourcePolicies& resource_policies, const RequestContext& request,
                  const EvaluateOptions& options) {
  Decision decision;
  const Principal& caller = request.principal();
  const bool authenticated = caller.type != PrincipalType::kAnonymous;
  // GetCallerIdentity needs no permission (STS API reference).
  if (authenticated && request.action_lower() == "sts:getcalleridentity") {
    decision.kind = DecisionKind::kAllowed;
    decision.source = DecisionSource::kCallerIdentity;
    return decision;
  }
  if (IsProtectedChange(request)) {
    return Deny(std::move(decision), DecisionKind::kExplicitDeny, DecisionSource::kProtectedResource);
  }

  const bool has_identity = caller.type != PrincipalType::kAnonymous &&
                            caller.type != PrincipalType::kAwsService;
  const bool is_root = caller.type == PrincipalType::kRoot;
  const bool apply_scps = has_identity && !principal_policies.scps.empty();
  const bool same_account = has_identity && (!request.resource_account().has_value() ||
                                             *request.resource_account() == caller.account_id);
  const bool trust_action = IsTrustAction(request.action_lower());
  // The key policy rule concerns requests on a key; kms:CreateKey, kms:ListKeys and the like
  // (resource "*") are governed by identity policies alone.
  const bool kms = request.service_lower() == "kms" && request.resource_is_arn() &&
                   internal::StartsWith(request.resource_field(4), "key/");
  const bool has_boundary = has_identity && !is_root && principal_policies.boundary != nullptr;
  // A federated user session (GetFederationToken) without a session policy has no permissions
  // (STS API reference, GetFederationToken), so for it session policies always apply.
  const bool has_session = has_identity && !is_root &&
                           (!principal_policies.session.empty() ||
                            caller.type == PrincipalType::kFederatedUser);

  Evaluator evaluator(request, options, decision, has_boundary);

  // Every applicable policy is evaluated: an explicit deny anywhere wins.
  Summary rcps;
  bool rcp_missing_allow = false;
  for (const auto& level : resource_policies.rcps) {
    Summary summary = evaluator.EvaluateAll(level);
    Merge(rcps, summary);
    rcp_missing_allow |= !summary.allow;
  }
  Summary scps;
  bool scp_missing_allow = false;
  if (apply_scps) {
    for (const auto& level : principal_policies.scps) {
      Summary summary = evaluator.EvaluateAll(level);
      Merge(scps, summary);
      scp_missing_allow |= !summary.allow;
    }
  }
  Summary endpoints;
  bool endpoint_missing_allow = false;
  for (const PolicyPtr& policy : resource_policies.endpoint) {
    Summary summary = evaluator.EvaluatePolicy(policy.get());
    Merge(endpoints, summary);
    endpoint_missing_allow |= !summary.allow;
  }
  Summary resource = evaluator.EvaluatePolicy(resource_policies.resource.get());
  Summary identity;
  if (has_identity && !is_root) identity = evaluator.EvaluateAll(principal_policies.identity);
  if (is_root) identity.allow = true;
  Summary boundary;
  if (has_boundary) boundary = evaluator.EvaluatePolicy(principal_policies.boundary.get());
  Summary session;
  if (has_session) session = evaluator.EvaluateAll(principal_policies.session);

  const DecisionSource resource_source = trust_action ? DecisionSource::kTrust : DecisionSource::kResource;
  const DecisionKind explicit_deny = DecisionKind::kExplicitDeny;
  auto explicit_by = [&](const Summary& summary, DecisionSource source) {
    decision.deciding = summary.first_deny;
    return Deny(std::move(decision), explicit_deny, source);
  };
  if (rcps.deny) return explicit_by(rcps, DecisionSource::kRcp);
  if (scps.deny) return explicit_by(scps, DecisionSource::kScp);
  if (endpoints.deny) return explicit_by(endpoints, DecisionSource::kEndpoint);
  if (resource.deny) return explicit_by(resource, resource_source);
  if (identity.deny) return explicit_by(identity, DecisionSource::kIdentity);
  if (boundary.deny) return explicit_by(boundary, DecisionSource::kBoundary);
  if (session.deny) return explicit_by(session, DecisionSource::kSession);

  const DecisionKind implicit_deny = DecisionKind::kImplicitDeny;
  if (rcp_missing_allow) return Deny(std::move(decision), implicit_deny, DecisionSource::kRcp);
  if (scp_missing_allow) return Deny(std::move(decision), implicit_deny, DecisionSource::kScp);
  if (endpoint_missing_allow) return Deny(std::move(decision), implicit_deny, DecisionSource::kEndpoint);

  // The root user cannot assume roles ("Roles may not be assumed by root accounts").
  if (is_root && trust_action) return Deny(std::move(decision), implicit_deny, DecisionSource::kTrust);

  const bool boundary_ok = !has_boundary || boundary.allow;
  const bool session_ok = !has_session || session.allow;
  const bool identity_ok = identity.allow && boundary_ok && session_ok;
  // The first missing piece on the principal's side, for the message.
  const DecisionSource identity_gap = !identity.allow ? DecisionSource::kIdentity
                                      : !boundary_ok  ? DecisionSource::kBoundary
                                                      : DecisionSource::kSession;
  auto allow = [&](DecisionSource source) {
    decision.kind = DecisionKind::kAllowed;
    decision.source = source;
    if (source == DecisionSource::kIdentity) decision.deciding = identity.best_allow_statement;
    if (source == DecisionSource::kResource || source == DecisionSource::kTrust) {
      decision.deciding = resource.best_allow_statement;
    }
    return std::move(decision);
  };

  // A grant by the resource policy on its own (same account): a statement naming the user or
  // the session directly, or everyone ("*", typically narrowed by aws:PrincipalArn), is not
  // limited by boundary or session policies; one naming the role is limited by both (IAM User
  // Guide, policy evaluation logic and the Principal element's role principals).
  const PrincipalMatch grant = resource.best_allow;
  auto resource_alone = [&]() -> bool {
    if (grant == PrincipalMatch::kDirect || grant == PrincipalMatch::kAnyone) return true;
    if (grant == PrincipalMatch::kRole) return boundary_ok && session_ok;
    return false;
  };
  auto resource_gap = [&]() -> DecisionSource {
    if (grant == PrincipalMatch::kRole) return !boundary_ok ? DecisionSource::kBoundary : DecisionSource::kSession;
    return identity_gap;
  };

  if (!has_identity) {
    // Anonymous callers and AWS services: only a resource policy can grant.
    if (grant == PrincipalMatch::kDirect || grant == PrincipalMatch::kAnyone) return allow(resource_source);
    return Deny(std::move(decision), implicit_deny, resource_source);
  }

  if (same_account && !trust_action && !kms) {
    if (identity_ok) return allow(is_root ? DecisionSource::kRoot : DecisionSource::kIdentity);
    if (resource_alone()) return allow(DecisionSource::kResource);
    if (grant == PrincipalMatch::kRole) return Deny(std::move(decision), implicit_deny, resource_gap());
    return Deny(std::move(decision), implicit_deny, identity_gap);
  }

  if (same_account) {
    // KMS key policies and role trust policies must allow; identity policies count only
    // where that policy trusts the account.
    if (grant == PrincipalMatch::kNo) return Deny(std::move(decision), implicit_deny, resource_source);
    if (resource_alone()) return allow(resource_source);
    if (identity_ok) return allow(is_root ? DecisionSource::kRoot : DecisionSource::kIdentity);
    if (grant == PrincipalMatch::kAccount) return Deny(std::move(decision), implicit_deny, identity_gap);
    return Deny(std::move(decision), implicit_deny, resource_gap());
  }

  // Cross-account: the principal's account must allow, and the resource policy must too.
  if (!identity_ok) return Deny(std::move(decision), implicit_deny, identity_gap);
  if (grant == PrincipalMatch::kNo) return Deny(std::move(decision), implicit_deny, resource_source);
  return allow(resource_source);
}

}  // namespace rampart::policy
