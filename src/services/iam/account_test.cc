// Tests of the IAM account views (account.cc): GetAccountSummary, the credential report and
// GetAccountAuthorizationDetails, over a temporary SQLite store.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "common/arn.h"
#include "common/ids.h"
#include "common/strings.h"
#include "services/iam/iam.h"

namespace rampart::services::iam {
namespace {

namespace fs = std::filesystem;
constexpr char kAccount[] = "111122223333";

TimePoint At(std::int64_t seconds) { return FromEpochSeconds(seconds); }

class AccountViewsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("rampart-iam-account-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ids::NewUniqueId("T"));
    auto store = store::OpenSqliteStore(dir_ / "t.db", std::string(32, 'k'));
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
    env_.store = store_.get();
    env_.clock = &clock_;
    env_.page_token_key = std::string(32, 'p');
    root_.type = PrincipalType::kRoot;
    root_.account_id = kAccount;
    root_.arn = RootArn(kAccount);
    root_.principal_id = kAccount;
    RegisterAccountViews(registry_, options_);
    ASSERT_TRUE(Write([&](store::WriteTransaction& tx) -> Result<void> {
      store::AccountRow account;
      account.id = kAccount;
      account.name = "test";
      account.email = "root@example.com";
      account.created = At(1'700'000'000);
      if (auto r = tx.Accounts().Create(account); !r) return r;
      store::RootUserRow root;
      root.account_id = kAccount;
      root.password_hash = "$argon2id$stub";
      root.created = At(1'700'000'000);
      return tx.RootUsers().Create(root);
    }));
  }

  void TearDown() override {
    store_.reset();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  bool Write(const store::WriteWork& work) {
    Result<void> done = store_->Write(work);
    if (!done) ADD_FAILURE() << done.error().code << ": " << done.error().message;
    return done.has_value();
  }

  Result<json::object> Call(std::string_view operation, const json::object& in = {}) {
    const OperationSpec* spec = registry_.Find("iam", operation);
    if (spec == nullptr) return Fail("NotImplemented", std::string(operation), 501);
    CallContext call(env_, root_);
    call.service = "iam";
    call.operation = operation;
    call.now = clock_.Now();
    return spec->handler(call, in);
  }

  store::UserRow AddUser(const std::string& name, const std::string& path = "/") {
    store::UserRow user;
    user.account_id = kAccount;
    user.id = ids::NewUniqueId("AIDA");
    user.name = name;
    user.path = path;
    user.created = clock_.Now();
    EXPECT_TRUE(Write([&](store::WriteTransaction& tx) { return tx.Users().Create(user); }));
    user.arn = IamArn(kAccount, "user", path, name);
    return user;
  }

  std::string AddKey(const std::string& user_id) {
    store::AccessKeyRow key;
    key.id = ids::NewUniqueId("AKIA");
    key.account_id = kAccount;
    key.user_id = user_id;
    key.secret_access_key = ids::NewSecretAccessKey();
    key.created = clock_.Now();
    EXPECT_TRUE(Write([&](store::WriteTransaction& tx) { return tx.AccessKeys().Create(key); }));
    return key.id;
  }

  std::string AddPolicy(const std::string& name, const std::string& document) {
    store::ManagedPolicyRow policy;
    policy.account_id = kAccount;
    policy.id = ids::NewUniqueId("ANPA");
    policy.name = name;
    policy.created = policy.updated = clock_.Now();
    EXPECT_TRUE(Write([&](store::WriteTransaction& tx) { return tx.Policies().Create(policy, document); }));
    return IamArn(kAccount, "policy", "/", name);
  }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  FakeClock clock_{At(1'800'000'000)};
  Environment env_;
  Principal root_;
  IamOptions options_;
  HandlerRegistry registry_;
};

std::int64_t SummaryValue(const json::object& out, std::string_view key) {
  return out.at("SummaryMap").as_object().at(key).as_int64();
}

TEST_F(AccountViewsTest, SummaryHasEveryModelKeyWithQuotas) {
  Result<json::object> out = Call("GetAccountSummary");
  ASSERT_TRUE(out) << out.error().message;
  const json::object& map = out->at("SummaryMap").as_object();
  // The 34 keys of the model's summaryKeyType enum.
  for (const char* key :
       {"Users", "UsersQuota", "Groups", "GroupsQuota", "ServerCertificates",
        "ServerCertificatesQuota", "UserPolicySizeQuota", "GroupPolicySizeQuota",
        "GroupsPerUserQuota", "SigningCertificatesPerUserQuota", "AccessKeysPerUserQuota",
        "MFADevices", "MFADevicesInUse", "AccountMFAEnabled", "AccountAccessKeysPresent",
        "AccountPasswordPresent", "AccountSigningCertificatesPresent",
        "AttachedPoliciesPerGroupQuota", "AttachedPoliciesPerRoleQuota",
        "AttachedPoliciesPerUserQuota", "Policies", "PoliciesQuota", "PolicySizeQuota",
        "PolicyVersionsInUse", "PolicyVersionsInUseQuota", "VersionsPerPolicyQuota",
        "GlobalEndpointTokenVersion", "AssumeRolePolicySizeQuota", "InstanceProfiles",
        "InstanceProfilesQuota", "Providers", "RolePolicySizeQuota", "Roles", "RolesQuota"}) {
    EXPECT_TRUE(map.contains(key)) << key;
  }
  EXPECT_EQ(map.size(), 34u);
  EXPECT_EQ(SummaryValue(*out, "UsersQuota"), 5000);
  EXPECT_EQ(SummaryValue(*out, "GroupPolicySizeQuota"), 5120);
  EXPECT_EQ(SummaryValue(*out, "AssumeRolePolicySizeQuota"), 2048);
  EXPECT_EQ(SummaryValue(*out, "Users"), 0);
  EXPECT_EQ(SummaryValue(*out, "AccountPasswordPresent"), 1);
  EXPECT_EQ(SummaryValue(*out, "AccountAccessKeysPresent"), 0);
  EXPECT_EQ(SummaryValue(*out, "AccountMFAEnabled"), 0);
}

TEST_F(AccountViewsTest, SummaryCountsMoveWithTheAccount) {
  store::UserRow alice = AddUser("alice");
  AddUser("bob");
  AddPolicy("p1", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})");
  AddKey("");  // a root access key
  Result<json::object> out = Call("GetAccountSummary");
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(SummaryValue(*out, "Users"), 2);
  EXPECT_EQ(SummaryValue(*out, "Policies"), 1);
  EXPECT_EQ(SummaryValue(*out, "PolicyVersionsInUse"), 1);
  EXPECT_EQ(SummaryValue(*out, "AccountAccessKeysPresent"), 1);
}

TEST_F(AccountViewsTest, SummaryQuotasFollowTheInstallation) {
  HandlerRegistry registry;
  IamOptions options;
  options.quotas.users_per_account = 100000;
  RegisterAccountViews(registry, options);
  CallContext call(env_, root_);
  call.operation = "GetAccountSummary";
  Result<json::object> out = registry.Find("iam", "GetAccountSummary")->handler(call, {});
  ASSERT_TRUE(out);
  EXPECT_EQ(SummaryValue(*out, "UsersQuota"), 100000);
}

TEST_F(AccountViewsTest, CredentialReportNotPresentBeforeGeneration) {
  Result<json::object> out = Call("GetCredentialReport");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, "ReportNotPresent");
  EXPECT_EQ(out.error().http_status, 410);
  EXPECT_EQ(out.error().message, "");  // AWS sends no Message
}

TEST_F(AccountViewsTest, CredentialReportRowsAndSentinels) {
  store::UserRow alice = AddUser("alice");
  std::string key = AddKey(alice.id);
  store::UserRow bob = AddUser("bob", "/team/");
  ASSERT_TRUE(Write([&](store::WriteTransaction& tx) {
    store::LoginProfileRow profile;
    profile.user_id = bob.id;
    profile.account_id = kAccount;
    profile.password_hash = "$argon2id$stub";
    profile.created = clock_.Now();
    return tx.LoginProfiles().Create(profile);
  }));

  Result<json::object> generated = Call("GenerateCredentialReport");
  ASSERT_TRUE(generated) << generated.error().message;
  EXPECT_EQ(generated->at("State"), "STARTED");
  EXPECT_EQ(generated->at("Description"), "No report exists. Starting a new report generation task");
  Result<json::object> again = Call("GenerateCredentialReport");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->at("State"), "COMPLETE");

  Result<json::object> report = Call("GetCredentialReport");
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->at("ReportFormat"), "text/csv");
  EXPECT_EQ(report->at("GeneratedTime"), json::value(FormatIso8601(clock_.Now())));
  std::string csv(report->at("Content").as_string());
  std::vector<std::string_view> lines;
  for (std::string_view line : Split(csv, '\n')) {
    if (!line.empty()) lines.push_back(line);
  }
  ASSERT_EQ(lines.size(), 4u) << csv;
  EXPECT_EQ(lines[0],
            "user,arn,user_creation_time,password_enabled,password_last_used,"
            "password_last_changed,password_next_rotation,mfa_active,access_key_1_active,"
            "access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,"
            "access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,"
            "access_key_2_last_used_date,access_key_2_last_used_region,"
            "access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,"
            "cert_2_last_rotated");
  const std::string now = "2027-01-15T08:00:00+00:00";  // FormatIso8601(1.8e9) with an offset
  EXPECT_EQ(lines[1],
            "<root_account>,arn:aws:iam::111122223333:root,2023-11-14T22:13:20+00:00,"
            "not_supported,no_information,not_supported,not_supported,FALSE,FALSE,N/A,N/A,N/A,N/A,"
            "FALSE,N/A,N/A,N/A,N/A,FALSE,N/A,FALSE,N/A");
  EXPECT_EQ(lines[2], "alice,arn:aws:iam::111122223333:user/alice," + now +
                          ",FALSE,N/A,N/A,N/A,FALSE,TRUE," + now +
                          ",N/A,N/A,N/A,FALSE,N/A,N/A,N/A,N/A,FALSE,N/A,FALSE,N/A");
  EXPECT_EQ(lines[3], "bob,arn:aws:iam::111122223333:user/team/bob," + now + ",TRUE,no_information," +
                          now + ",N/A,FALSE,FALSE,N/A,N/A,N/A,N/A,FALSE,N/A,N/A,N/A,N/A,FALSE,N/A,"
                                "FALSE,N/A");
}

TEST_F(AccountViewsTest, CredentialReportShowsKeyUse) {
  store::UserRow alice = AddUser("alice");
  std::string key = AddKey(alice.id);
  ASSERT_TRUE(Write([&](store::WriteTransaction& tx) {
    return tx.AccessKeys().RecordUse(key, clock_.Now(), "iam", "");
  }));
  ASSERT_TRUE(Call("GenerateCredentialReport"));
  Result<json::object> report = Call("GetCredentialReport");
  ASSERT_TRUE(report);
  std::string csv(report->at("Content").as_string());
  EXPECT_NE(csv.find(",TRUE,2027-01-15T08:00:00+00:00,2027-01-15T08:00:00+00:00,N/A,iam,FALSE"),
            std::string::npos)
      << csv;
}

TEST_F(AccountViewsTest, CredentialReportExpiresAfterFourHours) {
  ASSERT_TRUE(Call("GenerateCredentialReport"));
  clock_.Advance(std::chrono::hours(4));
  Result<json::object> expired = Call("GetCredentialReport");
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, "ReportExpired");
  EXPECT_EQ(expired.error().http_status, 410);
  Result<json::object> regenerated = Call("GenerateCredentialReport");
  ASSERT_TRUE(regenerated);
  EXPECT_EQ(regenerated->at("State"), "STARTED");
  EXPECT_TRUE(Call("GetCredentialReport"));
}

class AuthorizationDetailsTest : public AccountViewsTest {
 protected:
  void SetUp() override {
    AccountViewsTest::SetUp();
    alice_ = AddUser("alice");
    AddUser("bob");
    policy_arn_ = AddPolicy("ReadS3", kDoc);
    ASSERT_TRUE(Write([&](store::WriteTransaction& tx) -> Result<void> {
      store::GroupRow group;
      group.account_id = kAccount;
      group.id = ids::NewUniqueId("AGPA");
      group.name = "devs";
      group.created = clock_.Now();
      if (auto r = tx.Groups().Create(group); !r) return r;
      if (auto r = tx.Groups().AddMember(group.id, alice_.id); !r) return r;
      if (auto r = tx.InlinePolicies().Put({store::EntityRef::User(alice_.id), "inline1", kDoc}); !r) return r;
      if (auto r = tx.Attachments().Attach(kAccount, store::EntityRef::User(alice_.id), policy_arn_); !r) return r;
      if (auto r = tx.Attachments().Attach(kAccount, store::EntityRef::Group(group.id),
                                           "arn:aws:iam::aws:policy/ReadOnlyAccess");
          !r) {
        return r;
      }
      if (auto r = tx.Tags().Put(kAccount, {store::TaggableType::kUser, alice_.id}, {{"team", "a"}}); !r) return r;
      store::RoleRow role;
      role.account_id = kAccount;
      role.id = ids::NewUniqueId("AROA");
      role.name = "app";
      role.path = "/svc/";
      role.assume_role_policy = kTrust;
      role.created = clock_.Now();
      if (auto r = tx.Roles().Create(role); !r) return r;
      store::InstanceProfileRow profile;
      profile.account_id = kAccount;
      profile.id = ids::NewUniqueId("AIPA");
      profile.name = "app-profile";
      profile.created = clock_.Now();
      if (auto r = tx.InstanceProfiles().Create(profile); !r) return r;
      return tx.InstanceProfiles().AddRole(profile.id, role.id);
    }));
  }

