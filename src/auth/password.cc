#include "auth/password.h"

#include <array>
#include <cstring>

#include <fmt/format.h>
#include <sodium.h>

#include "common/strings.h"

namespace rampart::auth {
namespace {

constexpr int kBadRequest = 400;
constexpr std::string_view kIamSymbols = "!@#$%^&*()_+-=[]{}|'";
constexpr std::string_view kRootSymbols = "!@#$%^&*()<>[]{}|_+-=";

bool SodiumReady() {
  // sodium_init is idempotent and thread-safe; a function-local static runs it once.
  static const bool ready = sodium_init() >= 0;
  return ready;
}

struct Classes {
  bool upper = false, lower = false, digit = false, symbol = false;
  int Count() const { return upper + lower + digit + symbol; }
};

Classes Classify(std::string_view password, std::string_view symbols) {
  Classes classes;
  for (char c : password) {
    if (c >= 'A' && c <= 'Z') classes.upper = true;
    else if (c >= 'a' && c <= 'z') classes.lower = true;
    else if (c >= '0' && c <= '9') classes.digit = true;
    else if (symbols.find(c) != std::string_view::npos) classes.symbol = true;
  }
  return classes;
}

constexpr char kUpperPhrase[] = "Password should have at least one uppercase letter";
constexpr char kLowerPhrase[] = "Password should have at least one lowercase letter";
constexpr char kNumberPhrase[] = "Password should have at least one number";
constexpr char kSymbolPhrase[] = "Password should have at least one symbol";

tl::unexpected<Error> Violation(std::string message) {
  return Fail("PasswordPolicyViolation", std::move(message), kBadRequest);
}

bool MatchesAny(std::string_view password, std::span<const std::string> names) {
  for (const std::string& name : names) {
    if (!name.empty() && EqualsIgnoreCase(password, name)) return true;
  }
  return false;
}

}  // namespace

PasswordHashParams PasswordHashParams::MinimumForTest() {
  return PasswordHashParams{crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

PasswordHasher::PasswordHasher(PasswordHashParams params) : params_(params) {}

Result<std::string> PasswordHasher::Hash(std::string_view password) const {
  if (!SodiumReady()) return Fail("InternalFailure", "libsodium could not be initialised", 500);
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str(out.data(), password.data(), password.size(), params_.opslimit,
                        params_.memlimit) != 0) {
    return Fail("InternalFailure", "password hashing ran out of memory", 500);
  }
  return std::string(out.data());
}

bool PasswordHasher::Verify(std::string_view hash, std::string_view password) const {
  if (!SodiumReady() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  std::array<char, crypto_pwhash_STRBYTES> stored{};
  std::memcpy(stored.data(), hash.data(), hash.size());
  return crypto_pwhash_str_verify(stored.data(), password.data(), password.size()) == 0;
}

bool PasswordHasher::NeedsRehash(std::string_view hash) const {
  if (!SodiumReady() || hash.size() >= crypto_pwhash_STRBYTES) return true;
  std::array<char, crypto_pwhash_STRBYTES> stored{};
  std::memcpy(stored.data(), hash.data(), hash.size());
  // 1: other parameters; -1: not an Argon2id hash at all. Both mean "hash again".
  return crypto_pwhash_str_needs_rehash(stored.data(), params_.opslimit, params_.memlimit) != 0;
}

Result<void> CheckRootPassword(std::string_view password, std::string_view email,
                               std::string_view account_name) {
  Classes classes = Classify(password, kRootSymbols);
  if (password.size() < 8 || password.size() > 128 || classes.Count() < 3) {
    return Violation(
        "Password must have a minimum of 8 characters, a maximum of 128 characters, and include "
        "a minimum of three of the following mix of character types: uppercase, lowercase, "
        "numbers, and ! @ # $ % ^ & * () <> [] {} | _+-= symbols.");
  }
  if ((!email.empty() && EqualsIgnoreCase(password, email)) ||
      (!account_name.empty() && EqualsIgnoreCase(password, account_name))) {
    return Violation("Password must not be identical to your AWS account name or email address.");
  }
  return Ok();
}

std::vector<std::string> UnmetPasswordRequirements(std::string_view password,
                                                   const PasswordPolicy& policy) {
  std::vector<std::string> unmet;
  if (password.size() < static_cast<std::size_t>(policy.minimum_password_length)) {
    unmet.push_back(
        fmt::format("Password should have a minimum length of {}", policy.minimum_password_length));
  }
  if (password.size() > 128) unmet.push_back("Password should have a maximum length of 128");
  Classes classes = Classify(password, kIamSymbols);
  if (policy.require_uppercase_characters && !classes.upper) unmet.push_back(kUpperPhrase);
  if (policy.require_lowercase_characters && !classes.lower) unmet.push_back(kLowerPhrase);
  if (policy.require_numbers && !classes.digit) unmet.push_back(kNumberPhrase);
  if (policy.require_symbols && !classes.symbol) unmet.push_back(kSymbolPhrase);
  return unmet;
}

Result<void> CheckIamUserPassword(std::string_view password, const PasswordPolicy* policy,
                                  std::span<const std::string> previous_hashes,
                                  const PasswordHasher& hasher,
                                  std::span<const std::string> identity_names) {
  if (policy == nullptr) {
    // AWS's default policy for IAM users when the account sets none (IAM User Guide,
    // "Set an account password policy for IAM users": minimum 8, maximum 128 characters,
    // three of four character types, not the account name or email address). The wording
    // "Password should meet N more of the following requirements: ..." is IAM's (seen in
    // real PasswordPolicyViolation answers).
    if (password.size() < 8) return Violation("Password should have a minimum length of 8");
    if (password.size() > 128) return Violation("Password should have a maximum length of 128");
    Classes classes = Classify(password, kIamSymbols);
    if (classes.Count() < 3) {
      std::vector<std::string> missing;
      if (!classes.upper) missing.emplace_back(kUpperPhrase);
      if (!classes.lower) missing.emplace_back(kLowerPhrase);
      if (!classes.digit) missing.emplace_back(kNumberPhrase);
      if (!classes.symbol) missing.emplace_back(kSymbolPhrase);
      return Violation(fmt::format("Password should meet {} more of the following requirements: {}",
                                   3 - classes.Count(), Join(missing, ", ")));
    }
    if (MatchesAny(password, identity_names)) {
      return Violation(
          "Password should not be identical to your AWS account name or email address");
    }
    return Ok();
  }
  // With a custom policy IAM answers "Password does not conform to the account password
  // policy." (real answers); UnmetPasswordRequirements gives the detail.
  constexpr char kNotConform[] = "Password does not conform to the account password policy.";
  if (!UnmetPasswordRequirements(password, *policy).empty()) return Violation(kNotConform);
  std::size_t reuse = static_cast<std::size_t>(std::max(0, policy->password_reuse_prevention));
  for (std::size_t idx = 0; idx < previous_hashes.size() && idx < reuse; ++idx) {
    if (hasher.Verify(previous_hashes[idx], password)) return Violation(kNotConform);
  }
  return Ok();
}

bool PasswordExpired(const PasswordPolicy& policy, TimePoint changed, TimePoint now) {
  if (policy.max_password_age <= 0) return false;
  return now >= changed + std::chrono::hours(24) * policy.max_password_age;
}

}  // namespace rampart::auth
