// Model constraint checks and AWS's wording of validation errors. Used by decode.cc.
// Pure functions over immutable models; thread-safe.
#pragma once

#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "common/result.h"
#include "protocol/model.h"

namespace rampart::protocol::internal {

// One failed constraint: `path` is AWS's member path ("tags.1.member.key"), `text` the
// whole clause ("Value 'x' at 'userName' failed to satisfy constraint: Member must ...").
struct Violation {
  std::string path;
  std::string text;
};

// "Value 'x' at 'path' failed to satisfy constraint: <constraint>", with the value left
// out ("Value at 'path' ...") when `echo` is null.
Violation MakeViolation(const std::string& path, const std::string* echo,
                        std::string_view constraint);

// Appends the violations of `tree` against structure `shape` to `out`, in model order.
// `prefix` is the path of `tree` itself ("" for the operation input).
void CollectViolations(const ServiceModel& service, const Shape& shape,
                       const boost::json::object& tree, const std::string& prefix,
                       std::vector<Violation>& out);

// Whether values of `shape` may be echoed in messages of `service`.
bool EchoesValues(const ServiceModel& service, const Shape& shape);

// Text AWS (Java) prints for a value: strings as is, numbers in decimal, lists as
// "[a, b]", maps as "{k=v}".
std::string RenderValue(const boost::json::value& value);

// The service's validation error for `violations` (non-empty): ValidationError (query)
// or ValidationException (JSON), 400, "N validation error(s) detected: a; b". Violations
// are ordered as AWS orders them (see validate.cc).
Error ValidationFailure(const ServiceModel& service, std::vector<Violation> violations);

}  // namespace rampart::protocol::internal
