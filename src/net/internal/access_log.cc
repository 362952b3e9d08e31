#include "net/internal/access_log.h"

#include <ctime>

#include <fmt/format.h>

namespace rampart::net::internal {
namespace {

// Appends `value` in double quotes. Paths may carry any byte Beast accepts in a target and
// request ids come from handlers; escaping keeps one request on one line and the line parseable.
void AppendQuoted(std::string& out, std::string_view value) {
  out.push_back('"');
  for (unsigned char c : value) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c >= 0x7f) {
      fmt::format_to(std::back_inserter(out), "\\x{:02x}", c);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
}

// Tokens (method, ip) are logged bare when they are plain, quoted otherwise.
void AppendToken(std::string& out, std::string_view value) {
  bool plain = !value.empty();
  for (unsigned char c : value) {
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '=') plain = false;
  }
  if (plain) {
    out.append(value);
  } else {
    AppendQuoted(out, value);
  }
}

}  // namespace

std::string_view TargetPath(std::string_view target) {
  std::size_t query = target.find('?');
  return query == std::string_view::npos ? target : target.substr(0, query);
}

std::string FormatAccessLogLine(const AccessLogEntry& entry) {
  std::string line;
  line.reserve(160 + entry.target.size());
  line.append("time=");
  line.append(FormatIso8601Millis(entry.time));
  line.append(" remote=");
  AppendToken(line, entry.remote_ip);
  line.append(" method=");
  AppendToken(line, entry.method);
  line.append(" path=");
  AppendQuoted(line, TargetPath(entry.target));
  fmt::format_to(std::back_inserter(line), " status={} bytes={} duration_us={} tls={}",
                 entry.status, entry.response_bytes, entry.duration_us,
                 entry.secure ? "true" : "false");
  if (!entry.request_id.empty()) {
    line.append(" request_id=");
    AppendQuoted(line, entry.request_id);
  }
  return line;
}

std::string FormatHttpDate(TimePoint time) {
  // Spelled out rather than strftime("%a, %b"), which follows the process locale.
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t seconds = static_cast<std::time_t>(ToEpochSeconds(time));
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{}, {:02d} {} {:04d} {:02d}:{:02d}:{:02d} GMT", kDays[utc.tm_wday],
                     utc.tm_mday, kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour,
                     utc.tm_min, utc.tm_sec);
}

}  // namespace rampart::net::internal
