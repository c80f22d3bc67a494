// Neighbour search on the CPU for inspect: row norms once, then per query one OpenBLAS GEMV over the table
// (the table is read once, at memory speed) and a top-k pick. The table is referred to, never copied: a real
// one is a gigabyte.
#include <cblas.h>

#include <cmath>

#include "embgeo/error.hpp"
#include "inspect/inspect.hpp"

namespace embgeo {
namespace {

class CpuNeighborIndex final : public NeighborIndex {
 public:
  CpuNeighborIndex(const std::vector<float>& table, int V, int D)
      : table_(table), V_(V), D_(D), norms_(metrics::row_norms(table, V, D)) {}
  std::string device() const override { return "cpu"; }

  std::vector<metrics::Neighbor> query(const std::vector<float>& vector, int k, const std::vector<int>& exclude) override {
    if (vector.size() != static_cast<std::size_t>(D_)) fail("neighbour query has ", vector.size(), " values, the table D=", D_);
    const std::vector<char> skip = metrics::neighbor_query_mask(V_, D_, vector.data(), k, exclude);
    // dots (V) = table (V,D) · query (D)
    std::vector<float> dots(static_cast<std::size_t>(V_));
    cblas_sgemv(CblasRowMajor, CblasNoTrans, V_, D_, 1.0f, table_.data(), D_, vector.data(), 1, 0.0f, dots.data(), 1);
    const double query_norm = std::sqrt(metrics::dot(vector.data(), vector.data(), D_));
    std::vector<double> cosines(static_cast<std::size_t>(V_));
    for (int v = 0; v < V_; ++v) {
      // A float dot of huge finite values can overflow where the double norms did not: redo that row in double.
      const double dot = std::isfinite(dots[v]) ? dots[v]
                                                : metrics::dot(&table_[static_cast<std::size_t>(v) * D_], vector.data(), D_);
      cosines[v] = metrics::cosine_from_dot(dot, norms_[v], query_norm);
    }
    return metrics::top_k_neighbors(cosines, skip, k);
  }

 private:
  const std::vector<float>& table_;
  int V_, D_;
  std::vector<double> norms_;  // V
};

}  // namespace

std::unique_ptr<NeighborIndex> make_cpu_neighbor_index(const std::vector<float>& table, int V, int D) {
  metrics::check_matrix(table, V, D, "embedding table");
  return std::make_unique<CpuNeighborIndex>(table, V, D);
}

}  // namespace embgeo
