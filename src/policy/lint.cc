#include "policy/lint.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "policy/compile/compile.h"
#include "policy/compile/values.h"
#include "policy/document/document.h"
#include "policy/internal/glob.h"
#include "policy/internal/text.h"

namespace rampart::policy {
namespace {

using document::Member;
using document::Node;
using Severity = Finding::Severity;

enum class ValueFamily { kString, kNumeric, kDate, kBool, kBinary, kIp, kArn, kNull };

ValueFamily FamilyOf(ConditionOperator op) {
  using Op = ConditionOperator;
  switch (op) {
    case Op::kNumericEquals: case Op::kNumericNotEquals: case Op::kNumericLessThan:
    case Op::kNumericLessThanEquals: case Op::kNumericGreaterThan: case Op::kNumericGreaterThanEquals:
      return ValueFamily::kNumeric;
    case Op::kDateEquals: case Op::kDateNotEquals: case Op::kDateLessThan:
    case Op::kDateLessThanEquals: case Op::kDateGreaterThan: case Op::kDateGreaterThanEquals:
      return ValueFamily::kDate;
    case Op::kBool: return ValueFamily::kBool;
    case Op::kBinaryEquals: return ValueFamily::kBinary;
    case Op::kIpAddress: case Op::kNotIpAddress: return ValueFamily::kIp;
    case Op::kArnEquals: case Op::kArnLike: case Op::kArnNotEquals: case Op::kArnNotLike:
      return ValueFamily::kArn;
    case Op::kNull: return ValueFamily::kNull;
    default: return ValueFamily::kString;
  }
}

// Whether an operator family suits a key type from the Service Authorization Reference.
bool Compatible(ValueFamily family, std::string_view type) {
  std::string_view base = internal::StartsWith(type, "ArrayOf") ? type.substr(7) : type;
  switch (family) {
    case ValueFamily::kString: return base == "String" || base == "ARN";
    case ValueFamily::kNumeric: return base == "Numeric" || base == "Long" || base == "Integer";
    case ValueFamily::kDate: return base == "Date";
    case ValueFamily::kBool: return base == "Bool" || base == "Boolean";
    case ValueFamily::kBinary: return base == "Binary";
    case ValueFamily::kIp: return base == "IPAddress" || base == "IpAddress";
    case ValueFamily::kArn: return base == "ARN" || base == "String";
    case ValueFamily::kNull: return true;
  }
  return true;
}

bool IsFederationKey(std::string_view key) {
  static constexpr std::string_view kPrefixes[] = {
      "saml:", "accounts.google.com:", "cognito-identity.amazonaws.com:", "www.amazon.com:",
      "graph.facebook.com:", "oidc.", "token.actions.githubusercontent.com:"};
  for (std::string_view prefix : kPrefixes) {
    if (internal::StartsWith(internal::ToLower(key), prefix)) return true;
  }
  return key.find(".amazonaws.com/") != std::string_view::npos;
}

class Linter {
 public:
  Linter(std::string_view text, PolicyType type, const ServiceCatalog& catalog)
      : text_(text), type_(type), catalog_(catalog) {}

  std::vector<Finding> Run() {
    internal::CompileRequest request;
    request.text = text_;
    request.type = type_;
    auto compiled = internal::CompileDetailed(request);
    if (!compiled) {
      const internal::CompileFailure& failure = compiled.error();
      std::string code = failure.code == "LimitExceeded" || failure.code == "PackedPolicyTooLarge" ||
                                 failure.code == "ConstraintViolationException"
                             ? "POLICY_SIZE_EXCEEDED"
                             : "MALFORMED_POLICY_DOCUMENT";
      std::string message = failure.aws_message;
      if (!failure.detail.empty()) message += fmt::format(" ({})", failure.detail);
      Add(Severity::kError, code, failure.offset, message);
      return std::move(findings_);
    }
    policy_ = *compiled;
    Result<Node> tree = document::ParseDocument(text_);
    if (!tree) return std::move(findings_);  // cannot happen: it compiled
    root_ = std::move(*tree);
    CheckVersion();
    const Node* statements = root_.Find("Statement");
    std::vector<const Node*> nodes;
    if (statements != nullptr && statements->is_object()) nodes.push_back(statements);
    if (statements != nullptr && statements->is_array()) {
      for (const Node& item : statements->items) nodes.push_back(&item);
    }
    for (std::size_t idx = 0; idx < nodes.size() && idx < policy_->statements().size(); ++idx) {
      CheckStatement(policy_->statements()[idx], *nodes[idx], idx + 1);
    }
    CheckRedundantStatements(nodes);
    return std::move(findings_);
  }

