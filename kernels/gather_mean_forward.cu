// Embedding gather fused with the mean over the context: h[b] = (1/C)·Σ_c E[x[b,c]].
// Memory bound: reads rows·C ids and rows·C·D floats of E, writes rows·D floats.
#include "cuda_check.cuh"
#include "launchers.cuh"

namespace embgeo::cuda {
namespace {

// threadIdx.x walks D so a warp reads one contiguous stretch of an E row; threadIdx.y picks the batch row,
// so small D still fills a block.
__global__ void gather_mean_forward_kernel(const std::int32_t* __restrict__ x, const float* __restrict__ E,
                                           float* __restrict__ h, int rows, int C, int D) {
  const int b = blockIdx.x * blockDim.y + threadIdx.y;
  if (b >= rows) return;
  const std::int32_t* ids = x + static_cast<std::size_t>(b) * C;
  for (int d = threadIdx.x; d < D; d += blockDim.x) {
    float sum = 0.0f;
    for (int c = 0; c < C; ++c) sum += E[static_cast<std::size_t>(ids[c]) * D + d];
    h[static_cast<std::size_t>(b) * D + d] = sum / static_cast<float>(C);
  }
}

}  // namespace

void gather_mean_forward(const std::int32_t* x, const float* E, float* h, int rows, int C, int D, cudaStream_t stream) {
  const int threads_x = D >= 256 ? 256 : ((D + 31) / 32) * 32;
  const int threads_y = 256 / threads_x;
  const dim3 block(threads_x, threads_y);
  if (rows == 0) return;  // a zero-sized grid is a launch error
  const unsigned int grid = static_cast<unsigned int>((rows + threads_y - 1) / threads_y);
  launch(gather_mean_forward_kernel, grid, block, stream, x, E, h, rows, C, D);
}

}  // namespace embgeo::cuda
