#include "auth/totp.h"

#include <gtest/gtest.h>

namespace rampart::auth::totp {
namespace {

constexpr char kRfcSeed[] = "12345678901234567890";

TEST(Base32, Rfc4648Vectors) {
  EXPECT_EQ(Base32Encode(""), "");
  EXPECT_EQ(Base32Encode("f"), "MY======");
  EXPECT_EQ(Base32Encode("fo"), "MZXQ====");
  EXPECT_EQ(Base32Encode("foo"), "MZXW6===");
  EXPECT_EQ(Base32Encode("foob"), "MZXW6YQ=");
  EXPECT_EQ(Base32Encode("fooba"), "MZXW6YTB");
  EXPECT_EQ(Base32Encode("foobar"), "MZXW6YTBOI======");
  for (const char* text : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    Result<std::string> decoded = Base32Decode(Base32Encode(text));
    ASSERT_TRUE(decoded) << text;
    EXPECT_EQ(*decoded, text);
  }
}

TEST(Base32, DecodeAcceptsLowerCaseSpacesAndMissingPadding) {
  EXPECT_EQ(*Base32Decode("mzxw6ytboi"), "foobar");
  EXPECT_EQ(*Base32Decode("MZXW 6YTB OI"), "foobar");
}

TEST(Base32, DecodeRejectsBadInput) {
  EXPECT_FALSE(Base32Decode("MZXW1"));       // '1' is not in the alphabet
  EXPECT_FALSE(Base32Decode("M"));           // one symbol: no encoder produces that
  EXPECT_FALSE(Base32Decode("MZX"));         // three symbols
  EXPECT_FALSE(Base32Decode("MZ=X"));        // data after padding
  EXPECT_FALSE(Base32Decode("MZ"));          // non-zero leftover bits ("MY" is canonical)
  EXPECT_EQ(Base32Decode("MZXW1").error().code, "InvalidInput");
}

TEST(Seed, TwentyRandomBytesEncodeToThirtyTwoCharacters) {
  std::string seed = NewSeed();
  EXPECT_EQ(seed.size(), 20u);
  EXPECT_EQ(Base32Encode(seed).size(), 32u);
  EXPECT_NE(NewSeed(), seed);
}

TEST(Hotp, Rfc4226AppendixDVectors) {
  const char* expected[] = {"755224", "287082", "359152", "969429", "338314",
                            "254676", "287922", "162583", "399871", "520489"};
  for (int counter = 0; counter < 10; ++counter) {
    EXPECT_EQ(CodeForStep(kRfcSeed, counter), expected[counter]) << counter;
  }
}

TEST(Totp, Rfc6238AppendixBSha1Vectors) {
  TotpParams eight{.digits = 8};
  struct Vector {
    std::int64_t time;
    const char* code;
  } vectors[] = {{59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
                 {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"}};
  for (const Vector& v : vectors) {
    EXPECT_EQ(CodeAt(kRfcSeed, FromEpochSeconds(v.time), eight), v.code) << v.time;
  }
}

TEST(Totp, StepAtUsesThirtySecondSteps) {
  EXPECT_EQ(StepAt(FromEpochSeconds(0)), 0);
  EXPECT_EQ(StepAt(FromEpochSeconds(29)), 0);
  EXPECT_EQ(StepAt(FromEpochSeconds(30)), 1);
  EXPECT_EQ(StepAt(FromEpochSeconds(59)), 1);
}

class VerifyCodeTest : public ::testing::Test {
 protected:
  TimePoint now_ = FromEpochSeconds(1234567890);  // step 41152263
  std::int64_t step_ = StepAt(now_);
  std::string Code(std::int64_t step) { return CodeForStep(kRfcSeed, step); }
};

TEST_F(VerifyCodeTest, AcceptsCurrentAndAdjacentStepsAndReportsWhich) {
  EXPECT_EQ(*VerifyCode(kRfcSeed, Code(step_), now_, std::nullopt), step_);
  EXPECT_EQ(*VerifyCode(kRfcSeed, Code(step_ - 1), now_, std::nullopt), step_ - 1);
  EXPECT_EQ(*VerifyCode(kRfcSeed, Code(step_ + 1), now_, std::nullopt), step_ + 1);
}

TEST_F(VerifyCodeTest, RejectsCodesOutsideTheWindow) {
  Result<std::int64_t> result = VerifyCode(kRfcSeed, Code(step_ - 2), now_, std::nullopt);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "InvalidAuthenticationCode");
  EXPECT_EQ(result.error().message, "Authentication code for device is not valid.");
  EXPECT_EQ(result.error().http_status, 403);
  EXPECT_FALSE(VerifyCode(kRfcSeed, Code(step_ + 2), now_, std::nullopt));
}

TEST_F(VerifyCodeTest, RejectsMalformedCodes) {
  for (const char* code : {"", "12345", "1234567", "12345a", " 12345", "-12345"}) {
    EXPECT_FALSE(VerifyCode(kRfcSeed, code, now_, std::nullopt)) << code;
  }
}

TEST_F(VerifyCodeTest, RefusesReplayOfAcceptedOrEarlierStep) {
  Result<std::int64_t> first = VerifyCode(kRfcSeed, Code(step_), now_, std::nullopt);
  ASSERT_TRUE(first);
  EXPECT_FALSE(VerifyCode(kRfcSeed, Code(step_), now_, *first));      // same code again
  EXPECT_FALSE(VerifyCode(kRfcSeed, Code(step_ - 1), now_, *first));  // an older one
  EXPECT_TRUE(VerifyCode(kRfcSeed, Code(step_ + 1), now_, *first));   // the next one
}

TEST_F(VerifyCodeTest, WrongSeedFails) {
  EXPECT_FALSE(VerifyCode("another seed 1234567", Code(step_), now_, std::nullopt));
}

TEST_F(VerifyCodeTest, ConsecutiveCodesForEnable) {
  Result<std::int64_t> matched = VerifyConsecutiveCodes(kRfcSeed, Code(step_ - 1), Code(step_),
                                                        now_, kEnableDriftSteps, std::nullopt);
  ASSERT_TRUE(matched);
  EXPECT_EQ(*matched, step_);
  // Codes read a minute ago still pass; the same code twice or reversed order do not.
  EXPECT_TRUE(VerifyConsecutiveCodes(kRfcSeed, Code(step_ - 3), Code(step_ - 2), now_,
                                     kEnableDriftSteps, std::nullopt));
  EXPECT_FALSE(VerifyConsecutiveCodes(kRfcSeed, Code(step_), Code(step_), now_,
                                      kEnableDriftSteps, std::nullopt));
  EXPECT_FALSE(VerifyConsecutiveCodes(kRfcSeed, Code(step_), Code(step_ - 1), now_,
                                      kEnableDriftSteps, std::nullopt));
  // Not consecutive.
  EXPECT_FALSE(VerifyConsecutiveCodes(kRfcSeed, Code(step_ - 2), Code(step_), now_,
                                      kEnableDriftSteps, std::nullopt));
  // Too old for enable, fine for resync.
  EXPECT_FALSE(VerifyConsecutiveCodes(kRfcSeed, Code(step_ - 11), Code(step_ - 10), now_,
                                      kEnableDriftSteps, std::nullopt));
  EXPECT_TRUE(VerifyConsecutiveCodes(kRfcSeed, Code(step_ - 11), Code(step_ - 10), now_,
                                     kResyncDriftSteps, std::nullopt));
  Result<std::int64_t> malformed =
      VerifyConsecutiveCodes(kRfcSeed, "12", Code(step_), now_, kEnableDriftSteps, std::nullopt);
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, "InvalidAuthenticationCode");
}

TEST_F(VerifyCodeTest, ConsecutiveCodesRespectLastAcceptedStep) {
  EXPECT_FALSE(VerifyConsecutiveCodes(kRfcSeed, Code(step_ - 1), Code(step_), now_,
                                      kEnableDriftSteps, step_ - 1));
  EXPECT_TRUE(VerifyConsecutiveCodes(kRfcSeed, Code(step_ - 1), Code(step_), now_,
                                     kEnableDriftSteps, step_ - 2));
}

TEST(OtpAuthUri, EncodesLabelAndParameters) {
  EXPECT_EQ(OtpAuthUri("rampart", "alice@123456789012", "JBSWY3DPEHPK3PXP"),
            "otpauth://totp/rampart:alice%40123456789012?secret=JBSWY3DPEHPK3PXP&issuer=rampart");
  EXPECT_EQ(OtpAuthUri("My Co", "a b", "S"), "otpauth://totp/My%20Co:a%20b?secret=S&issuer=My%20Co");
}

}  // namespace
}  // namespace rampart::auth::totp
