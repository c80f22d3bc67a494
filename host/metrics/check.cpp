#include <cmath>
#include <cstddef>

#include "embgeo/error.hpp"
#include "embgeo/metrics.hpp"

namespace embgeo::metrics {

void check_matrix(const std::vector<float>& values, int rows, int cols, const char* what) {
  if (rows < 1 || cols < 1) fail(what, ": shape ", rows, "x", cols, " must have at least one row and column");
  const std::size_t expected = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
  if (values.size() != expected)
    fail(what, ": expected ", rows, "x", cols, " = ", expected, " values, got ", values.size());
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i]))
      fail(what, ": non-finite value ", values[i], " at row ", i / cols, " column ", i % cols);
}

}  // namespace embgeo::metrics
