#include "protocol/internal/text.h"

#include <fmt/format.h>

namespace rampart::protocol::internal {
namespace {

// Length of the valid UTF-8 sequence starting at `pos`, or 0 if it is invalid.
// Decodes the code point into `code_point`.
std::size_t ValidSequence(std::string_view text, std::size_t pos, std::uint32_t& code_point) {
  auto byte = [&](std::size_t idx) { return static_cast<unsigned char>(text[idx]); };
  unsigned char lead = byte(pos);
  if (lead < 0x80) {
    code_point = lead;
    return 1;
  }
  std::size_t length = 0;
  std::uint32_t min_value = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    code_point = lead & 0x1F;
    min_value = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    code_point = lead & 0x0F;
    min_value = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    code_point = lead & 0x07;
    min_value = 0x10000;
  } else {
    return 0;
  }
  if (pos + length > text.size()) return 0;
  for (std::size_t idx = 1; idx < length; ++idx) {
    unsigned char cont = byte(pos + idx);
    if ((cont & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (cont & 0x3F);
  }
  if (code_point < min_value || code_point > 0x10FFFF) return 0;
  if (code_point >= 0xD800 && code_point <= 0xDFFF) return 0;
  return length;
}

}  // namespace

std::size_t CountCodePoints(std::string_view utf8) {
  std::size_t count = 0;
  for (std::size_t pos = 0; pos < utf8.size();) {
    std::uint32_t code_point = 0;
    std::size_t length = ValidSequence(utf8, pos, code_point);
    pos += length == 0 ? 1 : length;
    ++count;
  }
  return count;
}

bool IsValidUtf8(std::string_view text) {
  for (std::size_t pos = 0; pos < text.size();) {
    std::uint32_t code_point = 0;
    std::size_t length = ValidSequence(text, pos, code_point);
    if (length == 0) return false;
    pos += length;
  }
  return true;
}

std::string SanitizeUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t pos = 0; pos < text.size();) {
    std::uint32_t code_point = 0;
    std::size_t length = ValidSequence(text, pos, code_point);
    if (length == 0) {
      out += "\xEF\xBF\xBD";
      ++pos;
    } else {
      out.append(text.substr(pos, length));
      pos += length;
    }
  }
  return out;
}

void AppendXmlEscaped(std::string& out, std::string_view raw) {
  // XML 1.0 text must be valid UTF-8 and may not contain C0 controls other than tab, LF and
  // CR, not even as character references: invalid sequences and such controls become U+FFFD,
  // so an echoed client value can never make the document malformed.
  std::string sanitized;
  std::string_view text = raw;
  if (!IsValidUtf8(raw)) {
    sanitized = SanitizeUtf8(raw);
    text = sanitized;
  }
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      // A literal CR would be normalised away by the client's XML parser.
      case '\r': out += "&#xD;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
          out += "\xEF\xBF\xBD";  // U+FFFD
        } else {
          out.push_back(c);
        }
    }
  }
}

std::string LowerFirst(std::string_view name) {
  std::string out(name);
  if (!out.empty() && out[0] >= 'A' && out[0] <= 'Z') out[0] = static_cast<char>(out[0] - 'A' + 'a');
  return out;
}

std::int32_t JavaStringHash(std::string_view utf8) {
  std::uint32_t hash = 0;
  auto add_unit = [&](std::uint32_t unit) { hash = hash * 31u + unit; };
  for (std::size_t pos = 0; pos < utf8.size();) {
    std::uint32_t code_point = 0;
    std::size_t length = ValidSequence(utf8, pos, code_point);
    if (length == 0) {
      code_point = 0xFFFD;
      length = 1;
    }
    if (code_point >= 0x10000) {
      std::uint32_t offset = code_point - 0x10000;
      add_unit(0xD800 + (offset >> 10));
      add_unit(0xDC00 + (offset & 0x3FF));
    } else {
      add_unit(code_point);
    }
    pos += length;
  }
  return static_cast<std::int32_t>(hash);
}

}  // namespace rampart::protocol::internal
