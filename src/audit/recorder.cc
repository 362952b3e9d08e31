#include "audit/recorder.h"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "audit/record.h"

namespace rampart::audit {
namespace json = boost::json;

namespace {

AlertRule Rule(std::string name, std::string description, std::string_view pattern,
               int threshold = 1) {
  Result<FilterPattern> parsed = FilterPattern::Parse(pattern);
  // INVARIANT: the built-in patterns below parse (alerts_test checks each one).
  AlertRule rule{std::move(name), std::move(description),
                 parsed ? std::move(*parsed) : FilterPattern(), threshold,
                 std::chrono::seconds(300)};
  return rule;
}

std::string JsonString(const json::object& object, std::string_view key) {
  auto it = object.find(key);
  return it != object.end() && it->value().is_string() ? std::string(it->value().get_string())
                                                        : "";
}

}  // namespace

std::vector<AlertRule> BuiltinAlertRules() {
  std::vector<AlertRule> rules;
  // CIS AWS Foundations 4.3 / 5.3 (AWS-BEHAVIOUR.md §2(h)).
  rules.push_back(Rule("root-activity", "the root user made a request",
                       R"({ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS )"
                       R"(&& $.eventType != "AwsServiceEvent" })"));
  // CIS 4.2, restricted to successful sign-ins (a failed one is the next rule's business).
  rules.push_back(Rule("console-signin-without-mfa", "console sign-in without MFA",
                       R"({ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != )"
                       R"("Yes") && ($.responseElements.ConsoleLogin = "Success") })"));
  // CIS 4.6 (console authentication failures), alarmed at 3 within 5 minutes.
  rules.push_back(Rule("repeated-failed-signins", "3 failed console sign-ins within 5 minutes",
                       R"({ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed )"
                       R"(authentication") })",
                       3));
  rules.push_back(Rule("root-access-key-created", "an access key was created for the root user",
                       R"({ $.eventName = "CreateAccessKey" && $.userIdentity.type = "Root" && )"
                       R"($.requestParameters.userName NOT EXISTS && $.errorCode NOT EXISTS })"));
  // CIS 4.4 (IAM policy changes).
  rules.push_back(Rule(
      "iam-policy-changed", "an IAM policy was changed",
      "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||"
      "($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||"
      "($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||"
      "($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||"
      "($.eventName=DeletePolicyVersion)||($.eventName=SetDefaultPolicyVersion)||"
      "($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||"
      "($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||"
      "($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}"));
  rules.push_back(Rule("mfa-disabled", "an MFA device was deactivated or deleted",
                       "{ ($.eventSource = iam.amazonaws.com) && (($.eventName = "
                       "DeactivateMFADevice) || ($.eventName = DeleteVirtualMFADevice)) && "
                       "$.errorCode NOT EXISTS }"));
  return rules;
}

Result<std::vector<AlertRule>> ParseAlertRules(std::string_view json_text) {
  boost::system::error_code ec;
  json::value parsed = json::parse(json_text, ec);
  if (ec || !parsed.is_array()) {
    return Fail("InvalidConfiguration", "alert rules: expected a JSON array of rules");
  }
  std::vector<AlertRule> rules;
  for (const json::value& item : parsed.get_array()) {
    if (!item.is_object()) return Fail("InvalidConfiguration", "alert rules: a rule is not an object");
    const json::object& object = item.get_object();
    AlertRule rule;
    rule.name = JsonString(object, "name");
    rule.description = JsonString(object, "description");
    if (rule.name.empty()) return Fail("InvalidConfiguration", "alert rules: a rule has no `name`");
    Result<FilterPattern> pattern = FilterPattern::Parse(JsonString(object, "pattern"));
    if (!pattern) {
      return Fail("InvalidConfiguration",
                  fmt::format("alert rule `{}`: {}", rule.name, pattern.error().message));
    }
    rule.pattern = std::move(*pattern);
    if (auto it = object.find("threshold"); it != object.end()) {
      if (!it->value().is_int64() || it->value().get_int64() < 1) {
        return Fail("InvalidConfiguration",
                    fmt::format("alert rule `{}`: threshold must be a positive integer", rule.name));
      }
      rule.threshold = static_cast<int>(it->value().get_int64());
    }
    if (auto it = object.find("periodSeconds"); it != object.end()) {
      if (!it->value().is_int64() || it->value().get_int64() < 1) {
        return Fail("InvalidConfiguration",
                    fmt::format("alert rule `{}`: periodSeconds must be positive", rule.name));
      }
      rule.period = std::chrono::seconds(it->value().get_int64());
    }
    rules.push_back(std::move(rule));
  }
  return rules;
}

AlertEngine::AlertEngine(std::vector<AlertRule> rules, std::vector<std::string> webhook_urls)
    : rules_(std::move(rules)), urls_(std::move(webhook_urls)) {
  if (urls_.empty()) urls_.push_back("");
}

