// STS operation handlers (sts.amazonaws.com, query protocol, API 2011-06-15): temporary
// credentials for IAM users, the root user, role sessions and federated users.
//
// Temporary credentials are ASIA access key ids with a sealed session token
// (auth/session_token.h) that carries the whole session; nothing is stored per session. The
// token is sealed under a key derived from services::Environment::page_token_key (itself
// derived from the master key), and the server's StoreCredentialSource must be built with
// the same secret to accept the tokens.
//
// Thread-safety: the handlers share only the MfaThrottle (internally locked) and the role
// cache (internally locked), both owned by the registration; safe on every worker thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "authz/authz.h"
#include "common/principal.h"
#include "policy/policy.h"
#include "services/service.h"

namespace rampart::services::sts {

struct StsOptions {
  // Failed MFA codes tolerated per device within `mfa_failure_window`; past that every code
  // for the device is refused until the window ends (DESIGN.md §6: failed attempts throttled).
  int mfa_max_failures = 5;
  std::chrono::seconds mfa_failure_window{300};
  // RoleLastUsed is rewritten at most this often per role (AWS reports it with a delay too);
  // 0 records every AssumeRole.
  std::chrono::seconds role_last_used_granularity{60};
};

// Registers every implemented STS operation: GetCallerIdentity, GetSessionToken,
// AssumeRole, GetFederationToken, GetAccessKeyInfo, DecodeAuthorizationMessage.
// AssumeRoleWithWebIdentity, AssumeRoleWithSAML and AssumeRoot stay NotImplemented.
void Register(HandlerRegistry& registry, const StsOptions& options = {});

// GetCallerIdentity: the caller as AWS reports it — for the root user
// `arn:aws:iam::ID:root` with the account id as UserId; for IAM users their ARN and AIDA id;
// for role sessions `arn:aws:sts::ID:assumed-role/ROLE/SESSION` with `AROA...:SESSION`; for
// federated users `arn:aws:sts::ID:federated-user/NAME` with `ID:NAME`.
// Needs no permission (STS API reference: "No permissions are required").
Result<boost::json::object> GetCallerIdentity(CallContext& call, const boost::json::object& input);

// What temporary credentials may call, as the STS API reference states for GetSessionToken
// ("You cannot call any IAM API operations unless MFA authentication information is included
// in the request. You cannot call any STS API except AssumeRole or GetCallerIdentity.") and
// GetFederationToken (no IAM; STS only GetCallerIdentity). For the dispatcher to call right
// after authentication, before authorization; the STS handlers also check it themselves.
// Errors: InvalidClientTokenId (403, "The security token included in the request is
// invalid.") for IAM, as AWS answers it; AccessDenied (403) "Cannot call OPERATION with
// session credentials" for STS. Long-term credentials and role sessions always pass.
Result<void> CheckTemporaryCredentialScope(const Principal& caller, std::string_view service,
                                           std::string_view operation);

// --- Encoded authorization failure messages (DecodeAuthorizationMessage) ------------------
//
// Opt-in (off by default): when a server setting asks for it, the dispatcher appends
// " Encoded authorization failure message: <EncodeAuthorizationMessage(...)>" to AccessDenied
// messages, as EC2 does; only callers allowed sts:DecodeAuthorizationMessage can read it.

// The denial's details in the JSON form AWS documents ({"allowed":false,"explicitDeny":...,
// "matchedStatements":{"items":[...]},"failures":{"items":[]},"context":{"principal":{...},
// "action":...,"resource":...,"conditions":{"items":[{"key":...,"values":{"items":[...]}}]}}}).
// `context` is the request context the decision was made in (authz::BuildRequestContext) and
// `decision` one evaluated with EvaluateOptions::collect_details for the matched statements.
std::string AuthorizationMessageJson(const Principal& principal,
                                     const policy::RequestContext& context,
                                     const policy::Decision& decision);

// Seals `json` under a key derived from `installation_secret` (Environment::page_token_key):
// URL-safe base64 without padding. Fails only if `installation_secret` is under 32 bytes.
Result<std::string> EncodeAuthorizationMessage(std::string_view installation_secret,
                                               std::string_view json);

// The dispatcher's opt-in hook in one call: re-evaluates the denied request (`target` on
// `resource`, the first denied resource) with details through `env.policies`, and returns the
// encoded message to append as " Encoded authorization failure message: <message>".
Result<std::string> EncodeDenial(const Environment& env, const Principal& principal,
                                 const authz::AuthzTarget& target,
                                 const authz::RequestFacts& facts, std::string_view resource);

// The JSON sealed by EncodeAuthorizationMessage. InvalidAuthorizationMessageException (400)
// for anything else.
Result<std::string> DecodeAuthorizationMessageText(std::string_view installation_secret,
                                                   std::string_view encoded);

}  // namespace rampart::services::sts
