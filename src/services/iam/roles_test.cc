// Tests of the role families (roles.cc, instance_profiles.cc): CreateRole and friends,
// service-linked roles and instance profiles, over a temporary SQLite store.
#include "services/iam/policies_test_util.h"

namespace rampart::services::iam {
namespace {

using RolesTest = PoliciesFixture;

json::object RoleInput(std::string name, std::string document = kTrust) {
  return json::object{{"RoleName", name}, {"AssumeRolePolicyDocument", document}};
}

TEST_F(RolesTest, CreateRoleReturnsAwsMembers) {
  json::object in = RoleInput("app");
  in["Path"] = "/svc/";
  in["Description"] = "the app";
  in["Tags"] = json::array{json::object{{"Key", "team"}, {"Value", "blue"}}};
  json::object out = Ok("CreateRole", in);
  const json::object& role = out.at("Role").as_object();
  EXPECT_EQ(Str(role.at("Arn")), "arn:aws:iam::111122223333:role/svc/app");
  EXPECT_EQ(Str(role.at("Path")), "/svc/");
  EXPECT_EQ(Str(role.at("RoleId")).rfind("AROA", 0), 0u);
  EXPECT_EQ(Str(role.at("AssumeRolePolicyDocument")), UrlEncodeDocument(kTrust));
  EXPECT_EQ(Str(role.at("Description")), "the app");
  EXPECT_FALSE(role.contains("MaxSessionDuration"));  // as AWS's CreateRole response
  EXPECT_EQ(role.at("Tags").as_array().size(), 1u);

  json::object got = Ok("GetRole", {{"RoleName", "APP"}}).at("Role").as_object();
  EXPECT_EQ(Str(got.at("RoleName")), "app");  // case preserved, looked up case-insensitively
  EXPECT_EQ(got.at("MaxSessionDuration").as_int64(), 3600);
  EXPECT_TRUE(got.at("RoleLastUsed").as_object().empty());
  EXPECT_EQ(Str(got.at("CreateDate")), "2025-10-09T08:53:20Z");
}

TEST_F(RolesTest, CreateRoleErrors) {
  Ok("CreateRole", RoleInput("app"));
  EXPECT_EQ(ErrorOf("CreateRole", RoleInput("APP")),
            "EntityAlreadyExists|409|Role with name APP already exists.");
  EXPECT_EQ(ErrorOf("CreateRole", RoleInput("r1", "{not json")),
            "MalformedPolicyDocument|400|This policy contains invalid Json");
  EXPECT_EQ(ErrorOf("CreateRole",
                    RoleInput("r2", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
                                    R"("Principal":{"Service":"ec2.amazonaws.com"},)"
                                    R"("Action":"sts:AssumeRole","Resource":"*"}]})")),
            "MalformedPolicyDocument|400|Has prohibited field Resource");
  EXPECT_EQ(ErrorOf("CreateRole",
                    RoleInput("r3", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
                                    R"("Principal":{"Service":"ec2.amazonaws.com"},)"
                                    R"("Action":"s3:GetObject"}]})")),
            "MalformedPolicyDocument|400|AssumeRole policy may only specify STS AssumeRole "
            "actions.");
  // sts:TagSession and sts:SetSourceIdentity are valid trust-policy actions.
  Ok("CreateRole", RoleInput("r4", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
                                   R"("Principal":{"AWS":"arn:aws:iam::111122223333:root"},)"
                                   R"("Action":["sts:AssumeRole","sts:TagSession",)"
                                   R"("sts:SetSourceIdentity"]}]})"));
  std::string big = R"({"Version":"2012-10-17","Statement":[)";
  for (int i = 0; i < 30; ++i) {
    if (i > 0) big += ",";
    big += fmt::format(R"({{"Sid":"S{}","Effect":"Allow","Principal":{{"Service":"ec2.amazonaws.com"}},"Action":"sts:AssumeRole"}})", i);
  }
  big += "]}";
  EXPECT_EQ(ErrorOf("CreateRole", RoleInput("r5", big)),
            "LimitExceeded|409|Cannot exceed quota for ACLSizePerRole: 2048");
  json::object bad_boundary = RoleInput("r6");
  bad_boundary["PermissionsBoundary"] = "arn:aws:iam::111122223333:not_a_policy/invalid";
  EXPECT_EQ(ErrorOf("CreateRole", bad_boundary),
            "InvalidInput|400|ARN arn:aws:iam::111122223333:not_a_policy/invalid is not valid.");
  bad_boundary["PermissionsBoundary"] = "arn:aws:iam::111122223333:policy/nonexistent-policy";
  EXPECT_EQ(ErrorOf("CreateRole", bad_boundary),
            "NoSuchEntity|404|Scope ARN: arn:aws:iam::111122223333:policy/nonexistent-policy does "
            "not exist or is not attachable.");
  json::object dup_tags = RoleInput("r7");
  dup_tags["Tags"] = json::array{json::object{{"Key", "a"}, {"Value", "1"}},
                                 json::object{{"Key", "A"}, {"Value", "2"}}};
  EXPECT_EQ(ErrorOf("CreateRole", dup_tags),
            "InvalidInput|400|Duplicate tag keys found. Please note that Tag keys are case "
            "insensitive.");
  EXPECT_EQ(ErrorOf("GetRole", {{"RoleName", "r7"}}),
            "NoSuchEntity|404|The role with name r7 cannot be found.");
}

TEST_F(RolesTest, RolesPerAccountQuotaIsConfigurable) {
  options_.quotas.roles_per_account = 2;
  Register();
  Ok("CreateRole", RoleInput("a"));
  Ok("CreateRole", RoleInput("b"));
  EXPECT_EQ(ErrorOf("CreateRole", RoleInput("c")),
            "LimitExceeded|409|Cannot exceed quota for RolesPerAccount: 2");
}

TEST_F(RolesTest, CreateRoleWithAwsManagedBoundary) {
  json::object in = RoleInput("bounded");
  in["PermissionsBoundary"] = "arn:aws:iam::aws:policy/ReadOnlyAccess";
  json::object role = Ok("CreateRole", in).at("Role").as_object();
  EXPECT_EQ(Str(role.at("PermissionsBoundary").at("PermissionsBoundaryArn")),
            "arn:aws:iam::aws:policy/ReadOnlyAccess");
  EXPECT_EQ(Str(role.at("PermissionsBoundary").at("PermissionsBoundaryType")), "Policy");
  Ok("DeleteRolePermissionsBoundary", {{"RoleName", "bounded"}});
  EXPECT_FALSE(
      Ok("GetRole", {{"RoleName", "bounded"}}).at("Role").as_object().contains("PermissionsBoundary"));
  Ok("PutRolePermissionsBoundary",
     {{"RoleName", "bounded"}, {"PermissionsBoundary", "arn:aws:iam::aws:policy/ReadOnlyAccess"}});
  EXPECT_TRUE(
      Ok("GetRole", {{"RoleName", "bounded"}}).at("Role").as_object().contains("PermissionsBoundary"));
}

TEST_F(RolesTest, ListRolesPagesAndFilters) {
  for (const char* name : {"c", "a", "b"}) Ok("CreateRole", RoleInput(name));
  json::object in = RoleInput("d");
  in["Path"] = "/x/";
  Ok("CreateRole", in);
  json::object page1 = Ok("ListRoles", {{"MaxItems", 2}});
  ASSERT_EQ(page1.at("Roles").as_array().size(), 2u);
  EXPECT_EQ(Str(page1.at("Roles").as_array()[0].at("RoleName")), "a");
  EXPECT_TRUE(page1.at("IsTruncated").as_bool());
  json::object page2 = Ok("ListRoles", {{"MaxItems", 2}, {"Marker", page1.at("Marker")}});
  EXPECT_EQ(page2.at("Roles").as_array().size(), 2u);
  EXPECT_FALSE(page2.at("IsTruncated").as_bool());
  json::object filtered = Ok("ListRoles", {{"PathPrefix", "/x/"}});
  ASSERT_EQ(filtered.at("Roles").as_array().size(), 1u);
  const json::object& listed = filtered.at("Roles").as_array()[0].as_object();
  EXPECT_EQ(Str(listed.at("RoleName")), "d");
  EXPECT_TRUE(listed.contains("MaxSessionDuration"));
  EXPECT_FALSE(listed.contains("RoleLastUsed"));
  EXPECT_EQ(ErrorOf("ListRoles", {{"Marker", "garbage"}}).substr(0, 15), "ValidationError");
}

TEST_F(RolesTest, UpdatesChangeTheRole) {
  Ok("CreateRole", RoleInput("app"));
  Ok("UpdateRole", {{"RoleName", "app"}, {"Description", "d1"}, {"MaxSessionDuration", 7200}});
  json::object role = Ok("GetRole", {{"RoleName", "app"}}).at("Role").as_object();
  EXPECT_EQ(Str(role.at("Description")), "d1");
  EXPECT_EQ(role.at("MaxSessionDuration").as_int64(), 7200);
  json::object described = Ok("UpdateRoleDescription", {{"RoleName", "app"}, {"Description", "d2"}});
  EXPECT_EQ(Str(described.at("Role").at("Description")), "d2");
  const std::string trust2 =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]})";
  Ok("UpdateAssumeRolePolicy", {{"RoleName", "app"}, {"PolicyDocument", trust2}});
  EXPECT_EQ(Str(Ok("GetRole", {{"RoleName", "app"}}).at("Role").at("AssumeRolePolicyDocument")),
            UrlEncodeDocument(trust2));
  EXPECT_EQ(ErrorOf("UpdateAssumeRolePolicy",
                    {{"RoleName", "app"},
                     {"PolicyDocument", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"x.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]})"}}),
            "MalformedPolicyDocument|400|Has prohibited field Resource");
  EXPECT_EQ(ErrorOf("UpdateRole", {{"RoleName", "nope"}}),
            "NoSuchEntity|404|The role with name nope cannot be found.");
}

