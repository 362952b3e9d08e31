// Tests of IAM policy simulation (simulation.cc): decisions, matched statements with AWS's
// positions, context entries, boundaries, paging, errors, context keys, and agreement with
// the authorizer that enforces real requests.
#include <filesystem>
#include <memory>
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "authz/store_policy_source.h"
#include "common/arn.h"
#include "common/ids.h"
#include "services/iam/iam.h"

namespace rampart::services::iam {
namespace {

namespace fs = std::filesystem;
constexpr char kAccount[] = "111122223333";

class SimulationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("rampart-iam-sim-" + ids::NewUniqueId("T"));
    auto store = store::OpenSqliteStore(dir_ / "t.db", std::string(32, 'k'));
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
    source_ = std::make_unique<authz::StorePolicySource>(*store_);
    env_.store = store_.get();
    env_.policies = source_.get();
    env_.clock = &clock_;
    env_.page_token_key = std::string(32, 'p');
    root_.type = PrincipalType::kRoot;
    root_.account_id = kAccount;
    root_.arn = RootArn(kAccount);
    root_.principal_id = kAccount;
    RegisterSimulation(registry_, options_);
    ASSERT_TRUE(Write([&](store::WriteTransaction& tx) -> Result<void> {
      store::AccountRow account;
      account.id = kAccount;
      account.name = "test";
      account.email = "root@example.com";
      if (auto r = tx.Accounts().Create(account); !r) return r;
      alice_.account_id = kAccount;
      alice_.id = ids::NewUniqueId("AIDA");
      alice_.name = "alice";
      if (auto r = tx.Users().Create(alice_); !r) return r;
      alice_.arn = IamArn(kAccount, "user", "/", "alice");
      group_.account_id = kAccount;
      group_.id = ids::NewUniqueId("AGPA");
      group_.name = "devs";
      if (auto r = tx.Groups().Create(group_); !r) return r;
      if (auto r = tx.Groups().AddMember(group_.id, alice_.id); !r) return r;
      if (auto r = tx.InlinePolicies().Put({store::EntityRef::User(alice_.id), "own", kUserPolicy}); !r) return r;
      if (auto r = tx.InlinePolicies().Put({store::EntityRef::Group(group_.id), "team", kGroupPolicy}); !r) return r;
      return tx.Attachments().Attach(kAccount, store::EntityRef::User(alice_.id),
                                     "arn:aws:iam::aws:policy/IAMReadOnlyAccess");
    }));
  }

