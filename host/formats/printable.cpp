#include "formats/printable.hpp"

namespace embgeo::formats::detail {

std::string printable(std::string_view text, std::size_t limit) {
  constexpr char kHexDigits[] = "0123456789abcdef";
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

}  // namespace embgeo::formats::detail
