// STS handlers against a real (temporary) SQLite store, the store-backed policy source and
// credential source, and a fake clock: issue credentials, open them as the server does, and
// authorize with them.
#include <filesystem>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "auth/session_token.h"
#include "auth/totp.h"
#include "authz/store_policy_source.h"
#include "common/arn.h"
#include "common/crypto.h"
#include "common/ids.h"
#include "common/strings.h"
#include "services/sts/internal.h"
#include "services/sts/sts.h"
#include "store/store.h"

namespace rampart::services::sts {
namespace {

namespace fs = std::filesystem;

constexpr char kAccount[] = "111122223333";
constexpr char kOther[] = "444455556666";
const TimePoint kStart = FromEpochSeconds(1'800'000'000);

std::string Trust(std::string_view principal, std::string_view condition = "") {
  std::string text = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":")" +
                     std::string(principal) + R"("},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"])";
  if (!condition.empty()) text += R"(,"Condition":)" + std::string(condition);
  return text + "}]}";
}

constexpr char kAllowAll[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})";

class StsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("rampart-sts-" + ids::NewRequestId());
    fs::create_directories(dir_);
    auto opened = store::OpenSqliteStore(dir_ / "t.db", std::string(32, 'k'));
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
    policies_ = std::make_unique<authz::StorePolicySource>(*store_);
    env_.store = store_.get();
    env_.policies = policies_.get();
    env_.clock = &clock_;
    env_.page_token_key = std::string(32, 'p');
    Register(registry_);
    for (const char* account : {kAccount, kOther}) {
      ASSERT_TRUE(store_->Write([&](store::WriteTransaction& tx) -> Result<void> {
        store::AccountRow row;
        row.id = account;
        row.name = account;
        row.email = std::string("root@") + account + ".test";
        row.created = kStart;
        return tx.Accounts().Create(row);
      }));
    }
  }
  void TearDown() override {
    store_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  Principal User(const std::string& name, const std::string& account = kAccount,
                 const std::string& policy = kAllowAll) {
    store::UserRow user;
    user.account_id = account;
    user.id = ids::NewUniqueId("AIDA");
    user.name = name;
    user.created = kStart;
    EXPECT_TRUE(store_->Write([&](store::WriteTransaction& tx) -> Result<void> {
      if (auto r = tx.Users().Create(user); !r) return r;
      if (policy.empty()) return Ok();
      return tx.InlinePolicies().Put({store::EntityRef::User(user.id), "p", policy});
    }));
    Principal p;
    p.type = PrincipalType::kIAMUser;
    p.account_id = account;
    p.arn = IamArn(account, "user", "/", name);
    p.principal_id = user.id;
    p.name = name;
    p.access_key_id = ids::NewUniqueId("AKIA");
    return p;
  }

  Principal Root(const std::string& account = kAccount) {
    Principal p;
    p.type = PrincipalType::kRoot;
    p.account_id = account;
    p.arn = RootArn(account);
    p.principal_id = account;
    return p;
  }

  store::RoleRow Role(const std::string& name, const std::string& trust,
                      const std::string& account = kAccount, const std::string& policy = kAllowAll,
                      std::int32_t max_session = 3600) {
    store::RoleRow role;
    role.account_id = account;
    role.id = ids::NewUniqueId("AROA");
    role.name = name;
    role.created = kStart;
    role.assume_role_policy = trust;
    role.max_session_duration = max_session;
    EXPECT_TRUE(store_->Write([&](store::WriteTransaction& tx) -> Result<void> {
      if (auto r = tx.Roles().Create(role); !r) return r;
      if (policy.empty()) return Ok();
      return tx.InlinePolicies().Put({store::EntityRef::Role(role.id), "p", policy});
    }));
    role.arn = IamArn(account, "role", "/", name);
    return role;
  }

  // A virtual MFA device enabled for `user` (or for root when `user` is root); returns
  // (serial, raw seed).
  std::pair<std::string, std::string> Mfa(const Principal& owner, const std::string& name) {
    store::MfaDeviceRow device;
    device.serial = IamArn(owner.account_id, "mfa", "/", name);
    device.account_id = owner.account_id;
    device.name = name;
    device.seed = auth::totp::NewSeed();
    device.created = kStart;
    EXPECT_TRUE(store_->Write([&](store::WriteTransaction& tx) -> Result<void> {
      if (auto r = tx.MfaDevices().Create(device); !r) return r;
      return tx.MfaDevices().Enable(device.serial,
                                    owner.type == PrincipalType::kRoot ? "" : owner.principal_id,
                                    kStart, 0);
    }));
    return {device.serial, device.seed};
  }

  Result<json::object> Call(const Principal& caller, std::string_view operation,
                            std::string_view input_json) {
    const OperationSpec* spec = registry_.Find("sts", operation);
    EXPECT_NE(spec, nullptr);
    CallContext call(env_, caller);
    call.service = "sts";
    call.operation = operation;
    call.region = "us-east-1";
    call.source_ip = "127.0.0.1";
    call.now = clock_.Now();
    json::object in = input_json.empty() ? json::object() : json::parse(input_json).as_object();
    return spec->handler(call, in);
  }

  // The principal a caller signing with these credentials becomes (as the credential source
  // and verifier rebuild it).
  Principal Open(const json::object& out) {
    const json::object& credentials = out.at("Credentials").as_object();
    auto codec = auth::SessionTokenCodec::Create(env_.page_token_key);
    auto claims = codec->Open(std::string(credentials.at("SessionToken").as_string()),
                              std::string(credentials.at("AccessKeyId").as_string()));
    EXPECT_TRUE(claims) << (claims ? "" : claims.error().message);
    return claims ? claims->principal : Principal{};
  }

  bool Allowed(const Principal& who, const std::string& action, const std::string& resource = "*") {
    authz::Authorizer authorizer(*policies_);
    authz::AuthzTarget target{.action = action, .resources = {resource}};
    auto decided = authorizer.Decide(who, target, authz::RequestFacts{.now = clock_.Now()});
    EXPECT_TRUE(decided);
    return decided && decided->decision.allowed();
  }

  static std::string Code(const Result<json::object>& r) { return r ? "ok" : r.error().code; }
  static std::string Message(const Result<json::object>& r) { return r ? "" : r.error().message; }

  fs::path dir_;
  FakeClock clock_{kStart};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<authz::StorePolicySource> policies_;
  Environment env_;
  HandlerRegistry registry_;
};