  void TearDown() override {
    source_.reset();
    store_.reset();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  bool Write(const store::WriteWork& work) {
    Result<void> done = store_->Write(work);
    if (!done) ADD_FAILURE() << done.error().code << ": " << done.error().message;
    return done.has_value();
  }

  Result<json::object> Call(std::string_view operation, const json::object& in) {
    const OperationSpec* spec = registry_.Find("iam", operation);
    if (spec == nullptr) return Fail("NotImplemented", std::string(operation), 501);
    CallContext call(env_, root_);
    call.service = "iam";
    call.operation = operation;
    call.now = clock_.Now();
    return spec->handler(call, in);
  }

  static constexpr char kUserPolicy[] =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},)"
      R"({"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]})";
  static constexpr char kGroupPolicy[] =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","sqs:SendMessage"],"Resource":"*"}]})";

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<authz::StorePolicySource> source_;
  FakeClock clock_{FromEpochSeconds(1'800'000'000)};
  Environment env_;
  Principal root_;
  IamOptions options_;
  HandlerRegistry registry_;
  store::UserRow alice_;
  store::GroupRow group_;
};

const json::object& Result0(const json::object& out, std::size_t index = 0) {
  return out.at("EvaluationResults").as_array().at(index).as_object();
}

TEST_F(SimulationTest, CustomPolicyPositionsMatchAws) {
  // The AWS CLI example for simulate-custom-policy: statement at columns 38..167.
  const std::string policy =
      R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*",)"
      R"("Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}})";
  json::object in{{"PolicyInputList", json::array{policy.c_str()}},
                  {"ActionNames", json::array{"dynamodb:CreateBackup"}},
                  {"ContextEntries", json::array{json::object{
                                         {"ContextKeyName", "aws:CurrentTime"},
                                         {"ContextKeyValues", json::array{"2019-04-25T11:00:00Z"}},
                                         {"ContextKeyType", "date"}}}}};
  Result<json::object> out = Call("SimulateCustomPolicy", in);
  ASSERT_TRUE(out) << out.error().message;
  const json::object& result = Result0(*out);
  EXPECT_EQ(result.at("EvalActionName"), "dynamodb:CreateBackup");
  EXPECT_EQ(result.at("EvalResourceName"), "*");
  EXPECT_EQ(result.at("EvalDecision"), "allowed");
  const json::array& matched = result.at("MatchedStatements").as_array();
  ASSERT_EQ(matched.size(), 1u);
  EXPECT_EQ(matched[0].at("SourcePolicyId"), "PolicyInputList.1");
  EXPECT_EQ(matched[0].at("SourcePolicyType"), "IAM Policy");
  EXPECT_EQ(matched[0].at("StartPosition"), (json::object{{"Line", 1}, {"Column", 38}}));
  EXPECT_EQ(matched[0].at("EndPosition"), (json::object{{"Line", 1}, {"Column", 167}}));
  EXPECT_TRUE(result.at("MissingContextValues").as_array().empty());
  EXPECT_FALSE(result.contains("ResourceSpecificResults"));
  EXPECT_FALSE(result.contains("EvalDecisionDetails"));
  EXPECT_EQ(out->at("IsTruncated"), false);

  // An earlier time: the condition fails, nothing matches.
  in["ContextEntries"].as_array()[0].as_object()["ContextKeyValues"] = json::array{"2014-04-25T11:00:00Z"};
  out = Call("SimulateCustomPolicy", in);
  ASSERT_TRUE(out);
  EXPECT_EQ(Result0(*out).at("EvalDecision"), "implicitDeny");
  EXPECT_TRUE(Result0(*out).at("MatchedStatements").as_array().empty());

  // No value at all: the key is reported missing (the simulator fills in no global keys).
  in.erase("ContextEntries");
  out = Call("SimulateCustomPolicy", in);
  ASSERT_TRUE(out);
  EXPECT_EQ(Result0(*out).at("EvalDecision"), "implicitDeny");
  EXPECT_EQ(Result0(*out).at("MissingContextValues").as_array(), json::array{"aws:CurrentTime"});
}

TEST_F(SimulationTest, RecordedResourcePositions) {
  // LocalStack's AWS-validated recording: columns 41..113 for this document.
  const char* policy =
      R"({"Version": "2012-10-17", "Statement": {"Sid": "", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}})";
  json::object in{{"PolicyInputList", json::array{policy}},
                  {"ActionNames", json::array{"s3:PutObject", "s3:GetObjectVersion"}},
                  {"ResourceArns", json::array{"arn:aws:s3:::bucket"}}};
  Result<json::object> out = Call("SimulateCustomPolicy", in);
  ASSERT_TRUE(out) << out.error().message;
  const json::object& allowed = Result0(*out, 0);
  EXPECT_EQ(allowed.at("EvalResourceName"), "arn:aws:s3:::bucket");
  const json::array& matched = allowed.at("MatchedStatements").as_array();
  ASSERT_EQ(matched.size(), 1u);
  EXPECT_EQ(matched[0].at("StartPosition").at("Column"), 41);
  EXPECT_EQ(matched[0].at("EndPosition").at("Column"), 113);
  EXPECT_EQ(allowed.at("EvalDecisionDetails").as_object().size(), 0u);
  EXPECT_EQ(allowed.at("OrganizationsDecisionDetail").at("AllowedByOrganizations"), true);
  const json::array& specific = allowed.at("ResourceSpecificResults").as_array();
  ASSERT_EQ(specific.size(), 1u);
  EXPECT_EQ(specific[0].at("EvalResourceDecision"), "allowed");
  EXPECT_EQ(specific[0].at("MatchedStatements").as_array().size(), 1u);
  EXPECT_EQ(Result0(*out, 1).at("EvalDecision"), "implicitDeny");
}

