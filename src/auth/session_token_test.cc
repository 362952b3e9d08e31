#include "auth/session_token.h"

#include <gtest/gtest.h>

#include "common/crypto.h"
#include "common/strings.h"

namespace rampart::auth {
namespace {

const std::string kSecret(32, 's');

TimePoint T(std::int64_t seconds) { return FromEpochSeconds(seconds); }

SessionClaims RoleSession(std::string key_id = NewSessionAccessKeyId("111122223333")) {
  SessionClaims claims;
  claims.kind = SessionKind::kAssumedRole;
  claims.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  Principal& p = claims.principal;
  p.type = PrincipalType::kAssumedRole;
  p.account_id = "111122223333";
  p.arn = "arn:aws:sts::111122223333:assumed-role/Dev/alice";
  p.principal_id = "AROAEXAMPLEEXAMPLE12:alice";
  p.name = "Dev";
  p.path = "/teams/";
  p.access_key_id = std::move(key_id);
  p.session_name = "alice";
  p.issuer_arn = "arn:aws:iam::111122223333:role/teams/Dev";
  p.issuer_principal_id = "AROAEXAMPLEEXAMPLE12";
  p.source_identity = "alice@example.com";
  p.mfa_authenticated = true;
  p.mfa_auth_time = T(1'700'000'000);
  p.session_issued = T(1'700'000'100);
  p.expiration = T(1'700'003'700);
  p.session_tags = {{"Project", "blue"}, {"CostCenter", "42"}};
  p.transitive_tag_keys = {"Project"};
  p.session_policies = {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})"};
  p.session_policy_arns = {"arn:aws:iam::aws:policy/ReadOnlyAccess"};
  return claims;
}

SessionTokenCodec Codec(const std::string& secret = kSecret) {
  return *SessionTokenCodec::Create(secret);
}

void ExpectSamePrincipal(const Principal& a, const Principal& b) {
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.account_id, b.account_id);
  EXPECT_EQ(a.arn, b.arn);
  EXPECT_EQ(a.principal_id, b.principal_id);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.path, b.path);
  EXPECT_EQ(a.access_key_id, b.access_key_id);
  EXPECT_EQ(a.mfa_authenticated, b.mfa_authenticated);
  EXPECT_EQ(a.mfa_auth_time, b.mfa_auth_time);
  EXPECT_EQ(a.session_issued, b.session_issued);
  EXPECT_EQ(a.expiration, b.expiration);
  EXPECT_EQ(a.session_name, b.session_name);
  EXPECT_EQ(a.issuer_arn, b.issuer_arn);
  EXPECT_EQ(a.issuer_principal_id, b.issuer_principal_id);
  EXPECT_EQ(a.source_identity, b.source_identity);
  EXPECT_EQ(a.session_tags, b.session_tags);
  EXPECT_EQ(a.transitive_tag_keys, b.transitive_tag_keys);
  EXPECT_EQ(a.session_policies, b.session_policies);
  EXPECT_EQ(a.session_policy_arns, b.session_policy_arns);
}

TEST(SessionToken, RoundTrip) {
  SessionClaims claims = RoleSession();
  Result<std::string> token = Codec().Seal(claims);
  ASSERT_TRUE(token) << token.error().message;
  Result<SessionClaims> opened = Codec().Open(*token, claims.principal.access_key_id);
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(opened->kind, SessionKind::kAssumedRole);
  EXPECT_EQ(opened->secret_access_key, claims.secret_access_key);
  EXPECT_TRUE(opened->principal.temporary);
  ExpectSamePrincipal(opened->principal, claims.principal);
}

TEST(SessionToken, RoundTripMinimalAndAbsentOptionals) {
  SessionClaims claims;
  claims.kind = SessionKind::kSessionToken;
  claims.secret_access_key = "x";
  claims.principal.type = PrincipalType::kRoot;
  claims.principal.account_id = "111122223333";
  claims.principal.arn = "arn:aws:iam::111122223333:root";
  claims.principal.principal_id = "111122223333";
  claims.principal.access_key_id = NewSessionAccessKeyId("111122223333");
  claims.principal.session_issued = T(10);
  claims.principal.expiration = T(3610);
  Result<std::string> token = Codec().Seal(claims);
  ASSERT_TRUE(token);
  Result<SessionClaims> opened = Codec().Open(*token, claims.principal.access_key_id);
  ASSERT_TRUE(opened);
  EXPECT_FALSE(opened->principal.mfa_authenticated.has_value());
  EXPECT_FALSE(opened->principal.mfa_auth_time.has_value());
  ExpectSamePrincipal(opened->principal, claims.principal);
}

TEST(SessionToken, LargeSessionsAreCompressedAndStillRoundTrip) {
  SessionClaims claims = RoleSession();
  for (int i = 0; i < 50; ++i) {
    claims.principal.session_tags["key" + std::to_string(i)] = std::string(256, 'v');
  }
  claims.principal.session_policies = {std::string(2000, ' ') + "{}"};
  Result<std::string> token = Codec().Seal(claims);
  ASSERT_TRUE(token);
  EXPECT_LT(token->size(), 4000u);  // far below the raw 15+ KB
  Result<SessionClaims> opened = Codec().Open(*token, claims.principal.access_key_id);
  ASSERT_TRUE(opened);
  ExpectSamePrincipal(opened->principal, claims.principal);
}

TEST(SessionToken, EveryTamperedByteIsRejected) {
  SessionClaims claims = RoleSession();
  std::string token = *Codec().Seal(claims);
  std::string sealed = *crypto::Base64Decode(token);
  SessionTokenCodec codec = Codec();
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    for (std::uint8_t flip : {0x01, 0x80}) {
      std::string altered = sealed;
      altered[i] = static_cast<char>(altered[i] ^ flip);
      Result<SessionClaims> opened =
          codec.Open(crypto::Base64Encode(altered), claims.principal.access_key_id);
      ASSERT_FALSE(opened) << "byte " << i << " flip " << int(flip);
      EXPECT_EQ(opened.error().code, "InvalidClientTokenId");
      EXPECT_EQ(opened.error().http_status, 403);
    }
  }
  // Truncated and extended tokens too.
  for (std::size_t length : {std::size_t{0}, std::size_t{1}, sealed.size() / 2, sealed.size() - 1}) {
    EXPECT_FALSE(codec.Open(crypto::Base64Encode(sealed.substr(0, length)),
                            claims.principal.access_key_id));
  }
  EXPECT_FALSE(codec.Open(crypto::Base64Encode(sealed + "x"), claims.principal.access_key_id));
}

TEST(SessionToken, BoundToItsAccessKeyId) {
  SessionClaims claims = RoleSession();
  std::string token = *Codec().Seal(claims);
  Result<SessionClaims> other = Codec().Open(token, NewSessionAccessKeyId("111122223333"));
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, "InvalidClientTokenId");
}

