// Encoded authorization failure messages and DecodeAuthorizationMessage.
//
// The decoded form follows the one AWS documents and shows in its CLI example
// (IAM User Guide, "Use DecodeAuthorizationMessage with a CLI"): allowed, explicitDeny,
// matchedStatements, failures and context (principal, action, resource, conditions), every
// list wrapped as {"items":[...]} and every value as {"value":...}.
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "common/crypto.h"
#include "services/sts/internal.h"

namespace rampart::services::sts {
namespace {

constexpr std::string_view kAssociated = "rampart-authorization-message:v1";

json::object Items(json::array items) {
  json::object out;
  out["items"] = std::move(items);
  return out;
}

json::object Values(const std::vector<std::string>& values) {
  json::array items;
  for (const std::string& value : values) {
    json::object item;
    item["value"] = value;
    items.push_back(std::move(item));
  }
  return Items(std::move(items));
}

std::string Key(std::string_view installation_secret) {
  crypto::Sha256Digest key =
      crypto::HmacSha256(installation_secret, "rampart authorization messages v1");
  return std::string(reinterpret_cast<const char*>(key.data()), key.size());
}

Error InvalidMessage() {
  return Error("InvalidAuthorizationMessageException",
               "The specified encoded message is not valid.", 400);
}

}  // namespace

std::string AuthorizationMessageJson(const Principal& principal,
                                     const policy::RequestContext& context,
                                     const policy::Decision& decision) {
  json::object out;
  out["allowed"] = decision.allowed();
  out["explicitDeny"] = decision.kind == policy::DecisionKind::kExplicitDeny;
  json::array matched;
  for (const policy::MatchedStatement& match : decision.matched) {
    if (match.policy == nullptr || match.statement_index >= match.policy->statements().size()) {
      continue;
    }
    const policy::Statement& statement = match.policy->statements()[match.statement_index];
    json::object item;
    item["statementId"] = statement.sid;
    item["effect"] = statement.effect == policy::Effect::kDeny ? "DENY" : "ALLOW";
    // The principal the policy applies to, as AWS lists it (its unique id).
    std::string id = principal.principal_id.substr(0, principal.principal_id.find(':'));
    item["principals"] = Values({id});
    item["principalGroups"] = Items({});
    std::vector<std::string> actions;
    for (const policy::ActionPattern& action : statement.actions) actions.push_back(action.raw);
    item["actions"] = Values(actions);
    std::vector<std::string> resources;
    for (const policy::ResourcePattern& resource : statement.resources) {
      resources.push_back(resource.raw);
    }
    item["resources"] = Values(resources);
    json::array conditions;
    for (const policy::Condition& condition : statement.conditions) {
      std::vector<std::string> values;
      for (const policy::ConditionValue& value : condition.values) {
        values.push_back(value.templ.literal);
      }
      json::object entry;
      entry["key"] = condition.key;
      entry["values"] = Values(values);
      conditions.push_back(std::move(entry));
    }
    item["conditions"] = Items(std::move(conditions));
    matched.push_back(std::move(item));
  }
  out["matchedStatements"] = Items(std::move(matched));
  out["failures"] = Items({});
  json::object request;
  json::object who;
  who["id"] = principal.principal_id;
  if (principal.type == PrincipalType::kIAMUser) who["name"] = principal.name;
  who["arn"] = principal.arn;
  request["principal"] = std::move(who);
  request["action"] = context.action();
  request["resource"] = context.resource();
  json::array keys;
  for (const policy::RequestContext::Entry& entry : context.entries()) {
    json::object item;
    item["key"] = entry.key;
    item["values"] = Values(entry.values);
    keys.push_back(std::move(item));
  }
  request["conditions"] = Items(std::move(keys));
  out["context"] = std::move(request);
  return json::serialize(out);
}

Result<std::string> EncodeAuthorizationMessage(std::string_view installation_secret,
                                               std::string_view json_text) {
  if (installation_secret.size() < 32) return Fail(ServiceFailure());
  Result<std::string> sealed = crypto::Seal(Key(installation_secret), json_text, kAssociated);
  if (!sealed) return Fail(ServiceFailure());
  // URL-safe base64 without padding, like the messages EC2 returns.
  std::string text = crypto::Base64Encode(*sealed);
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!text.empty() && text.back() == '=') text.pop_back();
  return text;
}

Result<std::string> EncodeDenial(const Environment& env, const Principal& principal,
                                 const authz::AuthzTarget& target,
                                 const authz::RequestFacts& facts, std::string_view resource) {
  if (env.policies == nullptr) return Fail(ServiceFailure());
  Result<authz::PolicySetPtr> set = env.policies->ForPrincipal(principal);
  if (!set) return Fail(set.error());
  policy::RequestContext context =
      authz::BuildRequestContext(principal, **set, target, resource, facts, /*every_key=*/true);
  policy::ResourcePolicies resource_policies;
  resource_policies.resource = target.resource_policy;
  policy::EvaluateOptions options;
  options.collect_details = true;
  policy::Decision decision =
      policy::Evaluate((*set)->policies, resource_policies, context, options);
  return EncodeAuthorizationMessage(env.page_token_key,
                                    AuthorizationMessageJson(principal, context, decision));
}

Result<std::string> DecodeAuthorizationMessageText(std::string_view installation_secret,
                                                   std::string_view encoded) {
  if (installation_secret.size() < 32) return Fail(ServiceFailure());
  std::string text(encoded);
  for (char& c : text) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (text.size() % 4 != 0) text.push_back('=');
  Result<std::string> sealed = crypto::Base64Decode(text);
  if (!sealed) return Fail(InvalidMessage());
  Result<std::string> opened = crypto::Open(Key(installation_secret), *sealed, kAssociated);
  if (!opened) return Fail(InvalidMessage());
  return opened;
}

Result<json::object> DecodeAuthorizationMessage(CallContext& call, const json::object& in) {
  if (auto scope = CheckTemporaryCredentialScope(call.caller(), "sts", "DecodeAuthorizationMessage");
      !scope) {
    return Fail(scope.error());
  }
  Result<std::string> decoded = DecodeAuthorizationMessageText(
      call.env().page_token_key, OptString(in, "EncodedMessage").value_or(""));
  if (!decoded) return Fail(decoded.error());
  json::object out;
  out["DecodedMessage"] = std::move(*decoded);
  return out;
}

}  // namespace rampart::services::sts
