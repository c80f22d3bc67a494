#pragma once
// One element of Adam (PyTorch semantics, optimizer.hpp), shared by the CUDA kernels (dense and lazy) and the
// fast CPU loop, so all of them apply exactly the same arithmetic. The CPU reference (cpu_ops.cpp) keeps its
// own copy on purpose: it judges the others and must not share their code.
#include <math.h>

#include "embgeo/host_device.hpp"

namespace embgeo {

EMBGEO_HOST_DEVICE void adam_update(float& param, float& m, float& v, float g, float beta1, float beta2, float eps,
                                    float step_size, float inv_sqrt_bias2) {
  m = beta1 * m + (1.0f - beta1) * g;
  v = beta2 * v + (1.0f - beta2) * g * g;
  param -= step_size * m / (sqrtf(v) * inv_sqrt_bias2 + eps);
}

}  // namespace embgeo
