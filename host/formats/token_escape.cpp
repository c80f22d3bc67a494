// Token escaping: one spelling of a token that is a single non-empty, whitespace-free, valid UTF-8 field,
// so vocab.txt, .vec and metadata.tsv lines stay one token per field whatever the tokenizer produced.
#include "embgeo/error.hpp"
#include "formats/formats.hpp"
#include "formats/printable.hpp"

namespace embgeo::formats {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence starting at text[i] (RFC 3629: no overlongs, surrogates or code
// points above U+10FFFF, as Python's strict decoder requires), or 0 when text[i] does not start one.
std::size_t utf8_sequence_length(const std::string& text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char lead = byte(0);
  std::size_t length;
  unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(1) < low || byte(1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k)
    if (byte(k) < 0x80 || byte(k) > 0xBF) return 0;
  return length;
}

[[noreturn]] void malformed(const std::string& text, const std::string& problem) {
  fail("malformed token escape in '", detail::printable(text), "': ", problem);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string escape_token(const std::string& token) {
  if (token.empty()) return "\\e";
  std::string out;
  out.reserve(token.size());
  std::size_t i = 0;
  while (i < token.size()) {
    const char c = token[i];
    const std::size_t length = utf8_sequence_length(token, i);
    if (length > 1) {
      out.append(token, i, length);
      i += length;
      continue;
    }
    ++i;
    switch (c) {
      case '\\': out += "\\\\"; continue;
      case ' ': out += "\\s"; continue;
      case '\t': out += "\\t"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      default: break;
    }
    const auto byte = static_cast<unsigned char>(c);
    if (length == 1 && byte >= 0x20 && byte != 0x7F) {
      out += c;
    } else {
      out += "\\x";
      out += kHexDigits[byte >> 4];
      out += kHexDigits[byte & 0xF];
    }
  }
  return out;
}

std::string unescape_token(const std::string& text) {
  if (text == "\\e") return "";
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (i + 1 == text.size()) malformed(text, "trailing backslash");
    const char kind = text[++i];
    switch (kind) {
      case '\\': out += '\\'; break;
      case 's': out += ' '; break;
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 'x': {
        const int high = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
        const int low = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
        if (high < 0 || low < 0) malformed(text, "\\x needs two hex digits");
        out += static_cast<char>(high * 16 + low);
        i += 2;
        break;
      }
      case 'e': malformed(text, "\\e (the empty token) must stand alone");
      default: malformed(text, "unknown escape \\" + detail::printable(std::string_view(&kind, 1)));
    }
  }
  return out;
}

}  // namespace embgeo::formats
