#include "policy/compile/compile.h"

#include <algorithm>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "policy/internal/text.h"
#include "policy/policy.h"

namespace rampart::policy {

// Fills the private parts of CompiledPolicy.
struct CompiledPolicyBuilder {
  static void Finish(CompiledPolicy& policy, std::string text, PolicyType type, std::string id,
                     std::string version, std::string document_id,
                     std::vector<Statement> statements) {
    policy.text_ = std::move(text);
    policy.type_ = type;
    policy.id_ = std::move(id);
    policy.version_ = std::move(version);
    policy.document_id_ = std::move(document_id);
    policy.statements_ = std::move(statements);
    for (std::uint32_t idx = 0; idx < policy.statements_.size(); ++idx) {
      const Statement& statement = policy.statements_[idx];
      bool always = statement.not_action;
      std::set<std::string> services;
      for (const ActionPattern& action : statement.actions) {
        if (action.service.empty()) {
          always = true;
        } else {
          services.insert(action.service);
        }
      }
      if (always) {
        policy.always_.push_back(idx);
        continue;
      }
      for (const std::string& service : services) {
        auto it = std::find_if(policy.buckets_.begin(), policy.buckets_.end(),
                               [&](const auto& bucket) { return bucket.service == service; });
        if (it == policy.buckets_.end()) {
          policy.buckets_.push_back({service, {}});
          it = policy.buckets_.end() - 1;
        }
        it->statements.push_back(idx);
      }
    }
    std::sort(policy.buckets_.begin(), policy.buckets_.end(),
              [](const auto& a, const auto& b) { return a.service < b.service; });
  }
};

}  // namespace rampart::policy

