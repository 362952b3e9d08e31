#include <string>

#include <gtest/gtest.h>

#include "policy/policy.h"

namespace rampart::policy {
namespace {

// "ok" or "Code: message".
std::string Check(std::string_view text, PolicyType type) {
  Result<PolicyPtr> compiled = CompilePolicy(text, type);
  if (compiled) return "ok";
  return compiled.error().code + ": " + compiled.error().message;
}

constexpr const char* kMalformed = "MalformedPolicyDocument: ";

TEST(CompilePolicy, AcceptsAFullIdentityPolicy) {
  const char* text = R"({"Version":"2012-10-17","Id":"p1","Statement":[
    {"Sid":"A","Effect":"Allow","Action":["s3:Get*","S3:List?ucket"],"Resource":["arn:aws:s3:::b/*","*"],
     "Condition":{"StringEquals":{"aws:username":"${aws:username}"},"ForAnyValue:StringLike":{"aws:TagKeys":["a*"]},
                  "NumericLessThanIfExists":{"s3:max-keys":10},"Bool":{"aws:SecureTransport":true}}},
    {"Effect":"Deny","NotAction":"iam:*","NotResource":"arn:aws:iam::*:user/${aws:username}"}]})";
  Result<PolicyPtr> compiled = CompilePolicy(text, PolicyType::kIdentity, {"mine", true});
  ASSERT_TRUE(compiled) << compiled.error().message;
  const CompiledPolicy& policy = **compiled;
  EXPECT_EQ(policy.text(), text);  // byte for byte
  EXPECT_EQ(policy.id(), "mine");
  EXPECT_EQ(policy.document_id(), "p1");
  EXPECT_EQ(policy.version(), "2012-10-17");
  ASSERT_EQ(policy.statements().size(), 2u);
  const Statement& first = policy.statements()[0];
  EXPECT_EQ(first.sid, "A");
  EXPECT_EQ(first.actions.size(), 2u);
  EXPECT_EQ(first.actions[0].service, "s3");
  EXPECT_EQ(first.conditions.size(), 4u);
  EXPECT_EQ(first.conditions[1].qualifier, SetQualifier::kForAnyValue);
  EXPECT_TRUE(first.conditions[2].if_exists);
  EXPECT_EQ(first.conditions[2].values[0].number, 10.0);
  EXPECT_TRUE(first.conditions[0].values[0].templ.has_variables());
  EXPECT_EQ(first.start_position.line, 2u);
  const Statement& second = policy.statements()[1];
  EXPECT_TRUE(second.not_action);
  EXPECT_TRUE(second.not_resource);
  EXPECT_TRUE(second.resources[0].templ.has_variables());
}

TEST(CompilePolicy, StatementMayBeASingleObject) {
  EXPECT_EQ(Check(R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}})", PolicyType::kIdentity), "ok");
}

TEST(CompilePolicy, VariablesAreLiteralBefore2012) {
  Result<PolicyPtr> compiled = CompilePolicy(
      R"({"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::${aws:username}"}})",
      PolicyType::kIdentity);
  ASSERT_TRUE(compiled);
  EXPECT_FALSE((*compiled)->statements()[0].resources[0].templ.has_variables());
}