// ---------------------------------------------------------------------------------------------
// GetSessionToken

TEST_F(StsTest, GetSessionTokenForAUserDefaultsTo12Hours) {
  Principal alice = User("alice");
  Result<json::object> out = Call(alice, "GetSessionToken", "");
  ASSERT_TRUE(out) << Message(out);
  const json::object& credentials = out->at("Credentials").as_object();
  std::string key(credentials.at("AccessKeyId").as_string());
  EXPECT_TRUE(StartsWith(key, "ASIA"));
  EXPECT_EQ(key.size(), 20u);
  EXPECT_EQ(credentials.at("SecretAccessKey").as_string().size(), 40u);
  EXPECT_EQ(credentials.at("Expiration").as_string(), FormatIso8601(kStart + std::chrono::hours(12)));
  Principal session = Open(*out);
  EXPECT_EQ(session.type, PrincipalType::kIAMUser);
  EXPECT_EQ(session.arn, alice.arn);
  EXPECT_EQ(session.principal_id, alice.principal_id);
  EXPECT_TRUE(session.temporary);
  EXPECT_EQ(session.mfa_authenticated, false);
  EXPECT_EQ(session.session_issued, kStart);
  EXPECT_EQ(auth::AccountOfSessionKeyId(key), kAccount);
}

TEST_F(StsTest, GetSessionTokenForRootIsAtMostOneHourSilently) {
  Result<json::object> out = Call(Root(), "GetSessionToken", R"({"DurationSeconds":7200})");
  ASSERT_TRUE(out) << Message(out);
  EXPECT_EQ(out->at("Credentials").at("Expiration").as_string(),
            FormatIso8601(kStart + std::chrono::hours(1)));
  EXPECT_EQ(Open(*out).type, PrincipalType::kRoot);
  Result<json::object> defaulted = Call(Root(), "GetSessionToken", "");
  EXPECT_EQ(defaulted->at("Credentials").at("Expiration").as_string(),
            FormatIso8601(kStart + std::chrono::hours(1)));
}

TEST_F(StsTest, GetSessionTokenRefusesSessionCredentials) {
  Principal session = Open(*Call(User("alice"), "GetSessionToken", ""));
  Result<json::object> again = Call(session, "GetSessionToken", "");
  EXPECT_EQ(Code(again), "AccessDenied");
  EXPECT_EQ(Message(again), "Cannot call GetSessionToken with session credentials");
}

TEST_F(StsTest, GetSessionTokenWithMfa) {
  Principal alice = User("alice");
  auto [serial, seed] = Mfa(alice, "alice");
  std::string code = auth::totp::CodeAt(seed, clock_.Now());
  Result<json::object> out = Call(
      alice, "GetSessionToken", R"({"SerialNumber":")" + serial + R"(","TokenCode":")" + code + "\"}");
  ASSERT_TRUE(out) << Message(out);
  Principal session = Open(*out);
  EXPECT_EQ(session.mfa_authenticated, true);
  EXPECT_EQ(session.mfa_auth_time, kStart);

  // The same code again is a replay.
  Result<json::object> replay = Call(
      alice, "GetSessionToken", R"({"SerialNumber":")" + serial + R"(","TokenCode":")" + code + "\"}");
  EXPECT_EQ(Code(replay), "AccessDenied");
  EXPECT_EQ(Message(replay), "MultiFactorAuthentication failed with invalid MFA one time pass code.");
  // The next step's code is fine.
  clock_.Set(kStart + std::chrono::seconds(30));
  Result<json::object> next = Call(alice, "GetSessionToken",
                                   R"({"SerialNumber":")" + serial + R"(","TokenCode":")" +
                                       auth::totp::CodeAt(seed, clock_.Now()) + "\"}");
  EXPECT_TRUE(next) << Message(next);
}