TEST(SessionToken, ForeignInstallationIsRejected) {
  SessionClaims claims = RoleSession();
  std::string token = *Codec(std::string(32, 'a')).Seal(claims);
  EXPECT_FALSE(Codec(std::string(32, 'b')).Open(token, claims.principal.access_key_id));
}

TEST(SessionToken, GarbageIsRejected) {
  SessionTokenCodec codec = Codec();
  for (std::string_view garbage : {"", "not base64 !!", "AAAA", "FwoGZXIvYXdzEBYaDH", "====",
                                   "IQoJb3JpZ2luX2VjEA8aCXVzLWVhc3QtMSJHMEUCIQ"}) {
    Result<SessionClaims> opened = codec.Open(garbage, "ASIAAAAAAAAAAAAAAAAA");
    ASSERT_FALSE(opened) << garbage;
    EXPECT_EQ(opened.error().code, "InvalidClientTokenId");
  }
  EXPECT_FALSE(codec.Open(std::string(5'000'000, 'A'), "ASIAAAAAAAAAAAAAAAAA"));
}

TEST(SessionToken, SealRequiresAnAccessKeyId) {
  SessionClaims claims = RoleSession("");
  EXPECT_FALSE(Codec().Seal(claims));
}

TEST(SessionToken, CodecNeedsA32ByteSecret) {
  Result<SessionTokenCodec> codec = SessionTokenCodec::Create("short");
  ASSERT_FALSE(codec);
  EXPECT_EQ(codec.error().code, "InvalidMasterKey");
}

TEST(SessionToken, TokensAreNotDeterministic) {
  SessionClaims claims = RoleSession();
  EXPECT_NE(*Codec().Seal(claims), *Codec().Seal(claims));
}

TEST(SessionKeyId, EncodesTheAccount) {
  for (std::string account : {"111122223333", "444455556666", "000000000001", "999999999999"}) {
    std::string id = NewSessionAccessKeyId(account);
    EXPECT_EQ(id.size(), 20u);
    EXPECT_TRUE(StartsWith(id, "ASIA"));
    for (char c : id.substr(4)) EXPECT_TRUE((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7')) << id;
    EXPECT_EQ(AccountOfSessionKeyId(id), account);
  }
  EXPECT_NE(NewSessionAccessKeyId("111122223333"), NewSessionAccessKeyId("111122223333"));
}

TEST(SessionKeyId, RejectsOtherIds) {
  EXPECT_FALSE(AccountOfSessionKeyId("AKIAIOSFODNN7EXAMPLE"));
  EXPECT_FALSE(AccountOfSessionKeyId("ASIA"));
  EXPECT_FALSE(AccountOfSessionKeyId("ASIA1111111111111111"));   // not base32
  EXPECT_FALSE(AccountOfSessionKeyId("ASIA7777777777777777"));   // > 999999999999
  EXPECT_FALSE(AccountOfSessionKeyId("ASIAAAAAAAAAAAAAAAAAAAAA"));  // too long
}

}  // namespace
}  // namespace rampart::auth
