// Model `pattern` traits: Java regular expressions, matched with RE2.
//
// The models' patterns are written for java.util.regex and are matched against the whole
// value (AWS rejects "Session1:2" for `[\w+=,.@-]*`, so the match is anchored: recorded
// STS error in /work/shared/aws/recorded/errors.json). Translate() rewrites the Java-only
// syntax RE2 lacks: `\uXXXX` escapes (exactly four hex digits, as Java reads them, with
// an escaped surrogate pair combined into one code point). RE2 runs in linear time.
// A pattern RE2 cannot express (one model pattern uses a lookahead, `-(?!-)`) falls back
// to std::regex, run only on values no longer than kMaxFallbackInput code points so the
// backtracking engine stays bounded.
//
// Immutable after construction; FullMatch is thread-safe.
#pragma once

#include <memory>
#include <regex>
#include <string>
#include <string_view>

#include "common/result.h"

namespace re2 {
class RE2;
}

namespace rampart::protocol::internal {

// Rewrites a Java regex into RE2 syntax. Returns `InvalidModel` on a malformed \u escape.
Result<std::string> TranslateJavaRegex(std::string_view java);

class Pattern {
 public:
  static constexpr std::size_t kMaxFallbackInput = 4096;

  // Compiles `java` (Java syntax). Fails with `InvalidModel` if neither RE2 nor the
  // fallback accepts it.
  static Result<std::shared_ptr<const Pattern>> Compile(std::string_view java);
  ~Pattern();

  // True if the whole of `utf8` matches.
  bool FullMatch(std::string_view utf8) const;
  const std::string& java() const { return java_; }
  bool uses_fallback() const { return re2_ == nullptr; }

 private:
  Pattern() = default;
  std::string java_;
  std::unique_ptr<re2::RE2> re2_;
  std::unique_ptr<std::regex> fallback_;
};

}  // namespace rampart::protocol::internal
