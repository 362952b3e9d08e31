#include "common/crypto.h"

#include <pthread.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

namespace rampart::crypto {
namespace {

const unsigned char* Bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

void MustRandBytes(unsigned char* out, std::size_t count) {
  if (RAND_bytes(out, static_cast<int>(count)) != 1) {
    std::fputs("fatal: the OpenSSL CSPRNG failed\n", stderr);
    std::abort();
  }
}

// Draws of at most this many bytes come from the per-thread pool.
constexpr std::size_t kRandomPoolDraw = 64;

// Bumped in a forked child, whose copy of a pool must not repeat the parent's bytes.
std::atomic<std::uint64_t> fork_generation{0};

struct RandomPool {
  unsigned char bytes[1024];
  std::size_t used = sizeof bytes;  // bytes[used..] are unused CSPRNG output
  std::uint64_t generation = 0;
  ~RandomPool() { OPENSSL_cleanse(bytes, sizeof bytes); }
};

RandomPool& ThisThreadRandomPool() {
  thread_local RandomPool pool;
  return pool;
}

constexpr std::uint8_t kSealVersion = 1;
constexpr std::size_t kNonceSize = 12;
constexpr std::size_t kTagSize = 16;

}  // namespace

Sha256Digest Sha256(std::string_view data) {
  Sha256Digest digest{};
  SHA256(Bytes(data), data.size(), digest.data());
  return digest;
}

std::string Sha256Hex(std::string_view data) { return HexEncode(Sha256(data)); }

Sha256Digest HmacSha256(std::string_view key, std::string_view data) {
  Sha256Digest digest{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), Bytes(data), data.size(),
       digest.data(), &length);
  return digest;
}

std::string HmacSha1(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), Bytes(data), data.size(), digest,
       &length);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.resize(bytes.size() * 2);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kDigits[b >> 4];
    out[2 * i + 1] = kDigits[b & 0xf];
  }
  return out;
}

Result<std::string> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) return Fail("InvalidHex", "hex string has odd length");
  auto value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.resize(hex.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    int hi = value(hex[2 * i]);
    int lo = value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return Fail("InvalidHex", "hex string has a non-hex character");
    out[i] = static_cast<char>((hi << 4) | lo);
  }
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.resize(4 * ((bytes.size() + 2) / 3));
  int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), Bytes(bytes),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return Fail("InvalidBase64", "base64 text has a bad length");
  for (char c : text) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/' || c == '=';
    if (!ok) return Fail("InvalidBase64", "base64 text has a bad character");
  }
  std::string out;
  out.resize(3 * (text.size() / 4));
  int written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), Bytes(text),
                                static_cast<int>(text.size()));
  if (written < 0) return Fail("InvalidBase64", "base64 text does not decode");
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++padding;
  out.resize(static_cast<std::size_t>(written) - padding);
  return out;
}

std::string RandomBytes(std::size_t count) {
  std::string out;
  out.resize(count);
  if (count == 0) return out;
  auto* dest = reinterpret_cast<unsigned char*>(out.data());
  if (count > kRandomPoolDraw) {
    MustRandBytes(dest, count);
    return out;
  }
  // Small draws (identifiers, nonces, keys) come from a per-thread pool filled by one
  // RAND_bytes call: OpenSSL 3 spends about 2 µs per call whatever its size. Every byte is
  // handed out once and wiped from the pool as it leaves; a forked child discards the pool
  // it inherited.
  static std::once_flag registered;
  std::call_once(registered, [] { pthread_atfork(nullptr, nullptr, [] { ++fork_generation; }); });
  RandomPool& pool = ThisThreadRandomPool();
  const std::uint64_t generation = fork_generation.load(std::memory_order_relaxed);
  if (pool.generation != generation) {
    OPENSSL_cleanse(pool.bytes, sizeof pool.bytes);
    pool.used = sizeof pool.bytes;
    pool.generation = generation;
  }
  if (sizeof pool.bytes - pool.used < count) {
    MustRandBytes(pool.bytes, sizeof pool.bytes);
    pool.used = 0;
  }
  std::memcpy(dest, pool.bytes + pool.used, count);
  OPENSSL_cleanse(pool.bytes + pool.used, count);
  pool.used += count;
  return out;
}

std::uint32_t RandomBelow(std::uint32_t bound) {
  if (bound <= 1) return 0;
  // Rejection sampling avoids modulo bias.
  const std::uint32_t limit = UINT32_MAX - (UINT32_MAX % bound);
  while (true) {
    std::string bytes = RandomBytes(4);
    std::uint32_t value = 0;
    for (char c : bytes) value = (value << 8) | static_cast<unsigned char>(c);
    if (value < limit) return value % bound;
  }
}