std::vector<store::OutboxMessage> AlertEngine::Evaluate(const json::object& record, TimePoint now) {
  std::vector<store::OutboxMessage> messages;
  for (std::size_t rule_idx = 0; rule_idx < rules_.size(); ++rule_idx) {
    const AlertRule& rule = rules_[rule_idx];
    if (!rule.pattern.Matches(record)) continue;
    std::string account = JsonString(record, "recipientAccountId");
    if (rule.threshold > 1) {
      std::lock_guard lock(mutex_);
      std::deque<TimePoint>& times = recent_[{rule_idx, account}];
      times.push_back(now);
      while (!times.empty() && times.front() < now - rule.period) times.pop_front();
      if (static_cast<int>(times.size()) < rule.threshold) continue;
      times.clear();  // fire once per `threshold` matches
    }
    json::object alert;
    alert["alertId"] = NewEventId();
    alert["rule"] = rule.name;
    alert["description"] = rule.description;
    alert["time"] = FormatIso8601(now);
    alert["accountId"] = account;
    alert["eventID"] = JsonString(record, "eventID");
    alert["eventName"] = JsonString(record, "eventName");
    alert["eventSource"] = JsonString(record, "eventSource");
    alert["eventTime"] = JsonString(record, "eventTime");
    alert["sourceIPAddress"] = JsonString(record, "sourceIPAddress");
    if (auto it = record.find("userIdentity"); it != record.end()) {
      alert["userIdentity"] = it->value();
    }
    alert["event"] = record;
    std::string body = json::serialize(alert);
    for (const std::string& url : urls_) {
      store::OutboxMessage message;
      message.topic = std::string(kAlertTopic);
      message.payload = json::serialize(json::object{{"url", url}, {"body", body}});
      message.created = now;
      message.next_attempt = now;
      messages.push_back(std::move(message));
    }
  }
  return messages;
}

Recorder::Recorder(store::Store& store, AlertEngine& alerts, const Clock& clock)
    : store_(store), alerts_(alerts), clock_(clock), thread_([this] { Run(); }) {}

Recorder::~Recorder() { Stop(); }

Recorder::Prepared Recorder::Prepare(const json::object& record,
                                     std::vector<store::AuditResource> resources) {
  Prepared prepared;
  prepared.row = ToRow(record, std::move(resources));
  prepared.alerts = alerts_.Evaluate(record, clock_.Now());
  return prepared;
}

Result<std::int64_t> Recorder::AppendRows(store::WriteTransaction& tx,
                                          const Prepared& prepared) {
  Result<std::int64_t> appended = tx.AuditEvents().Append(prepared.row);
  if (!appended) return Fail(appended.error());
  for (const store::OutboxMessage& message : prepared.alerts) {
    Result<std::int64_t> queued = tx.Outbox().Enqueue(message);
    if (!queued) return Fail(queued.error());
  }
  return appended;
}

Result<std::int64_t> Recorder::Append(store::WriteTransaction& tx, const Prepared& prepared) {
  Result<std::int64_t> appended = AppendRows(tx, prepared);
  if (!appended) return appended;
  appended_in_transaction_.fetch_add(1, std::memory_order_relaxed);
  // The event needs indexing: the first event since the thread last looked wakes it (under the
  // mutex, so the wake-up cannot fall between its check and its wait); later ones take no
  // lock on the store's writer thread.
  if (!index_pending_.exchange(true)) {
    std::lock_guard lock(mutex_);
    wake_.notify_one();
  }
  return appended;
}

void Recorder::Begin(const std::string& event_id) {
  std::lock_guard lock(open_mutex_);
  open_.insert(event_id);
}

void Recorder::End(const std::string& event_id) {
  std::lock_guard lock(open_mutex_);
  open_.erase(event_id);
}

void Recorder::Submit(const json::object& record, std::vector<store::AuditResource> resources) {
  Item item{Prepare(record, std::move(resources)), false, {}};
  std::unique_lock lock(mutex_);
  if (stopping_ && !thread_.joinable()) {
    std::vector<Item> one;
    one.push_back(std::move(item));
    lock.unlock();
    WriteBatch(one);
    IndexPending();
    return;
  }
  queue_.push_back(std::move(item));
  ++enqueued_;
  // Only the first item of a batch wakes the thread (to open its coalescing window): a
  // wake-up per request would cost a context switch per request for nothing.
  if (queue_.size() == 1) wake_.notify_one();
}

