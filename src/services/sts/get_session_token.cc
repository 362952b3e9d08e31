// GetSessionToken: temporary credentials for an IAM user or the root user, optionally
// MFA-authenticated.
#include <fmt/format.h>

#include "services/sts/internal.h"

namespace rampart::services::sts {
namespace {

// STS API reference, GetSessionToken DurationSeconds: IAM users 900-129,600 s, default
// 43,200; account owners at most 3,600 ("If the duration is longer than one hour, the session
// for Amazon Web Services account owners defaults to one hour"). The model checks the range.
constexpr std::int64_t kUserDefaultSeconds = 43'200;
constexpr std::int64_t kRootMaxSeconds = 3'600;

}  // namespace

Result<json::object> GetSessionToken(CallContext& call, const json::object& in, StsState& state) {
  const Principal& caller = call.caller();
  if (auto scope = CheckTemporaryCredentialScope(caller, "sts", "GetSessionToken"); !scope) {
    return Fail(scope.error());
  }
  // Only long-term credentials of IAM users and the root user (role sessions and federated
  // users are temporary and were refused above).
  if (caller.type != PrincipalType::kIAMUser && caller.type != PrincipalType::kRoot) {
    return Fail(AccessDenied("Cannot call GetSessionToken with session credentials"));
  }
  const bool root = caller.type == PrincipalType::kRoot;
  std::int64_t duration = OptInt(in, "DurationSeconds").value_or(root ? kRootMaxSeconds
                                                                       : kUserDefaultSeconds);
  if (root && duration > kRootMaxSeconds) duration = kRootMaxSeconds;

  std::optional<std::string> serial = OptString(in, "SerialNumber");
  std::optional<std::string> code = OptString(in, "TokenCode");
  std::optional<VerifiedMfa> mfa;
  if (serial || code) {
    // Both or neither: a serial without a code (or the reverse) cannot be validated.
    if (!serial || !code) return Fail(MfaDeviceInvalid());
    Result<VerifiedMfa> verified = VerifyMfa(call, state.throttle, *serial, *code);
    if (!verified) return Fail(verified.error());
    // Replay protection: the step is accepted once, atomically, in this call's transaction.
    Result<void> accepted = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
      return tx.MfaDevices().AcceptStep(verified->serial, verified->step);
    });
    if (!accepted) {
      if (store::IsConflict(accepted.error())) {
        state.throttle.Failed(*serial, call.now);
        return Fail(MfaCodeInvalid());
      }
      return Fail(FromStore(accepted.error()));
    }
    mfa = std::move(*verified);
  }

  Principal session;
  session.type = caller.type;
  session.account_id = caller.account_id;
  session.arn = caller.arn;
  session.principal_id = caller.principal_id;
  session.name = caller.name;
  session.path = caller.path;
  session.issuer_arn = caller.arn;
  session.issuer_principal_id = caller.principal_id;
  session.mfa_authenticated = mfa.has_value();
  if (mfa) session.mfa_auth_time = call.now;
  session.session_issued = call.now;
  session.expiration = call.now + std::chrono::seconds(duration);
  Result<json::object> credentials =
      IssueCredentials(call, auth::SessionKind::kSessionToken, std::move(session));
  if (!credentials) return Fail(credentials.error());
  json::object out;
  out["Credentials"] = std::move(*credentials);
  return out;
}

}  // namespace rampart::services::sts
