// Small string utilities shared by every layer. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rampart {

// ASCII-only case folding; AWS identifiers are ASCII.
std::string AsciiLower(std::string_view text);
std::string AsciiUpper(std::string_view text);
bool EqualsIgnoreCase(std::string_view left, std::string_view right);
bool StartsWith(std::string_view text, std::string_view prefix);
bool EndsWith(std::string_view text, std::string_view suffix);
// Splits on every occurrence of `separator`; keeps empty pieces. Views borrow `text`.
std::vector<std::string_view> Split(std::string_view text, char separator);
// Strips leading and trailing ASCII white space (space, tab, CR, LF). Borrows `text`.
std::string_view Trim(std::string_view text);
// Joins with `separator`.
std::string Join(const std::vector<std::string>& pieces, std::string_view separator);

}  // namespace rampart
