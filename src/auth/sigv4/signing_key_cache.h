// A bounded, thread-safe cache of SigV4 signing keys.
//
// Deriving a signing key costs four HMAC-SHA256 calls; a client signs every request of a
// day with the same key, so the verifier caches it per (secret, date, region, service).
// Entries are indexed by a SHA-256 over those four fields, so the cache never holds a
// secret access key as a map key; the derived keys themselves are secret and live only in
// memory. When the cache is full it is emptied (keys are valid for one day at most, so a
// full cache is a sign of churn, and a miss only costs the four HMACs again).
//
// Thread-safe: lookups take a shared lock, inserts an exclusive one.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace rampart::auth::sigv4 {

class SigningKeyCache {
 public:
  explicit SigningKeyCache(std::size_t capacity = 4096) : capacity_(capacity) {}
  SigningKeyCache(const SigningKeyCache&) = delete;
  SigningKeyCache& operator=(const SigningKeyCache&) = delete;

  // The signing key for these inputs, derived and remembered on a miss.
  std::string Get(std::string_view secret, std::string_view date, std::string_view region,
                  std::string_view service);

  std::size_t size() const;
  void Clear();
  // Counters for tests and benchmarks.
  std::uint64_t hits() const;
  std::uint64_t misses() const;

 private:
  using Id = std::array<std::uint8_t, 32>;
  struct IdHash {
    std::size_t operator()(const Id& id) const noexcept;
  };

  const std::size_t capacity_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<Id, std::string, IdHash> keys_;  // GUARDED_BY(mutex_)
  std::atomic<std::uint64_t> hits_{0};
  std::atomic<std::uint64_t> misses_{0};
};

}  // namespace rampart::auth::sigv4
