#include "services/iam/key_usage.h"

namespace rampart::services::iam {

Result<bool> KeyUsageRecorder::Record(store::Store& store, const Principal& caller,
                                      std::string_view service, std::string_view region,
                                      TimePoint when) {
  // Only long-term keys have a last-used record (temporary ASIA keys are not IAM entities).
  if (caller.access_key_id.empty() || caller.temporary) return false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = last_write_.find(caller.access_key_id);
    if (it != last_write_.end() && when >= it->second && when - it->second < min_interval_) {
      return false;
    }
    // Bounded memory: forgetting every key only costs one extra write per key.
    if (last_write_.size() >= max_tracked_keys_) last_write_.clear();
    last_write_[caller.access_key_id] = when;
  }
  Result<void> written = store.Write([&](store::WriteTransaction& tx) -> Result<void> {
    return tx.AccessKeys().RecordUse(caller.access_key_id, when, service, region);
  });
  if (!written) {
    std::lock_guard<std::mutex> lock(mutex_);
    last_write_.erase(caller.access_key_id);  // retry on the next use
    return Fail(written.error());
  }
  return true;
}

Result<bool> RecordAccessKeyUse(store::Store& store, const Principal& caller,
                                std::string_view service, std::string_view region,
                                TimePoint when) {
  // A function-local static: constructed on first use, thread-safe (C++11 magic statics).
  static KeyUsageRecorder recorder;
  return recorder.Record(store, caller, service, region, when);
}

}  // namespace rampart::services::iam
