#include "common/clock.h"

#include <cstdio>
#include <ctime>

#include <fmt/format.h>

namespace rampart {
namespace {

// Days from civil date, Howard Hinnant's algorithm (public domain); avoids timegm's locale.
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month, day, hour, minute, second, millis;
};

Civil ToCivil(TimePoint t) {
  std::int64_t ms = t.time_since_epoch().count();
  std::int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  unsigned millis = static_cast<unsigned>(ms - secs * 1000);
  std::int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  std::int64_t rem = secs - days * 86400;
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Civil{y + (m <= 2), m, d, static_cast<unsigned>(rem / 3600),
               static_cast<unsigned>((rem % 3600) / 60), static_cast<unsigned>(rem % 60), millis};
}

bool ReadDigits(std::string_view text, std::size_t pos, std::size_t count, int* out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  *out = value;
  return true;
}

Result<TimePoint> Build(int year, int month, int day, int hour, int minute, int second, int millis,
                        int offset_minutes) {
  static constexpr int kDaysInMonth[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDaysInMonth[month - 1] || hour > 23 ||
      minute > 59 || second > 60) {
    return Fail("InvalidDate", "date is out of range");
  }
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && day == 29 && !leap) return Fail("InvalidDate", "date is out of range");
  std::int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  std::int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return TimePoint(std::chrono::milliseconds(secs * 1000 + millis));
}

}  // namespace

TimePoint SystemClock::Now() const {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

std::int64_t ToEpochSeconds(TimePoint t) {
  std::int64_t ms = t.time_since_epoch().count();
  return ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
}

TimePoint FromEpochSeconds(std::int64_t seconds) {
  return TimePoint(std::chrono::milliseconds(seconds * 1000));
}

std::string FormatIso8601(TimePoint t) {
  Civil c = ToCivil(t);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", c.year, c.month, c.day, c.hour,
                     c.minute, c.second);
}

std::string FormatIso8601Millis(TimePoint t) {
  Civil c = ToCivil(t);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", c.year, c.month, c.day, c.hour,
                     c.minute, c.second, c.millis);
}

std::string FormatAmzDate(TimePoint t) {
  Civil c = ToCivil(t);
  return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z", c.year, c.month, c.day, c.hour, c.minute,
                     c.second);
}

std::string FormatDateStamp(TimePoint t) {
  Civil c = ToCivil(t);
  return fmt::format("{:04}{:02}{:02}", c.year, c.month, c.day);
}

Result<TimePoint> ParseIso8601(std::string_view text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  // SigV4 basic form: YYYYMMDDThhmmssZ
  if (text.size() == 16 && text[8] == 'T' && text[15] == 'Z') {
    if (ReadDigits(text, 0, 4, &year) && ReadDigits(text, 4, 2, &month) &&
        ReadDigits(text, 6, 2, &day) && ReadDigits(text, 9, 2, &hour) &&
        ReadDigits(text, 11, 2, &minute) && ReadDigits(text, 13, 2, &second)) {
      return Build(year, month, day, hour, minute, second, 0, 0);
    }
    return Fail("InvalidDate", "malformed date");
  }
  if (text.size() < 10 || !ReadDigits(text, 0, 4, &year) || text[4] != '-' ||
      !ReadDigits(text, 5, 2, &month) || text[7] != '-' || !ReadDigits(text, 8, 2, &day)) {
    return Fail("InvalidDate", "malformed date");
  }
  if (text.size() == 10) return Build(year, month, day, 0, 0, 0, 0, 0);
  if ((text[10] != 'T' && text[10] != 't' && text[10] != ' ') || !ReadDigits(text, 11, 2, &hour) ||
      text.size() < 16 || text[13] != ':' || !ReadDigits(text, 14, 2, &minute)) {
    return Fail("InvalidDate", "malformed date");
  }
  std::size_t pos = 16;
  if (pos < text.size() && text[pos] == ':') {
    if (!ReadDigits(text, pos + 1, 2, &second)) return Fail("InvalidDate", "malformed date");
    pos += 3;
  }
  int millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 3) millis = millis * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return Fail("InvalidDate", "malformed date");
    for (int i = digits; i < 3; ++i) millis *= 10;
  }
  int offset = 0;
  if (pos == text.size()) {
    offset = 0;  // no zone designator: treated as UTC
  } else if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    int oh = 0, om = 0;
    int sign = text[pos] == '-' ? -1 : 1;
    if (!ReadDigits(text, pos + 1, 2, &oh)) return Fail("InvalidDate", "malformed date");
    pos += 3;
    if (pos < text.size() && text[pos] == ':') ++pos;
    if (!ReadDigits(text, pos, 2, &om)) return Fail("InvalidDate", "malformed date");
    pos += 2;
    offset = sign * (oh * 60 + om);
  }
  if (pos != text.size()) return Fail("InvalidDate", "malformed date");
  return Build(year, month, day, hour, minute, second, millis, offset);
}

Result<TimePoint> ParseHttpDate(std::string_view text) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  // "Sat, 28 Nov 2026 16:25:11 GMT"
  if (text.size() != 29 || text[3] != ',' || text.substr(26) != "GMT") {
    return Fail("InvalidDate", "malformed HTTP date");
  }
  int day = 0, year = 0, hour = 0, minute = 0, second = 0, month = 0;
  if (!ReadDigits(text, 5, 2, &day) || !ReadDigits(text, 12, 4, &year) ||
      !ReadDigits(text, 17, 2, &hour) || !ReadDigits(text, 20, 2, &minute) ||
      !ReadDigits(text, 23, 2, &second)) {
    return Fail("InvalidDate", "malformed HTTP date");
  }
  std::string_view mon = text.substr(8, 3);
  for (int i = 0; i < 12; ++i) {
    if (mon == kMonths[i]) month = i + 1;
  }
  if (month == 0) return Fail("InvalidDate", "malformed HTTP date");
  return Build(year, month, day, hour, minute, second, 0, 0);
}

}  // namespace rampart
