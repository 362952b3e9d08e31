// Plain HTTP request/response values passed between net/ and the layers above it, so
// that nothing above net/ depends on Boost.Beast. Value types; not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rampart {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request target as received: path plus optional "?query"
  // Header fields in arrival order, names as received (compare case-insensitively).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote_ip;  // peer address, no port
  bool secure = false;    // received over TLS

  // First header with this name (case-insensitive), or nullopt. Borrows from this request.
  std::optional<std::string_view> Header(std::string_view name) const;
  // Path part of `target` (before '?'), and query part (after '?', may be empty).
  std::string_view Path() const;
  std::string_view Query() const;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  void SetHeader(std::string name, std::string value);
};

}  // namespace rampart