namespace rampart::policy::internal {
namespace {

using document::Member;
using document::Node;

constexpr std::string_view kSyntaxErrors = "Syntax errors in policy.";
constexpr std::string_view kInvalidJsonTrust = "This policy contains invalid Json";
constexpr std::string_view kOrgsMalformed =
    "The provided policy document does not meet the requirements of the specified policy type.";
constexpr std::string_view kVendorMessage =
    "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";
constexpr std::string_view kOneColon = "Actions/Condition can contain only one colon.";
constexpr std::string_view kVersionMessage = "Policy document must be version 2012-10-17 or greater.";
constexpr std::string_view kIamPathMessage =
    "IAM resource path must either be \"*\", root, or start with user/, federated-user/, role/, "
    "group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, "
    "oidc-provider/, report/, access-report/.";

bool IsOrganizations(PolicyType type) { return type == PolicyType::kScp || type == PolicyType::kRcp; }

// Parse-time bound on wildcards in one pattern (AWS sets none; real policies use a handful).
// Together with the document size limit it bounds the cost of matching one pattern.
constexpr std::size_t kMaxWildcardsPerValue = 256;

bool TooManyWildcards(std::string_view text) {
  std::size_t count = 0;
  for (char c : text) {
    if (c == '*' || c == '?') ++count;
  }
  return count > kMaxWildcardsPerValue;
}

struct OperatorName {
  std::string_view name;
  ConditionOperator op;
};
constexpr OperatorName kOperators[] = {
    {"StringEquals", ConditionOperator::kStringEquals},
    {"StringNotEquals", ConditionOperator::kStringNotEquals},
    {"StringEqualsIgnoreCase", ConditionOperator::kStringEqualsIgnoreCase},
    {"StringNotEqualsIgnoreCase", ConditionOperator::kStringNotEqualsIgnoreCase},
    {"StringLike", ConditionOperator::kStringLike},
    {"StringNotLike", ConditionOperator::kStringNotLike},
    {"NumericEquals", ConditionOperator::kNumericEquals},
    {"NumericNotEquals", ConditionOperator::kNumericNotEquals},
    {"NumericLessThan", ConditionOperator::kNumericLessThan},
    {"NumericLessThanEquals", ConditionOperator::kNumericLessThanEquals},
    {"NumericGreaterThan", ConditionOperator::kNumericGreaterThan},
    {"NumericGreaterThanEquals", ConditionOperator::kNumericGreaterThanEquals},
    {"DateEquals", ConditionOperator::kDateEquals},
    {"DateNotEquals", ConditionOperator::kDateNotEquals},
    {"DateLessThan", ConditionOperator::kDateLessThan},
    {"DateLessThanEquals", ConditionOperator::kDateLessThanEquals},
    {"DateGreaterThan", ConditionOperator::kDateGreaterThan},
    {"DateGreaterThanEquals", ConditionOperator::kDateGreaterThanEquals},
    {"Bool", ConditionOperator::kBool},
    {"BinaryEquals", ConditionOperator::kBinaryEquals},
    {"IpAddress", ConditionOperator::kIpAddress},
    {"NotIpAddress", ConditionOperator::kNotIpAddress},
    {"ArnEquals", ConditionOperator::kArnEquals},
    {"ArnLike", ConditionOperator::kArnLike},
    {"ArnNotEquals", ConditionOperator::kArnNotEquals},
    {"ArnNotLike", ConditionOperator::kArnNotLike},
    {"Null", ConditionOperator::kNull},
};

bool IsValidPartition(std::string_view partition) {
  static constexpr std::string_view kPartitions[] = {
      "aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"};
  for (std::string_view p : kPartitions) {
    if (p == partition) return true;
  }
  // A wildcard partition ("*", "aws*") is accepted as a pattern.
  return partition.find('*') != std::string_view::npos || partition.find('?') != std::string_view::npos;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

class Compiler {
 public:
  explicit Compiler(const CompileRequest& request) : request_(request), type_(request.type) {}

  tl::expected<std::shared_ptr<const CompiledPolicy>, CompileFailure> Run() {
    if (request_.enforce_size_quota) {
      if (auto failure = CheckSize()) return tl::unexpected(*failure);
    }
    Result<Node> root = document::ParseDocument(request_.text);
    if (!root) {
      CompileFailure failure = Malformed(type_ == PolicyType::kTrust ? kInvalidJsonTrust : kSyntaxErrors,
                                         root.error().message, 0);
      return tl::unexpected(failure);
    }
    if (!CompileRoot(*root)) return tl::unexpected(failure_);
    auto policy = std::make_shared<CompiledPolicy>();
    CompiledPolicyBuilder::Finish(*policy, std::string(request_.text), type_, request_.policy_id,
                                  version_, document_id_, std::move(statements_));
    return std::shared_ptr<const CompiledPolicy>(std::move(policy));
  }

 private:
  std::optional<CompileFailure> CheckSize() const {
    std::size_t size = PolicySizeWithoutWhitespace(request_.text);
    CompileFailure failure;
    failure.http_status = 409;
    switch (type_) {
      case PolicyType::kIdentity:
      case PolicyType::kBoundary:
        if (size <= 6144) return std::nullopt;
        failure.code = "LimitExceeded";
        failure.aws_message = "Cannot exceed quota for PolicySize: 6144";
        break;
      case PolicyType::kTrust:
        if (size <= 2048) return std::nullopt;
        failure.code = "LimitExceeded";
        failure.aws_message = "Cannot exceed quota for ACLSizePerRole: 2048";
        break;
      case PolicyType::kSession:
        if (size <= 2048) return std::nullopt;
        failure.code = "PackedPolicyTooLarge";
        failure.aws_message = "Packed policy consumes more than 100% of allotted space";
        failure.http_status = 400;
        break;
      case PolicyType::kScp:
      case PolicyType::kRcp:
        if (size <= 5120) return std::nullopt;
        failure.code = "ConstraintViolationException";
        failure.aws_message =
            "You have exceeded the maximum size for the policy. Reason: POLICY_CONTENT_LIMIT_EXCEEDED";
        failure.http_status = 400;
        break;
      case PolicyType::kResource:
      case PolicyType::kEndpoint:
        return std::nullopt;
    }
    failure.detail = fmt::format("policy size {} exceeds the quota", size);
    return failure;
  }

  CompileFailure Malformed(std::string_view aws_message, std::string detail, std::uint32_t offset) const {
    CompileFailure failure;
    if (IsOrganizations(type_)) {
      failure.code = "MalformedPolicyDocumentException";
      failure.aws_message = std::string(kOrgsMalformed);
    } else {
      failure.code = "MalformedPolicyDocument";
      failure.aws_message = std::string(aws_message);
    }
    failure.detail = std::move(detail);
    failure.offset = offset;
    return failure;
  }

  bool Error(std::string_view aws_message, std::string detail, std::uint32_t offset) {
    failure_ = Malformed(aws_message, std::move(detail), offset);
    return false;
  }

  bool CompileRoot(const Node& root) {
    if (!root.is_object()) return Error(kSyntaxErrors, "the policy is not a JSON object", root.begin);
    std::set<std::string> seen;
    const Node* statement = nullptr;
    for (const Member& member : root.members) {
      if (!seen.insert(member.key).second) {
        return Error(kSyntaxErrors, fmt::format("duplicate element `{}`", member.key), member.key_begin);
      }
      if (member.key == "Version") {
        if (!member.value.is_string()) {
          return Error(kSyntaxErrors, "`Version` must be a string", member.value.begin);
        }
        if (member.value.text != "2012-10-17" && member.value.text != "2008-10-17") {
          return Error(kVersionMessage, fmt::format("unknown version `{}`", member.value.text),
                       member.value.begin);
        }
        version_ = member.value.text;
      } else if (member.key == "Id") {
        if (!member.value.is_string()) {
          return Error(kSyntaxErrors, "`Id` must be a string", member.value.begin);
        }
        document_id_ = member.value.text;
      } else if (member.key == "Statement") {
        statement = &member.value;
      } else {
        return Error(kSyntaxErrors, fmt::format("unknown element `{}`", member.key), member.key_begin);
      }
    }
    if (type_ == PolicyType::kRcp && version_ != "2012-10-17") {
      return Error(kSyntaxErrors, "an RCP must have Version 2012-10-17", root.begin);
    }
    variables_ = version_ == "2012-10-17";
    if (statement == nullptr) return Error(kSyntaxErrors, "missing element `Statement`", root.begin);
    if (statement->is_object()) {
      return CompileStatement(*statement, 1);
    }
    if (!statement->is_array()) {
      return Error(kSyntaxErrors, "`Statement` must be an object or an array", statement->begin);
    }
    if (statement->items.empty()) {
      return Error(kSyntaxErrors, "`Statement` is empty", statement->begin);
    }
    if (statement->items.size() > 1000) {
      return Error(kSyntaxErrors, "more than 1000 statements", statement->begin);
    }
    for (std::size_t idx = 0; idx < statement->items.size(); ++idx) {
      if (!statement->items[idx].is_object()) {
        return Error(kSyntaxErrors, fmt::format("statement {} is not an object", idx + 1),
                     statement->items[idx].begin);
      }
      if (!CompileStatement(statement->items[idx], idx + 1)) return false;
    }
    return true;
  }

  bool CompileStatement(const Node& node, std::size_t number) {
    Statement statement;
    statement.begin = node.begin;
    statement.end = node.end;
    document::LineColumn start = document::ToLineColumn(request_.text, node.begin);
    // EndPosition points at the closing brace, as IAM's simulator reports it.
    document::LineColumn end = document::ToLineColumn(request_.text, node.end > 0 ? node.end - 1 : 0);
    statement.start_position = {start.line, start.column};
    statement.end_position = {end.line, end.column};

    const Node* effect = nullptr;
    const Node* principal = nullptr;
    const Node* not_principal = nullptr;
    const Node* action = nullptr;
    const Node* not_action = nullptr;
    const Node* resource = nullptr;
    const Node* not_resource = nullptr;
    const Node* condition = nullptr;
    std::set<std::string> seen;
    for (const Member& member : node.members) {
      if (!seen.insert(member.key).second) {
        return Error(kSyntaxErrors, fmt::format("statement {}: duplicate element `{}`", number, member.key),
                     member.key_begin);
      }
      const std::string& key = member.key;
      const Node* value = &member.value;
      if (key == "Sid") {
        if (!value->is_string()) {
          return Error(kSyntaxErrors, fmt::format("statement {}: `Sid` must be a string", number), value->begin);
        }
        statement.sid = value->text;
      } else if (key == "Effect") {
        effect = value;
      } else if (key == "Principal") {
        principal = value;
      } else if (key == "NotPrincipal") {
        not_principal = value;
      } else if (key == "Action") {
        action = value;
      } else if (key == "NotAction") {
        not_action = value;
      } else if (key == "Resource") {
        resource = value;
      } else if (key == "NotResource") {
        not_resource = value;
      } else if (key == "Condition") {
        condition = value;
      } else {
        return Error(kSyntaxErrors, fmt::format("statement {}: unknown element `{}`", number, key),
                     member.key_begin);
      }
    }
    // Sid: unique within a policy (IAM); Organizations and resource policies too.
    if (!statement.sid.empty()) {
      if (!sids_.insert(statement.sid).second) {
        return Error("Statement IDs (SID) in a single policy must be unique.",
                     fmt::format("statement {}: duplicate Sid `{}`", number, statement.sid), node.begin);
      }
    }
    // Effect.
    if (effect == nullptr) {
      return Error(kSyntaxErrors, fmt::format("statement {}: missing element `Effect`", number), node.begin);
    }
    if (!effect->is_string() || (effect->text != "Allow" && effect->text != "Deny")) {
      return Error(kSyntaxErrors,
                   fmt::format("statement {}: `Effect` must be `Allow` or `Deny`", number), effect->begin);
    }
    statement.effect = effect->text == "Allow" ? Effect::kAllow : Effect::kDeny;

    if (!CheckPrincipalRules(statement, principal, not_principal, number, node)) return false;
    if (!CompileActions(statement, action, not_action, number, node)) return false;
    if (!CompileResources(statement, resource, not_resource, number, node)) return false;
    if (condition != nullptr && !CompileConditions(statement, *condition, number)) return false;
    if (type_ == PolicyType::kRcp && statement.effect == Effect::kAllow && !IsRcpFullAccess(statement)) {
      return Error(kSyntaxErrors,
                   fmt::format("statement {}: an RCP may use Allow only as in RCPFullAWSAccess", number),
                   node.begin);
    }
    statements_.push_back(std::move(statement));
    return true;
  }

  static bool IsRcpFullAccess(const Statement& statement) {
    bool principal_any = statement.principal.present && !statement.principal.negated &&
                         statement.principal.entries.size() == 1 &&
                         statement.principal.entries[0].kind == PrincipalEntry::Kind::kAnyone;
    bool action_any = !statement.not_action && statement.actions.size() == 1 &&
                      statement.actions[0].raw == "*";
    bool resource_any = !statement.has_resource ||
                        (!statement.not_resource && statement.resources.size() == 1 &&
                         statement.resources[0].raw == "*");
    return principal_any && action_any && resource_any && statement.conditions.empty();
  }

  bool CheckPrincipalRules(Statement& statement, const Node* principal, const Node* not_principal,
                           std::size_t number, const Node& node) {
    const bool prohibited = type_ == PolicyType::kIdentity || type_ == PolicyType::kBoundary ||
                            type_ == PolicyType::kSession || type_ == PolicyType::kScp;
    if (prohibited) {
      if (principal != nullptr || not_principal != nullptr) {
        const char* which = principal != nullptr ? "Principal" : "NotPrincipal";
        std::string message = type_ == PolicyType::kSession
                                  ? std::string("Policy document should not specify a principal.")
                                  : fmt::format("Has prohibited field {}", which);
        return Error(message, fmt::format("statement {}: `{}` is not allowed in a {} policy", number,
                                          which, PolicyTypeName(type_)),
                     (principal ? principal : not_principal)->begin);
      }
      return true;
    }
    if (principal != nullptr && not_principal != nullptr) {
      return Error(kSyntaxErrors,
                   fmt::format("statement {}: both `Principal` and `NotPrincipal`", number), node.begin);
    }
    if (not_principal != nullptr) {
      if (type_ == PolicyType::kTrust || type_ == PolicyType::kRcp) {
        return Error("Has prohibited field NotPrincipal",
                     fmt::format("statement {}: `NotPrincipal` is not allowed in a {} policy", number,
                                 PolicyTypeName(type_)),
                     not_principal->begin);
      }
      // IAM documents NotPrincipal with Allow as strongly discouraged ("allows all principals
      // except the one named"); resource policies such as S3 bucket policies accept it.
      if (statement.effect == Effect::kAllow && type_ != PolicyType::kResource) {
        return Error(kSyntaxErrors,
                     fmt::format("statement {}: `NotPrincipal` can only be used with `Deny`", number),
                     not_principal->begin);
      }
    }
    const Node* given = principal != nullptr ? principal : not_principal;
    if (given == nullptr) {
      if (type_ == PolicyType::kEndpoint) return true;  // endpoint policies default to "*"
      return Error("Missing required field Principal",
                   fmt::format("statement {}: missing element `Principal`", number), node.begin);
    }
    statement.principal.present = true;
    statement.principal.negated = not_principal != nullptr;
    if (!CompilePrincipal(statement.principal, *given, number)) return false;
    if (type_ == PolicyType::kRcp) {
      bool any = statement.principal.entries.size() == 1 &&
                 statement.principal.entries[0].kind == PrincipalEntry::Kind::kAnyone;
      if (!any) {
        return Error(kSyntaxErrors, fmt::format("statement {}: an RCP principal must be \"*\"", number),
                     given->begin);
      }
    }
    return true;
  }

  bool InvalidPrincipal(std::string_view kind, const Node& value) {
    std::string shown = value.is_string() ? value.text : document::Serialize(value);
    return Error(fmt::format("Invalid principal in policy: \"{}\":\"{}\"", kind, shown),
                 fmt::format("invalid principal `{}` in `{}`", shown, kind), value.begin);
  }

  bool CompilePrincipal(PrincipalSpec& spec, const Node& node, std::size_t number) {
    if (node.is_string()) {
      if (node.text != "*") {
        return Error(kSyntaxErrors,
                     fmt::format("statement {}: a string principal must be \"*\"", number), node.begin);
      }
      spec.entries.push_back({PrincipalEntry::Kind::kAnyone, "*", "", ""});
      return true;
    }
    if (!node.is_object() || node.members.empty()) {
      return Error(kSyntaxErrors, fmt::format("statement {}: malformed principal", number), node.begin);
    }
    for (const Member& member : node.members) {
      std::vector<const Node*> values;
      if (member.value.is_string()) {
        values.push_back(&member.value);
      } else if (member.value.is_array() && !member.value.items.empty()) {
        for (const Node& item : member.value.items) {
          if (!item.is_string()) return InvalidPrincipal(member.key, item);
          values.push_back(&item);
        }
      } else {
        return InvalidPrincipal(member.key, member.value);
      }
      for (const Node* value : values) {
        PrincipalEntry entry;
        if (member.key == "AWS") {
          if (!ParseAwsPrincipal(value->text, entry)) return InvalidPrincipal("AWS", *value);
        } else if (member.key == "Service") {
          if (value->text.empty() || value->text.find(' ') != std::string::npos ||
              (value->text.find('*') != std::string::npos && value->text != "*")) {
            return InvalidPrincipal("Service", *value);
          }
          entry.kind = value->text == "*" ? PrincipalEntry::Kind::kAnyone : PrincipalEntry::Kind::kService;
          entry.value = value->text;
        } else if (member.key == "Federated") {
          if (value->text.empty() || value->text.find(' ') != std::string::npos) {
            return InvalidPrincipal("Federated", *value);
          }
          entry.kind = value->text == "*" ? PrincipalEntry::Kind::kAnyone : PrincipalEntry::Kind::kFederated;
          entry.value = value->text;
        } else if (member.key == "CanonicalUser") {
          if (value->text.empty()) return InvalidPrincipal("CanonicalUser", *value);
          entry.kind = PrincipalEntry::Kind::kCanonicalUser;
          entry.value = value->text;
        } else {
          return Error(kSyntaxErrors,
                       fmt::format("statement {}: unknown principal type `{}`", number, member.key),
                       member.key_begin);
        }
        spec.entries.push_back(std::move(entry));
      }
    }
    return true;
  }

  static bool ParseAwsPrincipal(std::string_view text, PrincipalEntry& entry) {
    entry.value = std::string(text);
    if (text == "*") {
      entry.kind = PrincipalEntry::Kind::kAnyone;
      return true;
    }
    if (text.find('*') != std::string_view::npos || text.find('?') != std::string_view::npos) {
      return false;  // principals take no wildcards except "*" itself
    }
    if (IsAccountId(text)) {
      entry.kind = PrincipalEntry::Kind::kAccount;
      entry.account = std::string(text);
      return true;
    }
    // arn:partition:service::account:resource
    if (!StartsWith(text, "arn:")) return false;
    std::size_t p1 = text.find(':', 4);
    if (p1 == std::string_view::npos) return false;
    std::size_t p2 = text.find(':', p1 + 1);
    if (p2 == std::string_view::npos) return false;
    std::size_t p3 = text.find(':', p2 + 1);
    if (p3 == std::string_view::npos) return false;
    std::size_t p4 = text.find(':', p3 + 1);
    if (p4 == std::string_view::npos) return false;
    std::string_view partition = text.substr(4, p1 - 4);
    std::string_view service = text.substr(p1 + 1, p2 - p1 - 1);
    std::string_view region = text.substr(p2 + 1, p3 - p2 - 1);
    std::string_view account = text.substr(p3 + 1, p4 - p3 - 1);
    std::string_view resource = text.substr(p4 + 1);
    if (!IsValidPartition(partition) || !region.empty() || !IsAccountId(account)) return false;
    entry.account = std::string(account);
    if (service == "iam") {
      if (resource == "root") {
        entry.kind = PrincipalEntry::Kind::kAccount;
        entry.value = entry.account;
        return true;
      }
      if (StartsWith(resource, "user/") && resource.size() > 5) {
        entry.kind = PrincipalEntry::Kind::kUser;
        return true;
      }
      if (StartsWith(resource, "role/") && resource.size() > 5) {
        entry.kind = PrincipalEntry::Kind::kRole;
        entry.role_name = std::string(resource.substr(resource.rfind('/') + 1));
        return !entry.role_name.empty();
      }
      return false;
    }
    if (service == "sts") {
      if (StartsWith(resource, "assumed-role/")) {
        std::string_view rest = resource.substr(13);
        std::size_t slash = rest.find('/');
        if (slash == std::string_view::npos || slash == 0 || slash + 1 == rest.size()) return false;
        entry.kind = PrincipalEntry::Kind::kAssumedRole;
        entry.role_name = std::string(rest.substr(0, slash));
        return true;
      }
      if (StartsWith(resource, "federated-user/") && resource.size() > 15) {
        entry.kind = PrincipalEntry::Kind::kFederatedUser;
        return true;
      }
      return false;
    }
    return false;
  }

  bool CheckWildcards(const Node* node, std::string_view element, std::size_t number) {
    if (!TooManyWildcards(node->text)) return true;
    return Error(kSyntaxErrors,
                 fmt::format("statement {}: a `{}` value has more than {} wildcards", number, element,
                             kMaxWildcardsPerValue),
                 node->begin);
  }

  // Accepts a string or a non-empty array of strings.
  bool StringList(const Node* node, std::string_view element, std::size_t number,
                  std::vector<const Node*>& out) {
    if (node->is_string()) {
      out.push_back(node);
      return CheckWildcards(node, element, number);
    }
    if (node->is_array() && !node->items.empty()) {
      for (const Node& item : node->items) {
        if (!item.is_string()) {
          return Error(kSyntaxErrors,
                       fmt::format("statement {}: every `{}` value must be a string", number, element),
                       item.begin);
        }
        out.push_back(&item);
        if (!CheckWildcards(&item, element, number)) return false;
      }
      return true;
    }
    return Error(kSyntaxErrors,
                 fmt::format("statement {}: `{}` must be a string or a non-empty array of strings",
                             number, element),
                 node->begin);
  }

  static bool IsTrustAction(std::string_view lower) {
    static constexpr std::string_view kTrustActions[] = {
        "sts:assumerole",  "sts:assumerolewithsaml", "sts:assumerolewithwebidentity",
        "sts:tagsession",  "sts:setsourceidentity",  "sts:setcontext",
        "sts:*",           "*"};
    for (std::string_view action : kTrustActions) {
      if (lower == action) return true;
    }
    return StartsWith(lower, "sts:assumerole");
  }

  bool CompileActions(Statement& statement, const Node* action, const Node* not_action,
                      std::size_t number, const Node& node) {
    if (action == nullptr && not_action == nullptr) {
      return Error("Policy statement must contain actions.",
                   fmt::format("statement {}: missing element `Action` or `NotAction`", number), node.begin);
    }
    if (action != nullptr && not_action != nullptr) {
      return Error(kSyntaxErrors, fmt::format("statement {}: both `Action` and `NotAction`", number),
                   node.begin);
    }
    if (not_action != nullptr && type_ == PolicyType::kRcp) {
      return Error(kSyntaxErrors, fmt::format("statement {}: an RCP cannot use `NotAction`", number),
                   not_action->begin);
    }
    statement.not_action = not_action != nullptr;
    const char* element = statement.not_action ? "NotAction" : "Action";
    std::vector<const Node*> values;
    if (!StringList(statement.not_action ? not_action : action, element, number, values)) return false;
    for (const Node* value : values) {
      const std::string& raw = value->text;
      ActionPattern pattern;
      pattern.raw = raw;
      std::string lower = ToLower(raw);
      if (raw != "*") {
        std::size_t colon = raw.find(':');
        if (colon == std::string::npos) {
          return Error(kVendorMessage,
                       fmt::format("statement {}: action `{}` has no service prefix", number, raw),
                       value->begin);
        }
        if (raw.find(':', colon + 1) != std::string::npos) {
          return Error(kOneColon, fmt::format("statement {}: action `{}` has more than one colon", number, raw),
                       value->begin);
        }
        std::string_view vendor = std::string_view(raw).substr(0, colon);
        bool vendor_ok = !vendor.empty();
        bool vendor_wild = false;
        for (char c : vendor) {
          if (c == '*' || c == '?') {
            vendor_wild = true;
          } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '_' || c == '.')) {
            vendor_ok = false;
          }
        }
        if (!vendor_ok) {
          return Error(fmt::format("Vendor {} is not valid", vendor),
                       fmt::format("statement {}: invalid service prefix `{}`", number, vendor), value->begin);
        }
        if (!vendor_wild) pattern.service = ToLower(vendor);
      }
      if (type_ == PolicyType::kTrust && statement.effect == Effect::kAllow &&
          (statement.not_action || !IsTrustAction(lower))) {
        return Error("AssumeRole policy may only specify STS AssumeRole actions.",
                     fmt::format("statement {}: `{}` is not an STS AssumeRole action", number, raw),
                     value->begin);
      }
      pattern.matcher = Matcher(EncodeGlob(lower), false);
      statement.actions.push_back(std::move(pattern));
    }
    return true;
  }

