// Output and error encoding for the query (XML), JSON 1.1 and REST-JSON protocols.
#include <cmath>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "common/clock.h"
#include "common/crypto.h"
#include "protocol/internal/text.h"
#include "protocol/protocol.h"

namespace rampart::protocol {
namespace {

namespace json = boost::json;
using internal::AppendXmlEscaped;

constexpr std::string_view kXmlContentType = "text/xml";
constexpr std::string_view kJson11ContentType = "application/x-amz-json-1.1";
constexpr std::string_view kRestJsonContentType = "application/json";

// Timestamp text for XML: trees hold ISO 8601 strings (printed as given: IAM prints whole
// seconds, STS milliseconds, and the handler knows which) or epoch seconds.
std::string XmlTimestamp(const json::value& value) {
  if (value.is_string()) return std::string(value.get_string());
  if (value.is_int64()) return FormatIso8601(FromEpochSeconds(value.get_int64()));
  if (value.is_uint64()) return FormatIso8601(FromEpochSeconds(static_cast<std::int64_t>(value.get_uint64())));
  if (value.is_double()) {
    auto ms = static_cast<std::int64_t>(std::llround(value.get_double() * 1000.0));
    TimePoint t{std::chrono::milliseconds(ms)};
    return ms % 1000 == 0 ? FormatIso8601(t) : FormatIso8601Millis(t);
  }
  return {};
}

std::string NumberText(const json::value& value) {
  if (value.is_int64()) return std::to_string(value.get_int64());
  if (value.is_uint64()) return std::to_string(value.get_uint64());
  if (value.is_double()) return fmt::format("{}", value.get_double());
  if (value.is_string()) return std::string(value.get_string());
  if (value.is_bool()) return value.get_bool() ? "true" : "false";
  return {};
}

void XmlScalar(std::string& out, const Shape& shape, const json::value& value) {
  switch (shape.type) {
    case ShapeType::kString:
      if (value.is_string()) {
        AppendXmlEscaped(out, value.get_string());
      } else {
        AppendXmlEscaped(out, NumberText(value));
      }
      return;
    case ShapeType::kBoolean:
      if (value.is_bool()) {
        out += value.get_bool() ? "true" : "false";
      } else {
        AppendXmlEscaped(out, NumberText(value));
      }
      return;
    case ShapeType::kTimestamp:
      AppendXmlEscaped(out, XmlTimestamp(value));
      return;
    case ShapeType::kBlob:
      if (value.is_string()) out += crypto::Base64Encode(value.get_string());
      return;
    default:
      AppendXmlEscaped(out, NumberText(value));
      return;
  }
}

void XmlElement(std::string& out, std::string_view name, const Member& member, const Shape& shape,
                const json::value& value);

void XmlStructureBody(std::string& out, const Shape& shape, const json::object& object) {
  for (const Member& member : shape.members) {
    const json::value* value = object.if_contains(member.name);
    if (value == nullptr || value->is_null()) continue;
    XmlElement(out, member.wire_name, member, *member.shape, *value);
  }
}

void Open(std::string& out, std::string_view name) {
  out.push_back('<');
  out.append(name);
  out.push_back('>');
}

void Close(std::string& out, std::string_view name) {
  out.append("</");
  out.append(name);
  out.push_back('>');
}

void XmlElement(std::string& out, std::string_view name, const Member& member, const Shape& shape,
                const json::value& value) {
  switch (shape.type) {
    case ShapeType::kStructure:
      Open(out, name);
      if (value.is_object()) XmlStructureBody(out, shape, value.get_object());
      Close(out, name);
      return;
    case ShapeType::kList: {
      if (!value.is_array()) return;
      const Member& element = *shape.list_member;
      if (member.flattened || shape.flattened) {
        std::string_view item_name = element.wire_name != "member" ? element.wire_name : name;
        for (const json::value& item : value.get_array()) {
          XmlElement(out, item_name, element, *element.shape, item);
        }
        return;
      }
      Open(out, name);
      for (const json::value& item : value.get_array()) {
        XmlElement(out, element.wire_name, element, *element.shape, item);
      }
      Close(out, name);
      return;
    }
    case ShapeType::kMap: {
      if (!value.is_object()) return;
      const Member& key = *shape.map_key;
      const Member& val = *shape.map_value;
      bool flattened = member.flattened || shape.flattened;
      if (!flattened) Open(out, name);
      for (const auto& entry : value.get_object()) {
        Open(out, flattened ? name : std::string_view("entry"));
        Open(out, key.wire_name);
        AppendXmlEscaped(out, entry.key());
        Close(out, key.wire_name);
        XmlElement(out, val.wire_name, val, *val.shape, entry.value());
        Close(out, flattened ? name : std::string_view("entry"));
      }
      if (!flattened) Close(out, name);
      return;
    }
    default:
      Open(out, name);
      XmlScalar(out, shape, value);
      Close(out, name);
      return;
  }
}

// JSON: the default timestamp form is epoch seconds (a number, with a fraction only for
// milliseconds); `timestampFormat: iso8601` keeps the ISO string.
json::value JsonTimestamp(const Shape& shape, const json::value& value) {
  if (shape.timestamp_format == TimestampFormat::kIso8601) {
    if (value.is_string()) return value;
    return json::value(json::string_view(XmlTimestamp(value)));
  }
  if (value.is_number()) return value;
  if (value.is_string()) {
    Result<TimePoint> t = ParseIso8601(value.get_string());
    if (!t) return value;
    std::int64_t ms = t->time_since_epoch().count();
    if (ms % 1000 == 0) return json::value(ms / 1000);
    return json::value(static_cast<double>(ms) / 1000.0);
  }
  return value;
}

json::value JsonValue(const Shape& shape, const json::value& value, bool body_only);

json::object JsonStructure(const Shape& shape, const json::object& object, bool body_only) {
  json::object out;
  for (const Member& member : shape.members) {
    if (body_only && member.location != Location::kBody) continue;
    const json::value* value = object.if_contains(member.name);
    if (value == nullptr || value->is_null()) continue;
    out.emplace(member.wire_name, JsonValue(*member.shape, *value, false));
  }
  return out;
}

json::value JsonValue(const Shape& shape, const json::value& value, bool body_only) {
  switch (shape.type) {
    case ShapeType::kStructure:
      if (!value.is_object()) return value;
      return JsonStructure(shape, value.get_object(), body_only);
    case ShapeType::kList: {
      if (!value.is_array()) return value;
      json::array out;
      out.reserve(value.get_array().size());
      for (const json::value& item : value.get_array()) {
        out.push_back(JsonValue(*shape.list_member->shape, item, false));
      }
      return out;
    }
    case ShapeType::kMap: {
      if (!value.is_object()) return value;
      json::object out;
      for (const auto& entry : value.get_object()) {
        out.emplace(entry.key(), JsonValue(*shape.map_value->shape, entry.value(), false));
      }
      return out;
    }
    case ShapeType::kTimestamp:
      return JsonTimestamp(shape, value);
    case ShapeType::kBlob:
      if (value.is_string()) return json::value(json::string_view(crypto::Base64Encode(value.get_string())));
      return value;
    default:
      return value;
  }
}

struct WireError {
  std::string code;
  int status = 400;
  bool sender_fault = true;
};

// Statuses of common errors no model defines (AWS "Common Errors" pages; see
// AWS-BEHAVIOUR.md §4).
int CommonStatus(std::string_view code) {
  struct Entry {
    std::string_view code;
    int status;
  };
  static constexpr Entry kTable[] = {
      {"AccessDenied", 403},
      {"AccessDeniedException", 403},
      {"ExpiredToken", 403},
      {"ExpiredTokenException", 403},
      {"IncompleteSignature", 400},
      {"IncompleteSignatureException", 400},
      {"InternalError", 500},
      {"InternalFailure", 500},
      {"InternalServerError", 500},
      {"InvalidAction", 400},
      {"InvalidClientTokenId", 403},
      {"InvalidParameterCombination", 400},
      {"InvalidParameterValue", 400},
      {"InvalidQueryParameter", 400},
      {"InvalidSignatureException", 403},
      {"MalformedQueryString", 404},
      {"MissingAction", 400},
      {"MissingAuthenticationToken", 403},
      {"MissingAuthenticationTokenException", 403},
      {"MissingParameter", 400},
      {"NotAuthorized", 401},
      {"NotImplemented", 501},
      {"OptInRequired", 403},
      {"RequestEntityTooLarge", 413},
      {"RequestExpired", 400},
      {"SerializationException", 400},
      {"ServiceUnavailable", 503},
      {"SignatureDoesNotMatch", 403},
      {"Throttling", 400},
      {"ThrottlingException", 400},
      {"UnknownOperationException", 400},
      {"UnrecognizedClientException", 403},
      {"ValidationError", 400},
      {"ValidationException", 400},
  };
  for (const Entry& entry : kTable) {
    if (entry.code == code) return entry.status;
  }
  return 0;
}

// JSON services spell the common authentication and validation errors with the
// `Exception` suffix (AWS-BEHAVIOUR.md §4; the generic Common Errors page).
std::string_view JsonSpelling(std::string_view code) {
  struct Entry {
    std::string_view query;
    std::string_view json;
  };
  static constexpr Entry kTable[] = {
      {"AccessDenied", "AccessDeniedException"},
      {"ExpiredToken", "ExpiredTokenException"},
      {"IncompleteSignature", "IncompleteSignatureException"},
      {"InvalidClientTokenId", "UnrecognizedClientException"},
      {"MissingAuthenticationToken", "MissingAuthenticationTokenException"},
      {"SignatureDoesNotMatch", "InvalidSignatureException"},
      {"Throttling", "ThrottlingException"},
      {"ValidationError", "ValidationException"},
  };
  for (const Entry& entry : kTable) {
    if (entry.query == code) return entry.json;
  }
  return code;
}

WireError ResolveError(const ServiceModel* service, const Error& error) {
  WireError wire;
  wire.code = error.code.empty() ? "InternalFailure" : error.code;
  const Shape* shape = service != nullptr ? service->FindErrorShape(wire.code) : nullptr;
  if (shape == nullptr && service != nullptr && service->kind() != Kind::kQuery) {
    wire.code = std::string(JsonSpelling(wire.code));
    shape = service->FindErrorShape(wire.code);
  }
  int status = 0;
  if (shape != nullptr) {
    wire.code = shape->error->code;
    status = shape->error->http_status;
    wire.sender_fault = shape->error->sender_fault;
  } else {
    status = CommonStatus(wire.code);
    if (status == 0) status = 400;
  }
  if (error.http_status != 0) status = error.http_status;
  wire.status = status;
  if (shape == nullptr) wire.sender_fault = status < 500;
  return wire;
}

void SetCommonHeaders(HttpResponse& response, std::string_view content_type,
                      std::string_view request_id) {
  response.headers.emplace_back("x-amzn-RequestId", std::string(request_id));
  response.headers.emplace_back("Content-Type", std::string(content_type));
}

}  // namespace

HttpResponse EncodeOutput(const ServiceModel& service, const Operation& operation,
                          const json::object& output, std::string_view request_id) {
  HttpResponse response;
  response.status = 200;
  if (service.kind() == Kind::kQuery) {
    std::string& out = response.body;
    out.reserve(512);
    std::string response_name = operation.name + "Response";
    out += '<';
    out += response_name;
    out += " xmlns=\"";
    AppendXmlEscaped(out, service.xml_namespace());
    out += "\">";
    if (operation.output != nullptr) {
      std::string result_name = operation.result_wrapper.empty() ? operation.name + "Result"
                                                                 : operation.result_wrapper;
      Open(out, result_name);
      XmlStructureBody(out, *operation.output, output);
      Close(out, result_name);
    }
    out += "<ResponseMetadata><RequestId>";
    AppendXmlEscaped(out, request_id);
    out += "</RequestId></ResponseMetadata>";
    Close(out, response_name);
    SetCommonHeaders(response, kXmlContentType, request_id);
    return response;
  }
  bool rest = service.kind() == Kind::kRestJson;
  json::object body;
  if (operation.output != nullptr) {
    body = JsonStructure(*operation.output, output, rest);
    if (rest) {
      for (const Member& member : operation.output->members) {
        const json::value* value = output.if_contains(member.name);
        if (value == nullptr || value->is_null()) continue;
        if (member.location == Location::kHeader) {
          response.headers.emplace_back(member.wire_name, NumberText(*value));
        } else if (member.location == Location::kStatusCode && value->is_int64()) {
          response.status = static_cast<int>(value->get_int64());
        }
      }
    }
  }
  if (rest) response.status = operation.http_response_code;
  response.body = json::serialize(body);
  SetCommonHeaders(response, rest ? kRestJsonContentType : kJson11ContentType, request_id);
  return response;
}

HttpResponse EncodeError(const ServiceModel* service, const Error& error,
                         std::string_view request_id) {
  WireError wire = ResolveError(service, error);
  HttpResponse response;
  response.status = wire.status;
  if (service == nullptr || service->kind() == Kind::kQuery) {
    std::string& out = response.body;
    out.reserve(256 + error.message.size());
    out += "<ErrorResponse";
    if (service != nullptr && !service->xml_namespace().empty()) {
      out += " xmlns=\"";
      AppendXmlEscaped(out, service->xml_namespace());
      out += '"';
    }
    out += "><Error><Type>";
    out += wire.sender_fault ? "Sender" : "Receiver";
    out += "</Type><Code>";
    AppendXmlEscaped(out, wire.code);
    out += "</Code>";
    // AWS leaves Message out when there is none (recorded ReportNotPresent).
    if (!error.message.empty()) {
      out += "<Message>";
      AppendXmlEscaped(out, error.message);
      out += "</Message>";
    }
    out += "</Error><RequestId>";
    AppendXmlEscaped(out, request_id);
    out += "</RequestId></ErrorResponse>";
    SetCommonHeaders(response, kXmlContentType, request_id);
    return response;
  }
  json::object body;
  body["__type"] = wire.code;
  if (!error.message.empty()) body[service->json_message_key()] = error.message;
  response.body = json::serialize(body);
  SetCommonHeaders(response,
                   service->kind() == Kind::kRestJson ? kRestJsonContentType : kJson11ContentType,
                   request_id);
  response.headers.emplace_back("x-amzn-ErrorType", wire.code);
  return response;
}

Error NotImplemented(const ServiceModel& service, const Operation& operation) {
  return Error("NotImplemented",
               fmt::format("Operation {} of service {} is not implemented", operation.name,
                           service.signing_name()),
               501);
}

}  // namespace rampart::protocol
