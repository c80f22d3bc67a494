// Embedding gather fused with the pooling over the context (pooling.hpp): slot rows E[x[b,c]] (plus or times
// P[c]), then their mean h[b] = (1/C)·Σ_c r_c, or their concatenation. Memory bound: reads rows·C ids and
// rows·C·D floats of E, writes rows·H floats.
#include "cuda_check.cuh"
#include "launchers.cuh"

namespace embgeo::cuda {
namespace {

// threadIdx.x walks D so a warp reads one contiguous stretch of an E row; threadIdx.y picks the batch row,
// so small D still fills a block.
__global__ void gather_pool_forward_kernel(const std::int32_t* __restrict__ x, const float* __restrict__ E,
                                           const float* __restrict__ P, float* __restrict__ h, int rows, int C, int D,
                                           Pooling pooling) {
  const int b = blockIdx.x * blockDim.y + threadIdx.y;
  if (b >= rows) return;
  const std::int32_t* ids = x + static_cast<std::size_t>(b) * C;
  const bool table = pooling.has_table(), concat = pooling.pool == Pool::kConcat;
  for (int d = threadIdx.x; d < D; d += blockDim.x) {
    float sum = 0.0f;
    for (int c = 0; c < C; ++c) {
      const float r = pooling.slot_value(E[static_cast<std::size_t>(ids[c]) * D + d],
                                         table ? P[static_cast<std::size_t>(c) * D + d] : 0.0f);
      if (concat)
        h[pooling.slot_offset(b, c, C, D) + d] = r;
      else
        sum += r;
    }
    if (!concat) h[static_cast<std::size_t>(b) * D + d] = sum / static_cast<float>(C);
  }
}

}  // namespace

void gather_pool_forward(const std::int32_t* x, const float* E, const float* P, float* h, int rows, int C, int D,
                         const Pooling& pooling, cudaStream_t stream) {
  const int threads_x = row_threads(D);
  const int threads_y = 256 / threads_x;
  const dim3 block(threads_x, threads_y);
  if (rows == 0) return;  // a zero-sized grid is a launch error
  const unsigned int grid = static_cast<unsigned int>((rows + threads_y - 1) / threads_y);
  launch(gather_pool_forward_kernel, grid, block, stream, x, E, P, h, rows, C, D, pooling);
}

}  // namespace embgeo::cuda
