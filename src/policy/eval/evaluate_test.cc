#include <string>

#include <gtest/gtest.h>

#include "policy/policy.h"

namespace rampart::policy {
namespace {

constexpr const char* kAlice = "arn:aws:iam::111122223333:user/alice";
constexpr const char* kAccount = "111122223333";
constexpr const char* kOther = "444455556666";

PolicyPtr P(const std::string& text, PolicyType type = PolicyType::kIdentity) {
  Result<PolicyPtr> compiled = CompilePolicy(text, type, {"p", true});
  EXPECT_TRUE(compiled) << compiled.error().message << "\n" << text;
  return compiled ? *compiled : nullptr;
}

std::string Allow(const std::string& action, const std::string& resource, const std::string& extra = "") {
  return R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":")" + action +
         R"(","Resource":")" + resource + "\"" + extra + "}}";
}
std::string Deny(const std::string& action, const std::string& resource, const std::string& extra = "") {
  return R"({"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":")" + action +
         R"(","Resource":")" + resource + "\"" + extra + "}}";
}
std::string ResourceAllow(const std::string& principal, const std::string& action, const std::string& resource) {
  return R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":)" + principal +
         R"(,"Action":")" + action + R"(","Resource":")" + resource + "\"}}";
}

class EvaluateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Principal alice;
    alice.type = PrincipalType::kIamUser;
    alice.arn = kAlice;
    alice.account_id = kAccount;
    request_.set_principal(alice);
    request_.set_action("s3:GetObject");
    request_.set_resource("arn:aws:s3:::bucket/key.txt");
    request_.set_resource_account(std::string(kAccount));
  }
  Decision Run() { return Evaluate(principal_, resource_, request_, {true}); }
  std::string Reason() { return DenyReason(Run(), request_.action()); }
  void AsSession(const std::string& role = "r", const std::string& session = "s") {
    Principal p;
    p.type = PrincipalType::kAssumedRole;
    p.arn = "arn:aws:sts::111122223333:assumed-role/" + role + "/" + session;
    p.account_id = kAccount;
    request_.set_principal(p);
  }

  PrincipalPolicies principal_;
  ResourcePolicies resource_;
  RequestContext request_;
};

TEST_F(EvaluateTest, ImplicitDenyWithoutPolicies) {
  Decision decision = Run();
  EXPECT_EQ(decision.kind, DecisionKind::kImplicitDeny);
  EXPECT_EQ(Reason(), "because no identity-based policy allows the s3:GetObject action");
}

TEST_F(EvaluateTest, IdentityAllowAndExplicitDenyWins) {
  principal_.identity.push_back(P(Allow("s3:*", "*")));
  EXPECT_EQ(Run().kind, DecisionKind::kAllowed);
  principal_.identity.push_back(P(Deny("s3:GetObject", "arn:aws:s3:::bucket/*")));
  Decision decision = Run();
  EXPECT_EQ(decision.kind, DecisionKind::kExplicitDeny);
  EXPECT_EQ(decision.matched.size(), 2u);
  EXPECT_EQ(Reason(), "with an explicit deny in an identity-based policy");
  EXPECT_EQ(AccessDeniedMessage(kAlice, "s3:GetObject", "arn:aws:s3:::bucket/key.txt", decision),
            "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:GetObject on "
            "resource: arn:aws:s3:::bucket/key.txt with an explicit deny in an identity-based policy");
  EXPECT_EQ(AccessDeniedMessage(kAlice, "s3:ListAllMyBuckets", "*", decision),
            "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:ListAllMyBuckets "
            "with an explicit deny in an identity-based policy");
}

TEST_F(EvaluateTest, ResourceArnFieldsAndWildcards) {
  principal_.identity.push_back(P(Allow("s3:GetObject", "arn:aws:s3:::bucket/*/x")));
  request_.set_resource("arn:aws:s3:::bucket/a/b:c/x");
  EXPECT_TRUE(Run().allowed());
  request_.set_resource("arn:aws:s3:::bucket/a/y");
  EXPECT_FALSE(Run().allowed());
  request_.set_resource("*");
  EXPECT_FALSE(Run().allowed());
}

