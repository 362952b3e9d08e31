#include "audit/filter_pattern.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace rampart::audit {
namespace {
namespace json = boost::json;

json::value Record() {
  return json::parse(R"({
    "eventName": "ConsoleLogin", "eventType": "AwsConsoleSignIn",
    "userIdentity": {"type": "Root", "arn": "arn:aws:iam::1:root"},
    "additionalEventData": {"MFAUsed": "No"},
    "responseElements": {"ConsoleLogin": "Success"},
    "latency": 42, "ratio": 0.5, "flag": true, "nothing": null,
    "resources": [{"type": "AWS::IAM::Role"}, {"type": "AWS::IAM::AccessKey"}]
  })");
}

bool Match(std::string_view pattern) {
  Result<FilterPattern> parsed = FilterPattern::Parse(pattern);
  EXPECT_TRUE(parsed) << pattern << ": " << (parsed ? "" : parsed.error().message);
  if (!parsed) return false;
  // The recorder matches the record as an object; both forms must agree.
  const bool as_value = parsed->Matches(Record());
  EXPECT_EQ(parsed->Matches(Record().as_object()), as_value) << pattern;
  return as_value;
}

TEST(FilterPattern, CisRootUsage) {
  EXPECT_TRUE(Match(R"({ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" })"));
  // The v7 form without quotes.
  EXPECT_TRUE(Match(R"({ $.userIdentity.type = Root && $.userIdentity.invokedBy NOT EXISTS && $.eventType != AwsServiceEvent })"));
}

TEST(FilterPattern, CisConsoleWithoutMfa) {
  EXPECT_TRUE(Match(R"({ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") })"));
  EXPECT_FALSE(Match(R"({ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed = "Yes") })"));
}

TEST(FilterPattern, OrAndPrecedenceAndParentheses) {
  EXPECT_TRUE(Match(R"({ $.eventName = "X" || $.eventName = "ConsoleLogin" && $.flag IS TRUE })"));
  EXPECT_FALSE(Match(R"({ ($.eventName = "X" || $.eventName = "ConsoleLogin") && $.flag IS FALSE })"));
  EXPECT_TRUE(Match(R"({ $.eventName = "ConsoleLogin" && ($.x NOT EXISTS || $.y = 1) })"));
}

TEST(FilterPattern, Wildcards) {
  EXPECT_TRUE(Match(R"({ $.eventName = "Console*" })"));
  EXPECT_TRUE(Match(R"({ $.eventName = "*Login" })"));
  EXPECT_TRUE(Match(R"({ $.eventName = "C*s*L*n" })"));
  EXPECT_FALSE(Match(R"({ $.eventName = "Consol*X" })"));
  EXPECT_FALSE(Match(R"({ $.eventName != "Console*" })"));
}

TEST(FilterPattern, NumericComparisons) {
  EXPECT_TRUE(Match("{ $.latency = 42 }"));
  EXPECT_TRUE(Match("{ $.latency > 41 }"));
  EXPECT_TRUE(Match("{ $.latency >= 42 }"));
  EXPECT_FALSE(Match("{ $.latency < 42 }"));
  EXPECT_TRUE(Match("{ $.latency <= 42.0 }"));
  EXPECT_TRUE(Match("{ $.ratio < 1e0 }"));
  EXPECT_TRUE(Match("{ $.latency != 7 }"));
  EXPECT_FALSE(Match("{ $.eventName > 3 }"));  // strings do not order
  // A number against a text pattern compares its JSON text.
  EXPECT_TRUE(Match("{ $.latency = 4* }"));
  EXPECT_FALSE(Match("{ $.latency = 5* }"));
  EXPECT_TRUE(Match("{ $.latency != 5* }"));
}

TEST(FilterPattern, NullBooleansAndExistence) {
  EXPECT_TRUE(Match("{ $.nothing IS NULL }"));
  EXPECT_FALSE(Match("{ $.flag IS NULL }"));
  EXPECT_TRUE(Match("{ $.flag IS TRUE }"));
  EXPECT_FALSE(Match("{ $.flag IS FALSE }"));
  EXPECT_TRUE(Match("{ $.missing NOT EXISTS }"));
  EXPECT_FALSE(Match("{ $.flag NOT EXISTS }"));
  EXPECT_TRUE(Match("{ $.flag EXISTS }"));
  // Absent fields match no comparison, not even !=.
  EXPECT_FALSE(Match(R"({ $.missing != "x" })"));
  EXPECT_FALSE(Match(R"({ $.missing = "*" })"));
}

TEST(FilterPattern, ArraysAndIndexes) {
  EXPECT_TRUE(Match(R"({ $.resources[0].type = "AWS::IAM::Role" })"));
  EXPECT_FALSE(Match(R"({ $.resources[1].type = "AWS::IAM::Role" })"));
  EXPECT_TRUE(Match(R"({ $.resources[*].type = "AWS::IAM::AccessKey" })"));
  EXPECT_FALSE(Match(R"({ $.resources[5].type EXISTS })"));
}

TEST(FilterPattern, QuotedEscapesAndCaseInsensitiveKeywords) {
  EXPECT_TRUE(FilterPattern::Parse(R"({ $.a = "say \"hi\"" })"));
  EXPECT_TRUE(Match("{ $.missing not exists && $.nothing is null }"));
}

TEST(FilterPattern, RejectsMalformedPatterns) {
  for (std::string_view bad : {"", "$.a = 1", "{ $.a = 1", "{ a = 1 }", "{ $. = 1 }",
                               "{ $.a == }", "{ $.a = }", "{ $.a > \"x\" }", "{ $.a IS MAYBE }",
                               "{ $.a NOT THERE }", "{ ($.a = 1 }", "{ $.a = 1 } extra",
                               "{ $.a[x] = 1 }", "{ $.a = \"open }", "{ $.a = 1 && }",
                               "{ $ = 1 }"}) {
    Result<FilterPattern> parsed = FilterPattern::Parse(bad);
    EXPECT_FALSE(parsed) << bad;
    if (!parsed) {
      EXPECT_EQ(parsed.error().code, "InvalidFilterPattern");
    }
  }
  std::string deep = "{ " + std::string(100, '(') + "$.a = 1" + std::string(100, ')') + " }";
  EXPECT_FALSE(FilterPattern::Parse(deep));
}

TEST(FilterPattern, DefaultConstructedMatchesNothing) {
  EXPECT_FALSE(FilterPattern().Matches(Record()));
}

}  // namespace
}  // namespace rampart::audit
