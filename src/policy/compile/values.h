// Typed condition literals (numbers, dates, IP ranges, booleans), parsed once at compile time
// and the same way from request context values at evaluation time. Pure functions, no
// allocation, thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace rampart::policy::internal {

// Decimal integer or floating-point number as IAM's Numeric operators accept it.
std::optional<double> ParseNumber(std::string_view text);

// Milliseconds since the Unix epoch. Accepts ISO 8601 (`2026-01-31`, `2026-01-31T12:00Z`,
// `2026-01-31T12:00:00.123+02:00`, ...) and epoch seconds (`1700000000`, optionally with a
// fraction).
std::optional<std::int64_t> ParseDate(std::string_view text);

// `true` / `false`, case-insensitively.
std::optional<bool> ParseBool(std::string_view text);

struct IpRange {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};
  int prefix = 0;  // significant bits
};
// `203.0.113.0/24`, `2001:db8::/32`, or a bare address (full-length prefix).
std::optional<IpRange> ParseCidr(std::string_view text);
// True when `address` (a bare address as IpRange) lies in `range` (same family only).
bool IpInRange(const IpRange& range, const IpRange& address);

}  // namespace rampart::policy::internal
