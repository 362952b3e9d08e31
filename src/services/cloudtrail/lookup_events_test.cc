// LookupEvents against a real (temporary) SQLite store with events appended directly, and the
// transactional contract of the audit record: through a CallContext, a handler's change and
// its event (appended by the hook the dispatcher installs) commit or roll back together.
#include <filesystem>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "audit/audit.h"
#include "common/ids.h"
#include "server/call_recording.h"
#include "services/cloudtrail/cloudtrail.h"
#include "services/iam/iam.h"
#include "store/store.h"

namespace rampart::services::cloudtrail {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr char kAccount[] = "111122223333";
constexpr char kOther[] = "444455556666";
const TimePoint kNow = FromEpochSeconds(1'800'000'000);

class LookupEventsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("rampart-lookup-" + ids::NewRequestId());
    fs::create_directories(dir_);
    auto opened = store::OpenSqliteStore(dir_ / "t.db", std::string(32, 'k'));
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
    env_.store = store_.get();
    env_.clock = &clock_;
    env_.page_token_key = std::string(32, 'p');
    for (const char* account : {kAccount, kOther}) {
      ASSERT_TRUE(store_->Write([&](store::WriteTransaction& tx) -> Result<void> {
        store::AccountRow row;
        row.id = account;
        row.name = account;
        row.email = std::string("root@") + account + ".test";
        row.created = kNow;
        return tx.Accounts().Create(row);
      }));
    }
    caller_.type = PrincipalType::kIAMUser;
    caller_.account_id = kAccount;
    caller_.name = "admin";
    caller_.arn = std::string("arn:aws:iam::") + kAccount + ":user/admin";
    other_caller_ = caller_;
    other_caller_.account_id = kOther;
  }
  void TearDown() override {
    store_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Appends one event `seconds_ago` before kNow; returns its id.
  std::string Add(std::string name, int seconds_ago, std::string username = "alice",
                  bool read_only = false, std::vector<store::AuditResource> resources = {},
                  std::string account = kAccount, std::string key = "AKIAALICE") {
    store::AuditEventRow row;
    row.event_id = audit::NewEventId();
    row.account_id = account;
    row.event_time = kNow - std::chrono::seconds(seconds_ago);
    row.event_name = std::move(name);
    row.event_source = row.event_name == "GetCallerIdentity" ? "sts.amazonaws.com"
                                                             : "iam.amazonaws.com";
    row.username = std::move(username);
    row.access_key_id = std::move(key);
    row.read_only = read_only;
    row.resources = std::move(resources);
    row.record = json::serialize(json::object{{"eventID", row.event_id},
                                              {"eventName", row.event_name}});
    EXPECT_TRUE(store_->Write([&](store::WriteTransaction& tx) -> Result<void> {
      auto appended = tx.AuditEvents().Append(row);
      if (!appended) return Fail(appended.error());
      return Ok();
    }));
    return row.event_id;
  }

  Result<json::object> Lookup(const json::object& input, const Principal* caller = nullptr,
                              const CloudTrailOptions& options = {}) {
    CallContext call(env_, caller ? *caller : caller_);
    call.service = "cloudtrail";
    call.operation = "LookupEvents";
    call.now = kNow;
    return LookupEvents(call, input, options);
  }

  static json::object Attribute(std::string_view key, std::string_view value) {
    return json::object{
        {"LookupAttributes",
         json::array{json::object{{"AttributeKey", key}, {"AttributeValue", value}}}}};
  }

  static std::vector<std::string> Names(const json::object& out) {
    std::vector<std::string> names;
    for (const json::value& event : out.at("Events").as_array()) {
      names.emplace_back(event.at("EventName").as_string());
    }
    return names;
  }

  static std::string ErrorCode(const Result<json::object>& result) {
    EXPECT_FALSE(result) << json::serialize(*result);
    if (result) return "";
    EXPECT_EQ(result.error().http_status, 400) << result.error().code;
    return result.error().code;
  }

  fs::path dir_;
  FakeClock clock_{kNow};
  std::unique_ptr<store::Store> store_;
  Environment env_;
  Principal caller_;
  Principal other_caller_;
};

TEST_F(LookupEventsTest, NewestFirstWithEveryOutputField) {
  Add("CreateUser", 30, "admin", false, {{"AWS::IAM::User", "bob"}}, kAccount, "AKIAADMIN");
  std::string newest = Add("ListUsers", 10, "", true, {}, kAccount, "");
  Add("DeleteUser", 20);
  Result<json::object> out = Lookup({});
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(Names(*out), (std::vector<std::string>{"ListUsers", "DeleteUser", "CreateUser"}));
  EXPECT_FALSE(out->contains("NextToken"));
  const json::object& first = out->at("Events").as_array()[0].as_object();
  EXPECT_EQ(first.at("EventId").as_string(), newest);
  EXPECT_EQ(first.at("ReadOnly").as_string(), "true");
  EXPECT_FALSE(first.contains("Username"));     // none recorded
  EXPECT_FALSE(first.contains("AccessKeyId"));  // none recorded
  EXPECT_EQ(first.at("EventSource").as_string(), "iam.amazonaws.com");
  EXPECT_EQ(first.at("EventTime").as_string(), FormatIso8601(kNow - std::chrono::seconds(10)));
  EXPECT_TRUE(first.at("Resources").as_array().empty());
  json::value record = json::parse(first.at("CloudTrailEvent").as_string());
  EXPECT_EQ(record.at("eventID").as_string(), newest);

  const json::object& last = out->at("Events").as_array()[2].as_object();
  EXPECT_EQ(last.at("ReadOnly").as_string(), "false");
  EXPECT_EQ(last.at("Username").as_string(), "admin");
  EXPECT_EQ(last.at("AccessKeyId").as_string(), "AKIAADMIN");
  EXPECT_EQ(json::serialize(last.at("Resources")),
            R"([{"ResourceType":"AWS::IAM::User","ResourceName":"bob"}])");
}

TEST_F(LookupEventsTest, DefaultPageIsFiftyAndTokensWalkEveryEventOnce) {
  for (int i = 0; i < 57; ++i) Add("CreateUser", 100 + i);
  Result<json::object> first = Lookup({});
  ASSERT_TRUE(first);
  EXPECT_EQ(first->at("Events").as_array().size(), 50u);
  ASSERT_TRUE(first->contains("NextToken"));
  Result<json::object> second =
      Lookup(json::object{{"NextToken", first->at("NextToken")}});
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->at("Events").as_array().size(), 7u);
  EXPECT_FALSE(second->contains("NextToken"));

