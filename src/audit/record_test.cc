#include "audit/audit.h"

#include <chrono>
#include <cstddef>
#include <thread>

#include <boost/json.hpp>

#include <gtest/gtest.h>

namespace rampart::audit {
namespace {
namespace json = boost::json;

Principal Root() {
  Principal p;
  p.type = PrincipalType::kRoot;
  p.account_id = "111122223333";
  p.arn = "arn:aws:iam::111122223333:root";
  p.principal_id = "111122223333";
  p.access_key_id = "AKIAROOTKEY";
  return p;
}

Principal User() {
  Principal p;
  p.type = PrincipalType::kIAMUser;
  p.account_id = "111122223333";
  p.arn = "arn:aws:iam::111122223333:user/alice";
  p.principal_id = "AIDAALICE";
  p.name = "alice";
  p.access_key_id = "AKIAALICE";
  return p;
}

Principal RoleSession() {
  Principal p;
  p.type = PrincipalType::kAssumedRole;
  p.account_id = "111122223333";
  p.arn = "arn:aws:sts::111122223333:assumed-role/Admin/deploy";
  p.principal_id = "AROAADMIN:deploy";
  p.name = "Admin";
  p.access_key_id = "ASIATEMP";
  p.temporary = true;
  p.mfa_authenticated = true;
  p.session_issued = FromEpochSeconds(1'700'000'000);
  p.session_name = "deploy";
  p.issuer_arn = "arn:aws:iam::111122223333:role/Admin";
  p.issuer_principal_id = "AROAADMIN";
  return p;
}

struct Call {
  Principal caller;
  json::object input;
  ApiCall facts;
  Call(Principal p, std::string_view service, std::string_view op, json::object in)
      : caller(std::move(p)), input(std::move(in)) {
    facts.caller = &caller;
    facts.service = service;
    facts.operation = op;
    facts.region = "eu-west-1";
    facts.source_ip = "192.0.2.7";
    facts.user_agent = "aws-cli/2.9";
    facts.request_id = "req-1";
    facts.event_id = "ev-1";
    facts.time = FromEpochSeconds(1'800'000'000);
    facts.model = protocol::Models().Find(service);
    facts.op = facts.model ? facts.model->FindOperation(op) : nullptr;
    facts.input = &input;
  }
};

TEST(RecordBuilder, RootWithAliasAndCommonFields) {
  Call call(Root(), "iam", "CreateUser", json::object{{"UserName", "bob"}, {"Path", "/"}});
  call.facts.account_alias = "corp";
  json::object out{{"User", json::object{{"UserName", "bob"}, {"UserId", "AIDABOB"}}}};
  json::object record = BuildApiCallRecord(call.facts, Outcome{&out, nullptr});
  EXPECT_EQ(record["eventVersion"], "1.11");
  const json::object& id = record["userIdentity"].as_object();
  EXPECT_EQ(id.at("type"), "Root");
  EXPECT_EQ(id.at("arn"), "arn:aws:iam::111122223333:root");
  EXPECT_EQ(id.at("userName"), "corp");
  EXPECT_EQ(id.at("accessKeyId"), "AKIAROOTKEY");
  EXPECT_FALSE(id.contains("sessionContext"));
  EXPECT_EQ(record["eventSource"], "iam.amazonaws.com");
  EXPECT_EQ(record["awsRegion"], "us-east-1");  // IAM is global
  EXPECT_EQ(record["eventTime"], "2027-01-15T08:00:00Z");
  EXPECT_EQ(record["requestParameters"].as_object().at("userName"), "bob");
  EXPECT_EQ(record["responseElements"].as_object().at("user").as_object().at("userId"), "AIDABOB");
  EXPECT_EQ(record["readOnly"], false);
  EXPECT_EQ(record["eventType"], "AwsApiCall");
  EXPECT_EQ(record["managementEvent"], true);
  EXPECT_EQ(record["eventCategory"], "Management");
  EXPECT_EQ(record["recipientAccountId"], "111122223333");
  EXPECT_EQ(record["requestID"], "req-1");
  EXPECT_EQ(record["eventID"], "ev-1");
  EXPECT_FALSE(record.contains("errorCode"));
}

TEST(RecordBuilder, RootWithoutAliasHasNoUserName) {
  json::object id = UserIdentity(Root(), "");
  EXPECT_FALSE(id.contains("userName"));
  EXPECT_EQ(id.at("principalId"), "111122223333");
}

TEST(RecordBuilder, IamUserIdentity) {
  json::object id = UserIdentity(User(), "ignored");
  EXPECT_EQ(id.at("type"), "IAMUser");
  EXPECT_EQ(id.at("userName"), "alice");
  EXPECT_EQ(id.at("principalId"), "AIDAALICE");
  EXPECT_FALSE(id.contains("sessionContext"));
}

TEST(RecordBuilder, AssumedRoleHasSessionIssuerAndAttributes) {
  json::object id = UserIdentity(RoleSession(), "");
  EXPECT_EQ(id.at("type"), "AssumedRole");
  EXPECT_FALSE(id.contains("userName"));
  const json::object& session = id.at("sessionContext").as_object();
  const json::object& issuer = session.at("sessionIssuer").as_object();
  EXPECT_EQ(issuer.at("type"), "Role");
  EXPECT_EQ(issuer.at("arn"), "arn:aws:iam::111122223333:role/Admin");
  EXPECT_EQ(issuer.at("userName"), "Admin");
  EXPECT_EQ(issuer.at("principalId"), "AROAADMIN");
  const json::object& attributes = session.at("attributes").as_object();
  EXPECT_EQ(attributes.at("mfaAuthenticated"), "true");
  EXPECT_EQ(attributes.at("creationDate"), "2023-11-14T22:13:20Z");
}

TEST(RecordBuilder, FederatedUserAndRootSessionToken) {
  Principal fed = RoleSession();
  fed.type = PrincipalType::kFederatedUser;
  fed.arn = "arn:aws:sts::111122223333:federated-user/carol";
  fed.issuer_arn = "arn:aws:iam::111122223333:user/alice";
  fed.mfa_authenticated = std::nullopt;
  json::object id = UserIdentity(fed, "");
  EXPECT_EQ(id.at("sessionContext").at("sessionIssuer").at("type"), "IAMUser");
  EXPECT_EQ(id.at("sessionContext").at("attributes").at("mfaAuthenticated"), "false");

  Principal root = Root();
  root.temporary = true;
  root.mfa_authenticated = true;
  root.session_issued = FromEpochSeconds(1'700'000'000);
  json::object root_id = UserIdentity(root, "");
  EXPECT_FALSE(root_id.at("sessionContext").as_object().contains("sessionIssuer"));
  EXPECT_EQ(root_id.at("sessionContext").at("attributes").at("mfaAuthenticated"), "true");
}

TEST(RecordBuilder, RedactsSecretsInRequestAndResponse) {
  Call login(User(), "iam", "CreateLoginProfile",
             json::object{{"UserName", "bob"}, {"Password", "S3cret!pass"},
                          {"PasswordResetRequired", true}});
  json::object record = BuildApiCallRecord(login.facts, Outcome{});
  std::string text = json::serialize(record);
  EXPECT_EQ(text.find("S3cret!pass"), std::string::npos);
  EXPECT_EQ(record["requestParameters"].at("password").as_string(), kHidden);
  EXPECT_EQ(record["requestParameters"].at("passwordResetRequired"), true);

  Call change(User(), "iam", "ChangePassword",
              json::object{{"OldPassword", "old-one"}, {"NewPassword", "new-one"}});
  std::string change_text = json::serialize(BuildApiCallRecord(change.facts, Outcome{}));
  EXPECT_EQ(change_text.find("old-one"), std::string::npos);
  EXPECT_EQ(change_text.find("new-one"), std::string::npos);

  Call mfa(User(), "iam", "EnableMFADevice",
           json::object{{"UserName", "bob"}, {"SerialNumber", "arn:aws:iam::111122223333:mfa/bob"},
                        {"AuthenticationCode1", "123456"}, {"AuthenticationCode2", "654321"}});
  std::string mfa_text = json::serialize(BuildApiCallRecord(mfa.facts, Outcome{}));
  EXPECT_EQ(mfa_text.find("123456"), std::string::npos);
  EXPECT_EQ(mfa_text.find("654321"), std::string::npos);

  Call key(Root(), "iam", "CreateAccessKey", json::object{{"UserName", "bob"}});
  json::object out{{"AccessKey", json::object{{"UserName", "bob"},
                                              {"AccessKeyId", "AKIANEW"},
                                              {"Status", "Active"},
                                              {"SecretAccessKey", "wJalrXUtnFEMI"}}}};
  json::object key_record = BuildApiCallRecord(key.facts, Outcome{&out, nullptr});
  const json::object& access_key = key_record["responseElements"].at("accessKey").as_object();
  EXPECT_EQ(access_key.at("accessKeyId"), "AKIANEW");
  EXPECT_FALSE(access_key.contains("secretAccessKey"));
  EXPECT_EQ(json::serialize(key_record).find("wJalrXUtnFEMI"), std::string::npos);

  Call seed(User(), "iam", "CreateVirtualMFADevice", json::object{{"VirtualMFADeviceName", "d"}});
  json::object seed_out{{"VirtualMFADevice",
                         json::object{{"SerialNumber", "arn:aws:iam::111122223333:mfa/d"},
                                      {"Base32StringSeed", "JBSWY3DPEHPK3PXP"},
                                      {"QRCodePNG", "\x89PNG"}}}};
  std::string seed_text = json::serialize(BuildApiCallRecord(seed.facts, Outcome{&seed_out, nullptr}));
  EXPECT_EQ(seed_text.find("JBSWY3DPEHPK3PXP"), std::string::npos);
  EXPECT_EQ(seed_text.find("PNG"), std::string::npos);

  Call assume(User(), "sts", "AssumeRole",
              json::object{{"RoleArn", "arn:aws:iam::111122223333:role/Admin"},
                           {"RoleSessionName", "s"}, {"TokenCode", "999000"}});
  json::object creds{{"Credentials", json::object{{"AccessKeyId", "ASIANEW"},
                                                  {"SecretAccessKey", "topsecret"},
                                                  {"SessionToken", "tokentoken"},
                                                  {"Expiration", "2027-01-01T00:00:00Z"}}}};
  json::object assume_record = BuildApiCallRecord(assume.facts, Outcome{&creds, nullptr});
  std::string assume_text = json::serialize(assume_record);
  EXPECT_EQ(assume_text.find("topsecret"), std::string::npos);
  EXPECT_EQ(assume_text.find("tokentoken"), std::string::npos);
  EXPECT_EQ(assume_text.find("999000"), std::string::npos);
  EXPECT_EQ(assume_record["awsRegion"], "eu-west-1");
  ASSERT_TRUE(assume_record.contains("resources"));
  EXPECT_EQ(assume_record["resources"].as_array().size(), 2u);
}

TEST(RecordBuilder, RecordsBuiltInAnArenaAreTheSame) {
  // The dispatcher builds records in a stack arena (server/call_recording.cc); a tree too
  // large for the buffer continues on the heap.
  json::object big_input{{"UserName", "bob"}, {"Tags", json::array{}}};
  for (int i = 0; i < 200; ++i) {
    big_input["Tags"].as_array().push_back(
        json::object{{"Key", "k" + std::to_string(i)}, {"Value", std::string(40, 'v')}});
  }
  json::object out{{"User", json::object{{"UserName", "bob"}, {"Path", "/"}}}};
  Error denied("AccessDenied", "User: arn:aws:iam::111122223333:user/alice is not authorized");
  for (const Principal& caller : {Root(), User(), RoleSession()}) {
    for (const json::object& input :
         {json::object{{"UserName", "bob"}, {"Password", "S3cret!pass"}}, big_input}) {
      Call call(caller, "iam", "CreateUser", input);
      for (const Outcome& outcome :
           {Outcome{}, Outcome{&out, nullptr}, Outcome{nullptr, &denied}}) {
        alignas(std::max_align_t) unsigned char buffer[1024];
        json::monotonic_resource arena(buffer, sizeof(buffer));
        json::object in_arena = BuildApiCallRecord(call.facts, outcome, &arena);
        json::object on_heap = BuildApiCallRecord(call.facts, outcome);
        EXPECT_EQ(in_arena, on_heap);
        EXPECT_EQ(json::serialize(in_arena), json::serialize(on_heap));
        EXPECT_EQ(ToRow(in_arena, {}).record, ToRow(on_heap, {}).record);
      }
    }
  }
}

TEST(RecordBuilder, ReadOnlyCallsHaveNullResponseElements) {
  Call get(User(), "iam", "GetUser", json::object{{"UserName", "bob"}});
  json::object out{{"User", json::object{{"UserName", "bob"}}}};
  json::object record = BuildApiCallRecord(get.facts, Outcome{&out, nullptr});
  EXPECT_TRUE(record["responseElements"].is_null());
  EXPECT_EQ(record["readOnly"], true);
  EXPECT_TRUE(IsReadOnly("iam", "ListUsers"));
  EXPECT_FALSE(IsReadOnly("iam", "DeleteUser"));
  EXPECT_TRUE(IsReadOnly("cloudtrail", "LookupEvents"));
}

TEST(RecordBuilder, ErrorsUseTheExceptionShapeName) {
  Call get(User(), "iam", "GetUser", json::object{{"UserName", "nobody"}});
  Error missing("NoSuchEntity", "The user with name nobody cannot be found.", 404);
  json::object record = BuildApiCallRecord(get.facts, Outcome{nullptr, &missing});
  EXPECT_EQ(record["errorCode"], "NoSuchEntityException");
  EXPECT_EQ(record["errorMessage"], "The user with name nobody cannot be found.");
  Error denied("AccessDenied", "User: ... is not authorized", 403);
  json::object denied_record = BuildApiCallRecord(get.facts, Outcome{nullptr, &denied});
  EXPECT_EQ(denied_record["errorCode"], "AccessDenied");
  EXPECT_TRUE(denied_record["responseElements"].is_null());
}

TEST(RecordBuilder, CamelCaseAndNestedLists) {
  EXPECT_EQ(CamelCase("UserName"), "userName");
  EXPECT_EQ(CamelCase("SAMLMetadataDocument"), "sAMLMetadataDocument");
  Call tag(User(), "iam", "TagUser",
           json::object{{"UserName", "bob"},
                        {"Tags", json::array{json::object{{"Key", "team"}, {"Value", "a"}}}}});
  json::object record = BuildApiCallRecord(tag.facts, Outcome{});
  const json::object& tags = record["requestParameters"].at("tags").as_array()[0].as_object();
  EXPECT_EQ(tags.at("key"), "team");
  EXPECT_EQ(tags.at("value"), "a");
}

TEST(RecordBuilder, ResourcesFromInputAndOutput) {
  Call key(Root(), "iam", "CreateAccessKey", json::object{{"UserName", "bob"}});
  json::object out{{"AccessKey", json::object{{"AccessKeyId", "AKIANEW"}}}};
  auto resources = ResourcesOf(key.facts, &out);
  ASSERT_EQ(resources.size(), 2u);
  EXPECT_EQ(resources[0].type, "AWS::IAM::User");
  EXPECT_EQ(resources[0].name, "bob");
  EXPECT_EQ(resources[1].type, "AWS::IAM::AccessKey");
  EXPECT_EQ(resources[1].name, "AKIANEW");
}

TEST(RecordBuilder, ConsoleLoginSuccessAndFailure) {
  Principal root = Root();
  ConsoleLogin login{&root, "", true, false, "https://console.rampart/", "198.51.100.1", "Mozilla",
                     "ev-2", FromEpochSeconds(1'800'000'000)};
  json::object record = BuildConsoleLoginRecord(login);
  EXPECT_EQ(record["eventSource"], "signin.amazonaws.com");
  EXPECT_EQ(record["eventName"], "ConsoleLogin");
  EXPECT_EQ(record["eventType"], "AwsConsoleSignIn");
  EXPECT_EQ(record["awsRegion"], "us-east-1");
  EXPECT_TRUE(record["requestParameters"].is_null());
  EXPECT_EQ(record["responseElements"].at("ConsoleLogin"), "Success");
  EXPECT_EQ(record["additionalEventData"].at("MFAUsed"), "No");
  EXPECT_EQ(record["userIdentity"].at("accessKeyId"), "");
  EXPECT_FALSE(record.contains("errorMessage"));
  login.success = false;
  login.mfa_used = true;
  json::object failed = BuildConsoleLoginRecord(login);
  EXPECT_EQ(failed["responseElements"].at("ConsoleLogin"), "Failure");
  EXPECT_EQ(failed["errorMessage"], "Failed authentication");
  EXPECT_EQ(failed["additionalEventData"].at("MFAUsed"), "Yes");
}

TEST(RecordBuilder, RowAttributes) {
  Call root_call(Root(), "iam", "ListUsers", json::object{});
  store::AuditEventRow root_row = ToRow(BuildApiCallRecord(root_call.facts, Outcome{}), {});
  EXPECT_EQ(root_row.username, "root");
  EXPECT_EQ(root_row.access_key_id, "AKIAROOTKEY");
  EXPECT_TRUE(root_row.read_only);
  EXPECT_EQ(root_row.event_source, "iam.amazonaws.com");
  EXPECT_EQ(root_row.event_time, FromEpochSeconds(1'800'000'000));
  Call role_call(RoleSession(), "iam", "ListUsers", json::object{});
  EXPECT_EQ(ToRow(BuildApiCallRecord(role_call.facts, Outcome{}), {}).username, "deploy");
  Call user_call(User(), "iam", "ListUsers", json::object{});
  EXPECT_EQ(ToRow(BuildApiCallRecord(user_call.facts, Outcome{}), {}).username, "alice");
}

TEST(RecordBuilder, EventIdsAreTimeOrderedUuids) {
  std::string id = NewEventId();
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id[8], '-');
  EXPECT_EQ(id[14], '7');
  EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos);
  EXPECT_NE(NewEventId(), id);
  // The first 48 bits are the creation time in milliseconds: a later id sorts later.
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_LT(id, NewEventId());
}

}  // namespace
}  // namespace rampart::audit
