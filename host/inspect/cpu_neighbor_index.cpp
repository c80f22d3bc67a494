#include "embgeo/inspect.hpp"

namespace embgeo {
namespace {

class CpuNeighborIndex final : public NeighborIndex {
 public:
  CpuNeighborIndex(const std::vector<float>& table, int V, int D) : table_(table), V_(V), D_(D) {}
  std::string device() const override { return "cpu"; }
  std::vector<metrics::Neighbor> query(const std::vector<float>& vector, int k, const std::vector<int>& exclude) override {
    return metrics::nearest_neighbors(table_, V_, D_, vector.data(), k, exclude);
  }

 private:
  const std::vector<float>& table_;
  int V_, D_;
};

}  // namespace

std::unique_ptr<NeighborIndex> make_cpu_neighbor_index(const std::vector<float>& table, int V, int D) {
  metrics::check_matrix(table, V, D, "embedding table");
  return std::make_unique<CpuNeighborIndex>(table, V, D);
}

}  // namespace embgeo
