// Tests of the policy families (managed_policies.cc, attachments.cc, inline_policies.cc) over a
// temporary SQLite store.
#include "services/iam/policies_test_util.h"

namespace rampart::services::iam {
namespace {

constexpr char kPolicyArn[] = "arn:aws:iam::111122223333:policy/Ops";
constexpr char kAdmin[] = "arn:aws:iam::aws:policy/AdministratorAccess";

std::string AllowAction(std::string_view action) {
  return fmt::format(
      R"({{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{}","Resource":"*"}}]}})",
      action);
}

using ManagedPoliciesTest = PoliciesFixture;

TEST_F(ManagedPoliciesTest, CreateAndGet) {
  json::object created =
      Ok("CreatePolicy", {{"PolicyName", "Ops"},
                          {"PolicyDocument", kAllowAll},
                          {"Description", "ops"},
                          {"Tags", json::array{json::object{{"Key", "k"}, {"Value", "v"}}}}});
  const json::object& policy = created.at("Policy").as_object();
  EXPECT_EQ(Str(policy.at("Arn")), kPolicyArn);
  EXPECT_EQ(Str(policy.at("PolicyId")).rfind("ANPA", 0), 0u);
  EXPECT_EQ(Str(policy.at("DefaultVersionId")), "v1");
  EXPECT_EQ(policy.at("AttachmentCount").as_int64(), 0);
  EXPECT_EQ(policy.at("PermissionsBoundaryUsageCount").as_int64(), 0);
  EXPECT_TRUE(policy.at("IsAttachable").as_bool());
  EXPECT_EQ(policy.at("Tags").as_array().size(), 1u);
  json::object got = Ok("GetPolicy", {{"PolicyArn", kPolicyArn}}).at("Policy").as_object();
  EXPECT_EQ(Str(got.at("Description")), "ops");
  EXPECT_EQ(got.at("Tags").as_array().size(), 1u);
  json::object aws = Ok("GetPolicy", {{"PolicyArn", kAdmin}}).at("Policy").as_object();
  EXPECT_EQ(Str(aws.at("PolicyName")), "AdministratorAccess");
  EXPECT_TRUE(aws.at("Tags").as_array().empty());
  EXPECT_EQ(ErrorOf("GetPolicy", {{"PolicyArn", "arn:aws:iam::111122223333:policy/Nope"}}),
            "NoSuchEntity|404|Policy arn:aws:iam::111122223333:policy/Nope was not found.");
  EXPECT_EQ(ErrorOf("GetPolicy", {{"PolicyArn", "arn:aws:iam::aws:policy/NoSuchAwsPolicy"}}),
            "NoSuchEntity|404|Policy arn:aws:iam::aws:policy/NoSuchAwsPolicy was not found.");
}

TEST_F(ManagedPoliciesTest, CreateErrors) {
  Ok("CreatePolicy", {{"PolicyName", "Ops"}, {"PolicyDocument", kAllowAll}});
  EXPECT_EQ(ErrorOf("CreatePolicy", {{"PolicyName", "OPS"}, {"PolicyDocument", kAllowAll}}),
            "EntityAlreadyExists|409|A policy called OPS already exists. Duplicate names are not "
            "allowed.");
  EXPECT_EQ(ErrorOf("CreatePolicy", {{"PolicyName", "x"}, {"PolicyDocument", "{"}}),
            "MalformedPolicyDocument|400|Syntax errors in policy.");
  EXPECT_EQ(ErrorOf("CreatePolicy",
                    {{"PolicyName", "x"},
                     {"PolicyDocument",
                      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]})"}}),
            "MalformedPolicyDocument|400|Has prohibited field Principal");
  std::string big = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[)";
  for (int i = 0; i < 400; ++i) big += fmt::format(R"({}"s3:GetObject{}")", i ? "," : "", i);
  big += R"(],"Resource":"*"}]})";
  EXPECT_EQ(ErrorOf("CreatePolicy", {{"PolicyName", "big"}, {"PolicyDocument", big}}),
            "LimitExceeded|409|Cannot exceed quota for PolicySize: 6144");
  EXPECT_EQ(ErrorOf("CreatePolicy", {{"PolicyName", "t"},
                                     {"PolicyDocument", kAllowAll},
                                     {"Tags", json::array{json::object{{"Key", "a"}, {"Value", "1"}},
                                                          json::object{{"Key", "a"}, {"Value", "2"}}}}}),
            "InvalidInput|400|Duplicate tag keys found.");
  options_.quotas.policies_per_account = 1;
  Register();
  EXPECT_EQ(ErrorOf("CreatePolicy", {{"PolicyName", "two"}, {"PolicyDocument", kAllowAll}}),
            "LimitExceeded|409|Cannot exceed quota for PoliciesPerAccount: 1");
}

