// Wildcard patterns as IAM uses them: `*` matches any run of characters (including none),
// `?` matches exactly one. Patterns are kept in an encoded form in which the wildcard
// characters are the control bytes kGlobStar and kGlobOne, so that a literal `*`, `?` or
// `$` produced by the policy variables `${*}`, `${?}`, `${$}` stays literal. Policy text
// never contains control bytes (IAM allows only U+0009, U+000A, U+000D and U+0020-U+00FF).
//
// Matching is non-backtracking: the pattern is cut at its stars, and every star-separated
// segment is placed once, at its leftmost possible position (greedy leftmost placement is
// optimal for such patterns). Time is O(|text| * |segment|) in the worst case, bounded by the
// parse-time limits on policy size; no recursion, no regex, no allocation.
// Thread-safe: pure functions and immutable values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rampart::policy::internal {

inline constexpr char kGlobStar = '\x01';
inline constexpr char kGlobOne = '\x02';

// Encodes a raw policy string: `*` -> kGlobStar, `?` -> kGlobOne, everything else literal.
std::string EncodeGlob(std::string_view raw);

// True when `encoded` contains a wildcard byte.
bool HasWildcard(std::string_view encoded);

// Matches `text` against the encoded pattern. With `ignore_case`, ASCII letters compare
// case-insensitively (both sides).
bool GlobMatch(std::string_view encoded, std::string_view text, bool ignore_case);

// Pattern classified at compile time so that the common cases cost one comparison.
class Matcher {
 public:
  enum class Kind : std::uint8_t { kAny, kExact, kPrefix, kGlob };

  Matcher() = default;
  // `encoded` as produced by EncodeGlob. With `ignore_case` the pattern is stored lower case
  // and Match expects `text` lower case too.
  Matcher(std::string_view encoded, bool ignore_case);

  bool Match(std::string_view text) const;
  Kind kind() const { return kind_; }
  // The encoded pattern (lower case when the matcher ignores case).
  const std::string& pattern() const { return pattern_; }

 private:
  Kind kind_ = Kind::kExact;
  std::string pattern_;  // for kPrefix: the literal prefix only
};

}  // namespace rampart::policy::internal
