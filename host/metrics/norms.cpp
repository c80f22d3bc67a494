// L2 norm of every embedding row (the norms plot and the run summaries).
#include <cmath>
#include <cstddef>

#include "metrics/metrics.hpp"

namespace embgeo::metrics {

std::vector<double> row_norms(const std::vector<float>& table, int V, int D) {
  check_matrix(table, V, D, "row_norms");
  std::vector<double> norms(V);  // V
  for (int v = 0; v < V; ++v) {
    const float* row = table.data() + static_cast<std::size_t>(v) * D;
    norms[v] = std::sqrt(dot(row, row, D));
  }
  return norms;
}

}  // namespace embgeo::metrics
