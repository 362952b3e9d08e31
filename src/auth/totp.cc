#include "auth/totp.h"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "common/crypto.h"

namespace rampart::auth::totp {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

tl::unexpected<Error> InvalidCode() {
  return Fail("InvalidAuthenticationCode", "Authentication code for device is not valid.", 403);
}

bool WellFormed(std::string_view code, int digits) {
  if (code.size() != static_cast<std::size_t>(digits)) return false;
  for (char c : code) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Floor division: steps before t0 stay distinct.
std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

}  // namespace

std::string Base32Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 4) / 5 * 8);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += kAlphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 31];
  while (out.size() % 8 != 0) out += '=';
  return out;
}

Result<std::string> Base32Decode(std::string_view text) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  std::size_t symbols = 0;
  bool padding = false;
  for (char c : text) {
    if (c == ' ') continue;
    if (c == '=') {
      padding = true;
      continue;
    }
    int value = -1;
    if (c >= 'A' && c <= 'Z') value = c - 'A';
    else if (c >= 'a' && c <= 'z') value = c - 'a';
    else if (c >= '2' && c <= '7') value = c - '2' + 26;
    if (value < 0 || padding) return Fail("InvalidInput", "seed is not valid Base32");
    buffer = (buffer << 5) | static_cast<std::uint32_t>(value);
    bits += 5;
    ++symbols;
    if (bits >= 8) {
      out += static_cast<char>((buffer >> (bits - 8)) & 0xFF);
      bits -= 8;
    }
  }
  // Valid final group sizes (RFC 4648 §6): 0, 2, 4, 5 or 7 symbols; leftover bits zero.
  std::size_t tail = symbols % 8;
  if (tail == 1 || tail == 3 || tail == 6 || (buffer & ((1u << bits) - 1)) != 0) {
    return Fail("InvalidInput", "seed is not valid Base32");
  }
  return out;
}

std::string NewSeed(std::size_t bytes) { return crypto::RandomBytes(bytes); }

std::int64_t StepAt(TimePoint now, const TotpParams& params) {
  return FloorDiv(ToEpochSeconds(now) - params.t0, params.step_seconds);
}

std::string CodeForStep(std::string_view seed, std::int64_t counter, const TotpParams& params) {
  char message[8];
  auto value = static_cast<std::uint64_t>(counter);
  for (int idx = 7; idx >= 0; --idx) {
    message[idx] = static_cast<char>(value & 0xFF);
    value >>= 8;
  }
  std::string mac = crypto::HmacSha1(seed, std::string_view(message, sizeof(message)));
  int offset = static_cast<unsigned char>(mac[mac.size() - 1]) & 0x0F;
  std::uint32_t binary = (static_cast<std::uint32_t>(static_cast<unsigned char>(mac[offset]) & 0x7F) << 24) |
                         (static_cast<std::uint32_t>(static_cast<unsigned char>(mac[offset + 1])) << 16) |
                         (static_cast<std::uint32_t>(static_cast<unsigned char>(mac[offset + 2])) << 8) |
                         static_cast<std::uint32_t>(static_cast<unsigned char>(mac[offset + 3]));
  std::uint32_t modulus = 1;
  for (int idx = 0; idx < params.digits; ++idx) modulus *= 10;
  std::string code = std::to_string(binary % modulus);
  return std::string(static_cast<std::size_t>(params.digits) - code.size(), '0') + code;
}

std::string CodeAt(std::string_view seed, TimePoint now, const TotpParams& params) {
  return CodeForStep(seed, StepAt(now, params), params);
}

Result<std::int64_t> VerifyCode(std::string_view seed, std::string_view code, TimePoint now,
                                std::optional<std::int64_t> last_accepted_step,
                                const TotpParams& params) {
  if (!WellFormed(code, params.digits)) return InvalidCode();
  const std::int64_t current = StepAt(now, params);
  std::optional<std::int64_t> matched;
  // Every candidate is computed and compared, so timing does not reveal which step matched.
  for (std::int64_t step = current - 1; step <= current + 1; ++step) {
    if (crypto::ConstantTimeEquals(CodeForStep(seed, step, params), code) && !matched) {
      matched = step;
    }
  }
  if (!matched) return InvalidCode();
  if (last_accepted_step && *matched <= *last_accepted_step) return InvalidCode();
  return *matched;
}

Result<std::int64_t> VerifyConsecutiveCodes(std::string_view seed, std::string_view code1,
                                            std::string_view code2, TimePoint now,
                                            int max_drift_steps,
                                            std::optional<std::int64_t> last_accepted_step,
                                            const TotpParams& params) {
  if (!WellFormed(code1, params.digits) || !WellFormed(code2, params.digits)) {
    return InvalidCode();
  }
  const std::int64_t current = StepAt(now, params);
  std::optional<std::int64_t> matched;
  for (std::int64_t step = current - max_drift_steps; step <= current + max_drift_steps; ++step) {
    bool second = crypto::ConstantTimeEquals(CodeForStep(seed, step, params), code2);
    bool first = crypto::ConstantTimeEquals(CodeForStep(seed, step - 1, params), code1);
    if (first && second) matched = step;  // the latest matching pair wins
  }
  if (!matched) return InvalidCode();
  if (last_accepted_step && *matched - 1 <= *last_accepted_step) return InvalidCode();
  return *matched;
}

std::string OtpAuthUri(std::string_view issuer, std::string_view account_name,
                       std::string_view base32_seed) {
  const auto& safe = boost::urls::unreserved_chars;
  std::string uri = "otpauth://totp/";
  uri += boost::urls::encode(issuer, safe);
  uri += ':';
  uri += boost::urls::encode(account_name, safe);
  uri += "?secret=";
  uri += boost::urls::encode(base32_seed, safe);
  uri += "&issuer=";
  uri += boost::urls::encode(issuer, safe);
  return uri;
}

}  // namespace rampart::auth::totp