TEST_F(StsTest, GetSessionTokenMfaFailures) {
  Principal alice = User("alice");
  Principal bob = User("bob");
  auto [serial, seed] = Mfa(alice, "alice");
  std::string wrong = auth::totp::CodeAt(seed, clock_.Now()) == "000000" ? "111111" : "000000";
  Result<json::object> bad =
      Call(alice, "GetSessionToken", R"({"SerialNumber":")" + serial + R"(","TokenCode":")" + wrong + "\"}");
  EXPECT_EQ(Code(bad), "AccessDenied");
  EXPECT_EQ(Message(bad), "MultiFactorAuthentication failed with invalid MFA one time pass code.");
  // Another user's device, an unknown device, a serial without a code.
  std::string good = auth::totp::CodeAt(seed, clock_.Now());
  for (const std::string& input :
       {R"({"SerialNumber":")" + serial + R"(","TokenCode":")" + good + "\"}"}) {
    Result<json::object> other = Call(bob, "GetSessionToken", input);
    EXPECT_EQ(Message(other),
              "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your "
              "MFA serial number is valid and associated with this user.");
  }
  EXPECT_EQ(Code(Call(alice, "GetSessionToken",
                      R"({"SerialNumber":"arn:aws:iam::111122223333:mfa/nope","TokenCode":"123456"})")),
            "AccessDenied");
  EXPECT_EQ(Code(Call(alice, "GetSessionToken", R"({"SerialNumber":")" + serial + "\"}")),
            "AccessDenied");
}

TEST_F(StsTest, MfaFailuresAreThrottledPerDevice) {
  Principal alice = User("alice");
  auto [serial, seed] = Mfa(alice, "alice");
  std::string good = auth::totp::CodeAt(seed, clock_.Now());
  std::string wrong = good == "000000" ? "111111" : "000000";
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Code(Call(alice, "GetSessionToken",
                        R"({"SerialNumber":")" + serial + R"(","TokenCode":")" + wrong + "\"}")),
              "AccessDenied");
  }
  // Now even the right code is refused until the window passes.
  EXPECT_EQ(Code(Call(alice, "GetSessionToken",
                      R"({"SerialNumber":")" + serial + R"(","TokenCode":")" + good + "\"}")),
            "AccessDenied");
  clock_.Set(kStart + std::chrono::seconds(301));
  EXPECT_EQ(Code(Call(alice, "GetSessionToken",
                      R"({"SerialNumber":")" + serial + R"(","TokenCode":")" +
                          auth::totp::CodeAt(seed, clock_.Now()) + "\"}")),
            "ok");
}

TEST_F(StsTest, RootGetSessionTokenWithRootMfa) {
  Principal root = Root();
  auto [serial, seed] = Mfa(root, "root-account-mfa-device");
  Result<json::object> out = Call(root, "GetSessionToken",
                                  R"({"SerialNumber":")" + serial + R"(","TokenCode":")" +
                                      auth::totp::CodeAt(seed, clock_.Now()) + "\"}");
  ASSERT_TRUE(out) << Message(out);
  EXPECT_EQ(Open(*out).mfa_authenticated, true);
}

// ---------------------------------------------------------------------------------------------
// AssumeRole

TEST_F(StsTest, AssumeRoleSameAccount) {
  Principal alice = User("alice");
  store::RoleRow role = Role("Dev", Trust(std::string("arn:aws:iam::") + kAccount + ":root"));
  Result<json::object> out = Call(alice, "AssumeRole",
                                  R"({"RoleArn":")" + role.arn + R"(","RoleSessionName":"s1"})");
  ASSERT_TRUE(out) << Message(out);
  EXPECT_EQ(out->at("AssumedRoleUser").at("Arn").as_string(),
            "arn:aws:sts::111122223333:assumed-role/Dev/s1");
  EXPECT_EQ(out->at("AssumedRoleUser").at("AssumedRoleId").as_string(), role.id + ":s1");
  EXPECT_FALSE(out->contains("PackedPolicySize"));
  EXPECT_EQ(out->at("Credentials").at("Expiration").as_string(),
            FormatIso8601(kStart + std::chrono::hours(1)));
  Principal session = Open(*out);
  EXPECT_EQ(session.type, PrincipalType::kAssumedRole);
  EXPECT_EQ(session.principal_id, role.id + ":s1");
  EXPECT_EQ(session.issuer_arn, role.arn);
  EXPECT_EQ(session.issuer_principal_id, role.id);
  EXPECT_EQ(session.mfa_authenticated, false);
  // The session has the role's permissions.
  EXPECT_TRUE(Allowed(session, "s3:GetObject"));
  // RoleLastUsed was recorded.
  store_->Read([&](const store::ReadTransaction& tx) -> Result<void> {
    auto row = tx.Roles().GetById(role.id);
    EXPECT_TRUE(row && row->last_used == kStart && row->last_used_region == "us-east-1");
    return Ok();
  });
}

TEST_F(StsTest, MissingRoleAndRefusedTrustLookAlike) {
  Principal alice = User("alice");
  store::RoleRow role = Role("Locked", Trust("arn:aws:iam::111122223333:user/someone-else"));
  Result<json::object> refused = Call(alice, "AssumeRole",
                                      R"({"RoleArn":")" + role.arn + R"(","RoleSessionName":"s"})");
  Result<json::object> missing = Call(
      alice, "AssumeRole", R"({"RoleArn":"arn:aws:iam::111122223333:role/Nope","RoleSessionName":"s"})");
  EXPECT_EQ(Code(refused), "AccessDenied");
  EXPECT_EQ(refused.error().http_status, 403);
  EXPECT_EQ(Message(refused), "User: arn:aws:iam::111122223333:user/alice is not authorized to "
                              "perform: sts:AssumeRole on resource: " + role.arn);
  EXPECT_EQ(Code(missing), "AccessDenied");
  EXPECT_EQ(Message(missing), "User: arn:aws:iam::111122223333:user/alice is not authorized to "
                              "perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role/Nope");
}

