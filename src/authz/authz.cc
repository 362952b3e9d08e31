#include "authz/authz.h"

#include <algorithm>
#include <functional>

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

std::vector<std::string> ReferencedKeys(const policy::PrincipalPolicies& policies) {
  std::vector<std::string> keys;
  auto add_template = [&](const policy::Template& templ) {
    for (const policy::Template::Piece& piece : templ.pieces) {
      if (piece.variable) keys.push_back(piece.key_lower);
    }
  };
  auto add = [&](const policy::PolicyPtr& compiled) {
    if (!compiled) return;
    for (const policy::Statement& statement : compiled->statements()) {
      for (const policy::ResourcePattern& pattern : statement.resources) {
        add_template(pattern.templ);
      }
      for (const policy::Condition& condition : statement.conditions) {
        keys.push_back(condition.key_lower);
        for (const policy::ConditionValue& value : condition.values) add_template(value.templ);
      }
    }
  };
  for (const policy::PolicyPtr& compiled : policies.identity) add(compiled);
  add(policies.boundary);
  for (const policy::PolicyPtr& compiled : policies.session) add(compiled);
  for (const auto& level : policies.scps) {
    for (const policy::PolicyPtr& compiled : level) add(compiled);
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

policy::RequestContext BuildRequestContext(const Principal& principal,
                                           const PrincipalPolicySet& policies,
                                           const AuthzTarget& target, std::string_view resource,
                                           const RequestFacts& facts, bool every_key) {
  // The keys to set: all, or those the policies can look up (a resource policy, such as a
  // trust policy, is not in the set's list).
  const std::vector<std::string>* wanted =
      every_key || !policies.referenced_keys || target.resource_policy
          ? nullptr
          : &*policies.referenced_keys;
  auto want = [wanted](std::string_view key_lower) {
    return wanted == nullptr ||
           std::binary_search(wanted->begin(), wanted->end(), key_lower, std::less<>());
  };
  constexpr std::string_view kTagPrefix = "aws:principaltag/";
  bool any_tag = wanted == nullptr;
  if (wanted != nullptr) {
    auto first = std::lower_bound(wanted->begin(), wanted->end(), kTagPrefix, std::less<>());
    any_tag = first != wanted->end() && StartsWith(*first, kTagPrefix);
  }
  auto want_tag = [&](const std::string& key) {
    return wanted == nullptr || (any_tag && want(std::string(kTagPrefix) + AsciiLower(key)));
  };
  policy::RequestContext context;
  context.Reserve(20 + policies.tags.size() + principal.session_tags.size() + target.keys.size());
  context.set_principal(ToPolicyPrincipal(principal));
  context.set_action(target.action);
  context.set_resource(std::string(resource));
  std::optional<std::string> resource_account = ResourceAccount(resource);
  context.set_resource_account(resource_account);

  if (want("aws:currenttime")) context.SetKey("aws:CurrentTime", FormatIso8601(facts.now));
  if (want("aws:epochtime")) {
    context.SetKey("aws:EpochTime", std::to_string(ToEpochSeconds(facts.now)));
  }
  if (!facts.source_ip.empty() && want("aws:sourceip")) {
    context.SetKey("aws:SourceIp", facts.source_ip);
  }
  if (want("aws:securetransport")) {
    context.SetKey("aws:SecureTransport", facts.secure_transport ? "true" : "false");
  }
  if (!facts.region.empty() && want("aws:requestedregion")) {
    context.SetKey("aws:RequestedRegion", facts.region);
  }
  if (!facts.user_agent.empty() && want("aws:useragent")) {
    context.SetKey("aws:UserAgent", facts.user_agent);
  }
  if (want("aws:viaawsservice")) context.SetKey("aws:ViaAWSService", "false");
  if (want("aws:principalisawsservice")) context.SetKey("aws:PrincipalIsAWSService", "false");
  if (resource_account && want("aws:resourceaccount")) {
    context.SetKey("aws:ResourceAccount", *resource_account);
  }

  // aws:PrincipalArn is the role's ARN for role sessions (not the session ARN).
  const std::string& principal_arn =
      principal.type == PrincipalType::kAssumedRole && !principal.issuer_arn.empty()
          ? principal.issuer_arn
          : principal.arn;
  if (want("aws:principalarn")) context.SetKey("aws:PrincipalArn", principal_arn);
  if (want("aws:principalaccount")) context.SetKey("aws:PrincipalAccount", principal.account_id);
  if (want("aws:principaltype")) {
    context.SetKey("aws:PrincipalType", PrincipalTypeKey(principal.type));
  }
  if (want("aws:userid")) context.SetKey("aws:userid", principal.principal_id);
  if (principal.type == PrincipalType::kIAMUser && want("aws:username")) {
    context.SetKey("aws:username", principal.name);
  }

  // Session tags win over the role's (or user's) own tags: keys are case-insensitive, so a
  // session tag set after an entity tag of the same key replaces it.
  for (const auto& [key, value] : policies.tags) {
    if (want_tag(key)) context.SetKey("aws:PrincipalTag/" + key, value);
  }
  for (const auto& [key, value] : principal.session_tags) {
    if (want_tag(key)) context.SetKey("aws:PrincipalTag/" + key, value);
  }

  if (principal.temporary) {
    // Absent for long-term keys, true/false for temporary credentials (AWS-BEHAVIOUR.md §2(d)).
    bool mfa = principal.mfa_authenticated.value_or(false);
    if (want("aws:multifactorauthpresent")) {
      context.SetKey("aws:MultiFactorAuthPresent", mfa ? "true" : "false");
    }
    if (mfa && principal.mfa_auth_time && want("aws:multifactorauthage")) {
      auto age = ToEpochSeconds(facts.now) - ToEpochSeconds(*principal.mfa_auth_time);
      context.SetKey("aws:MultiFactorAuthAge", std::to_string(age < 0 ? 0 : age));
    }
    if (principal.session_issued && want("aws:tokenissuetime")) {
      context.SetKey("aws:TokenIssueTime", FormatIso8601(*principal.session_issued));
    }
    if (!principal.source_identity.empty() && want("aws:sourceidentity")) {
      context.SetKey("aws:SourceIdentity", principal.source_identity);
    }
  }

  for (const auto& [key, values] : target.keys) {
    if (wanted != nullptr && !want(AsciiLower(key))) continue;
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
                                   const RequestFacts& facts, AuthzResult* decided) const {
  Result<AuthzResult> result = Decide(principal, target, facts);
  if (!result) return Fail(result.error());
  if (decided != nullptr) *decided = *result;
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
