// Pieces shared by the STS handlers: errors in STS's words, issuing credentials, MFA code
// checks with per-device throttling, session tags, session policies and their packed size.
// Internal to services/sts.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/json/object.hpp>

#include "auth/session_token.h"
#include "policy/policy.h"
#include "services/service.h"
#include "services/sts/sts.h"
#include "store/store.h"

namespace rampart::services::sts {

namespace json = boost::json;

// --- Errors ---------------------------------------------------------------------------------
Error AccessDenied(std::string message);            // 403
Error ValidationError(std::string message);         // 400
Error InvalidParameterValue(std::string message);   // 400
Error PackedPolicyTooLarge(int percent);            // 400
Error ServiceFailure();                             // 500, no internal detail
// A store error the handler did not expect: ServiceFailure unless it is already an AWS error.
Error FromStore(const Error& error);

// "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA
// serial number is valid and associated with this user." (aws/aws-cli #6325, two spaces as
// AWS prints them): unknown device or not the caller's.
Error MfaDeviceInvalid();
// "MultiFactorAuthentication failed with invalid MFA one time pass code." (a wrong, stale or
// replayed code; also while the device is throttled).
Error MfaCodeInvalid();

// --- Inputs -----------------------------------------------------------------------------------
std::optional<std::string> OptString(const json::object& in, std::string_view member);
std::optional<std::int64_t> OptInt(const json::object& in, std::string_view member);

// --- Credentials --------------------------------------------------------------------------------
// The codec for this installation (from Environment::page_token_key).
Result<auth::SessionTokenCodec> Codec(const CallContext& call);
// Seals a new session for `principal` (access_key_id filled in here) and returns the
// Credentials member {AccessKeyId, SecretAccessKey, SessionToken, Expiration}.
Result<json::object> IssueCredentials(const CallContext& call, auth::SessionKind kind,
                                      Principal principal);

// --- MFA --------------------------------------------------------------------------------------
// Counts failed MFA codes per device serial; thread-safe.
class MfaThrottle {
 public:
  MfaThrottle(int max_failures, std::chrono::seconds window)
      : max_failures_(max_failures), window_(window) {}
  bool Blocked(std::string_view serial, TimePoint now) const;
  void Failed(std::string_view serial, TimePoint now);
  void Succeeded(std::string_view serial);

 private:
  struct Entry {
    TimePoint window_start{};
    int failures = 0;
  };
  const int max_failures_;
  const std::chrono::seconds window_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;  // GUARDED_BY(mutex_)
};

// A TOTP code checked against a device of the caller (an IAM user's device or, for the root
// user, the account's root device). The step must still be accepted with AcceptStep in the
// call's write transaction (replay protection is the store's compare-and-set).
struct VerifiedMfa {
  std::string serial;
  std::int64_t step = 0;
};
// Errors: MfaDeviceInvalid (unknown device, or not the caller's), MfaCodeInvalid (wrong code,
// replay, throttled).
Result<VerifiedMfa> VerifyMfa(const CallContext& call, MfaThrottle& throttle,
                              const std::string& serial, const std::string& code);

// --- Session policies and tags ------------------------------------------------------------
struct SessionRequest {
  std::vector<std::string> policies;     // inline Policy, at most one
  std::vector<std::string> policy_arns;  // PolicyArns
  std::vector<std::pair<std::string, std::string>> tags;  // Tags, in request order
  std::vector<std::string> transitive_tag_keys;
};
// Reads and validates Policy (compiled as a session policy: MalformedPolicyDocument with IAM's
// messages, PackedPolicyTooLarge past 2,048 characters), PolicyArns (at most 10, each a
// policy ARN), Tags (InvalidParameterValue "Duplicate tag keys found. Please note that Tag keys
// are case insensitive.") and TransitiveTagKeys (each among the Tags: "The specified transitive
// tag key must be included in the requested tags.").
Result<SessionRequest> ReadSessionRequest(const json::object& in);
// PackedPolicySize: the deflated size of the policies (compact JSON), policy ARNs and tags as
// a percentage of kPackedLimitBytes, rounded up.
inline constexpr std::size_t kPackedLimitBytes = 1024;
int PackedPolicyPercent(const SessionRequest& request);

// --- Shared state of the registration ---------------------------------------------------------
struct RoleEntry {
  store::RoleRow role;
  policy::PolicyPtr trust;  // compiled trust policy (null if it does not compile)
  std::vector<store::Tag> tags;
};

class StsState {
 public:
  explicit StsState(const StsOptions& options)
      : options(options), throttle(options.mfa_max_failures, options.mfa_failure_window) {}
  const StsOptions options;
  MfaThrottle throttle;

  // The role named by (account, name), with its compiled trust policy, cached until the store's
  // PolicyVersion moves. NotFound when there is no such role.
  Result<std::shared_ptr<const RoleEntry>> Role(const CallContext& call,
                                                const std::string& account_id,
                                                const std::string& name);

 private:
  std::shared_mutex mutex_;
  std::uint64_t roles_version_ = 0;                                            // GUARDED_BY(mutex_)
  std::unordered_map<std::string, std::shared_ptr<const RoleEntry>> roles_;  // GUARDED_BY(mutex_)
};

// --- Handlers (one file each) ----------------------------------------------------------------
Result<json::object> GetSessionToken(CallContext& call, const json::object& in, StsState& state);
Result<json::object> AssumeRole(CallContext& call, const json::object& in, StsState& state);
Result<json::object> GetFederationToken(CallContext& call, const json::object& in,
                                        StsState& state);
authz::AuthzTarget GetFederationTokenTarget(const CallContext& call, const json::object& in);
Result<json::object> GetAccessKeyInfo(CallContext& call, const json::object& in);
Result<json::object> DecodeAuthorizationMessage(CallContext& call, const json::object& in);

}  // namespace rampart::services::sts