  std::vector<std::string> seen;
  json::object input{{"MaxResults", 5}};
  for (int page = 0; page < 20; ++page) {
    Result<json::object> out = Lookup(input);
    ASSERT_TRUE(out) << out.error().message;
    for (const json::value& event : out->at("Events").as_array()) {
      seen.emplace_back(event.at("EventId").as_string());
    }
    if (!out->contains("NextToken")) break;
    input["NextToken"] = out->at("NextToken");
  }
  EXPECT_EQ(seen.size(), 57u);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end());
}

TEST_F(LookupEventsTest, EachLookupAttribute) {
  std::string create = Add("CreateUser", 50, "admin", false, {{"AWS::IAM::User", "bob"}},
                           kAccount, "AKIAADMIN");
  Add("CreateAccessKey", 40, "admin", false,
      {{"AWS::IAM::User", "bob"}, {"AWS::IAM::AccessKey", "AKIABOB"}}, kAccount, "AKIAADMIN");
  Add("ListUsers", 30, "bob", true, {}, kAccount, "AKIABOB");
  Add("GetCallerIdentity", 20, "root", true, {}, kAccount, "AKIAROOT");
  Add("CreateUser", 10, "admin", false, {{"AWS::IAM::User", "carol"}}, kOther, "AKIAOTHER");

  struct Case {
    const char* key;
    const char* value;
    std::vector<std::string> names;
  };
  const Case cases[] = {
      {"EventId", create.c_str(), {"CreateUser"}},
      {"EventName", "CreateUser", {"CreateUser"}},  // the other account's is not listed
      {"ReadOnly", "true", {"GetCallerIdentity", "ListUsers"}},
      {"ReadOnly", "false", {"CreateAccessKey", "CreateUser"}},
      {"Username", "bob", {"ListUsers"}},
      {"Username", "root", {"GetCallerIdentity"}},
      {"ResourceType", "AWS::IAM::User", {"CreateAccessKey", "CreateUser"}},
      {"ResourceType", "AWS::IAM::AccessKey", {"CreateAccessKey"}},
      {"ResourceName", "bob", {"CreateAccessKey", "CreateUser"}},
      {"ResourceName", "carol", {}},
      {"EventSource", "sts.amazonaws.com", {"GetCallerIdentity"}},
      {"EventSource", "iam.amazonaws.com", {"ListUsers", "CreateAccessKey", "CreateUser"}},
      {"AccessKeyId", "AKIAADMIN", {"CreateAccessKey", "CreateUser"}},
      {"AccessKeyId", "AKIABOB", {"ListUsers"}},
  };
  for (const Case& c : cases) {
    Result<json::object> out = Lookup(Attribute(c.key, c.value));
    ASSERT_TRUE(out) << c.key << ": " << out.error().message;
    EXPECT_EQ(Names(*out), c.names) << c.key << "=" << c.value;
  }
  // An empty list is no filter.
  Result<json::object> out = Lookup(json::object{{"LookupAttributes", json::array()}});
  ASSERT_TRUE(out);
  EXPECT_EQ(Names(*out).size(), 4u);
}

