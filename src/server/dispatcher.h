// The request pipeline of DESIGN.md §2, and the only code that knows its whole order:
// route and decode (protocol/), authenticate (auth/), authorize, run the handler
// (services/), encode. Every answer — success or failure, before or after routing — is in
// the wire shape of the service the request addressed, with an x-amzn-RequestId.
// Thread-safe: holds references to immutable or thread-safe collaborators, and a cache of
// account aliases under its own mutex.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "audit/audit.h"
#include "auth/sigv4/verifier.h"
#include "authz/authz.h"
#include "common/clock.h"
#include "common/http.h"
#include "protocol/protocol.h"
#include "services/service.h"

namespace rampart::server {

class Dispatcher {
 public:
  Dispatcher(const protocol::ModelRegistry& models, const auth::SigV4Verifier& verifier,
             const authz::Authorizer& authorizer, const services::HandlerRegistry& handlers,
             const services::Environment& env, audit::Recorder* recorder = nullptr);

  // Every call whose caller was authenticated leaves exactly one CloudTrail record (when a
  // recorder is given): in the handler's transaction when the handler writes (so a
  // rolled-back change has no event), queued on the recorder otherwise (reads, denials,
  // failures, including input validation errors and NotImplemented).
  HttpResponse Handle(const HttpRequest& request) const;

  // Opt-in (setting `encode_authorization_messages`): an authorization denial's message ends
  // with " Encoded authorization failure message: <message>", which callers allowed
  // sts:DecodeAuthorizationMessage can read (as EC2 does). Off by default, so that denial
  // texts stay exactly AWS's IAM and STS texts.
  void set_encode_authorization_messages(bool on) { encode_denials_ = on; }

 private:
  // The model an unauthenticated or unroutable request most likely addressed, for the shape
  // of its error: X-Amz-Target's prefix, else the query `Version`, else STS.
  const protocol::ServiceModel* GuessModel(const HttpRequest& request) const;
  // The account's alias ("" for none), cached until the store's policy version moves.
  std::string AccountAlias(const std::string& account_id) const;

  const protocol::ModelRegistry& models_;
  const auth::SigV4Verifier& verifier_;
  const authz::Authorizer& authorizer_;
  const services::HandlerRegistry& handlers_;
  const services::Environment& env_;
  audit::Recorder* recorder_;
  bool encode_denials_ = false;
  mutable std::mutex alias_mutex_;
  mutable std::uint64_t alias_version_ = 0;
  mutable std::unordered_map<std::string, std::string> aliases_;
};

// Authentication errors are spelled the query way (IAM/STS) by auth/; JSON-protocol
// services spell them with their own names (UnrecognizedClientException, ...).
Error ForProtocol(const protocol::ServiceModel& service, Error error);

}  // namespace rampart::server
