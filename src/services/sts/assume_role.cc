// AssumeRole: a role session, authorized by the role's trust policy (the resource policy of
// sts:AssumeRole) and the caller's own identity policies, across accounts too.
#include <fmt/format.h>

#include "common/arn.h"
#include "common/strings.h"
#include "services/sts/internal.h"

namespace rampart::services::sts {
namespace {

constexpr std::int64_t kDefaultSeconds = 3'600;
constexpr std::int64_t kChainedMaxSeconds = 3'600;

bool IsPartition(std::string_view partition) {
  return partition == "aws" || partition == "aws-cn" || partition == "aws-us-gov";
}

// "<RoleArn> is invalid" (ValidationError), as STS words a malformed role ARN
// (recorded errors: "arn:a::::something/test-role is invalid").
Result<std::pair<std::string, std::string>> ParseRoleArn(const std::string& text) {
  Result<Arn> arn = Arn::Parse(text);
  if (!arn || !IsPartition(arn->partition) || arn->service != "iam" || !arn->region.empty() ||
      !IsAccountId(arn->account) || !StartsWith(arn->resource, "role/") ||
      arn->resource.size() <= 5 || arn->resource.back() == '/') {
    return Fail(ValidationError(fmt::format("{} is invalid", text)));
  }
  std::string_view resource = arn->resource;
  std::string name(resource.substr(resource.rfind('/') + 1));
  return std::make_pair(arn->account, std::move(name));
}

}  // namespace

Result<json::object> AssumeRole(CallContext& call, const json::object& in, StsState& state) {
  const Principal& caller = call.caller();
  if (auto scope = CheckTemporaryCredentialScope(caller, "sts", "AssumeRole"); !scope) {
    return Fail(scope.error());
  }
  const std::string role_arn = OptString(in, "RoleArn").value_or("");
  const std::string session_name = OptString(in, "RoleSessionName").value_or("");
  Result<std::pair<std::string, std::string>> target = ParseRoleArn(role_arn);
  if (!target) return Fail(target.error());
  // The root user cannot assume roles (AWS-BEHAVIOUR.md §3 item 9, kubeflow/testing #961).
  if (caller.type == PrincipalType::kRoot) {
    return Fail(AccessDenied("Roles may not be assumed by root accounts."));
  }
  Result<SessionRequest> request = ReadSessionRequest(in);
  if (!request) return Fail(request.error());

  // Transitive tags of the calling session pass into the new one and cannot be overridden
  // (recorded error for an override).
  std::map<std::string, std::string> session_tags;
  std::vector<std::string> transitive;
  for (const std::string& key : caller.transitive_tag_keys) {
    for (const auto& [tag_key, value] : caller.session_tags) {
      if (EqualsIgnoreCase(tag_key, key)) session_tags[tag_key] = value;
    }
    transitive.push_back(key);
  }
  for (const auto& [key, value] : request->tags) {
    for (const std::string& inherited : caller.transitive_tag_keys) {
      if (EqualsIgnoreCase(inherited, key)) {
        return Fail(InvalidParameterValue(
            "One of the specified transitive tag keys can't be set because it conflicts with a "
            "transitive tag key from the calling session."));
      }
    }
    session_tags[key] = value;
  }
  for (const std::string& key : request->transitive_tag_keys) transitive.push_back(key);
  if (session_tags.size() > 50) {
    return Fail(ValidationError(
        "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must "
        "have length less than or equal to 50"));
  }
  const int packed = PackedPolicyPercent(*request);
  if (packed > 100) return Fail(PackedPolicyTooLarge(packed));

  // The source identity, once set, persists through role chaining and cannot change (IAM User
  // Guide, "Monitor and control actions taken with assumed roles").
  std::optional<std::string> requested_source = OptString(in, "SourceIdentity");
  std::string source_identity = caller.source_identity;
  if (requested_source) {
    if (!source_identity.empty() && *requested_source != source_identity) {
      return Fail(ValidationError(
          "The source identity of the calling session cannot be changed by role chaining."));
    }
    source_identity = *requested_source;
  }

  // MFA given with this call, or carried by the calling session.
  std::optional<VerifiedMfa> mfa;
  std::optional<std::string> serial = OptString(in, "SerialNumber");
  std::optional<std::string> code = OptString(in, "TokenCode");
  if (serial || code) {
    if (!serial || !code) return Fail(MfaDeviceInvalid());
    Result<VerifiedMfa> verified = VerifyMfa(call, state.throttle, *serial, *code);
    if (!verified) return Fail(verified.error());
    mfa = std::move(*verified);
  }

  // Durations: 900 s up to the role's MaxSessionDuration, default 1 h; a caller using
  // temporary credentials is role chaining, limited to 1 h (STS API reference, AssumeRole
  // DurationSeconds; aws-runas #11 for GetSessionToken credentials).
  std::optional<std::int64_t> requested_duration = OptInt(in, "DurationSeconds");
  const bool chained = caller.temporary;

  // The role and its trust policy. A missing role is denied exactly like a refused trust
  // policy, so a caller learns nothing about which roles exist (AWS-BEHAVIOUR.md §3 item 9).
  const std::string denied = fmt::format(
      "User: {} is not authorized to perform: sts:AssumeRole on resource: {}", caller.arn, role_arn);
  Result<std::shared_ptr<const RoleEntry>> entry = state.Role(call, target->first, target->second);
  if (!entry) {
    if (store::IsNotFound(entry.error())) return Fail(AccessDenied(denied));
    return Fail(FromStore(entry.error()));
  }
  const store::RoleRow& role = (*entry)->role;
  if (!(*entry)->trust) return Fail(AccessDenied(denied));

  authz::AuthzTarget trust_target;
  trust_target.action = "sts:AssumeRole";
  trust_target.resources = {role.arn};
  trust_target.resource_policy = (*entry)->trust;
  trust_target.keys.push_back({"sts:RoleSessionName", {session_name}});
  if (auto external_id = OptString(in, "ExternalId")) {
    trust_target.keys.push_back({"sts:ExternalId", {*external_id}});
  }
  if (requested_source) trust_target.keys.push_back({"sts:SourceIdentity", {*requested_source}});
  if (!request->tags.empty()) {
    std::vector<std::string> keys;
    for (const auto& [key, value] : request->tags) {
      trust_target.keys.push_back({"aws:RequestTag/" + key, {value}});
      keys.push_back(key);
    }
    trust_target.keys.push_back({"aws:TagKeys", keys});
    trust_target.multivalued_keys.push_back("aws:TagKeys");
  }
  if (!request->transitive_tag_keys.empty()) {
    trust_target.keys.push_back({"sts:TransitiveTagKeys", request->transitive_tag_keys});
    trust_target.multivalued_keys.push_back("sts:TransitiveTagKeys");
  }
  for (const store::Tag& tag : (*entry)->tags) {
    trust_target.keys.push_back({"aws:ResourceTag/" + tag.key, {tag.value}});
    trust_target.keys.push_back({"iam:ResourceTag/" + tag.key, {tag.value}});
  }
  if (mfa) {
    trust_target.keys.push_back({"aws:MultiFactorAuthPresent", {"true"}});
    trust_target.keys.push_back({"aws:MultiFactorAuthAge", {"0"}});
  }
  authz::RequestFacts facts{.now = call.now,
                            .source_ip = std::string(call.source_ip),
                            .secure_transport = call.secure_transport,
                            .region = std::string(call.region),
                            .user_agent = std::string(call.user_agent)};
  if (call.env().policies == nullptr) return Fail(ServiceFailure());
  authz::Authorizer authorizer(*call.env().policies);
  auto allowed = [&](std::string_view action) -> Result<bool> {
    trust_target.action = std::string(action);
    Result<authz::AuthzResult> decided = authorizer.Decide(caller, trust_target, facts);
    if (!decided) return Fail(decided.error());
    return decided->decision.allowed();
  };
  // sts:AssumeRole, plus sts:TagSession when tags are passed and sts:SetSourceIdentity when a
  // source identity is set (IAM User Guide, "Passing session tags" and "source identity").
  for (std::string_view action : {std::string_view("sts:AssumeRole"), std::string_view("sts:TagSession"),
                                  std::string_view("sts:SetSourceIdentity")}) {
    if (action == "sts:TagSession" && request->tags.empty()) continue;
    if (action == "sts:SetSourceIdentity" && (!requested_source || !caller.source_identity.empty())) {
      continue;
    }
    Result<bool> ok = allowed(action);
    if (!ok) return Fail(FromStore(ok.error()));
    if (!*ok) {
      return Fail(AccessDenied(fmt::format(
          "User: {} is not authorized to perform: {} on resource: {}", caller.arn, action, role_arn)));
    }
  }

  std::int64_t duration = requested_duration.value_or(kDefaultSeconds);
  if (requested_duration) {
    if (chained && duration > kChainedMaxSeconds) {
      return Fail(ValidationError(
          "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by "
          "role chaining."));
    }
    if (duration > role.max_session_duration) {
      return Fail(ValidationError(
          "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."));
    }
  }

  // One write: the MFA step (replay protection) and RoleLastUsed, when either is due.
  const bool record_use =
      !role.last_used || role.last_used_region != call.region ||
      call.now - *role.last_used >= state.options.role_last_used_granularity;
  if (mfa || record_use) {
    Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
      if (mfa) {
        if (auto r = tx.MfaDevices().AcceptStep(mfa->serial, mfa->step); !r) return r;
      }
      if (record_use) return tx.Roles().RecordUse(role.id, call.now, call.region);
      return Ok();
    });
    if (!written) {
      if (mfa && store::IsConflict(written.error())) {
        state.throttle.Failed(mfa->serial, call.now);
        return Fail(MfaCodeInvalid());
      }
      // A role deleted between the read and the write: as if it never existed.
      if (store::IsNotFound(written.error())) return Fail(AccessDenied(denied));
      return Fail(FromStore(written.error()));
    }
  }

  Principal session;
  session.type = PrincipalType::kAssumedRole;
  session.account_id = role.account_id;
  session.arn = fmt::format("arn:aws:sts::{}:assumed-role/{}/{}", role.account_id, role.name,
                            session_name);
  session.principal_id = role.id + ":" + session_name;
  session.name = role.name;
  session.path = role.path;
  session.session_name = session_name;
  session.issuer_arn = role.arn;
  session.issuer_principal_id = role.id;
  session.source_identity = source_identity;
  if (mfa) {
    session.mfa_authenticated = true;
    session.mfa_auth_time = call.now;
  } else if (caller.temporary && caller.mfa_authenticated.value_or(false)) {
    // MFA carried from the calling session (GetSessionToken with MFA, then AssumeRole).
    session.mfa_authenticated = true;
    session.mfa_auth_time = caller.mfa_auth_time;
  } else {
    session.mfa_authenticated = false;
  }
  session.session_issued = call.now;
  session.expiration = call.now + std::chrono::seconds(duration);
  session.session_tags = std::move(session_tags);
  session.transitive_tag_keys = std::move(transitive);
  session.session_policies = request->policies;
  session.session_policy_arns = request->policy_arns;
  Result<json::object> credentials =
      IssueCredentials(call, auth::SessionKind::kAssumedRole, std::move(session));
  if (!credentials) return Fail(credentials.error());

  json::object out;
  out["Credentials"] = std::move(*credentials);
  json::object user;
  user["AssumedRoleId"] = role.id + ":" + session_name;
  user["Arn"] = fmt::format("arn:aws:sts::{}:assumed-role/{}/{}", role.account_id, role.name,
                            session_name);
  out["AssumedRoleUser"] = std::move(user);
  if (!request->policies.empty() || !request->policy_arns.empty() || !request->tags.empty()) {
    out["PackedPolicySize"] = packed;
  }
  if (!source_identity.empty()) out["SourceIdentity"] = source_identity;
  return out;
}

}  // namespace rampart::services::sts
