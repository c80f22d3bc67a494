#pragma once
// `verify --against-cpu`: the CPU reference judges another backend op by op.
#include <cstdint>
#include <string>
#include <vector>

#include "embgeo/backend.hpp"
#include "embgeo/synthetic_ids.hpp"
#include "verify/compare.hpp"

namespace embgeo {

struct VerifyCase {
  std::string name;
  ModelShape shape;
  std::vector<std::int32_t> corpus;  // every window of it is a training window
  WindowLayout layout{Objective::kNext, shape.C};  // the objective; shape.C is layout.pooled_ids()
  Loss loss = Loss::kSoftmax;                      // negative sampling draws kDefaultNegatives noise ids a row

  // The case's shape and objective; the caller adds optimizer and backend settings.
  BackendConfig config() const {
    BackendConfig c;
    c.shape = shape;
    c.set_layout(layout);
    c.loss = loss;
    return c;
  }
};

// Named sets: "toy" (the default corpus and model, for each objective, with negative sampling, with learned
// position tables added and multiplied, a sinusoidal one over concat pooling, and concat with negative sampling), "large" (V=50000 D=256 B=256 C=8, synthetic ids),
// "odd" (V=1, D=1, C=1, B=1, D not a multiple of 4 ...), "all", or a comma-separated list of these.
// Error on an unknown name.
std::vector<VerifyCase> verify_cases(const std::string& which, std::uint64_t seed);

// Runs `steps` training steps on both backends (which must share a config and start from the same
// parameters). Before each op the subject is given the judge's inputs, so every op is checked in isolation
// on a real training trajectory; each row is the worst over all steps of one op output.
// `tf32`: the subject's GEMMs run on TF32 tensor cores, so GEMM outputs get TF32-sized tolerances.
std::vector<Comparison> verify_ops(Backend& judge, Backend& subject, const std::vector<std::int32_t>& corpus,
                                   int steps, std::uint64_t seed, bool tf32 = false);

// Both backends train freely for `steps` steps; the batch losses of every step are compared.
Comparison verify_trajectory(Backend& judge, Backend& subject, int steps, std::uint64_t seed, std::int64_t windows);

// one-hot(ids)·E against E[ids] computed by gather_pool_forward with C = 1, on the CPU: must be exact.
Comparison verify_onehot_identity_cpu(const std::vector<std::int32_t>& ids, const std::vector<float>& E, int V, int D);

}  // namespace embgeo
