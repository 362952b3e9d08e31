#include "protocol/internal/text.h"

#include <gtest/gtest.h>

namespace rampart::protocol::internal {
namespace {

TEST(Text, CountCodePoints) {
  EXPECT_EQ(CountCodePoints(""), 0u);
  EXPECT_EQ(CountCodePoints("abc"), 3u);
  EXPECT_EQ(CountCodePoints("Zürich"), 6u);
  EXPECT_EQ(CountCodePoints("\xF0\x9F\x98\x80"), 1u);  // one emoji
  EXPECT_EQ(CountCodePoints("\xFF\xFE"), 2u);          // invalid bytes count one each
}

TEST(Text, Utf8ValidityAndSanitising) {
  EXPECT_TRUE(IsValidUtf8("Zürich \xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));          // truncated
  EXPECT_EQ(SanitizeUtf8("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(SanitizeUtf8("ok"), "ok");
}

TEST(Text, XmlEscaping) {
  std::string out;
  AppendXmlEscaped(out, "a<b>&\"c\"'\r\n\t\x01");
  // C0 controls other than tab/LF/CR are not allowed in XML 1.0, even as references.
  EXPECT_EQ(out, "a&lt;b&gt;&amp;&quot;c&quot;'&#xD;\n\t\xEF\xBF\xBD");
}

TEST(Text, XmlEscapingReplacesInvalidUtf8) {
  std::string out;
  AppendXmlEscaped(out, "Get\xC0" "CallerIdentity");
  EXPECT_EQ(out, "Get\xEF\xBF\xBD" "CallerIdentity");
}

TEST(Text, LowerFirst) {
  EXPECT_EQ(LowerFirst("UserName"), "userName");
  EXPECT_EQ(LowerFirst("SAMLOptions"), "sAMLOptions");
  EXPECT_EQ(LowerFirst("url"), "url");
  EXPECT_EQ(LowerFirst(""), "");
}

TEST(Text, JavaStringHash) {
  // Values of "...".hashCode() in Java.
  EXPECT_EQ(JavaStringHash(""), 0);
  EXPECT_EQ(JavaStringHash("a"), 97);
  EXPECT_EQ(JavaStringHash("hello"), 99162322);
  EXPECT_EQ(JavaStringHash("minimumPasswordLength"), -1477612273);
  EXPECT_EQ(JavaStringHash("\xF0\x9F\x98\x80"), 0xD83D * 31 + 0xDE00);  // surrogate pair
}

}  // namespace
}  // namespace rampart::protocol::internal