TEST_F(StsTest, AssumeRoleValidation) {
  Principal alice = User("alice");
  store::RoleRow role = Role("Dev", Trust("arn:aws:iam::111122223333:root"), kAccount, kAllowAll, 7200);
  EXPECT_EQ(Message(Call(Root(), "AssumeRole",
                         R"({"RoleArn":")" + role.arn + R"(","RoleSessionName":"s"})")),
            "Roles may not be assumed by root accounts.");
  for (std::string bad : {"nothing-valid-in-here", "arn:a::::something/test-role",
                          "arn:aws:iam::111122223333:user/alice", "arn:aws:s3:::bucket/role/x"}) {
    Result<json::object> out =
        Call(alice, "AssumeRole", R"({"RoleArn":")" + bad + R"(","RoleSessionName":"s"})");
    EXPECT_EQ(Code(out), "ValidationError") << bad;
    EXPECT_EQ(Message(out), bad + " is invalid");
  }
  Result<json::object> too_long = Call(
      alice, "AssumeRole", R"({"RoleArn":")" + role.arn + R"(","RoleSessionName":"s","DurationSeconds":7201})");
  EXPECT_EQ(Code(too_long), "ValidationError");
  EXPECT_EQ(Message(too_long), "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  Result<json::object> two_hours = Call(
      alice, "AssumeRole", R"({"RoleArn":")" + role.arn + R"(","RoleSessionName":"s","DurationSeconds":7200})");
  ASSERT_TRUE(two_hours) << Message(two_hours);
  // Role chaining: at most one hour.
  Principal session = Open(*two_hours);
  Result<json::object> chained = Call(
      session, "AssumeRole", R"({"RoleArn":")" + role.arn + R"(","RoleSessionName":"s2","DurationSeconds":3601})");
  EXPECT_EQ(Message(chained),
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
  EXPECT_TRUE(Call(session, "AssumeRole",
                   R"({"RoleArn":")" + role.arn + R"(","RoleSessionName":"s2","DurationSeconds":3600})"));
}

TEST_F(StsTest, CrossAccountNeedsBothSidesAndExternalId) {
  Principal alice = User("alice", kAccount);
  Principal narrow = User("narrow", kAccount,
                          R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})");
  store::RoleRow role = Role("Partner", Trust("arn:aws:iam::111122223333:root",
                                              R"({"StringEquals":{"sts:ExternalId":"xyz-123"}})"),
                             kOther);
  std::string base = R"({"RoleArn":")" + role.arn + R"(","RoleSessionName":"x")";
  EXPECT_EQ(Code(Call(alice, "AssumeRole", base + "}")), "AccessDenied");
  EXPECT_EQ(Code(Call(alice, "AssumeRole", base + R"(,"ExternalId":"wrong"})")), "AccessDenied");
  Result<json::object> ok = Call(alice, "AssumeRole", base + R"(,"ExternalId":"xyz-123"})");
  ASSERT_TRUE(ok) << Message(ok);
  Principal session = Open(*ok);
  EXPECT_EQ(session.account_id, kOther);
  EXPECT_EQ(session.arn, "arn:aws:sts::444455556666:assumed-role/Partner/x");
  // The caller's own policy must allow sts:AssumeRole too.
  EXPECT_EQ(Code(Call(narrow, "AssumeRole", base + R"(,"ExternalId":"xyz-123"})")), "AccessDenied");
}

TEST_F(StsTest, MfaRequiredByTrustPolicy) {
  Principal alice = User("alice");
  store::RoleRow role = Role("Admin", Trust("arn:aws:iam::111122223333:root",
                                            R"({"Bool":{"aws:MultiFactorAuthPresent":"true"}})"));
  std::string assume = R"({"RoleArn":")" + role.arn + R"(","RoleSessionName":"s")";
  EXPECT_EQ(Code(Call(alice, "AssumeRole", assume + "}")), "AccessDenied");
  auto [serial, seed] = Mfa(alice, "alice");
  // MFA passed with AssumeRole itself.
  Result<json::object> direct =
      Call(alice, "AssumeRole", assume + R"(,"SerialNumber":")" + serial + R"(","TokenCode":")" +
                                    auth::totp::CodeAt(seed, clock_.Now()) + "\"}");
  ASSERT_TRUE(direct) << Message(direct);
  EXPECT_EQ(Open(*direct).mfa_authenticated, true);
  // Or carried by a GetSessionToken MFA session.
  clock_.Set(kStart + std::chrono::seconds(30));
  Result<json::object> mfa_session = Call(alice, "GetSessionToken",
                                          R"({"SerialNumber":")" + serial + R"(","TokenCode":")" +
                                              auth::totp::CodeAt(seed, clock_.Now()) + "\"}");
  ASSERT_TRUE(mfa_session);
  Principal session = Open(*mfa_session);
  Result<json::object> carried = Call(session, "AssumeRole", assume + "}");
  ASSERT_TRUE(carried) << Message(carried);
  Principal role_session = Open(*carried);
  EXPECT_EQ(role_session.mfa_authenticated, true);
  EXPECT_EQ(role_session.mfa_auth_time, kStart + std::chrono::seconds(30));
  // A plain GetSessionToken session carries no MFA.
  Principal plain = Open(*Call(alice, "GetSessionToken", ""));
  EXPECT_EQ(Code(Call(plain, "AssumeRole", assume + "}")), "AccessDenied");
}

