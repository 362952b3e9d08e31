#include "authz/authz.h"

#include <fmt/format.h>

#include "common/arn.h"
#include "common/strings.h"

namespace rampart::authz {
namespace {

const char* PrincipalTypeKey(PrincipalType type) {
  // aws:PrincipalType values (AWS global condition context keys).
  switch (type) {
    case PrincipalType::kRoot: return "Account";
    case PrincipalType::kIAMUser: return "User";
    case PrincipalType::kAssumedRole: return "AssumedRole";
    case PrincipalType::kFederatedUser: return "FederatedUser";
    case PrincipalType::kAWSService: return "AWSService";
    case PrincipalType::kAnonymous: return "Anonymous";
  }
  return "Anonymous";
}

std::optional<std::string> ResourceAccount(std::string_view resource) {
  if (resource == "*") return std::nullopt;
  Result<Arn> arn = Arn::Parse(resource);
  if (!arn || arn->account.empty() || arn->account == "aws") return std::nullopt;
  return arn->account;
}

}  // namespace

policy::Principal ToPolicyPrincipal(const Principal& principal) {
  policy::Principal out;
  out.arn = principal.arn;
  out.account_id = principal.account_id;
  switch (principal.type) {
    case PrincipalType::kRoot: out.type = policy::PrincipalType::kRoot; break;
    case PrincipalType::kIAMUser: out.type = policy::PrincipalType::kIamUser; break;
    case PrincipalType::kAssumedRole:
      out.type = policy::PrincipalType::kAssumedRole;
      out.role_arn = principal.issuer_arn;
      break;
    case PrincipalType::kFederatedUser: out.type = policy::PrincipalType::kFederatedUser; break;
    case PrincipalType::kAWSService: out.type = policy::PrincipalType::kAwsService; break;
    case PrincipalType::kAnonymous: out.type = policy::PrincipalType::kAnonymous; break;
  }
  return out;
}

policy::RequestContext BuildRequestContext(const Principal& principal,
                                           const PrincipalPolicySet& policies,
                                           const AuthzTarget& target, std::string_view resource,
                                           const RequestFacts& facts) {
  policy::RequestContext context;
  context.Reserve(20 + policies.tags.size() + principal.session_tags.size() + target.keys.size());
  context.set_principal(ToPolicyPrincipal(principal));
  context.set_action(target.action);
  context.set_resource(std::string(resource));
  std::optional<std::string> resource_account = ResourceAccount(resource);
  context.set_resource_account(resource_account);

  context.SetKey("aws:CurrentTime", FormatIso8601(facts.now));
  context.SetKey("aws:EpochTime", std::to_string(ToEpochSeconds(facts.now)));
  if (!facts.source_ip.empty()) context.SetKey("aws:SourceIp", facts.source_ip);
  context.SetKey("aws:SecureTransport", facts.secure_transport ? "true" : "false");
  if (!facts.region.empty()) context.SetKey("aws:RequestedRegion", facts.region);
  if (!facts.user_agent.empty()) context.SetKey("aws:UserAgent", facts.user_agent);
  context.SetKey("aws:ViaAWSService", "false");
  context.SetKey("aws:PrincipalIsAWSService", "false");
  if (resource_account) context.SetKey("aws:ResourceAccount", *resource_account);

  // aws:PrincipalArn is the role's ARN for role sessions (not the session ARN).
  const std::string& principal_arn =
      principal.type == PrincipalType::kAssumedRole && !principal.issuer_arn.empty()
          ? principal.issuer_arn
          : principal.arn;
  context.SetKey("aws:PrincipalArn", principal_arn);
  context.SetKey("aws:PrincipalAccount", principal.account_id);
  context.SetKey("aws:PrincipalType", PrincipalTypeKey(principal.type));
  context.SetKey("aws:userid", principal.principal_id);
  if (principal.type == PrincipalType::kIAMUser) context.SetKey("aws:username", principal.name);

  // Session tags win over the role's (or user's) own tags: keys are case-insensitive, so a
  // session tag set after an entity tag of the same key replaces it.
  for (const auto& [key, value] : policies.tags) context.SetKey("aws:PrincipalTag/" + key, value);
  for (const auto& [key, value] : principal.session_tags) {
    context.SetKey("aws:PrincipalTag/" + key, value);
  }

  if (principal.temporary) {
    // Absent for long-term keys, true/false for temporary credentials (AWS-BEHAVIOUR.md §2(d)).
    bool mfa = principal.mfa_authenticated.value_or(false);
    context.SetKey("aws:MultiFactorAuthPresent", mfa ? "true" : "false");
    if (mfa && principal.mfa_auth_time) {
      auto age = ToEpochSeconds(facts.now) - ToEpochSeconds(*principal.mfa_auth_time);
      context.SetKey("aws:MultiFactorAuthAge", std::to_string(age < 0 ? 0 : age));
    }
    if (principal.session_issued) {
      context.SetKey("aws:TokenIssueTime", FormatIso8601(*principal.session_issued));
    }
    if (!principal.source_identity.empty()) {
      context.SetKey("aws:SourceIdentity", principal.source_identity);
    }
  }

  for (const auto& [key, values] : target.keys) {
    bool multi = values.size() != 1;
    for (const std::string& name : target.multivalued_keys) multi = multi || name == key;
    if (multi) {
      context.SetMultiKey(key, values);
    } else {
      context.SetKey(key, values.front());
    }
  }
  return context;
}

Result<AuthzResult> Authorizer::Decide(const Principal& principal, const AuthzTarget& target,
                                       const RequestFacts& facts) const {
  Result<PolicySetPtr> set = source_.ForPrincipal(principal);
  if (!set) return Fail(set.error());
  policy::ResourcePolicies resource_policies;
  resource_policies.resource = target.resource_policy;
  AuthzResult result;
  static const std::vector<std::string> kStar = {"*"};
  const std::vector<std::string>& resources = target.resources.empty() ? kStar : target.resources;
  for (const std::string& resource : resources) {
    policy::RequestContext context = BuildRequestContext(principal, **set, target, resource, facts);
    policy::Decision decision = policy::Evaluate((*set)->policies, resource_policies, context);
    if (!decision.allowed()) {
      result.decision = std::move(decision);
      result.denied_resource = resource;
      return result;
    }
    result.decision = std::move(decision);
  }
  return result;
}

Result<void> Authorizer::Authorize(const Principal& principal, const AuthzTarget& target,
                                   const RequestFacts& facts) const {
  Result<AuthzResult> result = Decide(principal, target, facts);
  if (!result) return Fail(result.error());
  if (result->decision.allowed()) return Ok();
  // Changes to AWS managed policies and AWS-reserved roles are refused by the IAM handlers
  // themselves, with AWS's own answers ("Cannot delete policies outside your own account.",
  // UnmodifiableEntity); let them give it rather than a generic denial.
  if (result->decision.source == policy::DecisionSource::kProtectedResource &&
      StartsWith(target.action, "iam:")) {
    return Ok();
  }
  return Fail("AccessDenied",
              policy::AccessDeniedMessage(principal.arn, target.action, result->denied_resource,
                                          result->decision),
              403);
}

}  // namespace rampart::authz
