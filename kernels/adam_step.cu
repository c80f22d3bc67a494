// Adam update, elementwise over one tensor (PyTorch semantics, see include/embgeo/optimizer.hpp).
// The bias-corrected scalars are computed once per step by a one-thread kernel from the device step counter,
// with the same double-precision formula as the host (adam_bias_correction).
#include "cuda_check.cuh"
#include "embgeo/adam_update.hpp"
#include "launchers.cuh"

namespace embgeo::cuda {
namespace {

__global__ void adam_scalars_kernel(const std::int64_t* __restrict__ t, float lr, float beta1, float beta2,
                                    float* __restrict__ scalars) {
  const AdamStepScalars s = adam_bias_correction(lr, beta1, beta2, static_cast<double>(*t));
  scalars[0] = s.step_size;
  scalars[1] = s.inv_sqrt_bias2;
}

__global__ void adam_step_kernel(float* __restrict__ param, const float* __restrict__ grad, float* __restrict__ m,
                                 float* __restrict__ v, std::size_t n, float beta1, float beta2, float eps,
                                 const float* __restrict__ scalars) {
  const float step_size = scalars[0], inv_sqrt_bias2 = scalars[1];
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    adam_update(param[i], m[i], v[i], grad[i], beta1, beta2, eps, step_size, inv_sqrt_bias2);
  }
}

}  // namespace

void adam_scalars(const std::int64_t* t, const OptimizerConfig& config, float* scalars, cudaStream_t stream) {
  launch(adam_scalars_kernel, 1, 1, stream, t, config.lr, config.beta1, config.beta2, scalars);
}

void adam_step(float* param, const float* grad, float* m, float* v, std::size_t n, const OptimizerConfig& config,
               const float* scalars, cudaStream_t stream) {
  launch(adam_step_kernel, blocks_for(n, 256), 256, stream, param, grad, m, v, n, config.beta1, config.beta2,
         config.eps, scalars);
}

}  // namespace embgeo::cuda