TEST_F(StsTest, SessionPolicyNarrowsTheRole) {
  Principal alice = User("alice");
  store::RoleRow role = Role("Dev", Trust("arn:aws:iam::111122223333:root"));
  Result<json::object> out = Call(
      alice, "AssumeRole",
      R"({"RoleArn":")" + role.arn + R"(","RoleSessionName":"s","Policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}","PolicyArns":[{"arn":"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}]})");
  ASSERT_TRUE(out) << Message(out);
  EXPECT_GT(out->at("PackedPolicySize").as_int64(), 0);
  EXPECT_LE(out->at("PackedPolicySize").as_int64(), 100);
  Principal session = Open(*out);
  ASSERT_EQ(session.session_policies.size(), 1u);
  ASSERT_EQ(session.session_policy_arns.size(), 1u);
  EXPECT_TRUE(Allowed(session, "s3:GetObject"));
  EXPECT_FALSE(Allowed(session, "s3:PutObject"));
  EXPECT_FALSE(Allowed(session, "iam:ListUsers"));
  // Malformed session policy, too many ARNs.
  EXPECT_EQ(Code(Call(alice, "AssumeRole",
                      R"({"RoleArn":")" + role.arn + R"(","RoleSessionName":"s","Policy":"{nope"})")),
            "MalformedPolicyDocument");
  std::string arns;
  for (int i = 0; i < 11; ++i) arns += std::string(i ? "," : "") + R"({"arn":"arn:aws:iam::aws:policy/P)" + std::to_string(i) + "\"}";
  EXPECT_EQ(Code(Call(alice, "AssumeRole",
                      R"({"RoleArn":")" + role.arn + R"(","RoleSessionName":"s","PolicyArns":[)" + arns + "]}")),
            "ValidationError");
}

TEST_F(StsTest, PackedPolicyTooLarge) {
  Principal alice = User("alice");
  store::RoleRow role = Role("Dev", Trust("arn:aws:iam::111122223333:root"));
  std::string tags;
  for (int i = 0; i < 50; ++i) {
    tags += std::string(i ? "," : "") + R"({"Key":"k)" + std::to_string(i) + R"(","Value":")" +
            crypto::HexEncode(crypto::RandomBytes(100)) + "\"}";
  }
  Result<json::object> out = Call(
      alice, "AssumeRole", R"({"RoleArn":")" + role.arn + R"(","RoleSessionName":"s","Tags":[)" + tags + "]}");
  EXPECT_EQ(Code(out), "PackedPolicyTooLarge");
}

TEST_F(StsTest, SessionTagsAndTransitiveKeys) {
  Principal alice = User("alice");
  store::RoleRow first = Role("First", Trust("arn:aws:iam::111122223333:root"));
  store::RoleRow second = Role("Second", Trust("arn:aws:iam::111122223333:root"));
  std::string assume_first = R"({"RoleArn":")" + first.arn + R"(","RoleSessionName":"s")";
  EXPECT_EQ(Message(Call(alice, "AssumeRole",
                         assume_first + R"(,"Tags":[{"Key":"team","Value":"a"},{"Key":"Team","Value":"b"}]})")),
            "Duplicate tag keys found. Please note that Tag keys are case insensitive.");
  EXPECT_EQ(Message(Call(alice, "AssumeRole",
                         assume_first + R"(,"Tags":[{"Key":"team","Value":"a"}],"TransitiveTagKeys":["project"]})")),
            "The specified transitive tag key must be included in the requested tags.");
  Result<json::object> out = Call(
      alice, "AssumeRole",
      assume_first + R"(,"Tags":[{"Key":"Project","Value":"blue"},{"Key":"Team","Value":"ops"}],"TransitiveTagKeys":["Project"],"SourceIdentity":"alice"})");
  ASSERT_TRUE(out) << Message(out);
  EXPECT_EQ(out->at("SourceIdentity").as_string(), "alice");
  Principal session = Open(*out);
  EXPECT_EQ(session.session_tags.at("Project"), "blue");
  EXPECT_EQ(session.source_identity, "alice");
  std::string assume_second = R"({"RoleArn":")" + second.arn + R"(","RoleSessionName":"t")";
  // A transitive key cannot be overridden; the source identity cannot change.
  EXPECT_EQ(Message(Call(session, "AssumeRole",
                         assume_second + R"(,"Tags":[{"Key":"project","Value":"red"}]})")),
            "One of the specified transitive tag keys can't be set because it conflicts with a "
            "transitive tag key from the calling session.");
  EXPECT_EQ(Code(Call(session, "AssumeRole", assume_second + R"(,"SourceIdentity":"mallory"})")),
            "ValidationError");
  Result<json::object> chained = Call(session, "AssumeRole", assume_second + "}");
  ASSERT_TRUE(chained) << Message(chained);
  Principal next = Open(*chained);
  EXPECT_EQ(next.session_tags.at("Project"), "blue");  // transitive: carried
  EXPECT_EQ(next.session_tags.count("Team"), 0u);       // not transitive: dropped
  EXPECT_EQ(next.transitive_tag_keys, std::vector<std::string>{"Project"});
  EXPECT_EQ(next.source_identity, "alice");
}

