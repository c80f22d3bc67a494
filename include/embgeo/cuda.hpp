#pragma once
// What the host needs from the CUDA side. Everything here is callable on a machine without a GPU or driver:
// query_gpus() reports why there is none instead of failing.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "embgeo/backend.hpp"
#include "embgeo/bench.hpp"

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

// ---- measurements for `embgeo-cuda bench` (CUDA events, L2 flushed between repeats, median of repeats) ----

// copy: device-to-device cudaMemcpy, read + write counted; fp32: cuBLAS SGEMM 8192³; bf16: cuBLAS bf16 GEMM
// 8192³ with fp32 accumulation.
Ceilings measure_gpu_ceilings(int device);

// One V of `bench lookup-vs-onehot`: the gather kernel against one-hot·E through cuBLAS in fp32 and bf16,
// each checked equal to the lookup before it is timed. A route whose one-hot matrix does not fit in free
// device memory is not run; its bytes are still reported.
struct OnehotRoute {
  bool fits = false;
  bool equal = false;        // result == lookup, exactly
  double milliseconds = 0;
  double onehot_bytes = 0;   // the N×V matrix alone
};
struct LookupVsOnehot {
  double lookup_milliseconds = 0;
  bool lookup_equal = false;  // gather == the CPU reference rows, exactly
  OnehotRoute fp32, bf16;
};
LookupVsOnehot cuda_lookup_vs_onehot(int device, int V, int D, int N, int repeats);

// Each training kernel at one shape, timed alone, with a plain cuBLAS SGEMM of the head's shape.
std::vector<KernelTiming> cuda_kernel_timings(int device, const ModelShape& shape, int repeats);

}  // namespace embgeo