TEST_F(LookupEventsTest, TimeRangeIsInclusiveAndTheRetentionWindowApplies) {
  Add("A", 300);
  Add("B", 200);
  Add("C", 100);
  Add("Ancient", 100 * 24 * 3600);  // beyond the default 90 days
  json::object window{{"StartTime", FormatIso8601(kNow - std::chrono::seconds(200))},
                      {"EndTime", FormatIso8601(kNow - std::chrono::seconds(100))}};
  Result<json::object> out = Lookup(window);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(Names(*out), (std::vector<std::string>{"C", "B"}));
  // Epoch seconds, as some clients send them.
  json::object epoch{{"StartTime", ToEpochSeconds(kNow) - 250},
                     {"EndTime", ToEpochSeconds(kNow) - 150}};
  out = Lookup(epoch);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(Names(*out), (std::vector<std::string>{"B"}));
  out = Lookup(json::object{{"StartTime", FormatIso8601(kNow - std::chrono::hours(24 * 365))}});
  ASSERT_TRUE(out);
  EXPECT_EQ(Names(*out), (std::vector<std::string>{"C", "B", "A"}));
  CloudTrailOptions longer;
  longer.retention = std::chrono::hours(24 * 365);
  out = Lookup({}, nullptr, longer);
  ASSERT_TRUE(out);
  EXPECT_EQ(Names(*out), (std::vector<std::string>{"C", "B", "A", "Ancient"}));
}

TEST_F(LookupEventsTest, OnlyTheCallersAccount) {
  Add("CreateUser", 10);
  Add("DeleteUser", 5, "alice", false, {}, kOther);
  Result<json::object> mine = Lookup({});
  ASSERT_TRUE(mine);
  EXPECT_EQ(Names(*mine), (std::vector<std::string>{"CreateUser"}));
  Result<json::object> theirs = Lookup({}, &other_caller_);
  ASSERT_TRUE(theirs);
  EXPECT_EQ(Names(*theirs), (std::vector<std::string>{"DeleteUser"}));
}

TEST_F(LookupEventsTest, FlushesQueuedEventsFirst) {
  int flushed = 0;
  CloudTrailOptions options;
  options.flush_events = [&] {
    ++flushed;
    Add("Queued", 1);
  };
  Result<json::object> out = Lookup({}, nullptr, options);
  ASSERT_TRUE(out);
  EXPECT_EQ(flushed, 1);
  EXPECT_EQ(Names(*out), (std::vector<std::string>{"Queued"}));
}

TEST_F(LookupEventsTest, InvalidLookupAttributes) {
  json::object two{{"LookupAttributes",
                    json::array{json::object{{"AttributeKey", "EventName"},
                                             {"AttributeValue", "CreateUser"}},
                                json::object{{"AttributeKey", "Username"},
                                             {"AttributeValue", "bob"}}}}};
  EXPECT_EQ(ErrorCode(Lookup(two)), "InvalidLookupAttributesException");
  EXPECT_EQ(ErrorCode(Lookup(Attribute("Colour", "blue"))), "InvalidLookupAttributesException");
  EXPECT_EQ(ErrorCode(Lookup(Attribute("eventname", "CreateUser"))),
            "InvalidLookupAttributesException");  // keys are case-sensitive
  EXPECT_EQ(ErrorCode(Lookup(Attribute("EventName", ""))), "InvalidLookupAttributesException");
  EXPECT_EQ(ErrorCode(Lookup(Attribute("ReadOnly", "yes"))), "InvalidLookupAttributesException");
  json::object no_key{
      {"LookupAttributes", json::array{json::object{{"AttributeValue", "CreateUser"}}}}};
  EXPECT_EQ(ErrorCode(Lookup(no_key)), "InvalidLookupAttributesException");
}

