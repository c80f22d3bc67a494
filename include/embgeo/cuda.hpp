#pragma once
// What the host needs from the CUDA side. Everything here is callable on a machine without a GPU or driver:
// query_gpus() reports why there is none instead of failing.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "embgeo/backend.hpp"

namespace embgeo {

struct GpuInventory {
  int count = 0;
  std::string why_none;  // e.g. "no CUDA driver (cudaErrorInsufficientDriver)"; empty when count > 0
};
GpuInventory query_gpus();  // never throws

struct GpuMemory {
  std::size_t free_bytes = 0;
  std::size_t total_bytes = 0;
  std::string name;
};
GpuMemory gpu_memory(int device);

std::unique_ptr<Backend> make_cuda_backend(int device, const BackendConfig& config);

// The identity one-hot(ids)·E == E[ids] computed on the GPU both ways: the cuBLAS product of an (N,V)
// one-hot matrix with E, and the gather kernel. Returns {onehot result, gather result}, each (N,D).
struct OnehotVsGather {
  std::vector<float> onehot;
  std::vector<float> gathered;
};
OnehotVsGather cuda_onehot_vs_gather(int device, const std::vector<std::int32_t>& ids, const std::vector<float>& E,
                                     int V, int D);

}  // namespace embgeo