  Template MakeTemplate(std::string_view raw, bool glob) const {
    Template templ;
    auto literal = [&](std::string_view text) { return glob ? EncodeGlob(text) : std::string(text); };
    if (!variables_ || raw.find("${") == std::string_view::npos) {
      templ.literal = literal(raw);
      return templ;
    }
    std::string current;
    bool any_variable = false;
    std::size_t pos = 0;
    while (pos < raw.size()) {
      std::size_t open = raw.find("${", pos);
      if (open == std::string_view::npos) {
        current += literal(raw.substr(pos));
        break;
      }
      std::size_t close = raw.find('}', open + 2);
      if (close == std::string_view::npos) {
        current += literal(raw.substr(pos));
        break;
      }
      current += literal(raw.substr(pos, open - pos));
      std::string_view content = raw.substr(open + 2, close - open - 2);
      pos = close + 1;
      if (content == "*" || content == "?" || content == "$") {
        current += content[0];  // a literal character, never a wildcard
        continue;
      }
      Template::Piece variable;
      variable.variable = true;
      std::size_t comma = content.find(',');
      std::string_view key = TrimSpaces(content.substr(0, comma));
      if (comma != std::string_view::npos) {
        std::string_view fallback = TrimSpaces(content.substr(comma + 1));
        if (fallback.size() >= 2 && fallback.front() == '\'' && fallback.back() == '\'') {
          fallback = fallback.substr(1, fallback.size() - 2);
        }
        variable.default_value = literal(fallback);
      }
      variable.text = std::string(key);
      variable.key_lower = ToLower(key);
      if (!current.empty()) {
        Template::Piece piece;
        piece.text = std::move(current);
        current.clear();
        templ.pieces.push_back(std::move(piece));
      }
      templ.pieces.push_back(std::move(variable));
      any_variable = true;
    }
    if (!any_variable) {
      templ.literal = std::move(current);
      return templ;
    }
    if (!current.empty()) {
      Template::Piece piece;
      piece.text = std::move(current);
      templ.pieces.push_back(std::move(piece));
    }
    return templ;
  }

