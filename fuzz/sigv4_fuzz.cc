// Fuzzes SigV4 parsing and verification with arbitrary request targets, Authorization
// headers, dates, session tokens and bodies. Input: fields separated by '\n':
//   target \n Authorization \n X-Amz-Date \n X-Amz-Security-Token \n body...
// (missing fields are absent headers). Every fourth input is re-signed with the right key
// before a byte of it is flipped, so the fuzzer also reaches the signature comparison.
// Checks: no crash or sanitizer report; an accepted request names the one known key.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "auth/auth.h"
#include "auth/sigv4/canonical.h"

namespace {

using namespace rampart;
using namespace rampart::auth;

constexpr char kAccessKeyId[] = "AKIDEXAMPLE";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

class FuzzCredentials final : public CredentialSource {
 public:
  Result<Credential> Lookup(std::string_view access_key_id,
                            std::optional<std::string_view> session_token) const override {
    if (access_key_id != kAccessKeyId) return Fail(InvalidClientTokenIdError());
    Credential credential;
    credential.secret_access_key = kSecret;
    credential.temporary = session_token.has_value();
    credential.principal.arn = "arn:aws:iam::111122223333:user/fuzz";
    return credential;
  }
};

std::string_view NextField(std::string_view& rest, bool* present) {
  *present = !rest.empty();
  std::size_t nl = rest.find('\n');
  std::string_view field = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  return field;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const FuzzCredentials credentials;
  static const FakeClock clock(*ParseIso8601("20150830T123600Z"));
  static const SigV4Verifier verifier(credentials, clock);

  std::string_view rest(reinterpret_cast<const char*>(data), size);
  bool has_target = false, has_authz = false, has_date = false, has_token = false;
  HttpRequest request;
  request.method = "POST";
  std::string_view target = NextField(rest, &has_target);
  request.target = has_target && !target.empty() ? std::string(target) : "/";
  std::string_view authz = NextField(rest, &has_authz);
  std::string_view date = NextField(rest, &has_date);
  std::string_view token = NextField(rest, &has_token);
  request.body = std::string(rest);
  request.headers.emplace_back("Host", "example.amazonaws.com");
  if (has_authz) request.headers.emplace_back("Authorization", std::string(authz));
  if (has_date) request.headers.emplace_back("X-Amz-Date", std::string(date));
  if (has_token && !token.empty()) request.headers.emplace_back("X-Amz-Security-Token", std::string(token));

  (void)sigv4::CanonicalUri(request.Path());
  (void)sigv4::CanonicalQuery(request.Query(), true);
  (void)ParseScope(request);
  Result<CallerIdentity> identity = verifier.Verify(request);
  if (identity && identity->principal.access_key_id != kAccessKeyId) std::abort();

  if (size % 4 == 0) {
    // Sign correctly, flip one byte of the body or target, and expect no crash; an
    // unchanged canonical request may still verify, anything else must not.
    HttpRequest signed_request = request;
    std::erase_if(signed_request.headers, [](const auto& h) { return h.first != "Host"; });
    Result<std::optional<SigV4Scope>> query_auth = ParseScope(signed_request);
    if (!query_auth || query_auth->has_value()) return 0;  // presigned query: not this check
    sigv4::SigningParams params;
    params.access_key_id = kAccessKeyId;
    params.secret_access_key = kSecret;
    params.region = "us-east-1";
    params.service = "sts";
    params.time = clock.Now();
    if (sigv4::SignRequest(signed_request, params)) {
      if (!verifier.Verify(signed_request)) std::abort();  // what we sign must verify
      if (!signed_request.body.empty()) {
        signed_request.body[size % signed_request.body.size()] ^= 0x01;
        if (verifier.Verify(signed_request)) std::abort();  // the body is always signed
      }
    }
  }
  return 0;
}