TEST_F(EvaluateTest, StarResourceMatchesLiteralStar) {
  principal_.identity.push_back(P(Allow("s3:ListAllMyBuckets", "*")));
  request_.set_action("s3:ListAllMyBuckets");
  request_.set_resource("*");
  EXPECT_TRUE(Run().allowed());
}

TEST_F(EvaluateTest, PolicyVariablesResolveFromContext) {
  principal_.identity.push_back(P(Allow("s3:GetObject", "arn:aws:s3:::bucket/${aws:username}/*")));
  request_.set_resource("arn:aws:s3:::bucket/alice/file");
  Decision missing = Run();
  EXPECT_FALSE(missing.allowed());
  ASSERT_EQ(missing.missing_context_keys.size(), 1u);
  EXPECT_EQ(missing.missing_context_keys[0], "aws:username");
  request_.SetKey("AWS:UserName", "alice");
  EXPECT_TRUE(Run().allowed());
  request_.SetKey("aws:username", "bob");
  EXPECT_FALSE(Run().allowed());
  // A value holding '*' stays literal.
  request_.SetKey("aws:username", "*");
  EXPECT_FALSE(Run().allowed());
}

TEST_F(EvaluateTest, PolicyVariableDefaultsAndSpecialCharacters) {
  principal_.identity.push_back(P(Allow("s3:GetObject", "arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'none'}/${*}")));
  request_.set_resource("arn:aws:s3:::bucket/none/*");
  EXPECT_TRUE(Run().allowed());
  request_.set_resource("arn:aws:s3:::bucket/none/x");
  EXPECT_FALSE(Run().allowed());  // ${*} is a literal star
  request_.SetKey("aws:PrincipalTag/team", "blue");
  request_.set_resource("arn:aws:s3:::bucket/blue/*");
  EXPECT_TRUE(Run().allowed());
}

TEST_F(EvaluateTest, ConditionsAndAcrossKeysOrWithinValues) {
  principal_.identity.push_back(P(Allow("s3:GetObject", "*",
      R"(,"Condition":{"StringEquals":{"aws:PrincipalTag/team":["blue","green"]},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}})")));
  request_.SetKey("aws:PrincipalTag/team", "green");
  EXPECT_FALSE(Run().allowed());
  request_.SetKey("aws:SourceIp", "10.1.2.3");
  EXPECT_TRUE(Run().allowed());
  request_.SetKey("aws:SourceIp", "192.168.0.1");
  EXPECT_FALSE(Run().allowed());
}

TEST_F(EvaluateTest, NegatedOperatorsOnMissingKeysAreTrue) {
  principal_.identity.push_back(P(Deny("s3:*", "*", R"(,"Condition":{"StringNotEquals":{"aws:PrincipalTag/team":"blue"}})")));
  principal_.identity.push_back(P(Allow("s3:*", "*")));
  EXPECT_EQ(Run().kind, DecisionKind::kExplicitDeny);
  request_.SetKey("aws:PrincipalTag/team", "blue");
  EXPECT_TRUE(Run().allowed());
}

TEST_F(EvaluateTest, IfExistsAndNull) {
  principal_.identity.push_back(P(Allow("s3:*", "*",
      R"(,"Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"},"Null":{"aws:TokenIssueTime":"true"}})")));
  EXPECT_TRUE(Run().allowed());
  request_.SetKey("aws:MultiFactorAuthPresent", "false");
  EXPECT_FALSE(Run().allowed());
  request_.SetKey("aws:MultiFactorAuthPresent", "true");
  request_.SetKey("aws:TokenIssueTime", "2026-01-01T00:00:00Z");
  EXPECT_FALSE(Run().allowed());
}

