// The seam between SigV4 verification and wherever access keys live.
//
// The verifier asks a CredentialSource for the secret and the principal behind an access
// key id. The server implements it over the store (secrets are sealed at rest and opened
// here); tests use fakes. Implementations must be thread-safe: one instance serves every
// connection.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/principal.h"
#include "common/result.h"

namespace rampart::auth {

// What a CredentialSource resolves an access key id to.
struct Credential {
  std::string secret_access_key;        // plaintext, in memory only, never logged
  Principal principal;                  // who signs with this key
  bool active = true;                   // an inactive key answers InvalidClientTokenId
  bool temporary = false;               // ASIA... keys: a session token is required
  std::optional<TimePoint> expiration;  // temporary credentials: ExpiredToken after this
};

class CredentialSource {
 public:
  virtual ~CredentialSource() = default;
  // `session_token` is the X-Amz-Security-Token the request carried, if any. An unknown key,
  // or a token that does not belong to the key: Error "InvalidClientTokenId" (403, "The
  // security token included in the request is invalid."; see InvalidClientTokenIdError()).
  // Other failures (store unavailable) are returned as they are and end the request.
  virtual Result<Credential> Lookup(std::string_view access_key_id,
                                    std::optional<std::string_view> session_token) const = 0;
};

// The errors of authentication, spelled as IAM and STS (query protocol) answer them. The
// server maps InvalidClientTokenId to UnrecognizedClientException for JSON-protocol services.
Error InvalidClientTokenIdError();    // 403 "The security token included in the request is invalid."
Error ExpiredTokenError();            // 403 "The security token included in the request is expired"
Error MissingAuthenticationTokenError();  // 403 "Request is missing Authentication Token"

}  // namespace rampart::auth
