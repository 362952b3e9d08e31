// Identifiers in AWS's formats, drawn from the CSPRNG.
#pragma once

#include <string>
#include <string_view>

namespace rampart::ids {

// 12 decimal digits, first digit non-zero.
std::string NewAccountId();
// `prefix` + 16 characters of upper-case base32 (A-Z, 2-7): the shape of AWS unique ids.
// Prefixes: AKIA (access key), ASIA (temporary key), AIDA (user), AGPA (group), AROA (role),
// ANPA (managed policy), ANVA (policy version), AIPA (instance profile).
// With AKIA/ASIA the result is 20 characters, as AWS's access key ids are.
std::string NewUniqueId(std::string_view prefix);
// 40 characters from [A-Za-z0-9+/], as AWS secret access keys are.
std::string NewSecretAccessKey();
// A request id in AWS's UUID form (8-4-4-4-12 lower-case hex), random (v4).
std::string NewRequestId();

}  // namespace rampart::ids
