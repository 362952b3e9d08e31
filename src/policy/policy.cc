#include "policy/policy.h"

#include <algorithm>

#include <fmt/format.h>

#include "policy/compile/compile.h"
#include "policy/internal/text.h"

namespace rampart::policy {

std::string_view PolicyTypeName(PolicyType type) {
  switch (type) {
    case PolicyType::kIdentity: return "identity";
    case PolicyType::kResource: return "resource";
    case PolicyType::kTrust: return "trust";
    case PolicyType::kBoundary: return "boundary";
    case PolicyType::kSession: return "session";
    case PolicyType::kScp: return "scp";
    case PolicyType::kRcp: return "rcp";
    case PolicyType::kEndpoint: return "endpoint";
  }
  return "identity";
}

Result<PolicyType> ParsePolicyType(std::string_view name) {
  static constexpr PolicyType kAll[] = {PolicyType::kIdentity, PolicyType::kResource, PolicyType::kTrust,
                                        PolicyType::kBoundary, PolicyType::kSession,  PolicyType::kScp,
                                        PolicyType::kRcp,      PolicyType::kEndpoint};
  for (PolicyType type : kAll) {
    if (internal::EqualsIgnoreCase(PolicyTypeName(type), name)) return type;
  }
  return Fail("InvalidInput", fmt::format("unknown policy type `{}`", name));
}

Result<std::shared_ptr<const CompiledPolicy>> CompilePolicy(std::string_view text, PolicyType type,
                                                            const CompileOptions& options) {
  internal::CompileRequest request;
  request.text = text;
  request.type = type;
  request.policy_id = options.policy_id;
  request.enforce_size_quota = options.enforce_size_quota;
  auto compiled = internal::CompileDetailed(request);
  if (!compiled) {
    return Fail(compiled.error().code, compiled.error().aws_message, compiled.error().http_status);
  }
  return std::move(*compiled);
}

std::size_t PolicySizeWithoutWhitespace(std::string_view text) {
  std::size_t size = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      ++size;
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    if (c == '"') in_string = true;
    ++size;
  }
  return size;
}

void RequestContext::set_action(std::string_view action) {
  action_ = std::string(action);
  action_lower_ = internal::ToLower(action);
  std::size_t colon = action_lower_.find(':');
  service_length_ = colon == std::string::npos ? action_lower_.size() : colon;
}

void RequestContext::set_resource(std::string resource) {
  resource_ = std::move(resource);
  resource_is_arn_ = false;
  std::string_view text = resource_;
  if (text.size() < 4 || text.compare(0, 4, "arn:") != 0 || text.size() > UINT32_MAX) return;
  std::size_t start = 4;
  for (int i = 0; i < 4; ++i) {
    std::size_t colon = text.find(':', start);
    if (colon == std::string_view::npos) return;
    resource_fields_[i] = {static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(colon - start)};
    start = colon + 1;
  }
  resource_fields_[4] = {static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(text.size() - start)};
  resource_is_arn_ = true;
}

void RequestContext::SetKey(std::string_view key, std::string value) {
  std::vector<std::string> values;
  values.push_back(std::move(value));
  Insert(key, std::move(values), /*multivalued=*/false);
}

void RequestContext::SetMultiKey(std::string_view key, std::vector<std::string> values) {
  Insert(key, std::move(values), /*multivalued=*/true);
}

void RequestContext::Insert(std::string_view key, std::vector<std::string> values,
                            bool multivalued) {
  std::string lower = internal::ToLower(key);
  auto it = std::lower_bound(entries_.begin(), entries_.end(), lower,
                             [](const Entry& entry, const std::string& k) { return entry.key_lower < k; });
  if (it != entries_.end() && it->key_lower == lower) {
    it->key = std::string(key);
    it->values = std::move(values);
    it->multivalued = multivalued;
    return;
  }
  Entry entry;
  entry.key = std::string(key);
  entry.key_lower = std::move(lower);
  entry.values = std::move(values);
  entry.multivalued = multivalued;
  entries_.insert(it, std::move(entry));
}

const RequestContext::Entry* RequestContext::Find(std::string_view key_lower) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), key_lower,
                             [](const Entry& entry, std::string_view k) { return entry.key_lower < k; });
  if (it != entries_.end() && it->key_lower == key_lower) return &*it;
  return nullptr;
}

std::string_view DecisionName(DecisionKind kind) {
  switch (kind) {
    case DecisionKind::kAllowed: return "allowed";
    case DecisionKind::kExplicitDeny: return "explicitDeny";
    case DecisionKind::kImplicitDeny: return "implicitDeny";
  }
  return "implicitDeny";
}

namespace {

// Policy type as the AccessDenied messages name it (IAM User Guide, "Troubleshoot access
// denied error messages").
std::string_view ExplicitName(DecisionSource source) {
  switch (source) {
    case DecisionSource::kIdentity: return "an identity-based policy";
    case DecisionSource::kResource: return "a resource-based policy";
    case DecisionSource::kTrust: return "the role trust policy";
    case DecisionSource::kBoundary: return "a permissions boundary";
    case DecisionSource::kSession: return "a sessions policy";
    case DecisionSource::kScp: return "a service control policy";
    case DecisionSource::kRcp: return "a resource control policy";
    case DecisionSource::kEndpoint: return "a VPC endpoint policy";
    default: return "a policy";
  }
}

std::string_view ImplicitName(DecisionSource source) {
  switch (source) {
    case DecisionSource::kIdentity: return "identity-based policy";
    case DecisionSource::kResource: return "resource-based policy";
    case DecisionSource::kTrust: return "role trust policy";
    case DecisionSource::kBoundary: return "permissions boundary";
    case DecisionSource::kSession: return "session policy";
    case DecisionSource::kScp: return "service control policy";
    case DecisionSource::kRcp: return "resource control policy";
    case DecisionSource::kEndpoint: return "VPC endpoint policy";
    default: return "identity-based policy";
  }
}

}  // namespace

std::string DenyReason(const Decision& decision, std::string_view action) {
  if (decision.kind == DecisionKind::kAllowed) return "";
  if (decision.source == DecisionSource::kProtectedResource) {
    return "because the resource is managed by AWS and cannot be modified";
  }
  if (decision.kind == DecisionKind::kExplicitDeny) {
    return fmt::format("with an explicit deny in {}", ExplicitName(decision.source));
  }
  return fmt::format("because no {} allows the {} action", ImplicitName(decision.source), action);
}

std::string AccessDeniedMessage(std::string_view principal_arn, std::string_view action,
                                std::string_view resource, const Decision& decision) {
  std::string message = fmt::format("User: {} is not authorized to perform: {}", principal_arn, action);
  if (!resource.empty() && resource != "*") message += fmt::format(" on resource: {}", resource);
  std::string reason = DenyReason(decision, action);
  if (!reason.empty()) {
    message += ' ';
    message += reason;
  }
  return message;
}

StatementLocation Locate(const MatchedStatement& matched) {
  StatementLocation location;
  if (matched.policy == nullptr || matched.statement_index >= matched.policy->statements().size()) {
    return location;
  }
  const Statement& statement = matched.policy->statements()[matched.statement_index];
  location.source_policy_id = matched.policy->id();
  location.source_policy_type = std::string(PolicyTypeName(matched.policy->type()));
  location.start = statement.start_position;
  location.end = statement.end_position;
  return location;
}

}  // namespace rampart::policy
