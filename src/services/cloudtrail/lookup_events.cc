#include <boost/json.hpp>
#include <fmt/format.h>

#include "protocol/protocol.h"
#include "services/cloudtrail/cloudtrail.h"

namespace rampart::services::cloudtrail {
namespace json = boost::json;

namespace {

Error InvalidLookupAttributes(std::string message) {
  return Error("InvalidLookupAttributesException", std::move(message), 400);
}

std::optional<store::AuditAttribute> AttributeKey(std::string_view key) {
  static const std::pair<std::string_view, store::AuditAttribute> kKeys[] = {
      {"EventId", store::AuditAttribute::kEventId},
      {"EventName", store::AuditAttribute::kEventName},
      {"ReadOnly", store::AuditAttribute::kReadOnly},
      {"Username", store::AuditAttribute::kUsername},
      {"ResourceType", store::AuditAttribute::kResourceType},
      {"ResourceName", store::AuditAttribute::kResourceName},
      {"EventSource", store::AuditAttribute::kEventSource},
      {"AccessKeyId", store::AuditAttribute::kAccessKeyId},
  };
  for (const auto& [name, attribute] : kKeys) {
    if (key == name) return attribute;
  }
  return std::nullopt;
}

Result<std::optional<TimePoint>> TimeMember(const json::object& input, std::string_view name) {
  auto it = input.find(name);
  if (it == input.end() || it->value().is_null()) return std::optional<TimePoint>();
  if (it->value().is_string()) {
    Result<TimePoint> parsed = ParseIso8601(it->value().get_string());
    if (!parsed) return Fail("InvalidTimeRangeException", "Invalid time", 400);
    return std::optional<TimePoint>(*parsed);
  }
  if (it->value().is_number()) {
    return std::optional<TimePoint>(TimePoint(std::chrono::milliseconds(
        static_cast<std::int64_t>(it->value().to_number<double>() * 1000))));
  }
  return Fail("InvalidTimeRangeException", "Invalid time", 400);
}

}  // namespace

Result<json::object> LookupEvents(CallContext& call, const json::object& input,
                                  const CloudTrailOptions& options) {
  store::AuditEventQuery query;
  query.account_id = call.caller().account_id;
  if (auto it = input.find("LookupAttributes"); it != input.end() && it->value().is_array()) {
    const json::array& attributes = it->value().get_array();
    // "Currently the list can contain only one item." (LookupEvents API reference)
    if (attributes.size() > 1) {
      return Fail(InvalidLookupAttributes("You cannot specify more than one lookup attribute."));
    }
    if (attributes.size() == 1) {
      const json::value& item = attributes[0];
      std::string key, value;
      if (item.is_object()) {
        if (auto k = item.get_object().find("AttributeKey");
            k != item.get_object().end() && k->value().is_string()) {
          key = std::string(k->value().get_string());
        }
        if (auto v = item.get_object().find("AttributeValue");
            v != item.get_object().end() && v->value().is_string()) {
          value = std::string(v->value().get_string());
        }
      }
      std::optional<store::AuditAttribute> attribute = AttributeKey(key);
      if (!attribute) {
        return Fail(InvalidLookupAttributes(fmt::format("Invalid attribute key: {}", key)));
      }
      if (value.empty()) {
        return Fail(InvalidLookupAttributes("AttributeValue must not be empty."));
      }
      if (*attribute == store::AuditAttribute::kReadOnly && value != "true" && value != "false") {
        return Fail(InvalidLookupAttributes(
            fmt::format("Invalid value for ReadOnly attribute: {}", value)));
      }
      query.attribute = attribute;
      query.attribute_value = value;
    }
  }
  Result<std::optional<TimePoint>> start = TimeMember(input, "StartTime");
  if (!start) return Fail(start.error());
  Result<std::optional<TimePoint>> end = TimeMember(input, "EndTime");
  if (!end) return Fail(end.error());
  if (*start && *end && **start > **end) {
    return Fail("InvalidTimeRangeException",
                "Start time must be before or equal to end time.", 400);
  }
  // Only the retention window is searchable.
  TimePoint oldest = call.now - options.retention;
  query.start_time = *start && **start > oldest ? **start : oldest;
  if (*end) query.end_time = **end;
  if (auto it = input.find("MaxResults"); it != input.end() && !it->value().is_null()) {
    if (!it->value().is_int64() || it->value().get_int64() < 1 || it->value().get_int64() > 50) {
      return Fail("InvalidMaxResultsException", "MaxResults must be between 1 and 50.", 400);
    }
    query.max_results = static_cast<int>(it->value().get_int64());
  }
  if (auto it = input.find("EventCategory"); it != input.end() && it->value().is_string()) {
    if (it->value().get_string() != "insight") {
      return Fail("InvalidEventCategoryException", "Invalid EventCategory.", 400);
    }
    // rampart generates no Insights events.
    return json::object{{"Events", json::array()}};
  }
  const protocol::ServiceModel* model = protocol::Models().Find("cloudtrail");
  const std::string binding = protocol::PageBinding(
      "LookupEvents", input, {"LookupAttributes", "StartTime", "EndTime", "MaxResults", "EventCategory"}) +
      "\n" + query.account_id;
  if (auto it = input.find("NextToken"); it != input.end() && it->value().is_string()) {
    Result<std::string> marker = protocol::DecodePageToken(
        *model, call.env().page_token_key, it->value().get_string(), binding);
    if (!marker) return Fail(marker.error());
    query.marker = std::move(*marker);
  }
  if (options.flush_events) options.flush_events();
  store::Page<store::AuditEventRow> page;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    auto found = tx.AuditEvents().Lookup(query);
    if (!found) return Fail(found.error());
    page = std::move(*found);
    return Ok();
  });
  if (!read) {
    if (store::ToStoreError(read.error()) == store::StoreError::kInvalidArgument) {
      return Fail(protocol::InvalidPageTokenError(*model));
    }
    return Fail("InternalFailure", "the audit events cannot be read", 500);
  }
  json::array events;
  for (const store::AuditEventRow& row : page.items) {
    json::object event;
    event["EventId"] = row.event_id;
    event["EventName"] = row.event_name;
    event["ReadOnly"] = row.read_only ? "true" : "false";
    if (!row.access_key_id.empty()) event["AccessKeyId"] = row.access_key_id;
    event["EventTime"] = FormatIso8601(row.event_time);
    event["EventSource"] = row.event_source;
    if (!row.username.empty()) event["Username"] = row.username;
    json::array resources;
    for (const store::AuditResource& resource : row.resources) {
      resources.push_back(
          json::object{{"ResourceType", resource.type}, {"ResourceName", resource.name}});
    }
    event["Resources"] = std::move(resources);
    event["CloudTrailEvent"] = row.record;
    events.push_back(std::move(event));
  }
  json::object out;
  out["Events"] = std::move(events);
  if (page.next_marker) {
    out["NextToken"] =
        protocol::EncodePageToken(call.env().page_token_key, *page.next_marker, binding);
  }
  return out;
}

