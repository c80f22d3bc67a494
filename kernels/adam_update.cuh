#pragma once
// One element of Adam (PyTorch semantics, include/embgeo/optimizer.hpp), shared by the dense and the lazy
// (touched rows only) kernels so both apply exactly the same arithmetic.
namespace embgeo::cuda {

__device__ __forceinline__ void adam_update(float& param, float& m, float& v, float g, float beta1, float beta2,
                                            float eps, float step_size, float inv_sqrt_bias2) {
  m = beta1 * m + (1.0f - beta1) * g;
  v = beta2 * v + (1.0f - beta2) * g * g;
  param -= step_size * m / (sqrtf(v) * inv_sqrt_bias2 + eps);
}

}  // namespace embgeo::cuda
