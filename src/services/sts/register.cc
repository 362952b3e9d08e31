#include <memory>

#include "auth/credentials.h"
#include "services/sts/internal.h"

namespace rampart::services::sts {

Result<void> CheckTemporaryCredentialScope(const Principal& caller, std::string_view service,
                                           std::string_view operation) {
  if (!caller.temporary) return Ok();
  // Role sessions may call everything their policies allow.
  if (caller.type == PrincipalType::kAssumedRole) return Ok();
  const bool federated = caller.type == PrincipalType::kFederatedUser;
  if (service == "iam") {
    // GetSessionToken credentials need MFA for IAM; federated users never call IAM. AWS
    // answers InvalidClientTokenId (aws-vault #15, #1056: "The security token included in the
    // request is invalid").
    if (federated || !caller.mfa_authenticated.value_or(false)) {
      return Fail(auth::InvalidClientTokenIdError());
    }
    return Ok();
  }
  if (service == "sts") {
    if (operation == "GetCallerIdentity") return Ok();
    if (operation == "AssumeRole" && !federated) return Ok();
    return Fail(AccessDenied("Cannot call " + std::string(operation) +
                             " with session credentials"));
  }
  return Ok();
}

void Register(HandlerRegistry& registry, const StsOptions& options) {
  auto state = std::make_shared<StsState>(options);
  registry.Add("sts", "GetCallerIdentity",
               OperationSpec{.handler = GetCallerIdentity, .requires_authorization = false});
  // "No permissions are required for users to perform this operation" (STS API reference).
  registry.Add("sts", "GetSessionToken",
               OperationSpec{.handler =
                                 [state](CallContext& call, const json::object& in) {
                                   return GetSessionToken(call, in, *state);
                                 },
                             .requires_authorization = false});
  // Authorized inside the handler: the trust policy and the caller's policies together, with
  // one AccessDenied for a missing role and a refused one.
  registry.Add("sts", "AssumeRole",
               OperationSpec{.handler =
                                 [state](CallContext& call, const json::object& in) {
                                   return AssumeRole(call, in, *state);
                                 },
                             .requires_authorization = false});
  registry.Add("sts", "GetFederationToken",
               OperationSpec{.handler =
                                 [state](CallContext& call, const json::object& in) {
                                   return GetFederationToken(call, in, *state);
                                 },
                             .requires_authorization = true,
                             .target = [](CallContext& call, const json::object& in)
                                 -> Result<authz::AuthzTarget> {
                               return GetFederationTokenTarget(call, in);
                             }});
  registry.Add("sts", "GetAccessKeyInfo", OperationSpec{.handler = GetAccessKeyInfo});
  registry.Add("sts", "DecodeAuthorizationMessage",
               OperationSpec{.handler = DecodeAuthorizationMessage});
}

}  // namespace rampart::services::sts
