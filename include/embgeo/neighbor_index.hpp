#pragma once
// The nearest-rows search interface that `inspect` uses; the CPU index (host/inspect/) and the CUDA index
// (kernels/neighbor_index.cu) implement it.
#include <memory>
#include <string>
#include <vector>

namespace embgeo {

struct Neighbor {
  int id = 0;
  double cosine = 0;
};

// Nearest rows by cosine, on the GPU (normalized table resident on the device, a cuBLAS GEMV and a CUB
// radix sort per query) or on the CPU (metrics::nearest_neighbors).
class NeighborIndex {
 public:
  virtual ~NeighborIndex() = default;
  virtual std::string device() const = 0;
  virtual std::vector<Neighbor> query(const std::vector<float>& vector, int k, const std::vector<int>& exclude) = 0;
};

}  // namespace embgeo
