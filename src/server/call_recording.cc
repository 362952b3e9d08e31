#include "server/call_recording.h"

#include <string>
#include <vector>

namespace rampart::server {
namespace json = boost::json;

namespace {

bool SameResources(const std::vector<store::AuditResource>& a,
                   const std::vector<store::AuditResource>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].type != b[i].type || a[i].name != b[i].name) return false;
  }
  return true;
}

}  // namespace

void CallRecording::Prepare(const json::object* response) {
  RecordArena arena;
  prepared_ = recorder_.Prepare(
      audit::BuildApiCallRecord(facts_, audit::Outcome{response, nullptr}, arena.storage()),
      audit::ResourcesOf(facts_, response));
  // Respond bumps the generation from 0, so a record built with a response has one above 0.
  prepared_generation_ = call_->response_generation();
}

void CallRecording::Attach(services::CallContext& call) {
  call_ = &call;
  call.OnBeforeWrite([this] {
    if (call_->committed_writes() > 0) return;  // an earlier write committed the record
    const json::object* response = call_->response();
    if (!prepared_ || prepared_generation_ != call_->response_generation()) Prepare(response);
  });
  call.OnWrite([this](store::WriteTransaction& tx) -> Result<void> {
    if (call_->committed_writes() > 0) return Ok();
    // A response declared inside the write's own work is built into the record here, on the
    // store's writer thread (handlers declare it before their write when they can).
    if (!prepared_ || prepared_generation_ != call_->response_generation()) {
      Prepare(call_->response());
    }
    // Open from before its commit, so that log delivery never ships the record before its
    // final form is known (a record only ever submitted is final when first committed).
    if (!appended_) recorder_.Begin(std::string(facts_.event_id));
    appended_ = true;
    Result<std::int64_t> sequence = recorder_.Append(tx, *prepared_);
    if (!sequence) return Fail(sequence.error());
    sequence_ = *sequence;
    return Ok();
  });
}

void CallRecording::Finish(const Error& error) {
  RecordArena arena;
  json::object record =
      audit::BuildApiCallRecord(facts_, audit::Outcome{nullptr, &error}, arena.storage());
  if (appended_) {
    // Replaces the record if a write committed it, else appends this one.
    recorder_.Complete(record, audit::ResourcesOf(facts_, nullptr), sequence_);
  } else {
    recorder_.Submit(record, audit::ResourcesOf(facts_, nullptr));
  }
}

void CallRecording::Finish(const Result<json::object>& outcome) {
  if (!outcome) return Finish(outcome.error());
  const json::object& output = *outcome;
  RecordArena arena;
  if (!appended_) {
    recorder_.Submit(
        audit::BuildApiCallRecord(facts_, audit::Outcome{&output, nullptr}, arena.storage()),
        audit::ResourcesOf(facts_, &output));
    return;
  }
  if (call_->committed_writes() > 0) {
    // The committed record is final when it holds exactly this response (declared before
    // the write) or when the call has no response elements and no other resources.
    const json::object* declared = call_->response();
    if (prepared_generation_ > 0 && prepared_generation_ == call_->response_generation() &&
        declared != nullptr && *declared == output) {
      recorder_.End(std::string(facts_.event_id));
      return;
    }
    if (prepared_generation_ == 0 && audit::ResponseElements(facts_, &output).is_null() &&
        SameResources(audit::ResourcesOf(facts_, &output), prepared_->row.resources)) {
      recorder_.End(std::string(facts_.event_id));
      return;
    }
  }
  recorder_.Complete(
      audit::BuildApiCallRecord(facts_, audit::Outcome{&output, nullptr}, arena.storage()),
      audit::ResourcesOf(facts_, &output), sequence_);
}

}  // namespace rampart::server
