// Shape arithmetic with overflow checks, and the FloatMatrix checks every writer runs first.
#include "formats/matrix_shape.hpp"

#include "embgeo/error.hpp"

namespace embgeo::formats::detail {

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

std::uint64_t checked_mul(std::uint64_t a, std::uint64_t b, const std::string& label, const std::string& what) {
  std::uint64_t product;
  if (__builtin_mul_overflow(a, b, &product)) fail(label, ": ", what, " overflows");
  return product;
}

std::uint64_t element_count(const std::vector<std::int64_t>& shape, const std::string& label) {
  std::uint64_t count = 1;
  for (const std::int64_t dim : shape)
    count = checked_mul(count, static_cast<std::uint64_t>(dim), label, "element count of shape " + shape_text(shape));
  return count;
}

FloatMatrix matrix_for_shape(const std::vector<std::int64_t>& shape, const std::string& label) {
  FloatMatrix m;
  if (shape.size() == 1) {
    m.rows = shape[0], m.cols = 1, m.is_vector = true;
  } else if (shape.size() == 2) {
    m.rows = shape[0], m.cols = shape[1];
  } else {
    fail(label, ": shape ", shape_text(shape), " has rank ", shape.size(),
         "; only 1-D and 2-D arrays load as a matrix");
  }
  return m;
}

void check_matrix(const FloatMatrix& m, const std::string& label) {
  if (m.rows < 0 || m.cols < 0) fail(label, ": negative matrix shape ", m.rows, " x ", m.cols);
  if (m.is_vector && m.cols != 1) fail(label, ": a vector must have cols == 1, got ", m.cols);
  const std::uint64_t expected = element_count({m.rows, m.cols}, label);
  if (m.values.size() != expected)
    fail(label, ": matrix of ", m.rows, " x ", m.cols, " needs ", expected, " values but holds ", m.values.size());
}

void check_token_rows(const std::vector<std::string>& tokens, const FloatMatrix& m, const std::string& label) {
  check_matrix(m, label);
  if (m.cols < 1) fail(label, ": vectors need at least one column, got ", m.cols);
  if (tokens.size() != static_cast<std::uint64_t>(m.rows))
    fail(label, ": ", tokens.size(), " tokens for ", m.rows, " vector rows");
}

}  // namespace embgeo::formats::detail
