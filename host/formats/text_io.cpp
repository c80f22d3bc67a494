// Text helpers of the line-oriented formats: line splitting, float32 ↔ text, quoting for error messages, and
// the token escaping that keeps every token one whitespace-free UTF-8 field (escape_token, unescape_token),
// and the check that no token names two rows (check_unique_tokens).
#include "formats/text_io.hpp"

#include <charconv>
#include <system_error>
#include <unordered_map>

#include "embgeo/error.hpp"
#include "formats/formats.hpp"

namespace embgeo::formats {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";  // printable's \xHH and escape_token's

}  // namespace

namespace detail {

// ---- lines -------------------------------------------------------------------------------------------

bool LineReader::next(std::string_view& line) {
  if (rest_.empty()) return false;
  const std::size_t newline = rest_.find('\n');
  line = rest_.substr(0, newline);
  rest_ = newline == std::string_view::npos ? std::string_view() : rest_.substr(newline + 1);
  ++line_number_;
  return true;
}

std::string_view trim_trailing_space(std::string_view line) {
  const std::size_t last = line.find_last_not_of(" \t\r\v\f");
  return last == std::string_view::npos ? std::string_view() : line.substr(0, last + 1);
}

std::string unescape_token_at(std::string_view text, const std::string& label, std::size_t line_number) {
  try {
    return unescape_token(std::string(text));
  } catch (const Error& e) {
    fail(label, ": line ", line_number, ": ", e.what());
  }
}

// ---- float text --------------------------------------------------------------------------------------

void append_float(std::string& out, float value) {
  char buffer[32];  // a shortest-form float32 takes at most 15 characters: sign, 9 digits, ".", "e-38"
  const std::to_chars_result result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

void append_floats(std::string& out, const float* values, std::size_t count, char separator, bool lead) {
  for (std::size_t i = 0; i < count; ++i) {
    if (lead || i > 0) out += separator;
    append_float(out, values[i]);
  }
}

bool parse_float(std::string_view text, float& value) {
  const char* end = text.data() + text.size();
  const std::from_chars_result result = std::from_chars(text.data(), end, value);
  return result.ec == std::errc() && result.ptr == end;
}

// ---- printable ---------------------------------------------------------------------------------------

std::string printable(std::string_view text, std::size_t limit) {
  std::string out;
  for (const char c : text.substr(0, limit)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) {
      out += "\\x";
      out += kHexDigits[byte >> 4];
      out += kHexDigits[byte & 0xF];
    } else {
      out += c;
    }
  }
  return text.size() > limit ? out + "..." : out;
}

}  // namespace detail

// ---- token escaping ----------------------------------------------------------------------------------
// One spelling of a token that is a single non-empty, whitespace-free, valid UTF-8 field, so vocab.txt, .vec
// and metadata.tsv lines stay one token per field whatever the tokenizer produced.

namespace {

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

void check_unique_tokens(const std::vector<std::string>& tokens, std::size_t first_line, const std::string& label) {
  std::unordered_map<std::string_view, std::size_t> line_of;
  line_of.reserve(tokens.size());
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const auto [seen, fresh] = line_of.emplace(tokens[i], first_line + i);
    if (!fresh)
      fail(label, ": line ", first_line + i, " repeats the token '", detail::printable(escape_token(tokens[i])),
           "' of line ", seen->second, " (a lookup by name would find only the first)");
  }
}

}  // namespace embgeo::formats