TEST_F(RolesTest, DeleteRoleReportsEachDependant) {
  Ok("CreateRole", RoleInput("app"));
  Ok("CreateInstanceProfile", {{"InstanceProfileName", "prof"}});
  Ok("AddRoleToInstanceProfile", {{"InstanceProfileName", "prof"}, {"RoleName", "app"}});
  EXPECT_EQ(ErrorOf("DeleteRole", {{"RoleName", "app"}}),
            "DeleteConflict|409|Cannot delete entity, must remove roles from instance profile "
            "first.");
  Ok("RemoveRoleFromInstanceProfile", {{"InstanceProfileName", "prof"}, {"RoleName", "app"}});
  Ok("PutRolePolicy", {{"RoleName", "app"}, {"PolicyName", "p"}, {"PolicyDocument", kAllowAll}});
  EXPECT_EQ(ErrorOf("DeleteRole", {{"RoleName", "app"}}),
            "DeleteConflict|409|Cannot delete entity, must delete policies first.");
  Ok("DeleteRolePolicy", {{"RoleName", "app"}, {"PolicyName", "p"}});
  Ok("AttachRolePolicy",
     {{"RoleName", "app"}, {"PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess"}});
  EXPECT_EQ(ErrorOf("DeleteRole", {{"RoleName", "app"}}),
            "DeleteConflict|409|Cannot delete entity, must detach all policies first.");
  Ok("DetachRolePolicy",
     {{"RoleName", "app"}, {"PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess"}});
  Ok("DeleteRole", {{"RoleName", "app"}});
  EXPECT_EQ(ErrorOf("DeleteRole", {{"RoleName", "app"}}),
            "NoSuchEntity|404|The role with name app cannot be found.");
}

