#include "policy/simulate.h"

#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <fmt/format.h>

#include "policy/policy.h"

namespace rampart::policy {
namespace {

namespace json = boost::json;

struct CaseError {
  std::string message;
};

std::string_view View(const json::string& s) { return std::string_view(s.data(), s.size()); }

std::optional<PrincipalType> ParsePrincipalType(std::string_view name) {
  if (name == "Root") return PrincipalType::kRoot;
  if (name == "IAMUser") return PrincipalType::kIamUser;
  if (name == "IAMRole") return PrincipalType::kIamRole;
  if (name == "AssumedRole") return PrincipalType::kAssumedRole;
  if (name == "FederatedUser") return PrincipalType::kFederatedUser;
  if (name == "AWSService") return PrincipalType::kAwsService;
  if (name == "Anonymous") return PrincipalType::kAnonymous;
  return std::nullopt;
}

std::string_view AllowedBy(DecisionSource source) {
  switch (source) {
    case DecisionSource::kIdentity: return "allowed by an identity-based policy";
    case DecisionSource::kResource: return "allowed by a resource-based policy";
    case DecisionSource::kTrust: return "allowed by the role trust policy";
    case DecisionSource::kRoot: return "allowed: the root user has full access to its own account";
    case DecisionSource::kCallerIdentity: return "allowed: sts:GetCallerIdentity needs no permission";
    default: return "allowed";
  }
}

class CaseRunner {
 public:
  // Throws CaseError for problems with the case (caught by SimulateLine).
  json::object Run(const json::object& input) {
    RequestContext request;
    request.set_principal(ReadPrincipal(input));
    const json::value* action = input.if_contains("action");
    if (action == nullptr || !action->is_string() || action->as_string().empty()) {
      throw CaseError{"`action` must be a non-empty string"};
    }
    request.set_action(View(action->as_string()));
    const json::value* resource = input.if_contains("resource");
    if (resource == nullptr || !resource->is_string()) throw CaseError{"`resource` must be a string"};
    request.set_resource(std::string(View(resource->as_string())));
    if (const json::value* account = input.if_contains("resourceAccount");
        account != nullptr && !account->is_null()) {
      if (!account->is_string()) throw CaseError{"`resourceAccount` must be a string or null"};
      request.set_resource_account(std::string(View(account->as_string())));
    }
    ReadContext(input, request);

    const bool trust = request.action_lower().rfind("sts:assumerole", 0) == 0 ||
                       request.action_lower() == "sts:tagsession" ||
                       request.action_lower() == "sts:setsourceidentity" ||
                       request.action_lower() == "sts:setcontext";
    PrincipalPolicies principal_policies;
    ResourcePolicies resource_policies;
    principal_policies.identity = DocList(input, "identityPolicies", PolicyType::kIdentity);
    principal_policies.boundary = OptionalDoc(input, "permissionsBoundary", PolicyType::kBoundary);
    principal_policies.session = DocList(input, "sessionPolicies", PolicyType::kSession);
    principal_policies.scps = Levels(input, "scps", PolicyType::kScp);
    resource_policies.resource =
        OptionalDoc(input, "resourcePolicy", trust ? PolicyType::kTrust : PolicyType::kResource);
    resource_policies.rcps = Levels(input, "rcps", PolicyType::kRcp);
    resource_policies.endpoint = DocList(input, "endpointPolicies", PolicyType::kEndpoint);

    EvaluateOptions options;
    options.collect_details = true;
    Decision decision = Evaluate(principal_policies, resource_policies, request, options);

    json::object out;
    if (const json::value* id = input.if_contains("id")) out["id"] = *id;
    out["decision"] = json::string(DecisionName(decision.kind));
    json::array matched;
    for (const MatchedStatement& statement : decision.matched) {
      StatementLocation where = Locate(statement);
      json::object entry;
      entry["SourcePolicyId"] = where.source_policy_id;
      entry["SourcePolicyType"] = where.source_policy_type;
      entry["StartPosition"] = {{"Line", where.start.line}, {"Column", where.start.column}};
      entry["EndPosition"] = {{"Line", where.end.line}, {"Column", where.end.column}};
      matched.push_back(std::move(entry));
    }
    out["matchedStatements"] = std::move(matched);
    json::array missing;
    for (const std::string& key : decision.missing_context_keys) missing.push_back(json::string(key));
    out["missingContextValues"] = std::move(missing);
    std::string reason = decision.allowed() ? std::string(AllowedBy(decision.source))
                                            : DenyReason(decision, request.action());
    out["reason"] = reason;
    return out;
  }

 private:
  static Principal ReadPrincipal(const json::object& input) {
    const json::value* value = input.if_contains("principal");
    if (value == nullptr || !value->is_object()) throw CaseError{"`principal` must be an object"};
    const json::object& object = value->as_object();
    Principal principal;
    const json::value* type = object.if_contains("type");
    if (type == nullptr || !type->is_string()) throw CaseError{"`principal.type` must be a string"};
    std::optional<PrincipalType> parsed = ParsePrincipalType(View(type->as_string()));
    if (!parsed) {
      throw CaseError{fmt::format("unknown principal type `{}`", View(type->as_string()))};
    }
    principal.type = *parsed;
    auto text = [&](const char* name) -> std::string {
      const json::value* field = object.if_contains(name);
      if (field == nullptr || field->is_null()) return "";
      if (!field->is_string()) throw CaseError{fmt::format("`principal.{}` must be a string", name)};
      return std::string(View(field->as_string()));
    };
    principal.arn = text("arn");
    principal.account_id = text("accountId");
    principal.role_arn = text("roleArn");
    if (principal.type != PrincipalType::kAnonymous && principal.arn.empty()) {
      throw CaseError{"`principal.arn` is required"};
    }
    if (principal.account_id.empty() && principal.type != PrincipalType::kAnonymous &&
        principal.type != PrincipalType::kAwsService) {
      // Derive the account from the ARN: arn:partition:service:region:ACCOUNT:resource.
      std::string_view rest = principal.arn;
      for (int field = 0; field < 4; ++field) {
        std::size_t colon = rest.find(':');
        rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
      }
      principal.account_id = std::string(rest.substr(0, rest.find(':')));
    }
    return principal;
  }

