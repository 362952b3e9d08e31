#include "services/iam/identity_test_util.h"

namespace rampart::services::iam::testing {
namespace {

namespace json = boost::json;

using LoginTest = IdentityTest;

TEST_F(LoginTest, LoginProfileLifecycleAndPolicy) {
  Run("CreateUser", {{"UserName", "p"}});
  EXPECT_EQ(Err("GetLoginProfile", {{"UserName", "p"}}, "NoSuchEntity", 404),
            "Login Profile for User p cannot be found.");
  // AWS's default policy for IAM users applies without an account policy.
  Err("CreateLoginProfile", {{"UserName", "p"}, {"Password", "short"}}, "PasswordPolicyViolation", 400);
  json::object made = Run("CreateLoginProfile", {{"UserName", "p"}, {"Password", "Correct-Horse-7"},
                                                 {"PasswordResetRequired", true}});
  EXPECT_EQ(made["LoginProfile"].as_object()["UserName"].as_string(), "p");
  EXPECT_TRUE(made["LoginProfile"].as_object()["PasswordResetRequired"].as_bool());
  EXPECT_EQ(Err("CreateLoginProfile", {{"UserName", "p"}, {"Password", "Correct-Horse-8"}},
                "EntityAlreadyExists", 409),
            "Login Profile for user p already exists.");
  Run("UpdateAccountPasswordPolicy", {{"MinimumPasswordLength", 20}, {"RequireSymbols", true}});
  Err("UpdateLoginProfile", {{"UserName", "p"}, {"Password", "Correct-Horse-9"}}, "PasswordPolicyViolation", 400);
  Run("UpdateLoginProfile", {{"UserName", "p"}, {"PasswordResetRequired", false}});
  EXPECT_FALSE(Run("GetLoginProfile", {{"UserName", "p"}})["LoginProfile"].as_object()["PasswordResetRequired"].as_bool());
  EXPECT_EQ(Err("DeleteUser", {{"UserName", "p"}}, "DeleteConflict", 409),
            "Cannot delete entity, must delete login profile first.");
  Run("DeleteLoginProfile", {{"UserName", "p"}});
  Err("DeleteLoginProfile", {{"UserName", "p"}}, "NoSuchEntity", 404);
  Err("CreateLoginProfile", {{"UserName", "ghost"}, {"Password", "Correct-Horse-7"}}, "NoSuchEntity", 404);
}

TEST_F(LoginTest, AccountPasswordPolicy) {
  EXPECT_EQ(Err("GetAccountPasswordPolicy", {}, "NoSuchEntity", 404),
            "The Password Policy with domain name 123456789012 cannot be found.");
  EXPECT_EQ(Err("DeleteAccountPasswordPolicy", {}, "NoSuchEntity", 404),
            "The account policy with name PasswordPolicy cannot be found.");
  Run("UpdateAccountPasswordPolicy", {{"RequireNumbers", true}});
  json::object policy = Run("GetAccountPasswordPolicy", {})["PasswordPolicy"].as_object();
  EXPECT_EQ(policy["MinimumPasswordLength"].as_int64(), 6);
  EXPECT_TRUE(policy["RequireNumbers"].as_bool());
  EXPECT_FALSE(policy["HardExpiry"].as_bool());
  EXPECT_FALSE(policy["ExpirePasswords"].as_bool());
  EXPECT_FALSE(policy.contains("MaxPasswordAge"));
  Run("UpdateAccountPasswordPolicy", {{"MaxPasswordAge", 60}, {"PasswordReusePrevention", 3}, {"HardExpiry", true}});
  policy = Run("GetAccountPasswordPolicy", {})["PasswordPolicy"].as_object();
  EXPECT_FALSE(policy["RequireNumbers"].as_bool());  // omitted members revert to defaults
  EXPECT_TRUE(policy["ExpirePasswords"].as_bool());
  EXPECT_EQ(policy["MaxPasswordAge"].as_int64(), 60);
  EXPECT_EQ(policy["PasswordReusePrevention"].as_int64(), 3);
  EXPECT_TRUE(policy["HardExpiry"].as_bool());
  Run("DeleteAccountPasswordPolicy", {});
  Err("GetAccountPasswordPolicy", {}, "NoSuchEntity", 404);
}

TEST_F(LoginTest, ChangePassword) {
  Run("CreateUser", {{"UserName", "c"}});
  Run("CreateLoginProfile", {{"UserName", "c"}, {"Password", "Correct-Horse-7"}, {"PasswordResetRequired", true}});
  Principal c = UserPrincipal("c");
  // Neither a policy nor AllowUsersToChangePassword: denied.
  Err("ChangePassword", {{"OldPassword", "Correct-Horse-7"}, {"NewPassword", "Battery-Staple-8"}},
      "AccessDenied", 403, &c);
  Run("UpdateAccountPasswordPolicy", {{"AllowUsersToChangePassword", true}});
  Err("ChangePassword", {{"OldPassword", "wrong"}, {"NewPassword", "Battery-Staple-8"}}, "AccessDenied", 403, &c);
  Err("ChangePassword", {{"OldPassword", "Correct-Horse-7"}, {"NewPassword", "x"}}, "PasswordPolicyViolation", 400, &c);
  Run("ChangePassword", {{"OldPassword", "Correct-Horse-7"}, {"NewPassword", "Battery-Staple-8"}}, &c);
  EXPECT_FALSE(Run("GetLoginProfile", {{"UserName", "c"}})["LoginProfile"].as_object()["PasswordResetRequired"].as_bool());
  Err("ChangePassword", {{"OldPassword", "a"}, {"NewPassword", "b"}}, "InvalidUserType", 400);  // root
}

TEST_F(LoginTest, AccountAlias) {
  EXPECT_EQ(Run("ListAccountAliases", {})["AccountAliases"].as_array().size(), 0u);
  Err("CreateAccountAlias", {{"AccountAlias", "Bad_Alias"}}, "ValidationError", 400);
  Err("CreateAccountAlias", {{"AccountAlias", "a--b"}}, "ValidationError", 400);
  Err("CreateAccountAlias", {{"AccountAlias", "-ab"}}, "ValidationError", 400);
  Err("CreateAccountAlias", {{"AccountAlias", "123456789012"}}, "InvalidInput", 400);
  Run("CreateAccountAlias", {{"AccountAlias", "my-team"}});
  Run("CreateAccountAlias", {{"AccountAlias", "my-team"}});  // same alias again: no change
  json::object listed = Run("ListAccountAliases", {});
  ASSERT_EQ(listed["AccountAliases"].as_array().size(), 1u);
  EXPECT_EQ(listed["AccountAliases"].as_array()[0].as_string(), "my-team");
  EXPECT_FALSE(listed["IsTruncated"].as_bool());
  Err("DeleteAccountAlias", {{"AccountAlias", "other"}}, "NoSuchEntity", 404);
  Run("DeleteAccountAlias", {{"AccountAlias", "my-team"}});
  EXPECT_EQ(Run("ListAccountAliases", {})["AccountAliases"].as_array().size(), 0u);
}

TEST_F(LoginTest, AliasIsGloballyUnique) {
  ASSERT_TRUE(store_->Write([&](store::WriteTransaction& tx) -> Result<void> {
    store::AccountRow other;
    other.id = "210987654321";
    other.name = "other";
    other.email = "other@example.com";
    other.alias = "taken";
    other.created = clock_.Now();
    return tx.Accounts().Create(other);
  }));
  EXPECT_EQ(Err("CreateAccountAlias", {{"AccountAlias", "taken"}}, "EntityAlreadyExists", 409),
            "The account alias taken already exists.");
}

}  // namespace
}  // namespace rampart::services::iam::testing