TEST_F(RolesTest, RoleTags) {
  Ok("CreateRole", RoleInput("app"));
  Ok("TagRole", {{"RoleName", "app"},
                 {"Tags", json::array{json::object{{"Key", "b"}, {"Value", "2"}},
                                      json::object{{"Key", "a"}, {"Value", "1"}}}}});
  json::object tags = Ok("ListRoleTags", {{"RoleName", "app"}, {"MaxItems", 1}});
  ASSERT_EQ(tags.at("Tags").as_array().size(), 1u);
  EXPECT_EQ(Str(tags.at("Tags").as_array()[0].at("Key")), "a");
  EXPECT_TRUE(tags.at("IsTruncated").as_bool());
  json::object rest = Ok("ListRoleTags", {{"RoleName", "app"}, {"Marker", tags.at("Marker")}});
  EXPECT_EQ(Str(rest.at("Tags").as_array()[0].at("Key")), "b");
  Ok("UntagRole", {{"RoleName", "app"}, {"TagKeys", json::array{"A"}}});
  EXPECT_EQ(Ok("ListRoleTags", {{"RoleName", "app"}}).at("Tags").as_array().size(), 1u);
  options_.quotas.tags_per_entity = 2;
  Register();
  EXPECT_EQ(ErrorOf("TagRole", {{"RoleName", "app"},
                                {"Tags", json::array{json::object{{"Key", "c"}, {"Value", "3"}},
                                                     json::object{{"Key", "d"}, {"Value", "4"}}}}}),
            "LimitExceeded|409|Cannot exceed quota for TagsPerRole: 2");
  // Replacing an existing key does not count against the quota.
  Ok("TagRole", {{"RoleName", "app"},
                 {"Tags", json::array{json::object{{"Key", "B"}, {"Value", "x"}},
                                      json::object{{"Key", "c"}, {"Value", "3"}}}}});
}

