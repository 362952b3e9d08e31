// CloudTrail records (event version 1.11) built from what the dispatcher knows of a call, and
// the store row LookupEvents filters on. Included through audit/audit.h.
//
// Sources: CloudTrail record contents
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html),
// userIdentity element (…-event-reference-user-identity.html), console sign-in events
// (…-aws-console-sign-in-events.html); AWS-BEHAVIOUR.md §2(g).
//
// Pure functions over their arguments and the immutable models; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

#include "common/clock.h"
#include "common/principal.h"
#include "common/result.h"
#include "protocol/protocol.h"
#include "store/store.h"

namespace rampart::audit {

// What CloudTrail prints in place of a secret request parameter.
inline constexpr std::string_view kHidden = "HIDDEN_DUE_TO_SECURITY_REASONS";

// The facts of one API call, borrowed for the duration of a Build call.
struct ApiCall {
  const Principal* caller = nullptr;  // required
  std::string_view account_alias;     // "" when the account has none (root userName)
  std::string_view service;           // SigV4 signing name: "iam", "sts", ...
  std::string_view operation;         // "CreateUser"
  std::string_view region;            // credential-scope region ("" = us-east-1)
  std::string_view source_ip;
  std::string_view user_agent;
  std::string_view request_id;
  std::string_view event_id;          // a fresh UUID per call (NewEventId)
  TimePoint time{};
  const protocol::ServiceModel* model = nullptr;    // for redaction and error-shape names
  const protocol::Operation* op = nullptr;          // may be null (unknown operation)
  const boost::json::object* input = nullptr;       // decoded input tree; null = none
};

// How the call ended. Both null: succeeded without output yet known (the record written in
// the handler's own transaction, completed later with Complete()).
struct Outcome {
  const boost::json::object* output = nullptr;  // success: the handler's output tree
  const Error* error = nullptr;                 // failure or denial
};

// A UUID (CloudTrail's eventID form), version 7: time-ordered, 74 random bits.
std::string NewEventId();

// "iam.amazonaws.com" for "iam", ...
std::string EventSource(std::string_view service);
// The region CloudTrail records: us-east-1 for IAM, Organizations and other global services,
// else `region` (us-east-1 when empty).
std::string RecordRegion(std::string_view service, std::string_view region);
// Whether CloudTrail marks the action read-only: its access level in the Service
// Authorization Reference is Read or List (fallback for unknown actions: Get*, List*,
// Describe*, Lookup*).
bool IsReadOnly(std::string_view service, std::string_view operation);
// Model member name to CloudTrail's form: the first character lower-cased ("UserName" ->
// "userName", "SAMLMetadataDocument" -> "sAMLMetadataDocument", as CloudTrail prints them).
std::string CamelCase(std::string_view member_name);

// The `userIdentity` element for `caller` (Root with userName = alias when set, IAMUser,
// AssumedRole with sessionContext.sessionIssuer, FederatedUser; sessionContext.attributes
// for temporary credentials).
boost::json::object UserIdentity(const Principal& caller, std::string_view account_alias,
                                 boost::json::storage_ptr sp = {});

// The input tree in CloudTrail's requestParameters form: camelCase member names, blobs in
// base64, and secrets (model `sensitive` shapes and the well-known secret members) replaced
// by kHidden. Null when the operation takes no input.
boost::json::value RequestParameters(const ApiCall& call, boost::json::storage_ptr sp = {});
// The output tree in responseElements form: camelCase, secrets (secretAccessKey,
// sessionToken, seeds, ...) omitted as CloudTrail omits them. Null for read-only calls and
// calls without output.
boost::json::value ResponseElements(const ApiCall& call, const boost::json::object* output,
                                    boost::json::storage_ptr sp = {});

// The complete record of an API call (eventType AwsApiCall). Every node of the tree is
// allocated from `sp` (a caller building one record per call can pass an arena).
boost::json::object BuildApiCallRecord(const ApiCall& call, const Outcome& outcome,
                                       boost::json::storage_ptr sp = {});

// The resources LookupEvents lists for the call (AWS::IAM::User for a UserName, ...),
// derived from the input and output trees.
std::vector<store::AuditResource> ResourcesOf(const ApiCall& call,
                                              const boost::json::object* output);

// A console sign-in attempt (eventSource signin.amazonaws.com, eventName ConsoleLogin,
// eventType AwsConsoleSignIn), recorded in us-east-1.
struct ConsoleLogin {
  const Principal* principal = nullptr;  // who tried (for a failure: the claimed identity)
  std::string_view account_alias;
  bool success = false;
  bool mfa_used = false;
  std::string_view login_to;  // the console URL signed in to
  std::string_view source_ip;
  std::string_view user_agent;
  std::string_view event_id;
  TimePoint time{};
};
boost::json::object BuildConsoleLoginRecord(const ConsoleLogin& login);

// The store row of a record: the filter attributes are read from the record itself
// (Username: root -> "root", IAM user -> its name, role session -> the session name).
store::AuditEventRow ToRow(const boost::json::object& record,
                           std::vector<store::AuditResource> resources);

}  // namespace rampart::audit
