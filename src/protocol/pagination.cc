#include "protocol/pagination.h"

#include <cstdint>

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "common/crypto.h"
#include "protocol/model.h"

namespace rampart::protocol {
namespace {

constexpr char kTokenVersion = '\x01';
constexpr std::size_t kTagBytes = 16;

std::string Tag(std::string_view key, std::string_view position, std::string_view binding) {
  // Length-prefix the position so that (position, binding) pairs cannot collide.
  std::string message = fmt::format("rampart-page-v1\n{}\n", position.size());
  message.append(position);
  message.append(binding);
  crypto::Sha256Digest digest = crypto::HmacSha256(key, message);
  return std::string(reinterpret_cast<const char*>(digest.data()), kTagBytes);
}

std::string ToUrlSafe(std::string base64) {
  for (char& c : base64) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!base64.empty() && base64.back() == '=') base64.pop_back();
  return base64;
}

Result<std::string> FromUrlSafe(std::string_view token) {
  std::string base64(token);
  for (char& c : base64) {
    if (c == '-') {
      c = '+';
    } else if (c == '_') {
      c = '/';
    } else if (c == '+' || c == '/' || c == '=') {
      return Fail("InvalidToken", "not url-safe base64");
    }
  }
  while (base64.size() % 4 != 0) base64.push_back('=');
  return crypto::Base64Decode(base64);
}

}  // namespace

std::string PageBinding(std::string_view operation, const boost::json::object& input,
                        std::initializer_list<std::string_view> members) {
  std::string binding(operation);
  for (std::string_view member : members) {
    binding.push_back('\n');
    binding.append(member);
    const boost::json::value* value = input.if_contains(member);
    if (value == nullptr || value->is_null()) {
      binding.append("!");
    } else {
      binding.push_back('=');
      binding.append(boost::json::serialize(*value));
    }
  }
  return binding;
}

std::string EncodePageToken(std::string_view key, std::string_view position,
                            std::string_view binding) {
  std::string raw;
  raw.reserve(1 + position.size() + kTagBytes);
  raw.push_back(kTokenVersion);
  raw.append(position);
  raw.append(Tag(key, position, binding));
  return ToUrlSafe(crypto::Base64Encode(raw));
}

Result<std::string> DecodePageToken(const ServiceModel& service, std::string_view key,
                                    std::string_view token, std::string_view binding) {
  Result<std::string> raw = FromUrlSafe(token);
  if (!raw || raw->size() < 1 + kTagBytes || (*raw)[0] != kTokenVersion) {
    return Fail(InvalidPageTokenError(service));
  }
  std::string_view view(*raw);
  std::string_view position = view.substr(1, view.size() - 1 - kTagBytes);
  std::string_view tag = view.substr(view.size() - kTagBytes);
  if (!crypto::ConstantTimeEquals(tag, Tag(key, position, binding))) {
    return Fail(InvalidPageTokenError(service));
  }
  return std::string(position);
}

Error InvalidPageTokenError(const ServiceModel& service) {
  const std::string& name = service.signing_name();
  if (name == "iam" || name == "sts") return Error("ValidationError", "Invalid Marker.", 400);
  if (name == "cloudtrail") {
    return Error("InvalidNextTokenException", "The NextToken is not valid.", 400);
  }
  if (name == "organizations") {
    // Organizations' InvalidInputException reason INVALID_NEXT_TOKEN (API reference).
    return Error("InvalidInputException",
                 "You specified an invalid value for nextToken. You must get the value from "
                 "the response to a previous call to the API.",
                 400);
  }
  return Error("ValidationException", "The NextToken is not valid.", 400);
}

}  // namespace rampart::protocol