 private:
  void Add(Severity severity, std::string code, std::uint32_t offset, std::string message) {
    Finding finding;
    finding.severity = severity;
    finding.issue_code = std::move(code);
    document::LineColumn lc = document::ToLineColumn(text_, offset);
    finding.position = {lc.line, lc.column};
    finding.message = std::move(message);
    findings_.push_back(std::move(finding));
  }

  void CheckVersion() {
    const Node* version = root_.Find("Version");
    if (version == nullptr) {
      Add(Severity::kWarning, "MISSING_VERSION", root_.begin,
          "the policy has no `Version`: add \"Version\": \"2012-10-17\" (without it, policy "
          "variables such as ${aws:username} are treated as literal text)");
    } else if (version->text == "2008-10-17") {
      bool has_variables = text_.find("${") != std::string_view::npos;
      Add(has_variables ? Severity::kWarning : Severity::kSuggestion, "OLD_VERSION", version->begin,
          has_variables ? "policy variables are literal text under Version 2008-10-17: use 2012-10-17"
                        : "use Version 2012-10-17, the current policy language version");
    }
  }

  static std::vector<const Node*> Values(const Node* node) {
    std::vector<const Node*> out;
    if (node == nullptr) return out;
    if (node->is_array()) {
      for (const Node& item : node->items) out.push_back(&item);
    } else {
      out.push_back(node);
    }
    return out;
  }

  void CheckStatement(const Statement& statement, const Node& node, std::size_t number) {
    const Node* action_node = node.Find(statement.not_action ? "NotAction" : "Action");
    std::vector<const Node*> actions = Values(action_node);
    for (const Node* action : actions) CheckAction(action->text, action->begin, number);
    CheckRedundantActions(actions, number);
    if (const Node* conditions = node.Find("Condition")) CheckConditions(statement, *conditions, number);

    const bool allow = statement.effect == Effect::kAllow;
    const bool resource_star =
        !statement.has_resource ||
        (!statement.not_resource &&
         std::any_of(statement.resources.begin(), statement.resources.end(),
                     [](const ResourcePattern& r) { return r.raw == "*"; }));
    const bool org = type_ == PolicyType::kScp || type_ == PolicyType::kRcp;
    if (allow && statement.not_action && resource_star && !org) {
      Add(Severity::kSecurityWarning, "ALLOW_WITH_NOT_ACTION", node.begin,
          fmt::format("statement {}: `Allow` with `NotAction` and `Resource` \"*\" grants every action "
                      "of every service except those listed, including ones added in the future",
                      number));
    }
    bool all_actions = !statement.not_action &&
                       std::any_of(statement.actions.begin(), statement.actions.end(), [](const ActionPattern& a) {
                         return a.raw == "*" || a.raw == "*:*";
                       });
    if (allow && all_actions && resource_star && statement.conditions.empty() && !org &&
        type_ != PolicyType::kBoundary) {
      Add(Severity::kSecurityWarning, "FULL_ADMIN_ACCESS", node.begin,
          fmt::format("statement {}: allows every action (\"*:*\") on every resource: full "
                      "administrator access",
                      number));
    }
    bool passes_roles = !statement.not_action && !all_actions &&
                        std::any_of(statement.actions.begin(), statement.actions.end(), [](const ActionPattern& a) {
                          return a.matcher.Match("iam:passrole");
                        });
    if (allow && passes_roles && resource_star && !org) {
      Add(Severity::kSecurityWarning, "PASS_ROLE_WITH_STAR_IN_RESOURCE", node.begin,
          fmt::format("statement {}: allows iam:PassRole on every role (\"Resource\": \"*\"); name the roles "
                      "that may be passed, and add an iam:PassedToService condition",
                      number));
    }
    if (allow && statement.not_resource) {
      Add(Severity::kWarning, "ALLOW_WITH_NOT_RESOURCE", node.begin,
          fmt::format("statement {}: `Allow` with `NotResource` grants access to every resource not "
                      "listed, including ones created later",
                      number));
    }
    if (allow && statement.principal.present && !statement.principal.negated &&
        statement.conditions.empty() && type_ == PolicyType::kResource &&
        std::any_of(statement.principal.entries.begin(), statement.principal.entries.end(),
                    [](const PrincipalEntry& e) { return e.kind == PrincipalEntry::Kind::kAnyone; })) {
      Add(Severity::kSecurityWarning, "PUBLIC_ACCESS", node.begin,
          fmt::format("statement {}: grants access to any principal (\"*\"), including anonymous "
                      "callers, with no condition",
                      number));
    }
    if (statement.principal.negated && allow) {
      Add(Severity::kSecurityWarning, "ALLOW_WITH_NOT_PRINCIPAL", node.begin,
          fmt::format("statement {}: `Allow` with `NotPrincipal` grants every principal not listed, "
                      "including anonymous callers",
                      number));
    }
  }

