#include "policy/internal/glob.h"

#include <chrono>
#include <string>

#include <gtest/gtest.h>

namespace rampart::policy::internal {
namespace {

bool Glob(std::string_view pattern, std::string_view text, bool ignore_case = false) {
  return GlobMatch(EncodeGlob(pattern), text, ignore_case);
}

TEST(GlobMatch, ExactNeedsWholeString) {
  EXPECT_TRUE(Glob("abc", "abc"));
  EXPECT_FALSE(Glob("abc", "abcd"));
  EXPECT_FALSE(Glob("abc", "ab"));
  EXPECT_FALSE(Glob("abc", "ABC"));
  EXPECT_TRUE(Glob("abc", "ABC", true));
  EXPECT_TRUE(Glob("", ""));
  EXPECT_FALSE(Glob("", "a"));
}

TEST(GlobMatch, StarMatchesAnyRunIncludingEmpty) {
  EXPECT_TRUE(Glob("*", ""));
  EXPECT_TRUE(Glob("*", "anything/at:all"));
  EXPECT_TRUE(Glob("a*", "a"));
  EXPECT_TRUE(Glob("a*c", "abbbc"));
  EXPECT_TRUE(Glob("a*c", "ac"));
  EXPECT_FALSE(Glob("a*c", "abcd"));
  EXPECT_TRUE(Glob("*c", "abc"));
  EXPECT_TRUE(Glob("a*b*c", "aXbYc"));
  EXPECT_TRUE(Glob("a*b*c", "abc"));
  EXPECT_FALSE(Glob("a*b*c", "acb"));
  EXPECT_TRUE(Glob("**", "x"));
  EXPECT_TRUE(Glob("a*a", "aa"));
  EXPECT_FALSE(Glob("a*a", "a"));
}

TEST(GlobMatch, QuestionMatchesExactlyOne) {
  EXPECT_TRUE(Glob("a?c", "abc"));
  EXPECT_FALSE(Glob("a?c", "ac"));
  EXPECT_FALSE(Glob("a?c", "abbc"));
  EXPECT_TRUE(Glob("*?", "x"));
  EXPECT_FALSE(Glob("*?", ""));
  EXPECT_TRUE(Glob("?*?", "ab"));
}

TEST(GlobMatch, LiteralWildcardCharactersStayLiteral) {
  // What ${*} and ${?} produce: raw '*' and '?' that are not encoded.
  std::string pattern = "a*b";  // unencoded: literal star
  EXPECT_TRUE(GlobMatch(pattern, "a*b", false));
  EXPECT_FALSE(GlobMatch(pattern, "axb", false));
}

TEST(GlobMatch, PathologicalPatternIsFast) {
  std::string text(20000, 'a');
  std::string pattern;
  for (int i = 0; i < 200; ++i) pattern += "*a";
  pattern += "*b";
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(Glob(pattern, text));
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), 500);
}

TEST(Matcher, ClassifiesPatterns) {
  EXPECT_EQ(Matcher(EncodeGlob("*"), false).kind(), Matcher::Kind::kAny);
  EXPECT_EQ(Matcher(EncodeGlob("s3:getobject"), false).kind(), Matcher::Kind::kExact);
  EXPECT_EQ(Matcher(EncodeGlob("s3:get*"), false).kind(), Matcher::Kind::kPrefix);
  EXPECT_EQ(Matcher(EncodeGlob("s3:*object"), false).kind(), Matcher::Kind::kGlob);
  EXPECT_EQ(Matcher(EncodeGlob("s3:get?bject"), false).kind(), Matcher::Kind::kGlob);
}

TEST(Matcher, MatchesLikeGlob) {
  Matcher prefix(EncodeGlob("S3:Get*"), true);
  EXPECT_TRUE(prefix.Match("s3:getobject"));
  EXPECT_TRUE(prefix.Match("s3:get"));
  EXPECT_FALSE(prefix.Match("s3:putobject"));
  Matcher exact(EncodeGlob("s3:GetObject"), false);
  EXPECT_TRUE(exact.Match("s3:GetObject"));
  EXPECT_FALSE(exact.Match("s3:getobject"));
  Matcher glob(EncodeGlob("*Object"), false);
  EXPECT_TRUE(glob.Match("s3:GetObject"));
  EXPECT_FALSE(glob.Match("s3:GetObjects"));
}

}  // namespace
}  // namespace rampart::policy::internal