  static constexpr char kDoc[] =
      R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]})";
  static constexpr char kTrust[] =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]})";
  store::UserRow alice_;
  std::string policy_arn_;
};

TEST_F(AuthorizationDetailsTest, UnfilteredListsEverythingWithRelationships) {
  Result<json::object> out = Call("GetAccountAuthorizationDetails");
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->at("IsTruncated"), false);
  const json::array& users = out->at("UserDetailList").as_array();
  ASSERT_EQ(users.size(), 2u);
  const json::object& alice = users[0].as_object();
  EXPECT_EQ(alice.at("UserName"), "alice");
  EXPECT_EQ(alice.at("GroupList").as_array(), json::array({"devs"}));
  const json::array& inline_list = alice.at("UserPolicyList").as_array();
  ASSERT_EQ(inline_list.size(), 1u);
  EXPECT_EQ(inline_list[0].at("PolicyName"), "inline1");
  EXPECT_EQ(inline_list[0].at("PolicyDocument"), json::value(UrlEncodeDocument(kDoc)));
  EXPECT_EQ(alice.at("AttachedManagedPolicies").as_array()[0].at("PolicyArn"), json::value(policy_arn_));
  EXPECT_EQ(alice.at("Tags").as_array()[0].at("Key"), "team");
  EXPECT_FALSE(users[1].as_object().contains("Tags"));

  const json::array& groups = out->at("GroupDetailList").as_array();
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].at("AttachedManagedPolicies").as_array()[0].at("PolicyName"), "ReadOnlyAccess");

  const json::array& roles = out->at("RoleDetailList").as_array();
  ASSERT_EQ(roles.size(), 1u);
  const json::object& role = roles[0].as_object();
  EXPECT_EQ(role.at("Arn"), "arn:aws:iam::111122223333:role/svc/app");
  EXPECT_EQ(role.at("AssumeRolePolicyDocument"), json::value(UrlEncodeDocument(kTrust)));
  EXPECT_EQ(role.at("RoleLastUsed").as_object().size(), 0u);
  const json::array& profiles = role.at("InstanceProfileList").as_array();
  ASSERT_EQ(profiles.size(), 1u);
  EXPECT_EQ(profiles[0].at("Roles").as_array()[0].at("RoleName"), "app");

  // The customer policy with its versions, and only the AWS managed policy in use.
  const json::array& policies = out->at("Policies").as_array();
  ASSERT_EQ(policies.size(), 2u);
  EXPECT_EQ(policies[0].at("PolicyName"), "ReadS3");
  EXPECT_EQ(policies[0].at("AttachmentCount"), 1);
  EXPECT_EQ(policies[0].at("PolicyVersionList").as_array()[0].at("Document"), json::value(UrlEncodeDocument(kDoc)));
  EXPECT_EQ(policies[0].at("PolicyVersionList").as_array()[0].at("IsDefaultVersion"), true);
  EXPECT_EQ(policies[1].at("Arn"), "arn:aws:iam::aws:policy/ReadOnlyAccess");
  EXPECT_EQ(policies[1].at("AttachmentCount"), 1);
}

