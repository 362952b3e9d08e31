#include "authz/authz.h"

#include <gtest/gtest.h>

#include "authz/managed_policies.h"

namespace rampart::authz {
namespace {

class FakePolicySource final : public PolicySource {
 public:
  Result<PolicySetPtr> ForPrincipal(const Principal&) const override { return set; }
  PolicySetPtr set = std::make_shared<const PrincipalPolicySet>();
};

policy::PolicyPtr Compile(const std::string& text) {
  auto compiled = policy::CompilePolicy(text, policy::PolicyType::kIdentity);
  EXPECT_TRUE(compiled.has_value()) << (compiled ? "" : compiled.error().message);
  return compiled ? *compiled : nullptr;
}

Principal Alice() {
  Principal p;
  p.type = PrincipalType::kIAMUser;
  p.account_id = "111122223333";
  p.arn = "arn:aws:iam::111122223333:user/alice";
  p.principal_id = "AIDAEXAMPLEALICE00000";
  p.name = "alice";
  return p;
}

TEST(RequestContext, GlobalKeysForAnIamUser) {
  PrincipalPolicySet set;
  set.tags["Team"] = "blue";
  AuthzTarget target{.action = "iam:GetUser",
                     .resources = {"arn:aws:iam::111122223333:user/alice"},
                     .keys = {{"iam:PolicyARN", {"arn:aws:iam::aws:policy/ReadOnlyAccess"}}}};
  RequestFacts facts{.now = FromEpochSeconds(1700000000), .source_ip = "127.0.0.1",
                     .secure_transport = false, .region = "us-east-1", .user_agent = "boto3"};
  policy::RequestContext context =
      BuildRequestContext(Alice(), set, target, target.resources[0], facts);
  auto value = [&](std::string_view key) -> std::string {
    const auto* entry = context.Find(key);
    return entry && !entry->values.empty() ? entry->values[0] : "<absent>";
  };
  EXPECT_EQ(value("aws:username"), "alice");
  EXPECT_EQ(value("aws:userid"), "AIDAEXAMPLEALICE00000");
  EXPECT_EQ(value("aws:principalarn"), "arn:aws:iam::111122223333:user/alice");
  EXPECT_EQ(value("aws:principaltype"), "User");
  EXPECT_EQ(value("aws:principaltag/team"), "blue");
  EXPECT_EQ(value("aws:sourceip"), "127.0.0.1");
  EXPECT_EQ(value("aws:securetransport"), "false");
  EXPECT_EQ(value("aws:epochtime"), "1700000000");
  EXPECT_EQ(value("aws:currenttime"), "2023-11-14T22:13:20Z");
  EXPECT_EQ(value("aws:resourceaccount"), "111122223333");
  EXPECT_EQ(value("iam:policyarn"), "arn:aws:iam::aws:policy/ReadOnlyAccess");
  // Long-term keys carry no MFA key at all (AWS-BEHAVIOUR.md §2(d)).
  EXPECT_EQ(value("aws:multifactorauthpresent"), "<absent>");
}

TEST(RequestContext, TemporaryCredentialsCarryMfaAndSessionTagsWin) {
  Principal session;
  session.type = PrincipalType::kAssumedRole;
  session.account_id = "111122223333";
  session.arn = "arn:aws:sts::111122223333:assumed-role/ops/s1";
  session.issuer_arn = "arn:aws:iam::111122223333:role/ops";
  session.principal_id = "AROAEXAMPLE:s1";
  session.temporary = true;
  session.mfa_authenticated = true;
  session.mfa_auth_time = FromEpochSeconds(1700000000 - 120);
  session.session_issued = FromEpochSeconds(1700000000 - 300);
  session.session_tags["team"] = "red";
  PrincipalPolicySet set;
  set.tags["Team"] = "blue";
  AuthzTarget target{.action = "s3:GetObject", .resources = {"*"}};
  RequestFacts facts{.now = FromEpochSeconds(1700000000)};
  policy::RequestContext context = BuildRequestContext(session, set, target, "*", facts);
  auto value = [&](std::string_view key) -> std::string {
    const auto* entry = context.Find(key);
    return entry && !entry->values.empty() ? entry->values[0] : "<absent>";
  };
  EXPECT_EQ(value("aws:principalarn"), "arn:aws:iam::111122223333:role/ops");
  EXPECT_EQ(value("aws:multifactorauthpresent"), "true");
  EXPECT_EQ(value("aws:multifactorauthage"), "120");
  EXPECT_EQ(value("aws:principaltag/team"), "red");
  EXPECT_EQ(value("aws:username"), "<absent>");
}

TEST(RequestContext, OnlyTheKeysThePoliciesReferToWhenTheyAreKnown) {
  PrincipalPolicySet set;
  set.tags["Team"] = "blue";
  set.tags["Cost"] = "42";
  set.policies.identity.push_back(Compile(R"({"Version":"2012-10-17","Statement":[
    {"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::*:user/${aws:username}",
     "Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"},
                  "Bool":{"aws:SecureTransport":"false"}}}]})"));
  set.referenced_keys = ReferencedKeys(set.policies);
  EXPECT_EQ(*set.referenced_keys, (std::vector<std::string>{
                                      "aws:principaltag/team", "aws:securetransport",
                                      "aws:username"}));
  AuthzTarget target{.action = "iam:GetUser",
                     .resources = {"arn:aws:iam::111122223333:user/alice"},
                     .keys = {{"iam:PolicyARN", {"arn:aws:iam::aws:policy/ReadOnlyAccess"}}}};
  RequestFacts facts{.now = FromEpochSeconds(1700000000), .source_ip = "127.0.0.1"};
  policy::RequestContext context =
      BuildRequestContext(Alice(), set, target, target.resources[0], facts);
  std::vector<std::string> keys;
  for (const auto& entry : context.entries()) keys.push_back(entry.key_lower);
  EXPECT_EQ(keys, (std::vector<std::string>{"aws:principaltag/team", "aws:securetransport",
                                            "aws:username"}));
  // Every key for a denial's explanation; the decision is the same either way.
  policy::RequestContext full =
      BuildRequestContext(Alice(), set, target, target.resources[0], facts, true);
  EXPECT_GT(full.entries().size(), 10u);
  EXPECT_TRUE(policy::Evaluate(set.policies, {}, context).allowed());
  EXPECT_TRUE(policy::Evaluate(set.policies, {}, full).allowed());
  Principal bob = Alice();
  bob.name = "bob";
  EXPECT_FALSE(policy::Evaluate(set.policies, {},
                                BuildRequestContext(bob, set, target, target.resources[0], facts))
                   .allowed());
}

