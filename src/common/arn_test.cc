#include "common/arn.h"

#include <gtest/gtest.h>

namespace rampart {
namespace {

TEST(ArnParse, SplitsFieldsAndKeepsResourceWhole) {
  auto arn = Arn::Parse("arn:aws:iam::123456789012:user/division/alice");
  ASSERT_TRUE(arn.has_value());
  EXPECT_EQ(arn->partition, "aws");
  EXPECT_EQ(arn->service, "iam");
  EXPECT_EQ(arn->region, "");
  EXPECT_EQ(arn->account, "123456789012");
  EXPECT_EQ(arn->resource, "user/division/alice");
  EXPECT_EQ(arn->ToString(), "arn:aws:iam::123456789012:user/division/alice");
}

TEST(ArnParse, ResourceMayContainColons) {
  auto arn = Arn::Parse("arn:aws:logs:us-east-1:123456789012:log-group:my:group");
  ASSERT_TRUE(arn.has_value());
  EXPECT_EQ(arn->resource, "log-group:my:group");
}

TEST(ArnParse, RejectsMalformed) {
  EXPECT_FALSE(Arn::Parse("arn:aws:iam::123").has_value());
  EXPECT_FALSE(Arn::Parse("nra:aws:iam::1:root").has_value());
  EXPECT_FALSE(Arn::Parse("arn::iam::1:root").has_value());
  EXPECT_FALSE(Arn::Parse("").has_value());
}

TEST(ArnBuild, RootAndIam) {
  EXPECT_EQ(RootArn("111122223333"), "arn:aws:iam::111122223333:root");
  EXPECT_EQ(IamArn("111122223333", "user", "/", "bob"), "arn:aws:iam::111122223333:user/bob");
  EXPECT_EQ(IamArn("111122223333", "role", "/a/b/", "r"), "arn:aws:iam::111122223333:role/a/b/r");
}

TEST(AccountId, TwelveDigitsOnly) {
  EXPECT_TRUE(IsAccountId("012345678901"));
  EXPECT_FALSE(IsAccountId("12345678901"));
  EXPECT_FALSE(IsAccountId("12345678901a"));
}

}  // namespace
}  // namespace rampart
