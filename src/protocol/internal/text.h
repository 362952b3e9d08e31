// Small text helpers shared inside protocol/: UTF-8 handling, XML escaping, the
// member-path spelling of validation messages. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rampart::protocol::internal {

// Number of Unicode code points in `utf8`; each byte of an invalid sequence counts as one.
std::size_t CountCodePoints(std::string_view utf8);

// True if `text` is well-formed UTF-8 (no overlongs, no surrogates).
bool IsValidUtf8(std::string_view text);

// Copy of `text` with every invalid UTF-8 sequence replaced by U+FFFD, as Java's decoder
// does when AWS reads request bytes into a String.
std::string SanitizeUtf8(std::string_view text);

// Appends `text` to `out` escaped for XML character data and attribute values.
void AppendXmlEscaped(std::string& out, std::string_view text);

// "UserName" -> "userName": how AWS names a member in validation messages.
std::string LowerFirst(std::string_view name);

// java.lang.String#hashCode over the UTF-16 code units of `utf8`.
std::int32_t JavaStringHash(std::string_view utf8);

}  // namespace rampart::protocol::internal
