#include "embgeo/optimizer.hpp"

#include <cmath>

#include "embgeo/error.hpp"

namespace embgeo {

AdamStepScalars adam_step_scalars(const OptimizerConfig& config, std::int64_t t) {
  const double bias1 = 1.0 - std::pow(static_cast<double>(config.beta1), static_cast<double>(t));
  const double bias2 = 1.0 - std::pow(static_cast<double>(config.beta2), static_cast<double>(t));
  return {static_cast<float>(config.lr / bias1), static_cast<float>(1.0 / std::sqrt(bias2))};
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