Error LookupEventsInputError(const Error& validation) {
  // The LookupEvents API reference lists one exception per kind of bad input and CloudTrail's
  // model defines no ValidationException: a model-constraint failure (MaxResults outside
  // 1-50, an AttributeKey or EventCategory outside its enum, ...) is answered with the
  // exception of the first member it names.
  static const std::pair<std::string_view, std::string_view> kByMember[] = {
      {"at 'maxResults'", "InvalidMaxResultsException"},
      {"at 'lookupAttributes", "InvalidLookupAttributesException"},
      {"at 'eventCategory'", "InvalidEventCategoryException"},
      {"at 'startTime'", "InvalidTimeRangeException"},
      {"at 'endTime'", "InvalidTimeRangeException"},
      {"at 'nextToken'", "InvalidNextTokenException"},
  };
  std::size_t first = std::string::npos;
  std::string_view code;
  for (const auto& [needle, exception] : kByMember) {
    std::size_t at = validation.message.find(needle);
    if (at < first) {
      first = at;
      code = exception;
    }
  }
  if (code.empty()) return validation;
  return Error(std::string(code), validation.message, 400);
}

void Register(HandlerRegistry& registry, CloudTrailOptions options) {
  registry.Add("cloudtrail", "LookupEvents",
               OperationSpec{.handler = [options](CallContext& call, const json::object& input) {
                               return LookupEvents(call, input, options);
                             },
                             .input_error = LookupEventsInputError});
}

}  // namespace rampart::services::cloudtrail
