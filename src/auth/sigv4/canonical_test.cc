#include "auth/sigv4/canonical.h"

#include <gtest/gtest.h>

#include "auth/sigv4/signing_key_cache.h"
#include "common/crypto.h"

namespace rampart::auth::sigv4 {
namespace {

TEST(CanonicalUri, EmptyPathIsRoot) { EXPECT_EQ(CanonicalUri(""), "/"); }

TEST(CanonicalUri, RemovesDotSegmentsAndEmptySegmentsKeepsTrailingSlash) {
  EXPECT_EQ(CanonicalUri("/"), "/");
  EXPECT_EQ(CanonicalUri("//"), "/");
  EXPECT_EQ(CanonicalUri("//example//"), "/example/");
  EXPECT_EQ(CanonicalUri("/a/./b/../c"), "/a/c");
  EXPECT_EQ(CanonicalUri("/a/b/../.."), "/");
  EXPECT_EQ(CanonicalUri("/../.."), "/");
  EXPECT_EQ(CanonicalUri("relative/path"), "/relative/path");
}

TEST(CanonicalUri, EncodesEachSegmentOnceMoreSoWireEscapesAreDoubleEncoded) {
  EXPECT_EQ(CanonicalUri("/example space/"), "/example%20space/");
  EXPECT_EQ(CanonicalUri("/example%20space/"), "/example%2520space/");
  EXPECT_EQ(CanonicalUri("/$delete"), "/%24delete");
  EXPECT_EQ(CanonicalUri("/-._~AZaz09"), "/-._~AZaz09");
  EXPECT_EQ(CanonicalUri("/\xE1\x88\xB4"), "/%E1%88%B4");
}

TEST(CanonicalQuery, SortsByNameThenValueAndEncodes) {
  EXPECT_EQ(CanonicalQuery("b=2&a=2&a=1", false), "a=1&a=2&b=2");
  EXPECT_EQ(CanonicalQuery("Param2=v&Param1=v", false), "Param1=v&Param2=v");
  EXPECT_EQ(CanonicalQuery("a=%E1%88%B4", false), "a=%E1%88%B4");
  EXPECT_EQ(CanonicalQuery("a=%e1%88%b4", false), "a=%E1%88%B4");
  EXPECT_EQ(CanonicalQuery("a=x%2Fy", false), "a=x%2Fy");
  EXPECT_EQ(CanonicalQuery("a=x/y:z", false), "a=x%2Fy%3Az");
}

TEST(CanonicalQuery, EmptyAndMissingValues) {
  EXPECT_EQ(CanonicalQuery("", false), "");
  EXPECT_EQ(CanonicalQuery("a", false), "a=");
  EXPECT_EQ(CanonicalQuery("a=", false), "a=");
  EXPECT_EQ(CanonicalQuery("a&&b=1&", false), "a=&b=1");
}

TEST(CanonicalQuery, PlusDecodesToSpace) {
  EXPECT_EQ(CanonicalQuery("a=b+c", false), "a=b%20c");
  EXPECT_EQ(CanonicalQuery("a=b%2Bc", false), "a=b%2Bc");
}

TEST(CanonicalQuery, InvalidPercentEncodingIsTakenAsRawBytes) {
  EXPECT_EQ(CanonicalQuery("a=%zz", false), "a=%25zz");
  EXPECT_EQ(CanonicalQuery("a=%4", false), "a=%254");
}

TEST(CanonicalQuery, DropsSignatureOnlyWhenPresigned) {
  EXPECT_EQ(CanonicalQuery("X-Amz-Signature=abc&a=1", true), "a=1");
  EXPECT_EQ(CanonicalQuery("X-Amz-Signature=abc&a=1", false), "X-Amz-Signature=abc&a=1");
}

TEST(CanonicalHeaderValue, TrimsAndCollapsesWhiteSpaceIncludingFolds) {
  EXPECT_EQ(CanonicalHeaderValue("  value1 "), "value1");
  EXPECT_EQ(CanonicalHeaderValue("\"a   b   c\""), "\"a b c\"");
  EXPECT_EQ(CanonicalHeaderValue("value1\r\n  value2\r\n     value3"), "value1 value2 value3");
  EXPECT_EQ(CanonicalHeaderValue("a\tb"), "a b");
  EXPECT_EQ(CanonicalHeaderValue(""), "");
  EXPECT_EQ(CanonicalHeaderValue("   "), "");
}

TEST(CanonicalHeaders, JoinsRepeatedHeadersInArrivalOrderAndMatchesNamesCaseInsensitively) {
  HeaderList headers = {{"Host", "h"}, {"My-Header1", "value4"}, {"my-header1", " value1 "}};
  EXPECT_EQ(CanonicalHeaders(headers, {"host", "my-header1"}), "host:h\nmy-header1:value4,value1\n");
  EXPECT_EQ(CanonicalHeaders(headers, {"absent"}), "absent:\n");
}

TEST(SigningKey, MatchesTheAwsDocumentationExample) {
  // IAM User Guide example: secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20150830,
  // us-east-1, iam.
  std::string key = DeriveSigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830",
                                     "us-east-1", "iam");
  EXPECT_EQ(crypto::HexEncode(key),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
}

TEST(SigningKeyCache, CachesPerSecretDateRegionService) {
  SigningKeyCache cache(8);
  std::string first = cache.Get("secret", "20150830", "us-east-1", "sts");
  EXPECT_EQ(first, DeriveSigningKey("secret", "20150830", "us-east-1", "sts"));
  EXPECT_EQ(cache.Get("secret", "20150830", "us-east-1", "sts"), first);
  EXPECT_EQ(cache.misses(), 1u);
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_NE(cache.Get("secret2", "20150830", "us-east-1", "sts"), first);
  EXPECT_NE(cache.Get("secret", "20150831", "us-east-1", "sts"), first);
  EXPECT_NE(cache.Get("secret", "20150830", "eu-west-1", "sts"), first);
  EXPECT_NE(cache.Get("secret", "20150830", "us-east-1", "iam"), first);
  EXPECT_EQ(cache.misses(), 5u);
  EXPECT_EQ(cache.size(), 5u);
}

TEST(SigningKeyCache, FieldBoundariesCannotCollide) {
  SigningKeyCache cache(8);
  std::string a = cache.Get("ab", "c", "r", "s");
  std::string b = cache.Get("a", "bc", "r", "s");
  EXPECT_NE(a, b);
  EXPECT_EQ(cache.misses(), 2u);
}

TEST(SigningKeyCache, EmptiesWhenFull) {
  SigningKeyCache cache(2);
  cache.Get("s1", "d", "r", "x");
  cache.Get("s2", "d", "r", "x");
  EXPECT_EQ(cache.size(), 2u);
  cache.Get("s3", "d", "r", "x");
  EXPECT_EQ(cache.size(), 1u);
  cache.Clear();
  EXPECT_EQ(cache.size(), 0u);
}

}  // namespace
}  // namespace rampart::auth::sigv4
