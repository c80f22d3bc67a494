#pragma once
// The GPU measurements behind `embgeo-cuda bench` (host/bench/gpu_timings.cu): CUDA events, L2 flushed
// between repeats, median of repeats. On the emulated device the same code runs and its times are marked
// as emulated.
#include <vector>

#include "bench/bench.hpp"
#include "embgeo/shape.hpp"

namespace embgeo {

// copy: device-to-device cudaMemcpy, read + write counted; fp32: cuBLAS SGEMM 8192³; bf16: cuBLAS bf16 GEMM
// 8192³ with fp32 accumulation.
Ceilings measure_gpu_ceilings(int device);

// One V of `bench lookup-vs-onehot`: the gather kernel against one-hot·E through cuBLAS in fp32 and bf16,
// each checked equal to the lookup before it is timed (that call is also the warm-up). A route whose one-hot
// matrix does not fit in free device memory is not run; its bytes are still reported. Each route's time is
// predicted from its FLOPs over the measured GEMM rate: repeats are as many as `budget_seconds` allows (at
// most `repeats`), and a route whose check and one repeat would overrun the budget is skipped, prediction
// reported.
struct OnehotRoute {
  bool fits = false;
  bool over_budget = false;       // skipped: predicted_seconds × 2 > budget
  bool equal = false;             // result == lookup, exactly
  double milliseconds = 0;
  double onehot_bytes = 0;        // the N×V matrix alone
  double predicted_seconds = 0;   // one call, by the cost model
  int repeats = 0;                // timed repeats run
  bool timed() const { return fits && !over_budget; }
};
struct LookupVsOnehot {
  double lookup_milliseconds = 0;
  bool lookup_equal = false;  // gather == the CPU reference rows, exactly
  OnehotRoute fp32, bf16;
};
LookupVsOnehot cuda_lookup_vs_onehot(int device, int V, int D, int N, int repeats, const Ceilings& ceilings,
                                     double budget_seconds);

// Each training kernel at one shape, timed alone, with a plain cuBLAS SGEMM of the head's shape.
std::vector<KernelTiming> cuda_kernel_timings(int device, const ModelShape& shape, int repeats);

}  // namespace embgeo