TEST_F(SimulationTest, SourceIpConditionWithContextEntries) {
  const char* policy =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*",)"
      R"("Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]})";
  auto simulate = [&](const char* ip) {
    json::object in{{"PolicyInputList", json::array{policy}},
                    {"ActionNames", json::array{"s3:ListBucket"}},
                    {"ContextEntries", json::array{json::object{{"ContextKeyName", "aws:SourceIp"},
                                                                {"ContextKeyValues", json::array{ip}},
                                                                {"ContextKeyType", "ip"}}}}};
    Result<json::object> out = Call("SimulateCustomPolicy", in);
    EXPECT_TRUE(out);
    return std::string(Result0(*out).at("EvalDecision").as_string());
  };
  EXPECT_EQ(simulate("203.0.113.7"), "allowed");
  EXPECT_EQ(simulate("198.51.100.1"), "implicitDeny");
}

TEST_F(SimulationTest, ExplicitDenyReportsOnlyTheDenyStatement) {
  const char* allow_all = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})";
  const char* deny = R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]})";
  json::object in{{"PolicyInputList", json::array{allow_all, deny}}, {"ActionNames", json::array{"s3:GetObject"}}};
  Result<json::object> out = Call("SimulateCustomPolicy", in);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(Result0(*out).at("EvalDecision"), "explicitDeny");
  const json::array& matched = Result0(*out).at("MatchedStatements").as_array();
  ASSERT_EQ(matched.size(), 1u);
  EXPECT_EQ(matched[0].at("SourcePolicyId"), "PolicyInputList.2");
}

TEST_F(SimulationTest, PrincipalPolicyGathersUserGroupAndManagedPolicies) {
  json::object in{{"PolicySourceArn", alice_.arn},
                  {"ActionNames", json::array{"s3:GetObject", "sqs:SendMessage", "iam:GetUser",
                                              "s3:DeleteBucket", "ec2:RunInstances"}}};
  Result<json::object> out = Call("SimulatePrincipalPolicy", in);
  ASSERT_TRUE(out) << out.error().message;
  const json::array& results = out->at("EvaluationResults").as_array();
  ASSERT_EQ(results.size(), 5u);
  EXPECT_EQ(results[0].at("EvalDecision"), "allowed");
  // Both the user's own statement and the group's s3:* grant match.
  std::vector<std::string> ids;
  for (const json::value& m : results[0].at("MatchedStatements").as_array()) {
    ids.emplace_back(m.at("SourcePolicyId").as_string());
  }
  EXPECT_NE(std::find(ids.begin(), ids.end(), "user_alice_own"), ids.end());
  EXPECT_NE(std::find(ids.begin(), ids.end(), "group_devs_team"), ids.end());
  EXPECT_EQ(results[1].at("MatchedStatements").as_array()[0].at("SourcePolicyId"), "group_devs_team");
  EXPECT_EQ(results[2].at("EvalDecision"), "allowed");
  EXPECT_EQ(results[2].at("MatchedStatements").as_array()[0].at("SourcePolicyId"), "IAMReadOnlyAccess");
  EXPECT_EQ(results[3].at("EvalDecision"), "explicitDeny");
  ASSERT_EQ(results[3].at("MatchedStatements").as_array().size(), 1u);
  EXPECT_EQ(results[3].at("MatchedStatements").as_array()[0].at("SourcePolicyId"), "user_alice_own");
  EXPECT_EQ(results[4].at("EvalDecision"), "implicitDeny");
}

TEST_F(SimulationTest, AgreesWithTheAuthorizer) {
  authz::Authorizer authorizer(*source_);
  Principal alice;
  alice.type = PrincipalType::kIAMUser;
  alice.account_id = kAccount;
  alice.arn = alice_.arn;
  alice.principal_id = alice_.id;
  alice.name = "alice";
  for (const char* action : {"s3:GetObject", "s3:DeleteBucket", "iam:ListUsers", "iam:CreateUser",
                             "sqs:SendMessage", "sqs:DeleteQueue"}) {
    authz::AuthzTarget target;
    target.action = action;
    target.resources = {"*"};
    Result<authz::AuthzResult> enforced = authorizer.Decide(alice, target, {.now = clock_.Now()});
    ASSERT_TRUE(enforced);
    json::object in{{"PolicySourceArn", alice_.arn}, {"ActionNames", json::array{action}}};
    Result<json::object> simulated = Call("SimulatePrincipalPolicy", in);
    ASSERT_TRUE(simulated);
    EXPECT_EQ(Result0(*simulated).at("EvalDecision").as_string(),
              policy::DecisionName(enforced->decision.kind))
        << action;
  }
}