TEST_F(LookupEventsTest, InvalidTimeRange) {
  json::object reversed{{"StartTime", FormatIso8601(kNow)},
                        {"EndTime", FormatIso8601(kNow - std::chrono::seconds(1))}};
  EXPECT_EQ(ErrorCode(Lookup(reversed)), "InvalidTimeRangeException");
  EXPECT_EQ(ErrorCode(Lookup(json::object{{"StartTime", "yesterday"}})),
            "InvalidTimeRangeException");
  EXPECT_EQ(ErrorCode(Lookup(json::object{{"EndTime", json::array()}})),
            "InvalidTimeRangeException");
  // Equal bounds are a valid (one-instant) range.
  json::object equal{{"StartTime", FormatIso8601(kNow)}, {"EndTime", FormatIso8601(kNow)}};
  EXPECT_TRUE(Lookup(equal));
}

TEST_F(LookupEventsTest, InvalidMaxResults) {
  for (json::value bad : {json::value(0), json::value(51), json::value(-1), json::value(2.5),
                          json::value("10")}) {
    EXPECT_EQ(ErrorCode(Lookup(json::object{{"MaxResults", bad}})), "InvalidMaxResultsException")
        << json::serialize(bad);
  }
  EXPECT_TRUE(Lookup(json::object{{"MaxResults", 1}}));
  EXPECT_TRUE(Lookup(json::object{{"MaxResults", 50}}));
}

TEST_F(LookupEventsTest, EventCategory) {
  Add("CreateUser", 10);
  EXPECT_EQ(ErrorCode(Lookup(json::object{{"EventCategory", "management"}})),
            "InvalidEventCategoryException");
  Result<json::object> insight = Lookup(json::object{{"EventCategory", "insight"}});
  ASSERT_TRUE(insight);
  EXPECT_TRUE(insight->at("Events").as_array().empty());  // no Insights events in rampart
}

TEST_F(LookupEventsTest, NextTokenIsBoundToParametersAndAccount) {
  for (int i = 0; i < 4; ++i) Add("CreateUser", 10 + i);
  json::object input{{"MaxResults", 2}, {"LookupAttributes",
                                         json::array{json::object{{"AttributeKey", "EventName"},
                                                                  {"AttributeValue", "CreateUser"}}}}};
  Result<json::object> first = Lookup(input);
  ASSERT_TRUE(first);
  ASSERT_TRUE(first->contains("NextToken"));
  json::value token = first->at("NextToken");

  json::object same = input;
  same["NextToken"] = token;
  Result<json::object> second = Lookup(same);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(Names(*second).size(), 2u);

  json::object other_size = same;
  other_size["MaxResults"] = 3;
  EXPECT_EQ(ErrorCode(Lookup(other_size)), "InvalidNextTokenException");
  json::object other_filter = same;
  other_filter["LookupAttributes"] = json::array{
      json::object{{"AttributeKey", "EventName"}, {"AttributeValue", "DeleteUser"}}};
  EXPECT_EQ(ErrorCode(Lookup(other_filter)), "InvalidNextTokenException");
  json::object other_time = same;
  other_time["StartTime"] = FormatIso8601(kNow - std::chrono::hours(1));
  EXPECT_EQ(ErrorCode(Lookup(other_time)), "InvalidNextTokenException");
  EXPECT_EQ(ErrorCode(Lookup(same, &other_caller_)), "InvalidNextTokenException");

  json::object garbage = input;
  garbage["NextToken"] = "not-a-token";
  EXPECT_EQ(ErrorCode(Lookup(garbage)), "InvalidNextTokenException");
  json::object flipped = input;
  std::string text(token.as_string());
  text[text.size() / 2] = text[text.size() / 2] == 'A' ? 'B' : 'A';
  flipped["NextToken"] = text;
  EXPECT_EQ(ErrorCode(Lookup(flipped)), "InvalidNextTokenException");
  // A token from another key (another server) is refused too.
  Environment other_env = env_;
  other_env.page_token_key = std::string(32, 'q');
  CallContext call(other_env, caller_);
  call.now = kNow;
  EXPECT_EQ(ErrorCode(LookupEvents(call, same, {})), "InvalidNextTokenException");
}