  bool CompileResources(Statement& statement, const Node* resource, const Node* not_resource,
                        std::size_t number, const Node& node) {
    if (type_ == PolicyType::kTrust) {
      if (resource != nullptr || not_resource != nullptr) {
        return Error(resource ? "Has prohibited field Resource" : "Has prohibited field NotResource",
                     fmt::format("statement {}: a trust policy has no resources", number),
                     (resource ? resource : not_resource)->begin);
      }
      return true;
    }
    if (resource != nullptr && not_resource != nullptr) {
      return Error(kSyntaxErrors, fmt::format("statement {}: both `Resource` and `NotResource`", number),
                   node.begin);
    }
    if (resource == nullptr && not_resource == nullptr) {
      // SCPs, RCPs and endpoint policies may leave Resource out (it then means every resource).
      if (type_ == PolicyType::kScp || type_ == PolicyType::kRcp || type_ == PolicyType::kEndpoint) {
        return true;
      }
      return Error("Policy statement must contain resources.",
                   fmt::format("statement {}: missing element `Resource` or `NotResource`", number),
                   node.begin);
    }
    statement.has_resource = true;
    statement.not_resource = not_resource != nullptr;
    std::vector<const Node*> values;
    if (!StringList(statement.not_resource ? not_resource : resource,
                    statement.not_resource ? "NotResource" : "Resource", number, values)) {
      return false;
    }
    for (const Node* value : values) {
      ResourcePattern pattern;
      if (!CompileResource(value->text, pattern, number, value->begin)) return false;
      statement.resources.push_back(std::move(pattern));
    }
    return true;
  }