TEST_F(StsTest, TagSessionMustBeAllowedByTheTrustPolicy) {
  Principal alice = User("alice");
  store::RoleRow role = Role(
      "NoTags", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]})");
  std::string assume = R"({"RoleArn":")" + role.arn + R"(","RoleSessionName":"s")";
  EXPECT_TRUE(Call(alice, "AssumeRole", assume + "}"));
  Result<json::object> tagged = Call(alice, "AssumeRole", assume + R"(,"Tags":[{"Key":"a","Value":"b"}]})");
  EXPECT_EQ(Message(tagged), "User: arn:aws:iam::111122223333:user/alice is not authorized to "
                             "perform: sts:TagSession on resource: " + role.arn);
}

TEST_F(StsTest, RevokeSessionsPolicyCutsExistingSessions) {
  Principal alice = User("alice");
  store::RoleRow role = Role("Dev", Trust("arn:aws:iam::111122223333:root"));
  std::string assume = R"({"RoleArn":")" + role.arn + R"(","RoleSessionName":"s"})";
  Principal before = Open(*Call(alice, "AssumeRole", assume));
  EXPECT_TRUE(Allowed(before, "s3:GetObject"));
  clock_.Set(kStart + std::chrono::minutes(5));
  // What the console's "Revoke active sessions" writes (IAM User Guide, "Revoking IAM role
  // temporary security credentials").
  std::string revoke = R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":")" +
                       FormatIso8601(clock_.Now()) + R"("}}}]})";
  ASSERT_TRUE(store_->Write([&](store::WriteTransaction& tx) -> Result<void> {
    return tx.InlinePolicies().Put({store::EntityRef::Role(role.id), "AWSRevokeOlderSessions", revoke});
  }));
  EXPECT_FALSE(Allowed(before, "s3:GetObject"));
  clock_.Set(kStart + std::chrono::minutes(6));
  Principal after = Open(*Call(alice, "AssumeRole", assume));
  EXPECT_TRUE(Allowed(after, "s3:GetObject"));
}