TEST(LookupEventsInputError, ModelViolationsBecomeCloudTrailExceptions) {
  // The protocol's messages name the member in camelCase (protocol/decode.cc).
  struct Case {
    const char* message;
    const char* code;
  };
  const Case cases[] = {
      {"1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: "
       "Member must have value greater than or equal to 1",
       "InvalidMaxResultsException"},
      {"1 validation error detected: Value 'Colour' at 'lookupAttributes.1.member.attributeKey' "
       "failed to satisfy constraint: Member must satisfy enum value set",
       "InvalidLookupAttributesException"},
      {"1 validation error detected: Value 'x' at 'eventCategory' failed to satisfy constraint",
       "InvalidEventCategoryException"},
      {"1 validation error detected: Value 'x' at 'startTime' failed to satisfy constraint",
       "InvalidTimeRangeException"},
      {"1 validation error detected: Value 'x' at 'endTime' failed to satisfy constraint",
       "InvalidTimeRangeException"},
      {"2 validation errors detected: Value '99' at 'maxResults' failed; Value 'x' at "
       "'eventCategory' failed",
       "InvalidMaxResultsException"},  // the first member named decides
  };
  for (const Case& c : cases) {
    Error mapped = LookupEventsInputError(Error("ValidationError", c.message));
    EXPECT_EQ(mapped.code, c.code) << c.message;
    EXPECT_EQ(mapped.message, c.message);
    EXPECT_EQ(mapped.http_status, 400);
  }
  Error other = LookupEventsInputError(Error("SerializationException", "not JSON", 400));
  EXPECT_EQ(other.code, "SerializationException");
  HandlerRegistry registry;
  Register(registry);
  EXPECT_TRUE(registry.Find("cloudtrail", "LookupEvents")->input_error);
}

TEST_F(LookupEventsTest, RegisteredAsCloudTrailLookupEvents) {
  HandlerRegistry registry;
  Register(registry);
  const OperationSpec* spec = registry.Find("cloudtrail", "LookupEvents");
  ASSERT_NE(spec, nullptr);
  EXPECT_TRUE(spec->requires_authorization);  // cloudtrail:LookupEvents on "*"
  EXPECT_FALSE(spec->target);
  Add("CreateUser", 1);
  CallContext call(env_, caller_);
  call.now = kNow;
  Result<json::object> out = spec->handler(call, {});
  ASSERT_TRUE(out);
  EXPECT_EQ(Names(*out), (std::vector<std::string>{"CreateUser"}));
}

// ---------------------------------------------------------------------------------------------
// The audit record and the handler's change share one transaction (issue 6).

class AuditTransactionTest : public LookupEventsTest {
 protected:
  void SetUp() override {
    LookupEventsTest::SetUp();
    iam::RegisterUsers(registry_, iam::IamOptions{});
    caller_.principal_id = "AIDAADMIN";
    Result<audit::FilterPattern> pattern =
        audit::FilterPattern::Parse(R"({ $.eventName = "CreateUser" })");
    ASSERT_TRUE(pattern) << pattern.error().message;
    audit::AlertRule rule;
    rule.name = "user-created";
    rule.pattern = std::move(*pattern);
    alerts_ = std::make_unique<audit::AlertEngine>(std::vector<audit::AlertRule>{rule},
                                                   std::vector<std::string>{});
    recorder_ = std::make_unique<audit::Recorder>(*store_, *alerts_, clock_);
  }
  void TearDown() override {
    recorder_.reset();
    LookupEventsTest::TearDown();
  }