  bool CompileResource(const std::string& raw, ResourcePattern& pattern, std::size_t number,
                       std::uint32_t offset) {
    pattern.raw = raw;
    if (raw != "*") {
      if (!StartsWith(raw, "arn:")) {
        return Error(fmt::format("Resource {} must be in ARN format or \"*\".", raw),
                     fmt::format("statement {}: resource `{}` is not an ARN", number, raw), offset);
      }
      // arn:partition:service:region:account:resource
      std::vector<std::string_view> fields;
      std::string_view rest(raw);
      for (int i = 0; i < 5; ++i) {
        std::size_t colon = rest.find(':');
        if (colon == std::string_view::npos) break;
        fields.push_back(rest.substr(0, colon));
        rest = rest.substr(colon + 1);
      }
      fields.push_back(rest);
      if (fields.size() < 6) {
        // "arn:aws:s3" or similar: IAM reports the partition first when it is bogus.
        if (fields.size() >= 2 && !IsValidPartition(fields[1])) {
          return Error(fmt::format("Partition \"{}\" is not valid for resource \"{}\".", fields[1], raw),
                       fmt::format("statement {}: invalid partition `{}`", number, fields[1]), offset);
        }
        return Error(fmt::format("Resource {} must be in ARN format or \"*\".", raw),
                     fmt::format("statement {}: resource `{}` is not an ARN", number, raw), offset);
      }
      if (!IsValidPartition(fields[1])) {
        return Error(fmt::format("Partition \"{}\" is not valid for resource \"{}\".", fields[1], raw),
                     fmt::format("statement {}: invalid partition `{}`", number, fields[1]), offset);
      }
      std::string_view vendor = fields[2];
      if (vendor.empty() || (vendor != "*" && (vendor.find('*') != std::string_view::npos ||
                                                vendor.find('?') != std::string_view::npos))) {
        return Error("Resource vendor must be fully qualified and cannot contain regexes.",
                     fmt::format("statement {}: resource `{}` has no concrete service", number, raw),
                     offset);
      }
      if (IsIamFamily()) {
        if (vendor == "iam" && !fields[3].empty()) {
          return Error(fmt::format("IAM resource {} cannot contain region information.", raw),
                       fmt::format("statement {}: IAM resources have no region", number), offset);
        }
        if (vendor == "s3" && !fields[3].empty() && fields[4].empty() &&
            fields[5].find('/') == std::string_view::npos && fields[3] != "*") {
          return Error(fmt::format("Resource {} can not contain region information.", raw),
                       fmt::format("statement {}: S3 bucket ARNs have no region", number), offset);
        }
        if (vendor == "iam") {
          static constexpr std::string_view kIamPrefixes[] = {
              "user/",   "federated-user/", "role/",   "group/",         "instance-profile/",
              "mfa/",    "server-certificate/", "policy/", "sms-mfa/", "saml-provider/",
              "oidc-provider/", "report/", "access-report/"};
          std::string_view res = fields[5];
          bool ok = res.empty() || res.front() == '*' || res.front() == '?' || res == "root" ||
                    StartsWith(res, "${");
          for (std::string_view prefix : kIamPrefixes) {
            if (ok) break;
            ok = StartsWith(res, prefix) ||
                 (prefix.size() > res.size() &&
                  (res.find('*') != std::string_view::npos) &&
                  StartsWith(prefix, res.substr(0, res.find('*'))));
          }
          if (!ok) {
            return Error(kIamPathMessage,
                         fmt::format("statement {}: unknown IAM resource type in `{}`", number, raw),
                         offset);
          }
        }
      }
    }
    pattern.templ = MakeTemplate(raw, true);
    if (pattern.templ.has_variables()) return true;
    const std::string& encoded = pattern.templ.literal;
    std::vector<std::string_view> fields;
    std::string_view rest(encoded);
    if (StartsWith(rest, "arn:")) {
      rest.remove_prefix(4);
      for (int i = 0; i < 4; ++i) {
        std::size_t colon = rest.find(':');
        if (colon == std::string_view::npos) break;
        fields.push_back(rest.substr(0, colon));
        rest = rest.substr(colon + 1);
      }
      fields.push_back(rest);
    }
    if (fields.size() == 5) {
      pattern.arn = true;
      for (std::string_view field : fields) pattern.fields.emplace_back(field, false);
    } else {
      pattern.whole = Matcher(encoded, false);
    }
    return true;
  }

