#include "services/iam/identity_test_util.h"

#include <algorithm>

namespace rampart::services::iam::testing {
namespace {

namespace json = boost::json;

using UsersTest = IdentityTest;

TEST_F(UsersTest, CreateGetListUpdateDelete) {
  json::object made = Run("CreateUser", {{"UserName", "Alice"}, {"Path", "/eng/"},
                                          {"Tags", json::array{json::object{{"Key", "team"}, {"Value", "a"}}}}});
  const json::object& user = made["User"].as_object();
  EXPECT_EQ(user.at("UserName").as_string(), "Alice");
  EXPECT_EQ(user.at("Path").as_string(), "/eng/");
  EXPECT_EQ(user.at("Arn").as_string(), "arn:aws:iam::123456789012:user/eng/Alice");
  EXPECT_TRUE(std::string(user.at("UserId").as_string()).starts_with("AIDA"));
  EXPECT_EQ(user.at("Tags").as_array().size(), 1u);

  json::object got = Run("GetUser", {{"UserName", "alice"}});  // case-insensitive lookup
  EXPECT_EQ(got["User"].as_object()["UserName"].as_string(), "Alice");
  EXPECT_EQ(got["User"].as_object()["Tags"].as_array().size(), 1u);

  json::object listed = Run("ListUsers", {});
  EXPECT_EQ(listed["Users"].as_array().size(), 1u);
  EXPECT_FALSE(listed["IsTruncated"].as_bool());
  EXPECT_FALSE(listed["Users"].as_array()[0].as_object().contains("Tags"));

  Run("UpdateUser", {{"UserName", "Alice"}, {"NewUserName", "Alicia"}, {"NewPath", "/ops/"}});
  EXPECT_EQ(Run("GetUser", {{"UserName", "Alicia"}})["User"].as_object()["Arn"].as_string(),
            "arn:aws:iam::123456789012:user/ops/Alicia");
  Run("DeleteUser", {{"UserName", "Alicia"}});
  EXPECT_EQ(Err("GetUser", {{"UserName", "Alicia"}}, "NoSuchEntity", 404),
            "The user with name Alicia cannot be found.");
}

TEST_F(UsersTest, DuplicateNamesDifferOnlyInCase) {
  Run("CreateUser", {{"UserName", "Bob"}});
  EXPECT_EQ(Err("CreateUser", {{"UserName", "BOB"}}, "EntityAlreadyExists", 409),
            "User with name BOB already exists.");
  Run("CreateUser", {{"UserName", "carol"}});
  EXPECT_EQ(Err("UpdateUser", {{"UserName", "carol"}, {"NewUserName", "bob"}},
                "EntityAlreadyExists", 409),
            "User with name bob already exists.");
}

TEST_F(UsersTest, UserQuota) {
  options_.quotas.users_per_account = 2;
  registry_ = HandlerRegistry();
  Register(registry_, options_);
  Run("CreateUser", {{"UserName", "u1"}});
  Run("CreateUser", {{"UserName", "u2"}});
  EXPECT_EQ(Err("CreateUser", {{"UserName", "u3"}}, "LimitExceeded", 409),
            "Cannot exceed quota for UsersPerAccount: 2");
}

TEST_F(UsersTest, InvalidPathIsRejected) {
  Err("CreateUser", {{"UserName", "u"}, {"Path", "nope"}}, "ValidationError", 400);
}

TEST_F(UsersTest, ListUsersPaginatesWithPathPrefix) {
  for (const char* name : {"a", "b", "c", "d", "e"}) {
    Run("CreateUser", {{"UserName", name}, {"Path", "/p/"}});
  }
  Run("CreateUser", {{"UserName", "z"}});
  std::vector<std::string> seen;
  json::object in{{"PathPrefix", "/p/"}, {"MaxItems", 2}};
  for (int page = 0; page < 5; ++page) {
    json::object out = Run("ListUsers", in);
    for (const json::value& u : out["Users"].as_array()) {
      seen.emplace_back(u.as_object().at("UserName").as_string());
    }
    if (!out["IsTruncated"].as_bool()) break;
    in["Marker"] = out["Marker"];
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(Err("ListUsers", {{"Marker", "tampered"}}, "ValidationError", 400), "Invalid Marker.");
}

TEST_F(UsersTest, RootGetUserWithoutNameIsTheRootView) {
  json::object out = Run("GetUser", {});
  const json::object& user = out["User"].as_object();
  EXPECT_EQ(user.at("UserId").as_string(), kAccount);
  EXPECT_EQ(user.at("Arn").as_string(), "arn:aws:iam::123456789012:root");
  EXPECT_FALSE(user.contains("UserName"));
}

TEST_F(UsersTest, IamUserGetUserWithoutNameIsItself) {
  Run("CreateUser", {{"UserName", "dave"}});
  PutUserPolicy("dave", "self",
                R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser",)"
                R"("Resource":"arn:aws:iam::*:user/${aws:username}"}]})");
  Principal dave = UserPrincipal("dave");
  EXPECT_EQ(Run("GetUser", {}, &dave)["User"].as_object()["UserName"].as_string(), "dave");
  Run("CreateUser", {{"UserName", "erin"}});
  EXPECT_EQ(Err("GetUser", {{"UserName", "erin"}}, "AccessDenied", 403, &dave),
            "User: arn:aws:iam::123456789012:user/dave is not authorized to perform: iam:GetUser "
            "on resource: arn:aws:iam::123456789012:user/erin because no identity-based policy "
            "allows the iam:GetUser action");
}

TEST_F(UsersTest, DeleteUserConflicts) {
  Run("CreateUser", {{"UserName", "frank"}});
  Run("CreateAccessKey", {{"UserName", "frank"}});
  EXPECT_EQ(Err("DeleteUser", {{"UserName", "frank"}}, "DeleteConflict", 409),
            "Cannot delete entity, must delete access keys first.");
  json::object keys = Run("ListAccessKeys", {{"UserName", "frank"}});
  Run("DeleteAccessKey", {{"UserName", "frank"},
                          {"AccessKeyId", keys["AccessKeyMetadata"].as_array()[0].as_object()["AccessKeyId"]}});
  Run("CreateGroup", {{"GroupName", "g"}});
  Run("AddUserToGroup", {{"GroupName", "g"}, {"UserName", "frank"}});
  EXPECT_EQ(Err("DeleteUser", {{"UserName", "frank"}}, "DeleteConflict", 409),
            "Cannot delete entity, must remove users from group first.");
  Run("RemoveUserFromGroup", {{"GroupName", "g"}, {"UserName", "frank"}});
  PutUserPolicy("frank", "p", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})");
  EXPECT_EQ(Err("DeleteUser", {{"UserName", "frank"}}, "DeleteConflict", 409),
            "Cannot delete entity, must delete policies first.");
  ASSERT_TRUE(store_->Write([&](store::WriteTransaction& tx) -> Result<void> {
    auto user = tx.Users().Get(kAccount, "frank");
    if (auto deleted = tx.InlinePolicies().Delete(store::EntityRef::User(user->id), "p"); !deleted) {
      return deleted;
    }
    return tx.Attachments().Attach(kAccount, store::EntityRef::User(user->id),
                                   "arn:aws:iam::aws:policy/ReadOnlyAccess");
  }));
  EXPECT_EQ(Err("DeleteUser", {{"UserName", "frank"}}, "DeleteConflict", 409),
            "Cannot delete entity, must detach all policies first.");
  ASSERT_TRUE(store_->Write([&](store::WriteTransaction& tx) -> Result<void> {
    auto user = tx.Users().Get(kAccount, "frank");
    return tx.Attachments().Detach(store::EntityRef::User(user->id),
                                   "arn:aws:iam::aws:policy/ReadOnlyAccess");
  }));
  Run("DeleteUser", {{"UserName", "frank"}});
  Err("DeleteUser", {{"UserName", "frank"}}, "NoSuchEntity", 404);
}

TEST_F(UsersTest, PermissionsBoundary) {
  EXPECT_EQ(Err("CreateUser", {{"UserName", "g"}, {"PermissionsBoundary", "arn:aws:iam::aws:policy/NoSuchPolicy"}},
                "NoSuchEntity", 404),
            "Scope ARN: arn:aws:iam::aws:policy/NoSuchPolicy does not exist or is not attachable.");
  EXPECT_EQ(Err("CreateUser", {{"UserName", "g"}, {"PermissionsBoundary", "arn:aws:iam::123456789012:role/x"}},
                "InvalidInput", 400),
            "ARN arn:aws:iam::123456789012:role/x is not valid.");
  json::object made = Run("CreateUser", {{"UserName", "g"},
                                         {"PermissionsBoundary", "arn:aws:iam::aws:policy/ReadOnlyAccess"}});
  EXPECT_EQ(made["User"].as_object()["PermissionsBoundary"].as_object()["PermissionsBoundaryArn"].as_string(),
            "arn:aws:iam::aws:policy/ReadOnlyAccess");
  Run("DeleteUserPermissionsBoundary", {{"UserName", "g"}});
  EXPECT_FALSE(Run("GetUser", {{"UserName", "g"}})["User"].as_object().contains("PermissionsBoundary"));
  Run("PutUserPermissionsBoundary", {{"UserName", "g"}, {"PermissionsBoundary", "arn:aws:iam::aws:policy/ReadOnlyAccess"}});
  EXPECT_EQ(Run("GetUser", {{"UserName", "g"}})["User"].as_object()["PermissionsBoundary"]
                .as_object()["PermissionsBoundaryType"].as_string(),
            "PermissionsBoundaryPolicy");
  Err("PutUserPermissionsBoundary", {{"UserName", "nobody"}, {"PermissionsBoundary", "arn:aws:iam::aws:policy/ReadOnlyAccess"}},
      "NoSuchEntity", 404);
}

TEST_F(UsersTest, Tags) {
  Run("CreateUser", {{"UserName", "t"}});
  Run("TagUser", {{"UserName", "t"}, {"Tags", json::array{json::object{{"Key", "A"}, {"Value", "1"}},
                                                          json::object{{"Key", "b"}, {"Value", "2"}}}}});
  EXPECT_EQ(Err("TagUser", {{"UserName", "t"}, {"Tags", json::array{json::object{{"Key", "k"}, {"Value", "1"}},
                                                                     json::object{{"Key", "K"}, {"Value", "2"}}}}},
                "InvalidInput", 400),
            "Duplicate tag keys found. Please note that Tag keys are case insensitive.");
  json::object page = Run("ListUserTags", {{"UserName", "t"}, {"MaxItems", 1}});
  EXPECT_EQ(page["Tags"].as_array().size(), 1u);
  EXPECT_TRUE(page["IsTruncated"].as_bool());
  json::object rest = Run("ListUserTags", {{"UserName", "t"}, {"MaxItems", 1}, {"Marker", page["Marker"]}});
  EXPECT_EQ(rest["Tags"].as_array().size(), 1u);
  EXPECT_FALSE(rest["IsTruncated"].as_bool());
  // The marker belongs to t's listing: another user's listing refuses it.
  Run("CreateUser", {{"UserName", "u"}});
  EXPECT_EQ(Err("ListUserTags", {{"UserName", "u"}, {"MaxItems", 1}, {"Marker", page["Marker"]}},
                "ValidationError", 400),
            "Invalid Marker.");
  Run("UntagUser", {{"UserName", "t"}, {"TagKeys", json::array{"a"}}});
  EXPECT_EQ(Run("ListUserTags", {{"UserName", "t"}})["Tags"].as_array().size(), 1u);
  json::array many;
  for (int i = 0; i < 50; ++i) many.push_back(json::object{{"Key", "k" + std::to_string(i)}, {"Value", ""}});
  EXPECT_EQ(Err("TagUser", {{"UserName", "t"}, {"Tags", many}}, "LimitExceeded", 409),
            "Cannot exceed quota for TagsPerUser: 50");
  Err("ListUserTags", {{"UserName", "nobody"}}, "NoSuchEntity", 404);
}

// A rename or a move is authorized on the current ARN and on the new one.
TEST_F(UsersTest, RenameTargetsTheCurrentAndTheNewArn) {
  Run("CreateUser", {{"UserName", "alice"}, {"Path", "/eng/"}});
  Run("CreateGroup", {{"GroupName", "devs"}, {"Path", "/teams/"}});
  auto target = [&](const char* operation, json::object in) {
    const OperationSpec* spec = registry_.Find("iam", operation);
    EXPECT_NE(spec, nullptr);
    CallContext call(env_, root_);
    call.operation = operation;
    Result<authz::AuthzTarget> made = spec->target(call, in);
    EXPECT_TRUE(made.has_value());
    return made ? made->resources : std::vector<std::string>{};
  };
  const std::string user = "arn:aws:iam::123456789012:user/";
  EXPECT_EQ(target("UpdateUser", {{"UserName", "alice"}, {"NewUserName", "alicia"}}),
            (std::vector<std::string>{user + "eng/alice", user + "eng/alicia"}));
  EXPECT_EQ(target("UpdateUser", {{"UserName", "alice"}, {"NewPath", "/ops/"}}),
            (std::vector<std::string>{user + "eng/alice", user + "ops/alice"}));
  EXPECT_EQ(target("UpdateUser", {{"UserName", "alice"}}),
            (std::vector<std::string>{user + "eng/alice"}));
  const std::string group = "arn:aws:iam::123456789012:group/";
  EXPECT_EQ(target("UpdateGroup", {{"GroupName", "devs"}, {"NewGroupName", "ops"},
                                   {"NewPath", "/"}}),
            (std::vector<std::string>{group + "teams/devs", group + "ops"}));
}

// Every Tag<Entity> is authorized with aws:RequestTag/* and aws:TagKeys, every
// Untag<Entity> with aws:TagKeys; duplicate keys answer InvalidInput before authorization.
TEST_F(UsersTest, TagOperationsCarryTheRequestTagKeys) {
  const json::array tags{json::object{{"Key", "env"}, {"Value", "prod"}}};
  const json::array keys{"env", "team"};
  struct Case {
    const char* tag;
    const char* untag;
    json::object subject;
  };
  const Case cases[] = {
      {"TagUser", "UntagUser", {{"UserName", "alice"}}},
      {"TagRole", "UntagRole", {{"RoleName", "app"}}},
      {"TagPolicy", "UntagPolicy", {{"PolicyArn", "arn:aws:iam::123456789012:policy/p"}}},
      {"TagInstanceProfile", "UntagInstanceProfile", {{"InstanceProfileName", "ip"}}},
      {"TagMFADevice", "UntagMFADevice",
       {{"SerialNumber", "arn:aws:iam::123456789012:mfa/alice"}}},
  };
  auto target = [&](const char* operation, json::object in) {
    const OperationSpec* spec = registry_.Find("iam", operation);
    EXPECT_NE(spec, nullptr) << operation;
    CallContext call(env_, root_);
    call.operation = operation;
    return spec->target(call, in);
  };
  auto find = [](const authz::AuthzTarget& t, const std::string& key) {
    for (const auto& [name, values] : t.keys) {
      if (name == key) return values;
    }
    return std::vector<std::string>{};
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.tag);
    json::object tag_in = c.subject;
    tag_in["Tags"] = tags;
    Result<authz::AuthzTarget> tagged = target(c.tag, tag_in);
    ASSERT_TRUE(tagged.has_value()) << tagged.error().message;
    EXPECT_EQ(find(*tagged, "aws:RequestTag/env"), std::vector<std::string>{"prod"});
    EXPECT_EQ(find(*tagged, "aws:TagKeys"), std::vector<std::string>{"env"});
    EXPECT_NE(std::find(tagged->multivalued_keys.begin(), tagged->multivalued_keys.end(),
                        "aws:TagKeys"),
              tagged->multivalued_keys.end());

    json::object duplicate = c.subject;
    duplicate["Tags"] = json::array{json::object{{"Key", "a"}, {"Value", "1"}},
                                    json::object{{"Key", "A"}, {"Value", "2"}}};
    Result<authz::AuthzTarget> refused = target(c.tag, duplicate);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, "InvalidInput");

    json::object untag_in = c.subject;
    untag_in["TagKeys"] = keys;
    Result<authz::AuthzTarget> untagged = target(c.untag, untag_in);
    ASSERT_TRUE(untagged.has_value()) << untagged.error().message;
    EXPECT_EQ(find(*untagged, "aws:TagKeys"), (std::vector<std::string>{"env", "team"}));
  }
}

}  // namespace
}  // namespace rampart::services::iam::testing