TEST_F(RolesTest, AuthorizationTargetUsesStoredPathTagsAndBoundary) {
  json::object in = RoleInput("app");
  in["Path"] = "/team/";
  in["PermissionsBoundary"] = "arn:aws:iam::aws:policy/ReadOnlyAccess";
  in["Tags"] = json::array{json::object{{"Key", "env"}, {"Value", "prod"}}};
  Result<authz::AuthzTarget> create = TargetOf("CreateRole", in);
  ASSERT_TRUE(create);
  EXPECT_EQ(create->action, "iam:CreateRole");
  EXPECT_EQ(create->resources[0], "arn:aws:iam::111122223333:role/team/app");
  bool has_boundary = false, has_tag = false;
  for (const auto& [key, values] : create->keys) {
    if (key == "iam:PermissionsBoundary") has_boundary = values[0] == "arn:aws:iam::aws:policy/ReadOnlyAccess";
    if (key == "aws:RequestTag/env") has_tag = values[0] == "prod";
  }
  EXPECT_TRUE(has_boundary);
  EXPECT_TRUE(has_tag);
  Ok("CreateRole", in);
  Result<authz::AuthzTarget> del = TargetOf("DeleteRole", {{"RoleName", "app"}});
  ASSERT_TRUE(del);
  EXPECT_EQ(del->resources[0], "arn:aws:iam::111122223333:role/team/app");
  bool resource_tag = false;
  has_boundary = false;
  for (const auto& [key, values] : del->keys) {
    if (key == "aws:ResourceTag/env") resource_tag = values[0] == "prod";
    if (key == "iam:PermissionsBoundary") has_boundary = true;
  }
  EXPECT_TRUE(resource_tag);
  EXPECT_TRUE(has_boundary);
  Result<authz::AuthzTarget> missing = TargetOf("GetRole", {{"RoleName", "ghost"}});
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->resources[0], "arn:aws:iam::111122223333:role/ghost");
}

