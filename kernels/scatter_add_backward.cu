// Embedding backward: every context slot of row b receives dh[b]/C, added into its E row with atomics
// (repeated ids in a batch collide, so plain stores would lose updates).
#include "cuda_check.cuh"
#include "launchers.cuh"

namespace embgeo::cuda {
namespace {

// One (b, c) slot per blockIdx.y-row of threads; threadIdx.x walks D for coalesced reads of dh and writes of E.
__global__ void scatter_add_backward_kernel(const float* __restrict__ dh, const std::int32_t* __restrict__ x,
                                            float* __restrict__ dE, std::int64_t slots, int C, int D) {
  const std::int64_t slot = static_cast<std::int64_t>(blockIdx.x) * blockDim.y + threadIdx.y;  // slot = b·C + c
  if (slot >= slots) return;
  const std::int64_t b = slot / C;
  float* e_row = dE + static_cast<std::size_t>(x[slot]) * D;
  const float* g_row = dh + static_cast<std::size_t>(b) * D;
  for (int d = threadIdx.x; d < D; d += blockDim.x) atomicAdd(e_row + d, g_row[d] / static_cast<float>(C));
}

}  // namespace

void scatter_add_backward(const float* dh, const std::int32_t* x, float* dE, int rows, int C, int D, int V,
                          cudaStream_t stream) {
  CUDA_CHECK(cudaMemsetAsync(dE, 0, static_cast<std::size_t>(V) * D * sizeof(float), stream));
  const int threads_x = D >= 256 ? 256 : ((D + 31) / 32) * 32;
  const int threads_y = 256 / threads_x;
  const std::int64_t slots = static_cast<std::int64_t>(rows) * C;  // B·C may reach 2^31 − 1: no int arithmetic
  if (slots == 0) return;
  const auto grid = static_cast<unsigned int>((slots + threads_y - 1) / threads_y);
  launch(scatter_add_backward_kernel, grid, dim3(threads_x, threads_y), stream, dh, x, dE, slots, C, D);
}

}  // namespace embgeo::cuda