TEST_F(ManagedPoliciesTest, VersionsFollowAwsRules) {
  Ok("CreatePolicy", {{"PolicyName", "Ops"}, {"PolicyDocument", kAllowAll}});
  for (int i = 2; i <= 5; ++i) {
    json::object v = Ok("CreatePolicyVersion",
                        {{"PolicyArn", kPolicyArn}, {"PolicyDocument", AllowAction("iam:Get*")}});
    EXPECT_EQ(Str(v.at("PolicyVersion").at("VersionId")), fmt::format("v{}", i));
    EXPECT_FALSE(v.at("PolicyVersion").at("IsDefaultVersion").as_bool());
    EXPECT_FALSE(v.at("PolicyVersion").as_object().contains("Document"));
  }
  EXPECT_EQ(ErrorOf("CreatePolicyVersion", {{"PolicyArn", kPolicyArn}, {"PolicyDocument", kAllowAll}}),
            "LimitExceeded|409|A managed policy can have up to 5 versions. Before you create a new "
            "version, you must delete an existing version.");
  EXPECT_EQ(ErrorOf("DeletePolicyVersion", {{"PolicyArn", kPolicyArn}, {"VersionId", "v1"}}),
            "DeleteConflict|409|Cannot delete the default version of a policy.");
  Ok("DeletePolicyVersion", {{"PolicyArn", kPolicyArn}, {"VersionId", "v2"}});
  json::object v6 = Ok("CreatePolicyVersion", {{"PolicyArn", kPolicyArn},
                                               {"PolicyDocument", AllowAction("s3:*")},
                                               {"SetAsDefault", true}});
  EXPECT_EQ(Str(v6.at("PolicyVersion").at("VersionId")), "v6");  // never reused
  EXPECT_TRUE(v6.at("PolicyVersion").at("IsDefaultVersion").as_bool());
  EXPECT_EQ(Str(Ok("GetPolicy", {{"PolicyArn", kPolicyArn}}).at("Policy").at("DefaultVersionId")), "v6");
  json::object listed = Ok("ListPolicyVersions", {{"PolicyArn", kPolicyArn}});
  const json::array& versions = listed.at("Versions").as_array();
  ASSERT_EQ(versions.size(), 5u);
  EXPECT_EQ(Str(versions[0].at("VersionId")), "v6");
  json::object doc = Ok("GetPolicyVersion", {{"PolicyArn", kPolicyArn}, {"VersionId", "v6"}});
  EXPECT_EQ(Str(doc.at("PolicyVersion").at("Document")), UrlEncodeDocument(AllowAction("s3:*")));
  EXPECT_EQ(ErrorOf("GetPolicyVersion", {{"PolicyArn", kPolicyArn}, {"VersionId", "v2"}}),
            "NoSuchEntity|404|Policy arn:aws:iam::111122223333:policy/Ops version v2 does not "
            "exist or is not attachable.");
  Ok("SetDefaultPolicyVersion", {{"PolicyArn", kPolicyArn}, {"VersionId", "v3"}});
  EXPECT_EQ(Str(Ok("GetPolicy", {{"PolicyArn", kPolicyArn}}).at("Policy").at("DefaultVersionId")), "v3");
  EXPECT_EQ(ErrorOf("SetDefaultPolicyVersion", {{"PolicyArn", kPolicyArn}, {"VersionId", "v9"}}),
            "NoSuchEntity|404|Policy arn:aws:iam::111122223333:policy/Ops version v9 does not "
            "exist or is not attachable.");
  EXPECT_EQ(ErrorOf("DeletePolicy", {{"PolicyArn", kPolicyArn}}),
            "DeleteConflict|409|This policy has more than one version. Before you delete a "
            "policy, you must delete the policy's versions. The default version is deleted with "
            "the policy.");
  for (const char* v : {"v1", "v4", "v5", "v6"}) {
    Ok("DeletePolicyVersion", {{"PolicyArn", kPolicyArn}, {"VersionId", v}});
  }
  Ok("DeletePolicy", {{"PolicyArn", kPolicyArn}});
  EXPECT_EQ(ErrorOf("DeletePolicy", {{"PolicyArn", kPolicyArn}}),
            "NoSuchEntity|404|Policy arn:aws:iam::111122223333:policy/Ops was not found.");
}

