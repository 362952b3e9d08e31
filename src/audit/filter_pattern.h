// CloudWatch Logs filter patterns for JSON log events, the syntax CIS and AWS use to describe
// CloudTrail monitoring rules, evaluated over a CloudTrail record. Included through
// audit/audit.h.
//
// Supported (CloudWatch Logs user guide, "Filter pattern syntax for JSON log events"):
//   { SELECTOR OP VALUE }           OP: = != for strings (quoted or bare; `*` is a wildcard),
//                                   = != < > <= >= for numbers
//   { SELECTOR IS NULL | IS TRUE | IS FALSE | NOT EXISTS | EXISTS }
//   && and || with parentheses (&& binds tighter)
//   SELECTOR: $.field.sub, $.list[0].field, $.list[*] (any element), $.* is not supported.
// A comparison against a field that is absent never matches (only NOT EXISTS does); a
// string comparison applied to a list matches when any element matches.
//
// FilterPattern is an immutable value once parsed: thread-safe for concurrent Matches.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "common/result.h"

namespace rampart::audit {

class FilterPattern {
 public:
  // Fails with "InvalidFilterPattern" and a message naming the offset and the problem.
  static Result<FilterPattern> Parse(std::string_view text);

  bool Matches(const boost::json::value& record) const;
  // The same for a record held as an object (what the recorder has), without copying it.
  bool Matches(const boost::json::object& record) const;
  const std::string& text() const { return text_; }

  struct Node;

 private:
  std::string text_;
  std::shared_ptr<const Node> root_;
};

}  // namespace rampart::audit
