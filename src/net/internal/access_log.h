// Access-log lines and HTTP dates for net/. Kept out of the Asio/Beast translation unit so they
// compile fast and can be tested on their own. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace rampart::net::internal {

// One request as the access log records it. Views borrow from the caller for the duration of
// FormatAccessLogLine only.
struct AccessLogEntry {
  TimePoint time;                // when the request's first byte arrived
  std::string_view remote_ip;    // peer address, no port
  std::string_view method;       // "-" when the request line could not be parsed
  std::string_view target;       // raw target; only the path before '?' is logged
  int status = 0;
  std::uint64_t response_bytes = 0;  // body bytes sent
  std::uint64_t duration_us = 0;     // first byte received -> last byte written
  std::string_view request_id;       // the response's x-amzn-RequestId, may be empty
  bool secure = false;
};

// A logfmt line: `time=... remote=... method=... path="..." status=... bytes=... duration_us=...
// tls=... request_id="..."`. The query string is dropped (presigned URLs carry signatures and
// session tokens). Quoted values escape `"`, `\` and bytes outside printable ASCII as `\xHH`.
std::string FormatAccessLogLine(const AccessLogEntry& entry);

// RFC 9110 IMF-fixdate: "Sat, 28 Nov 2026 16:25:11 GMT".
std::string FormatHttpDate(TimePoint time);

// The path part of a request target (before '?'). Borrows `target`.
std::string_view TargetPath(std::string_view target);

}  // namespace rampart::net::internal
