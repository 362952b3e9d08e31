// The auth module's front header: what other modules include.
//
//   credentials.h       Credential, CredentialSource (implemented by the server over the
//                       store), the IAM/STS authentication errors
//   sigv4/verifier.h    ParseScope, SigV4Verifier, CallerIdentity, VerifierOptions
//   sigv4/signer.h      SignRequest, PresignRequest (clients, tools, tests)
//   password.h          PasswordHasher (Argon2id), root and IAM password rules
//   totp.h              RFC 6238 codes, Base32 seeds, replay-safe verification
//   qr_png.h            QR code PNG for otpauth:// URIs
//   master_key.h        LoadOrCreateMasterKey, SecretSealer
//
// auth depends only on common/ (and OpenSSL, Boost.URL, libsodium, libqrencode, zlib).
#pragma once

#include "auth/credentials.h"
#include "auth/master_key.h"
#include "auth/password.h"
#include "auth/qr_png.h"
#include "auth/sigv4/signer.h"
#include "auth/sigv4/verifier.h"
#include "auth/totp.h"