TEST_F(EvaluateTest, SetOperators) {
  principal_.identity.push_back(P(Allow("s3:*", "*",
      R"(,"Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}})")));
  EXPECT_TRUE(Run().allowed());  // missing key: ForAllValues is true
  request_.SetMultiKey("aws:TagKeys", {"a", "b"});
  EXPECT_TRUE(Run().allowed());
  request_.SetMultiKey("aws:TagKeys", {"a", "c"});
  EXPECT_FALSE(Run().allowed());
  principal_.identity.clear();
  principal_.identity.push_back(P(Allow("s3:*", "*",
      R"(,"Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":["c"]}})")));
  EXPECT_TRUE(Run().allowed());
  request_.SetMultiKey("aws:TagKeys", {});
  EXPECT_FALSE(Run().allowed());
}

TEST_F(EvaluateTest, NumericDateBoolArnBinary) {
  principal_.identity.push_back(P(Allow("s3:*", "*", R"(,"Condition":{
      "NumericLessThanEquals":{"s3:max-keys":"10"},
      "DateGreaterThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"},
      "Bool":{"aws:SecureTransport":"true"},
      "ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/a*"},
      "BinaryEquals":{"s3:blob":"QmluYXJ5"}})")));
  request_.SetKey("s3:max-keys", "10");
  request_.SetKey("aws:CurrentTime", "2026-06-01T00:00:00Z");
  request_.SetKey("aws:SecureTransport", "TRUE");
  request_.SetKey("aws:PrincipalArn", kAlice);
  request_.SetKey("s3:blob", "QmluYXJ5");
  EXPECT_TRUE(Run().allowed());
  request_.SetKey("s3:max-keys", "11");
  EXPECT_FALSE(Run().allowed());
  request_.SetKey("s3:max-keys", "not a number");
  EXPECT_FALSE(Run().allowed());
  request_.SetKey("s3:max-keys", "1");
  request_.SetKey("aws:CurrentTime", "1700000000");  // epoch seconds, 2023
  EXPECT_FALSE(Run().allowed());
}

TEST_F(EvaluateTest, PermissionsBoundaryLimitsIdentityGrants) {
  principal_.identity.push_back(P(Allow("s3:*", "*")));
  principal_.boundary = P(Allow("ec2:*", "*"), PolicyType::kBoundary);
  EXPECT_FALSE(Run().allowed());
  EXPECT_EQ(Reason(), "because no permissions boundary allows the s3:GetObject action");
  principal_.boundary = P(Allow("s3:Get*", "*"), PolicyType::kBoundary);
  EXPECT_TRUE(Run().allowed());
}

TEST_F(EvaluateTest, SameAccountResourcePolicyNamingUserIgnoresBoundary) {
  principal_.boundary = P(Allow("ec2:*", "*"), PolicyType::kBoundary);
  resource_.resource = P(ResourceAllow(std::string("{\"AWS\":\"") + kAlice + "\"}", "s3:GetObject", "*"), PolicyType::kResource);
  Decision decision = Run();
  EXPECT_TRUE(decision.allowed());
  EXPECT_EQ(decision.source, DecisionSource::kResource);
}

TEST_F(EvaluateTest, ResourcePolicyNamingAccountDelegates) {
  resource_.resource = P(ResourceAllow(R"({"AWS":"111122223333"})", "s3:GetObject", "*"), PolicyType::kResource);
  EXPECT_FALSE(Run().allowed());
  principal_.identity.push_back(P(Allow("s3:GetObject", "*")));
  EXPECT_TRUE(Run().allowed());
}

