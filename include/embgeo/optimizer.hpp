#pragma once
// Optimizer configuration shared by every backend: the kind (Adam, lazy Adam, SGD) and Adam's hyperparameters,
// with the name parsing used by --optimizer.
#include <cstdint>
#include <string>

#include "embgeo/adam_update.hpp"

namespace embgeo {

// kLazyAdam: Adam on the head, and on the embedding only for the rows the batch touched (as PyTorch's
// SparseAdam does): untouched rows keep their values and moments; the bias correction uses the global step.
// At large V this skips the dense pass over V·D rows that can cost more than the GEMMs.
enum class OptimizerKind { kAdam, kSgd, kLazyAdam };

// Adam as in PyTorch (torch.optim.Adam, no weight decay, no amsgrad):
//   m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²,  p ← p − lr·(m/(1−β1^t)) / (√(v/(1−β2^t)) + ε)
struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::kAdam;
  float lr = 1e-2f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
};

// adam_bias_correction() (adam_update.hpp) for this config at step t.
AdamStepScalars adam_step_scalars(const OptimizerConfig& config, std::int64_t t);

OptimizerKind parse_optimizer(const std::string& name);
const char* optimizer_name(OptimizerKind kind);

}  // namespace embgeo