TEST_F(ManagedPoliciesTest, AwsManagedPoliciesAreReadOnly) {
  EXPECT_EQ(ErrorOf("DeletePolicy", {{"PolicyArn", kAdmin}}),
            "AccessDenied|403|Cannot delete policies outside your own account.");
  EXPECT_EQ(ErrorOf("DeletePolicyVersion", {{"PolicyArn", kAdmin}, {"VersionId", "v1"}}),
            "AccessDenied|403|Cannot delete policy versions for policies outside your own account.");
  EXPECT_EQ(ErrorOf("SetDefaultPolicyVersion", {{"PolicyArn", kAdmin}, {"VersionId", "v1"}}),
            "AccessDenied|403|Cannot update policies outside your own account.");
  EXPECT_EQ(ErrorOf("CreatePolicyVersion", {{"PolicyArn", kAdmin}, {"PolicyDocument", kAllowAll}}),
            "AccessDenied|403|Cannot create policy versions for policies outside your own account.");
  EXPECT_EQ(ErrorOf("TagPolicy", {{"PolicyArn", kAdmin},
                                  {"Tags", json::array{json::object{{"Key", "k"}, {"Value", "v"}}}}})
                .substr(0, 16),
            "AccessDenied|403");
  json::object aws = Ok("GetPolicy", {{"PolicyArn", kAdmin}}).at("Policy").as_object();
  const std::string default_version = Str(aws.at("DefaultVersionId"));
  json::object version =
      Ok("GetPolicyVersion", {{"PolicyArn", kAdmin}, {"VersionId", default_version}});
  EXPECT_TRUE(version.at("PolicyVersion").at("IsDefaultVersion").as_bool());
  EXPECT_NE(Str(version.at("PolicyVersion").at("Document")).find("%22Action%22"), std::string::npos);
  EXPECT_EQ(Ok("ListPolicyVersions", {{"PolicyArn", kAdmin}}).at("Versions").as_array().size(), 1u);
}

TEST_F(ManagedPoliciesTest, ListPoliciesScopesAndPaging) {
  Ok("CreatePolicy", {{"PolicyName", "Ops"}, {"PolicyDocument", kAllowAll}});
  Ok("CreatePolicy", {{"PolicyName", "Dev"}, {"PolicyDocument", kAllowAll}, {"Path", "/dev/"}});
  json::object local = Ok("ListPolicies", {{"Scope", "Local"}});
  ASSERT_EQ(local.at("Policies").as_array().size(), 2u);
  EXPECT_EQ(Str(local.at("Policies").as_array()[0].at("PolicyName")), "Dev");
  EXPECT_FALSE(local.at("Policies").as_array()[0].as_object().contains("Tags"));
  EXPECT_EQ(Ok("ListPolicies", {{"Scope", "Local"}, {"PathPrefix", "/dev/"}})
                .at("Policies").as_array().size(),
            1u);
  // Scope=AWS pages through the catalog and finds AdministratorAccess.
  bool found = false;
  std::size_t total = 0;
  json::object in{{"Scope", "AWS"}, {"MaxItems", 1000}};
  for (int page = 0; page < 5; ++page) {
    json::object out = Ok("ListPolicies", in);
    for (const json::value& policy : out.at("Policies").as_array()) {
      ++total;
      if (Str(policy.at("Arn")) == kAdmin) found = true;
    }
    if (!out.at("IsTruncated").as_bool()) break;
    in["Marker"] = out.at("Marker");
  }
  EXPECT_TRUE(found);
  EXPECT_GT(total, 1000u);
  json::object all = Ok("ListPolicies");
  EXPECT_EQ(all.at("Policies").as_array().size(), 100u);
  EXPECT_TRUE(all.at("IsTruncated").as_bool());
  // OnlyAttached: nothing attached yet; then one AWS and one customer policy.
  EXPECT_TRUE(Ok("ListPolicies", {{"OnlyAttached", true}}).at("Policies").as_array().empty());
  AddUser("alice");
  Ok("AttachUserPolicy", {{"UserName", "alice"}, {"PolicyArn", kAdmin}});
  Ok("AttachUserPolicy", {{"UserName", "alice"}, {"PolicyArn", kPolicyArn}});
  json::object attached = Ok("ListPolicies", {{"OnlyAttached", true}});
  ASSERT_EQ(attached.at("Policies").as_array().size(), 2u);
  EXPECT_EQ(attached.at("Policies").as_array()[0].at("AttachmentCount").as_int64(), 1);
  EXPECT_TRUE(Ok("ListPolicies", {{"OnlyAttached", true}, {"PolicyUsageFilter", "PermissionsBoundary"}})
                  .at("Policies").as_array().empty());
  EXPECT_EQ(ErrorOf("ListPolicies", {{"Scope", "AWS"}, {"Marker", all.at("Marker")}}).substr(0, 15),
            "ValidationError");  // a marker is bound to its filters
}

