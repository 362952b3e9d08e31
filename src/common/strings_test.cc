#include "common/strings.h"

#include <gtest/gtest.h>

namespace rampart {
namespace {

TEST(Strings, CaseFolding) {
  EXPECT_EQ(AsciiLower("AbC-1"), "abc-1");
  EXPECT_EQ(AsciiUpper("AbC-1"), "ABC-1");
  EXPECT_TRUE(EqualsIgnoreCase("Admins", "ADMINS"));
  EXPECT_FALSE(EqualsIgnoreCase("Admins", "Admin"));
}

TEST(Strings, SplitKeepsEmptyPieces) {
  auto pieces = Split("a::b:", ':');
  ASSERT_EQ(pieces.size(), 4u);
  EXPECT_EQ(pieces[0], "a");
  EXPECT_EQ(pieces[1], "");
  EXPECT_EQ(pieces[2], "b");
  EXPECT_EQ(pieces[3], "");
}

TEST(Strings, TrimAndAffixes) {
  EXPECT_EQ(Trim("  \tx y\r\n"), "x y");
  EXPECT_EQ(Trim("   "), "");
  EXPECT_TRUE(StartsWith("AKIAXYZ", "AKIA"));
  EXPECT_TRUE(EndsWith("policy.json", ".json"));
  EXPECT_FALSE(EndsWith("a", "abc"));
  EXPECT_EQ(Join({"a", "b", "c"}, ", "), "a, b, c");
}

}  // namespace
}  // namespace rampart
