// Password hashing (Argon2id through libsodium) and the password rules of AWS: the root
// user's rules and an account's IAM password policy.
//
// Hashes are libsodium's self-describing "$argon2id$v=19$m=...,t=...,p=1$salt$hash" strings,
// so the parameters of a stored hash are read back from it (NeedsRehash tells when they are
// weaker than the current ones). Thread-safe; a PasswordHasher is an immutable value.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace rampart::auth {

struct PasswordHashParams {
  // Argon2id passes and memory. The default (3 passes, 64 MiB) takes about 0.1-0.2 s on this
  // 2-core machine: affordable per sign-in, costly per guess. Sign-in attempts are also
  // throttled, so the hash is not the only brake.
  unsigned long long opslimit = 3;
  std::size_t memlimit = 64u * 1024 * 1024;

  static PasswordHashParams Default() { return {}; }
  // libsodium's minimum (1 pass, 8 KiB): for tests only, never for stored passwords.
  static PasswordHashParams MinimumForTest();
};

class PasswordHasher {
 public:
  explicit PasswordHasher(PasswordHashParams params = PasswordHashParams::Default());

  // A new salted hash. Error "InternalFailure" if libsodium cannot allocate the memory.
  Result<std::string> Hash(std::string_view password) const;
  // True when `password` matches `hash`; false for a wrong password or a malformed hash.
  bool Verify(std::string_view hash, std::string_view password) const;
  // True when `hash` was made with other parameters (or another algorithm) than this
  // hasher's: re-hash on the next successful sign-in.
  bool NeedsRehash(std::string_view hash) const;

  const PasswordHashParams& params() const { return params_; }

 private:
  PasswordHashParams params_;
};

// AWS root-user password rules (AWS Account Management reference, "Change the password for
// the root user"): 8 to 128 characters, at least three of upper case, lower case, digits and
// the symbols ! @ # $ % ^ & * ( ) < > [ ] { } | _ + - =, and not the account's email address
// or name. Error "PasswordPolicyViolation" (400) with the console's wording.
Result<void> CheckRootPassword(std::string_view password, std::string_view email,
                               std::string_view account_name = {});

// An account's IAM password policy (GetAccountPasswordPolicy's fields, defaults as
// UpdateAccountPasswordPolicy applies them).
struct PasswordPolicy {
  int minimum_password_length = 6;  // 6..128
  bool require_symbols = false;     // ! @ # $ % ^ & * ( ) _ + - = [ ] { } | '
  bool require_numbers = false;
  bool require_uppercase_characters = false;
  bool require_lowercase_characters = false;
  bool allow_users_to_change_password = false;
  int max_password_age = 0;           // days; 0: passwords never expire
  int password_reuse_prevention = 0;  // previous passwords that cannot be reused, 0..24
  bool hard_expiry = false;
};

// Checks an IAM user's new password. With a policy, against it (including reuse of the last
// `policy->password_reuse_prevention` hashes in `previous_hashes`, newest first); without one,
// against AWS's default policy for IAM users (8..128 characters, three of the four character
// classes, not equal to `identity_names` such as the account name or email).
// Error "PasswordPolicyViolation" (400) in IAM's words; see docs/decisions.md "auth".
Result<void> CheckIamUserPassword(std::string_view password, const PasswordPolicy* policy,
                                  std::span<const std::string> previous_hashes,
                                  const PasswordHasher& hasher,
                                  std::span<const std::string> identity_names = {});

// The requirements of `policy` that `password` does not meet, in IAM's words ("Password
// should have at least one uppercase letter", ...): for the console to show.
std::vector<std::string> UnmetPasswordRequirements(std::string_view password,
                                                   const PasswordPolicy& policy);

// Whether a password last changed at `changed` has expired under `policy` at `now`.
bool PasswordExpired(const PasswordPolicy& policy, TimePoint changed, TimePoint now);

}  // namespace rampart::auth
