// rampart's wire protocols, driven by the official AWS service models.
//
// This is protocol/'s front header: the only one other modules include. It turns an
// HttpRequest into a validated input tree for one operation of one service, and an output
// tree or an Error back into the exact bytes AWS would send, for the three protocols the
// shipped services speak:
//   - query (IAM, STS): form-encoded `Action=...&Version=...` in, XML out;
//   - JSON 1.1 (Organizations, CloudTrail, Support): `X-Amz-Target` + JSON body in, JSON out;
//   - REST-JSON (Account): method + URI template + JSON body in, JSON out.
// Nothing here is written per operation: required members, lengths, ranges, patterns,
// enums, list and map layouts, XML names and timestamp formats all come from the models.
//
// Trees. An input or output tree is a boost::json::object keyed by the model's member
// names ("UserName", "Tags" -> array of {"Key","Value"} objects). Values: strings;
// integers and longs as int64; booleans; doubles; timestamps as ISO 8601 UTC strings
// ("2026-11-28T16:25:11Z", with ".mmm" only when there are milliseconds), whatever their
// wire form (output trees may also hold epoch seconds as a number); blobs as raw bytes in
// a string (base64 only on the wire); structures as objects; lists as arrays; maps as
// objects.
//
// Errors are values: Route and DecodeInput never look at authentication, so the
// dispatcher calls them first, authenticates, and only then reports what they returned.
//
// Thread-safety: every function here is pure over its arguments and the immutable models;
// call them from any thread. Returned responses and trees own their data.
#pragma once

#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "common/http.h"
#include "common/result.h"
#include "protocol/model.h"
#include "protocol/pagination.h"

namespace rampart::protocol {

struct RoutedRequest {
  const ServiceModel* service = nullptr;
  const Operation* operation = nullptr;
};

// Finds the operation a request names, in `service`'s protocol:
//   query:     `Action` from the form body (POST, application/x-www-form-urlencoded) or the
//              URL query (GET). Errors: `MissingAction` (400), `InvalidAction` (400, "Could
//              not find operation X for version V" when X is unknown or `Version` is not the
//              model's), `InvalidQueryParameter` (400) for a malformed query string or body.
//   JSON 1.1:  `X-Amz-Target: <targetPrefix>.<Operation>`. Unknown or missing target:
//              `UnknownOperationException` (400) with no message, as AWS answers.
//   REST-JSON: method + requestUri template. No match: `UnknownOperationException` (404).
Result<RoutedRequest> Route(const ServiceModel& service, const HttpRequest& request);

// Decodes and validates the input of `operation` from `request` (which Route matched).
// Errors: query: `InvalidQueryParameter` (400) for malformed percent-encoding,
// `ValidationError` (400) for values of the wrong type or that break a model constraint;
// JSON/REST-JSON: `SerializationException` (400) for malformed JSON or a value of the
// wrong JSON type, `ValidationException` (400) for constraint violations. Validation
// messages use AWS's wording ("1 validation error detected: Value 'x' at 'userName' failed
// to satisfy constraint: Member must have length less than or equal to 64").
Result<boost::json::object> DecodeInput(const ServiceModel& service, const Operation& operation,
                                        const HttpRequest& request);

// Checks `tree` against `shape`'s constraints (required, length, range, pattern, enum,
// recursively) and returns the service's validation error if any fails.
Result<void> Validate(const ServiceModel& service, const Shape& shape,
                      const boost::json::object& tree);

// Encodes a successful response. Members absent from `output` are left out; members not
// in the model are ignored. Query: 200 text/xml `<OpResponse xmlns=...><OpResult>...
// </OpResult><ResponseMetadata><RequestId>id</RequestId></ResponseMetadata></OpResponse>`;
// JSON 1.1: application/x-amz-json-1.1; REST-JSON: application/json with the operation's
// response code. Every response carries `x-amzn-RequestId: request_id`.
HttpResponse EncodeOutput(const ServiceModel& service, const Operation& operation,
                          const boost::json::object& output, std::string_view request_id);

// Encodes `error` in `service`'s protocol; with no service (a failure before routing),
// in the query protocol's shape without a namespace. The wire code is the model's
// `error.code` when `error.code` names a modeled exception shape. HTTP status: the
// Error's http_status if set, else the modeled error's, else a table of common AWS errors
// (AccessDenied 403, ..., InternalFailure 500, ServiceUnavailable 503, NotImplemented
// 501), else 400. Query: text/xml `<ErrorResponse>`; JSON: `{"__type":C,"message":M}`
// (`Message` for services whose model spells it so) and `x-amzn-ErrorType: C`.
// JSON services get their own spelling of the common authentication errors
// (AccessDenied -> AccessDeniedException, ValidationError -> ValidationException, ...).
HttpResponse EncodeError(const ServiceModel* service, const Error& error,
                         std::string_view request_id);

// The error for an operation that is in the model but not implemented: HTTP 501, code
// `NotImplemented`, a message naming the operation (encode it with EncodeError).
Error NotImplemented(const ServiceModel& service, const Operation& operation);

}  // namespace rampart::protocol
