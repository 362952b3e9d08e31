#include "auth/sigv4/verifier.h"

#include <map>

#include <gtest/gtest.h>

#include "auth/sigv4/canonical.h"
#include "auth/sigv4/signer.h"
#include "common/crypto.h"
#include "common/strings.h"

namespace rampart::auth {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr char kMismatch[] =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

TimePoint At(std::string_view amz_date) { return *ParseIso8601(amz_date); }

class FakeCredentials final : public CredentialSource {
 public:
  struct Key {
    Credential credential;
    std::string token;  // temporary keys: the one token that belongs to them
  };
  void Add(std::string akid, Key key) { keys_[std::move(akid)] = std::move(key); }

  Result<Credential> Lookup(std::string_view access_key_id,
                            std::optional<std::string_view> session_token) const override {
    ++lookups;
    if (fail_with) return Fail(*fail_with);
    auto it = keys_.find(std::string(access_key_id));
    if (it == keys_.end()) return Fail(InvalidClientTokenIdError());
    if (session_token && it->second.credential.temporary && *session_token != it->second.token) {
      return Fail(InvalidClientTokenIdError());
    }
    return it->second.credential;
  }

  mutable int lookups = 0;
  std::optional<Error> fail_with;

 private:
  std::map<std::string, Key> keys_;
};

Credential LongTerm(std::string secret, bool active = true) {
  Credential c;
  c.secret_access_key = std::move(secret);
  c.active = active;
  c.principal.type = PrincipalType::kIAMUser;
  c.principal.account_id = "123456789012";
  c.principal.arn = "arn:aws:iam::123456789012:user/alice";
  c.principal.name = "alice";
  return c;
}

class VerifierTest : public ::testing::Test {
 protected:
  VerifierTest() : clock_(At("20261128T162511Z")) {
    credentials_.Add("AKIAALICE00000000001", {LongTerm("alice-secret"), ""});
    credentials_.Add("AKIAINACTIVE00000001", {LongTerm("inactive-secret", false), ""});
    Credential temp = LongTerm("temp-secret");
    temp.temporary = true;
    temp.expiration = clock_.Now() + std::chrono::hours(1);
    temp.principal.type = PrincipalType::kAssumedRole;
    credentials_.Add("ASIATEMP000000000001", {temp, "session-token-1"});
    Credential expired = temp;
    expired.secret_access_key = "expired-secret";
    expired.expiration = clock_.Now() - minutes(1);
    credentials_.Add("ASIAEXPIRED000000001", {expired, "session-token-2"});
  }