  static std::string Scalar(const json::value& value) {
    if (value.is_string()) return std::string(View(value.as_string()));
    if (value.is_bool()) return value.as_bool() ? "true" : "false";
    if (value.is_number()) return json::serialize(value);
    throw CaseError{"context values must be strings or lists of strings"};
  }

  static void ReadContext(const json::object& input, RequestContext& request) {
    const json::value* value = input.if_contains("context");
    if (value == nullptr || value->is_null()) return;
    if (!value->is_object()) throw CaseError{"`context` must be an object"};
    for (const auto& member : value->as_object()) {
      std::string_view key(member.key().data(), member.key().size());
      if (member.value().is_array()) {
        std::vector<std::string> values;
        for (const json::value& item : member.value().as_array()) values.push_back(Scalar(item));
        request.SetMultiKey(key, std::move(values));
      } else {
        request.SetKey(key, Scalar(member.value()));
      }
    }
  }

  PolicyPtr Compile(const json::value& doc, PolicyType type, const std::string& id) {
    std::string text = doc.is_string() ? std::string(View(doc.as_string())) : json::serialize(doc);
    CompileOptions options;
    options.policy_id = id;
    // AWS managed policies exceed the customer-managed quota (AdministratorAccess-Amplify and 80
    // others are over 6,144 characters) and are evaluated as identity policies and boundaries,
    // so the simulator does not apply that quota; the others (trust, session, SCP, RCP) hold for
    // every policy of the type.
    options.enforce_size_quota = type != PolicyType::kIdentity && type != PolicyType::kBoundary;
    Result<PolicyPtr> compiled = CompilePolicy(text, type, options);
    if (!compiled) {
      throw CaseError{fmt::format("{}: {}: {}", id, compiled.error().code, compiled.error().message)};
    }
    return std::move(*compiled);
  }

  PolicyPtr OptionalDoc(const json::object& input, const char* name, PolicyType type) {
    const json::value* value = input.if_contains(name);
    if (value == nullptr || value->is_null()) return nullptr;
    return Compile(*value, type, name);
  }

  std::vector<PolicyPtr> DocList(const json::object& input, const char* name, PolicyType type) {
    std::vector<PolicyPtr> out;
    const json::value* value = input.if_contains(name);
    if (value == nullptr || value->is_null()) return out;
    if (!value->is_array()) throw CaseError{fmt::format("`{}` must be an array", name)};
    std::size_t idx = 0;
    for (const json::value& doc : value->as_array()) {
      out.push_back(Compile(doc, type, fmt::format("{}[{}]", name, idx++)));
    }
    return out;
  }

  std::vector<std::vector<PolicyPtr>> Levels(const json::object& input, const char* name, PolicyType type) {
    std::vector<std::vector<PolicyPtr>> out;
    const json::value* value = input.if_contains(name);
    if (value == nullptr || value->is_null()) return out;
    if (!value->is_array()) throw CaseError{fmt::format("`{}` must be an array of arrays", name)};
    std::size_t level_idx = 0;
    for (const json::value& level : value->as_array()) {
      if (!level.is_array()) throw CaseError{fmt::format("`{}` must be an array of arrays", name)};
      std::vector<PolicyPtr> policies;
      std::size_t idx = 0;
      for (const json::value& doc : level.as_array()) {
        policies.push_back(Compile(doc, type, fmt::format("{}[{}][{}]", name, level_idx, idx++)));
      }
      out.push_back(std::move(policies));
      ++level_idx;
    }
    return out;
  }
};

std::string ErrorLine(const json::value* id, std::string_view message) {
  json::object out;
  out["id"] = id != nullptr ? *id : json::value(nullptr);
  out["decision"] = "error";
  out["message"] = json::string(message);
  return json::serialize(out);
}

}  // namespace

std::string SimulateLine(std::string_view line) {
  json::value parsed;
  try {
    json::error_code ec;
    parsed = json::parse(json::string_view(line.data(), line.size()), ec);
    if (ec) return ErrorLine(nullptr, fmt::format("invalid JSON: {}", ec.message()));
  } catch (const std::exception& e) {
    return ErrorLine(nullptr, fmt::format("invalid JSON: {}", e.what()));
  }
  if (!parsed.is_object()) return ErrorLine(nullptr, "a case must be a JSON object");
  const json::object& input = parsed.as_object();
  const json::value* id = input.if_contains("id");
  try {
    CaseRunner runner;
    return json::serialize(runner.Run(input));
  } catch (const CaseError& e) {
    return ErrorLine(id, e.message);
  } catch (const std::exception& e) {
    return ErrorLine(id, fmt::format("internal error: {}", e.what()));
  }
}

int RunSimulate(std::istream& in, std::ostream& out) {
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out << SimulateLine(line) << '\n';
  }
  out.flush();
  return in.bad() ? 1 : 0;
}

}  // namespace rampart::policy