TEST_F(ManagedPoliciesTest, PolicyTags) {
  Ok("CreatePolicy", {{"PolicyName", "Ops"}, {"PolicyDocument", kAllowAll}});
  Ok("TagPolicy", {{"PolicyArn", kPolicyArn},
                   {"Tags", json::array{json::object{{"Key", "a"}, {"Value", "1"}},
                                        json::object{{"Key", "b"}, {"Value", "2"}}}}});
  json::object page = Ok("ListPolicyTags", {{"PolicyArn", kPolicyArn}, {"MaxItems", 1}});
  EXPECT_TRUE(page.at("IsTruncated").as_bool());
  Ok("UntagPolicy", {{"PolicyArn", kPolicyArn}, {"TagKeys", json::array{"a"}}});
  EXPECT_EQ(Ok("ListPolicyTags", {{"PolicyArn", kPolicyArn}}).at("Tags").as_array().size(), 1u);
  EXPECT_EQ(ErrorOf("TagPolicy", {{"PolicyArn", "arn:aws:iam::111122223333:policy/None"},
                                  {"Tags", json::array{json::object{{"Key", "a"}, {"Value", "1"}}}}}),
            "NoSuchEntity|404|Policy arn:aws:iam::111122223333:policy/None was not found.");
}

// ---------------------------------------------------------------------------------------
// Attachments

using AttachmentsTest = PoliciesFixture;

