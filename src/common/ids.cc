#include "common/ids.h"

#include "common/crypto.h"

namespace rampart::ids {
namespace {

std::string RandomFrom(std::string_view alphabet, std::size_t count) {
  return crypto::RandomString(alphabet, count);
}

}  // namespace

std::string NewAccountId() {
  return RandomFrom("123456789", 1) + RandomFrom("0123456789", 11);
}

std::string NewUniqueId(std::string_view prefix) {
  return std::string(prefix) + RandomFrom("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);
}

std::string NewSecretAccessKey() {
  return RandomFrom("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40);
}

std::string NewRequestId() {
  std::string bytes = crypto::RandomBytes(16);
  bytes[6] = static_cast<char>((bytes[6] & 0x0f) | 0x40);
  bytes[8] = static_cast<char>((bytes[8] & 0x3f) | 0x80);
  std::string hex = crypto::HexEncode(bytes);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

}  // namespace rampart::ids
