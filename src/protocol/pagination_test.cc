#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "protocol/protocol.h"

namespace rampart::protocol {
namespace {

namespace json = boost::json;

constexpr std::string_view kKey = "0123456789abcdef0123456789abcdef";

TEST(PageToken, RoundTrips) {
  const ServiceModel& iam = *Models().Find("iam");
  json::object input{{"PathPrefix", "/team/"}, {"MaxItems", 10}};
  std::string binding = PageBinding("ListUsers", input, {"PathPrefix"});
  std::string token = EncodePageToken(kKey, "user/bob", binding);
  EXPECT_EQ(token.find_first_of("+/="), std::string::npos);
  auto position = DecodePageToken(iam, kKey, token, binding);
  ASSERT_TRUE(position);
  EXPECT_EQ(*position, "user/bob");
  EXPECT_TRUE(DecodePageToken(iam, kKey, EncodePageToken(kKey, "", binding), binding));
}

TEST(PageToken, RejectsOtherBindingKeyOrEdits) {
  const ServiceModel& iam = *Models().Find("iam");
  json::object input{{"PathPrefix", "/team/"}};
  std::string binding = PageBinding("ListUsers", input, {"PathPrefix"});
  std::string token = EncodePageToken(kKey, "user/bob", binding);

  json::object other{{"PathPrefix", "/"}};
  auto wrong_binding =
      DecodePageToken(iam, kKey, token, PageBinding("ListUsers", other, {"PathPrefix"}));
  ASSERT_FALSE(wrong_binding);
  EXPECT_EQ(wrong_binding.error().code, "ValidationError");
  EXPECT_EQ(wrong_binding.error().message, "Invalid Marker.");
  EXPECT_EQ(wrong_binding.error().http_status, 400);

  EXPECT_FALSE(DecodePageToken(iam, "another key", token, binding));
  EXPECT_FALSE(DecodePageToken(iam, kKey, PageBinding("ListUsers", {}, {"PathPrefix"}), binding));
  for (std::size_t idx = 0; idx < token.size(); ++idx) {
    std::string edited = token;
    edited[idx] = edited[idx] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(DecodePageToken(iam, kKey, edited, binding)) << idx;
  }
  EXPECT_FALSE(DecodePageToken(iam, kKey, token.substr(0, token.size() - 1), binding));
  EXPECT_FALSE(DecodePageToken(iam, kKey, "", binding));
  EXPECT_FALSE(DecodePageToken(iam, kKey, "!!!", binding));
  EXPECT_FALSE(DecodePageToken(iam, kKey, token + "+", binding));
}

TEST(PageToken, AbsentAndPresentMembersDiffer) {
  json::object empty;
  json::object root{{"PathPrefix", "/"}};
  EXPECT_NE(PageBinding("ListUsers", empty, {"PathPrefix"}),
            PageBinding("ListUsers", root, {"PathPrefix"}));
  EXPECT_NE(PageBinding("ListUsers", root, {"PathPrefix"}),
            PageBinding("ListRoles", root, {"PathPrefix"}));
}

TEST(PageToken, ServiceSpecificErrors) {
  EXPECT_EQ(InvalidPageTokenError(*Models().Find("cloudtrail")).code, "InvalidNextTokenException");
  EXPECT_EQ(InvalidPageTokenError(*Models().Find("organizations")).code, "InvalidInputException");
  EXPECT_EQ(InvalidPageTokenError(*Models().Find("account")).code, "ValidationException");
  Error error = InvalidPageTokenError(*Models().Find("organizations"));
  HttpResponse response = EncodeError(Models().Find("organizations"), error, "r");
  EXPECT_EQ(response.status, 400);
}

}  // namespace
}  // namespace rampart::protocol
