#pragma once
// One element of Adam (PyTorch semantics, optimizer.hpp), shared by the CUDA kernels (dense and lazy) and the
// fast CPU loop, so all of them apply the same formula. Not bit for bit: nvcc contracts its multiply-adds into
// FMAs and the host compiler may or may not, so no CPU-vs-GPU comparison may rely on equal bits. The CPU
// reference (host/cpu/reference/) keeps its own copy on purpose: it judges the others and must not share
// their code.
#include <math.h>

#include "embgeo/host_device.hpp"

namespace embgeo {

// The bias-corrected step size lr/(1−β1^t) and the divisor 1/√(1−β2^t) of step t, computed once per step in
// double: by adam_step_scalars() on the host and by a one-thread kernel from the device's step counter.
struct AdamStepScalars {
  float step_size;
  float inv_sqrt_bias2;
};

EMBGEO_HOST_DEVICE AdamStepScalars adam_bias_correction(float lr, float beta1, float beta2, double t) {
  const double bias1 = 1.0 - pow(static_cast<double>(beta1), t);
  const double bias2 = 1.0 - pow(static_cast<double>(beta2), t);
  return {static_cast<float>(lr / bias1), static_cast<float>(1.0 / sqrt(bias2))};
}

EMBGEO_HOST_DEVICE void adam_update(float& param, float& m, float& v, float g, float beta1, float beta2, float eps,
                                    float step_size, float inv_sqrt_bias2) {
  m = beta1 * m + (1.0f - beta1) * g;
  v = beta2 * v + (1.0f - beta2) * g * g;
  param -= step_size * m / (sqrtf(v) * inv_sqrt_bias2 + eps);
}

}  // namespace embgeo
