// Fuzzes the query protocol: routing, form decoding, validation and the error encoder,
// for IAM and STS, with the input as the form body and as a GET query string.
#include <cstddef>
#include <cstdint>
#include <string>

#include "protocol/protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart;
  static const protocol::ModelRegistry& models = protocol::Models();
  std::string text(reinterpret_cast<const char*>(data), size);
  for (const char* name : {"iam", "sts"}) {
    const protocol::ServiceModel& service = *models.Find(name);
    HttpRequest post;
    post.method = "POST";
    post.target = "/";
    post.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    post.body = text;
    HttpRequest get;
    get.method = "GET";
    get.target = "/?" + text;
    for (const HttpRequest* request : {&post, &get}) {
      auto routed = protocol::Route(service, *request);
      if (!routed) {
        protocol::EncodeError(&service, routed.error(), "fuzz");
        continue;
      }
      auto input = protocol::DecodeInput(service, *routed->operation, *request);
      if (!input) protocol::EncodeError(&service, input.error(), "fuzz");
    }
  }
  return 0;
}
