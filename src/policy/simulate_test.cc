#include "policy/simulate.h"

#include <sstream>
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace rampart::policy {
namespace {

namespace json = boost::json;

constexpr const char* kExample =
    R"({"id":"ex1","principal":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333"},"action":"s3:GetObject","resource":"arn:aws:s3:::reports/2026/q1.csv","resourceAccount":"111122223333","context":{"aws:SourceIp":"203.0.113.7","aws:username":"alice"},"identityPolicies":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}],"resourcePolicy":null,"permissionsBoundary":null,"sessionPolicies":[],"scps":[],"rcps":[],"unknownField":1})";

json::object Out(std::string_view line) { return json::parse(SimulateLine(line)).as_object(); }

TEST(SimulateLine, EvaluatesTheSpecExample) {
  json::object out = Out(kExample);
  EXPECT_EQ(out.at("id"), "ex1");
  EXPECT_EQ(out.at("decision"), "allowed");
  ASSERT_EQ(out.at("matchedStatements").as_array().size(), 1u);
  const json::object& matched = out.at("matchedStatements").as_array()[0].as_object();
  EXPECT_EQ(matched.at("SourcePolicyId"), "identityPolicies[0]");
  EXPECT_EQ(matched.at("SourcePolicyType"), "identity");
  EXPECT_TRUE(matched.at("StartPosition").as_object().contains("Line"));
  EXPECT_TRUE(out.at("missingContextValues").as_array().empty());
  EXPECT_TRUE(out.contains("reason"));
}

TEST(SimulateLine, ReportsDenyReasonAndMissingKeys) {
  std::string line = kExample;
  const std::string drop = "\"aws:SourceIp\":\"203.0.113.7\",";
  line.replace(line.find(drop), drop.size(), "");
  json::object out = Out(line);
  EXPECT_EQ(out.at("decision"), "implicitDeny");
  EXPECT_EQ(out.at("reason"), "because no identity-based policy allows the s3:GetObject action");
  ASSERT_EQ(out.at("missingContextValues").as_array().size(), 1u);
  EXPECT_EQ(out.at("missingContextValues").as_array()[0], "aws:SourceIp");
}

TEST(SimulateLine, ErrorLines) {
  json::object bad_json = Out("{not json");
  EXPECT_EQ(bad_json.at("decision"), "error");
  EXPECT_TRUE(bad_json.at("id").is_null());
  EXPECT_FALSE(bad_json.at("message").as_string().empty());
  EXPECT_EQ(Out("[1,2]").at("decision"), "error");
  EXPECT_EQ(Out("").at("decision"), "error");

  json::object malformed = Out(
      R"({"id":7,"principal":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/a"},"action":"s3:GetObject","resource":"*","identityPolicies":[{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}]})");
  EXPECT_EQ(malformed.at("id"), 7);
  EXPECT_EQ(malformed.at("decision"), "error");
  EXPECT_EQ(malformed.at("message"), "identityPolicies[0]: MalformedPolicyDocument: Has prohibited field Principal");

  EXPECT_EQ(Out(R"({"principal":{"type":"Robot","arn":"x"},"action":"s3:GetObject","resource":"*"})").at("decision"), "error");
  EXPECT_EQ(Out(R"({"principal":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/a"},"resource":"*"})").at("decision"), "error");
  EXPECT_EQ(Out(R"({"principal":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/a"},"action":"s3:X","resource":"*","context":{"k:v":{"x":1}}})").at("decision"), "error");
  EXPECT_EQ(Out(R"({"principal":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/a"},"action":"s3:X","resource":"*","scps":[{}]})").at("decision"), "error");
}

TEST(SimulateLine, DerivesAccountFromArn) {
  json::object out = Out(
      R"({"principal":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/a"},"action":"s3:GetObject","resource":"*","resourceAccount":"111122223333","identityPolicies":[{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}]})");
  EXPECT_EQ(out.at("decision"), "allowed");
  EXPECT_FALSE(out.contains("id"));
}

TEST(RunSimulate, OneLineOutPerLineInAndExitZero) {
  std::istringstream in(std::string(kExample) + "\n\nnot json\r\n" + kExample + "\n");
  std::ostringstream out;
  EXPECT_EQ(RunSimulate(in, out), 0);
  std::istringstream lines(out.str());
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    ++count;
    EXPECT_TRUE(json::parse(line).is_object());
  }
  EXPECT_EQ(count, 4);
}

}  // namespace
}  // namespace rampart::policy
