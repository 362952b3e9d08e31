#include "services/iam/identity_test_util.h"

namespace rampart::services::iam::testing {
namespace {

namespace json = boost::json;

using GroupsTest = IdentityTest;

TEST_F(GroupsTest, LifecycleWithMembers) {
  json::object made = Run("CreateGroup", {{"GroupName", "Admins"}, {"Path", "/ops/"}});
  const json::object& group = made["Group"].as_object();
  EXPECT_EQ(group.at("Arn").as_string(), "arn:aws:iam::123456789012:group/ops/Admins");
  EXPECT_TRUE(std::string(group.at("GroupId").as_string()).starts_with("AGPA"));
  EXPECT_EQ(Err("CreateGroup", {{"GroupName", "admins"}}, "EntityAlreadyExists", 409),
            "Group with name admins already exists.");
  for (const char* name : {"u1", "u2", "u3"}) {
    Run("CreateUser", {{"UserName", name}});
    Run("AddUserToGroup", {{"GroupName", "Admins"}, {"UserName", name}});
  }
  Run("AddUserToGroup", {{"GroupName", "Admins"}, {"UserName", "u1"}});  // idempotent
  json::object page = Run("GetGroup", {{"GroupName", "Admins"}, {"MaxItems", 2}});
  EXPECT_EQ(page["Users"].as_array().size(), 2u);
  EXPECT_TRUE(page["IsTruncated"].as_bool());
  json::object rest = Run("GetGroup", {{"GroupName", "Admins"}, {"Marker", page["Marker"]}});
  EXPECT_EQ(rest["Users"].as_array().size(), 1u);
  EXPECT_FALSE(rest["IsTruncated"].as_bool());

  json::object for_user = Run("ListGroupsForUser", {{"UserName", "u2"}});
  EXPECT_EQ(for_user["Groups"].as_array().size(), 1u);
  EXPECT_EQ(Run("ListGroups", {{"PathPrefix", "/ops/"}})["Groups"].as_array().size(), 1u);
  EXPECT_EQ(Run("ListGroups", {{"PathPrefix", "/dev/"}})["Groups"].as_array().size(), 0u);

  EXPECT_EQ(Err("DeleteGroup", {{"GroupName", "Admins"}}, "DeleteConflict", 409),
            "Cannot delete entity, must remove users from group first.");
  for (const char* name : {"u1", "u2", "u3"}) {
    Run("RemoveUserFromGroup", {{"GroupName", "Admins"}, {"UserName", name}});
  }
  Err("RemoveUserFromGroup", {{"GroupName", "Admins"}, {"UserName", "u1"}}, "NoSuchEntity", 404);
  Run("UpdateGroup", {{"GroupName", "Admins"}, {"NewGroupName", "Operators"}, {"NewPath", "/"}});
  EXPECT_EQ(Run("GetGroup", {{"GroupName", "Operators"}})["Group"].as_object()["Arn"].as_string(),
            "arn:aws:iam::123456789012:group/Operators");
  Run("DeleteGroup", {{"GroupName", "Operators"}});
  EXPECT_EQ(Err("GetGroup", {{"GroupName", "Operators"}}, "NoSuchEntity", 404),
            "The group with name Operators cannot be found.");
}

TEST_F(GroupsTest, MissingEntities) {
  Run("CreateGroup", {{"GroupName", "g"}});
  EXPECT_EQ(Err("AddUserToGroup", {{"GroupName", "g"}, {"UserName", "ghost"}}, "NoSuchEntity", 404),
            "The user with name ghost cannot be found.");
  EXPECT_EQ(Err("AddUserToGroup", {{"GroupName", "nope"}, {"UserName", "ghost"}}, "NoSuchEntity", 404),
            "The group with name nope cannot be found.");
  Err("ListGroupsForUser", {{"UserName", "ghost"}}, "NoSuchEntity", 404);
  Err("UpdateGroup", {{"GroupName", "nope"}, {"NewGroupName", "x"}}, "NoSuchEntity", 404);
}

TEST_F(GroupsTest, GroupsPerUserQuota) {
  Run("CreateUser", {{"UserName", "busy"}});
  for (int i = 0; i < 10; ++i) {
    Run("CreateGroup", {{"GroupName", "g" + std::to_string(i)}});
    Run("AddUserToGroup", {{"GroupName", "g" + std::to_string(i)}, {"UserName", "busy"}});
  }
  Run("CreateGroup", {{"GroupName", "extra"}});
  EXPECT_EQ(Err("AddUserToGroup", {{"GroupName", "extra"}, {"UserName", "busy"}}, "LimitExceeded", 409),
            "Cannot exceed quota for GroupsPerUser: 10");
}

TEST_F(GroupsTest, DeleteGroupWithPolicies) {
  Run("CreateGroup", {{"GroupName", "g"}});
  ASSERT_TRUE(store_->Write([&](store::WriteTransaction& tx) -> Result<void> {
    auto group = tx.Groups().Get(kAccount, "g");
    return tx.Attachments().Attach(kAccount, store::EntityRef::Group(group->id),
                                   "arn:aws:iam::aws:policy/ReadOnlyAccess");
  }));
  EXPECT_EQ(Err("DeleteGroup", {{"GroupName", "g"}}, "DeleteConflict", 409),
            "Cannot delete entity, must detach all policies first.");
}

}  // namespace
}  // namespace rampart::services::iam::testing