TEST_F(RolesTest, ServiceLinkedRoles) {
  json::object role =
      Ok("CreateServiceLinkedRole", {{"AWSServiceName", "batch.amazonaws.com"}}).at("Role").as_object();
  EXPECT_EQ(Str(role.at("RoleName")), "AWSServiceRoleForBatch");
  EXPECT_EQ(Str(role.at("Path")), "/aws-service-role/batch.amazonaws.com/");
  EXPECT_EQ(Str(role.at("Arn")),
            "arn:aws:iam::111122223333:role/aws-service-role/batch.amazonaws.com/"
            "AWSServiceRoleForBatch");
  EXPECT_EQ(ErrorOf("CreateServiceLinkedRole", {{"AWSServiceName", "batch.amazonaws.com"}}),
            "InvalidInput|400|Service role name AWSServiceRoleForBatch has been taken in this "
            "account, please try a different suffix.");
  EXPECT_EQ(ErrorOf("CreateServiceLinkedRole", {{"AWSServiceName", "ops.apigateway.amazonaws.com"},
                                                {"CustomSuffix", "x"}}),
            "InvalidInput|400|Custom suffix is not allowed for ops.apigateway.amazonaws.com");
  json::object suffixed = Ok("CreateServiceLinkedRole",
                             {{"AWSServiceName", "autoscaling.amazonaws.com"}, {"CustomSuffix", "web"}});
  EXPECT_EQ(Str(suffixed.at("Role").at("RoleName")), "AWSServiceRoleForAutoScaling_web");
  const std::string protected_message =
      "UnmodifiableEntity|400|Cannot perform the operation on the protected role "
      "'AWSServiceRoleForBatch' - this role is only modifiable by AWS";
  EXPECT_EQ(ErrorOf("DeleteRole", {{"RoleName", "AWSServiceRoleForBatch"}}), protected_message);
  EXPECT_EQ(ErrorOf("UpdateAssumeRolePolicy",
                    {{"RoleName", "AWSServiceRoleForBatch"}, {"PolicyDocument", kTrust}}),
            protected_message);
  EXPECT_EQ(ErrorOf("AttachRolePolicy", {{"RoleName", "AWSServiceRoleForBatch"},
                                         {"PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess"}}),
            protected_message);
  Ok("CreateRole", RoleInput("plain"));
  EXPECT_EQ(ErrorOf("DeleteServiceLinkedRole", {{"RoleName", "plain"}}).substr(0, 12),
            "InvalidInput");
  json::object task = Ok("DeleteServiceLinkedRole", {{"RoleName", "AWSServiceRoleForBatch"}});
  const std::string task_id = Str(task.at("DeletionTaskId"));
  EXPECT_EQ(task_id.rfind("task/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch/", 0), 0u);
  EXPECT_EQ(Str(Ok("GetServiceLinkedRoleDeletionStatus", {{"DeletionTaskId", task_id}}).at("Status")),
            "SUCCEEDED");
  EXPECT_EQ(ErrorOf("GetServiceLinkedRoleDeletionStatus", {{"DeletionTaskId", "bogus"}}).substr(0, 12),
            "InvalidInput");
  EXPECT_EQ(ErrorOf("GetRole", {{"RoleName", "AWSServiceRoleForBatch"}}).substr(0, 12),
            "NoSuchEntity");
  Result<authz::AuthzTarget> status_target =
      TargetOf("GetServiceLinkedRoleDeletionStatus", {{"DeletionTaskId", task_id}});
  ASSERT_TRUE(status_target);
  EXPECT_EQ(status_target->resources[0],
            "arn:aws:iam::111122223333:role/aws-service-role/batch.amazonaws.com/"
            "AWSServiceRoleForBatch");
}

// ---------------------------------------------------------------------------------------
// Instance profiles

using InstanceProfilesTest = PoliciesFixture;

