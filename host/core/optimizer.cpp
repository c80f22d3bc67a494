// Optimizer names (--optimizer adam, lazy-adam, sgd) to OptimizerKind and back, and Adam's bias-corrected step
// scalars for a config at step t.
#include "embgeo/optimizer.hpp"


#include "embgeo/error.hpp"

namespace embgeo {

AdamStepScalars adam_step_scalars(const OptimizerConfig& config, std::int64_t t) {
  return adam_bias_correction(config.lr, config.beta1, config.beta2, static_cast<double>(t));
}

OptimizerKind parse_optimizer(const std::string& name) {
  if (name == "adam") return OptimizerKind::kAdam;
  if (name == "sgd") return OptimizerKind::kSgd;
  if (name == "lazy-adam") return OptimizerKind::kLazyAdam;
  fail("--optimizer must be adam, lazy-adam or sgd, got '", name, "'");
}

const char* optimizer_name(OptimizerKind kind) {
  switch (kind) {
    case OptimizerKind::kAdam: return "adam";
    case OptimizerKind::kLazyAdam: return "lazy-adam";
    case OptimizerKind::kSgd: break;
  }
  return "sgd";
}

}  // namespace embgeo
