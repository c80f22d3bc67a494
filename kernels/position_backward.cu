// Position table backward: dP[c][d] = Σ_b ∂loss/∂r_c[d] of row b (pooling.hpp), times E[x[b,c]][d] when the
// table multiplies. One thread per (c, d) sums its rows in batch order: no atomics, the same bits every run.
#include "cuda_check.cuh"
#include "launchers.cuh"

namespace embgeo::cuda {
namespace {

// threadIdx.x walks d (coalesced reads of dh and E rows), blockIdx.y picks the slot c.
__global__ void position_backward_kernel(const float* __restrict__ dh, const std::int32_t* __restrict__ x,
                                         const float* __restrict__ E, float* __restrict__ dP, int rows, int C, int D,
                                         Pooling pooling) {
  const int c = blockIdx.y;
  const int d = blockIdx.x * blockDim.x + threadIdx.x;
  if (d >= D) return;
  float sum = 0.0f;
  for (int b = 0; b < rows; ++b) {
    const float e = pooling.multiplies() ? E[static_cast<std::size_t>(x[static_cast<std::size_t>(b) * C + c]) * D + d] : 0.0f;
    sum += pooling.slot_gradient(dh[pooling.slot_offset(b, c, C, D) + d], C) * pooling.position_factor(e);
  }
  dP[static_cast<std::size_t>(c) * D + d] = sum;
}

}  // namespace

void position_backward(const float* dh, const std::int32_t* x, const float* E, float* dP, int rows, int C, int D,
                       const Pooling& pooling, cudaStream_t stream) {
  if (rows == 0) {  // no rows, no gradient: as the CPU reference, a zero table
    CUDA_CHECK(cudaMemsetAsync(dP, 0, static_cast<std::size_t>(C) * D * sizeof(float), stream));
    return;
  }
  const int threads = row_threads(D);
  launch(position_backward_kernel, dim3(static_cast<unsigned int>((D + threads - 1) / threads), C), threads, stream,
         dh, x, E, dP, rows, C, D, pooling);
}

}  // namespace embgeo::cuda
