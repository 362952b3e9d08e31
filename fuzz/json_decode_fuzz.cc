// Fuzzes JSON 1.1 and REST-JSON decoding: the first line of the input picks the
// operation (X-Amz-Target suffix or REST path), the rest is the body. Decoded trees are
// re-encoded as outputs of the same operation to exercise the encoders too.
#include <cstddef>
#include <cstdint>
#include <string>

#include "protocol/protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart;
  static const protocol::ModelRegistry& models = protocol::Models();
  std::string text(reinterpret_cast<const char*>(data), size);
  std::size_t newline = text.find('\n');
  std::string head = newline == std::string::npos ? text : text.substr(0, newline);
  std::string body = newline == std::string::npos ? std::string() : text.substr(newline + 1);
  for (const char* name : {"organizations", "cloudtrail", "support", "account"}) {
    const protocol::ServiceModel& service = *models.Find(name);
    HttpRequest request;
    request.method = "POST";
    request.body = body;
    if (service.kind() == protocol::Kind::kRestJson) {
      request.target = head.empty() || head[0] != '/' ? "/" + head : head;
      request.headers = {{"Content-Type", "application/json"}};
    } else {
      request.target = "/";
      request.headers = {{"Content-Type", "application/x-amz-json-1.1"},
                         {"X-Amz-Target", service.target_prefix() + "." + head}};
    }
    auto routed = protocol::Route(service, request);
    if (!routed) {
      protocol::EncodeError(&service, routed.error(), "fuzz");
      continue;
    }
    auto input = protocol::DecodeInput(service, *routed->operation, request);
    if (!input) {
      protocol::EncodeError(&service, input.error(), "fuzz");
      continue;
    }
    protocol::EncodeOutput(service, *routed->operation, *input, "fuzz");
  }
  return 0;
}
