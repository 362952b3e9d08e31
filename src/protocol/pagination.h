// Opaque, tamper-evident pagination tokens (IAM `Marker`, JSON services' `NextToken`).
//
// A token carries a handler-chosen position (for example the last name returned) and is
// bound to the request parameters that shaped the listing (for example PathPrefix): the
// tag is an HMAC-SHA256, under a key the caller supplies, over the position and the
// binding. A token replayed with other filter parameters, edited, truncated or minted
// elsewhere does not verify, and the handler answers the service's own invalid-token
// error (InvalidPageTokenError). Positions are not encrypted: do not put secrets in them.
//
// Pure functions; thread-safe.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "common/result.h"

namespace rampart::protocol {

class ServiceModel;

// Canonical binding of a listing request: the operation name and the named members of
// `input` (absent members count as absent, so `PathPrefix=/` and no PathPrefix differ).
std::string PageBinding(std::string_view operation, const boost::json::object& input,
                        std::initializer_list<std::string_view> members);

// A token for `position` bound to `binding` (URL-safe base64 without padding).
// `key` should be a server secret of at least 32 bytes.
std::string EncodePageToken(std::string_view key, std::string_view position,
                            std::string_view binding);

// The position inside `token`, if it was made by EncodePageToken with the same key and
// binding; otherwise InvalidPageTokenError(service).
Result<std::string> DecodePageToken(const ServiceModel& service, std::string_view key,
                                    std::string_view token, std::string_view binding);

// The service's answer to a token that does not verify:
//   iam, sts:       ValidationError 400 "Invalid Marker." (recorded AWS ListVirtualMFADevices)
//   cloudtrail:     InvalidNextTokenException 400 (modeled)
//   organizations:  InvalidInputException 400 (modeled; reason INVALID_NEXT_TOKEN)
//   others:         ValidationException 400
Error InvalidPageTokenError(const ServiceModel& service);

}  // namespace rampart::protocol
