// word2vec text format (.vec), read the way gensim's load_word2vec_format(binary=False) reads it.
#include <algorithm>
#include <charconv>

#include "embgeo/error.hpp"
#include "formats/formats.hpp"
#include "formats/matrix_shape.hpp"
#include "formats/text_io.hpp"
#include "util/atomic_file.hpp"

namespace embgeo::formats {
namespace {

bool parse_count(std::string_view text, std::int64_t& value) {
  const char* end = text.data() + text.size();
  const std::from_chars_result result = std::from_chars(text.data(), end, value);
  return result.ec == std::errc() && result.ptr == end && value >= 0;
}

// "V D" → rows and cols of the result; returns V × D.
std::uint64_t parse_header(std::string_view line, FloatMatrix& m, const std::string& label) {
  line = detail::trim_trailing_space(line);
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos || !parse_count(line.substr(0, space), m.rows) ||
      !parse_count(line.substr(space + 1), m.cols) || m.cols == 0)
    fail(label, ": line 1: expected the header \"<vocabulary size> <dimension>\" with dimension >= 1, got '",
         detail::printable(line), "'");
  return detail::checked_mul(static_cast<std::uint64_t>(m.rows), static_cast<std::uint64_t>(m.cols), label,
                             "vocabulary size x dimension");
}

}  // namespace

WordVectors parse_word2vec_text(const std::uint8_t* bytes, std::size_t size, const std::string& label,
                                TokenEncoding encoding) {
  detail::LineReader lines(bytes, size);
  std::string_view line;
  if (!lines.next(line)) fail(label, ": file is empty, expected the header \"<vocabulary size> <dimension>\"");
  WordVectors result;
  FloatMatrix& m = result.vectors;
  const std::uint64_t declared_values = parse_header(line, m, label);
  // The header is untrusted: reserve no more than the bytes present could hold (each value takes at least
  // two bytes, a digit and a separator).
  m.values.reserve(std::min<std::uint64_t>(declared_values, size / 2));

  for (std::int64_t row = 0; row < m.rows; ++row) {
    if (!lines.next(line)) fail(label, ": file ends after ", row, " of the ", m.rows, " rows the header declares");
    const std::size_t n = lines.line_number();
    line = detail::trim_trailing_space(line);
    const std::size_t token_end = std::min(line.find(' '), line.size());
    const std::string_view values = line.substr(std::min(token_end + 1, line.size()));
    const std::int64_t found = values.empty() ? 0 : 1 + std::count(values.begin(), values.end(), ' ');
    if (found != m.cols) fail(label, ": line ", n, ": expected ", m.cols, " values after the token but found ", found);
    const std::string_view token = line.substr(0, token_end);
    result.tokens.push_back(encoding == TokenEncoding::escaped ? detail::unescape_token_at(token, label, n)
                                                               : std::string(token));
    std::size_t start = 0;
    for (std::int64_t k = 1; k <= m.cols; ++k) {
      const std::size_t stop = std::min(values.find(' ', start), values.size());
      const std::string_view field = values.substr(start, stop - start);
      float value;
      if (!detail::parse_float(field, value))
        fail(label, ": line ", n, ": value ", k, " '", detail::printable(field), "' is not a float32 number");
      m.values.push_back(value);
      start = stop + 1;
    }
  }
  while (lines.next(line)) {
    if (!detail::trim_trailing_space(line).empty())
      fail(label, ": line ", lines.line_number(), ": more rows than the ", m.rows, " the header declares");
  }
  return result;
}

void write_word2vec_text(const std::string& path, const std::vector<std::string>& tokens, const FloatMatrix& vectors) {
  detail::check_token_rows(tokens, vectors, path);
  write_file_atomically(path, [&](std::ostream& out) {
    std::string line = std::to_string(vectors.rows) + " " + std::to_string(vectors.cols) + "\n";
    out.write(line.data(), static_cast<std::streamsize>(line.size()));
    const auto cols = static_cast<std::size_t>(vectors.cols);
    for (std::size_t row = 0; row < tokens.size(); ++row) {
      line = escape_token(tokens[row]);
      detail::append_floats(line, vectors.values.data() + row * cols, cols, ' ', true);
      line += '\n';
      out.write(line.data(), static_cast<std::streamsize>(line.size()));
    }
  });
}

}  // namespace embgeo::formats
