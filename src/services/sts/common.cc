#include <zlib.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "auth/credentials.h"
#include "auth/totp.h"
#include "common/arn.h"
#include "common/ids.h"
#include "common/strings.h"
#include "services/sts/internal.h"

namespace rampart::services::sts {

Error AccessDenied(std::string message) { return Error("AccessDenied", std::move(message), 403); }
Error ValidationError(std::string message) {
  return Error("ValidationError", std::move(message), 400);
}
Error InvalidParameterValue(std::string message) {
  return Error("InvalidParameterValue", std::move(message), 400);
}
Error PackedPolicyTooLarge(int percent) {
  // STS reports the packed size as a percentage of the allowed space (API reference,
  // PackedPolicySize); the message states by how much it is exceeded.
  return Error("PackedPolicyTooLarge",
               fmt::format("Packed size of the session policies and session tags is {}% of the "
                           "allowed space; it must not exceed 100%.",
                           percent),
               400);
}
Error ServiceFailure() {
  return Error("ServiceFailure",
               "The request processing has failed because of an unknown error, exception or "
               "failure.",
               500);
}
Error FromStore(const Error& error) {
  if (store::ToStoreError(error).has_value() || error.code == "SealedDataInvalid") {
    return ServiceFailure();
  }
  return error;
}

Error MfaDeviceInvalid() {
  return AccessDenied(
      "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA "
      "serial number is valid and associated with this user.");
}
Error MfaCodeInvalid() {
  return AccessDenied("MultiFactorAuthentication failed with invalid MFA one time pass code.");
}

std::optional<std::string> OptString(const json::object& in, std::string_view member) {
  const json::value* value = in.if_contains(member);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return std::string(value->get_string());
}

std::optional<std::int64_t> OptInt(const json::object& in, std::string_view member) {
  const json::value* value = in.if_contains(member);
  if (value == nullptr) return std::nullopt;
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64()) return static_cast<std::int64_t>(value->get_uint64());
  return std::nullopt;
}

Result<auth::SessionTokenCodec> Codec(const CallContext& call) {
  Result<auth::SessionTokenCodec> codec =
      auth::SessionTokenCodec::Create(call.env().page_token_key);
  if (!codec) return Fail(ServiceFailure());
  return codec;
}

Result<json::object> IssueCredentials(const CallContext& call, auth::SessionKind kind,
                                      Principal principal) {
  Result<auth::SessionTokenCodec> codec = Codec(call);
  if (!codec) return Fail(codec.error());
  auth::SessionClaims claims;
  claims.kind = kind;
  claims.secret_access_key = ids::NewSecretAccessKey();
  principal.access_key_id = auth::NewSessionAccessKeyId(principal.account_id);
  principal.temporary = true;
  claims.principal = std::move(principal);
  Result<std::string> token = codec->Seal(claims);
  if (!token) return Fail(ServiceFailure());
  json::object credentials;
  credentials["AccessKeyId"] = claims.principal.access_key_id;
  credentials["SecretAccessKey"] = claims.secret_access_key;
  credentials["SessionToken"] = *token;
  credentials["Expiration"] = FormatIso8601(*claims.principal.expiration);
  return credentials;
}

// --- MFA -----------------------------------------------------------------------------------

bool MfaThrottle::Blocked(std::string_view serial, TimePoint now) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(std::string(serial));
  if (it == entries_.end()) return false;
  if (now - it->second.window_start >= window_) return false;
  return it->second.failures >= max_failures_;
}

void MfaThrottle::Failed(std::string_view serial, TimePoint now) {
  std::lock_guard<std::mutex> lock(mutex_);
  // Bounded: serials that fail are few; a flood of made-up serials resets the table.
  if (entries_.size() >= 100'000) entries_.clear();
  Entry& entry = entries_[std::string(serial)];
  if (entry.failures == 0 || now - entry.window_start >= window_) {
    entry.window_start = now;
    entry.failures = 0;
  }
  ++entry.failures;
}

void MfaThrottle::Succeeded(std::string_view serial) {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.erase(std::string(serial));
}

Result<VerifiedMfa> VerifyMfa(const CallContext& call, MfaThrottle& throttle,
                              const std::string& serial, const std::string& code) {
  const Principal& caller = call.caller();
  if (throttle.Blocked(serial, call.now)) return Fail(MfaCodeInvalid());
  std::optional<store::MfaDeviceRow> device;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<store::MfaDeviceRow> row = tx.MfaDevices().Get(serial);
    if (!row) {
      if (store::IsNotFound(row.error())) return Ok();
      return Fail(row.error());
    }
    device = std::move(*row);
    return Ok();
  });
  if (!read) return Fail(FromStore(read.error()));
  // The device must be enabled for the caller: an IAM user's own device, or the root user's.
  bool owned = false;
  if (device && device->account_id == caller.account_id) {
    if (caller.type == PrincipalType::kRoot) {
      owned = device->assignment == store::MfaAssignment::kRoot;
    } else if (caller.type == PrincipalType::kIAMUser) {
      owned = device->assignment == store::MfaAssignment::kUser &&
              device->user_id == caller.principal_id;
    }
  }
  if (!owned) {
    throttle.Failed(serial, call.now);
    return Fail(MfaDeviceInvalid());
  }
  std::optional<std::int64_t> last;
  if (device->last_accepted_step > 0) last = device->last_accepted_step;
  Result<std::int64_t> step = auth::totp::VerifyCode(device->seed, code, call.now, last);
  if (!step) {
    throttle.Failed(serial, call.now);
    return Fail(MfaCodeInvalid());
  }
  throttle.Succeeded(serial);
  return VerifiedMfa{serial, *step};
}