TEST_F(StsTest, RoleTagsAndSessionTagsAsPrincipalTags) {
  Principal alice = User("alice");
  store::RoleRow role = Role(
      "Dev", Trust("arn:aws:iam::111122223333:root"), kAccount,
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::${aws:PrincipalTag/team}/*"}]})");
  ASSERT_TRUE(store_->Write([&](store::WriteTransaction& tx) -> Result<void> {
    return tx.Tags().Put(kAccount, store::TagRef{store::TaggableType::kRole, role.id}, {{"team", "role-team"}});
  }));
  Principal plain = Open(*Call(alice, "AssumeRole", R"({"RoleArn":")" + role.arn + R"(","RoleSessionName":"s"})"));
  EXPECT_TRUE(Allowed(plain, "s3:GetObject", "arn:aws:s3:::role-team/x"));
  Principal tagged = Open(*Call(alice, "AssumeRole",
                                R"({"RoleArn":")" + role.arn + R"(","RoleSessionName":"s","Tags":[{"Key":"team","Value":"blue"}]})"));
  EXPECT_TRUE(Allowed(tagged, "s3:GetObject", "arn:aws:s3:::blue/x"));
  EXPECT_FALSE(Allowed(tagged, "s3:GetObject", "arn:aws:s3:::role-team/x"));
}

TEST_F(StsTest, DeletedRoleSessionsKeepNoPermissions) {
  Principal alice = User("alice");
  store::RoleRow role = Role("Temp", Trust("arn:aws:iam::111122223333:root"));
  Principal session = Open(*Call(alice, "AssumeRole", R"({"RoleArn":")" + role.arn + R"(","RoleSessionName":"s"})"));
  ASSERT_TRUE(store_->Write([&](store::WriteTransaction& tx) -> Result<void> {
    if (auto r = tx.InlinePolicies().Delete(store::EntityRef::Role(role.id), "p"); !r) return r;
    return tx.Roles().Delete(role.id);
  }));
  EXPECT_FALSE(Allowed(session, "s3:GetObject"));
}

// ---------------------------------------------------------------------------------------------
// GetFederationToken

TEST_F(StsTest, GetFederationToken) {
  Principal alice = User("alice");
  Result<json::object> bare = Call(alice, "GetFederationToken", R"({"Name":"bob"})");
  ASSERT_TRUE(bare) << Message(bare);
  EXPECT_EQ(bare->at("FederatedUser").at("Arn").as_string(),
            "arn:aws:sts::111122223333:federated-user/bob");
  EXPECT_EQ(bare->at("FederatedUser").at("FederatedUserId").as_string(), "111122223333:bob");
  EXPECT_EQ(bare->at("PackedPolicySize").as_int64(), 0);
  Principal federated = Open(*bare);
  EXPECT_EQ(federated.type, PrincipalType::kFederatedUser);
  EXPECT_EQ(federated.principal_id, "111122223333:bob");
  // Without a session policy a federated user has no permissions.
  EXPECT_FALSE(Allowed(federated, "s3:GetObject"));
  Result<json::object> scoped = Call(
      alice, "GetFederationToken",
      R"({"Name":"bob","Policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}"})");
  ASSERT_TRUE(scoped);
  Principal narrowed = Open(*scoped);
  EXPECT_TRUE(Allowed(narrowed, "s3:GetObject"));
  EXPECT_FALSE(Allowed(narrowed, "s3:PutObject"));
  // The intersection: the user's own policies bound the session policy.
  Principal limited = User("limited", kAccount,
                           R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]})");
  Principal limited_session = Open(*Call(
      limited, "GetFederationToken",
      R"({"Name":"carol","Policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"})"));
  EXPECT_TRUE(Allowed(limited_session, "ec2:DescribeInstances"));
  EXPECT_FALSE(Allowed(limited_session, "s3:GetObject"));
  EXPECT_EQ(Code(Call(Root(), "GetFederationToken", R"({"Name":"bob"})")), "AccessDenied");
  EXPECT_EQ(Message(Call(federated, "GetFederationToken", R"({"Name":"x"})")),
            "Cannot call GetFederationToken with session credentials");
}

// ---------------------------------------------------------------------------------------------
// GetAccessKeyInfo, DecodeAuthorizationMessage, scope of temporary credentials

TEST_F(StsTest, GetAccessKeyInfo) {
  Principal alice = User("alice");
  store::AccessKeyRow key;
  key.id = ids::NewUniqueId("AKIA");
  key.account_id = kOther;
  key.secret_access_key = ids::NewSecretAccessKey();
  key.created = kStart;
  ASSERT_TRUE(store_->Write([&](store::WriteTransaction& tx) { return tx.AccessKeys().Create(key); }));
  Result<json::object> known = Call(alice, "GetAccessKeyInfo", R"({"AccessKeyId":")" + key.id + "\"}");
  ASSERT_TRUE(known) << Message(known);
  EXPECT_EQ(known->at("Account").as_string(), kOther);
  std::string session_key(Call(alice, "GetSessionToken", "")->at("Credentials").at("AccessKeyId").as_string());
  EXPECT_EQ(Call(alice, "GetAccessKeyInfo", R"({"AccessKeyId":")" + session_key + "\"}")->at("Account").as_string(),
            kAccount);
  Result<json::object> unknown = Call(alice, "GetAccessKeyInfo", R"({"AccessKeyId":"AKIAIOSFODNN7EXAMPLE"})");
  EXPECT_EQ(Code(unknown), "InvalidParameterValue");
}

TEST_F(StsTest, AuthorizationMessageRoundTrip) {
  Principal alice = User("alice", kAccount,
                         R"({"Version":"2012-10-17","Statement":[{"Sid":"NoS3","Effect":"Deny","Action":"s3:*","Resource":"*"}]})");
  authz::AuthzTarget target{.action = "s3:GetObject", .resources = {"arn:aws:s3:::b/k"}};
  auto set = policies_->ForPrincipal(alice);
  ASSERT_TRUE(set);
  policy::RequestContext context = authz::BuildRequestContext(
      alice, **set, target, "arn:aws:s3:::b/k", authz::RequestFacts{.now = kStart},
      /*every_key=*/true);
  policy::Decision decision = policy::Evaluate((*set)->policies, {}, context, {.collect_details = true});
  ASSERT_FALSE(decision.allowed());
  std::string text = AuthorizationMessageJson(alice, context, decision);
  json::object message = json::parse(text).as_object();
  EXPECT_EQ(message.at("allowed").as_bool(), false);
  EXPECT_EQ(message.at("explicitDeny").as_bool(), true);
  EXPECT_EQ(message.at("matchedStatements").at("items").at(0).at("statementId").as_string(), "NoS3");
  EXPECT_EQ(message.at("matchedStatements").at("items").at(0).at("effect").as_string(), "DENY");
  EXPECT_EQ(message.at("context").at("principal").at("arn").as_string(), alice.arn);
  EXPECT_EQ(message.at("context").at("action").as_string(), "s3:GetObject");
  EXPECT_EQ(message.at("context").at("resource").as_string(), "arn:aws:s3:::b/k");
  EXPECT_FALSE(message.at("context").at("conditions").at("items").as_array().empty());

  Result<std::string> encoded = EncodeAuthorizationMessage(env_.page_token_key, text);
  ASSERT_TRUE(encoded);
  for (char c : *encoded) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
  Result<json::object> decoded =
      Call(alice, "DecodeAuthorizationMessage", R"({"EncodedMessage":")" + *encoded + "\"}");
  ASSERT_TRUE(decoded) << Message(decoded);
  EXPECT_EQ(decoded->at("DecodedMessage").as_string(), text);
  for (std::string garbage : {std::string("garbage"), encoded->substr(1), *encoded + "AA"}) {
    Result<json::object> bad =
        Call(alice, "DecodeAuthorizationMessage", R"({"EncodedMessage":")" + garbage + "\"}");
    EXPECT_EQ(Code(bad), "InvalidAuthorizationMessageException");
    EXPECT_EQ(bad.error().http_status, 400);
  }
}