TEST_F(AuthorizationDetailsTest, FilterSelectsKinds) {
  json::object in{{"Filter", json::array{"Role", "AWSManagedPolicy"}}};
  Result<json::object> out = Call("GetAccountAuthorizationDetails", in);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_TRUE(out->at("UserDetailList").as_array().empty());
  EXPECT_TRUE(out->at("GroupDetailList").as_array().empty());
  EXPECT_EQ(out->at("RoleDetailList").as_array().size(), 1u);
  ASSERT_EQ(out->at("Policies").as_array().size(), 1u);
  EXPECT_EQ(out->at("Policies").as_array()[0].at("PolicyName"), "ReadOnlyAccess");
}

TEST_F(AuthorizationDetailsTest, PagesAcrossKindsWithMarker) {
  // 2 users, 1 group, 1 role, 2 policies = 6 items, 4 per page.
  json::object in{{"MaxItems", 4}};
  Result<json::object> first = Call("GetAccountAuthorizationDetails", in);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->at("IsTruncated"), true);
  EXPECT_EQ(first->at("UserDetailList").as_array().size(), 2u);
  EXPECT_EQ(first->at("RoleDetailList").as_array().size(), 1u);
  EXPECT_TRUE(first->at("Policies").as_array().empty());
  in["Marker"] = first->at("Marker");
  Result<json::object> second = Call("GetAccountAuthorizationDetails", in);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->at("IsTruncated"), false);
  EXPECT_FALSE(second->contains("Marker"));
  EXPECT_TRUE(second->at("UserDetailList").as_array().empty());
  EXPECT_EQ(second->at("Policies").as_array().size(), 2u);
}

TEST_F(AuthorizationDetailsTest, MarkerBoundToFilter) {
  json::object in{{"MaxItems", 1}};
  Result<json::object> first = Call("GetAccountAuthorizationDetails", in);
  ASSERT_TRUE(first);
  json::object other{{"MaxItems", 1}, {"Marker", first->at("Marker")}, {"Filter", json::array{"User"}}};
  Result<json::object> replayed = Call("GetAccountAuthorizationDetails", other);
  ASSERT_FALSE(replayed);
  EXPECT_EQ(replayed.error().http_status, 400);
  json::object forged{{"Marker", "not-a-marker"}};
  EXPECT_FALSE(Call("GetAccountAuthorizationDetails", forged));
}

TEST_F(AccountViewsTest, RegistersItsFourOperations) {
  for (const char* op : {"GetAccountSummary", "GenerateCredentialReport", "GetCredentialReport",
                         "GetAccountAuthorizationDetails"}) {
    EXPECT_NE(registry_.Find("iam", op), nullptr) << op;
  }
}

}  // namespace
}  // namespace rampart::services::iam
