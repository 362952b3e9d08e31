#include "policy/lint.h"

#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rampart::policy {
namespace {

const ServiceCatalog& Catalog() {
  static const ServiceCatalog catalog = *ServiceCatalog::Parse(EmbeddedServiceCatalogJson());
  return catalog;
}

std::vector<std::string> Codes(std::string_view text, PolicyType type = PolicyType::kIdentity) {
  std::vector<std::string> codes;
  for (const Finding& finding : ValidatePolicy(text, type, Catalog())) {
    codes.push_back(std::string(SeverityName(finding.severity)) + " " + finding.issue_code);
  }
  return codes;
}

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(ValidatePolicy, CleanPolicyHasNoFindings) {
  EXPECT_THAT(Codes(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]})"),
              IsEmpty());
}

TEST(ValidatePolicy, MalformedDocumentIsOneError) {
  std::vector<Finding> findings = ValidatePolicy("{\n \"Statement\": {\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}}",
                                                 PolicyType::kIdentity, Catalog());
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].issue_code, "MALFORMED_POLICY_DOCUMENT");
  EXPECT_EQ(findings[0].position.line, 2u);
  EXPECT_NE(findings[0].message.find("Has prohibited field Principal"), std::string::npos);
}

TEST(ValidatePolicy, FlagsUnknownActionsAndKeys) {
  EXPECT_THAT(Codes(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:GetObjekt","nosvc:Do","s3:Get*"],"Resource":"*","Condition":{"StringEquals":{"aws:Nope":"x","s3:nokey":"y"}}}})"),
              ElementsAre("ERROR UNKNOWN_ACTION", "ERROR UNKNOWN_SERVICE", "SUGGESTION REDUNDANT_ACTION",
                          "ERROR UNKNOWN_GLOBAL_CONDITION_KEY",
                          "WARNING UNKNOWN_CONDITION_KEY"));
}

TEST(ValidatePolicy, SecurityWarnings) {
  EXPECT_THAT(Codes(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}})"),
              ElementsAre("SECURITY_WARNING ALLOW_WITH_NOT_ACTION"));
  EXPECT_THAT(Codes(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}})"),
              ElementsAre("SECURITY_WARNING FULL_ADMIN_ACCESS"));
  EXPECT_THAT(Codes(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*:*","Resource":"*"}})"),
              ElementsAre("SECURITY_WARNING FULL_ADMIN_ACCESS"));
  EXPECT_THAT(Codes(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["iam:Get*","iam:Pass*"],"Resource":"*"}})"),
              ElementsAre("SECURITY_WARNING PASS_ROLE_WITH_STAR_IN_RESOURCE"));
  EXPECT_THAT(Codes(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::111122223333:role/app"}})"),
              IsEmpty());
  EXPECT_THAT(Codes(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}})",
                    PolicyType::kResource),
              ElementsAre("SECURITY_WARNING PUBLIC_ACCESS"));
}

TEST(ValidatePolicy, VersionRedundancyAndValues) {
  EXPECT_THAT(Codes(R"({"Statement":[{"Effect":"Allow","Action":["s3:*","s3:GetObject"],"Resource":"*"},{"Sid":"x","Effect":"Allow","Action":["s3:*","s3:GetObject"],"Resource":"*"}]})"),
              ElementsAre("WARNING MISSING_VERSION", "SUGGESTION REDUNDANT_ACTION", "SUGGESTION REDUNDANT_ACTION",
                          "SUGGESTION REDUNDANT_STATEMENT"));
  EXPECT_THAT(Codes(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/99"},"NumericLessThan":{"s3:max-keys":"ten"}}}})"),
              ElementsAre("ERROR INVALID_CONDITION_VALUE", "ERROR INVALID_CONDITION_VALUE"));
  EXPECT_THAT(Codes(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:TagKeys":"a"},"ForAnyValue:StringEquals":{"aws:username":"a"},"DateLessThan":{"aws:SourceIp":"2020-01-01"}}}})"),
              ElementsAre("WARNING MISSING_SET_OPERATOR", "WARNING SET_OPERATOR_ON_SINGLE_VALUED_KEY",
                          "WARNING MISMATCHED_TYPE"));
}

TEST(RunValidate, PrintsFindingsAndExitStatus) {
  std::ostringstream out;
  EXPECT_EQ(RunValidate(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:Nope","Resource":"*"}})",
                        PolicyType::kIdentity, Catalog(), out),
            1);
  EXPECT_NE(out.str().find("ERROR UNKNOWN_ACTION 1:"), std::string::npos) << out.str();
  std::ostringstream clean;
  EXPECT_EQ(RunValidate(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}})",
                        PolicyType::kIdentity, Catalog(), clean),
            0);
  EXPECT_NE(clean.str().find("0 finding(s)"), std::string::npos);
}

}  // namespace
}  // namespace rampart::policy