TEST_F(StsTest, EncodeDenialForTheDispatcherHook) {
  Principal bob = User("bob", kAccount,
                       R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]})");
  authz::AuthzTarget target{.action = "iam:ListUsers", .resources = {"*"}};
  Result<std::string> encoded =
      EncodeDenial(env_, bob, target, authz::RequestFacts{.now = kStart}, "*");
  ASSERT_TRUE(encoded) << encoded.error().message;
  Result<json::object> decoded =
      Call(User("reader"), "DecodeAuthorizationMessage", R"({"EncodedMessage":")" + *encoded + "\"}");
  ASSERT_TRUE(decoded) << Message(decoded);
  json::object message = json::parse(decoded->at("DecodedMessage").as_string()).as_object();
  EXPECT_EQ(message.at("allowed").as_bool(), false);
  EXPECT_EQ(message.at("explicitDeny").as_bool(), false);
  EXPECT_EQ(message.at("context").at("action").as_string(), "iam:ListUsers");
  EXPECT_EQ(message.at("context").at("principal").at("name").as_string(), "bob");
}

TEST_F(StsTest, TemporaryCredentialScope) {
  Principal alice = User("alice");
  Principal plain = Open(*Call(alice, "GetSessionToken", ""));
  auto [serial, seed] = Mfa(alice, "alice");
  Principal mfa = Open(*Call(alice, "GetSessionToken",
                             R"({"SerialNumber":")" + serial + R"(","TokenCode":")" +
                                 auth::totp::CodeAt(seed, clock_.Now()) + "\"}"));
  Principal federated = Open(*Call(alice, "GetFederationToken", R"({"Name":"f"})"));
  EXPECT_TRUE(CheckTemporaryCredentialScope(alice, "iam", "ListUsers"));
  EXPECT_EQ(CheckTemporaryCredentialScope(plain, "iam", "ListUsers").error().code, "InvalidClientTokenId");
  EXPECT_TRUE(CheckTemporaryCredentialScope(mfa, "iam", "ListUsers"));
  EXPECT_EQ(CheckTemporaryCredentialScope(federated, "iam", "ListUsers").error().code, "InvalidClientTokenId");
  EXPECT_TRUE(CheckTemporaryCredentialScope(plain, "sts", "AssumeRole"));
  EXPECT_TRUE(CheckTemporaryCredentialScope(plain, "sts", "GetCallerIdentity"));
  EXPECT_EQ(CheckTemporaryCredentialScope(plain, "sts", "GetAccessKeyInfo").error().message,
            "Cannot call GetAccessKeyInfo with session credentials");
  EXPECT_FALSE(CheckTemporaryCredentialScope(federated, "sts", "AssumeRole"));
  EXPECT_TRUE(CheckTemporaryCredentialScope(federated, "sts", "GetCallerIdentity"));
  EXPECT_TRUE(CheckTemporaryCredentialScope(plain, "s3", "GetObject"));
  store::RoleRow role = Role("Dev", Trust("arn:aws:iam::111122223333:root"));
  Principal role_session = Open(*Call(alice, "AssumeRole", R"({"RoleArn":")" + role.arn + R"(","RoleSessionName":"s"})"));
  EXPECT_TRUE(CheckTemporaryCredentialScope(role_session, "iam", "ListUsers"));
  EXPECT_TRUE(CheckTemporaryCredentialScope(role_session, "sts", "GetAccessKeyInfo"));
}

TEST_F(StsTest, PolicySourceKeepsIamClosedToSessionsWithoutMfa) {
  Principal alice = User("alice");
  EXPECT_TRUE(Allowed(alice, "iam:ListUsers"));
  Principal plain = Open(*Call(alice, "GetSessionToken", ""));
  EXPECT_FALSE(Allowed(plain, "iam:ListUsers"));
  EXPECT_TRUE(Allowed(plain, "s3:GetObject"));
  auto [serial, seed] = Mfa(alice, "alice");
  Principal mfa = Open(*Call(alice, "GetSessionToken",
                             R"({"SerialNumber":")" + serial + R"(","TokenCode":")" +
                                 auth::totp::CodeAt(seed, clock_.Now()) + "\"}"));
  EXPECT_TRUE(Allowed(mfa, "iam:ListUsers"));
  Principal federated = Open(*Call(
      alice, "GetFederationToken",
      R"({"Name":"f1","Policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"})"));
  EXPECT_TRUE(Allowed(federated, "s3:GetObject"));
  EXPECT_FALSE(Allowed(federated, "iam:ListUsers"));
  // The long-term user is unaffected (separate cache entries).
  EXPECT_TRUE(Allowed(alice, "iam:ListUsers"));
}

TEST_F(StsTest, GetCallerIdentityForSessions) {
  Principal alice = User("alice");
  store::RoleRow role = Role("Dev", Trust("arn:aws:iam::111122223333:root"));
  Principal session = Open(*Call(alice, "AssumeRole", R"({"RoleArn":")" + role.arn + R"(","RoleSessionName":"me"})"));
  Result<json::object> who = Call(session, "GetCallerIdentity", "");
  ASSERT_TRUE(who);
  EXPECT_EQ(who->at("Arn").as_string(), "arn:aws:sts::111122223333:assumed-role/Dev/me");
  EXPECT_EQ(who->at("UserId").as_string(), role.id + ":me");
  EXPECT_EQ(who->at("Account").as_string(), kAccount);
}

}  // namespace
}  // namespace rampart::services::sts
