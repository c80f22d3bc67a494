// Tokens as plot and table labels: spaces, control bytes and invalid UTF-8 made visible (␣, \n, \xHH), the
// empty token as ∅, and long tokens cut to 16 shown characters, the last an ellipsis.
#include <cstddef>
#include <string>
#include <vector>

#include "plots/plots.hpp"

namespace embgeo {
namespace plots {

namespace {

constexpr std::size_t kMaxUnits = 16;

std::string hex_escape(unsigned char byte) {
  const char* digits = "0123456789ABCDEF";
  return std::string("\\x") + digits[byte >> 4] + digits[byte & 15];
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not one (overlong forms,
// surrogates and code points past U+10FFFF included) — byte-level tokenizers do produce such fragments.
std::size_t utf8_length(const std::string& s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // allowed range of the first continuation byte
  if (lead >= 0xC2 && lead <= 0xDF)
    length = 2;
  else if (lead >= 0xE0 && lead <= 0xEF)
    length = 3, low = lead == 0xE0 ? 0xA0 : 0x80, high = lead == 0xED ? 0x9F : 0xBF;
  else if (lead >= 0xF0 && lead <= 0xF4)
    length = 4, low = lead == 0xF0 ? 0x90 : 0x80, high = lead == 0xF4 ? 0x8F : 0xBF;
  else
    return 0;
  if (i + length > s.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  return length;
}

}  // namespace

std::string display_label(const std::string& token) {
  if (token.empty()) return "∅";
  // One unit per character as shown, so truncation never splits "\n" or a multi-byte character.
  std::vector<std::string> units;
  for (std::size_t i = 0; i < token.size();) {
    const unsigned char c = static_cast<unsigned char>(token[i]);
    if (c >= 0x80) {
      if (const std::size_t length = utf8_length(token, i)) {
        units.push_back(token.substr(i, length));
        i += length;
        continue;
      }
      units.push_back(hex_escape(c));
    } else if (c == ' ') {
      units.push_back("␣");
    } else if (c == '\n') {
      units.push_back("\\n");
    } else if (c == '\t') {
      units.push_back("\\t");
    } else if (c == '\r') {
      units.push_back("\\r");
    } else if (c < 0x20 || c == 0x7F) {
      units.push_back(hex_escape(c));
    } else {
      units.push_back(std::string(1, static_cast<char>(c)));
    }
    ++i;
  }
  if (units.size() > kMaxUnits) {
    units.resize(kMaxUnits - 1);
    units.push_back("…");
  }
  std::string out;
  for (const std::string& unit : units) out += unit;
  return out;
}

}  // namespace plots
}  // namespace embgeo
