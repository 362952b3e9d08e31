#include "common/clock.h"

#include <gtest/gtest.h>

namespace rampart {
namespace {

TEST(Iso8601, FormatsKnownInstant) {
  TimePoint t = FromEpochSeconds(1440938160);  // 2015-08-30T12:36:00Z (SigV4 suite date)
  EXPECT_EQ(FormatIso8601(t), "2015-08-30T12:36:00Z");
  EXPECT_EQ(FormatAmzDate(t), "20150830T123600Z");
  EXPECT_EQ(FormatDateStamp(t), "20150830");
  EXPECT_EQ(FormatIso8601Millis(t + std::chrono::milliseconds(7)), "2015-08-30T12:36:00.007Z");
}

TEST(Iso8601, ParsesEveryAcceptedForm) {
  const std::int64_t expected = 1440938160;
  for (const char* text : {"2015-08-30T12:36:00Z", "20150830T123600Z", "2015-08-30T12:36:00.000Z",
                           "2015-08-30T14:36:00+02:00", "2015-08-30T12:36:00"}) {
    auto parsed = ParseIso8601(text);
    ASSERT_TRUE(parsed.has_value()) << text;
    EXPECT_EQ(ToEpochSeconds(*parsed), expected) << text;
  }
  EXPECT_EQ(ToEpochSeconds(*ParseIso8601("2015-08-30")), 1440892800);
}

TEST(Iso8601, RejectsMalformed) {
  for (const char* text : {"", "2015-13-01", "2015-02-30", "2015-08-30X", "2015-08-30T25:00:00Z",
                           "20150830T1236Z", "2015-08-30T12:36:00Zjunk", "2015-02-29"}) {
    EXPECT_FALSE(ParseIso8601(text).has_value()) << text;
  }
  EXPECT_TRUE(ParseIso8601("2016-02-29").has_value());
}

TEST(HttpDate, ParsesRfc7231) {
  auto t = ParseHttpDate("Sun, 30 Aug 2015 12:36:00 GMT");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(ToEpochSeconds(*t), 1440938160);
  EXPECT_FALSE(ParseHttpDate("Sun, 30 Foo 2015 12:36:00 GMT").has_value());
}

TEST(FakeClock, AdvancesOnlyWhenTold) {
  FakeClock clock(FromEpochSeconds(100));
  EXPECT_EQ(ToEpochSeconds(clock.Now()), 100);
  clock.Advance(std::chrono::seconds(5));
  EXPECT_EQ(ToEpochSeconds(clock.Now()), 105);
}

}  // namespace
}  // namespace rampart
