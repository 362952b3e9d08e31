// The parts of net/server.h that need no Asio or Beast.
#include <charconv>

#include "common/strings.h"
#include "net/server.h"

namespace rampart::net {

HttpResponse PlainErrorResponse(const Error& error) {
  HttpResponse response;
  response.status = error.http_status;
  response.SetHeader("Content-Type", "text/plain; charset=utf-8");
  response.body = error.code + ": " + error.message + "\n";
  return response;
}

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return Fail("InvalidArgument", "listen address `" + std::string(text) +
                                       "` has no port: expected HOST:PORT");
  }
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  if (StartsWith(host, "[")) {
    if (!EndsWith(host, "]") || host.size() < 3) {
      return Fail("InvalidArgument",
                  "listen address `" + std::string(text) + "`: unbalanced brackets");
    }
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return Fail("InvalidArgument", "listen address `" + std::string(text) +
                                       "`: write IPv6 literals in brackets, as [::1]:8080");
  }
  if (host.empty()) {
    return Fail("InvalidArgument", "listen address `" + std::string(text) + "` has no host");
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return Fail("InvalidArgument",
                "listen address `" + std::string(text) + "`: port must be 0 to 65535");
  }
  return ListenAddress{std::string(host), static_cast<std::uint16_t>(port)};
}

}  // namespace rampart::net
