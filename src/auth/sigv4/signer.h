// The signing side of SigV4, for tests, benchmarks, fuzzing and rampart's own tools (CLI,
// console calling the API). Produces exactly what the AWS SDKs produce for the same input:
// checked against every case of the AWS SigV4 test suite.
//
// Pure functions; thread-safe. Requests are modified in place.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/http.h"
#include "common/result.h"

namespace rampart::auth::sigv4 {

struct SigningParams {
  std::string access_key_id;
  std::string secret_access_key;
  std::optional<std::string> session_token;  // sent as X-Amz-Security-Token
  std::string region;
  std::string service;
  TimePoint time;
  // Sign X-Amz-Security-Token (header form). AWS accepts it either way; the test suite's
  // post-sts-header-after case adds it after signing.
  bool sign_session_token = true;
};

struct SigningResult {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;      // lower-case hex
  std::string authorization;  // the Authorization header value (header signing only)
};

// Signs `request` with an Authorization header. Sets X-Amz-Date to `params.time` (replacing
// any value), adds X-Amz-Security-Token when there is a session token, and signs every header
// the request then carries except Authorization. The payload hash is the body's SHA-256 (or
// the x-amz-content-sha256 header when present). The request must carry a Host header:
// otherwise Error "InvalidRequest".
Result<SigningResult> SignRequest(HttpRequest& request, const SigningParams& params);

// Presigns `request`: appends X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires,
// X-Amz-SignedHeaders (host only), X-Amz-Security-Token (if any) and X-Amz-Signature to its
// target's query, percent-encoded with Boost.URL. Requires a Host header, and `expires`
// between 1 and 604800 seconds: otherwise Error "InvalidRequest".
Result<SigningResult> PresignRequest(HttpRequest& request, const SigningParams& params,
                                     std::chrono::seconds expires);

}  // namespace rampart::auth::sigv4