// --- Session policies and tags ---------------------------------------------------------------

Result<SessionRequest> ReadSessionRequest(const json::object& in) {
  SessionRequest request;
  if (std::optional<std::string> text = OptString(in, "Policy")) {
    policy::CompileOptions options;
    options.policy_id = "SessionPolicy";
    Result<policy::PolicyPtr> compiled =
        policy::CompilePolicy(*text, policy::PolicyType::kSession, options);
    if (!compiled) return Fail(compiled.error());
    request.policies.push_back(std::move(*text));
  }
  if (const json::value* list = in.if_contains("PolicyArns"); list && list->is_array()) {
    // At most 10 managed session policies (IAM User Guide, IAM and STS quotas).
    if (list->get_array().size() > 10) {
      return Fail(ValidationError(
          "1 validation error detected: Value at 'policyArns' failed to satisfy constraint: "
          "Member must have length less than or equal to 10"));
    }
    for (const json::value& item : list->get_array()) {
      if (!item.is_object()) continue;
      std::optional<std::string> arn = OptString(item.get_object(), "arn");
      if (!arn) continue;
      Result<Arn> parsed = Arn::Parse(*arn);
      if (!parsed || parsed->service != "iam" || !StartsWith(parsed->resource, "policy/")) {
        return Fail(ValidationError(fmt::format("{} is invalid", *arn)));
      }
      request.policy_arns.push_back(std::move(*arn));
    }
  }
  if (const json::value* list = in.if_contains("Tags"); list && list->is_array()) {
    for (const json::value& item : list->get_array()) {
      if (!item.is_object()) continue;
      std::string key = OptString(item.get_object(), "Key").value_or("");
      std::string value = OptString(item.get_object(), "Value").value_or("");
      for (const auto& [existing, unused] : request.tags) {
        if (EqualsIgnoreCase(existing, key)) {
          return Fail(InvalidParameterValue(
              "Duplicate tag keys found. Please note that Tag keys are case insensitive."));
        }
      }
      request.tags.emplace_back(std::move(key), std::move(value));
    }
  }
  if (const json::value* list = in.if_contains("TransitiveTagKeys"); list && list->is_array()) {
    for (const json::value& item : list->get_array()) {
      if (!item.is_string()) continue;
      std::string key(item.get_string());
      bool tagged = false;
      for (const auto& [tag_key, unused] : request.tags) tagged = tagged || EqualsIgnoreCase(tag_key, key);
      if (!tagged) {
        return Fail(InvalidParameterValue(
            "The specified transitive tag key must be included in the requested tags."));
      }
      request.transitive_tag_keys.push_back(std::move(key));
    }
  }
  return request;
}

int PackedPolicyPercent(const SessionRequest& request) {
  std::string packed;
  for (const std::string& text : request.policies) {
    // Compact JSON (the policy compiled above, so it parses); white space is not counted.
    boost::system::error_code ec;
    json::value value = json::parse(text, ec);
    packed += ec ? text : json::serialize(value);
  }
  for (const std::string& arn : request.policy_arns) packed += arn;
  for (const auto& [key, value] : request.tags) {
    packed += key;
    packed += '=';
    packed += value;
  }
  if (packed.empty()) return 0;
  uLongf size = compressBound(static_cast<uLong>(packed.size()));
  std::string out(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                reinterpret_cast<const Bytef*>(packed.data()), static_cast<uLong>(packed.size()),
                Z_BEST_COMPRESSION) != Z_OK) {
    size = static_cast<uLongf>(packed.size());
  }
  return static_cast<int>((static_cast<std::size_t>(size) * 100 + kPackedLimitBytes - 1) /
                          kPackedLimitBytes);
}

// --- Role cache ------------------------------------------------------------------------------

Result<std::shared_ptr<const RoleEntry>> StsState::Role(const CallContext& call,
                                                        const std::string& account_id,
                                                        const std::string& name) {
  const std::string key = account_id + "/" + name;
  const std::uint64_t version = call.env().store->PolicyVersion();
  {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    if (roles_version_ == version) {
      auto it = roles_.find(key);
      if (it != roles_.end()) return it->second;
    }
  }
  auto entry = std::make_shared<RoleEntry>();
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<store::RoleRow> role = tx.Roles().Get(account_id, name);
    if (!role) return Fail(role.error());
    entry->role = std::move(*role);
    Result<std::vector<store::Tag>> tags =
        tx.Tags().List(store::TagRef{store::TaggableType::kRole, entry->role.id});
    if (!tags) return Fail(tags.error());
    entry->tags = std::move(*tags);
    return Ok();
  });
  if (!read) return Fail(read.error());
  policy::CompileOptions options;
  options.policy_id = "AssumeRolePolicyDocument";
  options.enforce_size_quota = false;  // validated (with its quota) when it was written
  Result<policy::PolicyPtr> trust =
      policy::CompilePolicy(entry->role.assume_role_policy, policy::PolicyType::kTrust, options);
  if (trust) entry->trust = std::move(*trust);
  std::shared_ptr<const RoleEntry> snapshot = std::move(entry);
  std::unique_lock<std::shared_mutex> lock(mutex_);
  if (roles_version_ < version) {
    roles_.clear();
    roles_version_ = version;
  }
  if (roles_version_ == version) {
    if (roles_.size() >= 10'000) roles_.clear();
    roles_[key] = snapshot;
  }
  return snapshot;
}

}  // namespace rampart::services::sts
