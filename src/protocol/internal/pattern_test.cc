#include "protocol/internal/pattern.h"

#include <gtest/gtest.h>

namespace rampart::protocol::internal {
namespace {

TEST(TranslateJavaRegex, UnicodeEscapes) {
  EXPECT_EQ(*TranslateJavaRegex(R"([\u0009\u000A\u000D\u0020-\u00FF]+)"),
            R"([\x{9}\x{A}\x{D}\x{20}-\x{FF}]+)");
  // Java reads exactly four digits: "\u10000" is U+1000 followed by '0'.
  EXPECT_EQ(*TranslateJavaRegex(R"(\u10000)"), R"(\x{1000}0)");
  // An escaped surrogate pair is one supplementary code point.
  EXPECT_EQ(*TranslateJavaRegex(R"([\uD800\uDC00-\uDBFF\uDFFF])"), R"([\x{10000}-\x{10FFFF}])");
  EXPECT_EQ(*TranslateJavaRegex(R"([\w+=,.@-]+)"), R"([\w+=,.@-]+)");
  EXPECT_FALSE(TranslateJavaRegex(R"(\u12)"));
  EXPECT_FALSE(TranslateJavaRegex(R"(\uZZZZ)"));
}

TEST(Pattern, FullMatchSemantics) {
  auto pattern = Pattern::Compile(R"([\w+=,.@-]*)");
  ASSERT_TRUE(pattern);
  EXPECT_TRUE((*pattern)->FullMatch("Session1"));
  EXPECT_TRUE((*pattern)->FullMatch(""));
  EXPECT_FALSE((*pattern)->FullMatch("Session1:2"));
  EXPECT_FALSE((*pattern)->uses_fallback());
}

TEST(Pattern, UnicodeClasses) {
  auto tag = Pattern::Compile(R"([\p{L}\p{Z}\p{N}_.:/=+\-@]+)");
  ASSERT_TRUE(tag);
  EXPECT_TRUE((*tag)->FullMatch("Kostenstelle Zürich 42"));
  EXPECT_FALSE((*tag)->FullMatch("semi;colon"));
  auto policy = Pattern::Compile(R"([\u0009\u000A\u000D\u0020-\u00FF]+)");
  ASSERT_TRUE(policy);
  EXPECT_TRUE((*policy)->FullMatch("{\"Version\": \"2012-10-17\"}\n\té"));
  EXPECT_FALSE((*policy)->FullMatch("\xE2\x82\xAC"));  // U+20AC is outside the range
  EXPECT_FALSE((*policy)->FullMatch(std::string("a\0b", 3)));
}

TEST(Pattern, LookaheadFallsBack) {
  auto alias = Pattern::Compile(R"(^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$)");
  ASSERT_TRUE(alias);
  EXPECT_TRUE((*alias)->uses_fallback());
  EXPECT_TRUE((*alias)->FullMatch("my-alias"));
  EXPECT_FALSE((*alias)->FullMatch("my--alias"));
  EXPECT_FALSE((*alias)->FullMatch(std::string(Pattern::kMaxFallbackInput + 1, 'a')));
}

TEST(Pattern, RejectsWhatNeitherEngineAccepts) {
  EXPECT_FALSE(Pattern::Compile("[a-"));
  EXPECT_FALSE(Pattern::Compile("(unclosed"));
}

}  // namespace
}  // namespace rampart::protocol::internal
