#include "server/credential_source.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "auth/session_token.h"
#include "auth/sigv4/signer.h"
#include "auth/sigv4/verifier.h"
#include "common/arn.h"
#include "common/ids.h"

namespace rampart::server {
namespace {

namespace fs = std::filesystem;

const std::string kSecret(32, 'p');

class CredentialSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("rampart-cs-" + ids::NewRequestId());
    auto opened = store::OpenSqliteStore(dir_ / "t.db", std::string(32, 'k'));
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
  }
  void TearDown() override {
    store_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // A role session's claims and token, as STS issues them.
  std::pair<auth::SessionClaims, std::string> Session(const std::string& secret = kSecret) {
    auth::SessionClaims claims;
    claims.kind = auth::SessionKind::kAssumedRole;
    claims.secret_access_key = ids::NewSecretAccessKey();
    Principal& p = claims.principal;
    p.type = PrincipalType::kAssumedRole;
    p.account_id = "111122223333";
    p.arn = "arn:aws:sts::111122223333:assumed-role/Dev/s";
    p.principal_id = "AROAEXAMPLEEXAMPLE12:s";
    p.issuer_arn = "arn:aws:iam::111122223333:role/Dev";
    p.access_key_id = auth::NewSessionAccessKeyId("111122223333");
    p.mfa_authenticated = false;
    p.session_issued = FromEpochSeconds(1'800'000'000);
    p.expiration = FromEpochSeconds(1'800'003'600);
    std::string token = *auth::SessionTokenCodec::Create(secret)->Seal(claims);
    return {claims, token};
  }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(CredentialSourceTest, ResolvesSessionKeysFromTheirTokens) {
  StoreCredentialSource source(*store_, kSecret);
  auto [claims, token] = Session();
  for (int round = 0; round < 2; ++round) {  // cold, then cached
    Result<auth::Credential> credential = source.Lookup(claims.principal.access_key_id, token);
    ASSERT_TRUE(credential) << credential.error().message;
    EXPECT_TRUE(credential->temporary);
    EXPECT_TRUE(credential->active);
    EXPECT_EQ(credential->secret_access_key, claims.secret_access_key);
    EXPECT_EQ(credential->expiration, claims.principal.expiration);
    EXPECT_EQ(credential->principal.arn, claims.principal.arn);
    EXPECT_EQ(credential->principal.issuer_arn, claims.principal.issuer_arn);
    EXPECT_TRUE(credential->principal.temporary);
  }
}

TEST_F(CredentialSourceTest, RefusesMissingForeignAndMismatchedTokens) {
  StoreCredentialSource source(*store_, kSecret);
  auto [claims, token] = Session();
  auto [other_claims, other_token] = Session();
  const std::string& key = claims.principal.access_key_id;
  EXPECT_EQ(source.Lookup(key, std::nullopt).error().code, "InvalidClientTokenId");
  EXPECT_EQ(source.Lookup(key, other_token).error().code, "InvalidClientTokenId");
  auto [foreign_claims, foreign_token] = Session(std::string(32, 'z'));
  EXPECT_EQ(source.Lookup(foreign_claims.principal.access_key_id, foreign_token).error().code,
            "InvalidClientTokenId");
  // Once the right token is cached, a different token for the same key is still refused.
  ASSERT_TRUE(source.Lookup(key, token));
  std::string tampered = token;
  tampered[10] = tampered[10] == 'A' ? 'B' : 'A';
  EXPECT_EQ(source.Lookup(key, tampered).error().code, "InvalidClientTokenId");
  EXPECT_TRUE(source.Lookup(key, token));
}

TEST_F(CredentialSourceTest, WithoutASecretSessionKeysAreUnknown) {
  StoreCredentialSource source(*store_);
  auto [claims, token] = Session();
  EXPECT_EQ(source.Lookup(claims.principal.access_key_id, token).error().code,
            "InvalidClientTokenId");
}

TEST_F(CredentialSourceTest, UnknownLongTermKey) {
  StoreCredentialSource source(*store_, kSecret);
  EXPECT_EQ(source.Lookup("AKIAIOSFODNN7EXAMPLE", std::nullopt).error().code,
            "InvalidClientTokenId");
}

// The whole path a request with temporary credentials takes: SigV4 verification over the
// credential source, before and after the token's expiry.
TEST_F(CredentialSourceTest, SignedRequestsWithSessionTokensVerifyUntilExpiry) {
  StoreCredentialSource source(*store_, kSecret);
  auto [claims, token] = Session();
  FakeClock clock(*claims.principal.session_issued + std::chrono::minutes(1));
  auth::SigV4Verifier verifier(source, clock);
  auto sign = [&](std::string session_token) {
    HttpRequest request;
    request.method = "POST";
    request.target = "/";
    request.headers.push_back({"Host", "sts.amazonaws.com"});
    request.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
    request.body = "Action=GetCallerIdentity&Version=2011-06-15";
    auth::sigv4::SigningParams params{.access_key_id = claims.principal.access_key_id,
                                      .secret_access_key = claims.secret_access_key,
                                      .session_token = std::move(session_token),
                                      .region = "us-east-1",
                                      .service = "sts",
                                      .time = clock.Now()};
    EXPECT_TRUE(auth::sigv4::SignRequest(request, params));
    return request;
  };
  Result<auth::CallerIdentity> identity = verifier.Verify(sign(token));
  ASSERT_TRUE(identity) << identity.error().message;
  EXPECT_EQ(identity->principal.arn, claims.principal.arn);
  EXPECT_TRUE(identity->principal.temporary);
  EXPECT_EQ(identity->principal.access_key_id, claims.principal.access_key_id);

  std::string tampered = token;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(verifier.Verify(sign(tampered)).error().code, "InvalidClientTokenId");

  clock.Set(*claims.principal.expiration + std::chrono::seconds(1));
  Result<auth::CallerIdentity> expired = verifier.Verify(sign(token));
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, "ExpiredToken");
  EXPECT_EQ(expired.error().message, "The security token included in the request is expired");
  EXPECT_EQ(expired.error().http_status, 403);
}

}  // namespace
}  // namespace rampart::server
