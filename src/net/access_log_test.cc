#include "net/internal/access_log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rampart::net::internal {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TimePoint At(std::int64_t epoch_ms) { return TimePoint(std::chrono::milliseconds(epoch_ms)); }

TEST(FormatAccessLogLine, WritesAllFieldsAndDropsTheQuery) {
  AccessLogEntry entry;
  entry.time = At(1795883111123);  // 2026-11-28T16:25:11.123Z
  entry.remote_ip = "10.0.0.7";
  entry.method = "GET";
  entry.target = "/path/a?X-Amz-Signature=abc&X-Amz-Credential=AKIA";
  entry.status = 200;
  entry.response_bytes = 512;
  entry.duration_us = 1234;
  entry.request_id = "c0ffee";
  EXPECT_EQ(FormatAccessLogLine(entry),
            "time=2026-11-28T16:25:11.123Z remote=10.0.0.7 method=GET path=\"/path/a\" "
            "status=200 bytes=512 duration_us=1234 tls=false request_id=\"c0ffee\"");
}

TEST(FormatAccessLogLine, OmitsAbsentRequestIdAndMarksTls) {
  AccessLogEntry entry;
  entry.time = At(0);
  entry.remote_ip = "::1";
  entry.method = "-";
  entry.target = "-";
  entry.status = 400;
  entry.secure = true;
  std::string line = FormatAccessLogLine(entry);
  EXPECT_EQ(line,
            "time=1970-01-01T00:00:00.000Z remote=::1 method=- path=\"-\" status=400 bytes=0 "
            "duration_us=0 tls=true");
}

TEST(FormatAccessLogLine, EscapesQuotesControlBytesAndOddMethods) {
  AccessLogEntry entry;
  entry.time = At(0);
  entry.remote_ip = "127.0.0.1";
  entry.method = "GE T";
  entry.target = std::string_view("/a\"b\\c\n\x01\xff", 9);
  entry.request_id = "id\"x";
  std::string line = FormatAccessLogLine(entry);
  EXPECT_THAT(line, HasSubstr("method=\"GE T\""));
  EXPECT_THAT(line, HasSubstr("path=\"/a\\\"b\\\\c\\x0a\\x01\\xff\""));
  EXPECT_THAT(line, HasSubstr("request_id=\"id\\\"x\""));
  EXPECT_THAT(line, Not(HasSubstr("\n")));
}

TEST(TargetPath, StopsAtTheFirstQuestionMark) {
  EXPECT_EQ(TargetPath("/a?b?c"), "/a");
  EXPECT_EQ(TargetPath("/a"), "/a");
  EXPECT_EQ(TargetPath("?x"), "");
  EXPECT_EQ(TargetPath(""), "");
}

TEST(FormatHttpDate, UsesImfFixdate) {
  EXPECT_EQ(FormatHttpDate(At(1795883111123)), "Sat, 28 Nov 2026 16:25:11 GMT");
  EXPECT_EQ(FormatHttpDate(At(0)), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(FormatHttpDate(At(951782400000)), "Tue, 29 Feb 2000 00:00:00 GMT");
}

TEST(FormatHttpDate, RoundTripsThroughTheCommonParser) {
  TimePoint time = At(1795883111000);
  auto parsed = ParseHttpDate(FormatHttpDate(time));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, time);
}

}  // namespace
}  // namespace rampart::net::internal
