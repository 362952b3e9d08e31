// Small ASCII text helpers private to the policy module. Pure functions, thread-safe.
// (common/strings.h has similar helpers; the policy engine keeps its own so that it depends
// only on common/result.h.)
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace rampart::policy::internal {

inline char AsciiLowerChar(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string ToLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = AsciiLowerChar(c);
  return out;
}

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (AsciiLowerChar(a[i]) != AsciiLowerChar(b[i])) return false;
  }
  return true;
}

// Three-way comparison of `a` (any case) against `lower` (already lower case).
inline int CompareLowered(std::string_view a, std::string_view lower) {
  std::size_t n = a.size() < lower.size() ? a.size() : lower.size();
  for (std::size_t i = 0; i < n; ++i) {
    unsigned char x = static_cast<unsigned char>(AsciiLowerChar(a[i]));
    unsigned char y = static_cast<unsigned char>(lower[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  if (a.size() == lower.size()) return 0;
  return a.size() < lower.size() ? -1 : 1;
}

inline bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

inline bool IsDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// A 12-digit AWS account id.
inline bool IsAccountId(std::string_view text) { return text.size() == 12 && IsDigits(text); }

}  // namespace rampart::policy::internal
