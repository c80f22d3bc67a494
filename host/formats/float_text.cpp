#include "formats/float_text.hpp"

#include <charconv>
#include <system_error>

namespace embgeo::formats::detail {

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

}  // namespace embgeo::formats::detail
