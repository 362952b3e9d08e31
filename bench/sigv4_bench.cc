// SigV4 verification of a signed STS GetCallerIdentity request: header form with a warm and
// a cold signing-key cache, and the presigned form. Results: docs/benchmarks.md "## SigV4".
#include <benchmark/benchmark.h>

#include "auth/auth.h"

namespace rampart::auth {
namespace {

constexpr char kAccessKeyId[] = "AKIAIOSFODNN7EXAMPLE";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::string_view kBody = "Action=GetCallerIdentity&Version=2011-06-15";

class OneKey final : public CredentialSource {
 public:
  Result<Credential> Lookup(std::string_view access_key_id,
                            std::optional<std::string_view>) const override {
    if (access_key_id != kAccessKeyId) return Fail(InvalidClientTokenIdError());
    Credential credential;
    credential.secret_access_key = kSecret;
    credential.principal.type = PrincipalType::kIAMUser;
    credential.principal.account_id = "123456789012";
    credential.principal.arn = "arn:aws:iam::123456789012:user/admin";
    credential.principal.name = "admin";
    return credential;
  }
};

TimePoint Now() { return *ParseIso8601("20261128T162511Z"); }

sigv4::SigningParams Params() {
  sigv4::SigningParams params;
  params.access_key_id = kAccessKeyId;
  params.secret_access_key = kSecret;
  params.region = "us-east-1";
  params.service = "sts";
  params.time = Now();
  return params;
}

// What the AWS CLI sends for `aws sts get-caller-identity`.
// (Built by construction, not assignment: g++ 12 -O3 gives a false -Wrestrict on
// assigning short literals to std::string members.)
HttpRequest SignedPost() {
  HttpRequest request{
      .method = "POST",
      .target = "/",
      .headers = {{"Host", "127.0.0.1:8080"},
                  {"Accept-Encoding", "identity"},
                  {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                  {"User-Agent", "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64"},
                  {"Content-Length", "43"}},
      .body = std::string(kBody)};
  (void)sigv4::SignRequest(request, Params());
  return request;
}

HttpRequest PresignedGet() {
  HttpRequest request{.method = "GET",
                      .target = "/?Action=GetCallerIdentity&Version=2011-06-15",
                      .headers = {{"Host", "127.0.0.1:8080"}}};
  (void)sigv4::PresignRequest(request, Params(), std::chrono::seconds(900));
  return request;
}

void BM_VerifyHeaderWarmCache(benchmark::State& state) {
  OneKey credentials;
  FakeClock clock(Now());
  SigV4Verifier verifier(credentials, clock);
  HttpRequest request = SignedPost();
  if (!verifier.Verify(request)) state.SkipWithError("request does not verify");
  for (auto _ : state) benchmark::DoNotOptimize(verifier.Verify(request));
}
BENCHMARK(BM_VerifyHeaderWarmCache);

void BM_VerifyHeaderColdCache(benchmark::State& state) {
  OneKey credentials;
  FakeClock clock(Now());
  SigV4Verifier verifier(credentials, clock);
  HttpRequest request = SignedPost();
  for (auto _ : state) {
    verifier.signing_key_cache_for_test().Clear();
    benchmark::DoNotOptimize(verifier.Verify(request));
  }
}
BENCHMARK(BM_VerifyHeaderColdCache);

void BM_VerifyPresigned(benchmark::State& state) {
  OneKey credentials;
  FakeClock clock(Now());
  SigV4Verifier verifier(credentials, clock);
  HttpRequest request = PresignedGet();
  if (!verifier.Verify(request)) state.SkipWithError("request does not verify");
  for (auto _ : state) benchmark::DoNotOptimize(verifier.Verify(request));
}
BENCHMARK(BM_VerifyPresigned);

void BM_VerifyHeaderWrongSignature(benchmark::State& state) {
  OneKey credentials;
  FakeClock clock(Now());
  SigV4Verifier verifier(credentials, clock, VerifierOptions{.explain_signature_mismatch = false});
  HttpRequest request = SignedPost();
  request.body[0] = 'a';
  for (auto _ : state) benchmark::DoNotOptimize(verifier.Verify(request));
}
BENCHMARK(BM_VerifyHeaderWrongSignature);

void BM_VerifyHeaderMultiThreaded(benchmark::State& state) {
  static OneKey credentials;
  static FakeClock clock(Now());
  static SigV4Verifier verifier(credentials, clock);
  static const HttpRequest request = SignedPost();
  for (auto _ : state) benchmark::DoNotOptimize(verifier.Verify(request));
}
BENCHMARK(BM_VerifyHeaderMultiThreaded)->Threads(2)->UseRealTime();

void BM_ParseScope(benchmark::State& state) {
  HttpRequest request = SignedPost();
  for (auto _ : state) benchmark::DoNotOptimize(ParseScope(request));
}
BENCHMARK(BM_ParseScope);

void BM_SignRequest(benchmark::State& state) {
  for (auto _ : state) {
    HttpRequest request{
        .method = "POST",
        .target = "/",
        .headers = {{"Host", "127.0.0.1:8080"},
                    {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
        .body = std::string(kBody)};
    benchmark::DoNotOptimize(sigv4::SignRequest(request, Params()));
  }
}
BENCHMARK(BM_SignRequest);

}  // namespace
}  // namespace rampart::auth

BENCHMARK_MAIN();
