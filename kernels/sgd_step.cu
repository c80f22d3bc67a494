// Plain SGD update: p ← p − lr·g.
#include "cuda_check.cuh"
#include "launchers.cuh"

namespace embgeo::cuda {
namespace {

__global__ void sgd_step_kernel(float* __restrict__ param, const float* __restrict__ grad, std::size_t n, float lr) {
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x)
    param[i] -= lr * grad[i];
}

}  // namespace

void sgd_step(float* param, const float* grad, std::size_t n, float lr, cudaStream_t stream) {
  launch(sgd_step_kernel, blocks_for(n, 256), 256, stream, param, grad, n, lr);
}

}  // namespace embgeo::cuda
