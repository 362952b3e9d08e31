// Temporary credentials issued by STS: ASIA access key ids and sealed session tokens.
//
// A session token is opaque to clients and carries everything the server needs to rebuild
// the session's principal without a store lookup: the principal (type, account, ARNs, ids,
// names, MFA flag and time, issue time, expiry, source identity, session tags, transitive
// tag keys, session policies) and the session's secret access key. It is the base64 of an
// AES-256-GCM sealed, optionally deflated, binary record (common/crypto.h), sealed under a
// key derived from the installation secret with the access key id as associated data: a
// token altered in any byte, sealed under another installation's key, or presented with
// another access key id fails to open.
//
// ASIA access key ids carry the session's account (40 bits) beside 40 random bits, so
// GetAccessKeyInfo can answer for any session without storing it (AWS key ids encode their
// account too). The account is readable by anyone; it is not a secret on AWS either.
//
// Thread-safety: SessionTokenCodec is immutable after construction and safe to share.
// Ownership: plain values in and out; the codec holds a copy of its derived key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/principal.h"
#include "common/result.h"

namespace rampart::auth {

// How the session was obtained; decides what the session may call (GetSessionToken
// credentials cannot call IAM without MFA, nor STS except AssumeRole and GetCallerIdentity).
enum class SessionKind : std::uint8_t {
  kSessionToken = 1,  // GetSessionToken (IAM user or root)
  kAssumedRole = 2,   // AssumeRole
  kFederation = 3,    // GetFederationToken
};

struct SessionClaims {
  SessionKind kind = SessionKind::kSessionToken;
  // The session's principal. Required: type, account_id, arn, principal_id, access_key_id
  // (the ASIA id), session_issued and expiration; `temporary` is always true once opened.
  Principal principal;
  std::string secret_access_key;  // the session's secret (40 characters)
};

// A fresh ASIA access key id (20 characters, "ASIA" + 16 base32) that encodes `account_id`
// (12 digits) beside 40 random bits.
std::string NewSessionAccessKeyId(std::string_view account_id);
// The account encoded in an ASIA id made by NewSessionAccessKeyId; nullopt for anything else
// (wrong prefix or length, not base32, or a value that is no 12-digit account id).
std::optional<std::string> AccountOfSessionKeyId(std::string_view access_key_id);

class SessionTokenCodec {
 public:
  // `installation_secret`: a secret of at least 32 bytes derived from the master key (the
  // server's page-token key); the sealing key is HMAC-SHA256(secret, "rampart session tokens
  // v1"). Error "InvalidMasterKey" for a shorter secret.
  static Result<SessionTokenCodec> Create(std::string_view installation_secret);

  // The token for `claims` (base64; about 300 bytes for a plain role session).
  // `claims.principal.access_key_id` must be set: the token is bound to it.
  Result<std::string> Seal(const SessionClaims& claims) const;

  // Opens a token presented with `access_key_id`. Fails with InvalidClientTokenId (403, "The
  // security token included in the request is invalid.") when the token is not base64, was
  // altered, was sealed for another key id or by another installation, or does not decode.
  // Expiry is not checked here (the verifier answers ExpiredToken).
  Result<SessionClaims> Open(std::string_view token, std::string_view access_key_id) const;

 private:
  explicit SessionTokenCodec(std::string key) : key_(std::move(key)) {}
  std::string key_;  // 32 bytes
};

}  // namespace rampart::auth
