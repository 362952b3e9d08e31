// The service-handler layer: each AWS operation is a function from a decoded, validated
// input tree (the model's member names as keys, see protocol/) to an output tree or an
// AWS error. Handlers never see HTTP, XML or JSON text, and never call the store's Write
// directly: they go through CallContext::Write, which runs their change and the call's
// audit record in one transaction.
//
// A HandlerRegistry is filled once at start-up and then only read: thread-safe for reads.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

#include "authz/authz.h"
#include "common/clock.h"
#include "common/principal.h"
#include "common/result.h"
#include "store/store.h"

namespace rampart::services {

// Server-wide collaborators every handler may use. Owned by the server; outlive every call.
struct Environment {
  store::Store* store = nullptr;
  const authz::PolicySource* policies = nullptr;
  const Clock* clock = nullptr;
  std::string page_token_key;  // HMAC key for Marker / NextToken values (>= 32 bytes)
};

// What a handler knows of the call besides its input. Borrowed for the call only.
class CallContext {
 public:
  CallContext(const Environment& env, const Principal& caller) : env_(env), caller_(caller) {}

  const Principal& caller() const { return caller_; }
  const Environment& env() const { return env_; }

  std::string_view service;    // SigV4 signing name: "iam", "sts", ...
  std::string_view operation;  // model operation name: "CreateUser"
  std::string_view request_id;
  std::string_view region;     // from the credential scope
  std::string_view source_ip;
  std::string_view user_agent;
  bool secure_transport = false;
  TimePoint now{};

  // Runs `work` in one durable write transaction, followed in the same transaction by every
  // hook added with OnWrite (the call's audit record). All or nothing. The hooks added with
  // OnBeforeWrite run first, on the calling thread.
  Result<void> Write(const store::WriteWork& work);
  Result<void> Read(const store::ReadWork& work) const;

  // Declares the call's output when the handler knows it before (or inside) its Write: the
  // audit record is then written complete, response included, in the write's own
  // transaction, instead of being completed by a second write afterwards. The handler must
  // return an equal object (the dispatcher checks, and completes the record if not).
  void Respond(boost::json::object output) {
    response_ = std::move(output);
    ++response_generation_;
  }
  // The declared output; null until Respond.
  const boost::json::object* response() const {
    return response_ ? &*response_ : nullptr;
  }
  // How many times Respond was called.
  int response_generation() const { return response_generation_; }
  // Writes of this call that committed so far.
  int committed_writes() const { return committed_writes_; }

  // Adds work to run inside the transaction of every later Write (the dispatcher uses it for
  // the audit record).
  void OnWrite(store::WriteWork hook) { write_hooks_.push_back(std::move(hook)); }
  // Adds work to run on the calling thread before every later Write starts (the dispatcher
  // prepares the audit record there, so that the store's writer thread only inserts it).
  void OnBeforeWrite(std::function<void()> hook) { before_write_.push_back(std::move(hook)); }

 private:
  const Environment& env_;
  const Principal& caller_;
  std::vector<store::WriteWork> write_hooks_;
  std::vector<std::function<void()>> before_write_;
  std::optional<boost::json::object> response_;
  int response_generation_ = 0;
  int committed_writes_ = 0;
};

using Handler =
    std::function<Result<boost::json::object>(CallContext&, const boost::json::object& input)>;

// What the operation must be allowed to do, computed from its input before the handler
// runs. May read the store (for aws:ResourceTag/* of the target).
using TargetFn =
    std::function<Result<authz::AuthzTarget>(CallContext&, const boost::json::object& input)>;

struct OperationSpec {
  Handler handler;
  // False only for the operations AWS lets every authenticated caller perform whatever the
  // policies say (sts:GetCallerIdentity), and for those that authorize inside the handler.
  bool requires_authorization = true;
  // Null: action "<service>:<Operation>" on resource "*".
  TargetFn target;
  // Null: an input that breaks the model's constraints is answered with the protocol's
  // validation error. Operations whose service documents its own exceptions for bad input
  // (CloudTrail LookupEvents: InvalidMaxResultsException, ...) map that error here.
  std::function<Error(const Error& validation)> input_error;
};

class HandlerRegistry {
 public:
  void Add(std::string service, std::string operation, OperationSpec spec);
  // nullptr when the operation is not implemented (it may still be in the model).
  const OperationSpec* Find(std::string_view service, std::string_view operation) const;
  // (service, operation) pairs that are implemented, sorted.
  std::vector<std::pair<std::string, std::string>> Implemented() const;

 private:
  std::map<std::pair<std::string, std::string>, OperationSpec, std::less<>> operations_;
};

}  // namespace rampart::services
