#pragma once
// Helpers for the line-oriented text formats: line splitting with 1-based numbers for messages, trailing
// whitespace, and token fields whose errors name the line (internal to host/formats).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace embgeo::formats::detail {

class LineReader {
 public:
  LineReader(const std::uint8_t* bytes, std::size_t size) : rest_(reinterpret_cast<const char*>(bytes), size) {}

  // The next line without its '\n'; false at the end. A final line without '\n' is still a line, but a
  // file ending in '\n' has no empty line after it.
  bool next(std::string_view& line);
  // The number of the line last returned by next().
  std::size_t line_number() const { return line_number_; }

 private:
  std::string_view rest_;
  std::size_t line_number_ = 0;
};

// `line` without trailing ASCII whitespace (space, \t, \r, \v, \f), as Python's bytes.rstrip() does.
std::string_view trim_trailing_space(std::string_view line);

// unescape_token, with an error that names the file and line.
std::string unescape_token_at(std::string_view text, const std::string& label, std::size_t line_number);

}  // namespace embgeo::formats::detail
