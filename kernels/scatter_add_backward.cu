// Embedding backward: every context slot of row b receives its share of dh[b] (pooling.hpp: dh[b]/C for the
// mean, its own slice for concat, times P[c] when the table multiplies), added into its E row with atomics
// (repeated ids in a batch collide, so plain stores would lose updates).
#include "cuda_check.cuh"
#include "launchers.cuh"

namespace embgeo::cuda {
namespace {

// One (b, c) slot per blockIdx.y-row of threads; threadIdx.x walks D for coalesced reads of dh and writes of E.
__global__ void scatter_add_backward_kernel(const float* __restrict__ dh, const std::int32_t* __restrict__ x,
                                            const float* __restrict__ P, float* __restrict__ dE, std::int64_t slots,
                                            int C, int D, Pooling pooling) {
  const std::int64_t slot = static_cast<std::int64_t>(blockIdx.x) * blockDim.y + threadIdx.y;  // slot = b·C + c
  if (slot >= slots) return;
  const int c = static_cast<int>(slot % C);
  float* e_row = dE + static_cast<std::size_t>(x[slot]) * D;
  const float* g_row = dh + pooling.slot_offset(slot / C, c, C, D);
  const float* p_row = pooling.multiplies() ? P + static_cast<std::size_t>(c) * D : nullptr;
  for (int d = threadIdx.x; d < D; d += blockDim.x)
    atomicAdd(e_row + d, pooling.slot_gradient(g_row[d], C) * (p_row != nullptr ? p_row[d] : 1.0f));
}

}  // namespace

void scatter_add_backward(const float* dh, const std::int32_t* x, const float* P, float* dE, int rows, int C, int D,
                          int V, const Pooling& pooling, cudaStream_t stream) {
  CUDA_CHECK(cudaMemsetAsync(dE, 0, static_cast<std::size_t>(V) * D * sizeof(float), stream));
  const int threads_x = row_threads(D);
  const int threads_y = 256 / threads_x;
  const std::int64_t slots = static_cast<std::int64_t>(rows) * C;  // B·C may reach 2^31 − 1: no int arithmetic
  if (slots == 0) return;
  const auto grid = static_cast<unsigned int>((slots + threads_y - 1) / threads_y);
  launch(scatter_add_backward_kernel, grid, dim3(threads_x, threads_y), stream, dh, x, P, dE, slots, C, D, pooling);
}

}  // namespace embgeo::cuda
