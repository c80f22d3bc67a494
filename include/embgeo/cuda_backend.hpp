#pragma once
// The CUDA library's interface (implemented in kernels/): GPU discovery, the CUDA backend and the GPU
// neighbour index. Everything here is callable on a machine without a GPU or driver: query_gpus() reports why
// there is none instead of failing.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "embgeo/backend.hpp"
#include "embgeo/neighbor_index.hpp"

namespace embgeo {

struct GpuInventory {
  int count = 0;
  std::string why_none;  // e.g. "no CUDA driver (cudaErrorInsufficientDriver)"; empty when count > 0
  bool emulated = false;  // the devices are the emulated device (host/emu/): CUDA semantics at CPU speed
};
GpuInventory query_gpus();  // never throws

struct GpuMemory {
  std::size_t free_bytes = 0;
  std::size_t total_bytes = 0;
  std::string name;
};
GpuMemory gpu_memory(int device);
std::size_t gpu_used_bytes(int device);  // total − free, whoever holds it

std::unique_ptr<Backend> make_cuda_backend(int device, const BackendConfig& config);

// The identity one-hot(ids)·E == E[ids] computed on the GPU both ways: the cuBLAS product of an (N,V)
// one-hot matrix with E, and the gather kernel. Returns {onehot result, gather result}, each (N,D).
struct OnehotVsGather {
  std::vector<float> onehot;
  std::vector<float> gathered;
};
OnehotVsGather cuda_onehot_vs_gather(int device, const std::vector<std::int32_t>& ids, const std::vector<float>& E,
                                     int V, int D);

// The CUDA index copies the table to the device (normalized rows resident there).
std::unique_ptr<NeighborIndex> make_cuda_neighbor_index(int device, const std::vector<float>& table, int V, int D);

}  // namespace embgeo