  // Runs iam:CreateUser through a CallContext carrying the dispatcher's CallRecording (the
  // event appended in the handler's transaction), then `extra_hook`, which may fail after
  // both the change and the event are written.
  // `handler` replaces IAM's own CreateUser handler when given.
  Result<json::object> CreateUser(const std::string& name, std::string& event_id,
                                  store::WriteWork extra_hook = nullptr,
                                  const Handler& handler = nullptr) {
    CallContext call(env_, caller_);
    call.service = "iam";
    call.operation = "CreateUser";
    call.now = kNow;
    event_id = audit::NewEventId();
    json::object input{{"UserName", name}};
    audit::ApiCall facts;
    facts.caller = &caller_;
    facts.service = "iam";
    facts.operation = "CreateUser";
    facts.event_id = event_id;
    facts.time = kNow;
    facts.input = &input;
    server::CallRecording recording(*recorder_, facts);
    recording.Attach(call);
    if (extra_hook) call.OnWrite(extra_hook);
    Result<json::object> out = handler ? handler(call, input)
                                       : registry_.Find("iam", "CreateUser")->handler(call, input);
    recording.Finish(out);
    recorder_->Flush();
    return out;
  }

  bool UserExists(const std::string& name) {
    bool found = false;
    EXPECT_TRUE(store_->Read([&](const store::ReadTransaction& tx) -> Result<void> {
      found = static_cast<bool>(tx.Users().Get(kAccount, name));
      return Ok();
    }));
    return found;
  }
  // The recorded event's CloudTrail record (null when there is none).
  json::value Record(const std::string& event_id) {
    Result<json::object> out = Lookup(Attribute("EventId", event_id));
    EXPECT_TRUE(out);
    if (!out || out->at("Events").as_array().empty()) return nullptr;
    return json::parse(
        out->at("Events").as_array()[0].as_object().at("CloudTrailEvent").as_string());
  }
  bool EventExists(const std::string& event_id) {
    Result<json::object> out = Lookup(Attribute("EventId", event_id));
    EXPECT_TRUE(out);
    return out && !out->at("Events").as_array().empty();
  }
  int AlertCount() {
    int count = 0;
    EXPECT_TRUE(store_->Read([&](const store::ReadTransaction& tx) -> Result<void> {
      store::ListQuery query;
      query.max_items = 100;
      auto page = tx.Outbox().List(audit::kAlertTopic, query);
      if (page) count = static_cast<int>(page->items.size());
      return Ok();
    }));
    return count;
  }

  HandlerRegistry registry_;
  std::unique_ptr<audit::AlertEngine> alerts_;
  std::unique_ptr<audit::Recorder> recorder_;
};

TEST_F(AuditTransactionTest, ChangeAndEventCommitTogether) {
  std::string event_id;
  Result<json::object> out = CreateUser("dana", event_id);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_TRUE(UserExists("dana"));
  EXPECT_TRUE(EventExists(event_id));
  EXPECT_EQ(AlertCount(), 1);  // the event's alert is in the same transaction
  Result<json::object> found = Lookup(Attribute("EventId", event_id));
  ASSERT_TRUE(found);
  const json::object& event = found->at("Events").as_array()[0].as_object();
  EXPECT_EQ(event.at("EventName").as_string(), "CreateUser");
  EXPECT_EQ(event.at("Username").as_string(), "admin");
  EXPECT_EQ(json::serialize(event.at("Resources")),
            R"([{"ResourceType":"AWS::IAM::User","ResourceName":"dana"}])");
}

TEST_F(AuditTransactionTest, FailureAfterTheChangeRollsBackBoth) {
  std::string event_id;
  bool hook_ran = false;
  Result<json::object> out =
      CreateUser("erin", event_id, [&](store::WriteTransaction& tx) -> Result<void> {
        hook_ran = true;
        // Both the user and the event are visible inside the transaction...
        EXPECT_TRUE(tx.Users().Get(kAccount, "erin"));
        store::AuditEventQuery query;
        query.account_id = kAccount;
        query.attribute = store::AuditAttribute::kEventId;
        query.attribute_value = event_id;
        auto found = tx.AuditEvents().Lookup(query);
        EXPECT_TRUE(found && found->items.size() == 1);
        // ... when the commit is made to fail.
        return Fail("ServiceFailure", "injected failure before commit", 500);
      });
  ASSERT_TRUE(hook_ran);
  ASSERT_FALSE(out);
  EXPECT_FALSE(UserExists("erin"));
  // The success record went with the change; the call is recorded as the failure it was
  // (with its alert), as the dispatcher records every failed call.
  json::value record = Record(event_id);
  ASSERT_TRUE(record.is_object());
  EXPECT_EQ(record.at("errorMessage").as_string(), "injected failure before commit");
  EXPECT_TRUE(record.at("responseElements").is_null());
  EXPECT_EQ(AlertCount(), 1);
}