TEST(CompilePolicy, RejectsSyntaxErrors) {
  const std::string syntax = std::string(kMalformed) + "Syntax errors in policy.";
  EXPECT_EQ(Check("not json", PolicyType::kIdentity), syntax);
  EXPECT_EQ(Check("[]", PolicyType::kIdentity), syntax);
  EXPECT_EQ(Check(R"({"Version":"2012-10-17"})", PolicyType::kIdentity), syntax);
  EXPECT_EQ(Check(R"({"Statement":[]})", PolicyType::kIdentity), syntax);
  EXPECT_EQ(Check(R"({"Statement":[1]})", PolicyType::kIdentity), syntax);
  EXPECT_EQ(Check(R"({"Statment":[]})", PolicyType::kIdentity), syntax);
  EXPECT_EQ(Check(R"({"Statement":{"Effect":"allow","Action":"*","Resource":"*"}})", PolicyType::kIdentity), syntax);
  EXPECT_EQ(Check(R"({"Statement":{"Action":"*","Resource":"*"}})", PolicyType::kIdentity), syntax);
  EXPECT_EQ(Check(R"({"Statement":{"Effect":"Allow","Action":5,"Resource":"*"}})", PolicyType::kIdentity), syntax);
  EXPECT_EQ(Check(R"({"Statement":{"Effect":"Allow","Action":["s3:x",{}],"Resource":"*"}})", PolicyType::kIdentity), syntax);
  EXPECT_EQ(Check(R"({"Statement":{"Effect":"Allow","Action":[],"Resource":"*"}})", PolicyType::kIdentity), syntax);
  EXPECT_EQ(Check(R"({"Statement":{"Effect":"Allow","Actions":"*","Action":"*","Resource":"*"}})", PolicyType::kIdentity), syntax);
  EXPECT_EQ(Check(R"({"Statement":{"Effect":"Allow","Action":"*","NotAction":"*","Resource":"*"}})", PolicyType::kIdentity), syntax);
  EXPECT_EQ(Check(R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqualz":{"a:b":"c"}}}})", PolicyType::kIdentity), syntax);
  EXPECT_EQ(Check(R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"a:b":{"x":1}}}}})", PolicyType::kIdentity), syntax);
  EXPECT_EQ(Check(R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NullIfExists":{"a:b":"true"}}}})", PolicyType::kIdentity), syntax);
  EXPECT_EQ(Check(R"({"Version":1,"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}})", PolicyType::kIdentity), syntax);
}

TEST(CompilePolicy, UsesIamMessagesForElements) {
  EXPECT_EQ(Check(R"({"Version":"2012-10-18","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}})", PolicyType::kIdentity),
            std::string(kMalformed) + "Policy document must be version 2012-10-17 or greater.");
  EXPECT_EQ(Check(R"({"Statement":{"Effect":"Allow","Resource":"*"}})", PolicyType::kIdentity),
            std::string(kMalformed) + "Policy statement must contain actions.");
  EXPECT_EQ(Check(R"({"Statement":{"Effect":"Allow","Action":"*"}})", PolicyType::kIdentity),
            std::string(kMalformed) + "Policy statement must contain resources.");
  EXPECT_EQ(Check(R"({"Statement":{"Effect":"Allow","Action":"GetObject","Resource":"*"}})", PolicyType::kIdentity),
            std::string(kMalformed) + "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
  EXPECT_EQ(Check(R"({"Statement":{"Effect":"Allow","Action":"s3:a:b","Resource":"*"}})", PolicyType::kIdentity),
            std::string(kMalformed) + "Actions/Condition can contain only one colon.");
  EXPECT_EQ(Check(R"({"Statement":{"Effect":"Allow","Action":"a a:b","Resource":"*"}})", PolicyType::kIdentity),
            std::string(kMalformed) + "Vendor a a is not valid");
  EXPECT_EQ(Check(R"({"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"bucket"}})", PolicyType::kIdentity),
            std::string(kMalformed) + "Resource bucket must be in ARN format or \"*\".");
  EXPECT_EQ(Check(R"({"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:error:s3:::b"}})", PolicyType::kIdentity),
            std::string(kMalformed) + "Partition \"error\" is not valid for resource \"arn:error:s3:::b\".");
  EXPECT_EQ(Check(R"({"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s*3:::b"}})", PolicyType::kIdentity),
            std::string(kMalformed) + "Resource vendor must be fully qualified and cannot contain regexes.");
  EXPECT_EQ(Check(R"({"Statement":{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam:us-east-1::user/x"}})", PolicyType::kIdentity),
            std::string(kMalformed) + "IAM resource arn:aws:iam:us-east-1::user/x cannot contain region information.");
  EXPECT_EQ(Check(R"({"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:us-east-1::b"}})", PolicyType::kIdentity),
            std::string(kMalformed) + "Resource arn:aws:s3:us-east-1::b can not contain region information.");
  EXPECT_NE(Check(R"({"Statement":{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::123456789012:widget/x"}})", PolicyType::kIdentity)
                .find("IAM resource path must either be"),
            std::string::npos);
  EXPECT_EQ(Check(R"({"Statement":[{"Sid":"a","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"a","Effect":"Deny","Action":"*","Resource":"*"}]})", PolicyType::kIdentity),
            std::string(kMalformed) + "Statement IDs (SID) in a single policy must be unique.");
}