  void CheckAction(const std::string& raw, std::uint32_t offset, std::size_t number) {
    if (raw == "*") return;
    std::size_t colon = raw.find(':');
    if (colon == std::string::npos) return;
    std::string_view service = std::string_view(raw).substr(0, colon);
    bool service_wild = service.find('*') != std::string_view::npos || service.find('?') != std::string_view::npos;
    if (!service_wild && catalog_.FindService(service) == nullptr) {
      Add(Severity::kError, "UNKNOWN_SERVICE", offset,
          fmt::format("statement {}: no service has the prefix `{}` (action `{}`)", number, service, raw));
      return;
    }
    if (!catalog_.AnyActionMatches(raw)) {
      Add(Severity::kError, "UNKNOWN_ACTION", offset,
          fmt::format("statement {}: `{}` matches no action the service defines", number, raw));
    }
  }

  void CheckRedundantActions(const std::vector<const Node*>& actions, std::size_t number) {
    for (std::size_t i = 0; i < actions.size(); ++i) {
      std::string lower = internal::ToLower(actions[i]->text);
      for (std::size_t j = 0; j < actions.size(); ++j) {
        if (i == j) continue;
        std::string other = internal::ToLower(actions[j]->text);
        if (other == lower && j < i) {
          Add(Severity::kSuggestion, "REDUNDANT_ACTION", actions[i]->begin,
              fmt::format("statement {}: `{}` is listed twice", number, actions[i]->text));
          break;
        }
        if (other != lower && internal::GlobMatch(internal::EncodeGlob(other), lower, false)) {
          Add(Severity::kSuggestion, "REDUNDANT_ACTION", actions[i]->begin,
              fmt::format("statement {}: `{}` is already covered by `{}`", number, actions[i]->text,
                          actions[j]->text));
          break;
        }
      }
    }
  }

  void CheckConditions(const Statement& statement, const Node& conditions, std::size_t number) {
    std::size_t condition_idx = 0;
    for (const Member& block : conditions.members) {
      for (const Member& entry : block.value.members) {
        if (condition_idx >= statement.conditions.size()) return;
        const Condition& condition = statement.conditions[condition_idx++];
        CheckConditionKey(condition, entry.key_begin, number);
        CheckConditionValues(condition, entry, number);
      }
    }
  }

  void CheckConditionKey(const Condition& condition, std::uint32_t offset, std::size_t number) {
    std::optional<std::string> type = catalog_.ConditionKeyType(condition.key);
    if (!type) {
      if (internal::StartsWith(condition.key_lower, "aws:")) {
        Add(Severity::kError, "UNKNOWN_GLOBAL_CONDITION_KEY", offset,
            fmt::format("statement {}: `{}` is not a global condition key", number, condition.key));
      } else if (!IsFederationKey(condition.key)) {
        Add(Severity::kWarning, "UNKNOWN_CONDITION_KEY", offset,
            fmt::format("statement {}: no service defines the condition key `{}`", number, condition.key));
      }
      return;
    }
    ValueFamily family = FamilyOf(condition.op);
    if (!Compatible(family, *type)) {
      Add(Severity::kWarning, "MISMATCHED_TYPE", offset,
          fmt::format("statement {}: `{}` is of type {} but `{}` compares {}", number, condition.key, *type,
                      condition.operator_text, FamilyName(family)));
    }
    bool multivalued = internal::StartsWith(*type, "ArrayOf");
    if (condition.qualifier != SetQualifier::kNone && !multivalued) {
      Add(Severity::kWarning, "SET_OPERATOR_ON_SINGLE_VALUED_KEY", offset,
          fmt::format("statement {}: `{}` is single-valued; `{}` is meant for multivalued keys", number,
                      condition.key, condition.operator_text));
    } else if (condition.qualifier == SetQualifier::kNone && multivalued &&
               condition.op != ConditionOperator::kNull) {
      Add(Severity::kWarning, "MISSING_SET_OPERATOR", offset,
          fmt::format("statement {}: `{}` is multivalued; use ForAnyValue: or ForAllValues:", number,
                      condition.key));
    }
  }

