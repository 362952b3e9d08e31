#include "server/dispatcher.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/ids.h"
#include "common/strings.h"
#include "server/call_recording.h"
#include "services/iam/key_usage.h"
#include "services/sts/sts.h"

namespace rampart::server {
namespace {

HttpResponse Healthz(const HttpRequest& request) {
  HttpResponse response;
  response.status = 200;
  response.SetHeader("Content-Type", "text/plain; charset=utf-8");
  response.SetHeader("Cache-Control", "no-store");
  if (request.method != "HEAD") response.body = "ok\n";
  return response;
}

// The value of `name` in an application/x-www-form-urlencoded text, undecoded; only used
// to guess a model for an error shape, so no decoding is needed.
std::string_view RawFormValue(std::string_view form, std::string_view name) {
  for (std::string_view pair : Split(form, '&')) {
    std::size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
  }
  return {};
}

}  // namespace

Error ForProtocol(const protocol::ServiceModel& service, Error error) {
  if (service.kind() == protocol::Kind::kQuery) return error;
  // JSON and REST-JSON services answer authentication failures with these codes
  // (AWS common errors for JSON services; the SDKs map them by these names).
  static const std::pair<const char*, const char*> kJsonNames[] = {
      {"InvalidClientTokenId", "UnrecognizedClientException"},
      {"SignatureDoesNotMatch", "InvalidSignatureException"},
      {"IncompleteSignature", "IncompleteSignatureException"},
      {"MissingAuthenticationToken", "MissingAuthenticationTokenException"},
      {"ExpiredToken", "ExpiredTokenException"},
  };
  for (const auto& [query_name, json_name] : kJsonNames) {
    if (error.code == query_name) {
      error.code = json_name;
      break;
    }
  }
  return error;
}

Dispatcher::Dispatcher(const protocol::ModelRegistry& models, const auth::SigV4Verifier& verifier,
                       const authz::Authorizer& authorizer,
                       const services::HandlerRegistry& handlers, const services::Environment& env,
                       audit::Recorder* recorder)
    : models_(models),
      verifier_(verifier),
      authorizer_(authorizer),
      handlers_(handlers),
      env_(env),
      recorder_(recorder) {}

std::string Dispatcher::AccountAlias(const std::string& account_id) const {
  // Account changes (the alias among them) raise the store's policy version, which empties
  // the cache.
  const std::uint64_t version = env_.store->PolicyVersion();
  {
    std::lock_guard lock(alias_mutex_);
    if (alias_version_ == version) {
      auto it = aliases_.find(account_id);
      if (it != aliases_.end()) return it->second;
    }
  }
  std::string alias;
  Result<void> read = env_.store->Read([&](const store::ReadTransaction& tx) -> Result<void> {
    if (auto account = tx.Accounts().Get(account_id)) alias = account->alias;
    return Ok();
  });
  if (!read) return alias;
  std::lock_guard lock(alias_mutex_);
  if (alias_version_ != version) {
    aliases_.clear();
    alias_version_ = version;
  }
  if (aliases_.size() >= 10'000) aliases_.clear();
  aliases_[account_id] = alias;
  return alias;
}

const protocol::ServiceModel* Dispatcher::GuessModel(const HttpRequest& request) const {
  if (auto target = request.Header("X-Amz-Target")) {
    std::string_view prefix = target->substr(0, target->find('.'));
    for (const auto& model : models_.services()) {
      if (!model->target_prefix().empty() && model->target_prefix() == prefix) return model.get();
    }
  }
  std::string_view version = RawFormValue(request.Query(), "Version");
  if (version.empty()) version = RawFormValue(request.body, "Version");
  for (const auto& model : models_.services()) {
    if (model->kind() == protocol::Kind::kQuery && model->api_version() == version) {
      return model.get();
    }
  }
  return models_.Find("sts");
}

HttpResponse Dispatcher::Handle(const HttpRequest& request) const {
  std::string_view path = request.Path();
  if (path == "/healthz" && (request.method == "GET" || request.method == "HEAD")) {
    return Healthz(request);
  }
  const std::string request_id = ids::NewRequestId();

  // 1. The credential scope names the service.
  Result<std::optional<auth::SigV4Scope>> scope = auth::ParseScope(request);
  if (!scope) {
    const protocol::ServiceModel* model = GuessModel(request);
    return protocol::EncodeError(model, model ? ForProtocol(*model, scope.error()) : scope.error(),
                                 request_id);
  }
  if (!scope->has_value()) {
    const protocol::ServiceModel* model = GuessModel(request);
    Error error = auth::MissingAuthenticationTokenError();
    return protocol::EncodeError(model, model ? ForProtocol(*model, error) : error, request_id);
  }
  const protocol::ServiceModel* model = models_.Find((*scope)->service);
  if (model == nullptr) {
    return protocol::EncodeError(
        GuessModel(request),
        Error("InvalidClientTokenId",
              fmt::format("Credential should be scoped to correct service. rampart does not "
                          "serve `{}`.",
                          (*scope)->service),
              403),
        request_id);
  }

  // 2. Route and decode; a decoding failure is reported only after authentication.
  Result<protocol::RoutedRequest> routed = protocol::Route(*model, request);
  if (!routed) return protocol::EncodeError(model, routed.error(), request_id);
  const protocol::Operation& operation = *routed->operation;
  Result<boost::json::object> input = protocol::DecodeInput(*model, operation, request);

  // 3. Authenticate.
  Result<auth::CallerIdentity> identity = verifier_.Verify(request);
  if (!identity) {
    return protocol::EncodeError(model, ForProtocol(*model, identity.error()), request_id);
  }
  // From here on the caller is known: every outcome is recorded (CloudTrail records
  // denied and failed calls too).
  const Principal& caller = identity->principal;
  const TimePoint now = env_.clock->Now();
  if (env_.store != nullptr) {
    // GetAccessKeyLastUsed: the key's last use, service and region (written at most once a
    // minute per key). A failure to record it never fails the request.
    Result<bool> used = services::iam::RecordAccessKeyUse(
        *env_.store, caller, model->signing_name(), identity->scope.region, now);
    if (!used) spdlog::warn("cannot record access key use: {}", used.error().message);
  }
  const std::string event_id = recorder_ != nullptr ? audit::NewEventId() : std::string();
  std::string alias;
  if (recorder_ != nullptr && caller.type == PrincipalType::kRoot && env_.store != nullptr) {
    // CloudTrail names a root caller by the account alias when there is one.
    alias = AccountAlias(caller.account_id);
  }
  audit::ApiCall facts;
  facts.caller = &caller;
  facts.account_alias = alias;
  facts.service = model->signing_name();
  facts.operation = operation.name;
  facts.region = identity->scope.region;
  facts.source_ip = request.remote_ip;
  facts.user_agent = request.Header("User-Agent").value_or("");
  facts.request_id = request_id;
  facts.event_id = event_id;
  facts.time = now;
  facts.model = model;
  facts.op = &operation;
  facts.input = input ? &*input : nullptr;
  std::optional<CallRecording> recording;
  if (recorder_ != nullptr) recording.emplace(*recorder_, facts);
  auto fail = [&](const Error& error) -> HttpResponse {
    if (recording) recording->Finish(error);
    return protocol::EncodeError(model, error, request_id);
  };
  // 4. Find the handler; operations of the model that rampart does not implement yet
  // answer NotImplemented (501) in the service's protocol.
  const services::OperationSpec* spec = handlers_.Find(model->signing_name(), operation.name);
  if (!input) {
    if (spec != nullptr && spec->input_error) return fail(spec->input_error(input.error()));
    return fail(input.error());
  }
  if (spec == nullptr) return fail(protocol::NotImplemented(*model, operation));

  // Temporary credentials reach only what AWS lets them: GetSessionToken credentials without
  // MFA cannot call IAM, and call no STS operation but AssumeRole and GetCallerIdentity.
  if (Result<void> scoped = services::sts::CheckTemporaryCredentialScope(
          caller, model->signing_name(), operation.name);
      !scoped) {
    return fail(ForProtocol(*model, scoped.error()));
  }

  // 5. Authorize: action, resource ARNs and condition keys of the operation, every
  // applicable policy. The root user passes in its own account (the engine decides).
  services::CallContext call(env_, caller);
  call.service = model->signing_name();
  call.operation = operation.name;
  call.request_id = request_id;
  call.region = identity->scope.region;
  call.source_ip = request.remote_ip;
  call.user_agent = facts.user_agent;
  call.secure_transport = request.secure;
  call.now = now;
  if (spec->requires_authorization) {
    authz::AuthzTarget target;
    if (spec->target) {
      Result<authz::AuthzTarget> computed = spec->target(call, *input);
      if (!computed) return fail(computed.error());
      target = std::move(*computed);
    } else {
      target.action = fmt::format("{}:{}", model->signing_name(), operation.name);
      target.resources = {"*"};
    }
    authz::RequestFacts request_facts{.now = call.now,
                                      .source_ip = std::string(call.source_ip),
                                      .secure_transport = call.secure_transport,
                                      .region = std::string(call.region),
                                      .user_agent = std::string(call.user_agent)};
    authz::AuthzResult decided;
    Result<void> allowed = authorizer_.Authorize(caller, target, request_facts,
                                                 encode_denials_ ? &decided : nullptr);
    if (!allowed) {
      Error denied = allowed.error();
      if (encode_denials_ && denied.http_status == 403 && !decided.decision.allowed()) {
        // The details of the (first) resource denied.
        if (Result<std::string> encoded = services::sts::EncodeDenial(
                env_, caller, target, request_facts, decided.denied_resource)) {
          denied.message += " Encoded authorization failure message: " + *encoded;
        }
      }
      return fail(denied);
    }
  }

  // 6. Run the handler. Its writes carry the event (CallRecording): appended in the same
  // transaction, prepared beforehand so that the store's writer thread only inserts rows.
  if (recording) recording->Attach(call);
  Result<boost::json::object> output = spec->handler(call, *input);
  if (recording) recording->Finish(output);
  if (!output) return protocol::EncodeError(model, output.error(), request_id);
  return protocol::EncodeOutput(*model, operation, *output, request_id);
}

}  // namespace rampart::server
