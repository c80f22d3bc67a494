#include "formats/text_lines.hpp"

#include "embgeo/error.hpp"
#include "formats/formats.hpp"

namespace embgeo::formats::detail {

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

}  // namespace embgeo::formats::detail