  static std::string_view FamilyName(ValueFamily family) {
    switch (family) {
      case ValueFamily::kString: return "strings";
      case ValueFamily::kNumeric: return "numbers";
      case ValueFamily::kDate: return "dates";
      case ValueFamily::kBool: return "booleans";
      case ValueFamily::kBinary: return "binary values";
      case ValueFamily::kIp: return "IP addresses";
      case ValueFamily::kArn: return "ARNs";
      case ValueFamily::kNull: return "presence";
    }
    return "values";
  }

  void CheckConditionValues(const Condition& condition, const Member& entry, std::size_t number) {
    std::vector<const Node*> nodes = Values(&entry.value);
    if (nodes.empty()) {
      Add(Severity::kError, "EMPTY_CONDITION_VALUES", entry.key_begin,
          fmt::format("statement {}: `{}` on `{}` has no values, so it never matches", number,
                      condition.operator_text, condition.key));
    }
    ValueFamily family = FamilyOf(condition.op);
    for (std::size_t idx = 0; idx < condition.values.size() && idx < nodes.size(); ++idx) {
      const ConditionValue& value = condition.values[idx];
      if (value.templ.has_variables()) continue;
      bool bad = false;
      switch (family) {
        case ValueFamily::kNumeric: bad = !value.number; break;
        case ValueFamily::kDate: bad = !value.date_ms; break;
        case ValueFamily::kBool:
        case ValueFamily::kNull: bad = !value.boolean; break;
        case ValueFamily::kIp: bad = !value.ip; break;
        default: break;
      }
      if (bad) {
        Add(Severity::kError, "INVALID_CONDITION_VALUE", nodes[idx]->begin,
            fmt::format("statement {}: `{}` is not a valid {} for `{}`", number, nodes[idx]->text,
                        FamilyName(family), condition.operator_text));
      }
    }
  }

  void CheckRedundantStatements(const std::vector<const Node*>& nodes) {
    std::vector<std::string> shapes;
    for (const Node* node : nodes) {
      Node copy = *node;
      copy.members.erase(std::remove_if(copy.members.begin(), copy.members.end(),
                                        [](const Member& m) { return m.key == "Sid"; }),
                         copy.members.end());
      std::sort(copy.members.begin(), copy.members.end(),
                [](const Member& a, const Member& b) { return a.key < b.key; });
      shapes.push_back(document::Serialize(copy));
    }
    for (std::size_t i = 0; i < shapes.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (shapes[i] == shapes[j]) {
          Add(Severity::kSuggestion, "REDUNDANT_STATEMENT", nodes[i]->begin,
              fmt::format("statement {} repeats statement {}", i + 1, j + 1));
          break;
        }
      }
    }
  }

  std::string_view text_;
  PolicyType type_;
  const ServiceCatalog& catalog_;
  std::shared_ptr<const CompiledPolicy> policy_;
  Node root_;
  std::vector<Finding> findings_;
};

}  // namespace

std::string_view SeverityName(Finding::Severity severity) {
  switch (severity) {
    case Severity::kError: return "ERROR";
    case Severity::kSecurityWarning: return "SECURITY_WARNING";
    case Severity::kWarning: return "WARNING";
    case Severity::kSuggestion: return "SUGGESTION";
  }
  return "ERROR";
}

std::vector<Finding> ValidatePolicy(std::string_view policy_text, PolicyType type,
                                    const ServiceCatalog& catalog) {
  Linter linter(policy_text, type, catalog);
  return linter.Run();
}

int RunValidate(std::string_view policy_text, PolicyType type, const ServiceCatalog& catalog,
                std::ostream& out) {
  std::vector<Finding> findings = ValidatePolicy(policy_text, type, catalog);
  std::size_t counts[4] = {0, 0, 0, 0};
  for (const Finding& finding : findings) {
    ++counts[static_cast<int>(finding.severity)];
    out << SeverityName(finding.severity) << ' ' << finding.issue_code << ' ' << finding.position.line
        << ':' << finding.position.column << ' ' << finding.message << '\n';
  }
  out << fmt::format("{} finding(s): {} error(s), {} security warning(s), {} warning(s), {} suggestion(s)\n",
                     findings.size(), counts[0], counts[1], counts[2], counts[3]);
  return counts[0] > 0 ? 1 : 0;
}

}  // namespace rampart::policy