TEST_F(SimulationTest, BoundaryInputCapsPermissions) {
  const char* boundary = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]})";
  json::object in{{"PolicySourceArn", alice_.arn},
                  {"ActionNames", json::array{"s3:GetObject", "sqs:SendMessage"}},
                  {"PermissionsBoundaryPolicyInputList", json::array{boundary}}};
  Result<json::object> out = Call("SimulatePrincipalPolicy", in);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(Result0(*out, 0).at("EvalDecision"), "allowed");
  EXPECT_EQ(Result0(*out, 0).at("PermissionsBoundaryDecisionDetail").at("AllowedByPermissionsBoundary"), true);
  EXPECT_EQ(Result0(*out, 1).at("EvalDecision"), "implicitDeny");
  EXPECT_EQ(Result0(*out, 1).at("PermissionsBoundaryDecisionDetail").at("AllowedByPermissionsBoundary"), false);
}

TEST_F(SimulationTest, ExclusionListDropsAPolicy) {
  json::object in{{"PolicySourceArn", alice_.arn},
                  {"ActionNames", json::array{"iam:GetUser"}},
                  {"PolicyExclusionList",
                   json::array{json::object{{"PolicyType", "aws-managed"},
                                            {"PolicyArn", "arn:aws:iam::aws:policy/IAMReadOnlyAccess"}}}}};
  Result<json::object> out = Call("SimulatePrincipalPolicy", in);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(Result0(*out).at("EvalDecision"), "implicitDeny");
}

TEST_F(SimulationTest, GroupAndMissingEntities) {
  json::object in{{"PolicySourceArn", "arn:aws:iam::111122223333:group/devs"},
                  {"ActionNames", json::array{"sqs:SendMessage"}}};
  Result<json::object> out = Call("SimulatePrincipalPolicy", in);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(Result0(*out).at("EvalDecision"), "allowed");

  in["PolicySourceArn"] = "arn:aws:iam::111122223333:user/nobody";
  out = Call("SimulatePrincipalPolicy", in);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, "NoSuchEntity");
  EXPECT_EQ(out.error().message, "The user with name nobody cannot be found.");
  EXPECT_EQ(out.error().http_status, 404);

  in["PolicySourceArn"] = "arn:aws:iam::111122223333:role/none";
  out = Call("SimulatePrincipalPolicy", in);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().message, "The role with name none cannot be found.");

  in["PolicySourceArn"] = "arn:aws:s3:::bucket-name-here";
  out = Call("SimulatePrincipalPolicy", in);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, "InvalidInput");
  EXPECT_EQ(out.error().message, "ARN arn:aws:s3:::bucket-name-here is not valid.");

  // Another account's user is not visible.
  in["PolicySourceArn"] = "arn:aws:iam::999988887777:user/alice";
  out = Call("SimulatePrincipalPolicy", in);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, "NoSuchEntity");
}

TEST_F(SimulationTest, InvalidInputs) {
  json::object in{{"PolicyInputList", json::array{"{not json"}}, {"ActionNames", json::array{"s3:GetObject"}}};
  Result<json::object> out = Call("SimulateCustomPolicy", in);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, "InvalidInput");
  EXPECT_EQ(out.error().http_status, 400);

  // A resource policy needs a caller when the source is not a user.
  const char* allow = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})";
  json::object with_resource{{"PolicyInputList", json::array{allow}},
                             {"ActionNames", json::array{"s3:GetObject"}},
                             {"ResourcePolicy", allow}};
  out = Call("SimulateCustomPolicy", with_resource);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, "InvalidInput");

  with_resource["CallerArn"] = "arn:aws:iam::111122223333:role/r";
  out = Call("SimulateCustomPolicy", with_resource);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, "InvalidInput");
}

