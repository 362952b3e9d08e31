// Thin, value-returning wrappers over OpenSSL 3 for the primitives rampart uses:
// SHA-256, HMAC, CSPRNG, constant-time comparison, AES-256-GCM sealing, hex/base64.
// No cryptography is implemented here; every primitive is OpenSSL's.
// Thread-safe: no shared mutable state (OpenSSL 3 is thread-safe for these calls).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace rampart::crypto {

using Sha256Digest = std::array<std::uint8_t, 32>;

Sha256Digest Sha256(std::string_view data);
std::string Sha256Hex(std::string_view data);
// HMAC-SHA256 / HMAC-SHA1 of `data` under `key`; raw bytes.
Sha256Digest HmacSha256(std::string_view key, std::string_view data);
std::string HmacSha1(std::string_view key, std::string_view data);

// Lower-case hex of raw bytes, and back. HexDecode fails on odd length or non-hex.
std::string HexEncode(std::string_view bytes);
template <std::size_t N>
std::string HexEncode(const std::array<std::uint8_t, N>& bytes) {
  return HexEncode(std::string_view(reinterpret_cast<const char*>(bytes.data()), N));
}
Result<std::string> HexDecode(std::string_view hex);

// Standard base64 (RFC 4648 §4) with padding, and back. Base64Decode rejects bad input.
std::string Base64Encode(std::string_view bytes);
Result<std::string> Base64Decode(std::string_view text);

// Cryptographically secure random bytes (OpenSSL RAND_bytes; draws of up to 64 bytes are served
// from a per-thread pool of its output, each byte once). Aborts via RP_CHECK-style failure only
// if the CSPRNG is unusable, which leaves nothing safe to do.
std::string RandomBytes(std::size_t count);
// A uniformly random integer in [0, bound).
std::uint32_t RandomBelow(std::uint32_t bound);
// `count` characters drawn uniformly from `alphabet` (1 to 256 characters) by the CSPRNG, one
// random byte per character (rejection sampling), fetched in one call.
std::string RandomString(std::string_view alphabet, std::size_t count);

// Compares in time that depends only on the lengths, never on the contents.
bool ConstantTimeEquals(std::string_view left, std::string_view right);

// AES-256-GCM authenticated encryption. `key` is 32 bytes. The sealed form is
// version(1) || nonce(12) || ciphertext || tag(16); `associated` binds the ciphertext to
// its context (e.g. the row it belongs to) so a sealed value cannot be moved elsewhere.
constexpr std::size_t kSealKeySize = 32;
Result<std::string> Seal(std::string_view key, std::string_view plaintext,
                         std::string_view associated);
// Fails with code "SealedDataInvalid" if the data was altered, truncated or moved.
Result<std::string> Open(std::string_view key, std::string_view sealed,
                         std::string_view associated);

}  // namespace rampart::crypto