TEST_F(EvaluateTest, RoleSessionGrants) {
  AsSession();
  // Naming the role: limited by session policies.
  resource_.resource = P(ResourceAllow(R"({"AWS":"arn:aws:iam::111122223333:role/path/r"})", "s3:GetObject", "*"), PolicyType::kResource);
  EXPECT_TRUE(Run().allowed());
  principal_.session.push_back(P(Allow("ec2:*", "*"), PolicyType::kSession));
  EXPECT_FALSE(Run().allowed());
  EXPECT_EQ(Reason(), "because no session policy allows the s3:GetObject action");
  // Naming the session ARN: not limited.
  resource_.resource = P(ResourceAllow(R"({"AWS":"arn:aws:sts::111122223333:assumed-role/r/s"})", "s3:GetObject", "*"), PolicyType::kResource);
  EXPECT_TRUE(Run().allowed());
  // Another role's name does not match.
  resource_.resource = P(ResourceAllow(R"({"AWS":"arn:aws:iam::111122223333:role/other"})", "s3:GetObject", "*"), PolicyType::kResource);
  EXPECT_FALSE(Run().allowed());
}

TEST_F(EvaluateTest, CrossAccountNeedsBothSides) {
  request_.set_resource_account(std::string(kOther));
  principal_.identity.push_back(P(Allow("s3:GetObject", "*")));
  EXPECT_FALSE(Run().allowed());
  EXPECT_EQ(Reason(), "because no resource-based policy allows the s3:GetObject action");
  resource_.resource = P(ResourceAllow(R"({"AWS":"111122223333"})", "s3:GetObject", "*"), PolicyType::kResource);
  EXPECT_TRUE(Run().allowed());
  principal_.identity.clear();
  EXPECT_FALSE(Run().allowed());
  EXPECT_EQ(Reason(), "because no identity-based policy allows the s3:GetObject action");
}

TEST_F(EvaluateTest, ScpLevelsMustEachAllow) {
  principal_.identity.push_back(P(Allow("s3:*", "*")));
  PolicyPtr full = P(Allow("*", "*"), PolicyType::kScp);
  principal_.scps = {{full}, {P(Allow("ec2:*", "*"), PolicyType::kScp)}};
  EXPECT_FALSE(Run().allowed());
  EXPECT_EQ(Reason(), "because no service control policy allows the s3:GetObject action");
  principal_.scps = {{full}, {full}};
  EXPECT_TRUE(Run().allowed());
  principal_.scps[1].push_back(P(Deny("s3:*", "*"), PolicyType::kScp));
  EXPECT_EQ(Reason(), "with an explicit deny in a service control policy");
}

TEST_F(EvaluateTest, RootIsAllowedUnlessScpOrRcp) {
  Principal root;
  root.type = PrincipalType::kRoot;
  root.arn = "arn:aws:iam::111122223333:root";
  root.account_id = kAccount;
  request_.set_principal(root);
  Decision decision = Run();
  EXPECT_TRUE(decision.allowed());
  EXPECT_EQ(decision.source, DecisionSource::kRoot);
  principal_.identity.push_back(P(Deny("s3:*", "*")));  // identity policies never apply to root
  EXPECT_TRUE(Run().allowed());
  principal_.scps = {{P(Deny("s3:*", "*"), PolicyType::kScp)}};
  EXPECT_EQ(Run().kind, DecisionKind::kExplicitDeny);
  principal_.scps.clear();
  resource_.rcps = {{P(R"({"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}})", PolicyType::kRcp)}};
  EXPECT_EQ(Reason(), "with an explicit deny in a resource control policy");
}

TEST_F(EvaluateTest, AnonymousNeedsPublicResourcePolicyAndIgnoresScps) {
  request_.set_principal(Principal{});
  principal_.scps = {{P(Deny("*", "*"), PolicyType::kScp)}};
  EXPECT_FALSE(Run().allowed());
  EXPECT_EQ(Reason(), "because no resource-based policy allows the s3:GetObject action");
  resource_.resource = P(ResourceAllow(R"("*")", "s3:GetObject", "*"), PolicyType::kResource);
  EXPECT_TRUE(Run().allowed());
  resource_.resource = P(ResourceAllow(R"({"AWS":"111122223333"})", "s3:GetObject", "*"), PolicyType::kResource);
  EXPECT_FALSE(Run().allowed());
}