  bool IsIamFamily() const {
    return type_ == PolicyType::kIdentity || type_ == PolicyType::kBoundary ||
           type_ == PolicyType::kSession;
  }

  bool CompileConditions(Statement& statement, const Node& node, std::size_t number) {
    if (!node.is_object()) {
      return Error(kSyntaxErrors, fmt::format("statement {}: `Condition` must be an object", number),
                   node.begin);
    }
    for (const Member& block : node.members) {
      Condition prototype;
      prototype.operator_text = block.key;
      if (!ParseOperator(block.key, prototype)) {
        return Error(kSyntaxErrors,
                     fmt::format("statement {}: unknown condition operator `{}`", number, block.key),
                     block.key_begin);
      }
      if (!block.value.is_object()) {
        return Error(kSyntaxErrors,
                     fmt::format("statement {}: condition `{}` must be an object", number, block.key),
                     block.value.begin);
      }
      for (const Member& entry : block.value.members) {
        Condition condition = prototype;
        condition.key = entry.key;
        condition.key_lower = ToLower(entry.key);
        std::size_t colon = entry.key.find(':');
        if (colon == std::string::npos || colon == 0) {
          return Error(kVendorMessage,
                       fmt::format("statement {}: condition key `{}` has no prefix", number, entry.key),
                       entry.key_begin);
        }
        // Keys may hold further colons (tag keys such as `aws:ResourceTag/aws:cloudformation:stack-id`,
        // `kms:EncryptionContext:aws:s3:arn`), as AWS managed policies show.
        std::vector<const Node*> values;
        if (entry.value.is_array()) {
          for (const Node& item : entry.value.items) values.push_back(&item);
        } else {
          values.push_back(&entry.value);
        }
        for (const Node* value : values) {
          if (value->kind != Node::Kind::kString && value->kind != Node::Kind::kNumber &&
              value->kind != Node::Kind::kBool) {
            return Error(kSyntaxErrors,
                         fmt::format("statement {}: condition `{}` on `{}` has a value that is not a "
                                     "string, number or boolean",
                                     number, block.key, entry.key),
                         value->begin);
          }
          if (value->kind == Node::Kind::kString && !CheckWildcards(value, "Condition", number)) return false;
          std::string text = value->kind == Node::Kind::kBool ? (value->boolean ? "true" : "false")
                                                              : value->text;
          condition.values.push_back(CompileValue(condition.op, text));
        }
        statement.conditions.push_back(std::move(condition));
      }
    }
    return true;
  }