TEST_F(AttachmentsTest, AttachDetachAndList) {
  AddUser("alice", "/staff/");
  AddGroup("admins");
  Ok("CreatePolicy", {{"PolicyName", "Ops"}, {"PolicyDocument", kAllowAll}});
  Ok("CreateRole", {{"RoleName", "app"}, {"AssumeRolePolicyDocument", kTrust}});
  Ok("AttachUserPolicy", {{"UserName", "alice"}, {"PolicyArn", kPolicyArn}});
  Ok("AttachUserPolicy", {{"UserName", "alice"}, {"PolicyArn", kPolicyArn}});  // idempotent
  Ok("AttachUserPolicy", {{"UserName", "alice"}, {"PolicyArn", kAdmin}});
  Ok("AttachGroupPolicy", {{"GroupName", "admins"}, {"PolicyArn", kPolicyArn}});
  Ok("AttachRolePolicy", {{"RoleName", "app"}, {"PolicyArn", kPolicyArn}});
  json::object listed = Ok("ListAttachedUserPolicies", {{"UserName", "alice"}});
  const json::array& policies = listed.at("AttachedPolicies").as_array();
  ASSERT_EQ(policies.size(), 2u);
  EXPECT_EQ(Str(policies[0].at("PolicyName")), "AdministratorAccess");
  EXPECT_FALSE(listed.at("IsTruncated").as_bool());
  EXPECT_EQ(Ok("GetPolicy", {{"PolicyArn", kPolicyArn}}).at("Policy").at("AttachmentCount").as_int64(), 3);
  json::object entities = Ok("ListEntitiesForPolicy", {{"PolicyArn", kPolicyArn}});
  EXPECT_EQ(Str(entities.at("PolicyUsers").as_array()[0].at("UserName")), "alice");
  EXPECT_EQ(Str(entities.at("PolicyGroups").as_array()[0].at("GroupName")), "admins");
  EXPECT_EQ(Str(entities.at("PolicyRoles").as_array()[0].at("RoleName")), "app");
  json::object only_roles = Ok("ListEntitiesForPolicy", {{"PolicyArn", kPolicyArn}, {"EntityFilter", "Role"}});
  EXPECT_TRUE(only_roles.at("PolicyUsers").as_array().empty());
  EXPECT_EQ(only_roles.at("PolicyRoles").as_array().size(), 1u);
  json::object paged = Ok("ListEntitiesForPolicy", {{"PolicyArn", kPolicyArn}, {"MaxItems", 2}});
  EXPECT_TRUE(paged.at("IsTruncated").as_bool());
  json::object rest = Ok("ListEntitiesForPolicy",
                         {{"PolicyArn", kPolicyArn}, {"MaxItems", 2}, {"Marker", paged.at("Marker")}});
  EXPECT_EQ(rest.at("PolicyUsers").as_array().size(), 1u);
  EXPECT_EQ(ErrorOf("DeletePolicy", {{"PolicyArn", kPolicyArn}}),
            "DeleteConflict|409|Cannot delete a policy attached to entities.");
  Ok("DetachUserPolicy", {{"UserName", "alice"}, {"PolicyArn", kPolicyArn}});
  EXPECT_EQ(ErrorOf("DetachUserPolicy", {{"UserName", "alice"}, {"PolicyArn", kPolicyArn}}),
            "NoSuchEntity|404|Policy arn:aws:iam::111122223333:policy/Ops was not found.");
  Result<authz::AuthzTarget> target =
      TargetOf("AttachUserPolicy", {{"UserName", "alice"}, {"PolicyArn", kAdmin}});
  ASSERT_TRUE(target);
  EXPECT_EQ(target->resources[0], "arn:aws:iam::111122223333:user/staff/alice");
  bool policy_key = false;
  for (const auto& [key, values] : target->keys) {
    if (key == "iam:PolicyARN") policy_key = values[0] == kAdmin;
  }
  EXPECT_TRUE(policy_key);
}

TEST_F(AttachmentsTest, Errors) {
  AddUser("alice");
  EXPECT_EQ(ErrorOf("AttachUserPolicy",
                    {{"UserName", "alice"}, {"PolicyArn", "arn:aws:iam::111122223333:policy/x123"}}),
            "NoSuchEntity|404|Policy arn:aws:iam::111122223333:policy/x123 does not exist or is "
            "not attachable.");
  EXPECT_EQ(ErrorOf("AttachUserPolicy", {{"UserName", "alice"}, {"PolicyArn", "longpolicynamebutnoarn"}}),
            "ValidationError|400|ARN longpolicynamebutnoarn is not valid.");
  EXPECT_EQ(ErrorOf("AttachUserPolicy", {{"UserName", "alice"}, {"PolicyArn", "arn:aws"}}),
            "ValidationError|400|Invalid ARN:  Could not be parsed!");
  EXPECT_EQ(ErrorOf("AttachUserPolicy", {{"UserName", "bob"}, {"PolicyArn", kAdmin}}),
            "NoSuchEntity|404|The user with name bob cannot be found.");
  EXPECT_EQ(ErrorOf("AttachGroupPolicy", {{"GroupName", "g"}, {"PolicyArn", kAdmin}}),
            "NoSuchEntity|404|The group with name g cannot be found.");
  EXPECT_EQ(ErrorOf("ListEntitiesForPolicy", {{"PolicyArn", "arn:aws:iam::111122223333:policy/x"}}),
            "NoSuchEntity|404|Policy arn:aws:iam::111122223333:policy/x does not exist or is not "
            "attachable.");
  options_.quotas.attached_policies_per_user = 2;
  Register();
  Ok("AttachUserPolicy", {{"UserName", "alice"}, {"PolicyArn", kAdmin}});
  Ok("AttachUserPolicy", {{"UserName", "alice"}, {"PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess"}});
  EXPECT_EQ(ErrorOf("AttachUserPolicy",
                    {{"UserName", "alice"}, {"PolicyArn", "arn:aws:iam::aws:policy/IAMFullAccess"}}),
            "LimitExceeded|409|Cannot exceed quota for PoliciesPerUser: 2");
}

