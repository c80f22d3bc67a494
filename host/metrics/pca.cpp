// Two-component PCA of embedding rows (covariance diagonalized by Jacobi rotations, signs fixed so pictures do
// not flip) and projection of other rows onto that basis.
#include <cmath>
#include <cstddef>
#include <limits>

#include "embgeo/error.hpp"
#include "metrics/metrics.hpp"

namespace embgeo::metrics {
namespace {

// Diagonalizes the symmetric n×n matrix `a` in place by cyclic Jacobi rotations: afterwards its diagonal holds
// the eigenvalues and column j of the returned n×n matrix is the unit eigenvector of a[j][j]. Chosen over
// power iteration because it stays exact when eigenvalues are equal or close (a round cloud of points).
std::vector<double> jacobi_eigen(std::vector<double>& a, int n) {
  std::vector<double> vectors(static_cast<std::size_t>(n) * n, 0.0);  // n×n
  for (int i = 0; i < n; ++i) vectors[static_cast<std::size_t>(i) * n + i] = 1.0;
  const auto at = [n](std::vector<double>& m, int row, int col) -> double& {
    return m[static_cast<std::size_t>(row) * n + col];
  };

  constexpr int kMaxSweeps = 100;  // convergence is quadratic; real inputs need well under 20
  for (int sweep = 0; sweep < kMaxSweeps; ++sweep) {
    // An off-diagonal entry below rounding of the largest diagonal entry cannot move an eigenvalue or
    // eigenvector measurably; a sweep that finds none larger is the end (for the zero matrix, the first).
    double largest_diagonal = 0;
    for (int i = 0; i < n; ++i) largest_diagonal = std::fmax(largest_diagonal, std::fabs(at(a, i, i)));
    const double negligible =
        std::fmax(std::numeric_limits<double>::min(), 2 * std::numeric_limits<double>::epsilon() * largest_diagonal);
    bool rotated = false;
    for (int p = 0; p < n; ++p)
      for (int q = p + 1; q < n; ++q) {
        const double apq = at(a, p, q);
        if (std::fabs(apq) <= negligible) continue;
        rotated = true;
        // The rotation angle that zeroes a[p][q]; t = tan(angle) is taken as the smaller root for stability.
        const double theta = (at(a, q, q) - at(a, p, p)) / (2 * apq);
        const double t = (theta >= 0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1), s = t * c;
        const auto rotate = [c, s](double& x, double& y) {
          const double xp = x, yq = y;
          x = c * xp - s * yq;
          y = s * xp + c * yq;
        };
        for (int k = 0; k < n; ++k) rotate(at(a, k, p), at(a, k, q));              // a ← a·J
        for (int k = 0; k < n; ++k) rotate(at(a, p, k), at(a, q, k));              // a ← Jᵀ·a
        for (int k = 0; k < n; ++k) rotate(at(vectors, k, p), at(vectors, k, q));  // vectors ← vectors·J
        at(a, p, q) = at(a, q, p) = 0;  // exactly zero in exact arithmetic; drop the rounding residue
      }
    if (!rotated) return vectors;
  }
  fail("pca_2d: Jacobi eigenvalue iteration did not converge in ", kMaxSweeps, " sweeps");
}

// Flips `v` so its largest-magnitude entry is positive. Entries within 1e-9 of the largest count as equal and
// the first wins, so rounding noise between equal entries cannot flip the picture.
void fix_sign(double* v, int D) {
  double largest = 0;
  for (int d = 0; d < D; ++d) largest = std::fmax(largest, std::fabs(v[d]));
  for (int d = 0; d < D; ++d)
    if (std::fabs(v[d]) >= largest - 1e-9) {
      if (v[d] < 0)
        for (int e = 0; e < D; ++e) v[e] = -v[e];
      return;
    }
}

}  // namespace

Pca2 pca_2d(const std::vector<float>& rows, int N, int D) {
  check_matrix(rows, N, D, "pca_2d");
  const auto x = [&](int n, int d) { return static_cast<double>(rows[static_cast<std::size_t>(n) * D + d]); };

  Pca2 pca;
  pca.mean.assign(D, 0.0);  // D
  for (int n = 0; n < N; ++n)
    for (int d = 0; d < D; ++d) pca.mean[d] += x(n, d);
  for (double& m : pca.mean) m /= N;

  std::vector<double> covariance(static_cast<std::size_t>(D) * D, 0.0);  // D×D
  for (int n = 0; n < N; ++n)
    for (int i = 0; i < D; ++i)
      for (int j = i; j < D; ++j)
        covariance[static_cast<std::size_t>(i) * D + j] += (x(n, i) - pca.mean[i]) * (x(n, j) - pca.mean[j]);
  double trace = 0;
  for (int i = 0; i < D; ++i)
    for (int j = i; j < D; ++j) {
      double& upper = covariance[static_cast<std::size_t>(i) * D + j];
      upper /= N;
      covariance[static_cast<std::size_t>(j) * D + i] = upper;
      if (i == j) trace += upper;
    }

  const std::vector<double> vectors = jacobi_eigen(covariance, D);  // D×D, column j ↔ covariance[j][j]
  const auto eigenvalue = [&](int j) { return covariance[static_cast<std::size_t>(j) * D + j]; };
  // The two largest eigenvalues, ties to the lower index.
  int first = 0;
  for (int j = 1; j < D; ++j)
    if (eigenvalue(j) > eigenvalue(first)) first = j;
  int second = -1;
  for (int j = 0; j < D; ++j)
    if (j != first && (second < 0 || eigenvalue(j) > eigenvalue(second))) second = j;

  pca.components.assign(2 * static_cast<std::size_t>(D), 0.0);  // 2×D; row 1 stays zero when D = 1
  const int chosen[2] = {first, second};
  for (int k = 0; k < 2 && chosen[k] >= 0; ++k) {
    double* component = &pca.components[static_cast<std::size_t>(k) * D];
    for (int d = 0; d < D; ++d) component[d] = vectors[static_cast<std::size_t>(d) * D + chosen[k]];
    fix_sign(component, D);
    // Covariance eigenvalues are ≥ 0; rounding can leave a tiny negative one.
    if (trace > 0) pca.explained[k] = std::fmax(0.0, eigenvalue(chosen[k])) / trace;
  }
  pca.coords = project_2d(pca, rows, N, D);
  return pca;
}

std::vector<double> project_2d(const Pca2& basis, const std::vector<float>& rows, int N, int D) {
  check_matrix(rows, N, D, "project_2d");
  if (basis.mean.size() != static_cast<std::size_t>(D) || basis.components.size() != 2 * basis.mean.size())
    fail("project_2d: the basis was built for D=", basis.mean.size(), " but the rows have D=", D);
  std::vector<double> coords(2 * static_cast<std::size_t>(N), 0.0);  // N×2
  for (int n = 0; n < N; ++n)
    for (int k = 0; k < 2; ++k) {
      const float* row = &rows[static_cast<std::size_t>(n) * D];
      const double* component = &basis.components[static_cast<std::size_t>(k) * D];
      double sum = 0;
      for (int d = 0; d < D; ++d) sum += (row[d] - basis.mean[d]) * component[d];
      coords[static_cast<std::size_t>(n) * 2 + k] = sum;
    }
  return coords;
}

}  // namespace embgeo::metrics
