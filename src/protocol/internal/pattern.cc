#include "protocol/internal/pattern.h"

#include <cstdint>
#include <optional>

#include <fmt/format.h>
#include <re2/re2.h>

#include "protocol/internal/text.h"

namespace rampart::protocol::internal {
namespace {

std::optional<std::uint32_t> ParseHex4(std::string_view text, std::size_t pos) {
  if (pos + 4 > text.size()) return std::nullopt;
  std::uint32_t value = 0;
  for (std::size_t idx = pos; idx < pos + 4; ++idx) {
    char c = text[idx];
    value <<= 4;
    if (c >= '0' && c <= '9') {
      value |= static_cast<std::uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      value |= static_cast<std::uint32_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      value |= static_cast<std::uint32_t>(c - 'A' + 10);
    } else {
      return std::nullopt;
    }
  }
  return value;
}

}  // namespace

Result<std::string> TranslateJavaRegex(std::string_view java) {
  std::string out;
  out.reserve(java.size() + 8);
  for (std::size_t pos = 0; pos < java.size(); ++pos) {
    char c = java[pos];
    if (c != '\\' || pos + 1 >= java.size()) {
      out.push_back(c);
      continue;
    }
    char next = java[pos + 1];
    if (next != 'u') {
      // Any other escape is copied as is (RE2 shares Perl's \w \d \s \p{..} and escaped
      // punctuation).
      out.push_back(c);
      out.push_back(next);
      ++pos;
      continue;
    }
    // Java reads exactly four hex digits after \u ("\u10000" is U+1000 then '0').
    std::optional<std::uint32_t> unit = ParseHex4(java, pos + 2);
    if (!unit) return Fail("InvalidModel", fmt::format("pattern `{}`: bad \\u escape", java));
    pos += 5;
    std::uint32_t code_point = *unit;
    // An escaped high surrogate followed by an escaped low surrogate is one code point.
    if (code_point >= 0xD800 && code_point <= 0xDBFF &&
        java.substr(pos + 1, 2) == "\\u") {
      std::optional<std::uint32_t> low = ParseHex4(java, pos + 3);
      if (low && *low >= 0xDC00 && *low <= 0xDFFF) {
        code_point = 0x10000 + ((code_point - 0xD800) << 10) + (*low - 0xDC00);
        pos += 6;
      }
    }
    if (code_point >= 0xD800 && code_point <= 0xDFFF) {
      // A lone surrogate can never occur in UTF-8 input; U+FFFD stands in for it so the
      // class stays well formed (it matches what Java's decoder makes of bad input).
      code_point = 0xFFFD;
    }
    out += fmt::format("\\x{{{:X}}}", code_point);
  }
  return out;
}

Pattern::~Pattern() = default;

Result<std::shared_ptr<const Pattern>> Pattern::Compile(std::string_view java) {
  std::shared_ptr<Pattern> pattern(new Pattern());
  pattern->java_ = std::string(java);
  Result<std::string> translated = TranslateJavaRegex(java);
  if (!translated) return Fail(translated.error());
  RE2::Options options;
  options.set_encoding(RE2::Options::EncodingUTF8);
  options.set_log_errors(false);
  auto compiled = std::make_unique<RE2>(*translated, options);
  if (compiled->ok()) {
    pattern->re2_ = std::move(compiled);
    return std::shared_ptr<const Pattern>(std::move(pattern));
  }
  // Only ASCII lookaheads reach this point in the shipped models.
  try {
    pattern->fallback_ = std::make_unique<std::regex>(std::string(java), std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return Fail("InvalidModel",
                fmt::format("pattern `{}`: {}: {}", java, compiled->error(), e.what()));
  }
  return std::shared_ptr<const Pattern>(std::move(pattern));
}

bool Pattern::FullMatch(std::string_view utf8) const {
  if (re2_) return RE2::FullMatch(utf8, *re2_);
  if (CountCodePoints(utf8) > kMaxFallbackInput) return false;
  try {
    return std::regex_match(utf8.begin(), utf8.end(), *fallback_);
  } catch (const std::regex_error&) {
    return false;  // complexity or stack limit: treat as not matching
  }
}

}  // namespace rampart::protocol::internal
