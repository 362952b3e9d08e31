#include "server/dispatcher.h"

#include <fmt/format.h>

#include "common/ids.h"
#include "common/strings.h"

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
                       const services::HandlerRegistry& handlers, const services::Environment& env)
    : models_(models),
      verifier_(verifier),
      authorizer_(authorizer),
      handlers_(handlers),
      env_(env) {}

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
  if (!input) return protocol::EncodeError(model, input.error(), request_id);

  // 4. Find the handler; operations of the model that rampart does not implement yet
  // answer NotImplemented (501) in the service's protocol.
  const services::OperationSpec* spec = handlers_.Find(model->signing_name(), operation.name);
  if (spec == nullptr) {
    return protocol::EncodeError(model, protocol::NotImplemented(*model, operation), request_id);
  }

  // 5. Authorize: action, resource ARNs and condition keys of the operation, every
  // applicable policy. The root user passes in its own account (the engine decides).
  services::CallContext call(env_, identity->principal);
  call.service = model->signing_name();
  call.operation = operation.name;
  call.request_id = request_id;
  call.region = identity->scope.region;
  call.source_ip = request.remote_ip;
  call.user_agent = request.Header("User-Agent").value_or("");
  call.secure_transport = request.secure;
  call.now = env_.clock->Now();
  if (spec->requires_authorization) {
    authz::AuthzTarget target;
    if (spec->target) {
      Result<authz::AuthzTarget> computed = spec->target(call, *input);
      if (!computed) return protocol::EncodeError(model, computed.error(), request_id);
      target = std::move(*computed);
    } else {
      target.action = fmt::format("{}:{}", model->signing_name(), operation.name);
      target.resources = {"*"};
    }
    authz::RequestFacts facts{.now = call.now,
                              .source_ip = std::string(call.source_ip),
                              .secure_transport = call.secure_transport,
                              .region = std::string(call.region),
                              .user_agent = std::string(call.user_agent)};
    Result<void> allowed = authorizer_.Authorize(identity->principal, target, facts);
    if (!allowed) return protocol::EncodeError(model, allowed.error(), request_id);
  }

  // 6. Run the handler.
  Result<boost::json::object> output = spec->handler(call, *input);
  if (!output) return protocol::EncodeError(model, output.error(), request_id);
  return protocol::EncodeOutput(*model, operation, *output, request_id);
}

}  // namespace rampart::server