TEST_F(AttachmentsTest, BoundaryUsageIsListed) {
  Ok("CreatePolicy", {{"PolicyName", "Ops"}, {"PolicyDocument", kAllowAll}});
  Ok("CreateRole", {{"RoleName", "app"},
                    {"AssumeRolePolicyDocument", kTrust},
                    {"PermissionsBoundary", kPolicyArn}});
  EXPECT_EQ(Ok("GetPolicy", {{"PolicyArn", kPolicyArn}})
                .at("Policy").at("PermissionsBoundaryUsageCount").as_int64(),
            1);
  json::object boundary = Ok("ListEntitiesForPolicy",
                             {{"PolicyArn", kPolicyArn}, {"PolicyUsageFilter", "PermissionsBoundary"}});
  EXPECT_EQ(boundary.at("PolicyRoles").as_array().size(), 1u);
  json::object permissions = Ok("ListEntitiesForPolicy",
                                {{"PolicyArn", kPolicyArn}, {"PolicyUsageFilter", "PermissionsPolicy"}});
  EXPECT_TRUE(permissions.at("PolicyRoles").as_array().empty());
  EXPECT_EQ(ErrorOf("DeletePolicy", {{"PolicyArn", kPolicyArn}}),
            "DeleteConflict|409|Cannot delete a policy attached to entities.");
  EXPECT_EQ(Ok("ListPolicies", {{"OnlyAttached", true}, {"PolicyUsageFilter", "PermissionsBoundary"}})
                .at("Policies").as_array().size(),
            1u);
}

// ---------------------------------------------------------------------------------------
// Inline policies

using InlinePoliciesTest = PoliciesFixture;

TEST_F(InlinePoliciesTest, RoundTripIsByteForByte) {
  AddUser("alice");
  const std::string document =
      "{ \"Version\": \"2012-10-17\",\n  \"Statement\": [ {\"Effect\": \"Allow\", \"Action\": "
      "\"s3:Get*\", \"Resource\": \"arn:aws:s3:::b/k%3A x\"} ] }";
  Ok("PutUserPolicy", {{"UserName", "alice"}, {"PolicyName", "read"}, {"PolicyDocument", document}});
  json::object got = Ok("GetUserPolicy", {{"UserName", "ALICE"}, {"PolicyName", "read"}});
  EXPECT_EQ(Str(got.at("UserName")), "alice");
  EXPECT_EQ(Str(got.at("PolicyName")), "read");
  EXPECT_EQ(Str(got.at("PolicyDocument")), UrlEncodeDocument(document));
  Ok("PutUserPolicy", {{"UserName", "alice"}, {"PolicyName", "b"}, {"PolicyDocument", kAllowAll}});
  json::object names = Ok("ListUserPolicies", {{"UserName", "alice"}, {"MaxItems", 1}});
  EXPECT_EQ(Str(names.at("PolicyNames").as_array()[0]), "b");
  EXPECT_TRUE(names.at("IsTruncated").as_bool());
  Ok("DeleteUserPolicy", {{"UserName", "alice"}, {"PolicyName", "read"}});
  EXPECT_EQ(ErrorOf("GetUserPolicy", {{"UserName", "alice"}, {"PolicyName", "read"}}),
            "NoSuchEntity|404|The user policy with name read cannot be found.");
  EXPECT_EQ(ErrorOf("DeleteUserPolicy", {{"UserName", "alice"}, {"PolicyName", "read"}}),
            "NoSuchEntity|404|The user policy with name read cannot be found.");
  AddGroup("g");
  Ok("PutGroupPolicy", {{"GroupName", "g"}, {"PolicyName", "p"}, {"PolicyDocument", kAllowAll}});
  EXPECT_EQ(Str(Ok("GetGroupPolicy", {{"GroupName", "g"}, {"PolicyName", "p"}}).at("GroupName")), "g");
  EXPECT_EQ(ErrorOf("GetGroupPolicy", {{"GroupName", "g"}, {"PolicyName", "q"}}),
            "NoSuchEntity|404|The group policy with name q cannot be found.");
  Ok("CreateRole", {{"RoleName", "app"}, {"AssumeRolePolicyDocument", kTrust}});
  Ok("PutRolePolicy", {{"RoleName", "app"}, {"PolicyName", "p"}, {"PolicyDocument", kAllowAll}});
  EXPECT_EQ(Ok("ListRolePolicies", {{"RoleName", "app"}}).at("PolicyNames").as_array().size(), 1u);
  EXPECT_EQ(ErrorOf("GetRolePolicy", {{"RoleName", "app"}, {"PolicyName", "q"}}),
            "NoSuchEntity|404|The role policy with name q cannot be found.");
  EXPECT_EQ(ErrorOf("PutRolePolicy", {{"RoleName", "ghost"}, {"PolicyName", "p"}, {"PolicyDocument", kAllowAll}}),
            "NoSuchEntity|404|The role with name ghost cannot be found.");
}

