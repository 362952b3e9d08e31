#include "policy/internal/glob.h"

#include "policy/internal/text.h"

namespace rampart::policy::internal {
namespace {

bool SegmentEquals(std::string_view segment, std::string_view text, bool ignore_case) {
  // INVARIANT: text.size() == segment.size()
  for (std::size_t i = 0; i < segment.size(); ++i) {
    char p = segment[i];
    if (p == kGlobOne) continue;
    char c = text[i];
    if (ignore_case) {
      p = AsciiLowerChar(p);
      c = AsciiLowerChar(c);
    }
    if (p != c) return false;
  }
  return true;
}

}  // namespace

std::string EncodeGlob(std::string_view raw) {
  std::string out(raw);
  for (char& c : out) {
    if (c == '*') {
      c = kGlobStar;
    } else if (c == '?') {
      c = kGlobOne;
    }
  }
  return out;
}

bool HasWildcard(std::string_view encoded) {
  return encoded.find(kGlobStar) != std::string_view::npos ||
         encoded.find(kGlobOne) != std::string_view::npos;
}

bool GlobMatch(std::string_view pattern, std::string_view text, bool ignore_case) {
  std::size_t star = pattern.find(kGlobStar);
  if (star == std::string_view::npos) {
    return pattern.size() == text.size() && SegmentEquals(pattern, text, ignore_case);
  }
  std::string_view head = pattern.substr(0, star);
  if (text.size() < head.size() || !SegmentEquals(head, text.substr(0, head.size()), ignore_case)) {
    return false;
  }
  std::size_t t = head.size();
  std::size_t p = star + 1;
  while (true) {
    std::size_t next = pattern.find(kGlobStar, p);
    if (next == std::string_view::npos) {
      std::string_view tail = pattern.substr(p);
      if (text.size() - t < tail.size()) return false;
      return SegmentEquals(tail, text.substr(text.size() - tail.size()), ignore_case);
    }
    std::string_view segment = pattern.substr(p, next - p);
    p = next + 1;
    if (segment.empty()) continue;
    // Leftmost placement of this segment at or after t.
    bool placed = false;
    while (text.size() - t >= segment.size()) {
      if (SegmentEquals(segment, text.substr(t, segment.size()), ignore_case)) {
        placed = true;
        break;
      }
      ++t;
    }
    if (!placed) return false;
    t += segment.size();
  }
}

Matcher::Matcher(std::string_view encoded, bool ignore_case) {
  pattern_ = ignore_case ? ToLower(encoded) : std::string(encoded);
  std::size_t first_star = pattern_.find(kGlobStar);
  bool has_one = pattern_.find(kGlobOne) != std::string::npos;
  if (pattern_.size() == 1 && first_star == 0) {
    kind_ = Kind::kAny;
  } else if (first_star == std::string::npos && !has_one) {
    kind_ = Kind::kExact;
  } else if (!has_one && first_star == pattern_.size() - 1) {
    kind_ = Kind::kPrefix;
    pattern_.pop_back();
  } else {
    kind_ = Kind::kGlob;
  }
}

bool Matcher::Match(std::string_view text) const {
  switch (kind_) {
    case Kind::kAny:
      return true;
    case Kind::kExact:
      return text == pattern_;
    case Kind::kPrefix:
      return text.size() >= pattern_.size() && text.compare(0, pattern_.size(), pattern_) == 0;
    case Kind::kGlob:
      return GlobMatch(pattern_, text, false);
  }
  return false;
}

}  // namespace rampart::policy::internal
