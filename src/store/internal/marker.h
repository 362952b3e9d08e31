// Opaque pagination markers shared by the store backends. A marker encodes the sort key of
// the last row of a page; the next page starts strictly after it. Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace rampart::store::internal {

// An opaque, URL-safe-enough token for `sort_key` (base64 of a versioned form).
std::string EncodeMarker(std::string_view sort_key);
// The sort key inside `marker`; "" for an empty marker. kInvalidArgument if `marker` was
// not produced by EncodeMarker.
Result<std::string> DecodeMarker(std::string_view marker);

}  // namespace rampart::store::internal