TEST_F(EvaluateTest, GetCallerIdentityAlwaysAllowedWhenAuthenticated) {
  request_.set_action("sts:GetCallerIdentity");
  request_.set_resource("*");
  principal_.identity.push_back(P(Deny("*", "*")));
  EXPECT_TRUE(Run().allowed());
  request_.set_principal(Principal{});
  EXPECT_FALSE(Run().allowed());
}

TEST_F(EvaluateTest, AwsManagedPoliciesAndReservedRolesAreProtected) {
  principal_.identity.push_back(P(Allow("*", "*")));
  request_.set_action("iam:CreatePolicyVersion");
  request_.set_resource("arn:aws:iam::aws:policy/AdministratorAccess");
  EXPECT_EQ(Run().kind, DecisionKind::kExplicitDeny);
  request_.set_action("iam:GetPolicy");
  EXPECT_TRUE(Run().allowed());
  request_.set_action("iam:DeleteRole");
  request_.set_resource("arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_x");
  EXPECT_EQ(Run().kind, DecisionKind::kExplicitDeny);
}

TEST_F(EvaluateTest, KmsKeyPolicyMustAllow) {
  request_.set_action("kms:Decrypt");
  request_.set_resource("arn:aws:kms:us-east-1:111122223333:key/k");
  principal_.identity.push_back(P(Allow("kms:*", "*")));
  EXPECT_FALSE(Run().allowed());
  EXPECT_EQ(Reason(), "because no resource-based policy allows the kms:Decrypt action");
  resource_.resource = P(ResourceAllow(R"({"AWS":"arn:aws:iam::111122223333:root"})", "kms:*", "*"), PolicyType::kResource);
  EXPECT_TRUE(Run().allowed());
  principal_.identity.clear();
  EXPECT_FALSE(Run().allowed());
}

TEST_F(EvaluateTest, AssumeRoleUsesTrustPolicy) {
  request_.set_action("sts:AssumeRole");
  request_.set_resource("arn:aws:iam::111122223333:role/r");
  principal_.identity.push_back(P(Allow("sts:AssumeRole", "*")));
  EXPECT_EQ(Reason(), "because no role trust policy allows the sts:AssumeRole action");
  resource_.resource = P(R"({"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole"}})", PolicyType::kTrust);
  EXPECT_EQ(Reason(), "with an explicit deny in the role trust policy");
  resource_.resource = P(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole"}})", PolicyType::kTrust);
  principal_.identity.clear();
  EXPECT_TRUE(Run().allowed());
}

TEST_F(EvaluateTest, NotPrincipalDenyExemptsOnlyFullyListedPrincipals) {
  principal_.identity.push_back(P(Allow("s3:*", "*")));
  std::string deny_except_alice = R"({"Version":"2012-10-17","Statement":{"Effect":"Deny","NotPrincipal":{"AWS":[")" +
                                  std::string(kAlice) + R"(","arn:aws:iam::111122223333:root"]},"Action":"s3:*","Resource":"*"}})";
  resource_.resource = P(deny_except_alice, PolicyType::kResource);
  EXPECT_TRUE(Run().allowed());
  std::string deny_user_only = R"({"Version":"2012-10-17","Statement":{"Effect":"Deny","NotPrincipal":{"AWS":")" +
                               std::string(kAlice) + R"("},"Action":"s3:*","Resource":"*"}})";
  resource_.resource = P(deny_user_only, PolicyType::kResource);
  EXPECT_EQ(Run().kind, DecisionKind::kExplicitDeny);
}

TEST_F(EvaluateTest, ActionMatchingIsCaseInsensitiveAndIndexed) {
  principal_.identity.push_back(P(Allow("S3:get*", "*")));
  request_.set_action("s3:GETOBJECT");
  EXPECT_TRUE(Run().allowed());
  request_.set_action("ec2:GetObject");
  EXPECT_FALSE(Run().allowed());
}

TEST_F(EvaluateTest, HotPathCollectsNothingWithoutDetails) {
  principal_.identity.push_back(P(Allow("s3:*", "*")));
  Decision decision = Evaluate(principal_, resource_, request_);
  EXPECT_TRUE(decision.allowed());
  EXPECT_TRUE(decision.matched.empty());
}

