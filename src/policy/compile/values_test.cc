#include "policy/compile/values.h"

#include <gtest/gtest.h>

namespace rampart::policy::internal {
namespace {

TEST(ParseNumber, AcceptsIntegersAndDecimals) {
  EXPECT_EQ(ParseNumber("10"), 10.0);
  EXPECT_EQ(ParseNumber("-3.5"), -3.5);
  EXPECT_EQ(ParseNumber("+7"), 7.0);
  EXPECT_EQ(ParseNumber("1e3"), 1000.0);
}

TEST(ParseNumber, RejectsNonNumbers) {
  EXPECT_FALSE(ParseNumber(""));
  EXPECT_FALSE(ParseNumber("abc"));
  EXPECT_FALSE(ParseNumber("10 "));
  EXPECT_FALSE(ParseNumber("1.2.3"));
  EXPECT_FALSE(ParseNumber("nan"));
  EXPECT_FALSE(ParseNumber("inf"));
}

TEST(ParseDate, AcceptsIso8601Forms) {
  EXPECT_EQ(ParseDate("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseDate("2020-01-01"), 1577836800000);
  EXPECT_EQ(ParseDate("2020-01-01T00:00Z"), 1577836800000);
  EXPECT_EQ(ParseDate("2020-01-01T01:00:00+01:00"), 1577836800000);
  EXPECT_EQ(ParseDate("2019-12-31T23:00:00-01:00"), 1577836800000);
  EXPECT_EQ(ParseDate("2020-01-01T00:00:00.250Z"), 1577836800250);
  EXPECT_EQ(ParseDate("2020-02"), ParseDate("2020-02-01"));
}

TEST(ParseDate, AcceptsEpochSeconds) {
  EXPECT_EQ(ParseDate("1577836800"), 1577836800000);
  EXPECT_EQ(ParseDate("0"), 0);
}

TEST(ParseDate, RejectsGarbage) {
  EXPECT_FALSE(ParseDate(""));
  EXPECT_FALSE(ParseDate("yesterday"));
  EXPECT_FALSE(ParseDate("2020-13-01"));
  EXPECT_FALSE(ParseDate("2020-01-01T25:00:00Z"));
  EXPECT_FALSE(ParseDate("2020-01-01T00:00:00Zjunk"));
}

TEST(ParseCidr, ParsesV4AndV6) {
  auto v4 = ParseCidr("203.0.113.0/24");
  ASSERT_TRUE(v4);
  EXPECT_FALSE(v4->v6);
  EXPECT_EQ(v4->prefix, 24);
  auto address = ParseCidr("203.0.113.77");
  ASSERT_TRUE(address);
  EXPECT_EQ(address->prefix, 32);
  EXPECT_TRUE(IpInRange(*v4, *address));
  EXPECT_FALSE(IpInRange(*v4, *ParseCidr("203.0.114.1")));
  auto v6 = ParseCidr("2001:db8::/32");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->v6);
  EXPECT_TRUE(IpInRange(*v6, *ParseCidr("2001:db8:1::5")));
  EXPECT_FALSE(IpInRange(*v6, *ParseCidr("2001:db9::1")));
  EXPECT_FALSE(IpInRange(*v6, *address));  // families never mix
  EXPECT_TRUE(IpInRange(*ParseCidr("0.0.0.0/0"), *address));
  EXPECT_TRUE(IpInRange(*ParseCidr("10.0.0.0/9"), *ParseCidr("10.127.1.1")));
  EXPECT_FALSE(IpInRange(*ParseCidr("10.0.0.0/9"), *ParseCidr("10.128.1.1")));
}

TEST(ParseCidr, RejectsMalformed) {
  EXPECT_FALSE(ParseCidr(""));
  EXPECT_FALSE(ParseCidr("300.1.1.1"));
  EXPECT_FALSE(ParseCidr("10.0.0.0/33"));
  EXPECT_FALSE(ParseCidr("10.0.0.0/"));
  EXPECT_FALSE(ParseCidr("10.0.0.0/x"));
  EXPECT_FALSE(ParseCidr("2001:db8::/129"));
  EXPECT_FALSE(ParseCidr("not-an-ip"));
}

TEST(ParseBool, IsCaseInsensitive) {
  EXPECT_EQ(ParseBool("true"), true);
  EXPECT_EQ(ParseBool("FALSE"), false);
  EXPECT_FALSE(ParseBool("yes"));
  EXPECT_FALSE(ParseBool(""));
}

}  // namespace
}  // namespace rampart::policy::internal
