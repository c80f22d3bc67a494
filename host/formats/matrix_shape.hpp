#pragma once
// Shape arithmetic and FloatMatrix checks shared by the readers and writers (internal to host/formats).
#include <cstdint>
#include <string>
#include <vector>

#include "formats/formats.hpp"

namespace embgeo::formats::detail {

// "[2, 3]", for messages.
std::string shape_text(const std::vector<std::int64_t>& shape);

// a × b, or Error "<label>: <what> overflows" when the product does not fit in 64 bits.
std::uint64_t checked_mul(std::uint64_t a, std::uint64_t b, const std::string& label, const std::string& what);

// Number of elements of a shape with non-negative dimensions; Error when the product overflows.
std::uint64_t element_count(const std::vector<std::int64_t>& shape, const std::string& label);

// An empty FloatMatrix with rows, cols and is_vector set for a 1-D or 2-D shape; Error for other ranks.
FloatMatrix matrix_for_shape(const std::vector<std::int64_t>& shape, const std::string& label);

// What every writer requires: non-negative dimensions, values.size() == rows × cols, and cols == 1 for a
// vector.
void check_matrix(const FloatMatrix& m, const std::string& label);

// check_matrix, plus one token per row and at least one column (the text formats need a value per row).
void check_token_rows(const std::vector<std::string>& tokens, const FloatMatrix& m, const std::string& label);

}  // namespace embgeo::formats::detail