  ConditionValue CompileValue(ConditionOperator op, const std::string& text) const {
    ConditionValue value;
    const bool like = op == ConditionOperator::kStringLike || op == ConditionOperator::kStringNotLike ||
                      op == ConditionOperator::kArnLike || op == ConditionOperator::kArnNotLike ||
                      op == ConditionOperator::kArnEquals || op == ConditionOperator::kArnNotEquals;
    value.templ = MakeTemplate(text, like);
    if (like && !value.templ.has_variables()) value.like = Matcher(value.templ.literal, false);
    switch (op) {
      case ConditionOperator::kNumericEquals:
      case ConditionOperator::kNumericNotEquals:
      case ConditionOperator::kNumericLessThan:
      case ConditionOperator::kNumericLessThanEquals:
      case ConditionOperator::kNumericGreaterThan:
      case ConditionOperator::kNumericGreaterThanEquals:
        value.number = ParseNumber(text);
        break;
      case ConditionOperator::kDateEquals:
      case ConditionOperator::kDateNotEquals:
      case ConditionOperator::kDateLessThan:
      case ConditionOperator::kDateLessThanEquals:
      case ConditionOperator::kDateGreaterThan:
      case ConditionOperator::kDateGreaterThanEquals:
        value.date_ms = ParseDate(text);
        break;
      case ConditionOperator::kIpAddress:
      case ConditionOperator::kNotIpAddress:
        value.ip = ParseCidr(text);
        break;
      case ConditionOperator::kBool:
      case ConditionOperator::kNull:
        value.boolean = ParseBool(text);
        break;
      default:
        break;
    }
    return value;
  }