std::string RandomString(std::string_view alphabet, std::size_t count) {
  std::string out;
  if (alphabet.empty() || alphabet.size() > 256) return out;
  out.reserve(count);
  // Bytes at or above `limit` would favour the first characters: they are drawn again.
  const std::size_t limit = 256 - (256 % alphabet.size());
  while (out.size() < count) {
    std::string bytes = RandomBytes(count - out.size() + 8);
    for (char c : bytes) {
      const auto b = static_cast<unsigned char>(c);
      if (b >= limit) continue;
      out.push_back(alphabet[b % alphabet.size()]);
      if (out.size() == count) break;
    }
  }
  return out;
}

bool ConstantTimeEquals(std::string_view left, std::string_view right) {
  if (left.size() != right.size()) return false;
  if (left.empty()) return true;
  return CRYPTO_memcmp(left.data(), right.data(), left.size()) == 0;
}

Result<std::string> Seal(std::string_view key, std::string_view plaintext,
                         std::string_view associated) {
  if (key.size() != kSealKeySize) return Fail("SealKeyInvalid", "sealing key must be 32 bytes");
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return Fail("InternalFailure", "cannot allocate a cipher context");
  std::string nonce = RandomBytes(kNonceSize);
  std::string out;
  out.reserve(1 + kNonceSize + plaintext.size() + kTagSize);
  out.push_back(static_cast<char>(kSealVersion));
  out.append(nonce);
  int length = 0;
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceSize, nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, Bytes(key), Bytes(nonce)) != 1) {
    return Fail("InternalFailure", "cannot initialise AES-256-GCM");
  }
  if (!associated.empty() &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &length, Bytes(associated),
                        static_cast<int>(associated.size())) != 1) {
    return Fail("InternalFailure", "cannot bind associated data");
  }
  std::string cipher;
  cipher.resize(plaintext.size() + 16);
  int total = 0;
  if (!plaintext.empty()) {
    if (EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(cipher.data()), &length,
                          Bytes(plaintext), static_cast<int>(plaintext.size())) != 1) {
      return Fail("InternalFailure", "encryption failed");
    }
    total = length;
  }
  if (EVP_EncryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(cipher.data()) + total,
                          &length) != 1) {
    return Fail("InternalFailure", "encryption failed");
  }
  total += length;
  cipher.resize(static_cast<std::size_t>(total));
  unsigned char tag[kTagSize];
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, tag) != 1) {
    return Fail("InternalFailure", "cannot read the GCM tag");
  }
  out.append(cipher);
  out.append(reinterpret_cast<const char*>(tag), kTagSize);
  return out;
}

Result<std::string> Open(std::string_view key, std::string_view sealed,
                         std::string_view associated) {
  if (key.size() != kSealKeySize) return Fail("SealKeyInvalid", "sealing key must be 32 bytes");
  if (sealed.size() < 1 + kNonceSize + kTagSize ||
      static_cast<std::uint8_t>(sealed[0]) != kSealVersion) {
    return Fail("SealedDataInvalid", "sealed data is malformed");
  }
  std::string_view nonce = sealed.substr(1, kNonceSize);
  std::string_view cipher = sealed.substr(1 + kNonceSize, sealed.size() - 1 - kNonceSize - kTagSize);
  std::string tag(sealed.substr(sealed.size() - kTagSize));
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return Fail("InternalFailure", "cannot allocate a cipher context");
  int length = 0;
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceSize, nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, Bytes(key), Bytes(nonce)) != 1) {
    return Fail("InternalFailure", "cannot initialise AES-256-GCM");
  }
  if (!associated.empty() &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &length, Bytes(associated),
                        static_cast<int>(associated.size())) != 1) {
    return Fail("SealedDataInvalid", "sealed data is malformed");
  }
  std::string plain;
  plain.resize(cipher.size() + 16);
  int total = 0;
  if (!cipher.empty()) {
    if (EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &length,
                          Bytes(cipher), static_cast<int>(cipher.size())) != 1) {
      return Fail("SealedDataInvalid", "sealed data is malformed");
    }
    total = length;
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag.data()) != 1) {
    return Fail("SealedDataInvalid", "sealed data is malformed");
  }
  if (EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + total,
                          &length) != 1) {
    return Fail("SealedDataInvalid", "sealed data failed authentication");
  }
  total += length;
  plain.resize(static_cast<std::size_t>(total));
  return plain;
}

}  // namespace rampart::crypto
