// Alert rules and the Recorder that puts CloudTrail events (and the alerts they raise) into
// the store. Included through audit/audit.h.
//
// Two paths, both ending in AuditEventRepo:
//   - in the handler's transaction (Append, from a CallContext::OnWrite hook): the event
//     commits or rolls back with the change it records, and so do its alerts (outbox); when
//     the handler declared its response before the write, the record is complete there;
//   - queued (Submit, Complete): events of calls that wrote nothing (reads, denials,
//     failures) and the completion of in-transaction events with their responseElements,
//     written by the Recorder's own thread in batches (one transaction per batch).
// The same thread then brings LookupEvents' index up to date in small transactions.
// Events being recorded are "open" from Begin until their final form is committed; the log
// file delivery stops at the first open event so it never ships an incomplete record.
//
// Thread-safety: every public method of AlertEngine and Recorder is thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include <boost/json/object.hpp>

#include "audit/filter_pattern.h"
#include "common/clock.h"
#include "common/result.h"
#include "store/store.h"

namespace rampart::audit {

// Outbox topic of alert webhook deliveries.
inline constexpr std::string_view kAlertTopic = "alert-webhook";

struct AlertRule {
  std::string name;         // "root-activity"
  std::string description;
  FilterPattern pattern;
  int threshold = 1;        // matching events within `period` (per account) that fire it
  std::chrono::seconds period{300};
};

// The built-in rules, on by default: root-activity (the CIS root-usage pattern),
// console-signin-without-mfa, repeated-failed-signins (3 in 5 minutes), root-access-key-created,
// iam-policy-changed (CIS policy-change pattern), mfa-disabled.
std::vector<AlertRule> BuiltinAlertRules();

// Rules from JSON: [{"name": "...", "pattern": "{ ... }", "description": "...",
// "threshold": 1, "periodSeconds": 300}]. Fails with "InvalidConfiguration".
Result<std::vector<AlertRule>> ParseAlertRules(std::string_view json_text);

// Matches records against rules and turns each firing into one outbox message per webhook
// URL (one message with an empty URL when no webhook is configured, so the alert is still
// listed by `rampart audit alerts`). Message payload: {"url": U, "body": B} where B is the
// exact JSON text to POST.
class AlertEngine {
 public:
  AlertEngine(std::vector<AlertRule> rules, std::vector<std::string> webhook_urls);

  std::vector<store::OutboxMessage> Evaluate(const boost::json::object& record, TimePoint now);
  const std::vector<AlertRule>& rules() const { return rules_; }

 private:
  std::vector<AlertRule> rules_;
  std::vector<std::string> urls_;
  std::mutex mutex_;
  // (rule index, account) -> times of recent matches, for thresholds above 1.
  std::map<std::pair<std::size_t, std::string>, std::deque<TimePoint>> recent_;
};

struct RecorderStats {
  std::uint64_t appended_in_transaction = 0;
  std::uint64_t queued_written = 0;
  std::uint64_t batches = 0;
  std::uint64_t failures = 0;
};

class Recorder {
 public:
  // `store`, `alerts` and `clock` must outlive the Recorder. The writer thread starts here.
  Recorder(store::Store& store, AlertEngine& alerts, const Clock& clock);
  ~Recorder();  // Stop()
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Prepared row and alerts of a record, built outside the store's writer thread.
  struct Prepared {
    store::AuditEventRow row;
    std::vector<store::OutboxMessage> alerts;
  };
  Prepared Prepare(const boost::json::object& record,
                   std::vector<store::AuditResource> resources);

  // Appends a prepared event and its alerts in `tx` (the caller's transaction); returns the
  // event's sequence number (valid if `tx` commits).
  Result<std::int64_t> Append(store::WriteTransaction& tx, const Prepared& prepared);

  // Marks `event_id` open (see the header comment).
  void Begin(const std::string& event_id);
  // Closes an open event whose committed form is final.
  void End(const std::string& event_id);
  // Queues a new event (evaluating alerts); closes it once written.
  void Submit(const boost::json::object& record, std::vector<store::AuditResource> resources);
  // Queues the final form of an event: replaces the committed record of the same eventID
  // appended as `sequence` (Append's answer), or appends it (with its alerts) if none was
  // committed. Closes it once written.
  void Complete(const boost::json::object& record, std::vector<store::AuditResource> resources,
                std::int64_t sequence);

  // Blocks until everything queued before the call is committed.
  void Flush();
  // Whether `event_id` is open.
  bool IsOpen(const std::string& event_id) const;
  // Writes what is queued and stops the thread; later Submit/Complete write synchronously.
  void Stop();

  RecorderStats Stats() const;

 private:
  struct Item {
    Prepared prepared;
    bool replace = false;
    boost::json::object record;  // for alerts when a replace turns into an append
  };
  void Run();
  // Writes `batch` in one transaction.
  void WriteBatch(std::vector<Item>& batch);
  // Indexes up to kIndexBatch events not yet indexed, kIndexChunk per transaction; true when
  // events remain to be indexed.
  bool IndexPending();
  Result<std::int64_t> AppendRows(store::WriteTransaction& tx, const Prepared& prepared);

  store::Store& store_;
  AlertEngine& alerts_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  std::vector<Item> queue_;
  mutable std::mutex open_mutex_;  // guards open_ only (request threads, delivery)
  std::unordered_set<std::string> open_;  // events committed before their final form
  std::uint64_t enqueued_ = 0;  // items ever queued
  std::uint64_t written_ = 0;   // items ever written (or dropped after an error)
  bool stopping_ = false;
  bool flush_requested_ = false;  // a Flush is waiting: write without coalescing
  // Events appended in handlers' transactions await indexing (set without the mutex by the
  // store's writer thread; the thread clears it under the mutex before a pass).
  std::atomic<bool> index_pending_{true};
  std::atomic<std::uint64_t> appended_in_transaction_{0};  // by Append (added to stats_)
  // How long the writer thread gathers queued items into one transaction.
  static constexpr std::chrono::milliseconds kCoalesceWindow{100};
  static constexpr int kIndexBatch = 5000;  // events indexed per pass
  static constexpr int kIndexChunk = 64;    // events indexed per transaction
  RecorderStats stats_;
  std::thread thread_;
};

}  // namespace rampart::audit
