// `rampart policy validate FILE --type ...`: policy checks in the spirit of IAM Access
// Analyzer's ValidatePolicy. Findings have a severity (ERROR, SECURITY_WARNING, WARNING,
// SUGGESTION), an issue code, a location (line and column in the policy text) and a message.
// Thread-safety: reentrant; the catalog is only read.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "policy/catalog.h"
#include "policy/policy.h"

namespace rampart::policy {

struct Finding {
  enum class Severity : std::uint8_t { kError, kSecurityWarning, kWarning, kSuggestion };
  Severity severity = Severity::kError;
  std::string issue_code;  // e.g. "MALFORMED_POLICY_DOCUMENT", "UNKNOWN_ACTION"
  Position position;       // 1-based line and column in the policy text
  std::string message;
};

std::string_view SeverityName(Finding::Severity severity);  // "ERROR", "SECURITY_WARNING", ...

// Every finding for `policy_text` validated as `type`, in document order within each check.
// A document that does not compile yields exactly one ERROR (AWS's message plus detail).
std::vector<Finding> ValidatePolicy(std::string_view policy_text, PolicyType type,
                                    const ServiceCatalog& catalog);

// Prints the findings, one per line ("ERROR UNKNOWN_ACTION 4:17 ..."), then a summary line.
// Returns the exit status: 1 when there is at least one ERROR, else 0.
int RunValidate(std::string_view policy_text, PolicyType type, const ServiceCatalog& catalog,
                std::ostream& out);

}  // namespace rampart::policy
