#include "audit/record.h"

#include <array>
#include <chrono>
#include <cstdint>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "common/crypto.h"
#include "common/strings.h"
#include "policy/catalog.h"

namespace rampart::audit {
namespace json = boost::json;

namespace {

const policy::ServiceCatalog* Catalog() {
  // Parsed once, on first use (C++ static initialisation is thread-safe).
  static const Result<policy::ServiceCatalog> catalog =
      policy::ServiceCatalog::Parse(policy::EmbeddedServiceCatalogJson());
  return catalog ? &*catalog : nullptr;
}

// Members that hold secrets whether or not the model marks their shape `sensitive`
// (CloudTrail never prints passwords, MFA codes, seeds, secret keys or session tokens).
bool IsSecretMember(std::string_view camel_name) {
  static constexpr std::array<std::string_view, 14> kSecrets = {
      "password",          "oldPassword",        "newPassword",
      "tokenCode",         "authenticationCode1", "authenticationCode2",
      "base32StringSeed",  "qRCodePNG",          "secretAccessKey",
      "sessionToken",      "privateKey",         "sAMLAssertion",
      "webIdentityToken",  "otp"};
  for (std::string_view secret : kSecrets) {
    if (camel_name == secret) return true;
  }
  return false;
}

enum class Mode { kRequest, kResponse };

json::value Convert(const json::value& value, const protocol::Shape* shape, Mode mode,
                    const json::storage_ptr& sp);

json::value ConvertObject(const json::object& object, const protocol::Shape* shape, Mode mode,
                          const json::storage_ptr& sp) {
  json::object out(sp);
  out.reserve(object.size());
  for (const auto& [key, value] : object) {
    const protocol::Shape* member_shape = nullptr;
    if (shape != nullptr && shape->type == protocol::ShapeType::kStructure) {
      if (const protocol::Member* member = shape->FindMember(key)) member_shape = member->shape;
    } else if (shape != nullptr && shape->type == protocol::ShapeType::kMap &&
               shape->map_value) {
      // Map keys are data, not member names: keep them as given.
      out[key] = Convert(value, shape->map_value->shape, mode, sp);
      continue;
    }
    std::string name = CamelCase(key);
    const bool secret = IsSecretMember(name) || (member_shape != nullptr && member_shape->sensitive);
    if (secret) {
      // Request parameters keep the member with CloudTrail's placeholder; response elements
      // leave it out (CreateAccessKey's secretAccessKey is absent from CloudTrail records).
      if (mode == Mode::kRequest) out[name] = kHidden;
      continue;
    }
    out[name] = Convert(value, member_shape, mode, sp);
  }
  return out;
}

json::value Convert(const json::value& value, const protocol::Shape* shape, Mode mode,
                    const json::storage_ptr& sp) {
  switch (value.kind()) {
    case json::kind::object:
      return ConvertObject(value.get_object(), shape, mode, sp);
    case json::kind::array: {
      const protocol::Shape* element =
          shape != nullptr && shape->list_member ? shape->list_member->shape : nullptr;
      json::array out(sp);
      out.reserve(value.get_array().size());
      for (const json::value& item : value.get_array()) {
        out.push_back(Convert(item, element, mode, sp));
      }
      return out;
    }
    case json::kind::string:
      if (shape != nullptr && shape->type == protocol::ShapeType::kBlob) {
        return json::string(crypto::Base64Encode(value.get_string()), sp);
      }
      return json::value(value, sp);
    default:
      return json::value(value, sp);
  }
}

std::string LastSegment(std::string_view arn) {
  std::size_t slash = arn.rfind('/');
  return std::string(slash == std::string_view::npos ? arn : arn.substr(slash + 1));
}

const json::value* Find(const json::object& object, std::string_view key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &it->value();
}

std::string StringAt(const json::object& object, std::string_view key) {
  const json::value* value = Find(object, key);
  return value != nullptr && value->is_string() ? std::string(value->get_string()) : "";
}

}  // namespace

std::string NewEventId() {
  // RFC 9562 version 7: 48 bits of Unix milliseconds, then 74 random bits. Ids made later sort
  // later, so the store's event-id index grows at its end instead of touching a random page
  // of a large index on every insert.
  std::string bytes = crypto::RandomBytes(16);
  const auto ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
  for (int i = 0; i < 6; ++i) bytes[i] = static_cast<char>((ms >> (8 * (5 - i))) & 0xff);
  bytes[6] = static_cast<char>((bytes[6] & 0x0f) | 0x70);  // version 7
  bytes[8] = static_cast<char>((bytes[8] & 0x3f) | 0x80);  // RFC 9562 variant
  std::string hex = crypto::HexEncode(bytes);
  return fmt::format("{}-{}-{}-{}-{}", hex.substr(0, 8), hex.substr(8, 4), hex.substr(12, 4),
                     hex.substr(16, 4), hex.substr(20));
}

std::string EventSource(std::string_view service) {
  return fmt::format("{}.amazonaws.com", service);
}

std::string RecordRegion(std::string_view service, std::string_view region) {
  // IAM, Organizations, Account and Support are global: CloudTrail records them in
  // us-east-1 (CloudTrail user guide, "Global service events").
  if (service == "iam" || service == "organizations" || service == "account" ||
      service == "support" || service == "signin" || region.empty()) {
    return "us-east-1";
  }
  return std::string(region);
}

bool IsReadOnly(std::string_view service, std::string_view operation) {
  if (const policy::ServiceCatalog* catalog = Catalog()) {
    if (const auto* action = catalog->FindAction(service, operation)) {
      return action->access_level == "Read" || action->access_level == "List";
    }
  }
  return StartsWith(operation, "Get") || StartsWith(operation, "List") ||
         StartsWith(operation, "Describe") || StartsWith(operation, "Lookup");
}

std::string CamelCase(std::string_view member_name) {
  std::string out(member_name);
  if (!out.empty() && out[0] >= 'A' && out[0] <= 'Z') out[0] = static_cast<char>(out[0] - 'A' + 'a');
  return out;
}

json::object UserIdentity(const Principal& caller, std::string_view account_alias,
                          json::storage_ptr sp) {
  json::object identity(sp);
  identity.reserve(8);
  identity["type"] = PrincipalTypeName(caller.type);
  identity["principalId"] = caller.principal_id;
  identity["arn"] = caller.arn;
  identity["accountId"] = caller.account_id;
  identity["accessKeyId"] = caller.access_key_id;
  switch (caller.type) {
    case PrincipalType::kRoot:
      // "If the userIdentity type is Root and you set an alias for your account, the
      // userName field contains your account alias." (userIdentity element reference)
      if (!account_alias.empty()) identity["userName"] = account_alias;
      break;
    case PrincipalType::kIAMUser:
      identity["userName"] = caller.name;
      break;
    default:
      break;
  }
  if (caller.temporary) {
    json::object session(sp);
    if (caller.type == PrincipalType::kAssumedRole ||
        caller.type == PrincipalType::kFederatedUser) {
      json::object issuer(sp);
      issuer["type"] = caller.type == PrincipalType::kAssumedRole ? "Role" : "IAMUser";
      issuer["principalId"] = caller.issuer_principal_id;
      issuer["arn"] = caller.issuer_arn;
      issuer["accountId"] = caller.account_id;
      issuer["userName"] = LastSegment(caller.issuer_arn);
      session["sessionIssuer"] = std::move(issuer);
    }
    json::object attributes(sp);
    if (caller.session_issued) attributes["creationDate"] = FormatIso8601(*caller.session_issued);
    attributes["mfaAuthenticated"] = caller.mfa_authenticated.value_or(false) ? "true" : "false";
    session["attributes"] = std::move(attributes);
    if (!caller.source_identity.empty()) session["sourceIdentity"] = caller.source_identity;
    identity["sessionContext"] = std::move(session);
  }
  return identity;
}

json::value RequestParameters(const ApiCall& call, json::storage_ptr sp) {
  if (call.input == nullptr) return json::value(nullptr, sp);
  const protocol::Shape* shape = call.op != nullptr ? call.op->input : nullptr;
  if (call.input->empty()) return json::value(nullptr, sp);
  return ConvertObject(*call.input, shape, Mode::kRequest, sp);
}

namespace {

json::value ResponseElementsOf(const ApiCall& call, const json::object* output, bool read_only,
                               const json::storage_ptr& sp) {
  if (output == nullptr || output->empty() || read_only) return json::value(nullptr, sp);
  const protocol::Shape* shape = call.op != nullptr ? call.op->output : nullptr;
  return ConvertObject(*output, shape, Mode::kResponse, sp);
}

}  // namespace

json::value ResponseElements(const ApiCall& call, const json::object* output,
                             json::storage_ptr sp) {
  if (output == nullptr || output->empty()) return json::value(nullptr, sp);
  return ResponseElementsOf(call, output, IsReadOnly(call.service, call.operation), sp);
}

json::object BuildApiCallRecord(const ApiCall& call, const Outcome& outcome,
                                json::storage_ptr sp) {
  const bool read_only = IsReadOnly(call.service, call.operation);
  json::object record(sp);
  record.reserve(24);
  record["eventVersion"] = "1.11";
  record["userIdentity"] = UserIdentity(*call.caller, call.account_alias, sp);
  record["eventTime"] = FormatIso8601(call.time);
  record["eventSource"] = EventSource(call.service);
  record["eventName"] = call.operation;
  record["awsRegion"] = RecordRegion(call.service, call.region);
  record["sourceIPAddress"] = call.source_ip;
  record["userAgent"] = call.user_agent;
  if (outcome.error != nullptr) {
    // CloudTrail names a modeled error by its exception shape (NoSuchEntityException) and
    // an unmodeled one by its code (AccessDenied).
    std::string code = outcome.error->code;
    if (call.model != nullptr) {
      if (const protocol::Shape* shape = call.model->FindErrorShape(code)) code = shape->name;
    }
    record["errorCode"] = code;
    record["errorMessage"] = outcome.error->message;
  }
  record["requestParameters"] = RequestParameters(call, sp);
  record["responseElements"] = outcome.error != nullptr
                                   ? json::value(nullptr, sp)
                                   : ResponseElementsOf(call, outcome.output, read_only, sp);
  record["requestID"] = call.request_id;
  record["eventID"] = call.event_id;
  record["readOnly"] = read_only;
  // CloudTrail lists the role (and the issued key) of AssumeRole* events in the record.
  if (call.service == "sts" && StartsWith(call.operation, "AssumeRole") &&
      outcome.error == nullptr) {
    json::array resources(sp);
    for (const store::AuditResource& resource : ResourcesOf(call, outcome.output)) {
      json::object item(sp);
      if (resource.type == "AWS::IAM::AccessKey") {
        item["ARN"] = fmt::format("arn:aws:iam::{}:accessKey/{}", call.caller->account_id,
                                  resource.name);
      } else {
        item["ARN"] = resource.name;
      }
      item["accountId"] = call.caller->account_id;
      item["type"] = resource.type;
      resources.push_back(std::move(item));
    }
    if (!resources.empty()) record["resources"] = std::move(resources);
  }
  record["eventType"] = "AwsApiCall";
  record["managementEvent"] = true;
  record["recipientAccountId"] = call.caller->account_id;
  record["eventCategory"] = "Management";
  return record;
}

std::vector<store::AuditResource> ResourcesOf(const ApiCall& call, const json::object* output) {
  std::vector<store::AuditResource> resources;
  auto add = [&](std::string type, std::string name) {
    if (name.empty()) return;
    for (const auto& existing : resources) {
      if (existing.type == type && existing.name == name) return;
    }
    resources.push_back({std::move(type), std::move(name)});
  };
  // The LookupEvents resource types of IAM and STS (CloudTrail user guide, "Resource types
  // supported by CloudTrail event history").
  static const std::pair<std::string_view, std::string_view> kByMember[] = {
      {"UserName", "AWS::IAM::User"},
      {"GroupName", "AWS::IAM::Group"},
      {"RoleName", "AWS::IAM::Role"},
      {"RoleArn", "AWS::IAM::Role"},
      {"PolicyArn", "AWS::IAM::Policy"},
      {"InstanceProfileName", "AWS::IAM::InstanceProfile"},
      {"AccessKeyId", "AWS::IAM::AccessKey"},
      {"SerialNumber", "AWS::IAM::MfaDevice"},
      {"VirtualMFADeviceName", "AWS::IAM::MfaDevice"},
      {"PolicyName", "AWS::IAM::Policy"},
  };
  if (call.input != nullptr) {
    for (const auto& [member, type] : kByMember) {
      if (member == "PolicyName" && call.input->contains("PolicyArn")) continue;
      add(std::string(type), StringAt(*call.input, member));
    }
  }
  if (output != nullptr) {
    // Created entities: {User: {UserName}}, {AccessKey: {AccessKeyId}}, {Credentials: ...}.
    for (const auto& [key, value] : *output) {
      if (!value.is_object()) continue;
      const json::object& entity = value.get_object();
      if (key == "User") add("AWS::IAM::User", StringAt(entity, "UserName"));
      if (key == "Group") add("AWS::IAM::Group", StringAt(entity, "GroupName"));
      if (key == "Role") add("AWS::IAM::Role", StringAt(entity, "RoleName"));
      if (key == "Policy") add("AWS::IAM::Policy", StringAt(entity, "Arn"));
      if (key == "AccessKey" || key == "Credentials") {
        add("AWS::IAM::AccessKey", StringAt(entity, "AccessKeyId"));
      }
      if (key == "VirtualMFADevice") add("AWS::IAM::MfaDevice", StringAt(entity, "SerialNumber"));
    }
  }
  return resources;
}

json::object BuildConsoleLoginRecord(const ConsoleLogin& login) {
  json::object record;
  record["eventVersion"] = "1.11";
  json::object identity = UserIdentity(*login.principal, login.account_alias);
  // Console sign-in has no access key: CloudTrail prints "" (sign-in events reference).
  identity["accessKeyId"] = "";
  record["userIdentity"] = std::move(identity);
  record["eventTime"] = FormatIso8601(login.time);
  record["eventSource"] = "signin.amazonaws.com";
  record["eventName"] = "ConsoleLogin";
  record["awsRegion"] = "us-east-1";
  record["sourceIPAddress"] = login.source_ip;
  record["userAgent"] = login.user_agent;
  if (!login.success) record["errorMessage"] = "Failed authentication";
  record["requestParameters"] = nullptr;
  record["responseElements"] = json::object{{"ConsoleLogin", login.success ? "Success" : "Failure"}};
  record["additionalEventData"] = json::object{{"LoginTo", login.login_to},
                                               {"MobileVersion", "No"},
                                               {"MFAUsed", login.mfa_used ? "Yes" : "No"}};
  record["eventID"] = login.event_id;
  record["readOnly"] = false;
  record["eventType"] = "AwsConsoleSignIn";
  record["managementEvent"] = true;
  record["recipientAccountId"] = login.principal->account_id;
  record["eventCategory"] = "Management";
  return record;
}

store::AuditEventRow ToRow(const json::object& record,
                           std::vector<store::AuditResource> resources) {
  store::AuditEventRow row;
  row.event_id = StringAt(record, "eventID");
  row.account_id = StringAt(record, "recipientAccountId");
  if (Result<TimePoint> time = ParseIso8601(StringAt(record, "eventTime"))) row.event_time = *time;
  row.event_name = StringAt(record, "eventName");
  row.event_source = StringAt(record, "eventSource");
  if (const json::value* ro = Find(record, "readOnly"); ro != nullptr && ro->is_bool()) {
    row.read_only = ro->get_bool();
  }
  if (const json::value* identity = Find(record, "userIdentity");
      identity != nullptr && identity->is_object()) {
    const json::object& id = identity->get_object();
    std::string type = StringAt(id, "type");
    row.access_key_id = StringAt(id, "accessKeyId");
    if (type == "Root") {
      row.username = "root";
    } else if (type == "IAMUser") {
      row.username = StringAt(id, "userName");
    } else {
      // Role sessions and federated users: the session (or federated user) name, the last
      // segment of the caller's ARN, as CloudTrail event history shows it.
      row.username = LastSegment(StringAt(id, "arn"));
    }
  }
  row.resources = std::move(resources);
  row.record = json::serialize(record);
  return row;
}

}  // namespace rampart::audit
