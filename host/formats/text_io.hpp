#pragma once
// Text helpers of the line-oriented formats (internal to host/formats): line splitting with numbers for
// messages, locale-free float32 ↔ text, and quoting untrusted text in one-line error messages.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace embgeo::formats::detail {

// ---- lines -------------------------------------------------------------------------------------------

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

// ---- float text --------------------------------------------------------------------------------------
// Independent of the C locale.

// Appends the shortest decimal text that reads back to the same float32 ("0.1", "1e-45", "nan", "-inf").
void append_float(std::string& out, float value);

// Appends `count` values, each preceded by `separator` except the first when `lead` is false.
void append_floats(std::string& out, const float* values, std::size_t count, char separator, bool lead);

// Parses the whole of `text` as a float32 (decimal or scientific, "inf", "nan"). False when it is empty,
// not a number, has trailing characters, or lies outside float32 range.
bool parse_float(std::string_view text, float& value);

// ---- printable ---------------------------------------------------------------------------------------
// For untrusted text (tensor names, header fields, tokens) inside one-line error messages.

// `text` with control bytes shown as \xHH so the message stays one line, cut to `limit` bytes with "..." so
// a hostile file cannot make it huge. For display only: not reversible (see escape_token for that).
std::string printable(std::string_view text, std::size_t limit = 120);

}  // namespace embgeo::formats::detail
