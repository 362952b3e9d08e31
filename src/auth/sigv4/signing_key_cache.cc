#include "auth/sigv4/signing_key_cache.h"

#include <cstring>
#include <mutex>

#include "auth/sigv4/canonical.h"
#include "common/crypto.h"

namespace rampart::auth::sigv4 {

std::size_t SigningKeyCache::IdHash::operator()(const Id& id) const noexcept {
  std::size_t value = 0;
  std::memcpy(&value, id.data(), sizeof(value));  // the id is already a uniform hash
  return value;
}

std::string SigningKeyCache::Get(std::string_view secret, std::string_view date,
                                 std::string_view region, std::string_view service) {
  // Length-prefixed fields, so no two different tuples share an id.
  std::string material;
  material.reserve(secret.size() + date.size() + region.size() + service.size() + 16);
  for (std::string_view field : {secret, date, region, service}) {
    material += std::to_string(field.size());
    material += ':';
    material += field;
  }
  Id id = crypto::Sha256(material);
  std::fill(material.begin(), material.end(), '\0');
  {
    std::shared_lock lock(mutex_);
    auto it = keys_.find(id);
    if (it != keys_.end()) {
      hits_.fetch_add(1, std::memory_order_relaxed);
      return it->second;
    }
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  std::string key = DeriveSigningKey(secret, date, region, service);
  std::unique_lock lock(mutex_);
  if (keys_.size() >= capacity_) keys_.clear();
  keys_.emplace(id, key);
  return key;
}

std::size_t SigningKeyCache::size() const {
  std::shared_lock lock(mutex_);
  return keys_.size();
}

void SigningKeyCache::Clear() {
  std::unique_lock lock(mutex_);
  keys_.clear();
}

std::uint64_t SigningKeyCache::hits() const { return hits_.load(std::memory_order_relaxed); }

std::uint64_t SigningKeyCache::misses() const { return misses_.load(std::memory_order_relaxed); }

}  // namespace rampart::auth::sigv4
