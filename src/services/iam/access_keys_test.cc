#include "services/iam/identity_test_util.h"

#include "services/iam/key_usage.h"

namespace rampart::services::iam::testing {
namespace {

namespace json = boost::json;

using AccessKeysTest = IdentityTest;

std::string KeyId(const json::object& created) {
  return std::string(created.at("AccessKey").as_object().at("AccessKeyId").as_string());
}

TEST_F(AccessKeysTest, TwoKeysPerUserActiveOrNot) {
  Run("CreateUser", {{"UserName", "k"}});
  json::object first = Run("CreateAccessKey", {{"UserName", "k"}});
  const json::object& key = first["AccessKey"].as_object();
  EXPECT_TRUE(std::string(key.at("AccessKeyId").as_string()).starts_with("AKIA"));
  EXPECT_EQ(key.at("SecretAccessKey").as_string().size(), 40u);
  EXPECT_EQ(key.at("Status").as_string(), "Active");
  EXPECT_EQ(key.at("UserName").as_string(), "k");
  Run("UpdateAccessKey", {{"UserName", "k"}, {"AccessKeyId", KeyId(first)}, {"Status", "Inactive"}});
  Run("CreateAccessKey", {{"UserName", "k"}});
  EXPECT_EQ(Err("CreateAccessKey", {{"UserName", "k"}}, "LimitExceeded", 409),
            "Cannot exceed quota for AccessKeysPerUser: 2");
  json::object listed = Run("ListAccessKeys", {{"UserName", "k"}});
  ASSERT_EQ(listed["AccessKeyMetadata"].as_array().size(), 2u);
  // Both keys share a creation instant under the fake clock: find the first one by id.
  int inactive = 0;
  for (const json::value& item : listed["AccessKeyMetadata"].as_array()) {
    const json::object& meta = item.as_object();
    EXPECT_FALSE(meta.contains("SecretAccessKey"));
    if (meta.at("AccessKeyId").as_string() == KeyId(first)) {
      EXPECT_EQ(meta.at("Status").as_string(), "Inactive");
      ++inactive;
    } else {
      EXPECT_EQ(meta.at("Status").as_string(), "Active");
    }
  }
  EXPECT_EQ(inactive, 1);
  EXPECT_FALSE(listed["IsTruncated"].as_bool());
}

TEST_F(AccessKeysTest, RootOwnKeysWithoutUserName) {
  json::object made = Run("CreateAccessKey", {});
  EXPECT_FALSE(made["AccessKey"].as_object().contains("UserName"));
  Run("CreateAccessKey", {});
  Err("CreateAccessKey", {}, "LimitExceeded", 409);
  EXPECT_EQ(Run("ListAccessKeys", {})["AccessKeyMetadata"].as_array().size(), 2u);
  Run("DeleteAccessKey", {{"AccessKeyId", KeyId(made)}});
  EXPECT_EQ(Run("ListAccessKeys", {})["AccessKeyMetadata"].as_array().size(), 1u);
}

TEST_F(AccessKeysTest, UserRotatesOwnKeysAndIsDeniedOnOthers) {
  Run("CreateUser", {{"UserName", "alice"}});
  Run("CreateUser", {{"UserName", "bob"}});
  PutUserPolicy("alice", "own-keys",
                R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetUser","iam:*AccessKey*"],)"
                R"("Resource":"arn:aws:iam::*:user/${aws:username}"}]})");
  Principal alice = UserPrincipal("alice");
  json::object first = Run("CreateAccessKey", {}, &alice);
  EXPECT_EQ(first["AccessKey"].as_object()["UserName"].as_string(), "alice");
  json::object second = Run("CreateAccessKey", {{"UserName", "alice"}}, &alice);
  Run("UpdateAccessKey", {{"AccessKeyId", KeyId(first)}, {"Status", "Inactive"}}, &alice);
  Run("DeleteAccessKey", {{"AccessKeyId", KeyId(first)}}, &alice);
  EXPECT_EQ(Run("ListAccessKeys", {}, &alice)["AccessKeyMetadata"].as_array().size(), 1u);
  EXPECT_EQ(Err("CreateAccessKey", {{"UserName", "bob"}}, "AccessDenied", 403, &alice),
            "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: "
            "iam:CreateAccessKey on resource: arn:aws:iam::123456789012:user/bob because no "
            "identity-based policy allows the iam:CreateAccessKey action");
  // A key of another user is not found through one's own name.
  json::object bobs = Run("CreateAccessKey", {{"UserName", "bob"}});
  EXPECT_EQ(Err("DeleteAccessKey", {{"AccessKeyId", KeyId(bobs)}}, "NoSuchEntity", 404, &alice),
            "The Access Key with id " + KeyId(bobs) + " cannot be found.");
}

TEST_F(AccessKeysTest, RoleSessionsMustNameTheUser) {
  Principal role;
  role.type = PrincipalType::kAssumedRole;
  role.account_id = kAccount;
  role.arn = "arn:aws:sts::123456789012:assumed-role/r/s";
  role.temporary = true;
  // Authorization first (no policy): AccessDenied. The handler's rule is checked directly.
  const OperationSpec* spec = registry_.Find("iam", "DeleteAccessKey");
  CallContext call(env_, role);
  call.operation = "DeleteAccessKey";
  Result<json::object> out = spec->handler(call, {{"AccessKeyId", "AKIAEXAMPLEEXAMPLE12"}});
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, "ValidationError");
  EXPECT_EQ(out.error().message, "Must specify userName when calling with non-User credentials");
}

TEST_F(AccessKeysTest, LastUsed) {
  Run("CreateUser", {{"UserName", "u"}});
  json::object made = Run("CreateAccessKey", {{"UserName", "u"}});
  json::object never = Run("GetAccessKeyLastUsed", {{"AccessKeyId", KeyId(made)}});
  EXPECT_EQ(never["UserName"].as_string(), "u");
  EXPECT_EQ(never["AccessKeyLastUsed"].as_object()["ServiceName"].as_string(), "N/A");
  EXPECT_EQ(never["AccessKeyLastUsed"].as_object()["Region"].as_string(), "N/A");
  EXPECT_FALSE(never["AccessKeyLastUsed"].as_object().contains("LastUsedDate"));

  KeyUsageRecorder recorder;
  Principal user = UserPrincipal("u");
  user.access_key_id = KeyId(made);
  auto wrote = recorder.Record(*store_, user, "iam", "eu-west-1", clock_.Now());
  ASSERT_TRUE(wrote && *wrote);
  // Coalesced: a second use within the minute is not written.
  auto again = recorder.Record(*store_, user, "sts", "us-east-1", clock_.Now() + std::chrono::seconds(10));
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
  json::object used = Run("GetAccessKeyLastUsed", {{"AccessKeyId", KeyId(made)}});
  EXPECT_EQ(used["AccessKeyLastUsed"].as_object()["ServiceName"].as_string(), "iam");
  EXPECT_EQ(used["AccessKeyLastUsed"].as_object()["Region"].as_string(), "eu-west-1");
  EXPECT_TRUE(used["AccessKeyLastUsed"].as_object().contains("LastUsedDate"));
  auto later = recorder.Record(*store_, user, "sts", "us-east-1", clock_.Now() + std::chrono::seconds(61));
  ASSERT_TRUE(later && *later);
  EXPECT_EQ(Run("GetAccessKeyLastUsed", {{"AccessKeyId", KeyId(made)}})["AccessKeyLastUsed"]
                .as_object()["ServiceName"].as_string(),
            "sts");
  // Temporary credentials are not recorded.
  user.temporary = true;
  auto temp = recorder.Record(*store_, user, "iam", "us-east-1", clock_.Now() + std::chrono::minutes(5));
  ASSERT_TRUE(temp);
  EXPECT_FALSE(*temp);

  EXPECT_EQ(Err("GetAccessKeyLastUsed", {{"AccessKeyId", "AKIAIOSFODNN7EXAMPLE"}}, "AccessDenied", 403),
            "User: arn:aws:iam::123456789012:root is not authorized to perform "
            "iam:GetAccessKeyLastUsed on resource: access key AKIAIOSFODNN7EXAMPLE");
}

TEST_F(AccessKeysTest, UnknownUserAndKey) {
  EXPECT_EQ(Err("CreateAccessKey", {{"UserName", "ghost"}}, "NoSuchEntity", 404),
            "The user with name ghost cannot be found.");
  Run("CreateUser", {{"UserName", "u"}});
  EXPECT_EQ(Err("UpdateAccessKey", {{"UserName", "u"}, {"AccessKeyId", "AKIAIOSFODNN7EXAMPLE"}, {"Status", "Active"}},
                "NoSuchEntity", 404),
            "The Access Key with id AKIAIOSFODNN7EXAMPLE cannot be found.");
}

}  // namespace
}  // namespace rampart::services::iam::testing
