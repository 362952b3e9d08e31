#include <atomic>
#include <filesystem>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "audit/audit.h"

namespace rampart::audit {
namespace {
namespace fs = std::filesystem;
namespace json = boost::json;

class RecorderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("rampart_recorder_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    store::SqliteOptions options;
    options.before_commit_for_test = [this]() -> Result<void> {
      if (fail_commit_.load()) return Fail("Unavailable", "injected commit failure");
      return Ok();
    };
    auto opened = store::OpenSqliteStore(dir_ / "t.db", std::string(32, 'k'), options);
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  json::object Record(std::string id, std::string type = "Root", std::string name = "CreateUser") {
    return json::object{{"eventVersion", "1.11"},
                        {"userIdentity", json::object{{"type", type},
                                                      {"arn", "arn:aws:iam::111122223333:root"},
                                                      {"accessKeyId", "AKIA1"}}},
                        {"eventTime", "2027-01-15T08:00:00Z"},
                        {"eventSource", "iam.amazonaws.com"},
                        {"eventName", name},
                        {"awsRegion", "us-east-1"},
                        {"eventID", id},
                        {"readOnly", false},
                        {"eventType", "AwsApiCall"},
                        {"recipientAccountId", "111122223333"}};
  }

  std::vector<store::AuditEventRow> Events() {
    std::vector<store::AuditEventRow> out;
    EXPECT_TRUE(store_->Read([&](const store::ReadTransaction& tx) -> Result<void> {
      auto listed = tx.AuditEvents().ListAfter(0, 1000);
      if (!listed) return Fail(listed.error());
      out = std::move(*listed);
      return Ok();
    }));
    return out;
  }
  std::vector<store::OutboxMessage> Alerts() {
    std::vector<store::OutboxMessage> out;
    EXPECT_TRUE(store_->Read([&](const store::ReadTransaction& tx) -> Result<void> {
      store::ListQuery query;
      query.max_items = 1000;
      auto listed = tx.Outbox().List(kAlertTopic, query);
      if (!listed) return Fail(listed.error());
      out = std::move(listed->items);
      return Ok();
    }));
    return out;
  }

  fs::path dir_;
  std::atomic<bool> fail_commit_{false};
  std::unique_ptr<store::Store> store_;
  FakeClock clock_{FromEpochSeconds(1'800'000'000)};
};

TEST_F(RecorderTest, InTransactionEventCommitsOrRollsBackWithTheChange) {
  AlertEngine alerts(BuiltinAlertRules(), {"http://127.0.0.1:9/hook"});
  Recorder recorder(*store_, alerts, clock_);
  Recorder::Prepared ok = recorder.Prepare(Record("ev-ok"), {{"AWS::IAM::User", "bob"}});
  EXPECT_EQ(ok.alerts.size(), 1u);  // root activity
  store::UserRow user;
  user.account_id = "111122223333";
  user.id = "AIDABOB";
  user.name = "bob";
  user.created = clock_.Now();
  ASSERT_TRUE(store_->Write([&](store::WriteTransaction& tx) -> Result<void> {
    store::AccountRow account;
    account.id = "111122223333";
    account.name = "a";
    account.email = "a@example.com";
    return tx.Accounts().Create(account);
  }));
  ASSERT_TRUE(store_->Write([&](store::WriteTransaction& tx) -> Result<void> {
    if (auto made = tx.Users().Create(user); !made) return made;
    return recorder.Append(tx, ok) ? Ok() : Fail("X", "append");
  }));
  // A change whose commit fails leaves neither the change nor its event nor its alert.
  fail_commit_ = true;
  Recorder::Prepared lost = recorder.Prepare(Record("ev-lost"), {});
  store::UserRow carol = user;
  carol.id = "AIDACAROL";
  carol.name = "carol";
  EXPECT_FALSE(store_->Write([&](store::WriteTransaction& tx) -> Result<void> {
    if (auto made = tx.Users().Create(carol); !made) return made;
    return recorder.Append(tx, lost) ? Ok() : Fail("X", "append");
  }));
  fail_commit_ = false;
  auto events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event_id, "ev-ok");
  EXPECT_EQ(events[0].username, "root");
  EXPECT_EQ(Alerts().size(), 1u);
  EXPECT_TRUE(store_->Read([&](const store::ReadTransaction& tx) -> Result<void> {
    EXPECT_TRUE(tx.Users().Get("111122223333", "bob"));
    EXPECT_FALSE(tx.Users().Get("111122223333", "carol"));
    return Ok();
  }));
}

TEST_F(RecorderTest, QueuedSubmitCompleteAndFlush) {
  AlertEngine alerts({}, {});
  Recorder recorder(*store_, alerts, clock_);
  recorder.Begin("ev-a");
  EXPECT_TRUE(recorder.IsOpen("ev-a"));
  recorder.Submit(Record("ev-a", "IAMUser", "GetUser"), {});
  recorder.Flush();
  EXPECT_FALSE(recorder.IsOpen("ev-a"));
  ASSERT_EQ(Events().size(), 1u);

  // Complete replaces a committed event...
  std::int64_t sequence = 0;
  ASSERT_TRUE(store_->Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<std::int64_t> appended = recorder.Append(tx, recorder.Prepare(Record("ev-b"), {}));
    if (!appended) return Fail(appended.error());
    sequence = *appended;
    return Ok();
  }));
  json::object final_record = Record("ev-b");
  final_record["responseElements"] = json::object{{"user", json::object{{"userName", "bob"}}}};
  recorder.Begin("ev-b");
  recorder.Complete(final_record, {{"AWS::IAM::User", "bob"}}, sequence);
  // ...and appends one whose transaction never committed (its sequence is another's).
  recorder.Complete(Record("ev-c"), {}, sequence);
  recorder.Flush();
  EXPECT_FALSE(recorder.IsOpen("ev-b"));
  auto events = Events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_NE(events[1].record.find("responseElements"), std::string::npos);
  ASSERT_EQ(events[1].resources.size(), 1u);
  EXPECT_EQ(events[1].resources[0].name, "bob");
  EXPECT_EQ(events[2].event_id, "ev-c");
  RecorderStats stats = recorder.Stats();
  EXPECT_EQ(stats.appended_in_transaction, 3u);  // ev-b in tx, ev-a and ev-c by the thread
  EXPECT_EQ(stats.failures, 0u);
}

TEST_F(RecorderTest, StopWritesQueuedEventsAndLaterOnesSynchronously) {
  AlertEngine alerts({}, {});
  Recorder recorder(*store_, alerts, clock_);
  for (int i = 0; i < 20; ++i) recorder.Submit(Record("ev-" + std::to_string(i)), {});
  recorder.Stop();
  EXPECT_EQ(Events().size(), 20u);
  recorder.Submit(Record("ev-late"), {});
  recorder.Flush();  // returns at once
  EXPECT_EQ(Events().size(), 21u);
}

TEST(AlertRules, BuiltinsParseAndMatchTheirEvents) {
  std::vector<AlertRule> rules = BuiltinAlertRules();
  ASSERT_EQ(rules.size(), 6u);
  for (const AlertRule& rule : rules) EXPECT_FALSE(rule.pattern.text().empty()) << rule.name;
  auto matches = [&](std::string_view name, const json::value& record) {
    for (const AlertRule& rule : rules) {
      if (rule.name == name) return rule.pattern.Matches(record);
    }
    return false;
  };
  EXPECT_TRUE(matches("root-activity", json::parse(R"({"userIdentity":{"type":"Root"},"eventType":"AwsApiCall"})")));
  EXPECT_FALSE(matches("root-activity", json::parse(R"({"userIdentity":{"type":"Root","invokedBy":"x"},"eventType":"AwsApiCall"})")));
  EXPECT_FALSE(matches("root-activity", json::parse(R"({"userIdentity":{"type":"IAMUser"},"eventType":"AwsApiCall"})")));
  EXPECT_TRUE(matches("console-signin-without-mfa", json::parse(R"({"eventName":"ConsoleLogin","additionalEventData":{"MFAUsed":"No"},"responseElements":{"ConsoleLogin":"Success"}})")));
  EXPECT_TRUE(matches("root-access-key-created", json::parse(R"({"eventName":"CreateAccessKey","userIdentity":{"type":"Root"},"requestParameters":null})")));
  EXPECT_FALSE(matches("root-access-key-created", json::parse(R"({"eventName":"CreateAccessKey","userIdentity":{"type":"Root"},"requestParameters":{"userName":"bob"}})")));
  EXPECT_TRUE(matches("iam-policy-changed", json::parse(R"({"eventName":"PutUserPolicy"})")));
  EXPECT_TRUE(matches("mfa-disabled", json::parse(R"({"eventSource":"iam.amazonaws.com","eventName":"DeactivateMFADevice"})")));
}

TEST(AlertRules, ThresholdFiresOncePerWindow) {
  auto rules = ParseAlertRules(R"([{"name":"fails","pattern":"{ $.errorMessage = \"Failed authentication\" }","threshold":3,"periodSeconds":60}])");
  ASSERT_TRUE(rules) << rules.error().message;
  AlertEngine engine(std::move(*rules), {"http://a/", "http://b/"});
  json::object failure{{"errorMessage", "Failed authentication"}, {"recipientAccountId", "1"}};
  TimePoint t = FromEpochSeconds(1000);
  EXPECT_TRUE(engine.Evaluate(failure, t).empty());
  EXPECT_TRUE(engine.Evaluate(failure, t + std::chrono::seconds(10)).empty());
  auto fired = engine.Evaluate(failure, t + std::chrono::seconds(20));
  ASSERT_EQ(fired.size(), 2u);  // one per webhook
  json::value payload = json::parse(fired[0].payload);
  EXPECT_EQ(payload.at("url"), "http://a/");
  json::value body = json::parse(payload.at("body").as_string());
  EXPECT_EQ(body.at("rule"), "fails");
  EXPECT_TRUE(engine.Evaluate(failure, t + std::chrono::seconds(200)).empty());
}

TEST(AlertRules, RejectsBadRuleFiles) {
  EXPECT_FALSE(ParseAlertRules("{}"));
  EXPECT_FALSE(ParseAlertRules("[1]"));
  EXPECT_FALSE(ParseAlertRules(R"([{"pattern":"{ $.a = 1 }"}])"));
  EXPECT_FALSE(ParseAlertRules(R"([{"name":"x","pattern":"{ $.a = }"}])"));
  EXPECT_FALSE(ParseAlertRules(R"([{"name":"x","pattern":"{ $.a = 1 }","threshold":0}])"));
  EXPECT_FALSE(ParseAlertRules(R"([{"name":"x","pattern":"{ $.a = 1 }","periodSeconds":"5"}])"));
  EXPECT_EQ(ParseAlertRules(R"([{"name":"x","pattern":"{ $.a = 1 }"}])")->size(), 1u);
}

}  // namespace
}  // namespace rampart::audit