TEST(CompilePolicy, PrincipalRulesPerType) {
  const char* with_principal = R"({"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}})";
  const char* without_principal = R"({"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}})";
  EXPECT_EQ(Check(with_principal, PolicyType::kIdentity), std::string(kMalformed) + "Has prohibited field Principal");
  EXPECT_EQ(Check(with_principal, PolicyType::kBoundary), std::string(kMalformed) + "Has prohibited field Principal");
  EXPECT_EQ(Check(with_principal, PolicyType::kSession),
            std::string(kMalformed) + "Policy document should not specify a principal.");
  EXPECT_EQ(Check(without_principal, PolicyType::kResource), std::string(kMalformed) + "Missing required field Principal");
  EXPECT_EQ(Check(with_principal, PolicyType::kResource), "ok");
  EXPECT_EQ(Check(without_principal, PolicyType::kEndpoint), "ok");
}

TEST(CompilePolicy, ValidatesPrincipals) {
  auto with = [](const char* principal) {
    return Check(std::string(R"({"Statement":{"Effect":"Allow","Principal":)") + principal +
                     R"(,"Action":"s3:*","Resource":"*"}})",
                 PolicyType::kResource);
  };
  EXPECT_EQ(with(R"({"AWS":"123456789012"})"), "ok");
  EXPECT_EQ(with(R"({"AWS":"arn:aws:iam::123456789012:root"})"), "ok");
  EXPECT_EQ(with(R"({"AWS":["arn:aws:iam::123456789012:user/a/b","arn:aws:iam::123456789012:role/r"]})"), "ok");
  EXPECT_EQ(with(R"({"AWS":"arn:aws:sts::123456789012:assumed-role/r/s"})"), "ok");
  EXPECT_EQ(with(R"({"AWS":"arn:aws:sts::123456789012:federated-user/bob"})"), "ok");
  EXPECT_EQ(with(R"({"Service":["lambda.amazonaws.com"],"Federated":"cognito-identity.amazonaws.com"})"), "ok");
  EXPECT_EQ(with(R"({"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"})"), "ok");
  EXPECT_EQ(with(R"({"AWS":"alice"})"), std::string(kMalformed) + "Invalid principal in policy: \"AWS\":\"alice\"");
  EXPECT_EQ(with(R"({"AWS":"arn:aws:iam::123456789012:user/*"})"),
            std::string(kMalformed) + "Invalid principal in policy: \"AWS\":\"arn:aws:iam::123456789012:user/*\"");
  EXPECT_EQ(with(R"({"AWS":"arn:aws:iam::123456789012:group/g"})"),
            std::string(kMalformed) + "Invalid principal in policy: \"AWS\":\"arn:aws:iam::123456789012:group/g\"");
  EXPECT_EQ(with(R"({"AWS":"12345"})"), std::string(kMalformed) + "Invalid principal in policy: \"AWS\":\"12345\"");
  EXPECT_EQ(with(R"("alice")"), std::string(kMalformed) + "Syntax errors in policy.");
  EXPECT_EQ(with(R"({"Users":"x"})"), std::string(kMalformed) + "Syntax errors in policy.");
}

TEST(CompilePolicy, TrustPolicyRules) {
  EXPECT_EQ(Check(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":["sts:AssumeRole","sts:TagSession"]}})", PolicyType::kTrust), "ok");
  EXPECT_EQ(Check(R"({"Statement":{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole","Resource":"*"}})", PolicyType::kTrust),
            std::string(kMalformed) + "Has prohibited field Resource");
  EXPECT_EQ(Check(R"({"Statement":{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"s3:GetObject"}})", PolicyType::kTrust),
            std::string(kMalformed) + "AssumeRole policy may only specify STS AssumeRole actions.");
  EXPECT_EQ(Check(R"({"Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}})", PolicyType::kTrust),
            std::string(kMalformed) + "Missing required field Principal");
  EXPECT_EQ(Check(R"({"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}})", PolicyType::kTrust),
            std::string(kMalformed) + "Has prohibited field NotPrincipal");
  EXPECT_EQ(Check("{oops", PolicyType::kTrust), std::string(kMalformed) + "This policy contains invalid Json");
}

TEST(CompilePolicy, OrganizationsRules) {
  const std::string orgs =
      "MalformedPolicyDocumentException: The provided policy document does not meet the requirements of "
      "the specified policy type.";
  EXPECT_EQ(Check(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}})", PolicyType::kScp), "ok");
  EXPECT_EQ(Check(R"({"Version":"2012-10-17","Statement":{"Effect":"Deny","NotAction":"iam:*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"eu-west-1"}}}})", PolicyType::kScp), "ok");
  EXPECT_EQ(Check(R"({"Statement":{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}})", PolicyType::kScp), orgs);
  EXPECT_EQ(Check(R"({"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},"Action":"*","Resource":"*"}})", PolicyType::kScp), orgs);
  EXPECT_EQ(Check("{", PolicyType::kScp), orgs);
  // RCPs: Version 2012-10-17, Principal "*", no NotAction, Allow only as RCPFullAWSAccess.
  EXPECT_EQ(Check(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}})", PolicyType::kRcp), "ok");
  EXPECT_EQ(Check(R"({"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"BoolIfExists":{"aws:SecureTransport":"false"}}}})", PolicyType::kRcp), "ok");
  EXPECT_EQ(Check(R"({"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}})", PolicyType::kRcp), orgs);
  EXPECT_EQ(Check(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}})", PolicyType::kRcp), orgs);
  EXPECT_EQ(Check(R"({"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":{"AWS":"123456789012"},"Action":"s3:*","Resource":"*"}})", PolicyType::kRcp), orgs);
  EXPECT_EQ(Check(R"({"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","NotAction":"s3:*","Resource":"*"}})", PolicyType::kRcp), orgs);
}

TEST(CompilePolicy, SizeQuotasIgnoreWhitespace) {
  std::string actions;
  for (int i = 0; i < 400; ++i) actions += "\"s3:GetObject" + std::to_string(i) + "\",";
  actions.pop_back();
  std::string big = R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":[)" + actions + R"(],"Resource":"*"}})";
  ASSERT_GT(PolicySizeWithoutWhitespace(big), 6144u);
  Result<PolicyPtr> compiled = CompilePolicy(big, PolicyType::kIdentity);
  ASSERT_FALSE(compiled);
  EXPECT_EQ(compiled.error().code, "LimitExceeded");
  EXPECT_EQ(compiled.error().message, "Cannot exceed quota for PolicySize: 6144");
  EXPECT_EQ(compiled.error().http_status, 409);
  EXPECT_EQ(CompilePolicy(big, PolicyType::kTrust).error().message, "Cannot exceed quota for ACLSizePerRole: 2048");
  EXPECT_EQ(CompilePolicy(big, PolicyType::kScp).error().code, "ConstraintViolationException");
  EXPECT_EQ(CompilePolicy(big, PolicyType::kSession).error().code, "PackedPolicyTooLarge");
  CompileOptions no_quota;
  no_quota.enforce_size_quota = false;
  EXPECT_TRUE(CompilePolicy(big, PolicyType::kIdentity, no_quota));
  // White space outside strings is free; inside strings it counts.
  std::string padded = std::string(8000, ' ') + R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}})";
  EXPECT_TRUE(CompilePolicy(padded, PolicyType::kIdentity));
  EXPECT_EQ(PolicySizeWithoutWhitespace("{ \"a b\" : 1 }"), 9u);
}

TEST(CompilePolicy, LimitsWildcardsPerValue) {
  std::string many(257, '*');
  std::string ok(256, '?');
  EXPECT_EQ(Check(R"({"Statement":{"Effect":"Allow","Action":"s3:)" + ok + R"(","Resource":"*"}})", PolicyType::kIdentity), "ok");
  EXPECT_EQ(Check(R"({"Statement":{"Effect":"Allow","Action":"s3:)" + many + R"(","Resource":"*"}})", PolicyType::kIdentity),
            std::string(kMalformed) + "Syntax errors in policy.");
  EXPECT_EQ(Check(R"({"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::)" + many + R"("}})", PolicyType::kIdentity),
            std::string(kMalformed) + "Syntax errors in policy.");
  EXPECT_EQ(Check(R"({"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringLike":{"s3:prefix":")" + many + R"("}}}})", PolicyType::kIdentity),
            std::string(kMalformed) + "Syntax errors in policy.");
}

TEST(ParsePolicyType, KnowsEveryName) {
  EXPECT_EQ(*ParsePolicyType("identity"), PolicyType::kIdentity);
  EXPECT_EQ(*ParsePolicyType("SCP"), PolicyType::kScp);
  EXPECT_EQ(*ParsePolicyType("boundary"), PolicyType::kBoundary);
  EXPECT_FALSE(ParsePolicyType("bucket"));
}

}  // namespace
}  // namespace rampart::policy
