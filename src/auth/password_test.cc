#include "auth/password.h"

#include <gtest/gtest.h>

namespace rampart::auth {
namespace {

PasswordHasher TestHasher() { return PasswordHasher(PasswordHashParams::MinimumForTest()); }

TEST(PasswordHasher, HashesWithArgon2idAndVerifies) {
  PasswordHasher hasher = TestHasher();
  Result<std::string> hash = hasher.Hash("correct horse battery staple");
  ASSERT_TRUE(hash);
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(hasher.Verify(*hash, "correct horse battery staple"));
  EXPECT_FALSE(hasher.Verify(*hash, "correct horse battery stapler"));
  EXPECT_FALSE(hasher.Verify(*hash, ""));
}

TEST(PasswordHasher, SaltsEveryHash) {
  PasswordHasher hasher = TestHasher();
  EXPECT_NE(*hasher.Hash("same"), *hasher.Hash("same"));
}

TEST(PasswordHasher, MalformedHashNeverVerifies) {
  PasswordHasher hasher = TestHasher();
  EXPECT_FALSE(hasher.Verify("", "x"));
  EXPECT_FALSE(hasher.Verify("$argon2id$garbage", "x"));
  EXPECT_FALSE(hasher.Verify(std::string(1000, 'a'), "x"));
}

TEST(PasswordHasher, NeedsRehashWhenParametersChange) {
  PasswordHasher weak = TestHasher();
  PasswordHasher strong(PasswordHashParams{2, 1024 * 1024});
  std::string hash = *weak.Hash("pw");
  EXPECT_FALSE(weak.NeedsRehash(hash));
  EXPECT_TRUE(strong.NeedsRehash(hash));
  EXPECT_TRUE(weak.NeedsRehash("not a hash"));
  EXPECT_TRUE(strong.Verify(hash, "pw"));  // old hashes still verify
}

TEST(PasswordHashParams, DefaultIsDocumented) {
  PasswordHashParams params = PasswordHashParams::Default();
  EXPECT_EQ(params.opslimit, 3u);
  EXPECT_EQ(params.memlimit, 64u * 1024 * 1024);
}

constexpr char kRootRules[] =
    "Password must have a minimum of 8 characters, a maximum of 128 characters, and include a "
    "minimum of three of the following mix of character types: uppercase, lowercase, numbers, "
    "and ! @ # $ % ^ & * () <> [] {} | _+-= symbols.";

TEST(CheckRootPassword, AcceptsThreeOfFourClasses) {
  EXPECT_TRUE(CheckRootPassword("Abcdefg1", "root@example.com"));
  EXPECT_TRUE(CheckRootPassword("abcdefg1!", "root@example.com"));
  EXPECT_TRUE(CheckRootPassword("ABCDEFG<1", "root@example.com"));
  EXPECT_TRUE(CheckRootPassword(std::string(126, 'a') + "A1", "root@example.com"));
}

TEST(CheckRootPassword, RejectsShortLongAndTooSimple) {
  for (std::string password : {std::string("Abcde1!"), std::string(127, 'a') + "A1",
                               std::string("abcdefgh1"), std::string("ABCDEFGH"),
                               std::string("abcdefgh."), std::string("")}) {
    Result<void> result = CheckRootPassword(password, "root@example.com");
    ASSERT_FALSE(result) << password;
    EXPECT_EQ(result.error().code, "PasswordPolicyViolation");
    EXPECT_EQ(result.error().message, kRootRules);
    EXPECT_EQ(result.error().http_status, 400);
  }
}

TEST(CheckRootPassword, RejectsEmailOrAccountName) {
  Result<void> result = CheckRootPassword("Root@Example.com1", "root@example.com1");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            "Password must not be identical to your AWS account name or email address.");
  EXPECT_FALSE(CheckRootPassword("My-Account-1", "x@example.com", "my-account-1"));
}

TEST(CheckIamUserPassword, DefaultPolicyNeedsEightCharactersAndThreeClasses) {
  PasswordHasher hasher = TestHasher();
  EXPECT_TRUE(CheckIamUserPassword("Abcdefg1", nullptr, {}, hasher));
  Result<void> short_one = CheckIamUserPassword("Abc1", nullptr, {}, hasher);
  ASSERT_FALSE(short_one);
  EXPECT_EQ(short_one.error().code, "PasswordPolicyViolation");
  EXPECT_EQ(short_one.error().message, "Password should have a minimum length of 8");
  Result<void> simple = CheckIamUserPassword("abcdefgh1", nullptr, {}, hasher);
  ASSERT_FALSE(simple);
  EXPECT_EQ(simple.error().message,
            "Password should meet 1 more of the following requirements: Password should have at "
            "least one uppercase letter, Password should have at least one symbol");
  Result<void> simplest = CheckIamUserPassword("abcdefghi", nullptr, {}, hasher);
  ASSERT_FALSE(simplest);
  EXPECT_EQ(simplest.error().message,
            "Password should meet 2 more of the following requirements: Password should have at "
            "least one uppercase letter, Password should have at least one number, Password "
            "should have at least one symbol");
  std::vector<std::string> names = {"alice@example.com"};
  EXPECT_FALSE(CheckIamUserPassword("Alice@example.com", nullptr, {}, hasher, names));
}

constexpr char kNotConform[] = "Password does not conform to the account password policy.";

TEST(CheckIamUserPassword, CustomPolicyRequirements) {
  PasswordHasher hasher = TestHasher();
  PasswordPolicy policy;
  policy.minimum_password_length = 14;
  policy.require_symbols = true;
  policy.require_numbers = true;
  policy.require_uppercase_characters = true;
  policy.require_lowercase_characters = true;
  EXPECT_TRUE(CheckIamUserPassword("Abcdefghijkl1!", &policy, {}, hasher));
  for (const char* bad : {"Abcdefghijk1!", "abcdefghijkl1!", "ABCDEFGHIJKL1!", "Abcdefghijklm!",
                          "Abcdefghijklm1", "Abcdefghijkl1."}) {
    Result<void> result = CheckIamUserPassword(bad, &policy, {}, hasher);
    ASSERT_FALSE(result) << bad;
    EXPECT_EQ(result.error().code, "PasswordPolicyViolation");
    EXPECT_EQ(result.error().message, kNotConform);
    EXPECT_EQ(result.error().http_status, 400);
  }
  EXPECT_EQ(UnmetPasswordRequirements("abc", policy),
            (std::vector<std::string>{"Password should have a minimum length of 14",
                                      "Password should have at least one uppercase letter",
                                      "Password should have at least one number",
                                      "Password should have at least one symbol"}));
  EXPECT_TRUE(UnmetPasswordRequirements("Abcdefghijkl1'", policy).empty());
}

TEST(CheckIamUserPassword, ReusePreventionChecksOnlyTheLastN) {
  PasswordHasher hasher = TestHasher();
  PasswordPolicy policy;
  policy.password_reuse_prevention = 2;
  std::vector<std::string> previous = {*hasher.Hash("newest-1"), *hasher.Hash("older-2"),
                                       *hasher.Hash("oldest-3")};
  Result<void> reused = CheckIamUserPassword("older-2", &policy, previous, hasher);
  ASSERT_FALSE(reused);
  EXPECT_EQ(reused.error().message, kNotConform);
  EXPECT_FALSE(CheckIamUserPassword("newest-1", &policy, previous, hasher));
  EXPECT_TRUE(CheckIamUserPassword("oldest-3", &policy, previous, hasher));
  policy.password_reuse_prevention = 0;
  EXPECT_TRUE(CheckIamUserPassword("newest-1", &policy, previous, hasher));
}

TEST(PasswordExpired, FollowsMaxPasswordAge) {
  PasswordPolicy policy;
  TimePoint changed = FromEpochSeconds(1'000'000);
  EXPECT_FALSE(PasswordExpired(policy, changed, changed + std::chrono::hours(24 * 10000)));
  policy.max_password_age = 90;
  EXPECT_FALSE(PasswordExpired(policy, changed, changed + std::chrono::hours(24 * 90 - 1)));
  EXPECT_TRUE(PasswordExpired(policy, changed, changed + std::chrono::hours(24 * 90)));
}

}  // namespace
}  // namespace rampart::auth
