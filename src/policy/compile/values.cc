#include "policy/compile/values.h"

#include <arpa/inet.h>

#include <charconv>
#include <cmath>
#include <cstring>

#include "policy/internal/text.h"

namespace rampart::policy::internal {
namespace {

bool ReadFixed(std::string_view text, std::size_t& pos, std::size_t digits, int& out) {
  if (pos + digits > text.size()) return false;
  int value = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  pos += digits;
  out = value;
  return true;
}

// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace

std::optional<double> ParseNumber(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  std::string_view body = text;
  if (body.front() == '+') body.remove_prefix(1);
  double value = 0;
  auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), value);
  if (ec != std::errc() || ptr != body.data() + body.size()) return std::nullopt;
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<std::int64_t> ParseDate(std::string_view text) {
  if (text.empty() || text.size() > 40) return std::nullopt;
  // Epoch seconds.
  bool numeric = true;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == '-')) numeric = false;
  }
  if (numeric && text.find('-', 1) == std::string_view::npos) {
    std::optional<double> seconds = ParseNumber(text);
    if (!seconds || std::fabs(*seconds) > 1e13) return std::nullopt;
    return static_cast<std::int64_t>(std::llround(*seconds * 1000.0));
  }
  std::size_t pos = 0;
  int year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0, millis = 0;
  if (!ReadFixed(text, pos, 4, year)) return std::nullopt;
  if (pos < text.size() && text[pos] == '-') {
    ++pos;
    if (!ReadFixed(text, pos, 2, month)) return std::nullopt;
    if (pos < text.size() && text[pos] == '-') {
      ++pos;
      if (!ReadFixed(text, pos, 2, day)) return std::nullopt;
    }
  } else {
    return std::nullopt;
  }
  int offset_minutes = 0;
  if (pos < text.size() && (text[pos] == 'T' || text[pos] == 't' || text[pos] == ' ')) {
    ++pos;
    if (!ReadFixed(text, pos, 2, hour)) return std::nullopt;
    if (pos < text.size() && text[pos] == ':') {
      ++pos;
      if (!ReadFixed(text, pos, 2, minute)) return std::nullopt;
      if (pos < text.size() && text[pos] == ':') {
        ++pos;
        if (!ReadFixed(text, pos, 2, second)) return std::nullopt;
        if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
          ++pos;
          int digits = 0;
          int frac = 0;
          while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            if (digits < 3) frac = frac * 10 + (text[pos] - '0');
            ++digits;
            ++pos;
          }
          if (digits == 0) return std::nullopt;
          for (int d = digits; d < 3; ++d) frac *= 10;
          millis = frac;
        }
      }
    }
    if (pos < text.size()) {
      char z = text[pos];
      if (z == 'Z' || z == 'z') {
        ++pos;
      } else if (z == '+' || z == '-') {
        ++pos;
        int oh = 0, om = 0;
        if (!ReadFixed(text, pos, 2, oh)) return std::nullopt;
        if (pos < text.size() && text[pos] == ':') ++pos;
        if (pos < text.size() && !ReadFixed(text, pos, 2, om)) return std::nullopt;
        offset_minutes = (oh * 60 + om) * (z == '-' ? -1 : 1);
      }
    }
  }
  if (pos != text.size()) return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 ||
      second > 60) {
    return std::nullopt;
  }
  std::int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  std::int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second -
                         static_cast<std::int64_t>(offset_minutes) * 60;
  return seconds * 1000 + millis;
}

std::optional<bool> ParseBool(std::string_view text) {
  if (EqualsIgnoreCase(text, "true")) return true;
  if (EqualsIgnoreCase(text, "false")) return false;
  return std::nullopt;
}

std::optional<IpRange> ParseCidr(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  char buffer[65];
  std::size_t slash = text.find('/');
  std::string_view address = text.substr(0, slash);
  if (address.empty() || address.size() >= sizeof(buffer)) return std::nullopt;
  std::memcpy(buffer, address.data(), address.size());
  buffer[address.size()] = '\0';
  IpRange range;
  if (address.find(':') != std::string_view::npos) {
    range.v6 = true;
    if (inet_pton(AF_INET6, buffer, range.bytes.data()) != 1) return std::nullopt;
    range.prefix = 128;
  } else {
    if (inet_pton(AF_INET, buffer, range.bytes.data()) != 1) return std::nullopt;
    range.prefix = 32;
  }
  if (slash != std::string_view::npos) {
    std::string_view bits = text.substr(slash + 1);
    int prefix = 0;
    auto [ptr, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
    if (bits.empty() || ec != std::errc() || ptr != bits.data() + bits.size() || prefix < 0 ||
        prefix > range.prefix) {
      return std::nullopt;
    }
    range.prefix = prefix;
  }
  return range;
}

bool IpInRange(const IpRange& range, const IpRange& address) {
  if (range.v6 != address.v6) return false;
  int full = range.prefix / 8;
  for (int i = 0; i < full; ++i) {
    if (range.bytes[i] != address.bytes[i]) return false;
  }
  int rest = range.prefix % 8;
  if (rest == 0) return true;
  std::uint8_t mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
  return (range.bytes[full] & mask) == (address.bytes[full] & mask);
}

}  // namespace rampart::policy::internal
