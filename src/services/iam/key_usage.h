// Access-key last-use tracking (GetAccessKeyLastUsed: LastUsedDate, ServiceName, Region).
//
// The server calls RecordAccessKeyUse after a request signed with a long-term access key is
// authenticated. Writes are coalesced in memory: a key's use is written to the store at most
// once per `min_interval` (one minute by default), so the hot path does not write on every
// request. The last-use date a client reads may therefore lag by up to that interval; AWS
// itself documents that last-used information can take hours to appear.
//
// Thread-safe: a KeyUsageRecorder may be shared by every request thread. The store is
// borrowed for each call.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"
#include "common/principal.h"
#include "common/result.h"
#include "store/store.h"

namespace rampart::services::iam {

class KeyUsageRecorder {
 public:
  explicit KeyUsageRecorder(std::chrono::milliseconds min_interval = std::chrono::minutes(1),
                            std::size_t max_tracked_keys = 100000)
      : min_interval_(min_interval), max_tracked_keys_(max_tracked_keys) {}
  KeyUsageRecorder(const KeyUsageRecorder&) = delete;
  KeyUsageRecorder& operator=(const KeyUsageRecorder&) = delete;

  // Records that `caller`'s access key was used for `service` in `region` at `when`.
  // No-op (Ok(false)) for callers without a long-term key (console sessions, temporary
  // credentials) and for a key already written less than `min_interval` before `when` (the
  // service and region stored are those of the use that was written). A store failure is returned (the caller logs it; the request
  // itself must not fail because of it) and the use is retried on the next call.
  // Returns true when a write was made.
  Result<bool> Record(store::Store& store, const Principal& caller, std::string_view service,
                      std::string_view region, TimePoint when);

 private:
  const std::chrono::milliseconds min_interval_;
  const std::size_t max_tracked_keys_;
  std::mutex mutex_;
  std::unordered_map<std::string, TimePoint> last_write_;  // GUARDED_BY(mutex_)
};

// Convenience over one process-wide KeyUsageRecorder with the default interval.
Result<bool> RecordAccessKeyUse(store::Store& store, const Principal& caller,
                                std::string_view service, std::string_view region,
                                TimePoint when);

}  // namespace rampart::services::iam
