// Runs every case of the AWS SigV4 test suite (testsuite/) through rampart's signer and
// verifier. See README.md beside this file.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "auth/credentials.h"
#include "auth/sigv4/canonical.h"
#include "auth/sigv4/signer.h"
#include "auth/sigv4/verifier.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "common/http.h"
#include "common/strings.h"

namespace rampart::auth {
namespace {

namespace fs = std::filesystem;

constexpr char kAccessKeyId[] = "AKIDEXAMPLE";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr char kSuiteTime[] = "20150830T123600Z";
constexpr char kSessionToken1[] =
    "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
constexpr char kSessionToken2[] =
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfI"
    "eoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7W"
    "Z0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8"
    "FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

fs::path SuiteDir() { return fs::path(RAMPART_SOURCE_DIR) / "tests/conformance/sigv4/testsuite"; }

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TimePoint SuiteTime() { return *ParseIso8601(kSuiteTime); }

// Test-only reader for the suite's raw HTTP files (LF line ends). The request target runs
// from the first space to the last " HTTP/" so that targets with raw spaces (get-space)
// survive. A line starting with white space continues the previous header (obs-fold); it is
// kept with its CRLF, as a lenient HTTP parser would pass it on.
HttpRequest ReadRawRequest(const std::string& text) {
  HttpRequest request;
  std::size_t line_end = text.find('\n');
  std::string request_line = text.substr(0, line_end);
  std::size_t first_space = request_line.find(' ');
  std::size_t version = request_line.rfind(" HTTP/");
  request.method = request_line.substr(0, first_space);
  request.target = request_line.substr(first_space + 1, version - first_space - 1);
  std::size_t pos = line_end == std::string::npos ? text.size() : line_end + 1;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    std::string line = text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    pos = end == std::string::npos ? text.size() : end + 1;
    if (line.empty()) {
      request.body = text.substr(pos);
      break;
    }
    if ((line[0] == ' ' || line[0] == '\t') && !request.headers.empty()) {
      request.headers.back().second += "\r\n" + line;
      continue;
    }
    std::size_t colon = line.find(':');
    request.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  return request;
}

class SuiteCredentials final : public CredentialSource {
 public:
  Result<Credential> Lookup(std::string_view access_key_id,
                            std::optional<std::string_view> session_token) const override {
    if (access_key_id != kAccessKeyId) return Fail(InvalidClientTokenIdError());
    Credential credential;
    credential.secret_access_key = kSecret;
    credential.principal.type = PrincipalType::kIAMUser;
    credential.principal.account_id = "111122223333";
    credential.principal.arn = "arn:aws:iam::111122223333:user/example";
    if (session_token) {
      if (*session_token != kSessionToken1 && *session_token != kSessionToken2) {
        return Fail(InvalidClientTokenIdError());
      }
      credential.temporary = true;
      credential.expiration = SuiteTime() + std::chrono::hours(1);
    }
    return credential;
  }
};

struct SuiteCase {
  std::string name;
  fs::path dir;
  std::string File(std::string_view ext) const {
    return ReadFile(dir / (name + std::string(ext)));
  }
};

std::vector<SuiteCase> AllCases() {
  std::vector<SuiteCase> cases;
  for (const auto& entry : fs::recursive_directory_iterator(SuiteDir())) {
    if (entry.path().extension() != ".req") continue;
    cases.push_back({entry.path().stem().string(), entry.path().parent_path()});
  }
  std::sort(cases.begin(), cases.end(),
            [](const SuiteCase& a, const SuiteCase& b) { return a.name < b.name; });
  return cases;
}

sigv4::SigningParams SuiteParams() {
  sigv4::SigningParams params;
  params.access_key_id = kAccessKeyId;
  params.secret_access_key = kSecret;
  params.region = "us-east-1";
  params.service = "service";
  params.time = SuiteTime();
  return params;
}

TEST(Sigv4Suite, HasEveryCase) {
  // 34 cases in the vendored suite; a missing directory must not pass silently.
  EXPECT_EQ(AllCases().size(), 34u);
}

TEST(Sigv4Suite, SigningMatchesCanonicalRequestStringToSignAndAuthorization) {
  for (const SuiteCase& c : AllCases()) {
    SCOPED_TRACE(c.name);
    HttpRequest request = ReadRawRequest(c.File(".req"));
    sigv4::SigningParams params = SuiteParams();
    std::string creq = c.File(".creq");
    // get-vanilla-with-session-token: the token is added by the signer, and signed.
    std::size_t token_at = creq.find("x-amz-security-token:");
    if (token_at != std::string::npos && !request.Header("X-Amz-Security-Token")) {
      std::size_t start = token_at + std::string("x-amz-security-token:").size();
      params.session_token = creq.substr(start, creq.find('\n', start) - start);
    }
    Result<sigv4::SigningResult> signed_request = sigv4::SignRequest(request, params);
    ASSERT_TRUE(signed_request) << signed_request.error().message;
    EXPECT_EQ(signed_request->canonical_request, creq);
    EXPECT_EQ(signed_request->string_to_sign, c.File(".sts"));
    EXPECT_EQ(signed_request->authorization, c.File(".authz"));
  }
}

// The suite's own defect (README.md): this .sreq carries get-vanilla's signature.
bool KnownBadSignedRequest(const SuiteCase& c) { return c.name == "get-vanilla-with-session-token"; }

TEST(Sigv4Suite, VerifiesEverySignedRequest) {
  FakeClock clock(SuiteTime());
  SuiteCredentials credentials;
  SigV4Verifier verifier(credentials, clock);
  for (const SuiteCase& c : AllCases()) {
    SCOPED_TRACE(c.name);
    HttpRequest request = ReadRawRequest(c.File(".sreq"));
    Result<std::optional<SigV4Scope>> scope = ParseScope(request);
    ASSERT_TRUE(scope && scope->has_value());
    EXPECT_EQ((*scope)->access_key_id, kAccessKeyId);
    EXPECT_EQ((*scope)->date, "20150830");
    EXPECT_EQ((*scope)->region, "us-east-1");
    EXPECT_EQ((*scope)->service, "service");
    EXPECT_FALSE((*scope)->presigned);
    Result<CallerIdentity> identity = verifier.Verify(request);
    if (KnownBadSignedRequest(c)) {
      ASSERT_FALSE(identity);
      EXPECT_EQ(identity.error().code, "SignatureDoesNotMatch");
      continue;
    }
    ASSERT_TRUE(identity) << identity.error().code << ": " << identity.error().message;
    EXPECT_EQ(identity->principal.access_key_id, kAccessKeyId);
    EXPECT_EQ(identity->principal.arn, "arn:aws:iam::111122223333:user/example");
    EXPECT_EQ(identity->request_time, SuiteTime());
  }
  // Each case signs with the same key: one derivation, then cache hits.
  EXPECT_EQ(verifier.signing_key_cache_for_test().misses(), 1u);
  EXPECT_GT(verifier.signing_key_cache_for_test().hits(), 20u);
}

TEST(Sigv4Suite, SessionTokenCaseVerifiesWhenRebuiltFromItsAuthorization) {
  FakeClock clock(SuiteTime());
  SuiteCredentials credentials;
  SigV4Verifier verifier(credentials, clock);
  for (const SuiteCase& c : AllCases()) {
    if (!KnownBadSignedRequest(c)) continue;
    HttpRequest request = ReadRawRequest(c.File(".req"));
    request.headers.emplace_back("X-Amz-Security-Token", kSessionToken1);
    request.headers.emplace_back("Authorization", c.File(".authz"));
    Result<CallerIdentity> identity = verifier.Verify(request);
    ASSERT_TRUE(identity) << identity.error().message;
    EXPECT_TRUE(identity->principal.temporary);
  }
}

char Mutate(char byte) {
  return std::tolower(static_cast<unsigned char>(byte)) == 'q' ? 'z' : 'q';
}

std::string CanonicalFor(const HttpRequest& request, const std::vector<std::string>& names) {
  std::string body_hash = crypto::Sha256Hex(request.body);
  sigv4::CanonicalRequestInput input;
  input.method = request.method;
  input.raw_path = request.Path();
  input.raw_query = request.Query();
  input.headers = &request.headers;
  input.signed_headers = &names;
  input.payload_hash = body_hash;
  return sigv4::CanonicalRequest(input);
}

std::vector<std::string> SignedHeaderNames(const HttpRequest& request) {
  std::string authz(*request.Header("Authorization"));
  std::size_t start = authz.find("SignedHeaders=") + std::string("SignedHeaders=").size();
  std::string list = authz.substr(start, authz.find(',', start) - start);
  std::vector<std::string> names;
  for (std::string_view name : Split(list, ';')) names.emplace_back(name);
  return names;
}

TEST(Sigv4Suite, RejectsEverySingleByteChangeToASignedPart) {
  FakeClock clock(SuiteTime());
  SuiteCredentials credentials;
  SigV4Verifier verifier(credentials, clock, VerifierOptions{.explain_signature_mismatch = false});
  std::size_t mutations = 0;
  for (const SuiteCase& c : AllCases()) {
    if (KnownBadSignedRequest(c)) continue;
    SCOPED_TRACE(c.name);
    const HttpRequest original = ReadRawRequest(c.File(".sreq"));
    const std::vector<std::string> names = SignedHeaderNames(original);
    const std::string original_canonical = CanonicalFor(original, names);
    const bool path_has_dot_dot = original.Path().find("..") != std::string_view::npos;

    // Applies `mutate` to a copy, expects rejection. `what` names the part for messages.
    auto check = [&](const std::string& what, std::size_t byte_idx, auto&& mutate,
                     bool may_be_unsigned) {
      HttpRequest copy = original;
      mutate(copy);
      ++mutations;
      Result<CallerIdentity> identity = verifier.Verify(copy);
      if (!identity) return;
      // Accepted: only allowed if the byte did not reach the canonical request.
      bool unchanged = CanonicalFor(copy, names) == original_canonical;
      EXPECT_TRUE(may_be_unsigned && unchanged)
          << what << " byte " << byte_idx << " changed and still verified";
    };

    for (std::size_t idx = 0; idx < original.method.size(); ++idx) {
      check("method", idx, [idx](HttpRequest& r) { r.method[idx] = Mutate(r.method[idx]); }, false);
    }
    for (std::size_t idx = 0; idx < original.target.size(); ++idx) {
      bool in_path = idx < original.Path().size();
      check(in_path ? "path" : "query", idx,
            [idx](HttpRequest& r) { r.target[idx] = Mutate(r.target[idx]); },
            in_path && path_has_dot_dot);
    }
    for (std::size_t header_idx = 0; header_idx < original.headers.size(); ++header_idx) {
      const auto& [name, value] = original.headers[header_idx];
      std::string lower = AsciiLower(name);
      bool is_authorization = lower == "authorization";
      if (!is_authorization && std::find(names.begin(), names.end(), lower) == names.end()) {
        continue;  // not signed (post-sts-header-after's token)
      }
      for (std::size_t idx = 0; idx < name.size(); ++idx) {
        check("header name " + name, idx,
              [header_idx, idx](HttpRequest& r) {
                r.headers[header_idx].first[idx] = Mutate(r.headers[header_idx].first[idx]);
              },
              false);
      }
      for (std::size_t idx = 0; idx < value.size(); ++idx) {
        check("header value " + name, idx,
              [header_idx, idx](HttpRequest& r) {
                r.headers[header_idx].second[idx] = Mutate(r.headers[header_idx].second[idx]);
              },
              false);
      }
    }
    for (std::size_t idx = 0; idx < original.body.size(); ++idx) {
      check("body", idx, [idx](HttpRequest& r) { r.body[idx] = Mutate(r.body[idx]); }, false);
    }
  }
  EXPECT_GT(mutations, 5000u);
}

// botocore_cases.json: requests signed by botocore (make_botocore_cases.py). rampart must
// compute botocore's canonical request and string to sign, and accept every request.
class BotocoreCredentials final : public CredentialSource {
 public:
  explicit BotocoreCredentials(std::string secret) : secret_(std::move(secret)) {}
  Result<Credential> Lookup(std::string_view access_key_id,
                            std::optional<std::string_view> session_token) const override {
    Credential credential;
    credential.secret_access_key = secret_;
    credential.principal.arn = "arn:aws:iam::123456789012:user/admin";
    credential.temporary = access_key_id.substr(0, 4) == "ASIA";
    if (credential.temporary != session_token.has_value()) return Fail(InvalidClientTokenIdError());
    return credential;
  }