TEST_F(InstanceProfilesTest, Lifecycle) {
  json::object created = Ok("CreateInstanceProfile",
                            {{"InstanceProfileName", "web"},
                             {"Path", "/p/"},
                             {"Tags", json::array{json::object{{"Key", "k"}, {"Value", "v"}}}}});
  const json::object& profile = created.at("InstanceProfile").as_object();
  EXPECT_EQ(Str(profile.at("Arn")), "arn:aws:iam::111122223333:instance-profile/p/web");
  EXPECT_EQ(Str(profile.at("InstanceProfileId")).rfind("AIPA", 0), 0u);
  EXPECT_TRUE(profile.at("Roles").as_array().empty());
  EXPECT_EQ(profile.at("Tags").as_array().size(), 1u);
  EXPECT_EQ(ErrorOf("CreateInstanceProfile", {{"InstanceProfileName", "WEB"}}),
            "EntityAlreadyExists|409|Instance Profile WEB already exists.");
  Ok("CreateRole", RoleInput("r1"));
  Ok("CreateRole", RoleInput("r2"));
  EXPECT_EQ(ErrorOf("AddRoleToInstanceProfile",
                    {{"InstanceProfileName", "web"}, {"RoleName", "nonexistent-role"}}),
            "NoSuchEntity|404|The role with name nonexistent-role cannot be found.");
  EXPECT_EQ(ErrorOf("AddRoleToInstanceProfile", {{"InstanceProfileName", "nope"}, {"RoleName", "r1"}}),
            "NoSuchEntity|404|Instance Profile nope cannot be found.");
  Ok("AddRoleToInstanceProfile", {{"InstanceProfileName", "web"}, {"RoleName", "r1"}});
  EXPECT_EQ(ErrorOf("AddRoleToInstanceProfile", {{"InstanceProfileName", "web"}, {"RoleName", "r2"}}),
            "LimitExceeded|409|Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1");
  json::object got = Ok("GetInstanceProfile", {{"InstanceProfileName", "web"}});
  const json::array& roles = got.at("InstanceProfile").at("Roles").as_array();
  ASSERT_EQ(roles.size(), 1u);
  EXPECT_EQ(Str(roles[0].at("RoleName")), "r1");
  EXPECT_FALSE(roles[0].as_object().contains("MaxSessionDuration"));
  json::object for_role = Ok("ListInstanceProfilesForRole", {{"RoleName", "r1"}});
  EXPECT_EQ(for_role.at("InstanceProfiles").as_array().size(), 1u);
  EXPECT_FALSE(for_role.at("IsTruncated").as_bool());
  EXPECT_EQ(ErrorOf("DeleteInstanceProfile", {{"InstanceProfileName", "web"}}),
            "DeleteConflict|409|Cannot delete entity, must remove roles from instance profile "
            "first.");
  EXPECT_EQ(ErrorOf("RemoveRoleFromInstanceProfile", {{"InstanceProfileName", "web"}, {"RoleName", "r2"}}),
            "NoSuchEntity|404|Role r2 in Instance Profile web cannot be found.");
  Ok("RemoveRoleFromInstanceProfile", {{"InstanceProfileName", "web"}, {"RoleName", "r1"}});
  Ok("TagInstanceProfile", {{"InstanceProfileName", "web"},
                            {"Tags", json::array{json::object{{"Key", "k2"}, {"Value", "v2"}}}}});
  EXPECT_EQ(Ok("ListInstanceProfileTags", {{"InstanceProfileName", "web"}}).at("Tags").as_array().size(), 2u);
  Ok("UntagInstanceProfile", {{"InstanceProfileName", "web"}, {"TagKeys", json::array{"k"}}});
  EXPECT_EQ(Ok("ListInstanceProfileTags", {{"InstanceProfileName", "web"}}).at("Tags").as_array().size(), 1u);
  Ok("CreateInstanceProfile", {{"InstanceProfileName", "api"}});
  json::object listed = Ok("ListInstanceProfiles", {{"MaxItems", 1}});
  EXPECT_EQ(Str(listed.at("InstanceProfiles").as_array()[0].at("InstanceProfileName")), "api");
  EXPECT_FALSE(listed.at("InstanceProfiles").as_array()[0].as_object().contains("Tags"));
  EXPECT_TRUE(listed.at("IsTruncated").as_bool());
  Ok("DeleteInstanceProfile", {{"InstanceProfileName", "web"}});
  EXPECT_EQ(ErrorOf("GetInstanceProfile", {{"InstanceProfileName", "web"}}),
            "NoSuchEntity|404|Instance Profile web cannot be found.");
}

TEST_F(InstanceProfilesTest, QuotaIsConfigurable) {
  options_.quotas.instance_profiles_per_account = 1;
  options_.quotas.roles_per_instance_profile = 2;
  Register();
  Ok("CreateInstanceProfile", {{"InstanceProfileName", "a"}});
  EXPECT_EQ(ErrorOf("CreateInstanceProfile", {{"InstanceProfileName", "b"}}),
            "LimitExceeded|409|Cannot exceed quota for InstanceProfilesPerAccount: 1");
  Ok("CreateRole", RoleInput("r1"));
  Ok("CreateRole", RoleInput("r2"));
  Ok("AddRoleToInstanceProfile", {{"InstanceProfileName", "a"}, {"RoleName", "r1"}});
  Ok("AddRoleToInstanceProfile", {{"InstanceProfileName", "a"}, {"RoleName", "r2"}});
  EXPECT_EQ(Ok("GetInstanceProfile", {{"InstanceProfileName", "a"}})
                .at("InstanceProfile").at("Roles").as_array().size(),
            2u);
}

}  // namespace
}  // namespace rampart::services::iam
