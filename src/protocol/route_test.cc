#include <gtest/gtest.h>

#include "protocol/protocol.h"

namespace rampart::protocol {
namespace {

HttpRequest Form(std::string body) {
  HttpRequest request;
  request.method = "POST";
  request.target = "/";
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  request.body = std::move(body);
  return request;
}

HttpRequest JsonRequest(std::string target, std::string body = "{}") {
  HttpRequest request;
  request.method = "POST";
  request.target = "/";
  request.headers = {{"Content-Type", "application/x-amz-json-1.1"}, {"X-Amz-Target", std::move(target)}};
  request.body = std::move(body);
  return request;
}

const ServiceModel& Iam() { return *Models().Find("iam"); }

TEST(RouteQuery, FindsActionInFormBody) {
  auto routed = Route(Iam(), Form("Action=CreateUser&Version=2010-05-08&UserName=bob"));
  ASSERT_TRUE(routed) << routed.error().message;
  EXPECT_EQ(routed->operation->name, "CreateUser");
  EXPECT_EQ(routed->service, &Iam());
}

TEST(RouteQuery, FindsActionInUrlQueryForGet) {
  HttpRequest request;
  request.method = "GET";
  request.target = "/?Action=GetCallerIdentity&Version=2011-06-15";
  auto routed = Route(*Models().Find("sts"), request);
  ASSERT_TRUE(routed);
  EXPECT_EQ(routed->operation->name, "GetCallerIdentity");
}

TEST(RouteQuery, MissingAction) {
  auto routed = Route(Iam(), Form("Version=2010-05-08"));
  ASSERT_FALSE(routed);
  EXPECT_EQ(routed.error().code, "MissingAction");
  EXPECT_EQ(routed.error().http_status, 400);
  auto empty = Route(Iam(), Form("Action=&Version=2010-05-08"));
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, "MissingAction");
}

TEST(RouteQuery, UnknownActionNamesOperationAndVersion) {
  auto routed = Route(Iam(), Form("Action=CreateUsr&Version=2010-05-08"));
  ASSERT_FALSE(routed);
  EXPECT_EQ(routed.error().code, "InvalidAction");
  EXPECT_EQ(routed.error().message, "Could not find operation CreateUsr for version 2010-05-08");
  EXPECT_EQ(routed.error().http_status, 400);
}

TEST(RouteQuery, WrongVersionIsInvalidAction) {
  auto routed = Route(Iam(), Form("Action=CreateUser&Version=2011-06-15"));
  ASSERT_FALSE(routed);
  EXPECT_EQ(routed.error().code, "InvalidAction");
  EXPECT_EQ(routed.error().message, "Could not find operation CreateUser for version 2011-06-15");
}

TEST(RouteQuery, MissingVersionUsesModelVersion) {
  EXPECT_TRUE(Route(Iam(), Form("Action=ListUsers")));
  auto routed = Route(Iam(), Form("Action=Nope"));
  ASSERT_FALSE(routed);
  EXPECT_EQ(routed.error().message, "Could not find operation Nope for version 2010-05-08");
}

TEST(RouteQuery, MalformedPercentEncoding) {
  auto routed = Route(Iam(), Form("Action=ListUsers&Version=2010-05-08&PathPrefix=%zz"));
  ASSERT_FALSE(routed);
  EXPECT_EQ(routed.error().code, "InvalidQueryParameter");
  EXPECT_EQ(routed.error().http_status, 400);
  EXPECT_FALSE(Route(Iam(), Form("Action=ListUsers&PathPrefix=%4")));
  EXPECT_FALSE(Route(Iam(), Form("Action=List Users")));
}

TEST(RouteQuery, IgnoresBodyOfOtherContentTypes) {
  HttpRequest request = Form("Action=ListUsers");
  request.headers = {{"Content-Type", "application/json"}};
  auto routed = Route(Iam(), request);
  ASSERT_FALSE(routed);
  EXPECT_EQ(routed.error().code, "MissingAction");
}

TEST(RouteJson, FindsTarget) {
  auto routed = Route(*Models().Find("organizations"),
                      JsonRequest("AWSOrganizationsV20161128.DescribeOrganization"));
  ASSERT_TRUE(routed);
  EXPECT_EQ(routed->operation->name, "DescribeOrganization");
  auto trail = Route(*Models().Find("cloudtrail"),
                     JsonRequest("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"));
  ASSERT_TRUE(trail);
  EXPECT_EQ(trail->operation->name, "LookupEvents");
}

TEST(RouteJson, UnknownOrMissingTarget) {
  const ServiceModel& orgs = *Models().Find("organizations");
  for (const char* target : {"AWSOrganizationsV20161128.Nope", "Other.DescribeOrganization",
                             "AWSOrganizationsV20161128.", "AWSOrganizationsV20161128",
                             "DescribeOrganization"}) {
    auto routed = Route(orgs, JsonRequest(target));
    ASSERT_FALSE(routed) << target;
    EXPECT_EQ(routed.error().code, "UnknownOperationException");
    EXPECT_EQ(routed.error().http_status, 400);
    EXPECT_EQ(routed.error().message, "");
  }
  HttpRequest no_target = JsonRequest("x");
  no_target.headers.pop_back();
  EXPECT_FALSE(Route(orgs, no_target));
}

TEST(RouteRestJson, MatchesMethodAndPath) {
  const ServiceModel& account = *Models().Find("account");
  HttpRequest request;
  request.method = "POST";
  request.target = "/getContactInformation";
  auto routed = Route(account, request);
  ASSERT_TRUE(routed);
  EXPECT_EQ(routed->operation->name, "GetContactInformation");

  request.target = "/getContactInformation?x=1";
  EXPECT_TRUE(Route(account, request));

  request.method = "GET";
  auto wrong_method = Route(account, request);
  ASSERT_FALSE(wrong_method);
  EXPECT_EQ(wrong_method.error().code, "UnknownOperationException");
  EXPECT_EQ(wrong_method.error().http_status, 404);

  request.method = "POST";
  request.target = "/getContactInformation/extra";
  EXPECT_FALSE(Route(account, request));
  request.target = "/";
  EXPECT_FALSE(Route(account, request));
}

TEST(RouteRestJson, LabelsAndQueryLiterals) {
  auto model = ServiceModel::Load(R"({"metadata":{"protocol":"rest-json","endpointPrefix":"x"},
    "shapes":{"In":{"type":"structure","required":["Name"],"members":{
        "Name":{"shape":"S","location":"uri","locationName":"Name"},
        "Key":{"shape":"S","location":"uri","locationName":"Key"},
        "Limit":{"shape":"I","location":"querystring","locationName":"limit"}}},
      "S":{"type":"string","max":20},"I":{"type":"integer","max":5}},
    "operations":{
      "GetThing":{"name":"GetThing","http":{"method":"GET","requestUri":"/things/{Name}"},"input":{"shape":"In"}},
      "GetObject":{"name":"GetObject","http":{"method":"GET","requestUri":"/objects/{Name}/{Key+}?x-id=GetObject"},"input":{"shape":"In"}}}})");
  ASSERT_TRUE(model) << model.error().message;
  HttpRequest request;
  request.method = "GET";
  request.target = "/things/a%20b?limit=3";
  auto routed = Route(**model, request);
  ASSERT_TRUE(routed);
  EXPECT_EQ(routed->operation->name, "GetThing");
  auto input = DecodeInput(**model, *routed->operation, request);
  ASSERT_TRUE(input) << input.error().message;
  EXPECT_EQ(input->at("Name").as_string(), "a b");
  EXPECT_EQ(input->at("Limit").as_int64(), 3);

  request.target = "/objects/b/dir/file.txt?x-id=GetObject";
  routed = Route(**model, request);
  ASSERT_TRUE(routed);
  EXPECT_EQ(routed->operation->name, "GetObject");
  input = DecodeInput(**model, *routed->operation, request);
  ASSERT_TRUE(input);
  EXPECT_EQ(input->at("Key").as_string(), "dir/file.txt");

  request.target = "/objects/b/dir/file.txt";  // literal query parameter missing
  EXPECT_FALSE(Route(**model, request));
  request.target = "/things/";
  EXPECT_FALSE(Route(**model, request));

  request.target = "/things/abc?limit=x";
  routed = Route(**model, request);
  ASSERT_TRUE(routed);
  auto bad = DecodeInput(**model, *routed->operation, request);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "SerializationException");

  request.target = "/things/abc?limit=9";
  bad = DecodeInput(**model, *routed->operation, request);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "ValidationException");
  EXPECT_EQ(bad.error().message,
            "1 validation error detected: Value '9' at 'limit' failed to satisfy constraint: "
            "Member must have value less than or equal to 5");
}

}  // namespace
}  // namespace rampart::protocol