  // An STS GetCallerIdentity POST as the AWS CLI sends it.
  static HttpRequest StsRequest() {
    HttpRequest request;
    request.method = "POST";
    request.target = "/";
    request.headers = {{"Host", "127.0.0.1:8080"},
                       {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    request.body = "Action=GetCallerIdentity&Version=2011-06-15";
    return request;
  }

  sigv4::SigningParams Params(std::string akid, std::string secret,
                              std::optional<std::string> token = std::nullopt) const {
    sigv4::SigningParams params;
    params.access_key_id = std::move(akid);
    params.secret_access_key = std::move(secret);
    params.session_token = std::move(token);
    params.region = "us-east-1";
    params.service = "sts";
    params.time = clock_.Now();
    return params;
  }

  HttpRequest Signed(const sigv4::SigningParams& params, HttpRequest request = StsRequest()) {
    EXPECT_TRUE(sigv4::SignRequest(request, params));
    return request;
  }
  HttpRequest Alice() { return Signed(Params("AKIAALICE00000000001", "alice-secret")); }

  HttpRequest Presigned(const sigv4::SigningParams& params, seconds expires) {
    HttpRequest request;
    request.method = "GET";
    request.target = "/?Action=GetCallerIdentity&Version=2011-06-15";
    request.headers = {{"Host", "127.0.0.1:8080"}};
    EXPECT_TRUE(sigv4::PresignRequest(request, params, expires));
    return request;
  }

  void ExpectError(const HttpRequest& request, std::string_view code, std::string_view message,
                   int status) {
    Result<CallerIdentity> result = verifier_.Verify(request);
    ASSERT_FALSE(result) << "verified unexpectedly";
    EXPECT_EQ(result.error().code, code);
    EXPECT_EQ(result.error().message, message);
    EXPECT_EQ(result.error().http_status, status);
  }

  static void SetHeader(HttpRequest& request, std::string_view name, std::string value) {
    for (auto& [key, existing] : request.headers) {
      if (EqualsIgnoreCase(key, name)) {
        existing = std::move(value);
        return;
      }
    }
    request.headers.emplace_back(std::string(name), std::move(value));
  }
  static void RemoveHeader(HttpRequest& request, std::string_view name) {
    std::erase_if(request.headers, [&](const auto& h) { return EqualsIgnoreCase(h.first, name); });
  }

  FakeClock clock_;
  FakeCredentials credentials_;
  SigV4Verifier verifier_{credentials_, clock_, VerifierOptions{.explain_signature_mismatch = false}};
};

TEST_F(VerifierTest, AcceptsHeaderSignedStsRequest) {
  Result<CallerIdentity> identity = verifier_.Verify(Alice());
  ASSERT_TRUE(identity) << identity.error().message;
  EXPECT_EQ(identity->principal.arn, "arn:aws:iam::123456789012:user/alice");
  EXPECT_EQ(identity->principal.access_key_id, "AKIAALICE00000000001");
  EXPECT_FALSE(identity->principal.temporary);
  EXPECT_EQ(identity->scope.service, "sts");
  EXPECT_EQ(identity->scope.region, "us-east-1");
  EXPECT_EQ(identity->scope.date, "20261128");
  EXPECT_FALSE(identity->scope.presigned);
  EXPECT_EQ(identity->request_time, clock_.Now());
}

TEST_F(VerifierTest, ParseScopeReadsScopeWithoutVerifying) {
  HttpRequest request = Signed(Params("AKIAUNKNOWN000000001", "whatever"));
  Result<std::optional<SigV4Scope>> scope = ParseScope(request);
  ASSERT_TRUE(scope && scope->has_value());
  EXPECT_EQ((*scope)->access_key_id, "AKIAUNKNOWN000000001");
  EXPECT_EQ((*scope)->service, "sts");
  EXPECT_EQ(credentials_.lookups, 0);
}

TEST_F(VerifierTest, ParseScopeIsNulloptWithoutSigV4AndErrorWhenMalformed) {
  Result<std::optional<SigV4Scope>> none = ParseScope(StsRequest());
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  HttpRequest bad = StsRequest();
  bad.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=x");
  bad.headers.emplace_back("X-Amz-Date", "20261128T162511Z");
  Result<std::optional<SigV4Scope>> scope = ParseScope(bad);
  ASSERT_FALSE(scope);
  EXPECT_EQ(scope.error().code, "IncompleteSignature");
}

TEST_F(VerifierTest, AcceptsDateHeaderInsteadOfXAmzDate) {
  HttpRequest request = StsRequest();
  request.headers.emplace_back("Date", "Sat, 28 Nov 2026 16:25:11 GMT");
  sigv4::SigningParams params = Params("AKIAALICE00000000001", "alice-secret");
  // Sign by hand over a Date header: the string to sign carries its basic-format form.
  std::vector<std::string> names = {"content-type", "date", "host"};
  std::string body_hash = crypto::Sha256Hex(request.body);
  sigv4::CanonicalRequestInput input{request.method, request.Path(), request.Query(), false,
                                     &request.headers, &names, body_hash};
  std::string sts = sigv4::StringToSign("20261128T162511Z",
                                        sigv4::CredentialScope("20261128", "us-east-1", "sts"),
                                        sigv4::CanonicalRequest(input));
  std::string signature = sigv4::Signature(
      sigv4::DeriveSigningKey("alice-secret", "20261128", "us-east-1", "sts"), sts);
  request.headers.emplace_back(
      "Authorization", "AWS4-HMAC-SHA256 Credential=AKIAALICE00000000001/20261128/us-east-1/sts/"
                       "aws4_request, SignedHeaders=content-type;date;host, Signature=" +
                           signature);
  Result<CallerIdentity> identity = verifier_.Verify(request);
  ASSERT_TRUE(identity) << identity.error().message;
}

TEST_F(VerifierTest, MissingAuthenticationToken) {
  ExpectError(StsRequest(), "MissingAuthenticationToken", "Request is missing Authentication Token",
              403);
}

TEST_F(VerifierTest, IncompleteSignatureForForeignScheme) {
  HttpRequest request = StsRequest();
  request.headers.emplace_back("Authorization", "Bearer abc.def");
  request.headers.emplace_back("X-Amz-Date", "20261128T162511Z");
  ExpectError(request, "IncompleteSignature",
              "Authorization header requires 'Credential' parameter. Authorization header "
              "requires 'Signature' parameter. Authorization header requires 'SignedHeaders' "
              "parameter. Authorization=Bearer abc.def",
              400);
}

TEST_F(VerifierTest, IncompleteSignatureNamesEveryMissingPartIncludingDate) {
  HttpRequest request = StsRequest();
  request.headers.emplace_back("Authorization", "AWS AKIAALICE00000000001:c2lnbmF0dXJl");
  ExpectError(request, "IncompleteSignature",
              "Authorization header requires 'Credential' parameter. Authorization header "
              "requires 'Signature' parameter. Authorization header requires 'SignedHeaders' "
              "parameter. Authorization header requires existence of either a 'X-Amz-Date' or a "
              "'Date' header. Authorization=AWS AKIAALICE00000000001:c2lnbmF0dXJl",
              400);
}

TEST_F(VerifierTest, IncompleteSignatureForMissingSignatureOnly) {
  HttpRequest request = Alice();
  std::string authz(*request.Header("Authorization"));
  authz = authz.substr(0, authz.find(", Signature="));
  SetHeader(request, "Authorization", authz);
  ExpectError(request, "IncompleteSignature",
              "Authorization header requires 'Signature' parameter. Authorization=" + authz, 400);
}

TEST_F(VerifierTest, IncompleteSignatureForMissingDateOnly) {
  HttpRequest request = Alice();
  RemoveHeader(request, "X-Amz-Date");
  std::string authz(*request.Header("Authorization"));
  ExpectError(request, "IncompleteSignature",
              "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
              "header. Authorization=" + authz,
              400);
}

TEST_F(VerifierTest, IncompleteSignatureForComponentWithoutEqualSign) {
  HttpRequest request = Alice();
  std::string authz = "AWS4-HMAC-SHA256 AKIAALICE00000000001/20261128/us-east-1/sts/aws4_request, "
                      "SignedHeaders=host, Signature=abc";
  SetHeader(request, "Authorization", authz);
  ExpectError(request, "IncompleteSignature",
              "'AKIAALICE00000000001/20261128/us-east-1/sts/aws4_request' not a valid key=value "
              "pair (missing equal-sign) in Authorization header: '" + authz + "'.",
              400);
}

TEST_F(VerifierTest, IncompleteSignatureForSpaceInsideCredential) {
  HttpRequest request = Alice();
  std::string authz =
      "AWS4-HMAC-SHA256 Credential=AKIAALICE00000000001 /20261128/us-east-1/sts/aws4_request, "
      "SignedHeaders=host;x-amz-date, Signature=abc";
  SetHeader(request, "Authorization", authz);
  ExpectError(request, "IncompleteSignature",
              "'/20261128/us-east-1/sts/aws4_request' not a valid key=value pair (missing "
              "equal-sign) in Authorization header: '" + authz + "'.",
              400);
}

TEST_F(VerifierTest, IncompleteSignatureForCredentialWithoutFiveElements) {
  HttpRequest request = Alice();
  SetHeader(request, "Authorization",
            "AWS4-HMAC-SHA256 Credential=AKIAALICE00000000001/20261128/us-east-1/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=abc");
  ExpectError(request, "IncompleteSignature",
              "Credential must have exactly 5 slash-delimited elements, e.g. "
              "keyid/date/region/service/term, got "
              "'AKIAALICE00000000001/20261128/us-east-1/aws4_request'",
              400);
}

TEST_F(VerifierTest, IncompleteSignatureForMalformedDate) {
  HttpRequest request = Alice();
  SetHeader(request, "X-Amz-Date", "2026-11-28T16:25:11Z");
  ExpectError(request, "IncompleteSignature",
              "Date must be in ISO-8601 'basic format'. Got '2026-11-28T16:25:11Z'. See "
              "http://en.wikipedia.org/wiki/ISO_8601",
              400);
  SetHeader(request, "X-Amz-Date", "20261328T162511Z");  // month 13
  Result<CallerIdentity> result = verifier_.Verify(request);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "IncompleteSignature");
}

TEST_F(VerifierTest, IncompleteSignatureWhenHostIsNotSigned) {
  HttpRequest request = Alice();
  std::string authz(*request.Header("Authorization"));
  std::size_t at = authz.find("host;");
  authz.erase(at, 5);
  SetHeader(request, "Authorization", authz);
  ExpectError(request, "IncompleteSignature",
              "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.", 400);
}

TEST_F(VerifierTest, WrongTerminator) {
  HttpRequest request = Alice();
  std::string authz(*request.Header("Authorization"));
  authz.replace(authz.find("aws4_request"), 12, "aws4_requests");
  SetHeader(request, "Authorization", authz);
  ExpectError(request, "SignatureDoesNotMatch",
              "Credential should be scoped with a valid terminator: 'aws4_request', not "
              "'aws4_requests'.",
              403);
}

TEST_F(VerifierTest, ScopeDateMustEqualRequestDay) {
  HttpRequest request = Alice();
  std::string authz(*request.Header("Authorization"));
  authz.replace(authz.find("20261128"), 8, "20261127");
  SetHeader(request, "Authorization", authz);
  ExpectError(request, "SignatureDoesNotMatch",
              "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
              "from HTTP: '20261127' != '20261128', from '20261128T162511Z'.",
              403);
}

TEST_F(VerifierTest, SignatureExpiredAfterFifteenMinutes) {
  HttpRequest request = Alice();
  clock_.Advance(minutes(20));
  ExpectError(request, "SignatureDoesNotMatch",
              "Signature expired: 20261128T162511Z is now earlier than 20261128T163011Z "
              "(20261128T164511Z - 15 min.)",
              403);
}

TEST_F(VerifierTest, SignatureNotYetCurrentMoreThanFifteenMinutesAhead) {
  HttpRequest request = Alice();
  clock_.Advance(-minutes(16));
  ExpectError(request, "SignatureDoesNotMatch",
              "Signature not yet current: 20261128T162511Z is still later than 20261128T162411Z "
              "(20261128T160911Z + 15 min.)",
              403);
}

TEST_F(VerifierTest, AcceptsSkewJustInsideFifteenMinutes) {
  HttpRequest request = Alice();
  clock_.Advance(minutes(15));
  EXPECT_TRUE(verifier_.Verify(request));
  clock_.Advance(-minutes(30));
  EXPECT_TRUE(verifier_.Verify(request));
}

TEST_F(VerifierTest, UnknownKeyIsInvalidClientTokenId) {
  ExpectError(Signed(Params("AKIAUNKNOWN000000001", "x")), "InvalidClientTokenId",
              "The security token included in the request is invalid.", 403);
}

TEST_F(VerifierTest, InactiveKeyIsInvalidClientTokenId) {
  ExpectError(Signed(Params("AKIAINACTIVE00000001", "inactive-secret")), "InvalidClientTokenId",
              "The security token included in the request is invalid.", 403);
}

TEST_F(VerifierTest, LongTermKeyWithSessionTokenIsRejected) {
  ExpectError(Signed(Params("AKIAALICE00000000001", "alice-secret", "some-token")),
              "InvalidClientTokenId", "The security token included in the request is invalid.",
              403);
}

TEST_F(VerifierTest, TemporaryKeyWithoutSessionTokenIsRejected) {
  ExpectError(Signed(Params("ASIATEMP000000000001", "temp-secret")), "InvalidClientTokenId",
              "The security token included in the request is invalid.", 403);
}

TEST_F(VerifierTest, TemporaryKeyWithAnotherKeysTokenIsRejected) {
  ExpectError(Signed(Params("ASIATEMP000000000001", "temp-secret", "session-token-2")),
              "InvalidClientTokenId", "The security token included in the request is invalid.",
              403);
}

TEST_F(VerifierTest, TemporaryKeyWithItsTokenIsAccepted) {
  Result<CallerIdentity> identity =
      verifier_.Verify(Signed(Params("ASIATEMP000000000001", "temp-secret", "session-token-1")));
  ASSERT_TRUE(identity) << identity.error().message;
  EXPECT_TRUE(identity->principal.temporary);
  ASSERT_TRUE(identity->principal.expiration);
  EXPECT_EQ(*identity->principal.expiration, clock_.Now() + std::chrono::hours(1));
}

TEST_F(VerifierTest, UnsignedSessionTokenHeaderIsAccepted) {
  sigv4::SigningParams params = Params("ASIATEMP000000000001", "temp-secret", "session-token-1");
  params.sign_session_token = false;
  HttpRequest request = Signed(params);
  ASSERT_TRUE(request.Header("X-Amz-Security-Token"));
  EXPECT_TRUE(verifier_.Verify(request));
}

TEST_F(VerifierTest, ExpiredTemporaryCredentials) {
  ExpectError(Signed(Params("ASIAEXPIRED000000001", "expired-secret", "session-token-2")),
              "ExpiredToken", "The security token included in the request is expired", 403);
}

TEST_F(VerifierTest, CredentialSourceFailureIsPassedOn) {
  credentials_.fail_with = Error("ServiceUnavailable", "store unavailable", 503);
  ExpectError(Alice(), "ServiceUnavailable", "store unavailable", 503);
}

TEST_F(VerifierTest, WrongSecretIsSignatureDoesNotMatch) {
  ExpectError(Signed(Params("AKIAALICE00000000001", "not-alices-secret")), "SignatureDoesNotMatch",
              kMismatch, 403);
}

TEST_F(VerifierTest, BogusSignatureIsRejected) {
  HttpRequest request = Alice();
  std::string authz(*request.Header("Authorization"));
  authz = authz.substr(0, authz.find("Signature=")) + "Signature=WHATEVER";
  SetHeader(request, "Authorization", authz);
  ExpectError(request, "SignatureDoesNotMatch", kMismatch, 403);
}

TEST_F(VerifierTest, TamperedBodyIsRejected) {
  HttpRequest request = Alice();
  request.body = "Action=GetCallerIdentity&Version=2011-06-16";
  ExpectError(request, "SignatureDoesNotMatch", kMismatch, 403);
}

TEST_F(VerifierTest, MismatchExplainsCanonicalRequestWhenEnabled) {
  SigV4Verifier explaining(credentials_, clock_);
  Result<CallerIdentity> result =
      explaining.Verify(Signed(Params("AKIAALICE00000000001", "wrong")));
  ASSERT_FALSE(result);
  EXPECT_TRUE(StartsWith(result.error().message, std::string(kMismatch) +
                                                     "\n\nThe Canonical String for this request "
                                                     "should have been\n'POST\n/\n\n"));
  EXPECT_NE(result.error().message.find("The String-to-Sign should have been\n'AWS4-HMAC-SHA256\n"
                                        "20261128T162511Z\n20261128/us-east-1/sts/aws4_request\n"),
            std::string::npos);
  EXPECT_EQ(result.error().message.find("wrong"), std::string::npos);
}

TEST_F(VerifierTest, ContentSha256MustMatchBody) {
  HttpRequest request = StsRequest();
  request.headers.emplace_back("X-Amz-Content-Sha256", crypto::Sha256Hex(request.body));
  request = Signed(Params("AKIAALICE00000000001", "alice-secret"), request);
  EXPECT_TRUE(verifier_.Verify(request));
  request.body += "&x=1";
  ExpectError(request, "SignatureDoesNotMatch",
              "The provided 'x-amz-content-sha256' header does not match what was computed.", 403);
}

TEST_F(VerifierTest, SigningKeyIsCached) {
  ASSERT_TRUE(verifier_.Verify(Alice()));
  ASSERT_TRUE(verifier_.Verify(Alice()));
  EXPECT_EQ(verifier_.signing_key_cache_for_test().misses(), 1u);
  EXPECT_EQ(verifier_.signing_key_cache_for_test().hits(), 1u);
}

TEST_F(VerifierTest, AcceptsPresignedRequest) {
  HttpRequest request = Presigned(Params("AKIAALICE00000000001", "alice-secret"), seconds(900));
  Result<std::optional<SigV4Scope>> scope = ParseScope(request);
  ASSERT_TRUE(scope && scope->has_value());
  EXPECT_TRUE((*scope)->presigned);
  Result<CallerIdentity> identity = verifier_.Verify(request);
  ASSERT_TRUE(identity) << identity.error().message;
  EXPECT_TRUE(identity->scope.presigned);
  EXPECT_EQ(identity->principal.access_key_id, "AKIAALICE00000000001");
}

TEST_F(VerifierTest, AcceptsPresignedRequestWithSessionToken) {
  HttpRequest request =
      Presigned(Params("ASIATEMP000000000001", "temp-secret", "session-token-1"), seconds(60));
  EXPECT_NE(request.target.find("X-Amz-Security-Token=session-token-1"), std::string::npos);
  EXPECT_TRUE(verifier_.Verify(request));
}

TEST_F(VerifierTest, PresignedRequestExpiresAfterXAmzExpires) {
  HttpRequest request = Presigned(Params("AKIAALICE00000000001", "alice-secret"), seconds(60));
  clock_.Advance(seconds(60));
  EXPECT_TRUE(verifier_.Verify(request));
  clock_.Advance(seconds(1));
  ExpectError(request, "SignatureDoesNotMatch",
              "Signature expired: 20261128T162511Z is now earlier than 20261128T162512Z "
              "(20261128T162612Z - 1 min.)",
              403);
}

TEST_F(VerifierTest, PresignedRequestMayLiveLongerThanFifteenMinutes) {
  HttpRequest request = Presigned(Params("AKIAALICE00000000001", "alice-secret"), seconds(3600));
  clock_.Advance(minutes(59));
  EXPECT_TRUE(verifier_.Verify(request));
}

TEST_F(VerifierTest, PresignedTamperedQueryIsRejected) {
  HttpRequest request = Presigned(Params("AKIAALICE00000000001", "alice-secret"), seconds(60));
  request.target.replace(request.target.find("GetCallerIdentity"), 17, "GetSessionToken");
  ExpectError(request, "SignatureDoesNotMatch", kMismatch, 403);
}

TEST_F(VerifierTest, PresignedMissingParameters) {
  HttpRequest request;
  request.method = "GET";
  request.target = "/?Action=GetCallerIdentity&X-Amz-Credential=AKIAALICE00000000001%2F20261128"
                   "%2Fus-east-1%2Fsts%2Faws4_request";
  request.headers = {{"Host", "h"}};
  ExpectError(request, "IncompleteSignature",
              "AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Date', "
              "'X-Amz-SignedHeaders', 'X-Amz-Signature'. Re-examine the query-string parameters.",
              400);
}

TEST_F(VerifierTest, PresignedWrongAlgorithm) {
  HttpRequest request = Presigned(Params("AKIAALICE00000000001", "alice-secret"), seconds(60));
  request.target.replace(request.target.find("AWS4-HMAC-SHA256"), 16, "AWS4-HMAC-SHA512");
  ExpectError(request, "IncompleteSignature", "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"",
              400);
}

TEST_F(VerifierTest, PresignedBadExpires) {
  HttpRequest base = Presigned(Params("AKIAALICE00000000001", "alice-secret"), seconds(60));
  auto with_expires = [&](std::string value) {
    HttpRequest request = base;
    request.target.replace(request.target.find("X-Amz-Expires=60"), 16, "X-Amz-Expires=" + value);
    return request;
  };
  ExpectError(with_expires("abc"), "IncompleteSignature", "X-Amz-Expires should be a number", 400);
  ExpectError(with_expires(""), "IncompleteSignature", "X-Amz-Expires should be a number", 400);
  ExpectError(with_expires("-5"), "IncompleteSignature", "X-Amz-Expires must be non-negative", 400);
  const char* kTooLong =
      "X-Amz-Expires must be less than a week (in seconds) that is; the given X-Amz-Expires "
      "must be less than 604800 seconds";
  ExpectError(with_expires("0"), "IncompleteSignature", kTooLong, 400);
  ExpectError(with_expires("604801"), "IncompleteSignature", kTooLong, 400);
}

TEST_F(VerifierTest, HeaderAndQueryAuthTogetherAreRejected) {
  HttpRequest request = Presigned(Params("AKIAALICE00000000001", "alice-secret"), seconds(60));
  request.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=x");
  Result<CallerIdentity> result = verifier_.Verify(request);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "IncompleteSignature");
  EXPECT_EQ(result.error().http_status, 400);
}

TEST(SignerTest, RequiresHostAndSaneExpiry) {
  HttpRequest request;
  request.method = "GET";
  request.target = "/";
  sigv4::SigningParams params;
  EXPECT_FALSE(sigv4::SignRequest(request, params));
  EXPECT_FALSE(sigv4::PresignRequest(request, params, seconds(60)));
  request.headers = {{"Host", "h"}};
  EXPECT_FALSE(sigv4::PresignRequest(request, params, seconds(0)));
  EXPECT_FALSE(sigv4::PresignRequest(request, params, seconds(604801)));
  EXPECT_TRUE(sigv4::PresignRequest(request, params, seconds(604800)));
}

}  // namespace
}  // namespace rampart::auth
