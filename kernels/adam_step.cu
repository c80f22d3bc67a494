// Adam update, elementwise over one tensor (PyTorch semantics, see include/embgeo/optimizer.hpp).
// The bias-corrected scalars are computed once on the host, exactly as the CPU reference does.
#include "kernels/cuda_check.cuh"
#include "kernels/launchers.cuh"

namespace embgeo::cuda {
namespace {

__global__ void adam_step_kernel(float* __restrict__ param, const float* __restrict__ grad, float* __restrict__ m,
                                 float* __restrict__ v, std::size_t n, float beta1, float beta2, float eps,
                                 float step_size, float inv_sqrt_bias2) {
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    const float g = grad[i];
    const float m_new = beta1 * m[i] + (1.0f - beta1) * g;
    const float v_new = beta2 * v[i] + (1.0f - beta2) * g * g;
    m[i] = m_new;
    v[i] = v_new;
    param[i] -= step_size * m_new / (sqrtf(v_new) * inv_sqrt_bias2 + eps);
  }
}

}  // namespace

void adam_step(float* param, const float* grad, float* m, float* v, std::size_t n, const OptimizerConfig& config,
               std::int64_t t, cudaStream_t stream) {
  const AdamStepScalars s = adam_step_scalars(config, t);
  adam_step_kernel<<<blocks_for(n, 256), 256, 0, stream>>>(param, grad, m, v, n, config.beta1, config.beta2,
                                                           config.eps, s.step_size, s.inv_sqrt_bias2);
  check_launch();
}

}  // namespace embgeo::cuda
