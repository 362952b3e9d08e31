// CloudTrail operation handlers (cloudtrail.amazonaws.com, JSON 1.1, API 2013-11-01):
// LookupEvents over the audit events of the caller's account.
#pragma once

#include <chrono>
#include <functional>

#include "services/service.h"

namespace rampart::services::cloudtrail {

struct CloudTrailOptions {
  // Called before a lookup so that events queued by the audit recorder (reads, denials) are
  // visible to it; may be empty.
  std::function<void()> flush_events;
  // LookupEvents covers this window (CloudTrail: the last 90 days).
  std::chrono::hours retention{24 * 90};
};

// Registers LookupEvents, authorized as cloudtrail:LookupEvents on "*".
void Register(HandlerRegistry& registry, CloudTrailOptions options = {});

// LookupEvents (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html):
// at most one LookupAttribute (InvalidLookupAttributesException), StartTime <= EndTime
// (InvalidTimeRangeException), MaxResults 1-50, default 50 (InvalidMaxResultsException),
// NextToken bound to the other parameters (InvalidNextTokenException), EventCategory only
// "insight" (InvalidEventCategoryException; rampart keeps no Insights events, so it returns
// none). Events newest first, the caller's account only.
// Registered as LookupEvents' OperationSpec::input_error: maps the protocol's validation
// error of an input that breaks the model (MaxResults 0, an unknown AttributeKey or
// EventCategory, ...) to the CloudTrail exception of the member it names; other errors are
// returned unchanged.
Error LookupEventsInputError(const Error& validation);

Result<boost::json::object> LookupEvents(CallContext& call, const boost::json::object& input,
                                         const CloudTrailOptions& options);

}  // namespace rampart::services::cloudtrail