  static bool ParseOperator(std::string_view text, Condition& condition) {
    std::string_view rest = text;
    if (rest.size() > 12 && EqualsIgnoreCase(rest.substr(0, 12), "ForAnyValue:")) {
      condition.qualifier = SetQualifier::kForAnyValue;
      rest.remove_prefix(12);
    } else if (rest.size() > 13 && EqualsIgnoreCase(rest.substr(0, 13), "ForAllValues:")) {
      condition.qualifier = SetQualifier::kForAllValues;
      rest.remove_prefix(13);
    }
    if (rest.size() > 8 && EqualsIgnoreCase(rest.substr(rest.size() - 8), "IfExists")) {
      condition.if_exists = true;
      rest.remove_suffix(8);
    }
    for (const OperatorName& name : kOperators) {
      if (EqualsIgnoreCase(name.name, rest)) {
        condition.op = name.op;
        if (name.op == ConditionOperator::kNull && condition.if_exists) return false;
        return true;
      }
    }
    return false;
  }

  const CompileRequest& request_;
  PolicyType type_;
  std::string version_;
  std::string document_id_;
  bool variables_ = false;
  std::set<std::string> sids_;
  std::vector<Statement> statements_;
  CompileFailure failure_;
};

}  // namespace

tl::expected<std::shared_ptr<const CompiledPolicy>, CompileFailure> CompileDetailed(
    const CompileRequest& request) {
  try {
    Compiler compiler(request);
    return compiler.Run();
  } catch (const std::exception& e) {
    CompileFailure failure;
    failure.code = "ServiceFailure";
    failure.aws_message = "cannot compile policy";
    failure.detail = e.what();
    failure.http_status = 500;
    return tl::unexpected(failure);
  }
}

}  // namespace rampart::policy::internal
