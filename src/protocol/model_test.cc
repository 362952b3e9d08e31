#include <chrono>

#include <gtest/gtest.h>

#include "protocol/internal/pattern.h"
#include "protocol/protocol.h"

namespace rampart::protocol {
namespace {

TEST(Models, LoadsAllSixServices) {
  const ModelRegistry& models = Models();
  for (const char* name : {"iam", "sts", "organizations", "cloudtrail", "account", "support"}) {
    EXPECT_NE(models.Find(name), nullptr) << name;
  }
  EXPECT_EQ(models.Find("s3"), nullptr);
  EXPECT_EQ(models.services().size(), 6u);
}

TEST(Models, IamMetadata) {
  const ServiceModel& iam = *Models().Find("iam");
  EXPECT_EQ(iam.kind(), Kind::kQuery);
  EXPECT_EQ(iam.api_version(), "2010-05-08");
  EXPECT_EQ(iam.xml_namespace(), "https://iam.amazonaws.com/doc/2010-05-08/");
  EXPECT_TRUE(iam.redacts_values());
  EXPECT_EQ(iam.operations().size(), 176u);
}

TEST(Models, JsonAndRestJsonMetadata) {
  const ServiceModel& orgs = *Models().Find("organizations");
  EXPECT_EQ(orgs.kind(), Kind::kJson);
  EXPECT_EQ(orgs.target_prefix(), "AWSOrganizationsV20161128");
  EXPECT_EQ(orgs.json_version(), "1.1");
  EXPECT_EQ(orgs.json_message_key(), "Message");
  EXPECT_EQ(Models().Find("support")->json_message_key(), "message");
  EXPECT_EQ(Models().Find("cloudtrail")->json_message_key(), "Message");
  const ServiceModel& account = *Models().Find("account");
  EXPECT_EQ(account.kind(), Kind::kRestJson);
  const Operation* op = account.FindOperation("GetContactInformation");
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(op->http_method, "POST");
  ASSERT_EQ(op->uri_path.size(), 1u);
  EXPECT_EQ(op->uri_path[0].text, "getContactInformation");
  EXPECT_FALSE(Models().Find("sts")->redacts_values());
}

TEST(Models, OperationShapes) {
  const ServiceModel& iam = *Models().Find("iam");
  const Operation* create_user = iam.FindOperation("CreateUser");
  ASSERT_NE(create_user, nullptr);
  EXPECT_EQ(create_user->result_wrapper, "CreateUserResult");
  ASSERT_NE(create_user->input, nullptr);
  const Member* user_name = create_user->input->FindMember("UserName");
  ASSERT_NE(user_name, nullptr);
  EXPECT_TRUE(user_name->required);
  EXPECT_EQ(user_name->shape->max, 64);
  EXPECT_EQ(user_name->shape->min, 1);
  ASSERT_NE(user_name->shape->regex, nullptr);
  EXPECT_TRUE(user_name->shape->regex->FullMatch("alice+ops@example.com"));
  EXPECT_FALSE(user_name->shape->regex->FullMatch("alice smith"));
  const Member* tags = create_user->input->FindMember("Tags");
  ASSERT_NE(tags, nullptr);
  EXPECT_EQ(tags->shape->type, ShapeType::kList);
  EXPECT_EQ(tags->shape->list_member->wire_name, "member");
  EXPECT_EQ(iam.FindOperation("NoSuchOperation"), nullptr);
}

TEST(Models, ErrorShapes) {
  const ServiceModel& iam = *Models().Find("iam");
  const Shape* by_code = iam.FindErrorShape("NoSuchEntity");
  ASSERT_NE(by_code, nullptr);
  EXPECT_EQ(by_code, iam.FindErrorShape("NoSuchEntityException"));
  EXPECT_EQ(by_code->error->code, "NoSuchEntity");
  EXPECT_EQ(by_code->error->http_status, 404);
  EXPECT_TRUE(by_code->error->sender_fault);
  const Shape* failure = iam.FindErrorShape("ServiceFailure");
  ASSERT_NE(failure, nullptr);
  EXPECT_EQ(failure->error->http_status, 500);
  EXPECT_FALSE(failure->error->sender_fault);
}

TEST(Models, EveryPatternCompiles) {
  int patterns = 0;
  int fallbacks = 0;
  for (const auto& service : Models().services()) {
    for (const Operation* op : service->operations()) {
      (void)op;
    }
  }
  // Patterns are compiled at load; count them through the shapes reachable by name.
  for (const char* name : {"iam", "sts", "organizations", "cloudtrail", "account", "support"}) {
    const ServiceModel& model = *Models().Find(name);
    for (const Operation* op : model.operations()) {
      if (op->input == nullptr) continue;
      for (const Member& member : op->input->members) {
        if (member.shape->pattern.empty()) continue;
        ASSERT_NE(member.shape->regex, nullptr) << member.shape->name;
        ++patterns;
        if (member.shape->regex->uses_fallback()) ++fallbacks;
      }
    }
  }
  EXPECT_GT(patterns, 100);
  EXPECT_LE(fallbacks, 3);
}

TEST(ServiceModelLoad, RejectsBrokenModels) {
  EXPECT_FALSE(ServiceModel::Load("not json"));
  EXPECT_FALSE(ServiceModel::Load("[]"));
  EXPECT_FALSE(ServiceModel::Load(R"({"metadata":{}})"));
  auto bad_protocol = ServiceModel::Load(
      R"({"metadata":{"protocol":"ec2"},"shapes":{},"operations":{}})");
  ASSERT_FALSE(bad_protocol);
  EXPECT_EQ(bad_protocol.error().code, "InvalidModel");
  auto dangling = ServiceModel::Load(R"({"metadata":{"protocol":"json"},
      "shapes":{"S":{"type":"structure","members":{"A":{"shape":"Missing"}}}},
      "operations":{}})");
  ASSERT_FALSE(dangling);
  EXPECT_NE(dangling.error().message.find("Missing"), std::string::npos);
  auto bad_type = ServiceModel::Load(
      R"({"metadata":{"protocol":"json"},"shapes":{"S":{"type":"weird"}},"operations":{}})");
  EXPECT_FALSE(bad_type);
  auto bad_pattern = ServiceModel::Load(
      R"({"metadata":{"protocol":"json"},"shapes":{"S":{"type":"string","pattern":"[a-"}},"operations":{}})");
  EXPECT_FALSE(bad_pattern);
}

TEST(ServiceModelLoad, LoadTimeIsSmall) {
  auto start = std::chrono::steady_clock::now();
  auto registry = ModelRegistry::LoadEmbedded();
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(registry);
  // Generous bound: sanitizer builds are several times slower than release.
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), 2000);
}

}  // namespace
}  // namespace rampart::protocol
