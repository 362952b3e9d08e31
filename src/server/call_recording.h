// The audit record of one API call, from the moment its caller is known: the dispatcher's
// part of issue 6's "an event is written in the same store transaction as the change it
// records". Shared by the dispatcher and the audit benchmark, so that what is measured is
// what runs.
//
// A call that writes nothing (a read, a denial, a failure before any write) is recorded once,
// queued to the Recorder's thread. A call that writes gets its record appended in its own
// write transaction (hooks on the CallContext): prepared on the calling thread just before
// the write, complete with the response when the handler declared it (CallContext::Respond),
// so that nothing is left to write afterwards. Otherwise (or when the handler returns
// something else than it declared) the committed record is completed once the handler
// returns, by the Recorder's thread.
//
// Not thread-safe: one CallRecording per call, used by the call's thread (the write hooks run
// on the store's writer thread while that thread waits in Write).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/storage_ptr.hpp>

#include "audit/audit.h"
#include "common/result.h"
#include "services/service.h"

namespace rampart::server {

// Where a record's tree is built: it lives only while its row and alerts are made from it,
// so its nodes come from a stack buffer instead of one heap allocation each. A CreateUser
// record's tree takes 2.5 KiB (an IAM user's call) to 4 KiB (a role session's); a larger one
// continues on the heap.
class RecordArena {
 public:
  RecordArena() : resource_(buffer_, sizeof(buffer_)) {}
  RecordArena(const RecordArena&) = delete;
  RecordArena& operator=(const RecordArena&) = delete;
  boost::json::storage_ptr storage() { return boost::json::storage_ptr(&resource_); }

 private:
  alignas(std::max_align_t) unsigned char buffer_[8192];
  boost::json::monotonic_resource resource_;
};

class CallRecording {
 public:
  // `recorder` and `facts` (and what it points to) must outlive this object.
  CallRecording(audit::Recorder& recorder, const audit::ApiCall& facts)
      : recorder_(recorder), facts_(facts) {}
  CallRecording(const CallRecording&) = delete;
  CallRecording& operator=(const CallRecording&) = delete;

  // Adds the hooks that write the record in `call`'s write transactions. `call` must
  // outlive this object's use.
  void Attach(services::CallContext& call);

  // Records how the call ended: `outcome` is the handler's answer, or the error that stopped
  // the call before its handler (then Attach need not have been called).
  void Finish(const Result<boost::json::object>& outcome);
  void Finish(const Error& error);

 private:
  // Builds the prepared record for the call's outcome so far (the declared response, if any).
  void Prepare(const boost::json::object* response);

  audit::Recorder& recorder_;
  const audit::ApiCall& facts_;
  services::CallContext* call_ = nullptr;
  std::optional<audit::Recorder::Prepared> prepared_;
  // The CallContext's response generation `prepared_` was built from (0: without response).
  int prepared_generation_ = 0;
  bool appended_ = false;       // a write transaction carried the record (committed or not)
  std::int64_t sequence_ = 0;   // its sequence number in the last such transaction
};

}  // namespace rampart::server
