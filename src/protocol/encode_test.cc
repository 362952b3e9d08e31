#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "protocol/protocol.h"

namespace rampart::protocol {
namespace {

namespace json = boost::json;

std::string HeaderOf(const HttpResponse& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "<absent>";
}

const ServiceModel& Iam() { return *Models().Find("iam"); }

TEST(EncodeQuery, CreateUserInModelOrder) {
  json::object user{{"UserId", "AIDAEXAMPLE"},
                    {"Arn", "arn:aws:iam::123456789012:user/bob"},
                    {"Path", "/"},
                    {"UserName", "bob"},
                    {"CreateDate", "2026-11-28T16:25:11Z"},
                    {"Tags", json::array{json::object{{"Key", "a&b"}, {"Value", "<x>"}}}}};
  json::object output{{"User", user}};
  HttpResponse response =
      EncodeOutput(Iam(), *Iam().FindOperation("CreateUser"), output, "req-1");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(HeaderOf(response, "Content-Type"), "text/xml");
  EXPECT_EQ(HeaderOf(response, "x-amzn-RequestId"), "req-1");
  EXPECT_EQ(response.body,
            "<CreateUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
            "<CreateUserResult><User><Path>/</Path><UserName>bob</UserName>"
            "<UserId>AIDAEXAMPLE</UserId><Arn>arn:aws:iam::123456789012:user/bob</Arn>"
            "<CreateDate>2026-11-28T16:25:11Z</CreateDate>"
            "<Tags><member><Key>a&amp;b</Key><Value>&lt;x&gt;</Value></member></Tags>"
            "</User></CreateUserResult>"
            "<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>"
            "</CreateUserResponse>");
}

TEST(EncodeQuery, OperationWithoutOutput) {
  HttpResponse response = EncodeOutput(Iam(), *Iam().FindOperation("DeleteUser"), {}, "r");
  EXPECT_EQ(response.body,
            "<DeleteUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
            "<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DeleteUserResponse>");
}

TEST(EncodeQuery, BooleansNumbersEpochTimestampsAndMaps) {
  json::object output{{"IsTruncated", false},
                      {"Users", json::array{json::object{{"UserName", "u"},
                                                          {"CreateDate", 1795883111}}}}};
  HttpResponse response = EncodeOutput(Iam(), *Iam().FindOperation("ListUsers"), output, "r");
  EXPECT_NE(response.body.find("<Users><member><UserName>u</UserName>"
                               "<CreateDate>2026-11-28T16:25:11Z</CreateDate></member></Users>"
                               "<IsTruncated>false</IsTruncated>"),
            std::string::npos)
      << response.body;

  json::object summary{{"SummaryMap", json::object{{"Users", 3}, {"Groups", 1}}}};
  HttpResponse map_response =
      EncodeOutput(Iam(), *Iam().FindOperation("GetAccountSummary"), summary, "r");
  EXPECT_NE(map_response.body.find("<SummaryMap><entry><key>Users</key><value>3</value></entry>"
                                   "<entry><key>Groups</key><value>1</value></entry></SummaryMap>"),
            std::string::npos)
      << map_response.body;
}

TEST(EncodeQuery, BlobsAreBase64) {
  json::object output{{"Content", "a,b\n"}, {"ReportFormat", "text/csv"}};
  HttpResponse response =
      EncodeOutput(Iam(), *Iam().FindOperation("GetCredentialReport"), output, "r");
  EXPECT_NE(response.body.find("<Content>YSxiCg==</Content>"), std::string::npos) << response.body;
}

TEST(EncodeJson, ModelOrderEpochSecondsAndBase64) {
  const ServiceModel& orgs = *Models().Find("organizations");
  json::object output{{"Organization",
                       json::object{{"Id", "o-abcdefghij"}, {"FeatureSet", "ALL"}, {"Ignored", 1}}}};
  HttpResponse response =
      EncodeOutput(orgs, *orgs.FindOperation("DescribeOrganization"), output, "rid");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(HeaderOf(response, "Content-Type"), "application/x-amz-json-1.1");
  EXPECT_EQ(response.body, R"({"Organization":{"Id":"o-abcdefghij","FeatureSet":"ALL"}})");

  const ServiceModel& trail = *Models().Find("cloudtrail");
  json::object events{{"Events", json::array{json::object{{"EventId", "e"},
                                                          {"EventTime", "2026-11-28T16:25:11.500Z"}}}}};
  HttpResponse lookup = EncodeOutput(trail, *trail.FindOperation("LookupEvents"), events, "r");
  EXPECT_EQ(lookup.body, R"({"Events":[{"EventId":"e","EventTime":1.7958831115E9}]})");
}

TEST(EncodeRestJson, Iso8601TimestampFormat) {
  const ServiceModel& account = *Models().Find("account");
  json::object output{{"AccountId", "123456789012"},
                      {"AccountCreatedDate", "2026-11-28T16:25:11Z"},
                      {"AccountName", "main"}};
  HttpResponse response =
      EncodeOutput(account, *account.FindOperation("GetAccountInformation"), output, "r");
  EXPECT_EQ(HeaderOf(response, "Content-Type"), "application/json");
  EXPECT_EQ(response.body,
            R"({"AccountId":"123456789012","AccountName":"main","AccountCreatedDate":"2026-11-28T16:25:11Z"})");
}

TEST(EncodeError, QueryModeledError) {
  HttpResponse response = EncodeError(
      &Iam(), Error("NoSuchEntity", "The user with name bob cannot be found."), "req");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(HeaderOf(response, "Content-Type"), "text/xml");
  EXPECT_EQ(HeaderOf(response, "x-amzn-RequestId"), "req");
  EXPECT_EQ(response.body,
            "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error>"
            "<Type>Sender</Type><Code>NoSuchEntity</Code>"
            "<Message>The user with name bob cannot be found.</Message></Error>"
            "<RequestId>req</RequestId></ErrorResponse>");
}

TEST(EncodeError, ShapeNameMapsToWireCode) {
  HttpResponse response = EncodeError(&Iam(), Error("EntityAlreadyExistsException", "x"), "r");
  EXPECT_EQ(response.status, 409);
  EXPECT_NE(response.body.find("<Code>EntityAlreadyExists</Code>"), std::string::npos);
}

TEST(EncodeError, ReceiverFaultAndNoMessage) {
  HttpResponse failure = EncodeError(&Iam(), Error("ServiceFailure", "boom"), "r");
  EXPECT_EQ(failure.status, 500);
  EXPECT_NE(failure.body.find("<Type>Receiver</Type>"), std::string::npos);
  HttpResponse report = EncodeError(&Iam(), Error("ReportNotPresent", ""), "r");
  EXPECT_EQ(report.status, 410);
  EXPECT_EQ(report.body.find("<Message>"), std::string::npos);
}

TEST(EncodeError, CommonTableAndExplicitStatus) {
  EXPECT_EQ(EncodeError(&Iam(), Error("AccessDenied", "no"), "r").status, 403);
  EXPECT_EQ(EncodeError(&Iam(), Error("InternalFailure", "x"), "r").status, 500);
  EXPECT_EQ(EncodeError(&Iam(), Error("ServiceUnavailable", "x"), "r").status, 503);
  EXPECT_EQ(EncodeError(&Iam(), Error("SomethingNew", "x"), "r").status, 400);
  EXPECT_EQ(EncodeError(&Iam(), Error("NoSuchEntity", "x", 418), "r").status, 418);
}

TEST(EncodeError, WithoutServiceUsesQueryShapeWithoutNamespace) {
  HttpResponse response =
      EncodeError(nullptr, Error("MissingAuthenticationToken", "Missing Authentication Token"), "r");
  EXPECT_EQ(response.status, 403);
  EXPECT_EQ(response.body,
            "<ErrorResponse><Error><Type>Sender</Type><Code>MissingAuthenticationToken</Code>"
            "<Message>Missing Authentication Token</Message></Error><RequestId>r</RequestId>"
            "</ErrorResponse>");
}

TEST(EncodeError, JsonShapeAndHeader) {
  const ServiceModel& orgs = *Models().Find("organizations");
  HttpResponse response =
      EncodeError(&orgs, Error("AWSOrganizationsNotInUseException", "not in an org"), "r");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(HeaderOf(response, "x-amzn-ErrorType"), "AWSOrganizationsNotInUseException");
  EXPECT_EQ(response.body,
            R"({"__type":"AWSOrganizationsNotInUseException","Message":"not in an org"})");
  // Organizations models AccessDeniedException without an httpStatusCode: JSON 1.1
  // client errors default to 400.
  HttpResponse denied = EncodeError(&orgs, Error("AccessDenied", "nope"), "r");
  EXPECT_EQ(denied.status, 400);
  EXPECT_EQ(denied.body, R"({"__type":"AccessDeniedException","Message":"nope"})");
  const ServiceModel& support = *Models().Find("support");
  HttpResponse validation = EncodeError(&support, Error("ValidationError", "bad"), "r");
  EXPECT_EQ(validation.body, R"({"__type":"ValidationException","message":"bad"})");
  HttpResponse unknown = EncodeError(&orgs, Error("UnknownOperationException", ""), "r");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.body, R"({"__type":"UnknownOperationException"})");
}

TEST(EncodeError, RestJsonUsesModelStatus) {
  const ServiceModel& account = *Models().Find("account");
  HttpResponse response = EncodeError(&account, Error("ResourceNotFoundException", "no"), "r");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(HeaderOf(response, "Content-Type"), "application/json");
  EXPECT_EQ(response.body, R"({"__type":"ResourceNotFoundException","message":"no"})");
}

TEST(NotImplemented, Is501InTheServiceProtocol) {
  Error error = NotImplemented(Iam(), *Iam().FindOperation("CreateSAMLProvider"));
  EXPECT_EQ(error.code, "NotImplemented");
  EXPECT_EQ(error.http_status, 501);
  EXPECT_NE(error.message.find("CreateSAMLProvider"), std::string::npos);
  HttpResponse response = EncodeError(&Iam(), error, "r");
  EXPECT_EQ(response.status, 501);
  EXPECT_NE(response.body.find("<Type>Receiver</Type><Code>NotImplemented</Code>"),
            std::string::npos);
  const ServiceModel& orgs = *Models().Find("organizations");
  HttpResponse json_response =
      EncodeError(&orgs, NotImplemented(orgs, *orgs.FindOperation("CreateAccount")), "r");
  EXPECT_EQ(json_response.status, 501);
  EXPECT_EQ(HeaderOf(json_response, "x-amzn-ErrorType"), "NotImplemented");
}

}  // namespace
}  // namespace rampart::protocol