TEST_F(EvaluateTest, LocateReportsStatementPositions) {
  PolicyPtr policy = P("{\"Version\":\"2012-10-17\",\"Statement\":[\n  {\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}\n]}");
  principal_.identity.push_back(policy);
  Decision decision = Run();
  ASSERT_EQ(decision.matched.size(), 1u);
  StatementLocation where = Locate(decision.matched[0]);
  EXPECT_EQ(where.source_policy_id, "p");
  EXPECT_EQ(where.source_policy_type, "identity");
  EXPECT_EQ(where.start.line, 2u);
  EXPECT_EQ(where.start.column, 3u);
  EXPECT_EQ(where.end.line, 2u);
  EXPECT_EQ(where.end.column, 51u);  // the closing brace
}

}  // namespace
}  // namespace rampart::policy

namespace rampart::policy {
namespace {

TEST(EvaluateOddRequests, ActionsWithoutColonsAndEmptyFieldsNeverThrow) {
  Result<PolicyPtr> allow = CompilePolicy(R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}})", PolicyType::kIdentity);
  ASSERT_TRUE(allow);
  PrincipalPolicies principal;
  principal.identity.push_back(*allow);
  for (const char* action : {"iam", "", ":", "iam:", "kms", "sts:"}) {
    RequestContext request;
    Principal p;
    p.type = PrincipalType::kIamUser;
    p.arn = "arn:aws:iam::111122223333:user/a";
    p.account_id = "111122223333";
    request.set_principal(p);
    request.set_action(action);
    for (const char* resource : {"", "*", "arn:", "arn:aws:iam::aws:policy", "arn:aws:kms:r:1:key/"}) {
      request.set_resource(resource);
      Decision decision = Evaluate(principal, {}, request, {true});
      EXPECT_NE(DecisionName(decision.kind), "");
    }
  }
}

}  // namespace
}  // namespace rampart::policy

namespace rampart::policy {
namespace {

TEST(EvaluateDeciding, NamesTheDecidingStatementWithoutDetails) {
  Result<PolicyPtr> allow = CompilePolicy(
      R"({"Statement":[{"Sid":"a","Effect":"Allow","Action":"ec2:*","Resource":"*"},{"Sid":"b","Effect":"Allow","Action":"s3:*","Resource":"*"}]})",
      PolicyType::kIdentity);
  Result<PolicyPtr> deny = CompilePolicy(
      R"({"Statement":[{"Sid":"d","Effect":"Deny","Action":"s3:Delete*","Resource":"*"}]})", PolicyType::kIdentity);
  ASSERT_TRUE(allow && deny);
  PrincipalPolicies principal;
  principal.identity = {*allow, *deny};
  RequestContext request;
  Principal p;
  p.type = PrincipalType::kIamUser;
  p.arn = "arn:aws:iam::111122223333:user/a";
  p.account_id = "111122223333";
  request.set_principal(p);
  request.set_resource("*");
  request.set_action("s3:GetObject");
  Decision allowed = Evaluate(principal, {}, request);
  ASSERT_TRUE(allowed.allowed());
  ASSERT_EQ(allowed.deciding.policy, allow->get());
  EXPECT_EQ(allowed.deciding.policy->statements()[allowed.deciding.statement_index].sid, "b");
  request.set_action("s3:DeleteObject");
  Decision denied = Evaluate(principal, {}, request);
  EXPECT_EQ(denied.kind, DecisionKind::kExplicitDeny);
  ASSERT_EQ(denied.deciding.policy, deny->get());
  EXPECT_EQ(denied.deciding.policy->statements()[denied.deciding.statement_index].sid, "d");
  request.set_action("iam:GetUser");
  EXPECT_EQ(Evaluate(principal, {}, request).deciding.policy, nullptr);
}

}  // namespace
}  // namespace rampart::policy