TEST_F(SimulationTest, ResourcePolicyWithCaller) {
  const char* resource_policy =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:user/bob"},"Action":"s3:GetObject","Resource":"*"}]})";
  const char* identity = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]})";
  json::object in{{"PolicyInputList", json::array{identity}},
                  {"ActionNames", json::array{"s3:GetObject"}},
                  {"ResourceArns", json::array{"arn:aws:s3:::shared/key"}},
                  {"ResourcePolicy", resource_policy},
                  {"ResourceOwner", "arn:aws:iam::111122223333:root"},
                  {"CallerArn", "arn:aws:iam::444455556666:user/bob"}};
  Result<json::object> out = Call("SimulateCustomPolicy", in);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(Result0(*out).at("EvalDecision"), "allowed");
  // Someone else: cross-account without a grant in the resource policy.
  in["CallerArn"] = "arn:aws:iam::444455556666:user/eve";
  out = Call("SimulateCustomPolicy", in);
  ASSERT_TRUE(out);
  EXPECT_EQ(Result0(*out).at("EvalDecision"), "implicitDeny");
}

TEST_F(SimulationTest, PagesResults) {
  const char* allow = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})";
  json::object in{{"PolicyInputList", json::array{allow}},
                  {"ActionNames", json::array{"s3:GetObject", "s3:PutObject", "s3:ListBucket"}},
                  {"MaxItems", 2}};
  Result<json::object> first = Call("SimulateCustomPolicy", in);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->at("EvaluationResults").as_array().size(), 2u);
  EXPECT_EQ(first->at("IsTruncated"), true);
  in["Marker"] = first->at("Marker");
  Result<json::object> second = Call("SimulateCustomPolicy", in);
  ASSERT_TRUE(second) << second.error().message;
  ASSERT_EQ(second->at("EvaluationResults").as_array().size(), 1u);
  EXPECT_EQ(Result0(*second).at("EvalActionName"), "s3:ListBucket");
  EXPECT_EQ(second->at("IsTruncated"), false);
}

TEST_F(SimulationTest, ContextKeysForCustomPolicy) {
  // The AWS CLI example: the variable in Resource first, then the condition key.
  const char* policy =
      R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}",)"
      R"("Condition":{"DateGreaterThan":{"aws:CurrentTime":"2015-08-16T12:00:00Z"}}}})";
  const char* second =
      R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*",)"
      R"("Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"StringEquals":{"AWS:USERNAME":"x"}}}})";
  json::object in{{"PolicyInputList", json::array{policy, second}}};
  Result<json::object> out = Call("GetContextKeysForCustomPolicy", in);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->at("ContextKeyNames").as_array(),
            (json::array{"aws:username", "aws:CurrentTime", "aws:SourceIp"}));

  json::object bad{{"PolicyInputList", json::array{"[]"}}};
  EXPECT_FALSE(Call("GetContextKeysForCustomPolicy", bad));
}

TEST_F(SimulationTest, ContextKeysForPrincipalPolicy) {
  ASSERT_TRUE(Write([&](store::WriteTransaction& tx) {
    return tx.InlinePolicies().Put(
        {store::EntityRef::Group(group_.id), "cond",
         R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]})"});
  }));
  json::object in{{"PolicySourceArn", alice_.arn}};
  Result<json::object> out = Call("GetContextKeysForPrincipalPolicy", in);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->at("ContextKeyNames").as_array(), json::array{"aws:MultiFactorAuthPresent"});
}

TEST_F(SimulationTest, TargetsThePolicySource) {
  const OperationSpec* spec = registry_.Find("iam", "SimulatePrincipalPolicy");
  ASSERT_NE(spec, nullptr);
  ASSERT_TRUE(spec->target);
  CallContext call(env_, root_);
  call.operation = "SimulatePrincipalPolicy";
  Result<authz::AuthzTarget> target = spec->target(call, json::object{{"PolicySourceArn", alice_.arn}});
  ASSERT_TRUE(target);
  EXPECT_EQ(target->action, "iam:SimulatePrincipalPolicy");
  EXPECT_EQ(target->resources, std::vector<std::string>{alice_.arn});
  EXPECT_FALSE(registry_.Find("iam", "SimulateCustomPolicy")->target);
}

}  // namespace
}  // namespace rampart::services::iam