TEST(Authorizer, AllowsWhatAPolicyAllowsAndWordsDenialsAsAws) {
  FakePolicySource source;
  auto set = std::make_shared<PrincipalPolicySet>();
  set->policies.identity.push_back(Compile(R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::*:user/${aws:username}"}]})"));
  source.set = set;
  Authorizer authorizer(source);
  RequestFacts facts{.now = FromEpochSeconds(1700000000)};
  EXPECT_TRUE(authorizer
                  .Authorize(Alice(),
                             {.action = "iam:GetUser",
                              .resources = {"arn:aws:iam::111122223333:user/alice"}},
                             facts)
                  .has_value());
  Result<void> denied = authorizer.Authorize(
      Alice(), {.action = "iam:GetUser", .resources = {"arn:aws:iam::111122223333:user/bob"}},
      facts);
  ASSERT_FALSE(denied.has_value());
  EXPECT_EQ(denied.error().code, "AccessDenied");
  EXPECT_EQ(denied.error().http_status, 403);
  EXPECT_EQ(denied.error().message,
            "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: "
            "iam:GetUser on resource: arn:aws:iam::111122223333:user/bob because no "
            "identity-based policy allows the iam:GetUser action");
}

TEST(Authorizer, RootIsAllowedInItsOwnAccount) {
  FakePolicySource source;
  Authorizer authorizer(source);
  Principal root;
  root.type = PrincipalType::kRoot;
  root.account_id = "111122223333";
  root.arn = "arn:aws:iam::111122223333:root";
  root.principal_id = "111122223333";
  EXPECT_TRUE(authorizer
                  .Authorize(root,
                             {.action = "iam:CreateUser",
                              .resources = {"arn:aws:iam::111122223333:user/x"}},
                             RequestFacts{})
                  .has_value());
}

TEST(AwsManagedPolicies, EmbeddedCatalogHasAdministratorAccess) {
  const AwsManagedPolicies& catalog = AwsManagedPolicies::Get();
  EXPECT_GT(catalog.all().size(), 1500u);
  const AwsManagedPolicy* admin = catalog.Find("arn:aws:iam::aws:policy/AdministratorAccess");
  ASSERT_NE(admin, nullptr);
  EXPECT_EQ(admin->name, "AdministratorAccess");
  EXPECT_EQ(admin->path, "/");
  EXPECT_EQ(admin->id.substr(0, 4), "ANPA");
  auto compiled = catalog.Compiled(*admin);
  ASSERT_TRUE(compiled.has_value());
  EXPECT_NE(*compiled, nullptr);
  EXPECT_EQ(catalog.Find("arn:aws:iam::aws:policy/NoSuchPolicy"), nullptr);
}

}  // namespace
}  // namespace rampart::authz