void Recorder::Complete(const json::object& record, std::vector<store::AuditResource> resources,
                        std::int64_t sequence) {
  Item item;
  item.prepared.row = ToRow(record, std::move(resources));
  item.prepared.row.sequence = sequence;
  item.replace = true;
  item.record = record;
  std::unique_lock lock(mutex_);
  if (stopping_ && !thread_.joinable()) {
    std::vector<Item> one;
    one.push_back(std::move(item));
    lock.unlock();
    WriteBatch(one);
    IndexPending();
    return;
  }
  queue_.push_back(std::move(item));
  ++enqueued_;
  // Only the first item of a batch wakes the thread (to open its coalescing window): a
  // wake-up per request would cost a context switch per request for nothing.
  if (queue_.size() == 1) wake_.notify_one();
}

void Recorder::Flush() {
  std::unique_lock lock(mutex_);
  const std::uint64_t target = enqueued_;
  flush_requested_ = true;
  wake_.notify_one();
  done_.wait(lock, [&] { return written_ >= target || !thread_.joinable(); });
}

bool Recorder::IsOpen(const std::string& event_id) const {
  std::lock_guard lock(open_mutex_);
  return open_.count(event_id) != 0;
}

void Recorder::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  done_.notify_all();
}

RecorderStats Recorder::Stats() const {
  std::lock_guard lock(mutex_);
  RecorderStats stats = stats_;
  stats.appended_in_transaction += appended_in_transaction_.load(std::memory_order_relaxed);
  return stats;
}

void Recorder::Run() {
  std::unique_lock lock(mutex_);
  bool backlog = false;  // the last pass left events to index
  while (true) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty() || index_pending_ || backlog; });
    if (stopping_ && queue_.empty() && !backlog) break;
    // Coalesce: one durable commit per window instead of one per event, so that completing
    // in-transaction events does not double the fsyncs a mutating request waits behind
    // (bench/audit_bench.cc). Flush and Stop cut the window short, and so does a backlog of
    // events to index.
    if (!backlog) {
      wake_.wait_for(lock, kCoalesceWindow, [&] { return stopping_ || flush_requested_; });
    }
    flush_requested_ = false;
    index_pending_.store(false);
    std::vector<Item> batch;
    batch.swap(queue_);
    lock.unlock();
    WriteBatch(batch);
    lock.lock();
    written_ += batch.size();
    done_.notify_all();
    // Then index what is not yet indexed (these events and those appended in handlers'
    // transactions), at most kIndexBatch events per pass.
    lock.unlock();
    backlog = IndexPending();
    lock.lock();
  }
}

void Recorder::WriteBatch(std::vector<Item>& batch) {
  // Items whose replace found no committed event are appended with their alerts. A failing
  // item does not fail the batch: each repository call is atomic on its own.
  if (batch.empty()) return;
  std::uint64_t failures = 0;
  std::uint64_t appended_rows = 0;
  Result<void> written = store_.Write([&](store::WriteTransaction& tx) -> Result<void> {
    failures = 0;
    appended_rows = 0;
    for (Item& item : batch) {
      if (item.replace) {
        Result<void> replaced = tx.AuditEvents().Replace(item.prepared.row);
        if (replaced) continue;
        if (!store::IsNotFound(replaced.error())) {
          ++failures;
          continue;
        }
        if (item.prepared.alerts.empty()) {
          item.prepared.alerts = alerts_.Evaluate(item.record, clock_.Now());
        }
      }
      if (Result<std::int64_t> appended = AppendRows(tx, item.prepared); !appended) {
        spdlog::warn("audit: cannot record event {}: {}", item.prepared.row.event_id,
                     appended.error().message);
        ++failures;
      } else {
        ++appended_rows;
      }
    }
    return Ok();
  });
  std::lock_guard lock(mutex_);
  ++stats_.batches;
  if (!written) {
    spdlog::error("audit: cannot write {} queued events: {}", batch.size(),
                  written.error().message);
    stats_.failures += batch.size();
  } else {
    stats_.queued_written += batch.size() - failures;
    stats_.failures += failures;
    stats_.appended_in_transaction += appended_rows;
  }
  std::lock_guard open_lock(open_mutex_);
  if (!open_.empty()) {
    for (const Item& item : batch) open_.erase(item.prepared.row.event_id);
  }
}

bool Recorder::IndexPending() {
  // Small transactions: the store's writer is never held for long by the indexer, so request
  // writes (and their fsyncs) interleave with a pass instead of queueing behind all of it.
  std::int64_t total = 0;
  while (total < kIndexBatch) {
    std::int64_t indexed = 0;
    Result<void> written = store_.Write([&](store::WriteTransaction& tx) -> Result<void> {
      Result<std::int64_t> done = tx.AuditEvents().IndexPending(kIndexChunk);
      if (!done) return Fail(done.error());
      indexed = *done;
      return Ok();
    });
    if (!written) {
      spdlog::warn("audit: cannot index events: {}", written.error().message);
      return false;
    }
    total += indexed;
    if (indexed < kIndexChunk) return false;
  }
  return true;
}

}  // namespace rampart::audit
