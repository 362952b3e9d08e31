// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP with HMAC-SHA1), the Base32
// seeds of virtual MFA devices (RFC 4648), replay protection, and the two-consecutive-codes
// check of EnableMFADevice / ResyncMFADevice.
//
// A code is accepted at most once: verification reports the time step that matched, the
// caller stores it as the device's "last accepted step", and a later code whose step is not
// after it is refused. Pure functions; thread-safe. HMAC is OpenSSL's (common/crypto.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"

namespace rampart::auth::totp {

// RFC 4648 §6 Base32, upper case, with '=' padding to a multiple of 8 characters (a 20-byte
// seed, as AWS virtual MFA devices use, encodes to exactly 32 characters with none).
std::string Base32Encode(std::string_view bytes);
// Accepts upper or lower case, with or without padding; spaces are ignored (authenticator
// apps show seeds in groups). Error "InvalidInput" for any other character or a length no
// encoder produces.
Result<std::string> Base32Decode(std::string_view text);

// A fresh random seed (CSPRNG); AWS uses 20 bytes.
std::string NewSeed(std::size_t bytes = 20);

struct TotpParams {
  int digits = 6;                      // 6..8 (RFC 6238 Appendix B uses 8)
  std::int64_t step_seconds = 30;
  std::int64_t t0 = 0;                 // Unix time of step 0
};

// The time step containing `now`.
std::int64_t StepAt(TimePoint now, const TotpParams& params = {});
// HOTP value for `counter` (RFC 4226 §5.3 dynamic truncation), zero-padded to `digits`.
std::string CodeForStep(std::string_view seed, std::int64_t counter, const TotpParams& params = {});
std::string CodeAt(std::string_view seed, TimePoint now, const TotpParams& params = {});

// Verifies `code` for the step of `now` and one step either side. Returns the matching step.
// Fails with InvalidAuthenticationCode (403, "Authentication code for device is not valid.")
// if the code is malformed or matches none, or if the matching step is not after
// `last_accepted_step` (a replay).
Result<std::int64_t> VerifyCode(std::string_view seed, std::string_view code, TimePoint now,
                                std::optional<std::int64_t> last_accepted_step,
                                const TotpParams& params = {});

// EnableMFADevice / ResyncMFADevice: `code1` and `code2` must be the codes of two consecutive
// steps s and s+1, with s+1 within `max_drift_steps` steps of now (either way), and after
// `last_accepted_step`. Returns s+1 (store it as the last accepted step). Enable uses a small
// drift (the user just read the codes); resync a larger one (the device's clock drifted).
// Fails with InvalidAuthenticationCode as above.
Result<std::int64_t> VerifyConsecutiveCodes(std::string_view seed, std::string_view code1,
                                            std::string_view code2, TimePoint now,
                                            int max_drift_steps,
                                            std::optional<std::int64_t> last_accepted_step,
                                            const TotpParams& params = {});
inline constexpr int kEnableDriftSteps = 2;   // one minute
inline constexpr int kResyncDriftSteps = 20;  // ten minutes

// otpauth://totp/<issuer>:<account>?secret=<base32>&issuer=<issuer> (the Key URI format of
// authenticator apps), percent-encoded with Boost.URL.
std::string OtpAuthUri(std::string_view issuer, std::string_view account_name,
                       std::string_view base32_seed);

}  // namespace rampart::auth::totp
