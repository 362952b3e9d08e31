// Verification of AWS Signature Version 4 on incoming requests: the Authorization header
// form and the presigned query-string form (X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
// X-Amz-Expires, X-Amz-SignedHeaders, X-Amz-Signature, X-Amz-Security-Token).
//
// Errors are returned as IAM and STS word them in the query protocol (code, message, HTTP
// status); see docs/decisions.md "auth" for the cases where AWS documents no wording:
//   MissingAuthenticationToken 403  no SigV4 at all
//   IncompleteSignature        400  malformed Authorization header or presigned parameters,
//                                   missing or malformed date
//   SignatureDoesNotMatch      403  wrong signature, scope date or terminator, clock skew
//                                   ("Signature expired: ..."/"Signature not yet current:
//                                   ..."), expired presigned URL, body hash mismatch
//   InvalidClientTokenId       403  unknown or inactive key, token/key mismatch
//   ExpiredToken               403  expired temporary credentials
//   anything else the CredentialSource returns (e.g. a store failure).
//
// Thread-safe: the only mutable state is the signing-key cache, which locks internally.
// The verifier borrows the CredentialSource and Clock, which must outlive it.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "auth/credentials.h"
#include "auth/sigv4/signing_key_cache.h"
#include "common/clock.h"
#include "common/http.h"
#include "common/principal.h"
#include "common/result.h"

namespace rampart::auth {

// The credential scope a request claims, read without verifying anything.
struct SigV4Scope {
  std::string access_key_id;
  std::string date;     // YYYYMMDD
  std::string region;   // any region is accepted
  std::string service;  // selects the service (iam, sts, organizations, ...)
  bool presigned = false;
};

// Cheap pre-parse so the dispatcher can pick the service before decoding the body.
// nullopt when the request carries no SigV4 at all (Verify then answers
// MissingAuthenticationToken); IncompleteSignature when it carries a malformed one.
Result<std::optional<SigV4Scope>> ParseScope(const HttpRequest& request);

struct CallerIdentity {
  Principal principal;     // from the CredentialSource, access_key_id filled in
  SigV4Scope scope;
  TimePoint request_time;  // X-Amz-Date (or Date)
};

struct VerifierOptions {
  // Requests dated further from now than this are refused (AWS: 15 minutes).
  std::chrono::seconds max_clock_skew{15 * 60};
  // Upper bound of X-Amz-Expires on presigned requests (AWS: 604800, seven days).
  std::chrono::seconds max_presigned_expiry{604800};
  // Append the canonical request and string to sign we computed to the
  // SignatureDoesNotMatch message, as STS does. Neither contains a secret.
  bool explain_signature_mismatch = true;
  std::size_t signing_key_cache_capacity = 4096;
};

class SigV4Verifier {
 public:
  SigV4Verifier(const CredentialSource& credentials, const Clock& clock,
                VerifierOptions options = {});
  SigV4Verifier(const SigV4Verifier&) = delete;
  SigV4Verifier& operator=(const SigV4Verifier&) = delete;

  // Returns the authenticated caller or one of the errors listed above. `request` is only
  // borrowed for the duration of the call.
  Result<CallerIdentity> Verify(const HttpRequest& request) const;

  // For tests and benchmarks.
  sigv4::SigningKeyCache& signing_key_cache_for_test() const { return cache_; }

 private:
  const CredentialSource& credentials_;
  const Clock& clock_;
  const VerifierOptions options_;
  mutable sigv4::SigningKeyCache cache_;
};

}  // namespace rampart::auth
