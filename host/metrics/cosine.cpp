// Dot products and cosine similarity of embedding rows, accumulated in double, and the full V×V cosine matrix
// for the heatmaps.
#include <algorithm>
#include <cmath>
#include <cstddef>

#include "embgeo/error.hpp"
#include "metrics/metrics.hpp"

namespace embgeo::metrics {

double dot(const float* a, const float* b, int D) {
  if (D < 0) fail("dot: negative dimension ", D);
  double sum = 0;
  for (int d = 0; d < D; ++d) sum += static_cast<double>(a[d]) * b[d];
  return sum;
}

double cosine_from_dot(double dot, double norm_a, double norm_b) {
  if (norm_a == 0 || norm_b == 0) return 0;
  // Rounding can push parallel vectors a hair past ±1; callers may take acos or compare against 1.
  return std::clamp(dot / (norm_a * norm_b), -1.0, 1.0);
}

double cosine(const float* a, const float* b, int D) {
  return cosine_from_dot(dot(a, b, D), std::sqrt(dot(a, a, D)), std::sqrt(dot(b, b, D)));
}

std::vector<float> cosine_matrix(const std::vector<float>& table, int V, int D) {
  check_matrix(table, V, D, "cosine_matrix");
  if (V > kMaxCosineMatrixVocab)
    fail("cosine_matrix: V=", V, " would need ", static_cast<double>(V) * V * 4 / (1 << 30),
         " GiB; the limit is V=", kMaxCosineMatrixVocab);
  const std::vector<double> norms = row_norms(table, V, D);  // V
  std::vector<float> matrix(static_cast<std::size_t>(V) * V);  // V×V
  for (int a = 0; a < V; ++a)
    for (int b = a; b < V; ++b) {
      const double value = cosine_from_dot(dot(&table[static_cast<std::size_t>(a) * D],
                                               &table[static_cast<std::size_t>(b) * D], D),
                                           norms[a], norms[b]);
      matrix[static_cast<std::size_t>(a) * V + b] = static_cast<float>(value);
      matrix[static_cast<std::size_t>(b) * V + a] = static_cast<float>(value);
    }
  return matrix;
}

}  // namespace embgeo::metrics