TEST_F(InlinePoliciesTest, AggregateSizeQuotaPerEntityType) {
  AddUser("alice");
  // ~1100 characters without white space each: one fits the user quota, two do not.
  std::string actions;
  for (int i = 0; i < 60; ++i) actions += fmt::format(R"({}"s3:GetObject{:03}")", i ? "," : "", i);
  const std::string document = fmt::format(
      R"({{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":[{}],"Resource":"*"}}]}})",
      actions);
  ASSERT_GT(document.size(), 1024u);
  ASSERT_LT(document.size(), 2048u);
  Ok("PutUserPolicy", {{"UserName", "alice"}, {"PolicyName", "one"}, {"PolicyDocument", document}});
  // Replacing the same policy does not count twice.
  Ok("PutUserPolicy", {{"UserName", "alice"}, {"PolicyName", "one"}, {"PolicyDocument", document}});
  EXPECT_EQ(ErrorOf("PutUserPolicy", {{"UserName", "alice"}, {"PolicyName", "two"}, {"PolicyDocument", document}}),
            "LimitExceeded|409|Maximum policy size of 2048 bytes exceeded for user alice");
  // A role's inline quota (10240) is larger than a managed policy's (6144): one document of
  // ~6600 characters fits, two do not.
  std::string many;
  for (int i = 0; i < 370; ++i) many += fmt::format(R"({}"s3:GetObject{:03}")", i ? "," : "", i);
  const std::string large = fmt::format(
      R"({{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":[{}],"Resource":"*"}}]}})",
      many);
  ASSERT_GT(large.size(), 6144u);
  Ok("CreateRole", {{"RoleName", "app"}, {"AssumeRolePolicyDocument", kTrust}});
  Ok("PutRolePolicy", {{"RoleName", "app"}, {"PolicyName", "a"}, {"PolicyDocument", large}});
  EXPECT_EQ(ErrorOf("PutRolePolicy", {{"RoleName", "app"}, {"PolicyName", "b"}, {"PolicyDocument", large}}),
            "LimitExceeded|409|Maximum policy size of 10240 bytes exceeded for role app");
  AddGroup("g");
  for (const char* name : {"a", "b", "c", "d"}) {
    Ok("PutGroupPolicy", {{"GroupName", "g"}, {"PolicyName", name}, {"PolicyDocument", document}});
  }
  EXPECT_EQ(ErrorOf("PutGroupPolicy", {{"GroupName", "g"}, {"PolicyName", "e"}, {"PolicyDocument", document}}),
            "LimitExceeded|409|Maximum policy size of 5120 bytes exceeded for group g");
  EXPECT_EQ(ErrorOf("PutUserPolicy", {{"UserName", "alice"}, {"PolicyName", "bad"}, {"PolicyDocument", "[]"}})
                .substr(0, 23),
            "MalformedPolicyDocument");
}

}  // namespace
}  // namespace rampart::services::iam
