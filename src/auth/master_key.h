// The master key that seals secrets at rest (access key secrets, MFA seeds, signing keys),
// and SecretSealer, the one thing the store and STS use to seal and open them.
//
// The key lives outside the database: in RAMPART_MASTER_KEY, or in DATA/master.key (32 raw
// bytes, mode 0600, created on first start). A database file alone therefore reveals no
// secret. Sealing is AES-256-GCM from common/crypto.h, with associated data naming what is
// sealed (e.g. "access-key-secret:AKIA..."), so a sealed value cannot be moved to another row.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/result.h"

namespace rampart::auth {

inline constexpr char kMasterKeyFileName[] = "master.key";

// The 32-byte master key. `env_value` is RAMPART_MASTER_KEY (nullptr or empty: unset): 64
// hex characters or the base64 of 32 bytes. Unset: `data_dir`/master.key, which is created
// (with `data_dir` if needed, mode 0700) atomically with mode 0600 and 32 random bytes if it
// does not exist. Refuses, with Error "InvalidMasterKey", an environment value that is not
// 32 bytes, and a key file that is not a regular file, is not 32 bytes, or is readable or
// writable by group or others; Error "MasterKeyUnavailable" when the file cannot be read or
// created. Messages name the path and the fix; they never contain key material.
Result<std::string> LoadOrCreateMasterKey(const std::filesystem::path& data_dir,
                                          const char* env_value);

// Seals and opens named secrets under the master key. A value type (copyable: it holds a
// copy of the 32-byte key, wiped on destruction); thread-safe for concurrent use.
class SecretSealer {
 public:
  // Error "InvalidMasterKey" unless `key` is 32 bytes.
  static Result<SecretSealer> Create(std::string key);
  ~SecretSealer();
  SecretSealer(const SecretSealer&) = default;
  SecretSealer& operator=(const SecretSealer&) = default;
  SecretSealer(SecretSealer&&) = default;
  SecretSealer& operator=(SecretSealer&&) = default;

  // `name` is the associated data: what the secret is and where it belongs, e.g.
  // "access-key-secret:" + access_key_id. The same name must be given to Open.
  Result<std::string> Seal(std::string_view name, std::string_view plaintext) const;
  // Error "SealedDataInvalid" if `sealed` was altered or sealed under another name or key.
  Result<std::string> Open(std::string_view name, std::string_view sealed) const;

 private:
  explicit SecretSealer(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

}  // namespace rampart::auth
