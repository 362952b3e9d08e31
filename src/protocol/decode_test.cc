#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "protocol/protocol.h"

namespace rampart::protocol {
namespace {

namespace json = boost::json;

HttpRequest Form(std::string body) {
  HttpRequest request;
  request.method = "POST";
  request.target = "/";
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  request.body = std::move(body);
  return request;
}

HttpRequest Json(std::string body) {
  HttpRequest request;
  request.method = "POST";
  request.target = "/";
  request.headers = {{"Content-Type", "application/x-amz-json-1.1"}};
  request.body = std::move(body);
  return request;
}

Result<json::object> DecodeQuery(const char* service, const char* operation, std::string body) {
  const ServiceModel& model = *Models().Find(service);
  return DecodeInput(model, *model.FindOperation(operation), Form(std::move(body)));
}

Result<json::object> DecodeJson(const char* service, const char* operation, std::string body) {
  const ServiceModel& model = *Models().Find(service);
  return DecodeInput(model, *model.FindOperation(operation), Json(std::move(body)));
}

TEST(DecodeQuery, ScalarsAndTagList) {
  auto input = DecodeQuery("iam", "CreateUser",
                           "Action=CreateUser&Version=2010-05-08&UserName=bob%2Bops&Path=%2Fteam%2F"
                           "&Tags.member.1.Key=env&Tags.member.1.Value=prod+1"
                           "&Tags.member.2.Key=team&Tags.member.2.Value=");
  ASSERT_TRUE(input) << input.error().message;
  EXPECT_EQ(json::serialize(*input),
            R"({"Path":"/team/","UserName":"bob+ops","Tags":[{"Key":"env","Value":"prod 1"},{"Key":"team","Value":""}]})");
}

TEST(DecodeQuery, ListStopsAtFirstGap) {
  auto input = DecodeQuery("iam", "UntagUser",
                           "UserName=bob&TagKeys.member.1=a&TagKeys.member.3=c");
  ASSERT_TRUE(input);
  EXPECT_EQ(json::serialize(input->at("TagKeys")), R"(["a"])");
}

TEST(DecodeQuery, EmptyListIsNameWithEmptyValue) {
  auto input = DecodeQuery("iam", "UntagUser", "UserName=bob&TagKeys=");
  ASSERT_TRUE(input);
  EXPECT_EQ(json::serialize(input->at("TagKeys")), "[]");
}

TEST(DecodeQuery, IntegersBooleansAndTypeErrors) {
  auto input = DecodeQuery("iam", "UpdateAccountPasswordPolicy",
                           "MinimumPasswordLength=12&RequireSymbols=true&HardExpiry=FALSE");
  ASSERT_TRUE(input) << input.error().message;
  EXPECT_EQ(input->at("MinimumPasswordLength").as_int64(), 12);
  EXPECT_EQ(input->at("RequireSymbols").as_bool(), true);
  EXPECT_EQ(input->at("HardExpiry").as_bool(), false);

  auto bad = DecodeQuery("iam", "UpdateAccountPasswordPolicy",
                         "MinimumPasswordLength=twelve&RequireSymbols=yes");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "ValidationError");
  EXPECT_EQ(bad.error().message,
            "2 validation errors detected: Value at 'minimumPasswordLength' failed to satisfy "
            "constraint: Member must be an integer; Value at 'requireSymbols' failed to satisfy "
            "constraint: Member must be a boolean");
}

TEST(DecodeQuery, IamValidationLeavesValuesOut) {
  auto bad = DecodeQuery("iam", "CreateUser", "UserName=" + std::string(65, 'a'));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "ValidationError");
  EXPECT_EQ(bad.error().http_status, 400);
  EXPECT_EQ(bad.error().message,
            "1 validation error detected: Value at 'userName' failed to satisfy constraint: "
            "Member must have length less than or equal to 64");
}

TEST(DecodeQuery, MissingRequiredMember) {
  auto bad = DecodeQuery("iam", "CreateUser", "Path=%2F");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            "1 validation error detected: Value null at 'userName' failed to satisfy constraint: "
            "Member must not be null");
}

TEST(DecodeQuery, StsEchoesValues) {
  auto bad = DecodeQuery("sts", "AssumeRole",
                         "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr&RoleSessionName=Session1%3A2");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            "1 validation error detected: Value 'Session1:2' at 'roleSessionName' failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
  auto range = DecodeQuery("sts", "GetSessionToken", "DurationSeconds=899");
  ASSERT_FALSE(range);
  EXPECT_EQ(range.error().message,
            "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy "
            "constraint: Member must have value greater than or equal to 900");
}

TEST(DecodeQuery, StsRedactsSensitiveMembers) {
  // SerialNumber is not sensitive, TokenCode is not either; the session Policy is not;
  // only the model's `sensitive` shapes are left out. Use a long ExternalId (not sensitive).
  auto bad = DecodeQuery("sts", "AssumeRole",
                         "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr&RoleSessionName=ss"
                         "&ExternalId=a");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            "1 validation error detected: Value 'a' at 'externalId' failed to satisfy "
            "constraint: Member must have length greater than or equal to 2");
}

