#include "common/crypto.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "common/ids.h"

namespace rampart::crypto {
namespace {

TEST(Sha256, KnownVector) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Hmac, Rfc4231Case2) {
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(HexEncode(HmacSha1("Jefe", "what do ya want for nothing?")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

TEST(Base64, RoundTripsAndRejectsJunk) {
  for (std::string text : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    auto decoded = Base64Decode(Base64Encode(text));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, text);
  }
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_FALSE(Base64Decode("Zm9v!mFy").has_value());
  EXPECT_FALSE(Base64Decode("Zm9").has_value());
}

TEST(Hex, RoundTripsAndRejectsJunk) {
  EXPECT_EQ(*HexDecode("00ff10"), std::string("\x00\xff\x10", 3));
  EXPECT_FALSE(HexDecode("0").has_value());
  EXPECT_FALSE(HexDecode("zz").has_value());
}

TEST(ConstantTime, ComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

TEST(Seal, RoundTripsAndDetectsTampering) {
  std::string key = RandomBytes(kSealKeySize);
  auto sealed = Seal(key, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "access-key:AKIA1");
  ASSERT_TRUE(sealed.has_value());
  EXPECT_EQ(sealed->find("wJalrXUtnFEMI"), std::string::npos);
  auto opened = Open(key, *sealed, "access-key:AKIA1");
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(*opened, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");

  EXPECT_FALSE(Open(key, *sealed, "access-key:AKIA2").has_value()) << "moved to another row";
  EXPECT_FALSE(Open(RandomBytes(kSealKeySize), *sealed, "access-key:AKIA1").has_value());
  for (std::size_t i = 0; i < sealed->size(); ++i) {
    std::string tampered = *sealed;
    tampered[i] = static_cast<char>(tampered[i] ^ 0x01);
    EXPECT_FALSE(Open(key, tampered, "access-key:AKIA1").has_value()) << "byte " << i;
  }
  EXPECT_FALSE(Open(key, sealed->substr(0, 10), "access-key:AKIA1").has_value());
  EXPECT_FALSE(Seal("short", "x", "").has_value());
}

TEST(Seal, EmptyPlaintext) {
  std::string key = RandomBytes(kSealKeySize);
  auto sealed = Seal(key, "", "");
  ASSERT_TRUE(sealed.has_value());
  EXPECT_EQ(*Open(key, *sealed, ""), "");
}

TEST(Ids, AwsShapes) {
  std::string account = ids::NewAccountId();
  EXPECT_EQ(account.size(), 12u);
  EXPECT_NE(account[0], '0');
  std::string akid = ids::NewUniqueId("AKIA");
  EXPECT_EQ(akid.size(), 20u);
  EXPECT_EQ(akid.substr(0, 4), "AKIA");
  EXPECT_EQ(ids::NewSecretAccessKey().size(), 40u);
  std::string rid = ids::NewRequestId();
  EXPECT_EQ(rid.size(), 36u);
  EXPECT_EQ(rid[14], '4');
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(ids::NewUniqueId("AIDA"));
  EXPECT_EQ(seen.size(), 1000u);
}

// Small draws come from a per-thread pool: no byte sequence repeats, across refills, threads
// and sizes.
TEST(RandomBytes, PooledDrawsNeverRepeat) {
  EXPECT_TRUE(RandomBytes(0).empty());
  EXPECT_EQ(RandomBytes(64).size(), 64u);
  EXPECT_EQ(RandomBytes(65).size(), 65u);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(RandomBytes(16));  // many pool refills
  std::string other;
  std::thread([&] { other = RandomBytes(16); }).join();
  seen.insert(other);
  EXPECT_EQ(seen.size(), 1001u);
}

// A forked child must not hand out the bytes left in the pool it inherited.
TEST(RandomBytes, ForkedChildDrawsOtherBytes) {
  (void)RandomBytes(16);  // the pool now holds unused bytes
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const std::string drawn = RandomBytes(16);
    const ssize_t written = ::write(fds[1], drawn.data(), drawn.size());
    ::_exit(written == 16 ? 0 : 1);
  }
  ::close(fds[1]);
  std::string from_child(16, '\0');
  ASSERT_EQ(::read(fds[0], from_child.data(), from_child.size()), 16);
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_NE(from_child, RandomBytes(16));
}

}  // namespace
TEST(Crypto, RandomStringUsesOnlyTheAlphabetAndEveryCharacterOfIt) {
  EXPECT_TRUE(RandomString("", 5).empty());
  EXPECT_EQ(RandomString("ab", 0), "");
  const std::string digits = RandomString("0123456789", 20000);
  ASSERT_EQ(digits.size(), 20000u);
  std::array<int, 10> seen{};
  for (char c : digits) {
    ASSERT_TRUE(c >= '0' && c <= '9') << c;
    ++seen[static_cast<std::size_t>(c - '0')];
  }
  // Uniform: each digit about 2,000 times (a biased draw would skew the first six).
  for (int n : seen) EXPECT_NEAR(n, 2000, 250);
  EXPECT_NE(RandomString("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16),
            RandomString("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16));
}

}  // namespace rampart::crypto
