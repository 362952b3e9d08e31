// Fuzz target for the policy parser and compiler (untrusted policy JSON from API callers).
// Every input is parsed, round-tripped (parse -> print -> parse must print the same), compiled
// as every policy type, and each compiled policy is evaluated once. Nothing may crash, leak,
// or take unbounded time or memory: the parser's limits (size, depth, value count) bound all.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "policy/document/document.h"
#include "policy/policy.h"

namespace {

using rampart::policy::PolicyType;

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace policy = rampart::policy;
  std::string_view text(reinterpret_cast<const char*>(data), size);

  auto tree = policy::document::ParseDocument(text);
  if (tree) {
    std::string printed = policy::document::Serialize(*tree);
    auto again = policy::document::ParseDocument(printed);
    Check(static_cast<bool>(again));
    Check(policy::document::Serialize(*again) == printed);
  }

  policy::RequestContext request;
  policy::Principal principal;
  principal.type = policy::PrincipalType::kAssumedRole;
  principal.arn = "arn:aws:sts::111122223333:assumed-role/r/s";
  principal.account_id = "111122223333";
  request.set_principal(principal);
  request.set_action("s3:GetObject");
  request.set_resource("arn:aws:s3:::bucket/key");
  request.SetKey("aws:username", "alice");
  request.SetMultiKey("aws:TagKeys", {"a", "b"});

  for (PolicyType type : {PolicyType::kIdentity, PolicyType::kResource, PolicyType::kTrust,
                          PolicyType::kBoundary, PolicyType::kSession, PolicyType::kScp,
                          PolicyType::kRcp, PolicyType::kEndpoint}) {
    auto compiled = policy::CompilePolicy(text, type);
    if (!compiled) {
      Check(!compiled.error().code.empty() && !compiled.error().message.empty());
      continue;
    }
    Check((*compiled)->text() == text);  // kept byte for byte
    policy::PrincipalPolicies principal_policies;
    policy::ResourcePolicies resource_policies;
    if (type == PolicyType::kResource || type == PolicyType::kTrust) {
      resource_policies.resource = *compiled;
    } else {
      principal_policies.identity.push_back(*compiled);
    }
    policy::EvaluateOptions options;
    options.collect_details = true;
    policy::Decision decision =
        policy::Evaluate(principal_policies, resource_policies, request, options);
    (void)policy::DenyReason(decision, request.action());
  }
  return 0;
}