 private:
  std::string secret_;
};

TEST(BotocoreCases, CanonicalFormsMatchAndEveryRequestVerifies) {
  std::string text = ReadFile(fs::path(RAMPART_SOURCE_DIR) /
                              "tests/conformance/sigv4/botocore_cases.json");
  boost::json::error_code ec;
  boost::json::value doc = boost::json::parse(text, ec);
  ASSERT_FALSE(ec) << ec.message();
  const boost::json::object& root = doc.as_object();
  for (const auto& [key, value] : root) {  // runners reject unknown fields
    EXPECT_TRUE(key == "source" || key == "secret_access_key" || key == "cases") << key;
  }
  BotocoreCredentials credentials(std::string(root.at("secret_access_key").as_string()));
  const boost::json::array& cases = root.at("cases").as_array();
  ASSERT_GE(cases.size(), 12u);
  for (const boost::json::value& item : cases) {
    const boost::json::object& c = item.as_object();
    for (const auto& [key, value] : c) {
      static const std::vector<std::string> kKnown = {
          "description", "service", "region", "time", "access_key_id", "session_token",
          "request", "canonical_request", "string_to_sign"};
      EXPECT_NE(std::find(kKnown.begin(), kKnown.end(), std::string(key)), kKnown.end()) << key;
    }
    SCOPED_TRACE(std::string(c.at("description").as_string()));
    const boost::json::object& r = c.at("request").as_object();
    HttpRequest request;
    request.method = std::string(r.at("method").as_string());
    request.target = std::string(r.at("target").as_string());
    request.body = std::string(r.at("body").as_string());
    for (const boost::json::value& header : r.at("headers").as_array()) {
      const boost::json::array& pair = header.as_array();
      request.headers.emplace_back(std::string(pair[0].as_string()),
                                   std::string(pair[1].as_string()));
    }
    FakeClock clock(*ParseIso8601(std::string(c.at("time").as_string())));
    SigV4Verifier verifier(credentials, clock);
    Result<CallerIdentity> identity = verifier.Verify(request);
    ASSERT_TRUE(identity) << identity.error().message;
    EXPECT_EQ(identity->scope.service, std::string(c.at("service").as_string()));
    EXPECT_EQ(identity->scope.region, std::string(c.at("region").as_string()));
    EXPECT_EQ(identity->principal.access_key_id, std::string(c.at("access_key_id").as_string()));
    {
      // Our canonical request, computed over the signed header names botocore chose.
      std::vector<std::string> names;
      std::string list;
      if (identity->scope.presigned) {
        std::size_t start = request.target.find("X-Amz-SignedHeaders=") + 20;
        list = request.target.substr(start, request.target.find('&', start) - start);
      } else {
        std::string authz(*request.Header("Authorization"));
        std::size_t start = authz.find("SignedHeaders=") + 14;
        list = authz.substr(start, authz.find(',', start) - start);
      }
      for (std::string_view name : Split(list, ';')) names.emplace_back(name);
      std::string body_hash = crypto::Sha256Hex(request.body);
      sigv4::CanonicalRequestInput input;
      input.method = request.method;
      input.raw_path = request.Path();
      input.raw_query = request.Query();
      input.presigned = identity->scope.presigned;
      input.headers = &request.headers;
      input.signed_headers = &names;
      input.payload_hash = body_hash;
      std::string canonical = sigv4::CanonicalRequest(input);
      EXPECT_EQ(canonical, std::string(c.at("canonical_request").as_string()));
      std::string scope = sigv4::CredentialScope(identity->scope.date, identity->scope.region,
                                                 identity->scope.service);
      EXPECT_EQ(sigv4::StringToSign(std::string(c.at("time").as_string()), scope, canonical),
                std::string(c.at("string_to_sign").as_string()));
    }
    // And a changed body or target no longer verifies.
    HttpRequest tampered = request;
    tampered.target += tampered.target.find('?') == std::string::npos ? "?x=1" : "&x=1";
    EXPECT_FALSE(verifier.Verify(tampered));
  }
}

}  // namespace
}  // namespace rampart::auth