TEST_F(AuditTransactionTest, FailingEventRollsBackTheChange) {
  std::string first_id;
  ASSERT_TRUE(CreateUser("frank", first_id));
  // An event that cannot be written (the store refuses it, as on an I/O error) takes the
  // change down with it: a committed change always has its event.
  CallContext call(env_, caller_);
  call.now = kNow;
  call.OnWrite([&](store::WriteTransaction&) -> Result<void> {
    return Fail("ServiceFailure", "the event cannot be written", 500);
  });
  Result<json::object> out =
      registry_.Find("iam", "CreateUser")->handler(call, json::object{{"UserName", "gina"}});
  ASSERT_FALSE(out);
  EXPECT_FALSE(UserExists("gina"));
  EXPECT_EQ(AlertCount(), 1);  // frank's only
}

// CreateUser declares its response before its write: the record committed with the user is
// already complete (responseElements and all), and nothing is queued after the call.
TEST_F(AuditTransactionTest, DeclaredResponseIsCommittedWithTheChange) {
  const audit::RecorderStats before = recorder_->Stats();
  std::string event_id;
  Result<json::object> out = CreateUser("ivan", event_id);
  ASSERT_TRUE(out) << out.error().message;
  const audit::RecorderStats after = recorder_->Stats();
  EXPECT_EQ(after.appended_in_transaction, before.appended_in_transaction + 1);
  EXPECT_EQ(after.queued_written, before.queued_written);  // no completion
  EXPECT_FALSE(recorder_->IsOpen(event_id));
  Result<json::object> found = Lookup(Attribute("EventId", event_id));
  ASSERT_TRUE(found);
  ASSERT_EQ(found->at("Events").as_array().size(), 1u);
  json::value record = Record(event_id);
  const json::object& user =
      record.at("responseElements").as_object().at("user").as_object();
  EXPECT_EQ(user.at("userName").as_string(), "ivan");
  EXPECT_EQ(user.at("userId").as_string(), out->at("User").as_object().at("UserId").as_string());
  EXPECT_EQ(user.at("arn").as_string(), "arn:aws:iam::" + std::string(kAccount) + ":user/ivan");
}

// A handler that returns something else than it declared: the committed record is completed
// with what the caller actually received.
TEST_F(AuditTransactionTest, ResponseOtherThanDeclaredIsCompleted) {
  auto user = [](const std::string& name) {
    return json::object{{"User", json::object{{"UserName", name}, {"Path", "/"}}}};
  };
  std::string event_id;
  auto handler = [&](CallContext& call, const json::object&) -> Result<json::object> {
    call.Respond(user("declared"));
    Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
      store::UserRow row;
      row.account_id = kAccount;
      row.id = "AIDAJACK";
      row.name = "jack";
      row.path = "/";
      row.created = kNow;
      return tx.Users().Create(row);
    });
    if (!written) return Fail(written.error());
    return user("returned");
  };
  Result<json::object> out = CreateUser("jack", event_id, nullptr, handler);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_FALSE(recorder_->IsOpen(event_id));
  json::value record = Record(event_id);
  ASSERT_TRUE(record.is_object());
  EXPECT_EQ(record.at("responseElements").at("user").at("userName").as_string(), "returned");
  Result<json::object> named = Lookup(Attribute("EventId", event_id));
  ASSERT_TRUE(named);
  EXPECT_EQ(named->at("Events").as_array().size(), 1u);
}

TEST_F(AuditTransactionTest, HandlerErrorInsideTheWriteIsRecordedOnce) {
  std::string first_id, second_id;
  ASSERT_TRUE(CreateUser("hana", first_id));
  Result<json::object> again = CreateUser("hana", second_id);  // EntityAlreadyExists
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, "EntityAlreadyExists");
  EXPECT_TRUE(EventExists(first_id));
  // The rolled-back write took its (success) record along; the failure is recorded once.
  json::value record = Record(second_id);
  ASSERT_TRUE(record.is_object());
  EXPECT_EQ(record.at("errorCode").as_string(), "EntityAlreadyExists");  // facts carry no model
  Result<json::object> named = Lookup(Attribute("ResourceName", "hana"));
  ASSERT_TRUE(named);
  EXPECT_EQ(named->at("Events").as_array().size(), 2u);
}

}  // namespace
}  // namespace rampart::services::cloudtrail
