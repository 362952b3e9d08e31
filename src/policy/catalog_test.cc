#include "policy/catalog.h"

#include <gtest/gtest.h>

namespace rampart::policy {
namespace {

const ServiceCatalog& Embedded() {
  static const ServiceCatalog catalog = [] {
    Result<ServiceCatalog> parsed = ServiceCatalog::Parse(EmbeddedServiceCatalogJson());
    EXPECT_TRUE(parsed) << parsed.error().message;
    return parsed ? std::move(*parsed) : ServiceCatalog();
  }();
  return catalog;
}

TEST(ServiceCatalog, EmbeddedCatalogHasEveryService) {
  const ServiceCatalog& catalog = Embedded();
  EXPECT_GT(catalog.services().size(), 400u);
  ASSERT_NE(catalog.FindService("S3"), nullptr);
  const ServiceCatalog::Action* get_user = catalog.FindAction("iam:getuser");
  ASSERT_NE(get_user, nullptr);
  EXPECT_EQ(get_user->name, "GetUser");
  EXPECT_EQ(get_user->access_level, "Read");
  ASSERT_FALSE(get_user->resource_types.empty());
  EXPECT_EQ(get_user->resource_types[0], "user");
  EXPECT_EQ(catalog.FindAction("iam:NoSuchAction"), nullptr);
  EXPECT_EQ(catalog.FindAction("nosuchservice:GetUser"), nullptr);
  EXPECT_EQ(catalog.FindAction("nocolon"), nullptr);
}

TEST(ServiceCatalog, WildcardActions) {
  const ServiceCatalog& catalog = Embedded();
  EXPECT_TRUE(catalog.AnyActionMatches("*"));
  EXPECT_TRUE(catalog.AnyActionMatches("s3:Get*"));
  EXPECT_TRUE(catalog.AnyActionMatches("S3:GETOBJECT"));
  EXPECT_TRUE(catalog.AnyActionMatches("*:GetUser"));
  EXPECT_FALSE(catalog.AnyActionMatches("s3:Fly*"));
}

TEST(ServiceCatalog, ConditionKeys) {
  const ServiceCatalog& catalog = Embedded();
  EXPECT_EQ(catalog.ConditionKeyType("aws:SourceIp"), "IPAddress");
  EXPECT_EQ(catalog.ConditionKeyType("AWS:sourceip"), "IPAddress");
  EXPECT_EQ(catalog.ConditionKeyType("aws:PrincipalTag/team"), "String");
  EXPECT_EQ(catalog.ConditionKeyType("aws:TagKeys"), "ArrayOfString");
  EXPECT_TRUE(catalog.ConditionKeyType("s3:prefix"));
  EXPECT_TRUE(catalog.ConditionKeyType("iam:PassedToService"));
  EXPECT_FALSE(catalog.ConditionKeyType("aws:NoSuchKey"));
  EXPECT_FALSE(catalog.ConditionKeyType("s3:nosuchkey"));
  // A placeholder spelled as a word: secretsmanager:ResourceTag/tag-key.
  EXPECT_TRUE(catalog.ConditionKeyType("secretsmanager:ResourceTag/aws:secretsmanager:owningService"));
  EXPECT_FALSE(catalog.ConditionKeyType("secretsmanager:ResourceTag/"));
}

TEST(ServiceCatalog, ParseRejectsBadInput) {
  EXPECT_FALSE(ServiceCatalog::Parse("not json"));
  EXPECT_FALSE(ServiceCatalog::Parse("[]"));
  EXPECT_FALSE(ServiceCatalog::Parse(R"({"format":2,"services":{}})"));
  EXPECT_FALSE(ServiceCatalog::Parse(R"({"format":1})"));
  EXPECT_FALSE(ServiceCatalog::Parse(R"({"format":1,"services":{"s3":1}})"));
  Result<ServiceCatalog> minimal = ServiceCatalog::Parse(
      R"({"format":1,"services":{"x":{"name":"X","actions":{"Do":["Write",["thing"],["x:k"]]},"condition_keys":{"x:k":"String"}}}})");
  ASSERT_TRUE(minimal);
  EXPECT_NE(minimal->FindAction("x:do"), nullptr);
  EXPECT_EQ(minimal->ConditionKeyType("x:K"), "String");
}

}  // namespace
}  // namespace rampart::policy