TEST(DecodeQuery, TimestampsAreNormalised) {
  const ServiceModel& iam = *Models().Find("iam");
  auto model = ServiceModel::Load(R"({"metadata":{"protocol":"query","apiVersion":"1"},
    "shapes":{"In":{"type":"structure","members":{"When":{"shape":"T"},"Data":{"shape":"B"},
      "Attrs":{"shape":"M"},"Flat":{"shape":"L","flattened":true}}},
      "T":{"type":"timestamp"},"B":{"type":"blob"},"S":{"type":"string"},
      "M":{"type":"map","key":{"shape":"S"},"value":{"shape":"S"}},
      "L":{"type":"list","member":{"shape":"S"}}},
    "operations":{"Op":{"name":"Op","input":{"shape":"In"}}}})");
  ASSERT_TRUE(model) << model.error().message;
  (void)iam;
  auto input = DecodeInput(**model, *(*model)->FindOperation("Op"),
                           Form("When=2026-11-28T17%3A25%3A11%2B01%3A00&Data=aGk%3D"
                                "&Attrs.entry.1.key=a&Attrs.entry.1.value=x&Attrs.entry.2.key=b"
                                "&Attrs.entry.2.value=y&Flat.1=p&Flat.2=q"));
  ASSERT_TRUE(input) << input.error().message;
  EXPECT_EQ(json::serialize(*input),
            R"({"When":"2026-11-28T16:25:11Z","Data":"hi","Attrs":{"a":"x","b":"y"},"Flat":["p","q"]})");
  auto millis = DecodeInput(**model, *(*model)->FindOperation("Op"), Form("When=1795883111.5"));
  ASSERT_TRUE(millis);
  EXPECT_EQ(millis->at("When").as_string(), "2026-11-28T16:25:11.500Z");
  auto bad = DecodeInput(**model, *(*model)->FindOperation("Op"), Form("When=yesterday&Data=%21%21"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            "2 validation errors detected: Value '!!' at 'data' failed to satisfy constraint: "
            "Member must be base64-encoded; Value 'yesterday' at 'when' failed to satisfy "
            "constraint: Member must be a timestamp");
}

TEST(DecodeQuery, InvalidUtf8IsReplaced) {
  auto input = DecodeQuery("iam", "ListUsers", "PathPrefix=%2F%FF%2F");
  // U+FFFD is outside the path pattern, so this is a validation error, not a crash.
  ASSERT_FALSE(input);
  EXPECT_EQ(input.error().code, "ValidationError");
}

TEST(DecodeJson, DecodesAndValidates) {
  auto input = DecodeJson("organizations", "CreateAccount",
                          R"({"Email":"a@example.com","AccountName":"dev","Tags":[{"Key":"k","Value":"v"}],"Unknown":1})");
  ASSERT_TRUE(input) << input.error().message;
  EXPECT_EQ(json::serialize(*input),
            R"({"Email":"a@example.com","AccountName":"dev","Tags":[{"Key":"k","Value":"v"}]})");
}

TEST(DecodeJson, ValidationException) {
  auto bad = DecodeJson("organizations", "CreateAccount", R"({"AccountName":"dev"})");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "ValidationException");
  EXPECT_EQ(bad.error().message,
            "1 validation error detected: Value null at 'email' failed to satisfy constraint: "
            "Member must not be null");
}

TEST(DecodeJson, MalformedJsonAndWrongTypes) {
  for (const char* body : {"{", "[]", "\"x\"", "{\"MaxResults\":\"5\"}", "{\"MaxResults\":1.5}",
                           "{\"NextToken\":5}"}) {
    auto bad = DecodeJson("organizations", "ListAccounts", body);
    ASSERT_FALSE(bad) << body;
    EXPECT_EQ(bad.error().code, "SerializationException") << body;
    EXPECT_EQ(bad.error().http_status, 400);
  }
  EXPECT_TRUE(DecodeJson("organizations", "ListAccounts", ""));
  EXPECT_TRUE(DecodeJson("organizations", "ListAccounts", "{}"));
  EXPECT_TRUE(DecodeJson("organizations", "ListAccounts", R"({"NextToken":null})"));
}

TEST(DecodeJson, DeepNestingIsRejected) {
  std::string body(200, '[');
  body += std::string(200, ']');
  auto bad = DecodeJson("organizations", "ListAccounts", "{\"a\":" + body + "}");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "SerializationException");
}

TEST(DecodeJson, TimestampsFromEpochSeconds) {
  auto input = DecodeJson("cloudtrail", "LookupEvents",
                          R"({"StartTime":1795883111,"EndTime":1795883111.25})");
  ASSERT_TRUE(input) << input.error().message;
  EXPECT_EQ(input->at("StartTime").as_string(), "2026-11-28T16:25:11Z");
  EXPECT_EQ(input->at("EndTime").as_string(), "2026-11-28T16:25:11.250Z");
}

TEST(DecodeJson, EnumListsValueSet) {
  auto bad = DecodeJson("cloudtrail", "LookupEvents",
                        R"({"LookupAttributes":[{"AttributeKey":"Nope","AttributeValue":"x"}]})");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            "1 validation error detected: Value 'Nope' at 'lookupAttributes.1.member.attributeKey' "
            "failed to satisfy constraint: Member must satisfy enum value set: [EventId, EventName, "
            "ReadOnly, Username, ResourceType, ResourceName, EventSource, AccessKeyId]");
}

TEST(Validate, ChecksATreeDirectly) {
  const ServiceModel& iam = *Models().Find("iam");
  const Shape& input = *iam.FindOperation("CreateUser")->input;
  json::object ok{{"UserName", "bob"}};
  EXPECT_TRUE(Validate(iam, input, ok));
  json::object bad{{"UserName", "bad name"}};
  auto result = Validate(iam, input, bad);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            "1 validation error detected: Value at 'userName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [\\w+=,.@-]+");
}

}  // namespace
}  // namespace rampart::protocol
