// GetFederationToken: a federated user session whose permissions are the intersection of the
// calling IAM user's policies and the session policies passed here (none passed: none).
#include <fmt/format.h>

#include "common/strings.h"
#include "services/sts/internal.h"

namespace rampart::services::sts {
namespace {

// STS API reference, GetFederationToken DurationSeconds: 900-129,600 s, default 43,200.
constexpr std::int64_t kDefaultSeconds = 43'200;

std::string FederatedUserArn(std::string_view account, std::string_view name) {
  return fmt::format("arn:aws:sts::{}:federated-user/{}", account, name);
}

}  // namespace

authz::AuthzTarget GetFederationTokenTarget(const CallContext& call, const json::object& in) {
  // Service authorization reference: resource type federated-user, condition keys
  // aws:RequestTag/${TagKey} and aws:TagKeys.
  authz::AuthzTarget target;
  target.action = "sts:GetFederationToken";
  target.resources = {
      FederatedUserArn(call.caller().account_id, OptString(in, "Name").value_or(""))};
  if (const json::value* list = in.if_contains("Tags"); list && list->is_array()) {
    std::vector<std::string> keys;
    for (const json::value& item : list->get_array()) {
      if (!item.is_object()) continue;
      std::string key = OptString(item.get_object(), "Key").value_or("");
      target.keys.push_back(
          {"aws:RequestTag/" + key, {OptString(item.get_object(), "Value").value_or("")}});
      keys.push_back(std::move(key));
    }
    if (!keys.empty()) {
      target.keys.push_back({"aws:TagKeys", std::move(keys)});
      target.multivalued_keys.push_back("aws:TagKeys");
    }
  }
  return target;
}

Result<json::object> GetFederationToken(CallContext& call, const json::object& in,
                                        StsState& state) {
  (void)state;
  const Principal& caller = call.caller();
  if (auto scope = CheckTemporaryCredentialScope(caller, "sts", "GetFederationToken"); !scope) {
    return Fail(scope.error());
  }
  if (caller.temporary || caller.type == PrincipalType::kAssumedRole ||
      caller.type == PrincipalType::kFederatedUser) {
    return Fail(AccessDenied("Cannot call GetFederationToken with session credentials"));
  }
  // rampart issues federation tokens to IAM users only (docs/decisions.md, STS).
  if (caller.type != PrincipalType::kIAMUser) {
    return Fail(AccessDenied("Cannot call GetFederationToken with root credentials"));
  }
  const std::string name = OptString(in, "Name").value_or("");
  Result<SessionRequest> request = ReadSessionRequest(in);
  if (!request) return Fail(request.error());
  if (!request->transitive_tag_keys.empty()) {
    return Fail(InvalidParameterValue("Transitive tag keys are not supported by GetFederationToken."));
  }
  const int packed = PackedPolicyPercent(*request);
  if (packed > 100) return Fail(PackedPolicyTooLarge(packed));
  const std::int64_t duration = OptInt(in, "DurationSeconds").value_or(kDefaultSeconds);

  Principal session;
  session.type = PrincipalType::kFederatedUser;
  session.account_id = caller.account_id;
  session.arn = FederatedUserArn(caller.account_id, name);
  session.principal_id = caller.account_id + ":" + name;
  session.name = name;
  session.issuer_arn = caller.arn;
  session.issuer_principal_id = caller.principal_id;
  session.mfa_authenticated = false;
  session.session_issued = call.now;
  session.expiration = call.now + std::chrono::seconds(duration);
  for (const auto& [key, value] : request->tags) session.session_tags[key] = value;
  session.session_policies = request->policies;
  session.session_policy_arns = request->policy_arns;
  Result<json::object> credentials =
      IssueCredentials(call, auth::SessionKind::kFederation, std::move(session));
  if (!credentials) return Fail(credentials.error());

  json::object out;
  out["Credentials"] = std::move(*credentials);
  json::object user;
  user["FederatedUserId"] = caller.account_id + ":" + name;
  user["Arn"] = FederatedUserArn(caller.account_id, name);
  out["FederatedUser"] = std::move(user);
  out["PackedPolicySize"] = packed;
  return out;
}

}  // namespace rampart::services::sts
