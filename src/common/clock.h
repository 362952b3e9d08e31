// Time for the whole server. Production code reads time only through a Clock so that
// tests can substitute FakeClock. Times are UTC.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace rampart {

using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

// The system's real-time clock. Thread-safe.
class SystemClock final : public Clock {
 public:
  TimePoint Now() const override;
};

// A clock tests set by hand. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start) : now_ms_(start.time_since_epoch().count()) {}
  TimePoint Now() const override { return TimePoint(std::chrono::milliseconds(now_ms_.load())); }
  void Set(TimePoint t) { now_ms_.store(t.time_since_epoch().count()); }
  void Advance(std::chrono::milliseconds delta) { now_ms_.fetch_add(delta.count()); }

 private:
  std::atomic<std::int64_t> now_ms_;
};

std::int64_t ToEpochSeconds(TimePoint t);
TimePoint FromEpochSeconds(std::int64_t seconds);

// ISO 8601 forms AWS uses on the wire.
// "2026-11-28T16:25:11Z"
std::string FormatIso8601(TimePoint t);
// "2026-11-28T16:25:11.123Z" (IAM/STS responses in the query protocol print no fraction;
// CloudTrail and some JSON services do)
std::string FormatIso8601Millis(TimePoint t);
// SigV4 basic format: "20261128T162511Z"
std::string FormatAmzDate(TimePoint t);
// "20261128"
std::string FormatDateStamp(TimePoint t);
// Parses "YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm)", "YYYY-MM-DD", and SigV4 "YYYYMMDDThhmmssZ".
Result<TimePoint> ParseIso8601(std::string_view text);
// Parses an RFC 7231 HTTP date ("Sat, 28 Nov 2026 16:25:11 GMT").
Result<TimePoint> ParseHttpDate(std::string_view text);

}  // namespace rampart
