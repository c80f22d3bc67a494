// NumPy .npy, read (format spec v1.0–3.0) and written (v1.0, '<f4', C order, header laid out exactly as
// numpy.save writes it). numpy reads the header dict with ast.literal_eval, so the reader accepts the same
// small grammar: quoted strings, True/False, tuples of non-negative ints, free whitespace and trailing commas.
#include <cstring>
#include <string>
#include <string_view>

#include "embgeo/error.hpp"
#include "formats/binary_io.hpp"
#include "formats/formats.hpp"
#include "formats/matrix_shape.hpp"
#include "formats/text_io.hpp"
#include "util/atomic_file.hpp"

namespace embgeo::formats {

// ---- reader ------------------------------------------------------------------------------------------

namespace {

struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<std::int64_t> shape;
};

class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& label) : text_(text), label_(label) {}

  NpyHeader parse() {
    NpyHeader header;
    bool seen_descr = false, seen_order = false, seen_shape = false;
    expect('{');
    while (!consume('}')) {
      const std::string key = string_literal();
      expect(':');
      if (key == "descr" && !seen_descr) {
        header.descr = string_literal(), seen_descr = true;
      } else if (key == "fortran_order" && !seen_order) {
        header.fortran_order = boolean(), seen_order = true;
      } else if (key == "shape" && !seen_shape) {
        header.shape = int_tuple(), seen_shape = true;
      } else {
        error("unexpected or repeated key '" + detail::printable(key) + "'");
      }
      if (!consume(',')) {
        expect('}');
        break;
      }
    }
    skip_space();
    if (pos_ != text_.size()) error("unexpected text after the closing '}'");
    if (!seen_descr || !seen_order || !seen_shape) error("needs the keys 'descr', 'fortran_order' and 'shape'");
    return header;
  }

 private:
  [[noreturn]] void error(const std::string& problem) const {
    fail(label_, ": malformed header at character ", pos_, ": ", problem);
  }

  void skip_space() {
    while (pos_ < text_.size() && std::strchr(" \t\n\r", text_[pos_]) != nullptr) ++pos_;
  }

  bool consume(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  void expect(char c) {
    if (!consume(c)) error(std::string("expected '") + c + "'");
  }

  // '...' or "..." without escapes (no key or dtype spelling needs one).
  std::string string_literal() {
    skip_space();
    if (pos_ == text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) error("expected a quoted string");
    const char quote = text_[pos_++];
    const std::size_t close = text_.find(quote, pos_);
    if (close == std::string_view::npos) error("unterminated string");
    const std::string_view value = text_.substr(pos_, close - pos_);
    if (value.find('\\') != std::string_view::npos) error("escapes in strings are not supported");
    pos_ = close + 1;
    return std::string(value);
  }

  bool boolean() {
    skip_space();
    for (const auto& [word, value] : {std::pair<std::string_view, bool>{"True", true}, {"False", false}}) {
      if (text_.substr(pos_, word.size()) == word) {
        pos_ += word.size();
        return value;
      }
    }
    error("expected True or False");
  }

  std::int64_t non_negative_int() {
    skip_space();
    const std::size_t start = pos_;
    std::int64_t value = 0;
    for (; pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9'; ++pos_) {
      if (__builtin_mul_overflow(value, 10, &value) || __builtin_add_overflow(value, text_[pos_] - '0', &value))
        error("dimension too large");
    }
    if (pos_ == start) error("expected a non-negative integer");
    return value;
  }

  // "()", "(n,)", "(a, b)" or "(a, b,)"; "(n)" is an int in Python, not a tuple.
  std::vector<std::int64_t> int_tuple() {
    std::vector<std::int64_t> values;
    expect('(');
    bool trailing_comma = false;
    while (!consume(')')) {
      values.push_back(non_negative_int());
      trailing_comma = consume(',');
      if (!trailing_comma) {
        expect(')');
        break;
      }
    }
    if (values.size() == 1 && !trailing_comma) error("a one-element shape needs a trailing comma: (n,)");
    return values;
  }

  std::string_view text_;
  const std::string& label_;
  std::size_t pos_ = 0;
};

detail::FloatType element_type(const std::string& descr, const std::string& label) {
  if (descr == "<f4") return detail::FloatType::f32;
  if (descr == "<f2") return detail::FloatType::f16;
  if (descr == "<f8") return detail::FloatType::f64;
  if (!descr.empty() && descr[0] == '>')
    fail(label, ": big-endian dtype '", detail::printable(descr), "' is not supported");
  fail(label, ": unsupported dtype '", detail::printable(descr), "' (expected '<f4', '<f2' or '<f8')");
}

}  // namespace

FloatMatrix parse_npy(const std::uint8_t* bytes, std::size_t size, const std::string& label) {
  detail::ByteCursor cursor(bytes, size, label);
  if (std::memcmp(cursor.take(6, "magic"), "\x93NUMPY", 6) != 0) fail(label, ": bad magic, not a .npy file");
  const std::uint8_t* version = cursor.take(2, "version");
  if ((version[0] != 1 && version[0] != 2 && version[0] != 3) || version[1] != 0)
    fail(label, ": unknown .npy version ", int(version[0]), ".", int(version[1]), " (expected 1.0, 2.0 or 3.0)");
  const std::uint64_t header_size = cursor.take_le(version[0] == 1 ? 2 : 4, "header length");
  const auto* text = reinterpret_cast<const char*>(cursor.take(header_size, "header"));
  const NpyHeader header = HeaderParser(std::string_view(text, header_size), label).parse();

  const detail::FloatType type = element_type(header.descr, label);
  if (header.fortran_order) fail(label, ": Fortran-order arrays are not supported (save with C order)");
  FloatMatrix m = detail::matrix_for_shape(header.shape, label);
  const std::uint64_t count = detail::element_count(header.shape, label);
  const std::uint64_t data_size =
      detail::checked_mul(count, static_cast<std::uint64_t>(detail::float_type_size(type)), label, "array size");
  const std::uint8_t* data = cursor.take(data_size, "array data");
  if (cursor.remaining() != 0) fail(label, ": ", cursor.remaining(), " unexpected bytes after the array data");
  m.values = detail::decode_floats(data, count, type);
  return m;
}

// ---- writer ------------------------------------------------------------------------------------------

void write_npy(const std::string& path, const FloatMatrix& m) {
  detail::check_matrix(m, path);
  const std::string shape = m.is_vector ? "(" + std::to_string(m.rows) + ",)"
                                        : "(" + std::to_string(m.rows) + ", " + std::to_string(m.cols) + ")";
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
  // magic (6) + version (2) + header length (2) + dict + '\n' is padded with spaces to a multiple of 64 so
  // the data is aligned for memory mapping.
  constexpr std::size_t kPrefix = 10, kAlign = 64;
  dict.append((kAlign - (kPrefix + dict.size() + 1) % kAlign) % kAlign, ' ');
  dict += '\n';

  std::string bytes = "\x93NUMPY";
  bytes += '\x01';
  bytes += '\x00';
  detail::append_le(bytes, dict.size(), 2);
  bytes += dict;
  detail::append_f32_le(bytes, m.values.data(), m.values.size());
  write_file_atomically(path, bytes);
}

}  // namespace embgeo::formats
